//! Engine behaviour: closed-form agreement, stop policies, verdicts on hopeless input, and the
//! time-indexed memory view.
#![cfg(not(target_arch = "wasm32"))]

use migration_lab::engine::transport::RDMA_EFFICIENCY;
use migration_lab::engine::units::MIB;
use migration_lab::engine::{
    simulate, BlockState, Multifd, MultifdCompression, Outcome, Overheads, Pattern, PhaseKind,
    Scenario, StopPolicy, Trace, TransportKind,
};
use migration_lab::text::{verdict, Severity};

/// A scenario in the geometric regime of the canonical model (Liu et al.'s geometric pre-copy
/// series, as tabulated in SpringerPlus 2016,
/// doi:10.1186/s40064-016-2642-2, table 1): SMB Direct
/// on a quiet dedicated link whose 95 % goodput is exactly `rate` MiB/s (no loss, window or CPU
/// ceilings, and no cap that QEMU would lift for the final copy), a sweeping writer whose working
/// set is all of memory, and no fixed overheads.
fn closed_form(memory: f64, rate: f64, dirty: f64, policy: StopPolicy) -> Scenario {
    let mut s = Scenario::default();
    s.vm.memory_mib = memory;
    s.vm.working_set_mib = memory;
    s.vm.untouched_mib = 0.0;
    s.vm.dirty_rate_mibps = dirty;
    s.vm.pattern = Pattern::Sequential;
    s.network.link_gbps = rate * MIB / RDMA_EFFICIENCY / 125e6;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Smb;
    s.network.rdma = true;
    s.policy = policy;
    if let StopPolicy::Qemu {
        max_bandwidth_mibps,
        ..
    } = &mut s.policy
    {
        *max_bandwidth_mibps = None;
    }
    s.overheads = Overheads::zero();
    s.timeout_s = 1e6;
    s
}

/// The closed form: V_i = M·λ^i, stop at the first n with V_n ≤ threshold (or at the cap). The
/// bulk pass always runs: a policy can only judge what is left once it has measured bandwidth.
fn expected(
    memory: f64,
    rate: f64,
    dirty: f64,
    threshold: f64,
    cap: u32,
) -> (usize, f64, f64, f64) {
    let lambda = dirty / rate;
    let mut n = 0;
    while (n == 0 || memory * lambda.powi(n as i32) > threshold) && n < cap {
        n += 1;
    }
    let bytes = memory * (1.0 - lambda.powi(n as i32 + 1)) / (1.0 - lambda);
    (
        n as usize,
        bytes,
        bytes / rate,
        memory * lambda.powi(n as i32) / rate,
    )
}

/// QEMU's iteration for the same sweeping writer (`migration_iteration_run`): a pass runs until
/// less than the threshold is left unsent (and at least one 50 ms burst), then the bitmap
/// sync adds what the guest wrote since the last one — for pages already sent, only writes
/// after their send when the dirty log is cleared lazily. Switch over once that total is below
/// the threshold; the blackout sends it.
fn expected_qemu(
    memory: f64,
    rate: f64,
    dirty: f64,
    threshold: f64,
    lazy: bool,
) -> (usize, f64, f64, f64) {
    let page = 4096.0 / MIB;
    let (mut pending, mut passes, mut bytes, mut time) = (memory, 0, 0.0, 0.0);
    loop {
        passes += 1;
        let send = (pending - (threshold - page)).max(rate * 0.05).min(pending);
        let left = pending - send;
        let dt = send / rate;
        let coverage = dirty * dt / memory;
        // Pages of this pass sent, written again after (lazy) or at all (whole-log clearing);
        // pages outside the pass written at all.
        let again = if lazy { coverage / 2.0 } else { coverage };
        let fresh = send * again + (memory - pending) * coverage;
        bytes += send;
        time += dt;
        pending = left + fresh;
        if pending == 0.0 || pending < threshold {
            bytes += pending;
            time += pending / rate;
            return (passes, bytes, time, pending / rate);
        }
    }
}

