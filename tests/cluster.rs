//! Clusters: limits, FIFO queueing, fair sharing of NICs, drains, shared storage, and the
//! published many-VM measurement.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use migration_lab::engine::cluster::{
    simulate_cluster, ClusterNetwork, ClusterScenario, ClusterTrace, ClusterVm, Host,
    MigrationSettings, NetworkRole, Nic, Operation, Stage,
};
use migration_lab::engine::{Overheads, Pattern, StopPolicy, TransportKind};
use migration_lab::text::Lang;

fn net(name: &str, role: NetworkRole, dedicated: bool) -> ClusterNetwork {
    ClusterNetwork {
        name: name.into(),
        role,
        dedicated,
    }
}

fn host(name: &str, memory_gib: f64, nics: &[(&str, f64)]) -> Host {
    Host {
        name: name.into(),
        cores: 16,
        load: 0.5,
        memory_gib,
        nics: nics
            .iter()
            .map(|(n, g)| Nic {
                network: n.to_string(),
                gbps: *g,
                rdma: false,
                buffers: Some(4096),
            })
            .collect(),
    }
}

fn vm(name: &str, host: &str, memory_mib: f64, dirty: f64) -> ClusterVm {
    ClusterVm {
        name: name.into(),
        host: host.into(),
        memory_mib,
        working_set_mib: memory_mib / 4.0,
        untouched_mib: 0.0,
        dirty_rate_mibps: dirty,
        pattern: Pattern::Random,
        disk_gib: 40.0,
    }
}

/// Two hosts on one dedicated 1 GbE live-migration network, TCP/IP.
fn pair(vms: Vec<ClusterVm>, limit: u32) -> ClusterScenario {
    common::move_all_to_b(
        vec![
            host("A", 256.0, &[("lm", 1.0)]),
            host("B", 256.0, &[("lm", 1.0)]),
        ],
        vms,
        limit,
    )
}

fn done(t: &ClusterTrace) -> Vec<&migration_lab::engine::cluster::MigrationRecord> {
    t.migrations
        .iter()
        .filter(|m| m.refused.is_none())
        .collect()
}

#[test]
fn twenty_small_vms_share_a_gigabit_link() {
    // Twenty idle 512 MiB VMs with 20 simultaneous migrations allowed (the shape of Aidan
    // Finn's WS2012 test; how close the times come to his is tests/validation.rs's V6). Sharing
    // one saturated link, they take about what their bytes need at the link's rate, plus one
    // migration's fixed costs: the link, not the count, sets the time.
    let small = |i: usize| ClusterVm {
        working_set_mib: 32.0,
        ..vm(&format!("vm{i}"), "A", 512.0, 0.1)
    };
    let one = simulate_cluster(&pair(vec![small(0)], 20)).unwrap();
    let twenty = simulate_cluster(&pair((0..20).map(small).collect(), 20)).unwrap();
    assert_eq!(done(&twenty).len(), 20);
    let m = &one.migrations[0];
    let copy_s: f64 = m.segments.iter().map(|s| s.end_s - s.start_s).sum();
    let rate = m.wire_bytes / copy_s;
    let fixed = one.makespan_s - copy_s;
    let bytes: f64 = twenty.migrations.iter().map(|m| m.wire_bytes).sum();
    let want = bytes / rate + fixed;
    assert!(
        (twenty.makespan_s / want - 1.0).abs() <= 0.05,
        "{} s vs {want} s",
        twenty.makespan_s
    );
    assert!(
        twenty.peak_link_gbps > 0.9 && twenty.peak_link_gbps <= 1.0,
        "{}",
        twenty.peak_link_gbps
    );
}

fn at(t: &ClusterTrace, time: f64) -> Vec<(&str, &str)> {
    done(t)
        .into_iter()
        .filter(|m| m.start_s <= time && time < m.end_s)
        .map(|m| (m.from.as_str(), m.to.as_str()))
        .collect()
}

