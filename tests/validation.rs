//! Published measurements against the engine, in two tables.
//!
//! *Calibration* points set a constant or an input the source does not state (named next to
//! each); reproducing them only shows the constant was set right. *Predictions* were never used
//! to set anything. Each point's tolerance was decided from the source's precision before the
//! engine was run against it, and a prediction that misses is recorded as a miss: the test fails
//! when a verdict changes in either direction, so docs/validation.md's tables (printed by
//! `VALIDATION_TABLE=1 cargo test --test validation -- --nocapture`) stay true.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use migration_lab::engine::cluster::{simulate_cluster, ClusterVm, Host, Nic};
use migration_lab::engine::transport::{
    window_ceiling, Bottleneck, QEMU_ZLIB_MIBPS_PER_THREAD, TCP_GHZ_PER_GBPS,
};
use migration_lab::engine::units::MIB;
use migration_lab::engine::{
    simulate, Outcome, Overheads, Pattern, Scenario, StopPolicy, Trace, TransportKind,
};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Calibration,
    Prediction,
}

struct Point {
    id: &'static str,
    what: &'static str,
    engine: f64,
    published: f64,
    /// Relative tolerance, from the source's precision.
    tol: f64,
    kind: Kind,
    /// The verdict recorded in docs/validation.md (calibration points must always hold).
    hit: bool,
    /// What the number was set from (calibration) or what a miss means (prediction).
    note: &'static str,
}

impl Point {
    fn error(&self) -> f64 {
        (self.engine - self.published) / self.published
    }
    fn holds(&self) -> bool {
        self.error().abs() <= self.tol
    }
}

/// QEMU's 2015 measurements (`docs/multi-thread-compression.txt`): a 4,211,524 kB RHEL 6.5
/// guest over 1 GbE, downtime limit 300 ms.
fn qemu_1gbe() -> Scenario {
    let mut s = Scenario::qemu_defaults();
    s.vm.memory_mib = 4_211_524.0 / 1024.0;
    s.network.link_gbps = 1.0;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Tcp;
    // The runs moved ≈ 115 MB/s, far above QEMU 2.x's 32 MiB/s default limit: the limit was
    // raised, as libvirt does. (Today's 128 MiB/s default would not bind on 1 GbE either.)
    // QEMU 2.x cleared the whole dirty log at each bitmap sync (lazy clearing came in 4.0).
    s.policy = StopPolicy::Qemu {
        downtime_limit_ms: 300.0,
        auto_converge: false,
        max_bandwidth_mibps: None,
        lazy_dirty_clear: false,
        multifd: None,
        xbzrle_cache_mib: None,
        postcopy_after_passes: None,
        postcopy_when_stalled: false,
        postcopy_preempt: false,
    };
    s
}

/// The idle guest: 346 MiB written (from the source's own byte count: calibration), the rest
/// never touched; an idle kernel's timers and page cache dirty about 1 MiB/s.
fn idle_guest() -> Scenario {
    let mut s = qemu_1gbe();
    s.vm.untouched_mib = s.vm.memory_mib - 346.0;
    s.vm.working_set_mib = 64.0;
    s.vm.dirty_rate_mibps = 1.0;
    s
}

/// The random writer: its 32 MiB working set is set from the ≈ 62 MB the source sent beyond one
/// copy of RAM (calibration).
fn random_writer() -> Scenario {
    let mut s = qemu_1gbe();
    s.vm.untouched_mib = 0.0;
    s.vm.working_set_mib = 32.0;
    s.vm.dirty_rate_mibps = 100.0;
    s.vm.pattern = Pattern::Random;
    s
}

/// QEMU's legacy compression (removed in 9.1; the engine keeps it for this measurement): 8
/// zlib-1 threads at 31.5 MiB/s each (`QEMU_ZLIB_MIBPS_PER_THREAD`) and 90 % text-like pages,
/// both set from the V3 row itself (calibration).
fn with_compression(mut s: Scenario) -> Scenario {
    s.transport.kind = TransportKind::Compression;
    s.transport.compress_threads = 8;
    s.transport.compress_mibps_per_thread = QEMU_ZLIB_MIBPS_PER_THREAD;
    s.vm.compressible_fraction = 0.9;
    s
}

fn run(s: &Scenario) -> Trace {
    let t = simulate(s).unwrap();
    assert!(t.outcome.completed(), "{:?}", t.outcome);
    t
}

