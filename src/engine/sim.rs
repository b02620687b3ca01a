//! The pre-copy simulation: setup → pass 1 (all memory, working set first) → passes 2..n (what
//! the previous pass left dirty) → stop-and-copy (remaining pages + device state) →
//! switchover → running on B.
//!
//! Event-driven: time advances from one change of rate to the next (a burst of background
//! traffic starting or ending, a pass ending), so cost grows with passes and bursts, never with
//! memory size.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::memory::MemoryLayout;
use super::scenario::{Scenario, ScenarioError, StopPolicy};
use super::trace::{LinkSegment, Outcome, PassRecord, PhaseKind, PhaseSpan, StopCopyRecord, Trace};
use super::transport::{xen_round_limit, RateBreakdown, PAGE_BYTES};
use super::units::{gbps_to_bytes_per_s, MIB};

/// Safety net for policies without a pass cap (QEMU): stop iterating after this many passes.
pub const MAX_PASSES: u32 = 10_000;

/// Other traffic on a shared network alternates between quiet spells (0.2–1 Gbit/s offered, mean
/// 2 s) and bursts (4–9 Gbit/s, mean 1 s) of VM, cluster/CSV and backup traffic: on a 10 GbE
/// link that is 2–10 % and 40–90 % of the link, ≈ 26 % on average. Its volume is a property of
/// the workloads, not of the NIC, so a faster link leaves more room for the migration. A
/// modelling assumption; what matters is that it varies, which is what a dedicated network
/// removes.
pub const QUIET_GBPS: (f64, f64) = (0.2, 1.0);
pub const BURST_GBPS: (f64, f64) = (4.0, 9.0);
pub const QUIET_MEAN_S: f64 = 2.0;
pub const BURST_MEAN_S: f64 = 1.0;

/// QEMU auto-converge: throttle when the guest dirtied more than this share of what the pass
/// transferred (`throttle-trigger-threshold` 50 %), for the second time; start at 20 %, add
/// 10 %, at most 99 % (`cpu-throttle-initial/-increment`, `max-cpu-throttle`).
pub const THROTTLE_TRIGGER: f64 = 0.5;
pub const THROTTLE_INITIAL: f64 = 20.0;
pub const THROTTLE_STEP: f64 = 10.0;
pub const THROTTLE_MAX: f64 = 99.0;

fn uniform(rng: &mut Pcg64Mcg) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Other traffic offered to the link over time (wire bytes/s): piecewise constant, drawn from
/// the seed.
pub(crate) struct Background {
    rng: Pcg64Mcg,
    dedicated: bool,
    until: f64,
    offered: f64,
    busy: bool,
}

impl Background {
    pub(crate) fn new(seed: u64, dedicated: bool) -> Background {
        let mut b = Background {
            rng: Pcg64Mcg::seed_from_u64(seed),
            dedicated,
            until: 0.0,
            offered: 0.0,
            busy: true,
        };
        if !dedicated {
            // Start at a random point of a quiet or busy spell.
            b.busy = uniform(&mut b.rng) < BURST_MEAN_S / (BURST_MEAN_S + QUIET_MEAN_S);
            b.next_spell(0.0);
        }
        b
    }

    fn next_spell(&mut self, from: f64) {
        let ((lo, hi), mean) = if self.busy {
            (BURST_GBPS, BURST_MEAN_S)
        } else {
            (QUIET_GBPS, QUIET_MEAN_S)
        };
        self.offered = gbps_to_bytes_per_s(lo + uniform(&mut self.rng) * (hi - lo));
        let u = uniform(&mut self.rng).max(1e-12);
        self.until = from + -u.ln() * mean;
        if self.until <= from {
            // So far out that a spell is below the clock's resolution: the traffic holds.
            self.until = f64::INFINITY;
        }
        self.busy = !self.busy;
    }

    /// The traffic offered at time `t` (non-decreasing across calls) and until when it holds.
    pub(crate) fn at(&mut self, t: f64) -> (f64, f64) {
        if self.dedicated {
            return (0.0, f64::INFINITY);
        }
        // After a long stretch at the long-run mean rate, restart the process at t rather than
        // drawing every spell in between.
        if t - self.until > 1000.0 * (QUIET_MEAN_S + BURST_MEAN_S) {
            self.until = t;
        }
        while t >= self.until {
            let from = self.until;
            self.next_spell(from);
        }
        (self.offered, self.until)
    }
}

/// Beyond this many bursts in one transfer, the rest moves at the bursts' long-run mean rate: the
/// law of large numbers makes the detail invisible, and time and memory stay bounded.
pub const MAX_SEGMENTS_PER_TRANSFER: usize = 2000;

