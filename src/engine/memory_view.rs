//! The state of every memory block at any instant of a trace.
//!
//! When a block is first dirtied within a pass is a pure function of (seed, pass, block), so
//! sampling any time — forwards or backwards — costs one sweep over the blocks and stores
//! nothing per frame.

use rand_core::RngCore;
use rand_pcg::Pcg32;

use super::memory::BlockState;
use super::postcopy::PostcopyRecord;
use super::scenario::Pattern;
use super::trace::Trace;
use super::workload::Workload;

/// Uniform in (0, 1) from (seed, pass, block): one PCG step on a stream chosen by the block.
fn unit(seed: u64, pass: u32, block: usize) -> f64 {
    let state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::from(pass).wrapping_mul(0xD1B5_4A32_D192_ED03);
    let mut rng = Pcg32::new(state, block as u64);
    (f64::from(rng.next_u32()) + 0.5) / 4_294_967_296.0
}

/// Seconds after the start of pass `pass` (1-based) at which `block` is first written, or ∞.
/// `since_first_pass` is the pass's start measured from the start of pass 1 (for sweeps).
fn first_write(
    trace: &Trace,
    workload: &Workload,
    pass: u32,
    since_first_pass: f64,
    block: usize,
) -> f64 {
    let layout = trace.layout();
    let Some(rank) = layout.ws_rank[block] else {
        return f64::INFINITY;
    };
    if workload.rate <= 0.0 {
        return f64::INFINITY;
    }
    match workload.pattern {
        Pattern::Random | Pattern::HotCold => {
            // The hottest part of the working set is its first ranks.
            let hot = (f64::from(rank) + 0.5) / (layout.ws_blocks as f64) < workload.hot_fraction;
            let rate = workload.block_hit_rate(hot);
            if rate <= 0.0 {
                return f64::INFINITY;
            }
            -unit(trace.scenario.seed, pass, block).ln() / rate
        }
        Pattern::Sequential => {
            // The write cursor sweeps the working set's blocks in rank order at D bytes/s.
            let n = layout.ws_blocks as f64;
            let per_block = layout.block_bytes / workload.rate;
            let cursor = (since_first_pass / per_block).rem_euclid(n);
            let ahead = (f64::from(rank) - cursor).rem_euclid(n);
            ahead * per_block
        }
    }
}

/// Where a segment of the run sends its blocks from: a pass, or the stop-and-copy.
struct Sending {
    /// Index into `passes` whose dirtied blocks this segment sends (None: pass 1 sends all).
    list_from: Option<usize>,
    start: f64,
    range: (usize, usize),
    /// Wire bytes of the block list (excluding device state).
    wire: f64,
    /// The running pass's number (0 in the stop-and-copy: the guest is paused).
    running_pass: u32,
}

impl Trace {
    /// Wire cost of sending pass-1 block `rank`th in order, cumulatively, as a fraction of the
    /// whole pass: data blocks cost their encoded size, zero blocks their marker or compressed size.
    fn pass1_progress_needed(&self, rank: usize) -> f64 {
        let l = self.layout();
        let data_blocks = l.first_zero_block();
        let c_data = self.rates.encode(l.block_bytes, 0.0).wire;
        let c_zero = self.rates.encode(0.0, l.block_bytes).wire;
        let total = data_blocks as f64 * c_data + l.zero_blocks as f64 * c_zero;
        let n = rank + 1;
        let cum =
            n.min(data_blocks) as f64 * c_data + n.saturating_sub(data_blocks) as f64 * c_zero;
        if total > 0.0 {
            cum / total
        } else {
            1.0
        }
    }