/// The canonical model's stop rule: decide at the end of each pass, stop once what the pass
/// left dirty fits in `remainder_ms` at the link's rate (Hyper-V's rule, cap lifted).
fn pass_end(remainder_ms: f64) -> StopPolicy {
    StopPolicy::HyperV {
        max_passes: 1000,
        remainder_ms,
    }
}

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    let err = if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    };
    assert!(
        err <= tol,
        "{what}: got {got}, want {want} (error {:.3} %)",
        err * 100.0
    );
}

fn check_closed_form(memory: f64, rate: f64, dirty: f64, policy: StopPolicy) -> Trace {
    let (n, bytes, time, down) = match policy {
        StopPolicy::Qemu {
            downtime_limit_ms,
            lazy_dirty_clear,
            ..
        } => expected_qemu(
            memory,
            rate,
            dirty,
            rate * downtime_limit_ms / 1000.0,
            lazy_dirty_clear,
        ),
        StopPolicy::HyperV {
            max_passes,
            remainder_ms,
        } => expected(
            memory,
            rate,
            dirty,
            rate * remainder_ms / 1000.0,
            max_passes,
        ),
        StopPolicy::Xen { .. } => unreachable!("the closed form has no Xen variant"),
    };
    let t = simulate(&closed_form(memory, rate, dirty, policy)).unwrap();
    assert_eq!(t.precopy_passes(), n, "pre-copy passes");
    assert_close("bytes", t.wire_bytes / MIB, bytes, 0.005);
    assert_close("total time", t.total_time_s, time, 0.005);
    assert_close("downtime", t.downtime_s, down, 0.005);
    t
}

#[test]
fn pass_end_decisions_match_the_worked_example() {
    // 4096 MB, R 117.5 MB/s, D 20 MB/s, 300 ms → 3 passes, 4932 MB, 41.97 s, 172 ms (geometric series, V7).
    let t = check_closed_form(4096.0, 117.5, 20.0, pass_end(300.0));
    assert_eq!(t.precopy_passes(), 3);
    assert_close("bytes", t.wire_bytes / MIB, 4932.0, 0.005);
    assert_close("time", t.total_time_s, 41.97, 0.005);
    assert_close("downtime", t.downtime_s, 0.172, 0.005);
    assert_eq!(t.outcome, Outcome::Converged);
}

#[test]
fn pass_end_decisions_near_the_convergence_limit() {
    // D = 100 MB/s: λ = 0.851, 30 rounds, 27.3 GB, 232 s, 276 ms (geometric series).
    let t = check_closed_form(4096.0, 117.5, 100.0, pass_end(300.0));
    assert_eq!(t.precopy_passes(), 30);
    assert_close("time", t.total_time_s, 232.0, 0.005);
    assert_close("downtime", t.downtime_s, 0.276, 0.01);
}

#[test]
fn qemu_switches_over_mid_pass_within_its_downtime_limit() {
    // The worked example under QEMU's own loop: it syncs as soon as less than 300 ms of data
    // is left unsent, so the pass that ends pre-copy is cut short and the blackout stays below
    // the limit. Clearing the whole log at each sync, the run takes within a few per cent of
    // the pass-end model; clearing it lazily, less (pages written before their turn go once).
    let mut times = Vec::new();
    for lazy in [false, true] {
        let policy = StopPolicy::qemu_libvirt().with_qemu_options(false, lazy);
        let t = check_closed_form(4096.0, 117.5, 20.0, policy);
        assert_eq!(t.outcome, Outcome::Converged);
        let last = t.passes.last().unwrap();
        assert!(last.wire_bytes < last.planned_wire_bytes, "cut short");
        assert!(t.downtime_s < 0.3, "{}", t.downtime_s);
        times.push(t.total_time_s);
    }
    assert!((times[0] / 41.97 - 1.0).abs() < 0.05, "{times:?}");
    assert!(times[1] < times[0], "{times:?}");
}