/// Four hosts, a dedicated 10 GbE migration network and a shared converged one.
fn four(vms: usize, per_host: u32, cluster: u32) -> ClusterScenario {
    let nics = [("lm", 10.0), ("converged", 10.0)];
    ClusterScenario {
        version: 1,
        seed: 3,
        networks: vec![
            net("lm", NetworkRole::LiveMigration, true),
            net("converged", NetworkRole::VmTraffic, false),
        ],
        hosts: ["H1", "H2", "H3", "H4"]
            .iter()
            .map(|h| host(h, 128.0, &nics))
            .collect(),
        vms: (0..vms)
            .map(|i| vm(&format!("vm{i}"), "H1", 4096.0, 20.0 * i as f64))
            .collect(),
        shared_storage: true,
        settings: MigrationSettings {
            per_host_limit: per_host,
            cluster_limit: cluster,
            ..MigrationSettings::default()
        },
        operations: vec![Operation::Drain { host: "H1".into() }],
        timeout_s: 3600.0,
    }
}

#[test]
fn limits_hold_at_every_instant_and_the_queue_is_fifo() {
    for (per_host, cluster) in [(2, 1), (2, 4), (1, 8), (3, 3)] {
        let t = simulate_cluster(&four(8, per_host, cluster)).unwrap();
        let ms = done(&t);
        assert_eq!(ms.len(), 8);
        for m in &ms {
            for instant in [m.start_s, (m.start_s + m.end_s) / 2.0] {
                let now = at(&t, instant);
                assert!(
                    now.len() as u32 <= cluster,
                    "{} > cluster limit {cluster}",
                    now.len()
                );
                for h in ["H1", "H2", "H3", "H4"] {
                    let n = now.iter().filter(|(a, b)| *a == h || *b == h).count() as u32;
                    assert!(n <= per_host, "{h}: {n} > per-host limit {per_host}");
                }
            }
        }
        // FIFO: migrations start in the order they were requested.
        assert!(ms.windows(2).all(|w| w[0].start_s <= w[1].start_s));
    }
}

#[test]
fn a_drain_spreads_vms_by_free_memory_and_completes() {
    let t = simulate_cluster(&four(6, 2, 2)).unwrap();
    assert!(t.placement.iter().all(|(_, h)| h != "H1"));
    let mut per_host = std::collections::HashMap::new();
    for (_, h) in &t.placement {
        *per_host.entry(h.as_str()).or_insert(0) += 1;
    }
    assert_eq!(per_host.values().copied().max(), Some(2), "{per_host:?}");
    assert!(t
        .migrations
        .iter()
        .all(|m| m.outcome.is_some_and(|o| o.completed())));
    assert!(t.makespan_s > 0.0 && t.worst_blackout_s > 0.0);
}

#[test]
fn a_drain_that_cannot_fit_says_why() {
    let mut s = four(4, 2, 2);
    for h in &mut s.hosts[1..] {
        h.memory_gib = 5.0;
    }
    let t = simulate_cluster(&s).unwrap();
    let refused: Vec<_> = t
        .migrations
        .iter()
        .filter_map(|m| m.refused.as_ref().map(|r| r.to_string()))
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].starts_with("no other host reachable from H1 has 4 GiB free"),
        "{}",
        refused[0]
    );
}

#[test]
fn link_throughput_never_exceeds_capacity() {
    let t = simulate_cluster(&four(8, 4, 8)).unwrap();
    let mut bounds: Vec<f64> = t
        .migrations
        .iter()
        .flat_map(|m| m.segments.iter().map(|s| s.start_s))
        .collect();
    bounds.sort_by(f64::total_cmp);
    // Every migration leaves H1 over the 10 GbE migration network: its sending NIC is the
    // shared resource.
    for b in bounds {
        let load: f64 = t
            .migrations
            .iter()
            .flat_map(|m| m.segments.iter())
            .filter(|s| s.start_s <= b && b < s.end_s)
            .map(|s| s.wire_rate)
            .sum();
        assert!(load <= 10e9 / 8.0 * (1.0 + 1e-9), "{load} B/s at {b} s");
    }
}

