//! The stop policies: when pre-copy has done enough (or must give up), and QEMU's
//! auto-converge throttle.

use super::scenario::StopPolicy;
use super::trace::Outcome;
use super::transport::{RateBreakdown, PAGE_BYTES};

/// Safety net for policies without a pass cap (QEMU): stop iterating after this many passes.
pub const MAX_PASSES: u32 = 10_000;

/// QEMU auto-converge: throttle when the guest dirtied more than this share of what the pass
/// transferred (`throttle-trigger-threshold` 50 %), for the second time; start at 20 %, add
/// 10 %, at most 99 % (`cpu-throttle-initial/-increment`, `max-cpu-throttle`).
pub const THROTTLE_TRIGGER: f64 = 0.5;
pub const THROTTLE_INITIAL: f64 = 20.0;
pub const THROTTLE_STEP: f64 = 10.0;
pub const THROTTLE_MAX: f64 = 99.0;

/// What the stop policy decides after a pass.
pub(crate) enum Decision {
    Continue,
    Stop(Outcome),
}

#[derive(Debug, Clone)]
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
