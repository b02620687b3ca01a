//! Published measurements (domain brief §G) reproduced by the engine, each with the tolerance it
//! is held to and why. Inputs a source does not state (how much memory an idle guest touched,
//! the random writer's working set) are set once from the source's own byte counts and named as
//! such; times and downtimes are then predictions.
#![cfg(not(target_arch = "wasm32"))]

use migration_lab::engine::units::MIB;
use migration_lab::engine::{
    simulate, Outcome, Overheads, Pattern, Scenario, StopPolicy, Trace, TransportKind,
};

fn within(what: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want) / want;
    if std::env::var_os("VALIDATION_TABLE").is_some() {
        println!(
            "{what:<24} engine {got:>12.4}  published {want:>12.4}  {:+6.1} %",
            err * 100.0
        );
    }
    assert!(
        err.abs() <= tol,
        "{what}: engine {got:.4}, published {want:.4}: {:+.1} % (tolerance ±{:.0} %)",
        err * 100.0,
        tol * 100.0
    );
}

/// QEMU's 2015 measurements (`docs/multi-thread-compression.txt`): a 4,211,524 kB RHEL 6.5
/// guest over 1 GbE, downtime limit 300 ms.
fn qemu_1gbe() -> Scenario {
    let mut s = Scenario::qemu_defaults();
    s.vm.memory_mib = 4_211_524.0 / 1024.0;
    s.network.link_gbps = 1.0;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Tcp;
    s
}

/// V1, idle guest: 3333 ms, 100 ms downtime, 363,536 kB transferred.
fn v1() -> Trace {
    let mut s = qemu_1gbe();
    // From the source's byte count: 346 MiB written, the rest never touched (zero pages).
    s.vm.untouched_mib = s.vm.memory_mib - 346.0;
    s.vm.working_set_mib = 64.0;
    s.vm.dirty_rate_mibps = 1.0; // an idle kernel's timers and page cache
    simulate(&s).unwrap()
}

#[test]
fn v1_qemu_idle_guest_on_gigabit() {
    let t = v1();
    assert_eq!(t.outcome, Outcome::Converged);
    // Time is dominated by the data pages at TCP's 94.9 % of line rate: ±3 % covers the
    // measurement's single run.
    within("total time (s)", t.total_time_s, 3.333, 0.03);
    within("bytes (kB)", t.wire_bytes / 1024.0, 363_536.0, 0.03);
    // Downtime here is device state and stop-time work, which the source does not break
    // down; our 4 MiB + 20 ms is 18 % short of the measured 100 ms: ±25 %.
    within("downtime (s)", t.downtime_s, 0.100, 0.25);
}

/// V2, random writer: 37,369 ms, 337 ms downtime, 4,274,143 kB.
fn random_writer() -> Scenario {
    let mut s = qemu_1gbe();
    s.vm.untouched_mib = 0.0;
    // The writer's working set is not published; 32 MiB of random writes reproduces the
    // ≈ 62 MB the source sent beyond one copy of RAM.
    s.vm.working_set_mib = 32.0;
    s.vm.dirty_rate_mibps = 100.0;
    s.vm.pattern = Pattern::Random;
    s
}

#[test]
fn v2_qemu_random_writer_on_gigabit() {
    let t = simulate(&random_writer()).unwrap();
    assert_eq!(t.outcome, Outcome::Converged);
    within("total time (s)", t.total_time_s, 37.369, 0.03);
    within("bytes (kB)", t.wire_bytes / 1024.0, 4_274_143.0, 0.03);
    // Downtime near the 300 ms limit: the last remainder depends on the unknown working set,
    // so ±15 %.
    within("downtime (s)", t.downtime_s, 0.337, 0.15);
}

/// V3: V2 with 8 zlib-1 compression threads: 15,989 ms, 173 ms, 1,699,824 kB.
#[test]
fn v3_qemu_compression_is_cpu_bound() {
    let mut s = random_writer();
    s.transport.kind = TransportKind::Compression;
    s.transport.compress_threads = 8;
    // Page-at-a-time zlib-1 runs at 25–35 MB/s per thread (brief §B.6); 30 MiB/s.
    s.transport.compress_mibps_per_thread = 30.0;
    // The source's 2.5× ratio: 90 % of pages compress like text (3×), 10 % not at all.
    s.vm.compressible_fraction = 0.9;
    let t = simulate(&s).unwrap();
    assert_eq!(
        t.bottleneck(),
        migration_lab::engine::transport::Bottleneck::CompressionCpu
    );
    within("total time (s)", t.total_time_s, 15.989, 0.05);
    within("bytes (kB)", t.wire_bytes / 1024.0, 1_699_824.0, 0.05);
    // Known deviation: QEMU re-checks the threshold every 100 ms inside a pass, so it pauses
    // with a remainder close to the threshold; the engine decides at pass ends (like the closed
    // form and SimGrid) and pauses with less. Held to ±50 % and to erring short.
    within("downtime (s)", t.downtime_s, 0.173, 0.50);
    assert!(t.downtime_s < 0.173);
    // The source's headline: compression cuts total time by about 57 % here.
    let plain = simulate(&random_writer()).unwrap();
    assert!(t.total_time_s < 0.5 * plain.total_time_s);
}