#[test]
fn without_shared_storage_live_migration_is_refused_and_shared_nothing_copies_disks() {
    let mut s = pair(vec![vm("db", "A", 4096.0, 10.0)], 2);
    s.shared_storage = false;
    let t = simulate_cluster(&s).unwrap();
    let why = t.migrations[0].refused.as_ref().unwrap().to_string();
    assert!(why.starts_with("no shared storage"), "{why}");
    assert!(why.contains("40 GiB of disks"), "{why}");
    let de = migration_lab::text::refusal(t.migrations[0].refused.as_ref().unwrap(), Lang::De);
    assert!(
        de.starts_with("kein freigegebener Speicher") && de.contains("40 GiB Festplatten von db"),
        "{de}"
    );
    s.settings.shared_nothing = true;
    let t = simulate_cluster(&s).unwrap();
    let m = &t.migrations[0];
    assert!(m.refused.is_none());
    let storage = m.stages.iter().find(|s| s.stage == Stage::Storage).unwrap();
    // 40 GiB at ≈ 118.7 MB/s: about six minutes before the memory copy even starts.
    assert!(storage.end_s - storage.start_s > 340.0, "{storage:?}");
    let mut shared = s.clone();
    shared.shared_storage = true;
    assert!(simulate_cluster(&shared).unwrap().makespan_s < t.makespan_s / 5.0);
}

#[test]
fn parallel_write_heavy_migrations_can_finish_later_than_in_sequence() {
    // Two busy 8 GiB VMs on 1 GbE: alone each sees the whole link and converges; together each
    // sees half, dirties as fast as it sends, hits the pass cap and pauses with gigabytes left.
    let busy = |n: &str| ClusterVm {
        working_set_mib: 4096.0,
        ..vm(n, "A", 8192.0, 50.0)
    };
    let mut seq = pair(vec![busy("a"), busy("b")], 1);
    seq.settings.overheads = Overheads::hyperv();
    seq.settings.policy = StopPolicy::hyperv();
    let mut par = seq.clone();
    par.settings.per_host_limit = 2;
    par.settings.cluster_limit = 2;
    let s = simulate_cluster(&seq).unwrap();
    let p = simulate_cluster(&par).unwrap();
    assert!(
        p.makespan_s > s.makespan_s,
        "parallel {} s, sequential {} s",
        p.makespan_s,
        s.makespan_s
    );
    assert!(p.worst_blackout_s > 2.0 * s.worst_blackout_s);
    let bytes = |t: &ClusterTrace| t.migrations.iter().map(|m| m.wire_bytes).sum::<f64>();
    assert!(bytes(&p) > bytes(&s));
}

#[test]
fn smb_multichannel_uses_every_nic() {
    let mut s = pair(vec![vm("big", "A", 16384.0, 0.0)], 2);
    for h in &mut s.hosts {
        h.nics = vec![
            Nic {
                network: "lm".into(),
                gbps: 10.0,
                rdma: true,
                buffers: Some(4096),
            },
            Nic {
                network: "lm".into(),
                gbps: 10.0,
                rdma: true,
                buffers: Some(4096),
            },
        ];
    }
    s.settings.transport = TransportKind::Smb;
    s.settings.smb_limit_pct = None;
    let peak = |s: &ClusterScenario| {
        let t = simulate_cluster(s).unwrap();
        let path = t.migrations[0].path.clone().unwrap();
        let smb = s.settings.transport == TransportKind::Smb;
        assert_eq!((path.nics, path.rdma), (if smb { 2 } else { 1 }, true));
        t.migrations[0]
            .segments
            .iter()
            .map(|s| s.wire_rate)
            .fold(0.0, f64::max)
    };
    let rate = peak(&s);
    assert!(rate > 2.2e9, "{rate}");
    // The cluster's default SMB limit since 2022-09: 25 % of the node's 20 Gbit/s.
    s.settings.smb_limit_pct = Some(25.0);
    let limited = peak(&s);
    assert!((limited - 0.25 * 20e9 / 8.0).abs() < 1.0, "{limited}");
    // TCP/IP is not SMB traffic: the limit leaves it alone.
    s.settings.transport = TransportKind::Tcp;
    let tcp = peak(&s);
    s.settings.smb_limit_pct = None;
    assert_eq!(tcp, peak(&s));
}