/// Aidan Finn's WS2012 test: idle 512 MB VMs over TCP/IP on a dedicated link.
fn hyperv_512mb(link: f64) -> Trace {
    let mut s = Scenario::default();
    s.vm.memory_mib = 512.0;
    s.vm.untouched_mib = 0.0; // the TCP/IP option sends every page in full
    s.vm.working_set_mib = 64.0;
    s.vm.dirty_rate_mibps = 1.0;
    s.network.link_gbps = link;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Tcp;
    run(&s)
}

/// `n` of those VMs moved from one host to another at once (20 simultaneous allowed).
fn hyperv_many(link: f64, n: usize) -> f64 {
    let host = |name: &str| Host {
        name: name.into(),
        cores: 16,
        load: 0.5,
        memory_gib: 64.0,
        nics: vec![Nic {
            network: "lm".into(),
            gbps: link,
            rdma: false,
            buffers: None,
        }],
    };
    let vms: Vec<ClusterVm> = (0..n)
        .map(|i| ClusterVm {
            name: format!("vm{i}"),
            host: "A".into(),
            memory_mib: 512.0,
            working_set_mib: 64.0,
            untouched_mib: 0.0,
            dirty_rate_mibps: 1.0,
            pattern: Pattern::Random,
            disk_gib: 40.0,
        })
        .collect();
    let sc = common::move_all_to_b(vec![host("A"), host("B")], vms, 20);
    simulate_cluster(&sc).unwrap().makespan_s
}