/// Long-run mean wire rate and offered background of a shared link, capped at `limit`: quiet and
/// busy spells weighted by their mean lengths, each range integrated by the midpoint rule.
fn long_run(rates: &RateBreakdown, limit: f64) -> (f64, f64) {
    const N: usize = 16;
    let mut rate = 0.0;
    let mut offered = 0.0;
    let total = QUIET_MEAN_S + BURST_MEAN_S;
    for ((lo, hi), weight) in [
        (QUIET_GBPS, QUIET_MEAN_S / total),
        (BURST_GBPS, BURST_MEAN_S / total),
    ] {
        for i in 0..N {
            let x = gbps_to_bytes_per_s(lo + (hi - lo) * (i as f64 + 0.5) / N as f64);
            rate += weight / N as f64 * rates.wire_rate(x).min(limit);
            offered += weight / N as f64 * x;
        }
    }
    (rate, offered)
}

/// Moves `wire` bytes starting at `t`, at the path's rate but no faster than `limit` bytes/s,
/// until done or `deadline`. Returns (end time, bytes sent).
fn transfer(
    rates: &RateBreakdown,
    bg: &mut Background,
    segments: &mut Vec<LinkSegment>,
    mut t: f64,
    wire: f64,
    limit: f64,
    deadline: f64,
) -> (f64, f64) {
    let mut left = wire;
    // Segments of this transfer merge with each other, never with an earlier pass's.
    let floor = segments.len();
    while left > 0.0 && t < deadline {
        let (offered, until, rate) = if segments.len() - floor >= MAX_SEGMENTS_PER_TRANSFER {
            let (rate, offered) = long_run(rates, limit);
            (offered, f64::INFINITY, rate)
        } else {
            let (offered, until) = bg.at(t);
            (offered, until, rates.wire_rate(offered).min(limit))
        };
        let end = until.min(deadline);
        if rate <= 0.0 {
            t = end;
            continue;
        }
        let done_at = t + left / rate;
        let seg_end = done_at.min(end);
        let sent = if done_at <= end {
            left
        } else {
            rate * (seg_end - t)
        };
        push_segment(segments, floor, t, seg_end, rate, offered);
        left -= sent;
        t = seg_end;
    }
    (t, wire - left.max(0.0))
}

fn push_segment(
    segments: &mut Vec<LinkSegment>,
    floor: usize,
    start: f64,
    end: f64,
    rate: f64,
    offered: f64,
) {
    if end <= start {
        return;
    }
    let mergeable = segments.len() > floor;
    if let Some(last) = segments.last_mut().filter(|_| mergeable) {
        if last.end_s == start && last.wire_rate == rate && last.background == offered {
            last.end_s = end;
            return;
        }
    }
    segments.push(LinkSegment {
        start_s: start,
        end_s: end,
        wire_rate: rate,
        background: offered,
    });
}

pub(crate) fn round_to_pages(bytes: f64) -> f64 {
    (bytes / PAGE_BYTES).round() * PAGE_BYTES
}

/// What the stop policy decides after a pass.
pub(crate) enum Decision {
    Continue,
    Stop(Outcome),
}

pub(crate) struct PolicyState {
    pub(crate) throttle_pct: f64,
    high_count: u32,
    pub(crate) total_memory_sent: f64,
    last_pass_bytes: f64,
}

impl PolicyState {
    pub(crate) fn new() -> PolicyState {
        PolicyState {
            throttle_pct: 0.0,
            high_count: 0,
            total_memory_sent: 0.0,
            last_pass_bytes: f64::INFINITY,
        }
    }
}