    /// Fills `out` with every block's state at time `t`. Blocks whose transfer finished within
    /// the last `window` seconds are `InFlight`.
    pub fn sample_memory(&self, t: f64, window: f64, out: &mut Vec<BlockState>) {
        let layout = self.layout();
        out.clear();
        let zero_from = layout.first_zero_block();
        out.extend((0..layout.blocks).map(|b| {
            if b >= zero_from {
                BlockState::Zero
            } else {
                BlockState::Unsent
            }
        }));
        if let Some(pc) = self.postcopy.as_ref().filter(|pc| t >= pc.switch_s) {
            return self.sample_postcopy(pc, t, out);
        }
        let Some(first) = self.passes.first() else {
            return; // no pass started (setup only, or nothing could be sent)
        };
        let t = t.min(self.copy_end_s());
        if t < first.start_s {
            return;
        }
        let wl = self.workload();
        let origin = first.start_s;
        let idx = self.passes.partition_point(|p| p.start_s <= t) - 1;
        let seg = match self.stop_copy.as_ref().filter(|s| t >= s.start_s) {
            Some(sc) => Sending {
                list_from: Some(self.passes.len() - 1),
                start: sc.start_s,
                range: sc.segments,
                wire: (sc.wire_bytes - sc.device_state_bytes).max(0.0),
                running_pass: 0,
            },
            None => {
                let p = &self.passes[idx];
                Sending {
                    list_from: idx.checked_sub(1),
                    start: p.start_s,
                    range: p.segments,
                    wire: p.planned_wire_bytes,
                    running_pass: p.index,
                }
            }
        };
        let progress = |at: f64| {
            if seg.wire > 0.0 {
                (self.wire_sent(seg.range, at) / seg.wire).min(1.0)
            } else {
                1.0
            }
        };
        let (now, before) = (progress(t), progress(t - window));
        let throttle = self.passes.get(idx).map_or(0.0, |p| p.throttle_pct);
        let running_wl = wl.throttled(throttle);
        // Blocks this segment sends: all (pass 1) or those the previous pass dirtied.
        let member = |b: usize| match seg.list_from {
            None => true,
            Some(i) => {
                let p = &self.passes[i];
                first_write(
                    self,
                    &wl.throttled(p.throttle_pct),
                    p.index,
                    p.start_s - origin,
                    b,
                ) < p.duration_s
            }
        };
        let list_len = match seg.list_from {
            None => layout.blocks,
            Some(_) => (0..layout.blocks).filter(|&b| member(b)).count(),
        };
        // XBZRLE: the share of this segment's pages found in the cache, sent as their changes.
        let delta = match self.stop_copy.as_ref().filter(|s| t >= s.start_s) {
            Some(sc) => sc.xbzrle,
            None => self.passes[idx].xbzrle,
        }
        .map_or(0.0, |x| x.hit_rate());
        let elapsed = t - seg.start;
        let mut rank = 0usize;
        for (b, slot) in out.iter_mut().enumerate() {
            let written = seg.running_pass > 0
                && first_write(self, &running_wl, seg.running_pass, seg.start - origin, b)
                    <= elapsed;
            let is_member = member(b);
            let needed = if seg.list_from.is_none() {
                self.pass1_progress_needed(layout.pass1_rank[b] as usize)
            } else if is_member {
                rank += 1;
                rank as f64 / list_len as f64
            } else {
                f64::INFINITY
            };
            *slot = if is_member {
                if needed > now + 1e-12 {
                    if seg.list_from.is_none() {
                        *slot // not yet sent: Unsent or Zero
                    } else {
                        BlockState::Dirty
                    }
                } else if written {
                    BlockState::Dirty
                } else if delta > 0.0
                    && unit(self.scenario.seed, 1000 + seg.running_pass, b) < delta
                {
                    BlockState::Delta
                } else if needed > before + 1e-12 {
                    BlockState::InFlight
                } else {
                    BlockState::Clean
                }
            } else if written {
                BlockState::Dirty
            } else {
                BlockState::Clean
            };
        }
    }

    /// Post-copy from the stop at `pc.switch_s` on: the blocks still dirty then are missing on
    /// the destination, the rest clean. Once the VM runs there they arrive from both ends of
    /// the list: pushed in address order from the first, and — drawn from the last, so that the
    /// two can be told apart — the ones the guest faulted on, as many as it had by `t`.
    fn sample_postcopy(&self, pc: &PostcopyRecord, t: f64, out: &mut [BlockState]) {
        let layout = self.layout();
        let wl = self.workload();
        let origin = self.passes.first().map_or(0.0, |p| p.start_s);
        let missing = |b: usize| match self.passes.last() {
            None => true,
            Some(p) => {
                first_write(
                    self,
                    &wl.throttled(p.throttle_pct),
                    p.index,
                    p.start_s - origin,
                    b,
                ) < p.duration_s
            }
        };
        let list: Vec<usize> = (0..layout.blocks).filter(|&b| missing(b)).collect();
        let total = (pc.faulted_pages + pc.pushed_pages).max(f64::MIN_POSITIVE);
        let (faulted, pushed) = pc.arrived_at(t);
        let n = list.len() as f64;
        let pushed = ((pushed / total * n).round() as usize).min(list.len());
        let faulted = ((faulted / total * n).round() as usize).min(list.len() - pushed);
        for (b, slot) in out.iter_mut().enumerate() {
            if !missing(b) {
                *slot = BlockState::Clean;
            } else if *slot != BlockState::Zero {
                *slot = BlockState::Dirty;
            }
        }
        for &b in &list[..pushed] {
            out[b] = BlockState::Clean;
        }
        for &b in &list[list.len() - faulted..] {
            out[b] = BlockState::Fetched;
        }
    }

    /// Count of blocks in each state, for legends and tests:
    /// [unsent, clean, dirty, in flight, zero, fetched, delta].
    pub fn count_states(states: &[BlockState]) -> [usize; 7] {
        let mut c = [0; 7];
        for s in states {
            c[*s as usize] += 1;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_draws_are_uniform_enough() {
        let n = 20000;
        let mean: f64 = (0..n).map(|b| unit(42, 3, b)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        assert!((0..n).all(|b| {
            let u = unit(42, 3, b);
            u > 0.0 && u < 1.0
        }));
    }
}
