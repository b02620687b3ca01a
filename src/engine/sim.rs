//! The pre-copy simulation: setup → pass 1 (all memory, working set first) → passes 2..n (what
//! the previous pass left dirty) → stop-and-copy (remaining pages + device state) →
//! switchover → running on B.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::memory::MemoryLayout;
use super::scenario::{Scenario, ScenarioError, StopPolicy};
use super::trace::{Outcome, PassRecord, PhaseKind, PhaseSpan, StopCopyRecord, Trace};
use super::transport::{RateBreakdown, SHARED_MAX_SHARE, SHARED_MIN_SHARE};
use super::units::MIB;

/// Memory moves in whole 4 KiB pages: a pass that would send less than half a page sends none.
pub const PAGE_BYTES: f64 = 4096.0;
/// Safety net for policies without a pass cap (QEMU): stop iterating after this many passes.
pub const MAX_PASSES: u32 = 10_000;

/// What the stop policy decides after a pass.
enum Decision {
    Continue,
    Stop(Outcome),
}

fn decide(policy: &StopPolicy, pass: u32, left: f64, threshold: f64) -> Decision {
    if left <= threshold {
        return Decision::Stop(Outcome::Converged);
    }
    match *policy {
        StopPolicy::HyperV { max_passes, .. } if pass >= max_passes => {
            Decision::Stop(Outcome::PassCap)
        }
        _ if pass >= MAX_PASSES => Decision::Stop(Outcome::NoProgress),
        _ => Decision::Continue,
    }
}

/// Bytes the policy accepts as "small enough" to send with the VM paused, at `rate` bytes/s.
fn stop_threshold(policy: &StopPolicy, rate: f64) -> f64 {
    match *policy {
        // QEMU: threshold_size = bandwidth (bytes/ms) × downtime_limit (ms) (migration.c).
        StopPolicy::Qemu { downtime_limit_ms } => rate * downtime_limit_ms / 1000.0,
        StopPolicy::HyperV { remainder_ms, .. } => rate * remainder_ms / 1000.0,
    }
}

fn round_to_pages(bytes: f64) -> f64 {
    (bytes / PAGE_BYTES).round() * PAGE_BYTES
}

/// Background traffic's share of the link for each pass. A dedicated network has none; a shared
/// one draws a share per pass from the seed, so runs differ from seed to seed.
struct Background {
    rng: Pcg64Mcg,
    dedicated: bool,
}

impl Background {
    fn next(&mut self) -> f64 {
        if self.dedicated {
            return 0.0;
        }
        let u = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        SHARED_MIN_SHARE + u * (SHARED_MAX_SHARE - SHARED_MIN_SHARE)
    }
}

/// Runs one migration. Errors only for input that describes no possible VM; hopeless but valid
/// input (no bandwidth, dirtying faster than the link) produces a trace that says so.
pub fn simulate(s: &Scenario) -> Result<Trace, ScenarioError> {
    s.validate()?;
    let rates = RateBreakdown::new(s);
    let memory = s.vm.memory_mib * MIB;
    let layout = MemoryLayout::new(memory, s.vm.working_set_mib * MIB, s.seed);
    let mut bg = Background {
        rng: Pcg64Mcg::seed_from_u64(s.seed),
        dedicated: s.network.dedicated,
    };
    let mut trace = Trace {
        scenario: s.clone(),
        rates,
        phases: Vec::new(),
        passes: Vec::new(),
        stop_copy: None,
        outcome: Outcome::Converged,
        total_time_s: 0.0,
        downtime_s: 0.0,
        wire_bytes: 0.0,
        memory_bytes: 0.0,
        layout,
    };
    let workload = trace.workload();
    let o = &s.overheads;
    let mut t = o.setup_s.min(s.timeout_s);
    trace.phases.push(PhaseSpan {
        kind: PhaseKind::Setup,
        pass: 0,
        start_s: 0.0,
        end_s: t,
    });

    let mut to_send = memory;
    let mut pass = 0u32;
    let outcome = loop {
        if t >= s.timeout_s {
            break Outcome::TimedOut;
        }
        pass += 1;
        let share = bg.next();
        let rate = trace.rates.memory_rate(share);
        if rate <= 0.0 {
            break Outcome::NoBandwidth;
        }
        let wire_rate = trace.rates.wire_rate(share);
        let full = to_send / rate;
        let duration = full.min(s.timeout_s - t);
        let sent = to_send * duration / full.max(f64::MIN_POSITIVE);
        let dirty = round_to_pages(workload.dirtied(duration)).min(memory);
        let threshold = stop_threshold(&s.policy, rate);
        trace.passes.push(PassRecord {
            index: pass,
            start_s: t,
            end_s: t + duration,
            duration_s: duration,
            full_duration_s: full,
            memory_bytes: to_send,
            wire_bytes: sent / rate * wire_rate,
            memory_rate: rate,
            background_share: share,
            dirty_bytes_at_end: dirty,
            stop_threshold_bytes: threshold,
        });
        trace.phases.push(PhaseSpan {
            kind: PhaseKind::Precopy,
            pass,
            start_s: t,
            end_s: t + duration,
        });
        trace.memory_bytes += sent;
        t += duration;
        if duration < full {
            break Outcome::TimedOut;
        }
        match decide(&s.policy, pass, dirty, threshold) {
            Decision::Continue => to_send = dirty,
            Decision::Stop(outcome) => {
                if outcome.completed() {
                    to_send = dirty;
                }
                break outcome;
            }
        }
    };
    trace.outcome = outcome;

    if outcome.completed() {
        let share = bg.next();
        let rate = trace.rates.memory_rate(share);
        let wire_rate = trace.rates.wire_rate(share);
        let state = o.device_state_mib * MIB;
        let memory_duration = to_send / rate;
        let duration = memory_duration + state / wire_rate;
        let switchover = o.switchover_ms / 1000.0;
        trace.stop_copy = Some(StopCopyRecord {
            start_s: t,
            memory_bytes: to_send,
            device_state_bytes: state,
            wire_bytes: to_send / rate * wire_rate + state,
            memory_rate: rate,
            memory_duration_s: memory_duration,
            duration_s: duration,
            switchover_s: switchover,
        });
        trace.memory_bytes += to_send;
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