#[test]
fn bad_cluster_files_name_the_problem() {
    let e = ClusterScenario::from_json("{\"hosts\": []}").unwrap_err();
    assert!(e.message().contains("missing field"), "{e}");
    let mut s = pair(vec![vm("a", "A", 1024.0, 0.0)], 2);
    s.hosts.truncate(1);
    assert!(s
        .validate()
        .unwrap_err()
        .message()
        .contains("2 to 16 hosts"));
    let mut s = pair(vec![vm("a", "nowhere", 1024.0, 0.0)], 2);
    s.operations.clear();
    assert!(s
        .validate()
        .unwrap_err()
        .message()
        .contains("unknown host nowhere"));
    let json = serde_json::to_string(&pair(vec![vm("a", "A", 1024.0, 0.0)], 2)).unwrap();
    assert!(ClusterScenario::from_json(&json).is_ok());
}

#[test]
fn each_migration_yields_a_memory_view_on_the_cluster_clock() {
    use migration_lab::engine::{BlockState, Trace};
    let t = simulate_cluster(&four(3, 2, 2)).unwrap();
    for (i, m) in t.migrations.iter().enumerate() {
        let trace = t.migration_trace(i).unwrap();
        let mut out = Vec::new();
        let count = |at: f64, out: &mut Vec<BlockState>| {
            trace.sample_memory(at, 0.0, out);
            Trace::count_states(out)
        };
        let blocks = trace.layout().blocks;
        // Queued and in setup: nothing sent; done: everything clean.
        assert_eq!(count(m.start_s, &mut out)[1], 0);
        assert_eq!(count(m.end_s, &mut out), [0, blocks, 0, 0, 0, 0, 0]);
        // Halfway through pass 1 part of memory is on the destination.
        let p1 = &trace.passes[0];
        let [unsent, clean, dirty, _, _, _, _] = count((p1.start_s + p1.end_s) / 2.0, &mut out);
        assert!(unsent > 0 && clean + dirty > 0, "{unsent} {clean} {dirty}");
        assert_eq!(trace.passes.len() as u32, m.passes);
    }
}

#[test]
fn the_plan_follows_what_really_happens() {
    // A refused move does not count as done: the drain that follows still moves the VM.
    let mut s = four(1, 2, 2);
    s.hosts[1].nics.clear(); // H2 is unreachable
    s.operations = vec![
        Operation::Move {
            vm: "vm0".into(),
            to: "H2".into(),
        },
        Operation::Drain { host: "H1".into() },
    ];
    let t = simulate_cluster(&s).unwrap();
    assert!(t.migrations[0]
        .refused
        .as_ref()
        .unwrap()
        .to_string()
        .contains("share no network"));
    assert!(t.migrations[1].refused.is_none());
    assert_ne!(
        t.migrations[1].to, "H2",
        "drains only go to reachable hosts"
    );
    assert!(t.placement.iter().all(|(_, h)| h != "H1"));
    // Two moves of one VM run one after the other, the second from where the first left it.
    let mut s = four(1, 4, 4);
    s.operations = vec![
        Operation::Move {
            vm: "vm0".into(),
            to: "H2".into(),
        },
        Operation::Move {
            vm: "vm0".into(),
            to: "H3".into(),
        },
    ];
    let t = simulate_cluster(&s).unwrap();
    assert_eq!(t.migrations[1].from, "H2");
    assert!(t.migrations[1].start_s >= t.migrations[0].end_s);
    assert_eq!(t.placement[0].1, "H3");
}

#[test]
fn many_drains_always_finish() {
    // Regression: transfers ending within rounding of an event used to stall the clock.
    for seed in 0..12 {
        let mut s = four(12, 4, 4);
        s.seed = seed;
        s.settings.transport = TransportKind::Smb;
        let t = simulate_cluster(&s).unwrap();
        assert!(
            t.migrations
                .iter()
                .all(|m| m.refused.is_none() && m.outcome.is_some_and(|o| o.completed())),
            "seed {seed}"
        );
    }
}