/// Runs one migration. Errors only for input that describes no possible VM; hopeless but valid
/// input (no bandwidth, dirtying faster than the link) produces a trace that says so.
pub fn simulate(s: &Scenario) -> Result<Trace, ScenarioError> {
    s.validate()?;
    let rates = RateBreakdown::new(s);
    let memory = s.vm.memory_mib * MIB;
    let untouched = s.vm.untouched_mib * MIB;
    let layout = MemoryLayout::new(memory, s.vm.working_set_mib * MIB, untouched, s.seed);
    let mut bg = Background::new(s.seed, s.network.dedicated);
    let mut trace = Trace {
        scenario: s.clone(),
        rates,
        phases: Vec::new(),
        passes: Vec::new(),
        segments: Vec::new(),
        stop_copy: None,
        outcome: Outcome::Converged,
        total_time_s: 0.0,
        downtime_s: 0.0,
        wire_bytes: 0.0,
        memory_bytes: 0.0,
        cpu_source_core_s: 0.0,
        cpu_dest_core_s: 0.0,
        layout,
    };
    let base_workload = trace.workload();
    let o = &s.overheads;
    let deadline = s.timeout_s;
    let mut t = o.setup_s.min(deadline);
    trace.phases.push(PhaseSpan {
        kind: PhaseKind::Setup,
        pass: 0,
        start_s: 0.0,
        end_s: t,
    });

    let mut data = memory - untouched;
    let mut zero = untouched;
    let mut pass = 0u32;
    let mut state = PolicyState::new();
    let mut prev_dirty_rate = 0.0;
    let outcome = loop {
        if t >= deadline {
            break Outcome::TimedOut;
        }
        pass += 1;
        if trace.rates.wire_rate(0.0) <= 0.0 {
            break Outcome::NoBandwidth;
        }
        let enc = trace.rates.encode(data, zero);
        let cpu_limit = trace.rates.cpu_wire_limit(&enc, 0.0);
        let xen_limit =
            xen_round_limit(&s.policy, pass == 1, prev_dirty_rate).unwrap_or(f64::INFINITY);
        let seg_start = trace.segments.len();
        let (end, sent) = transfer(
            &trace.rates,
            &mut bg,
            &mut trace.segments,
            t,
            enc.wire,
            cpu_limit.min(xen_limit),
            deadline,
        );
        let duration = end - t;
        let complete = sent >= enc.wire * (1.0 - 1e-12);
        let done = if enc.wire > 0.0 { sent / enc.wire } else { 1.0 };
        let workload = base_workload.throttled(state.throttle_pct);
        let dirty = round_to_pages(workload.dirtied(duration)).min(memory - untouched);
        let wire_rate = if duration > 0.0 { sent / duration } else { 0.0 };
        let memory_rate = if duration > 0.0 {
            enc.memory * done / duration
        } else {
            0.0
        };
        // QEMU measures bandwidth over the last 100 ms window: the rate at the end of the pass.
        let measured = trace.segments[seg_start..]
            .last()
            .map_or(wire_rate, |sg| sg.wire_rate);
        let threshold = stop_threshold(&s.policy, &trace.rates, measured);
        let cpu_src = enc.compress_core_s * done + trace.rates.transport_core_s(sent);
        let cpu_dst = enc.decompress_core_s * done + trace.rates.transport_core_s(sent);
        trace.cpu_source_core_s += cpu_src;
        trace.cpu_dest_core_s += cpu_dst;
        trace.passes.push(PassRecord {
            index: pass,
            start_s: t,
            end_s: end,
            duration_s: duration,
            memory_bytes: enc.memory,
            zero_bytes: zero,
            wire_bytes: sent,
            planned_wire_bytes: enc.wire,
            memory_rate,
            wire_rate,
            segments: (seg_start, trace.segments.len()),
            dirty_rate: workload.rate,
            throttle_pct: state.throttle_pct,
            dirty_bytes_at_end: dirty,
            stop_threshold_bytes: threshold,
            cpu_source_core_s: cpu_src,
            cpu_dest_core_s: cpu_dst,
        });
        trace.phases.push(PhaseSpan {
            kind: PhaseKind::Precopy,
            pass,
            start_s: t,
            end_s: end,
        });
        trace.memory_bytes += enc.memory * done;
        t = end;
        if !complete {
            break if trace.rates.wire_rate(0.0) <= 0.0 {
                Outcome::NoBandwidth
            } else {
                Outcome::TimedOut
            };
        }
        state.total_memory_sent += enc.memory;
        prev_dirty_rate = if duration > 0.0 {
            dirty / duration
        } else {
            0.0
        };
        let decision = decide(&s.policy, pass, dirty, threshold, memory, &mut state, sent);
        match decision {
            Decision::Continue => {
                data = dirty;
                zero = 0.0;
            }
            Decision::Stop(outcome) => {
                data = dirty;
                break outcome;
            }
        }
    };
    trace.outcome = outcome;

    if outcome.completed() {
        let enc = trace.rates.encode(data, 0.0);
        let state_bytes = o.device_state_mib * MIB;
        let wire = enc.wire + state_bytes;
        let cpu_limit = trace.rates.cpu_wire_limit(&enc, state_bytes);
        let seg_start = trace.segments.len();
        // The final copy runs unthrottled (no Xen round limit) and cannot be cancelled.
        let final_rates = trace.rates.for_stop_copy(&s.policy);
        let (end, _) = transfer(
            &final_rates,
            &mut bg,
            &mut trace.segments,
            t,
            wire,
            cpu_limit,
            f64::INFINITY,
        );
        let duration = end - t;
        // Time at which the dirty pages (sent first) were through, for the memory view.
        let memory_duration = if wire > 0.0 {
            wire_time(&trace.segments[seg_start..], t, enc.wire)
        } else {
            0.0
        };
        let switchover = o.switchover_ms / 1000.0;
        let cpu_src = enc.compress_core_s + trace.rates.transport_core_s(wire);
        let cpu_dst = enc.decompress_core_s + trace.rates.transport_core_s(wire);
        trace.cpu_source_core_s += cpu_src;
        trace.cpu_dest_core_s += cpu_dst;
        trace.stop_copy = Some(StopCopyRecord {
            start_s: t,
            memory_bytes: data,
            device_state_bytes: state_bytes,
            wire_bytes: wire,
            memory_duration_s: memory_duration,
            duration_s: duration,
            switchover_s: switchover,
            segments: (seg_start, trace.segments.len()),
        });
        trace.memory_bytes += data;
        for (kind, len) in [
            (PhaseKind::StopCopy, duration),
            (PhaseKind::Switchover, switchover),
            (PhaseKind::Cleanup, o.cleanup_s),
        ] {
            trace.phases.push(PhaseSpan {
                kind,
                pass: 0,
                start_s: t,
                end_s: t + len,
            });
            t += len;
        }
        trace.downtime_s = duration + switchover;
        trace.phases.push(PhaseSpan {
            kind: PhaseKind::RunningOnB,
            pass: 0,
            start_s: t,
            end_s: t,
        });
    } else {
        trace.phases.push(PhaseSpan {
            kind: PhaseKind::Cancelled,
            pass: 0,
            start_s: t,
            end_s: t,
        });
    }
    trace.total_time_s = t;
    trace.wire_bytes = trace.passes.iter().map(|p| p.wire_bytes).sum::<f64>()
        + trace.stop_copy.as_ref().map_or(0.0, |sc| sc.wire_bytes);
    Ok(trace)
}

