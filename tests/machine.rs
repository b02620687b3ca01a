//! One migration machine: a cluster with one VM moving between two hosts steps through the same
//! pre-copy as the single-VM run, so both give the same passes, times and bytes.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use migration_lab::engine::cluster::{simulate_cluster, ClusterVm, Host, Nic, Stage};
use migration_lab::engine::{
    simulate, Outcome, Overheads, Pattern, PhaseKind, StopPolicy, Trace, TransportKind,
};

fn host(name: &str, gbps: f64, rdma: bool) -> Host {
    Host {
        name: name.into(),
        cores: 16,
        load: 0.5,
        memory_gib: 256.0,
        nics: vec![Nic {
            network: "lm".into(),
            gbps,
            rdma,
            buffers: None,
        }],
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

fn same(single: &Trace, rec: &migration_lab::engine::cluster::MigrationRecord, what: &str) {
    assert_eq!(Some(single.outcome), rec.outcome, "{what}: outcome");
    assert_eq!(
        single.passes.len(),
        rec.pass_records.len(),
        "{what}: passes"
    );
    for (a, b) in single.passes.iter().zip(&rec.pass_records) {
        for (x, y, field) in [
            (a.start_s, b.start_s, "start"),
            (a.end_s, b.end_s, "end"),
            (a.wire_bytes, b.wire_bytes, "wire bytes"),
            (a.memory_bytes, b.memory_bytes, "memory bytes"),
            (a.dirty_bytes_at_end, b.dirty_bytes_at_end, "dirty at end"),
            (a.throttle_pct, b.throttle_pct, "throttle"),
        ] {
            assert!(close(x, y), "{what}: pass {} {field}: {x} vs {y}", a.index);
        }
    }
    // The same stages at the same times, each pre-copy span numbered with its own pass.
    let single_spans: Vec<(PhaseKind, u32, f64, f64)> = single
        .phases
        .iter()
        .filter(|p| !matches!(p.kind, PhaseKind::RunningOnB | PhaseKind::Cancelled))
        .map(|p| (p.kind, p.pass, p.start_s, p.end_s))
        .collect();
    let cluster_spans: Vec<(PhaseKind, u32, f64, f64)> = rec
        .stages
        .iter()
        .filter(|st| st.stage != Stage::Queued)
        .filter_map(|st| Some((st.stage.phase()?, st.pass, st.start_s, st.end_s)))
        .collect();
    assert_eq!(single_spans.len(), cluster_spans.len(), "{what}: stages");
    for (a, b) in single_spans.iter().zip(&cluster_spans) {
        assert_eq!((a.0, a.1), (b.0, b.1), "{what}: stage");
        assert!(close(a.2, b.2) && close(a.3, b.3), "{what}: {a:?} vs {b:?}");
    }
    let numbers: Vec<u32> = single_spans
        .iter()
        .filter(|p| p.0 == PhaseKind::Precopy)
        .map(|p| p.1)
        .collect();
    assert_eq!(
        numbers,
        (1..=single.passes.len() as u32).collect::<Vec<_>>(),
        "{what}"
    );
    for (x, y, field) in [
        (single.total_time_s, rec.end_s - rec.start_s, "total time"),
        (single.downtime_s, rec.downtime_s, "downtime"),
        (single.wire_bytes, rec.wire_bytes, "wire bytes"),
    ] {
        assert!(close(x, y), "{what}: {field}: {x} vs {y}");
    }
}

#[test]
fn a_one_vm_cluster_runs_the_same_migration_as_simulate() {
    let policies = [
        ("hyper-v", StopPolicy::hyperv(), Overheads::hyperv()),
        (
            "qemu auto-converge",
            StopPolicy::qemu().with_qemu_options(true, true),
            Overheads::qemu(),
        ),
        ("xen", StopPolicy::xen(), Overheads::xen()),
    ];
    let mut outcomes = Vec::new();
    for (name, policy, overheads) in &policies {
        for transport in [
            TransportKind::Tcp,
            TransportKind::Compression,
            TransportKind::Smb,
        ] {
            for dedicated in [true, false] {
                for (gbps, dirty) in [(1.0, 40.0), (10.0, 300.0), (25.0, 2000.0)] {
                    let vm = ClusterVm {
                        name: "vm".into(),
                        host: "A".into(),
                        memory_mib: 8192.0,
                        working_set_mib: 2048.0,
                        untouched_mib: 1024.0,
                        dirty_rate_mibps: dirty,
                        pattern: Pattern::Random,
                        disk_gib: 40.0,
                    };
                    let mut sc = common::move_all_to_b(
                        vec![host("A", gbps, true), host("B", gbps, true)],
                        vec![vm],
                        1,
                    );
                    sc.seed = 7;
                    sc.networks[0].dedicated = dedicated;
                    sc.settings.transport = transport;
                    sc.settings.policy = policy.clone();
                    sc.settings.overheads = overheads.clone();
                    let cluster = simulate_cluster(&sc).expect("valid cluster");
                    let rec = &cluster.migrations[0];
                    let s = sc.vm_scenario(&sc.vms[0], &sc.hosts[0], rec.path.as_ref());
                    let single = simulate(&s).expect("valid scenario");
                    let what = format!(
                        "{name}, {transport:?}, {}, {gbps} Gbit/s, {dirty} MiB/s",
                        if dedicated { "dedicated" } else { "shared" }
                    );
                    same(&single, rec, &what);
                    outcomes.push(single.outcome);
                }
            }
        }
    }
    // The grid holds runs that converge and runs the pass cap stops, so both of the
    // machine's ways to the blackout were compared.
    assert!(
        outcomes.contains(&Outcome::Converged) && outcomes.contains(&Outcome::PassCap),
        "{outcomes:?}"
    );
}