#[test]
fn xen_adaptive_rounds_slow_cluster_migrations_too() {
    let xen = |adaptive: bool| {
        let mut s = four(2, 2, 2);
        s.settings.transport = TransportKind::Tcp;
        s.settings.policy = StopPolicy::Xen {
            max_iterations: 5,
            min_dirty_pages: 50,
            max_factor: 3.0,
            rate_adaptive: adaptive,
        };
        simulate_cluster(&s).unwrap()
    };
    let (fast, slow) = (xen(false), xen(true));
    // Pass 1 of 4 GiB at 100 Mbit/s takes minutes instead of seconds.
    assert!(
        slow.makespan_s > 10.0 * fast.makespan_s,
        "{} vs {}",
        slow.makespan_s,
        fast.makespan_s
    );
}

#[test]
fn a_host_too_small_for_its_vms_is_rejected() {
    // 512 MiB and 64 GiB on a 1 GiB host: the second VM (vms[2]) is the one that does not fit.
    let mut s = pair(
        vec![
            vm("small", "A", 512.0, 0.0),
            vm("other", "B", 1024.0, 0.0),
            vm("big", "A", 65536.0, 0.0),
        ],
        2,
    );
    s.hosts[0].memory_gib = 1.0;
    let e = s.validate().unwrap_err();
    assert_eq!(e.field, "vms.host", "{e}");
    assert!(
        e.message()
            .starts_with("A has 1 GiB for VMs; the VMs placed on it need 64.50 GiB"),
        "{e}"
    );
    assert!(e.message().contains("vms[2], big,"), "{e}");
    // The same file is refused when read, and simulate_cluster refuses to run it.
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(ClusterScenario::from_json(&json).unwrap_err(), e);
    assert_eq!(simulate_cluster(&s).unwrap_err(), e);
    // Exactly full is fine.
    s.vms[2] = vm("big", "A", 512.0, 0.0);
    s.validate().unwrap();
}

#[test]
fn validation_of_thousands_of_vms_finds_the_overfilled_host() {
    // 16 hosts of 256 GiB, 2000 VMs of 2 GiB spread round-robin (125 per host, 250 GiB each).
    let hosts: Vec<Host> = (0..16)
        .map(|i| host(&format!("H{i}"), 256.0, &[("lm", 10.0)]))
        .collect();
    let vms: Vec<ClusterVm> = (0..2000)
        .map(|i| vm(&format!("vm{i}"), &format!("H{}", i % 16), 2048.0, 1.0))
        .collect();
    let mut s = common::move_all_to_b(hosts, vms, 2);
    s.operations = vec![Operation::Drain { host: "H3".into() }];
    s.validate().unwrap();
    // Eight more GiB on H7 (vm1991 is its last VM) no longer fit.
    s.vms[1991].memory_mib += 8192.0;
    let e = s.validate().unwrap_err();
    assert_eq!(e.field, "vms.host");
    assert!(
        e.message()
            .starts_with("H7 has 256 GiB for VMs; the VMs placed on it need 258 GiB"),
        "{e}"
    );
    assert!(e.message().contains("vms[1991], vm1991,"), "{e}");
}

#[test]
fn duplicate_names_are_rejected_with_the_field() {
    let base = pair(
        vec![vm("a", "A", 1024.0, 0.0), vm("b", "A", 1024.0, 0.0)],
        2,
    );
    base.validate().unwrap();

    let mut s = base.clone();
    s.networks.push(net("lm", NetworkRole::Management, false));
    let e = s.validate().unwrap_err();
    assert_eq!(e.field, "networks.name", "{e}");
    assert!(e.message().contains("two networks are called lm"), "{e}");

    let mut s = base.clone();
    s.hosts[1].name = "A".into();
    let e = s.validate().unwrap_err();
    assert_eq!(e.field, "hosts.name", "{e}");
    assert!(e.message().contains("two hosts are called A"), "{e}");

    let mut s = base.clone();
    s.vms[1].name = "a".into();
    let e = s.validate().unwrap_err();
    assert_eq!(e.field, "vms.name", "{e}");
    assert!(e.message().contains("two VMs are called a"), "{e}");
}