#[test]
fn lazy_clearing_sends_a_page_written_before_its_turn_once() {
    // Pass 1 of a random writer: with the whole log cleared at the sync that starts the pass,
    // every page written during the pass is dirty at its end; cleared lazily, only those
    // written after they were sent. Same guest, same link: lazy clearing leaves less dirty.
    let run = |lazy: bool| {
        let mut s = Scenario::qemu_defaults();
        s.network.dedicated = true;
        s.vm.pattern = Pattern::Random;
        s.policy = StopPolicy::qemu_libvirt().with_qemu_options(false, lazy);
        simulate(&s).unwrap().passes[0].dirty_bytes_at_end
    };
    let (whole, lazy) = (run(false), run(true));
    assert!(lazy < whole * 0.75, "{lazy} vs {whole}");
}

#[test]
fn hyperv_pass_cap_blows_up_the_blackout() {
    // Same VM with the 5-pass cap: 1829 MB left → 15.6 s blackout (geometric series).
    let t = check_closed_form(4096.0, 117.5, 100.0, StopPolicy::hyperv());
    assert_eq!(t.precopy_passes(), 5);
    assert_eq!(t.outcome, Outcome::PassCap);
    assert_close(
        "left",
        t.stop_copy.as_ref().unwrap().memory_bytes / MIB,
        1829.0,
        0.005,
    );
    assert_close("downtime", t.downtime_s, 15.6, 0.005);
    assert_eq!(verdict(&t).severity, Severity::Bad);
}

#[test]
fn hyperv_cap_on_ten_gig() {
    // 8 GiB, R 1150 MB/s, D 500 MB/s, 5 passes: 127 MB left, 111 ms blackout, 12.5 s (geometric series).
    let t = check_closed_form(8192.0, 1150.0, 500.0, StopPolicy::hyperv());
    assert_close(
        "left",
        t.stop_copy.as_ref().unwrap().memory_bytes / MIB,
        127.0,
        0.01,
    );
    assert_close("downtime", t.downtime_s, 0.111, 0.01);
    assert_close("time", t.total_time_s, 12.5, 0.01);
}

#[test]
fn closed_form_holds_across_a_grid() {
    for memory in [512.0, 4096.0, 65536.0] {
        for rate in [117.5, 1150.0, 2900.0] {
            for frac in [0.0, 0.05, 0.3, 0.7, 0.9] {
                let dirty = rate * frac;
                let qemu = |lazy| StopPolicy::qemu_libvirt().with_qemu_options(false, lazy);
                for policy in [qemu(false), qemu(true), StopPolicy::hyperv()] {
                    // Keep D·T below W so the sweep stays linear (the geometric regime).
                    if dirty * memory / rate < memory {
                        check_closed_form(memory, rate, dirty, policy);
                    }
                }
            }
        }
    }
}

#[test]
fn dirtying_faster_than_the_link_never_converges_under_qemu() {
    let mut s = closed_form(4096.0, 117.5, 200.0, StopPolicy::qemu());
    s.timeout_s = 600.0;
    let t = simulate(&s).unwrap();
    assert_eq!(t.outcome, Outcome::TimedOut);
    assert_eq!(t.downtime_s, 0.0);
    assert_eq!(t.phases.last().unwrap().kind, PhaseKind::Cancelled);
    assert!((t.total_time_s - 600.0).abs() < 1e-9);
    let v = verdict(&t);
    assert!(
        v.headline.starts_with("Does not converge: dirty rate"),
        "{}",
        v.headline
    );
    assert!(v.headline.contains("exceeds the transfer rate"));
    assert!(v.headline.contains("keeps running on host A"));
}

#[test]
fn zero_bandwidth_is_explained_not_crashed_on() {
    let mut s = Scenario::default();
    s.network.link_gbps = 0.0;
    let t = simulate(&s).unwrap();
    assert_eq!(t.outcome, Outcome::NoBandwidth);
    assert!(t.total_time_s.is_finite() && t.downtime_s == 0.0);
    assert!(verdict(&t).headline.contains("0 Gbit/s"));
    s.network.link_gbps = 10.0;
    s.transport.kind = TransportKind::Smb;
    s.network.smb_limit_mibps = Some(0.0);
    let t = simulate(&s).unwrap();
    assert!(verdict(&t).headline.contains("bandwidth cap is 0"));
}