/// Seconds after `start` at which `bytes` have crossed the link, over `segments`.
fn wire_time(segments: &[LinkSegment], start: f64, bytes: f64) -> f64 {
    let mut left = bytes;
    for sg in segments {
        let cap = sg.wire_rate * (sg.end_s - sg.start_s);
        if left <= cap {
            return sg.start_s + left / sg.wire_rate.max(f64::MIN_POSITIVE) - start;
        }
        left -= cap;
    }
    segments.last().map_or(0.0, |sg| sg.end_s - start)
}

/// Bytes the policy accepts as "small enough" to send with the VM paused, given the wire rate
/// measured at the end of the pass.
pub(crate) fn stop_threshold(
    policy: &StopPolicy,
    rates: &RateBreakdown,
    measured_wire_rate: f64,
) -> f64 {
    match *policy {
        // QEMU: threshold_size = bandwidth (bytes/ms, measured on the wire) × downtime_limit (ms).
        StopPolicy::Qemu {
            downtime_limit_ms, ..
        } => measured_wire_rate * downtime_limit_ms / 1000.0,
        // Hyper-V: what written pages (not the near-free zero pages of pass 1) could move in
        // `remainder_ms` at that rate.
        StopPolicy::HyperV { remainder_ms, .. } => {
            rates.memory_rate_at_wire(measured_wire_rate) * remainder_ms / 1000.0
        }
        StopPolicy::Xen {
            min_dirty_pages, ..
        } => f64::from(min_dirty_pages) * PAGE_BYTES,
    }
}

pub(crate) fn decide(
    policy: &StopPolicy,
    pass: u32,
    left: f64,
    threshold: f64,
    memory: f64,
    st: &mut PolicyState,
    sent_wire: f64,
) -> Decision {
    let this_pass = st.last_pass_bytes;
    st.last_pass_bytes = left;
    match *policy {
        StopPolicy::HyperV { max_passes, .. } => {
            if left <= threshold {
                Decision::Stop(Outcome::Converged)
            } else if pass >= max_passes {
                Decision::Stop(Outcome::PassCap)
            } else {
                Decision::Continue
            }
        }
        StopPolicy::Qemu { auto_converge, .. } => {
            if left <= threshold {
                return Decision::Stop(Outcome::Converged);
            }
            if pass >= MAX_PASSES {
                return Decision::Stop(Outcome::NoProgress);
            }
            // At each bitmap sync: did the guest dirty more than half of what was sent?
            if auto_converge && left > sent_wire * THROTTLE_TRIGGER {
                st.high_count += 1;
                if st.high_count >= 2 {
                    st.high_count = 0;
                    st.throttle_pct = if st.throttle_pct == 0.0 {
                        THROTTLE_INITIAL
                    } else {
                        (st.throttle_pct + THROTTLE_STEP).min(THROTTLE_MAX)
                    };
                }
            }
            Decision::Continue
        }
        StopPolicy::Xen {
            max_iterations,
            max_factor,
            ..
        } => {
            if left < threshold {
                Decision::Stop(Outcome::Converged)
            } else if pass >= max_iterations
                || st.total_memory_sent > max_factor * memory
                || left > this_pass
            {
                // Xen also stops when a round dirtied more than the last one sent: the guest
                // is outrunning the link.
                Decision::Stop(Outcome::PassCap)
            } else {
                Decision::Continue
            }
        }
    }
}