fn points() -> Vec<Point> {
    use Kind::*;
    let mut p = Vec::new();

    // --- QEMU, docs/multi-thread-compression.txt: one run per row, times in ms. Times and bytes
    // are held to ±10 % (run-to-run spread of a single migration), downtimes of tens to hundreds
    // of ms to ±25 %.
    let v1 = run(&idle_guest());
    p.push(Point {
        id: "V1",
        what: "QEMU idle 4 GiB, 1 GbE: bytes (kB)",
        engine: v1.wire_bytes / 1024.0,
        published: 363_536.0,
        tol: 0.03,
        kind: Calibration,
        hit: true,
        note: "sets how much of the idle guest was ever written (346 MiB)",
    });
    p.push(Point {
        id: "V1",
        what: "QEMU idle 4 GiB, 1 GbE: total (s)",
        engine: v1.total_time_s,
        published: 3.333,
        tol: 0.10,
        kind: Prediction,
        hit: true,
        note: "data pages at TCP's 94.9 % of line rate",
    });
    p.push(Point {
        id: "V1",
        what: "QEMU idle 4 GiB, 1 GbE: downtime (s)",
        engine: v1.downtime_s,
        published: 0.100,
        tol: 0.25,
        kind: Prediction,
        hit: false,
        note: "",
    });
    let v1c = run(&with_compression(idle_guest()));
    p.push(Point {
        id: "V1c",
        what: "QEMU idle + 8 zlib threads: total (s)",
        engine: v1c.total_time_s,
        published: 1.833,
        tol: 0.10,
        kind: Prediction,
        hit: false,
        note: "",
    });
    p.push(Point {
        id: "V1c",
        what: "QEMU idle + 8 zlib threads: bytes (kB)",
        engine: v1c.wire_bytes / 1024.0,
        published: 107_819.0,
        tol: 0.10,
        kind: Prediction,
        hit: false,
        note: "",
    });
    p.push(Point {
        id: "V1c",
        what: "QEMU idle + 8 zlib threads: downtime (s)",
        engine: v1c.downtime_s,
        published: 0.027,
        tol: 0.25,
        kind: Prediction,
        hit: false,
        note: "",
    });
    let v2 = run(&random_writer());
    p.push(Point {
        id: "V2",
        what: "QEMU random writer, 1 GbE: bytes (kB)",
        engine: v2.wire_bytes / 1024.0,
        published: 4_274_143.0,
        tol: 0.03,
        kind: Calibration,
        hit: true,
        note: "sets the writer's working set (32 MiB)",
    });
    p.push(Point {
        id: "V2",
        what: "QEMU random writer, 1 GbE: total (s)",
        engine: v2.total_time_s,
        published: 37.369,
        tol: 0.10,
        kind: Prediction,
        hit: true,
        note: "",
    });
    p.push(Point {
        id: "V2",
        what: "QEMU random writer, 1 GbE: downtime (s)",
        engine: v2.downtime_s,
        published: 0.337,
        tol: 0.25,
        kind: Prediction,
        hit: true,
        note: "",
    });
    let v3 = run(&with_compression(random_writer()));
    assert_eq!(v3.bottleneck(), Bottleneck::CompressionCpu);
    p.push(Point {
        id: "V3",
        what: "QEMU writer + 8 zlib threads: bytes (kB)",
        engine: v3.wire_bytes / 1024.0,
        published: 1_699_824.0,
        tol: 0.05,
        kind: Calibration,
        hit: true,
        note: "sets the share of text-like pages (90 %)",
    });
    p.push(Point {
        id: "V3",
        what: "QEMU writer + 8 zlib threads: total (s)",
        engine: v3.total_time_s,
        published: 15.989,
        tol: 0.05,
        kind: Calibration,
        hit: true,
        note: "sets page-at-a-time zlib-1 speed (31.5 MiB/s per thread)",
    });
    p.push(Point {
        id: "V3",
        what: "QEMU writer + 8 zlib threads: downtime (s)",
        engine: v3.downtime_s,
        published: 0.173,
        tol: 0.25,
        kind: Prediction,
        hit: true,
        note: "",
    });

    // --- QEMU RDMA, docs/rdma.txt: "26 Gbit/s" on 40 Gbit/s QDR InfiniBand (32 Gbit/s of data
    // after 8b/10b coding); a rounded figure: ±10 %.
    let mut s = Scenario::default();
    s.network.link_gbps = 32.0;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Smb;
    s.network.rdma = true;
    s.vm.untouched_mib = 0.0;
    let v4 = run(&s);
    p.push(Point {
        id: "V4",
        what: "RDMA on QDR InfiniBand (Gbit/s)",
        engine: v4.passes[0].wire_rate * 8.0 / 1e9,
        published: 26.0,
        tol: 0.10,
        kind: Prediction,
        hit: false,
        note: "",
    });

    // --- Aidan Finn, WS2012 (aidanfinn.com/?p=12228): byte counters read to the byte; times in
    // whole seconds from a stopwatch: ±1 s or ±5 %, whichever is larger.
    let one = hyperv_512mb(1.0);
    p.push(Point {
        id: "V5",
        what: "Hyper-V 512 MB, 1 GbE: peak (MB/s)",
        engine: one.passes[0].wire_rate / 1e6,
        published: 119.5,
        tol: 0.02,
        kind: Prediction,
        hit: true,
        note: "Ethernet and TCP framing only",
    });
    p.push(Point {
        id: "V5",
        what: "Hyper-V 512 MB, 1 GbE: total (s)",
        engine: one.total_time_s,
        published: 7.0,
        tol: 1.0 / 7.0,
        kind: Calibration,
        hit: true,
        note: "sets Hyper-V's fixed costs (2.5 s setup, 0.1 s switchover, 0.2 s clean-up)",
    });
    let ten = hyperv_512mb(10.0);
    p.push(Point {
        id: "V5",
        what: "Hyper-V 512 MB, 10 GbE: peak (MB/s)",
        engine: ten.passes[0].wire_rate / 1e6,
        published: 338.5,
        tol: 0.10,
        kind: Prediction,
        hit: false,
        note: "",
    });
    p.push(Point {
        id: "V5",
        what: "Hyper-V 512 MB, 10 GbE: total (s)",
        engine: ten.total_time_s,
        published: 5.0,
        tol: 0.2,
        kind: Prediction,
        hit: false,
        note: "",
    });
    for (link, n, published) in [
        (1.0, 10, 40.0),
        (1.0, 20, 80.0),
        (10.0, 10, 13.0),
        (10.0, 20, 21.0),
    ] {
        let what: &'static str = Box::leak(
            format!("Hyper-V {n} × 512 MB at once, {link} GbE: total (s)").into_boxed_str(),
        );
        p.push(Point {
            id: "V6",
            what,
            engine: hyperv_many(link, n),
            published,
            tol: (1.0 / published).max(0.05),
            kind: Prediction,
            hit: false,
            note: "",
        });
    }

    // --- D. Hayes (workinghardinit, 2015): ≈ 17 Gbit/s of live-migration TCP at ≈ 22 % of a
    // dual 8-core host. Sets TCP's CPU cost per bit.
    let cores = 17.0 * TCP_GHZ_PER_GBPS / Scenario::default().transport.core_ghz;
    p.push(Point {
        id: "V9",
        what: "TCP at 17 Gbit/s: share of 16 cores",
        engine: cores / 16.0,
        published: 0.22,
        tol: 0.05,
        kind: Calibration,
        hit: true,
        note: "sets TCP's CPU cost, 0.52 GHz per Gbit/s",
    });

    // --- Microsoft's NIC tuning guide: a 64 KB window over 10 ms carries "only 51 Mbps".
    p.push(Point {
        id: "V10",
        what: "64 KB window, 10 ms RTT (Mbit/s)",
        engine: window_ceiling(65535.0, 0.010) * 8.0 / 1e6,
        published: 51.0,
        tol: 0.03,
        kind: Prediction,
        hit: true,
        note: "window / RTT",
    });

    // --- OPNFV (kvmfornfv user guide): QEMU 2.4 on 10 GbE, 10 ms downtime target, idle guest
    // ("8 GiB" in the text, `-m 1G` on the command line: 1 GiB taken). ms timers, one run.
    let mut s = Scenario::qemu_defaults();
    s.vm.memory_mib = 1024.0;
    s.vm.untouched_mib = 900.0;
    s.vm.working_set_mib = 16.0;
    s.vm.dirty_rate_mibps = 1.0;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Tcp;
    s.policy = StopPolicy::Qemu {
        downtime_limit_ms: 10.0,
        auto_converge: false,
        max_bandwidth_mibps: None,
        // OPNFV's QEMU 2.x cleared the whole dirty log at each sync.
        lazy_dirty_clear: false,
        multifd: None,
        xbzrle_cache_mib: None,
        postcopy_after_passes: None,
        postcopy_when_stalled: false,
        postcopy_preempt: false,
    };
    let v11 = run(&s);
    p.push(Point {
        id: "V11",
        what: "QEMU idle, 10 GbE, 10 ms target: downtime (s)",
        engine: v11.downtime_s,
        published: 0.029,
        tol: 0.30,
        kind: Calibration,
        hit: true,
        note: "sets QEMU's stop-time work (20 ms switchover, 4 MiB device state)",
    });
    p.push(Point {
        id: "V11",
        what: "QEMU idle, 10 GbE, 10 ms target: total (s)",
        engine: v11.total_time_s,
        published: 2.070,
        tol: 0.10,
        kind: Prediction,
        hit: false,
        note: "",
    });
    p
}