#[test]
fn an_idle_vm_needs_one_pass() {
    let mut s = Scenario::default();
    s.vm.dirty_rate_mibps = 0.0;
    let t = simulate(&s).unwrap();
    assert_eq!(t.precopy_passes(), 1);
    assert_eq!(t.stop_copy.as_ref().unwrap().memory_bytes, 0.0);
    assert_eq!(t.outcome, Outcome::Converged);
}

#[test]
fn huge_memory_stays_finite() {
    let mut s = Scenario::default();
    s.vm.memory_mib = 200.0 * 1024.0 * 1024.0; // 200 TiB
    s.vm.working_set_mib = s.vm.memory_mib;
    s.vm.untouched_mib = 0.0;
    s.vm.dirty_rate_mibps = 100_000.0;
    s.network.link_gbps = 0.001;
    s.timeout_s = migration_lab::engine::scenario::MAX_TIMEOUT_S;
    let t = simulate(&s).unwrap();
    assert!(t.total_time_s.is_finite() && t.wire_bytes.is_finite());
    assert!(!verdict(&t).headline.contains("NaN"));
    // Beyond every field's range: a named error, not a number nobody can read.
    s.timeout_s = 1e30;
    assert_eq!(simulate(&s).unwrap_err().field, "timeout_s");
    s.timeout_s = 3600.0;
    s.vm.dirty_rate_mibps = 1e303;
    assert_eq!(simulate(&s).unwrap_err().field, "vm.dirty_rate_mibps");
    s.vm.dirty_rate_mibps = 1.0;
    s.overheads.device_state_mib = 1e308;
    assert_eq!(
        simulate(&s).unwrap_err().field,
        "overheads.device_state_mib"
    );
}

#[test]
fn a_shared_link_far_out_in_time_still_finishes() {
    // Background spells shorter than the clock's resolution once t is huge: the traffic holds
    // instead of the loop drawing spells that never advance.
    let mut s = Scenario::default();
    s.network.dedicated = false;
    s.network.link_gbps = 1e-9;
    s.timeout_s = migration_lab::engine::scenario::MAX_TIMEOUT_S;
    s.overheads.setup_s = migration_lab::engine::scenario::MAX_DAY_S;
    let t = simulate(&s).unwrap();
    assert!(t.total_time_s.is_finite());
}

#[test]
fn phases_tile_the_timeline() {
    let t = simulate(&Scenario::default()).unwrap();
    let mut at = 0.0;
    for p in &t.phases {
        assert!((p.start_s - at).abs() < 1e-9, "{p:?} starts at {at}");
        assert!(p.end_s >= p.start_s);
        at = p.end_s;
    }
    assert!((at - t.total_time_s).abs() < 1e-9);
    assert_eq!(t.phase_at(0.0).kind, PhaseKind::Setup);
    assert_eq!(t.phase_at(t.total_time_s + 1.0).kind, PhaseKind::RunningOnB);
    let p2 = &t.passes[1];
    let mid = (p2.start_s + p2.end_s) / 2.0;
    assert_eq!(t.phase_at(mid).kind, PhaseKind::Precopy);
    assert_eq!(t.phase_at(mid).pass, 2);
}

#[test]
fn same_seed_same_trace_and_shared_links_vary_by_seed() {
    let mut s = Scenario::default();
    s.network.dedicated = false;
    let (seed, first) = (s.seed, simulate(&s).unwrap());
    let times: Vec<f64> = (0..8)
        .map(|seed| {
            s.seed = seed;
            simulate(&s).unwrap().total_time_s
        })
        .collect();
    let spread = times.iter().cloned().fold(f64::MIN, f64::max)
        - times.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread > 0.5, "shared network spread {spread} s: {times:?}");
    // After seven runs with other seeds, the first seed's run is the same again.
    s.seed = seed;
    assert_eq!(simulate(&s).unwrap(), first);
    s.network.dedicated = true;
    let dedicated: Vec<f64> = (0..8)
        .map(|seed| {
            s.seed = seed;
            simulate(&s).unwrap().total_time_s
        })
        .collect();
    assert!(dedicated.windows(2).all(|w| w[0] == w[1]), "{dedicated:?}");
}

fn states_at(t: &Trace, at: f64) -> [usize; 7] {
    let mut out = Vec::new();
    t.sample_memory(at, 0.0, &mut out);
    Trace::count_states(&out)
}