/// V4: QEMU RDMA over 40 Gbit/s QDR InfiniBand reached 26 Gbit/s (`docs/rdma.txt`).
#[test]
fn v4_rdma_on_qdr_infiniband() {
    let mut s = Scenario::default();
    // QDR signals at 40 Gbit/s with 8b/10b coding: 32 Gbit/s of data.
    s.network.link_gbps = 32.0;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Smb;
    s.transport.rdma = true;
    s.vm.memory_mib = 8192.0;
    s.vm.untouched_mib = 0.0;
    let t = simulate(&s).unwrap();
    let gbps = t.passes[0].wire_rate * 8.0 / 1e9;
    // We model SMB Direct at 95 % of line rate (RDMA benchmarks: 93–97 %); QEMU's RDMA
    // transport reached 81 %, losing time to per-chunk memory registration we do not model:
    // ±20 %.
    within("throughput (Gbit/s)", gbps, 26.0, 0.20);
}

/// V5: Hyper-V (WS2012) moving an idle 512 MB VM over TCP/IP: 7 s on 1 GbE, 5 s on 10 GbE,
/// peak 119.5 MB/s on 1 GbE (Aidan Finn).
fn hyperv_512mb(link: f64) -> Trace {
    let mut s = Scenario::default();
    s.vm.memory_mib = 512e6 / MIB;
    s.vm.untouched_mib = 0.0; // Hyper-V's TCP/IP option sends every page in full
    s.vm.working_set_mib = 64.0;
    s.vm.dirty_rate_mibps = 1.0;
    s.network.link_gbps = link;
    s.network.dedicated = true;
    s.network.buffers = 4096;
    s.transport.kind = TransportKind::Tcp;
    simulate(&s).unwrap()
}

#[test]
fn v5_hyperv_small_vm_on_gigabit_and_ten_gigabit() {
    let one = hyperv_512mb(1.0);
    within(
        "1 GbE peak (MB/s)",
        one.passes[0].wire_rate / 1e6,
        119.5,
        0.02,
    );
    // Whole seconds as published (a stopwatch reading): ±10 %.
    within("1 GbE total (s)", one.total_time_s, 7.0, 0.10);
    let ten = hyperv_512mb(10.0);
    // One TCP flow on one core: 338 MB/s was measured; 2.5 GHz at 1 GHz per Gbit/s gives 312.
    within(
        "10 GbE rate (MB/s)",
        ten.passes[0].wire_rate / 1e6,
        338.5,
        0.10,
    );
    within("10 GbE total (s)", ten.total_time_s, 5.0, 0.10);
}

/// V7 and the §C.1 examples are checked exactly in tests/engine.rs. Here: the Hyper-V pass cap
/// example on 1 GbE with Hyper-V's own overheads stays a long blackout.
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
}

/// V11: OPNFV, QEMU 2.4 on 10 GbE, idle guest, 10 ms downtime target: 29 ms measured. Our
/// 20 ms QEMU switchover comes from this very measurement, so this checks consistency only.
#[test]
fn v11_qemu_downtime_floor_on_ten_gigabit() {
    let mut s = Scenario::qemu_defaults();
    s.vm.memory_mib = 1024.0;
    s.vm.untouched_mib = 900.0;
    s.vm.working_set_mib = 16.0;
    s.vm.dirty_rate_mibps = 1.0;
    s.network.dedicated = true;
    s.network.buffers = 4096;
    s.transport.kind = TransportKind::Tcp;
    s.policy = StopPolicy::Qemu {
        downtime_limit_ms: 10.0,
        auto_converge: false,
    };
    let t = simulate(&s).unwrap();
    within("downtime (s)", t.downtime_s, 0.029, 0.30);
}