/// Three 64 GiB hosts on one dedicated network, two 4 GiB VMs on each, shared storage.
fn three_hosts(operations: Vec<Operation>) -> ClusterScenario {
    let names = ["H1", "H2", "H3"];
    let mut s = common::move_all_to_b(
        names
            .iter()
            .map(|h| host(h, 64.0, &[("lm", 10.0)]))
            .collect(),
        names
            .iter()
            .flat_map(|h| (0..2).map(move |i| vm(&format!("{h}-vm{i}"), h, 4096.0, 5.0)))
            .collect(),
        2,
    );
    s.operations = operations;
    s
}

#[test]
fn a_drained_host_takes_no_vms_from_later_drains() {
    let drain = |h: &str| Operation::Drain { host: h.into() };
    let t = simulate_cluster(&three_hosts(vec![drain("H1"), drain("H2"), drain("H3")])).unwrap();
    // H1's two VMs, then H2's three, then H3's six: eleven requests.
    assert_eq!(t.migrations.len(), 11);
    let (h1, rest) = t.migrations.split_at(2);
    let (h2, h3) = rest.split_at(3);
    for m in h1 {
        assert_eq!(m.from, "H1");
        assert!(m.refused.is_none() && m.to != "H1", "{m:?}");
    }
    // H2's VMs, including the one H1's drain put there, go to H3, never back to empty H1.
    for m in h2 {
        assert_eq!((m.from.as_str(), m.to.as_str()), ("H2", "H3"), "{m:?}");
        assert!(m.refused.is_none(), "{m:?}");
    }
    // Nothing is left for H3's VMs: both other hosts are in maintenance.
    for m in h3 {
        let why = m
            .refused
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        assert!(
            why.starts_with("no other host reachable from H3 has 4 GiB free for"),
            "{why}"
        );
        assert!(
            why.ends_with("(hosts drained earlier take none: H1, H2)"),
            "{why}"
        );
    }
    assert!(
        t.placement.iter().all(|(_, h)| h == "H3"),
        "{:?}",
        t.placement
    );
    assert!(t
        .migrations
        .iter()
        .filter(|m| m.refused.is_none())
        .all(|m| m.outcome.is_some_and(|o| o.completed())));
}

#[test]
fn a_move_to_a_drained_host_by_name_still_runs() {
    let t = simulate_cluster(&three_hosts(vec![
        Operation::Drain { host: "H1".into() },
        Operation::Move {
            vm: "H2-vm0".into(),
            to: "H1".into(),
        },
        Operation::Drain { host: "H2".into() },
    ]))
    .unwrap();
    let moved = &t.migrations[2];
    assert_eq!((moved.vm.as_str(), moved.to.as_str()), ("H2-vm0", "H1"));
    assert!(moved.refused.is_none(), "{moved:?}");
    // The drain of H2 that follows still avoids H1.
    for m in &t.migrations[3..] {
        assert_eq!((m.from.as_str(), m.to.as_str()), ("H2", "H3"), "{m:?}");
    }
    let on = |h: &str| t.placement.iter().filter(|(_, x)| x == h).count();
    assert_eq!((on("H1"), on("H2"), on("H3")), (1, 0, 5));
}

mod limits {
    use super::*;
    use migration_lab::engine::cluster::ClusterLimit;
    use migration_lab::engine::transport::Bottleneck;
    use migration_lab::model::state::preset;

    /// The admin's two nodes, draining NODE1 with `transport` (and RDMA on every NIC when
    /// asked), the cluster's SMB limit on or off.
    fn drain(transport: TransportKind, rdma: bool, smb_limit: bool) -> ClusterTrace {
        let mut c = preset(0);
        c.settings.transport = transport;
        c.settings.smb_limit_pct = smb_limit.then_some(25.0);
        for h in &mut c.hosts {
            for n in &mut h.nics {
                n.rdma = rdma;
            }
        }
        c.operations = vec![Operation::Drain {
            host: "NODE1".into(),
        }];
        simulate_cluster(&c).unwrap()
    }