/// A plain scenario for memory-map checks: every page written, quiet dedicated TCP link.
fn plain() -> Scenario {
    let mut s = Scenario::default();
    s.vm.untouched_mib = 0.0;
    s.network.dedicated = true;
    s.transport.kind = TransportKind::Tcp;
    s
}

#[test]
fn memory_map_follows_the_passes() {
    let t = simulate(&plain()).unwrap();
    let blocks = t.layout().blocks;
    // During setup nothing is sent.
    assert_eq!(states_at(&t, 0.0), [blocks, 0, 0, 0, 0, 0, 0]);
    // Halfway through pass 1 about half the blocks have been sent; none are in flight with a
    // zero window.
    let p1 = &t.passes[0];
    let [unsent, clean, dirty, flying, _, _, _] = states_at(&t, p1.start_s + p1.duration_s / 2.0);
    assert_eq!(flying, 0);
    assert!(
        (unsent as f64 / blocks as f64 - 0.5).abs() < 0.01,
        "{unsent}"
    );
    assert!(clean + dirty > blocks / 3);
    // At the end of pass 1 the dirty blocks are what pass 2 sends, in proportion.
    let [unsent, _, dirty, _, _, _, _] = states_at(&t, p1.end_s);
    assert_eq!(unsent, 0);
    let expected = p1.dirty_bytes_at_end / t.layout().block_bytes;
    assert!(
        (dirty as f64 - expected).abs() < 4.0 * expected.sqrt() + 2.0,
        "{dirty} vs {expected}"
    );
    // After the switchover everything is clean.
    assert_eq!(states_at(&t, t.total_time_s), [0, blocks, 0, 0, 0, 0, 0]);
}

#[test]
fn zero_pages_fly_by_when_sent_as_markers() {
    let mut s = Scenario::qemu_defaults();
    s.vm.memory_mib = 4096.0;
    s.vm.working_set_mib = 256.0;
    s.vm.untouched_mib = 3072.0;
    s.network.dedicated = true;
    let t = simulate(&s).unwrap();
    let zero = t.layout().zero_blocks;
    assert_eq!(zero, 3072);
    let p1 = &t.passes[0];
    // Three quarters of memory are zero pages, yet they take a sliver of pass 1's time: when
    // 90 % of the pass has elapsed, the zero pages are still waiting behind the data.
    let [_, _, _, _, waiting, _, _] = states_at(&t, p1.start_s + p1.duration_s * 0.9);
    assert_eq!(waiting, zero);
    assert!(p1.wire_bytes < 1.01 * 1024.0 * MIB, "{}", p1.wire_bytes);
    let [_, _, _, _, waiting, _, _] = states_at(&t, p1.end_s);
    assert_eq!(waiting, 0);
}

#[test]
fn memory_map_sampling_is_repeatable_backwards() {
    let t = simulate(&Scenario::default()).unwrap();
    let times: Vec<f64> = (0..50).map(|i| t.total_time_s * i as f64 / 49.0).collect();
    let forward: Vec<[usize; 7]> = times.iter().map(|&x| states_at(&t, x)).collect();
    let backward: Vec<[usize; 7]> = times.iter().rev().map(|&x| states_at(&t, x)).collect();
    assert_eq!(forward, backward.into_iter().rev().collect::<Vec<_>>());
}

#[test]
fn in_flight_marks_the_send_cursor() {
    let t = simulate(&plain()).unwrap();
    let p1 = &t.passes[0];
    let mut out = Vec::new();
    t.sample_memory(
        p1.start_s + p1.duration_s / 2.0,
        p1.duration_s / 100.0,
        &mut out,
    );
    let flying = out.iter().filter(|s| **s == BlockState::InFlight).count();
    assert!((30..=50).contains(&flying), "{flying}");
}

/// QEMU with multifd on a dedicated link of `gbps`.
fn multifd(gbps: f64, channels: u32, compression: MultifdCompression) -> Trace {
    let mut s = Scenario::qemu_defaults();
    s.network.link_gbps = gbps;
    s.network.dedicated = true;
    if let StopPolicy::Qemu {
        max_bandwidth_mibps,
        multifd,
        ..
    } = &mut s.policy
    {
        *max_bandwidth_mibps = None;
        *multifd = (channels > 0).then_some(Multifd {
            channels,
            compression,
        });
    }
    simulate(&s).unwrap()
}