/// Four significant digits, without a trail of zeros.
fn sig(v: f64) -> String {
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

#[test]
fn published_points_keep_their_recorded_verdicts() {
    let points = points();
    let table = std::env::var_os("VALIDATION_TABLE").is_some();
    for kind in [Kind::Calibration, Kind::Prediction] {
        if table {
            println!(
                "\n| | {} | engine | published | error | tolerance | verdict |{}\n|---|---|---|---|---|---|---|{}",
                if kind == Kind::Calibration { "calibration point" } else { "prediction" },
                if kind == Kind::Calibration { " sets |" } else { "" },
                if kind == Kind::Calibration { "---|" } else { "" }
            );
        }
        for pt in points.iter().filter(|p| p.kind == kind) {
            if table {
                println!(
                    "| {} | {} | {} | {} | {:+.1} % | ±{:.0} % | {} |{}",
                    pt.id,
                    pt.what,
                    sig(pt.engine),
                    sig(pt.published),
                    pt.error() * 100.0,
                    pt.tol * 100.0,
                    if pt.holds() { "hit" } else { "**miss**" },
                    if pt.kind == Kind::Calibration {
                        format!(" {} |", pt.note)
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    let mut changed = Vec::new();
    for pt in &points {
        if pt.holds() != pt.hit {
            changed.push(format!(
                "{} {}: engine {:.4}, published {:.4} ({:+.1} %, tolerance ±{:.0} %) is now a {}{}",
                pt.id,
                pt.what,
                pt.engine,
                pt.published,
                pt.error() * 100.0,
                pt.tol * 100.0,
                if pt.holds() { "hit" } else { "miss" },
                if pt.kind == Kind::Calibration {
                    " of a calibration point: the constant it sets is off"
                } else {
                    "; update docs/validation.md's table and the recorded verdict"
                }
            ));
        }
        assert!(pt.engine.is_finite(), "{}", pt.what);
    }
    assert!(changed.is_empty(), "{}", changed.join("\n"));
}

/// The Hyper-V pass-cap example on 1 GbE with Hyper-V's own overheads stays a long blackout.
#[test]
fn hyperv_cap_means_a_long_blackout_with_real_overheads() {
    let mut s = Scenario::default();
    s.vm.memory_mib = 4096.0;
    s.vm.working_set_mib = 4096.0;
    s.vm.untouched_mib = 0.0;
    s.vm.dirty_rate_mibps = 100.0;
    s.vm.pattern = Pattern::Sequential;
    s.network.link_gbps = 1.0;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Tcp;
    s.policy = StopPolicy::hyperv();
    s.overheads = Overheads::hyperv();
    let t = simulate(&s).unwrap();
    assert_eq!(t.outcome, Outcome::PassCap);
    assert!(t.downtime_s > 10.0, "{}", t.downtime_s);
    assert!(t.scenario.vm.memory_mib * MIB > 0.0);
}