    #[test]
    fn each_migration_says_what_held_it_and_for_how_long() {
        let t = drain(TransportKind::Smb, true, true);
        for m in &t.migrations {
            let transferring: f64 = m
                .stages
                .iter()
                .filter(|s| matches!(s.stage, Stage::Precopy | Stage::Blackout))
                .map(|s| s.end_s - s.start_s)
                .sum();
            let held: f64 = m.limits.iter().map(|(_, s)| s).sum();
            assert!(
                (held - transferring).abs() <= 1e-6 * transferring.max(1.0),
                "{}: {held} s held of {transferring} s sending",
                m.vm
            );
        }
        // Under the cluster's 25 % SMB limit, RDMA's migrations are held by that limit.
        let (limit, share) = t.main_limit().unwrap();
        assert_eq!(limit, ClusterLimit::SmbLimit);
        assert!(share > 0.9, "{share}");
        // Without it, SMB Direct runs into the NICs' line rate.
        let free = drain(TransportKind::Smb, true, false);
        let (limit, _) = free.main_limit().unwrap();
        assert!(
            matches!(
                limit,
                ClusterLimit::Nic | ClusterLimit::Own(Bottleneck::LineRate)
            ),
            "{limit:?}"
        );
        assert!(free.makespan_s < t.makespan_s / 2.0);
    }

    #[test]
    fn the_totals_count_the_cpu_each_host_spent() {
        let tcp = drain(TransportKind::Tcp, false, false);
        let rdma = drain(TransportKind::Smb, true, false);
        let compression = drain(TransportKind::Compression, false, false);
        let on = |t: &ClusterTrace, host: &str| {
            t.host_cpu_core_s
                .iter()
                .find(|(h, _)| h == host)
                .map(|(_, c)| *c)
                .unwrap()
        };
        for t in [&tcp, &rdma, &compression] {
            assert_eq!(t.host_cpu_core_s.len(), t.scenario.hosts.len());
        }
        assert!(on(&tcp, "NODE1") > 1.0 && on(&tcp, "NODE2") > 1.0);
        assert!(
            on(&rdma, "NODE1") < on(&tcp, "NODE1") / 10.0,
            "RDMA spares the CPU"
        );
        assert!(
            on(&compression, "NODE1") > on(&compression, "NODE2"),
            "compressing costs more than decompressing"
        );
        assert!(on(&compression, "NODE1") > on(&tcp, "NODE1"));
    }
}

/// The page runs a cluster a slice of events at a time: slices of any size give the trace of
/// one run through, and the progress it reports only grows, to every migration.
#[test]
fn a_run_in_slices_is_the_run_in_one_go() {
    use migration_lab::engine::cluster::ClusterRun;
    let s = four(8, 2, 4);
    let whole = serde_json::to_string(&simulate_cluster(&s).unwrap()).unwrap();
    for slice in [1, 3, 50] {
        let mut run = ClusterRun::new(s.clone()).unwrap();
        let first = run.progress();
        assert_eq!((first.ended, first.events), (0, 0));
        let mut last = first;
        let mut slices = 0;
        while !run.advance(slice) {
            let p = run.progress();
            assert!(p.ended >= last.ended && p.clock_s >= last.clock_s);
            assert_eq!(p.events, last.events + slice as u64);
            last = p;
            slices += 1;
        }
        assert!(slice > 1 || slices > 8, "the run took {slices} events");
        let p = run.progress();
        assert_eq!(p.ended, p.total);
        assert_eq!(p.total, 8);
        assert_eq!(serde_json::to_string(&run.finish()).unwrap(), whole);
    }
}