#[test]
fn multifd_channels_carry_what_one_flow_cannot() {
    // On 25 GbE one TCP flow is held by its core; four channels are four flows on four cores.
    let one = multifd(25.0, 0, MultifdCompression::None);
    let four = multifd(25.0, 4, MultifdCompression::None);
    assert!(
        four.total_time_s < one.total_time_s * 0.5,
        "{} s vs {} s",
        four.total_time_s,
        one.total_time_s
    );
    // On 1 GbE the link binds either way.
    let slow = |c| multifd(1.0, c, MultifdCompression::None).total_time_s;
    assert!((slow(4) / slow(0) - 1.0).abs() < 0.02);
}

#[test]
fn multifd_zstd_outpaces_zlib_where_the_cpu_binds() {
    // Two channels on 10 GbE: zlib's threads compress far slower than the link carries, so
    // compressing loses; zstd, 5.6× faster per core, wins.
    let plain = multifd(10.0, 2, MultifdCompression::None).total_time_s;
    let zlib = multifd(10.0, 2, MultifdCompression::Zlib);
    let zstd = multifd(10.0, 2, MultifdCompression::Zstd).total_time_s;
    assert!(
        zlib.total_time_s > plain,
        "zlib {} vs {plain}",
        zlib.total_time_s
    );
    assert!(
        zstd < zlib.total_time_s,
        "zstd {zstd} vs zlib {}",
        zlib.total_time_s
    );
    // What goes on the wire per byte of written memory shrinks. (The totals need not: zlib-1 is
    // slower on the incompressible quarter of the pages than on text, 0.69× as the lab
    // measured, so here it no longer keeps up with the guest and runs to the timeout.)
    let plain_run = multifd(10.0, 2, MultifdCompression::None);
    let per_byte = |t: &Trace| t.rates.encode(MIB, 0.0).wire / MIB;
    assert!(per_byte(&zlib) < per_byte(&plain_run) * 0.6);
    assert!(zlib.rates.compression_active);
}

#[test]
fn multifd_needs_one_to_255_channels() {
    let mut s = Scenario::qemu_defaults();
    if let StopPolicy::Qemu { multifd, .. } = &mut s.policy {
        *multifd = Some(Multifd {
            channels: 0,
            compression: MultifdCompression::Zstd,
        });
    }
    assert_eq!(s.validate().unwrap_err().field, "policy.multifd.channels");
}

#[test]
fn bytes_left_start_at_memory_fall_within_each_pass_and_end_at_zero() {
    let mut s = Scenario::qemu_defaults();
    s.vm.dirty_rate_mibps = 60.0;
    let t = simulate(&s).unwrap();
    assert_eq!(t.outcome, Outcome::Converged);
    assert!(t.passes.len() >= 3, "{} passes", t.passes.len());
    let left = t.left_series();
    assert_eq!(left[0], (0.0, t.passes[0].memory_bytes));
    assert_eq!(left.last().unwrap().1, 0.0);
    assert!(
        left.windows(2).all(|w| w[1].0 >= w[0].0),
        "time runs forward"
    );
    for p in &t.passes {
        // Inside a pass only sending happens: what is left never grows.
        let inside: Vec<f64> = std::iter::once(p.memory_bytes)
            .chain(
                left.iter()
                    .filter(|(at, _)| *at > p.start_s && *at < p.end_s)
                    .map(|(_, b)| *b),
            )
            .collect();
        assert!(inside.windows(2).all(|w| w[1] <= w[0]), "pass {}", p.index);
        assert!(
            left.iter()
                .any(|&(at, b)| at == p.end_s && b < p.memory_bytes * 1e-6),
            "pass {} ends with all it set out to send sent",
            p.index
        );
        // It starts with what the previous pass left dirty.
        assert!(left.contains(&(p.start_s, p.memory_bytes)));
    }
    let sc = t.stop_copy.as_ref().unwrap();
    assert!(left.contains(&(sc.start_s, sc.memory_bytes)));
}

