//! The single-VM run: one [`Machine`] driven over one link, whose other traffic (on a shared
//! network) comes and goes in spells drawn from the seed.
//!
//! Event-driven: time advances from one change of rate to the next (a burst of background
//! traffic starting or ending, a pass ending), so cost grows with passes and bursts, never with
//! memory size.

use super::background::{long_run, Background, MAX_SEGMENTS_PER_TRANSFER};
use super::migration::{Machine, Step};
use super::scenario::{Scenario, ScenarioError};
use super::trace::{LinkSegment, Outcome, Trace};
use super::transport::RateBreakdown;

pub use super::background::{BURST_GBPS, BURST_MEAN_S, QUIET_GBPS, QUIET_MEAN_S};
pub use super::policy::{
    MAX_PASSES, THROTTLE_INITIAL, THROTTLE_MAX, THROTTLE_STEP, THROTTLE_TRIGGER,
};

/// Runs one migration. Errors only for input that describes no possible VM; hopeless but valid
/// input (no bandwidth, dirtying faster than the link) produces a trace that says so.
pub fn simulate(s: &Scenario) -> Result<Trace, ScenarioError> {
    s.validate()?;
    let mut m = Machine::new(s, 0.0, 0.0);
    let mut bg = Background::new(s.seed, s.network.dedicated);
    let mut segments = Vec::new();
    loop {
        match m.step() {
            Step::Wait { until } => m.waited(until),
            Step::Send {
                wire,
                limit,
                deadline,
            } => {
                let floor = segments.len();
                let (end, sent) = transfer(
                    m.send_rates(),
                    &mut bg,
                    &mut segments,
                    m.now(),
                    wire,
                    limit,
                    deadline,
                );
                m.sent(end, sent, &segments, (floor, segments.len()));
            }
            Step::Done => break,
        }
    }
    Ok(Trace {
        scenario: s.clone(),
        rates: m.rates().clone(),
        phases: m.phases(),
        passes: m.passes.clone(),
        segments,
        stop_copy: m.stop_copy.clone(),
        outcome: m.outcome.unwrap_or(Outcome::Converged),
        total_time_s: m.now(),
        downtime_s: m.downtime_s,
        wire_bytes: m.wire_bytes,
        memory_bytes: m.memory_bytes,
        cpu_source_core_s: m.cpu_source_core_s,
        cpu_dest_core_s: m.cpu_dest_core_s,
        postcopy: m.postcopy.clone(),
        layout: Default::default(),
    })
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
