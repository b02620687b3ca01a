//! Every lever keeps its trend in the cluster engine too, with the other inputs fixed, for
//! migrations short enough to follow every spell of other traffic and long enough to move at
//! long-run means (past `MAX_SEGMENTS_PER_TRANSFER` spells): link speed 1–400 Gbit/s at fixed
//! buffers, ring buffers, dirty rate and host cores, on a shared network; and a one-VM cluster
//! gives the single-VM run's time all along.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use migration_lab::engine::cluster::{simulate_cluster, ClusterVm, Host, Nic};
use migration_lab::engine::{simulate, Pattern, TransportKind};

struct Knobs {
    gbps: f64,
    buffers: u32,
    dirty: f64,
    cores: u32,
}

const BASE: Knobs = Knobs {
    gbps: 10.0,
    buffers: 512,
    dirty: 40.0,
    cores: 16,
};

/// The cluster's migration time (and its segment count) for one VM of `mem_gib` moving over a
/// shared network, after checking the single-VM run agrees.
fn time(k: &Knobs, mem_gib: f64, kind: TransportKind) -> (f64, usize) {
    let host = |n: &str| Host {
        name: n.into(),
        cores: k.cores,
        load: 0.5,
        memory_gib: 4096.0,
        nics: vec![Nic {
            network: "lm".into(),
            gbps: k.gbps,
            rdma: false,
            buffers: Some(k.buffers),
        }],
    };
    let vm = ClusterVm {
        name: "vm".into(),
        host: "A".into(),
        memory_mib: mem_gib * 1024.0,
        working_set_mib: mem_gib * 256.0,
        untouched_mib: 0.0,
        dirty_rate_mibps: k.dirty,
        pattern: Pattern::Random,
        disk_gib: 40.0,
    };
    let mut sc = common::move_all_to_b(vec![host("A"), host("B")], vec![vm], 1);
    sc.networks[0].dedicated = false;
    sc.settings.transport = kind;
    sc.timeout_s = 200_000.0;
    let c = simulate_cluster(&sc).unwrap();
    let r = &c.migrations[0];
    let single = simulate(&sc.vm_scenario(&sc.vms[0], &sc.hosts[0], r.path.as_ref())).unwrap();
    assert!(
        (r.end_s - single.total_time_s).abs() <= 1e-9 * r.end_s,
        "{kind:?} {mem_gib} GiB: cluster {} s, single VM {} s",
        r.end_s,
        single.total_time_s
    );
    (r.end_s, r.segments.len())
}

/// Runs the sweep and checks each step moves the time the lever's way (`falls`: never up).
fn sweep<T: Copy + std::fmt::Debug>(
    what: &str,
    values: &[T],
    set: impl Fn(T) -> Knobs,
    falls: bool,
    mem_gib: f64,
    kind: TransportKind,
) -> usize {
    let mut last: Option<(T, f64)> = None;
    let mut most = 0;
    for &v in values {
        let (t, segments) = time(&set(v), mem_gib, kind);
        most = most.max(segments);
        if let Some((p, before)) = last {
            let wrong = if falls {
                t > before * (1.0 + 1e-9)
            } else {
                t < before * (1.0 - 1e-9)
            };
            assert!(
                !wrong,
                "{kind:?}, {mem_gib} GiB, {what}: {before} s at {p:?}, {t} s at {v:?}"
            );
        }
        last = Some((v, t));
    }
    most
}

#[test]
fn cluster_levers_keep_their_trend_before_and_past_the_long_run_switch() {
    let mut long = false;
    for kind in [
        TransportKind::Tcp,
        TransportKind::Compression,
        TransportKind::Smb,
    ] {
        for mem in [64.0, 2048.0] {
            let links = [1.0, 2.5, 5.0, 10.0, 25.0, 40.0, 100.0, 200.0, 400.0];
            let most = sweep(
                "link Gbit/s",
                &links,
                |gbps| Knobs { gbps, ..BASE },
                true,
                mem,
                kind,
            );
            long |= most > 2000;
            let rings = [64, 128, 256, 512, 1024, 2048, 4096];
            sweep(
                "buffers",
                &rings,
                |buffers| Knobs { buffers, ..BASE },
                true,
                mem,
                kind,
            );
            let dirty = [0.0, 10.0, 40.0, 100.0, 300.0, 1000.0, 3000.0];
            sweep(
                "dirty MiB/s",
                &dirty,
                |dirty| Knobs { dirty, ..BASE },
                false,
                mem,
                kind,
            );
            let cores = [1, 2, 4, 8, 16, 32, 64];
            sweep(
                "cores",
                &cores,
                |cores| Knobs { cores, ..BASE },
                true,
                mem,
                kind,
            );
        }
    }
    assert!(long, "some runs reach the long-run means");
}