/// QEMU's defaults on a dedicated link of `gbps` without `max-bandwidth`, switching to
/// post-copy after `after` passes.
fn qemu_postcopy(gbps: f64, after: u32) -> Scenario {
    let mut s = Scenario::qemu_defaults();
    s.network.link_gbps = gbps;
    s.network.dedicated = true;
    if let StopPolicy::Qemu {
        max_bandwidth_mibps,
        postcopy_after_passes,
        ..
    } = &mut s.policy
    {
        *max_bandwidth_mibps = None;
        *postcopy_after_passes = Some(after);
    }
    s
}

/// Post-copy on the memory map: at the switch the blocks still dirty are missing on the
/// destination; then they fill from both ends, pushed from the first and faulted from the last,
/// until none is missing. XBZRLE's hits show as blocks sent as their changes.
#[test]
fn the_memory_map_shows_postcopy_filling_and_xbzrle_hits() {
    let mut s = qemu_postcopy(1.0, 1);
    s.vm.memory_mib = 4096.0;
    s.vm.working_set_mib = 2048.0;
    s.vm.dirty_rate_mibps = 150.0;
    s.vm.write_bytes = 64.0;
    let t = simulate(&s).unwrap();
    let pc = t.postcopy.as_ref().expect("it switched to post-copy");
    let [_, _, missing, _, _, fetched, _] = states_at(&t, pc.resume_s);
    assert!(missing > 0 && fetched == 0, "{missing} {fetched}");
    let mid = states_at(&t, (pc.resume_s + pc.end_s) / 2.0);
    assert!(mid[2] < missing && mid[5] > 0, "{mid:?}");
    let [_, clean, left, _, _, fetched, _] = states_at(&t, pc.end_s);
    assert_eq!(left, 0);
    assert!(fetched > 0 && clean > fetched);
    // The pushed blocks are the first of those that were missing, the fetched ones the last.
    let mut out = Vec::new();
    t.sample_memory(pc.end_s, 0.0, &mut out);
    let first_fetched = out.iter().position(|b| *b == BlockState::Fetched).unwrap();
    assert!(out[first_fetched..]
        .iter()
        .all(|b| matches!(b, BlockState::Fetched | BlockState::Clean)));

    if let StopPolicy::Qemu {
        postcopy_after_passes,
        xbzrle_cache_mib,
        ..
    } = &mut s.policy
    {
        *postcopy_after_passes = None;
        *xbzrle_cache_mib = Some(2048.0);
    }
    let t = simulate(&s).unwrap();
    let third = &t.passes[2];
    assert!(third.xbzrle.is_some_and(|x| x.hits > 0.0));
    let during = states_at(&t, third.start_s + third.duration_s * 0.9);
    assert!(during[6] > 0, "{during:?}");
    let second = &t.passes[1];
    assert_eq!(
        states_at(&t, second.start_s + second.duration_s * 0.9)[6],
        0
    );
}

/// Post-copy places every page at the destination by an ioctl of its own, zero pages too, so a
/// switch at once is bound by that, not by the link: a 16 GiB guest that never wrote most of
/// its memory moves its pages no faster than one per `PLACE_PAGE_S`, where those zero pages
/// cross as markers of a few bytes.
#[test]
fn postcopy_moves_no_faster_than_the_destination_places_pages() {
    let mut s = qemu_postcopy(100.0, 0);
    s.vm.memory_mib = 16384.0;
    s.vm.working_set_mib = 256.0;
    s.vm.untouched_mib = 15872.0;
    s.vm.dirty_rate_mibps = 10.0;
    let t = simulate(&s).unwrap();
    let pc = t.postcopy.as_ref().expect("it switched to post-copy");
    let pages = s.vm.memory_mib * 1024.0 * 1024.0 / 4096.0;
    let floor = pages * migration_lab::engine::postcopy::PLACE_PAGE_S;
    let phase = pc.end_s - pc.resume_s;
    assert!(
        phase >= floor * 0.99 && phase < floor * 1.2,
        "{phase} s for {pages} pages (placing alone {floor} s)"
    );
}