/// A drain of every host of `hosts`, `per_host` VMs each of varied size and dirty rate, with
/// no limit on migrations at once, by `transport` on one network.
fn everyone_moves(
    cores: u32,
    hosts: usize,
    per_host: usize,
    transport: TransportKind,
    dedicated: bool,
) -> ClusterScenario {
    let names: Vec<String> = (0..hosts).map(|h| format!("H{h}")).collect();
    ClusterScenario {
        version: 1,
        seed: 11,
        networks: vec![net("conv", NetworkRole::VmTraffic, dedicated)],
        hosts: names
            .iter()
            .map(|h| Host {
                cores,
                load: 0.4,
                ..host(h, 512.0, &[("conv", 10.0), ("conv", 10.0)])
            })
            .collect(),
        vms: (0..hosts * per_host)
            .map(|i| {
                let memory = 1024.0 + (i * 37 % 1025) as f64;
                let dirty = 10.0 + (i * 7 % 30) as f64;
                // Memory never touched since boot and a hot set: a pass's zero pages and
                // compressible share, and so the CPU it costs per byte, vary from pass to pass.
                ClusterVm {
                    working_set_mib: 256.0,
                    untouched_mib: 256.0,
                    pattern: Pattern::HotCold,
                    ..vm(&format!("vm{i}"), &names[i % hosts], memory, dirty)
                }
            })
            .collect(),
        shared_storage: true,
        settings: MigrationSettings {
            per_host_limit: u32::MAX,
            cluster_limit: u32::MAX,
            transport,
            ..MigrationSettings::default()
        },
        operations: names
            .iter()
            .map(|h| Operation::Drain { host: h.clone() })
            .collect(),
        timeout_s: 3600.0,
    }
}

/// Each event keeps the last max-min solution unless a demand changed where a rate depends on
/// it: the trace is the one solving anew at every event, to the byte, with the CPU, the NICs,
/// a NIC pair and the other traffic each holding migrations — while most events solve nothing
/// and the demands worked out are a small part of those a solve at every event would need.
#[test]
fn keeping_the_fair_shares_between_events_changes_nothing() {
    use migration_lab::engine::cluster::{ClusterLimit, ClusterRun};
    let mut single_nic = four(12, 3, 6);
    for h in &mut single_nic.hosts {
        h.nics.truncate(1);
    }
    // With many migrations in flight, and with a few at a time (where most events start or end
    // one, and so solve anew).
    let clusters = [
        (
            everyone_moves(2, 6, 20, TransportKind::Compression, true),
            true,
        ),
        (
            everyone_moves(4, 6, 20, TransportKind::Compression, true),
            true,
        ),
        (
            everyone_moves(6, 6, 20, TransportKind::Compression, true),
            true,
        ),
        (
            everyone_moves(8, 6, 20, TransportKind::Compression, false),
            true,
        ),
        (everyone_moves(16, 6, 20, TransportKind::Tcp, true), true),
        (
            everyone_moves(32, 16, 30, TransportKind::Compression, false),
            true,
        ),
        (everyone_moves(16, 4, 10, TransportKind::Smb, false), true),
        (single_nic, false),
        (four(8, 4, 8), false),
    ];
    let mut held = Vec::new();
    let (mut solves, mut events, mut demands) = (0, 0, [0, 0]);
    for (s, many) in clusters {
        let kept = ClusterRun::new(s.clone()).unwrap();
        let every = ClusterRun::new(s).unwrap().solving_every_event();
        let [(kept, k), (every, e)] = [kept, every].map(|mut run| {
            while !run.advance(usize::MAX) {}
            let p = run.progress();
            (run.finish(), p)
        });
        assert_eq!(
            serde_json::to_string(&kept).unwrap(),
            serde_json::to_string(&every).unwrap()
        );
        assert_eq!(k.events, e.events);
        held.extend(
            kept.migrations
                .iter()
                .flat_map(|m| m.limits.iter().map(|(l, _)| *l)),
        );
        if !many {
            continue;
        }
        assert!(
            k.solves < k.events && k.demands < e.demands,
            "{} solves in {} events, {} demands against {}",
            k.solves,
            k.events,
            k.demands,
            e.demands
        );
        solves += k.solves;
        events += k.events;
        demands[0] += k.demands;
        demands[1] += e.demands;
    }
    // Measured: 3,589 solves in 13,150 events; 96,189 demands against 535,441.
    eprintln!(
        "{solves} solves in {events} events; {} demands against {}",
        demands[0], demands[1]
    );
    assert!(solves * 2 < events && demands[0] * 2 < demands[1]);
    for limit in [ClusterLimit::Cpu, ClusterLimit::Nic, ClusterLimit::NicPair] {
        assert!(held.contains(&limit), "nothing was held by {limit:?}");
    }
}
