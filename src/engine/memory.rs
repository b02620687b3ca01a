//! The VM's memory as a map of blocks, and its state at any instant of a trace.
//!
//! A block stands for `memory / blocks` bytes (at most 4096 blocks, whatever the VM's size, so
//! memory use does not grow with page count). Which blocks belong to the working set is fixed
//! per seed; when a block is first dirtied within a pass is a pure function of (seed, pass,
//! block), so sampling any time — forwards or backwards — costs one sweep over the blocks and
//! stores nothing per frame.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::{Pcg32, Pcg64Mcg};

use super::scenario::Pattern;
use super::trace::Trace;
use super::workload::Workload;

pub const MAX_BLOCKS: usize = 4096;
/// Working-set blocks are chosen in runs of this many, so hot memory looks like the clustered
/// allocations it is rather than salt and pepper.
const RUN: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum BlockState {
    /// Not yet copied to the destination (pass 1 only).
    Unsent = 0,
    /// The destination's copy is current.
    Clean = 1,
    /// Written by the guest since it was last synchronised: must be sent (again).
    Dirty = 2,
    /// Transferred within the sampling window: data moving now.
    InFlight = 3,
}

/// Which blocks are in the working set, and the order pass 1 sends them in.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryLayout {
    pub blocks: usize,
    pub block_bytes: f64,
    /// `Some(rank)` for working-set blocks (rank in address order), `None` otherwise.
    ws_rank: Vec<Option<u32>>,
    pub ws_blocks: usize,
    /// Position of each block in pass 1's send order: working set first (Hyper-V sends
    /// "in-state" memory first), then the rest, each in address order.
    pass1_rank: Vec<u32>,
}

impl MemoryLayout {
    pub fn new(memory: f64, working_set: f64, seed: u64) -> MemoryLayout {
        let pages = (memory / 4096.0).ceil().max(1.0);
        let blocks = (pages as usize).clamp(1, MAX_BLOCKS);
        let block_bytes = memory / blocks as f64;
        let mut ws_blocks = ((working_set / memory) * blocks as f64).round() as usize;
        if working_set > 0.0 {
            ws_blocks = ws_blocks.max(1);
        }
        ws_blocks = ws_blocks.min(blocks);

        // Shuffle runs of blocks with a seeded Fisher–Yates; take runs until the working set is full.
        let runs = blocks.div_ceil(RUN);
        let mut order: Vec<usize> = (0..runs).collect();
        let mut rng = Pcg64Mcg::seed_from_u64(seed ^ 0x5eed_1a70_u64);
        for i in (1..runs).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut in_ws = vec![false; blocks];
        let mut left = ws_blocks;
        for run in order {
            if left == 0 {
                break;
            }
            let end = ((run + 1) * RUN).min(blocks);
            for slot in in_ws[run * RUN..end].iter_mut().take(left) {
                *slot = true;
                left -= 1;
            }
        }
        let mut ws_rank = vec![None; blocks];
        let mut pass1_rank = vec![0u32; blocks];
        let (mut hot, mut cold) = (0u32, ws_blocks as u32);
        for b in 0..blocks {
            if in_ws[b] {
                ws_rank[b] = Some(hot);
                pass1_rank[b] = hot;
                hot += 1;
            } else {
                pass1_rank[b] = cold;
                cold += 1;
            }
        }
        MemoryLayout {
            blocks,
            block_bytes,
            ws_rank,
            ws_blocks,
            pass1_rank,
        }
    }

    pub fn in_working_set(&self, block: usize) -> bool {
        self.ws_rank[block].is_some()
    }
}

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
    let layout = &trace.layout;
    let Some(rank) = layout.ws_rank[block] else {
        return f64::INFINITY;
    };
    if workload.rate <= 0.0 {
        return f64::INFINITY;
    }
    match workload.pattern {
        Pattern::Random => -unit(trace.scenario.seed, pass, block).ln() / workload.block_hit_rate(),
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

impl Trace {
    /// Fills `out` with every block's state at time `t`. Blocks whose transfer finished within
    /// the last `window` seconds are `InFlight`.
    pub fn sample_memory(&self, t: f64, window: f64, out: &mut Vec<BlockState>) {
        let layout = &self.layout;
        out.clear();
        out.resize(layout.blocks, BlockState::Unsent);
        let Some(first) = self.passes.first() else {
            return; // no pass started (setup only, or nothing could be sent)
        };
        let t = t.min(self.copy_end_s());
        if t < first.start_s {
            return;
        }
        let wl = self.workload();
        let origin = first.start_s;
        // Locate the segment: a pre-copy pass, or the stop-and-copy after the last one.
        let idx = self.passes.partition_point(|p| p.start_s <= t) - 1;
        let in_stop = self.stop_copy.as_ref().filter(|s| t >= s.start_s);
        let (list_pass, start, dur, pass_no, running) = match in_stop {
            Some(sc) => (
                self.passes.len(),
                sc.start_s,
                sc.memory_duration_s,
                0,
                false,
            ),
            None => {
                let p = &self.passes[idx];
                (idx, p.start_s, p.full_duration_s, p.index, true)
            }
        };
        // Which blocks this segment sends: pass 1 sends all; later segments send what the
        // previous pass dirtied.
        let prev = list_pass.checked_sub(1).map(|i| &self.passes[i]);
        let member = |b: usize| match (list_pass, prev) {
            (0, _) => true,
            (_, Some(p)) => first_write(self, &wl, p.index, p.start_s - origin, b) < p.duration_s,
            _ => false,
        };
        let list_len = if list_pass == 0 {
            layout.blocks
        } else {
            (0..layout.blocks).filter(|&b| member(b)).count()
        };
        let elapsed = t - start;
        let mut rank = 0usize;
        for (b, slot) in out.iter_mut().enumerate() {
            let written = running && first_write(self, &wl, pass_no, start - origin, b) <= elapsed;
            let is_member = member(b);
            let my_rank = if list_pass == 0 {
                layout.pass1_rank[b] as usize
            } else if is_member {
                rank += 1;
                rank - 1
            } else {
                usize::MAX
            };
            *slot = if is_member {
                let sent_at = if dur > 0.0 {
                    (my_rank + 1) as f64 / list_len as f64 * dur
                } else {
                    0.0
                };
                if sent_at > elapsed {
                    if list_pass == 0 {
                        BlockState::Unsent
                    } else {
                        BlockState::Dirty
                    }
                } else if written {
                    BlockState::Dirty
                } else if sent_at > elapsed - window {
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

    /// Count of blocks in each state, for legends and tests: [unsent, clean, dirty, in flight].
    pub fn count_states(states: &[BlockState]) -> [usize; 4] {
        let mut c = [0; 4];
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
    fn layout_puts_the_working_set_first_in_pass_one() {
        let l = MemoryLayout::new(8192.0 * 1048576.0, 2048.0 * 1048576.0, 7);
        assert_eq!(l.blocks, MAX_BLOCKS);
        assert_eq!(l.ws_blocks, 1024);
        let ws: Vec<usize> = (0..l.blocks).filter(|&b| l.in_working_set(b)).collect();
        assert_eq!(ws.len(), 1024);
        for &b in &ws {
            assert!((l.pass1_rank[b] as usize) < 1024);
        }
        let mut ranks = l.pass1_rank.clone();
        ranks.sort_unstable();
        assert!(ranks.iter().enumerate().all(|(i, &r)| r as usize == i));
    }

    #[test]
    fn layout_depends_on_seed_only_through_placement() {
        let a = MemoryLayout::new(1e9, 2e8, 1);
        let b = MemoryLayout::new(1e9, 2e8, 2);
        assert_eq!(a.ws_blocks, b.ws_blocks);
        assert_ne!(a.ws_rank, b.ws_rank);
        assert_eq!(a, MemoryLayout::new(1e9, 2e8, 1));
    }

    #[test]
    fn tiny_vms_get_one_block_per_page() {
        let l = MemoryLayout::new(64.0 * 4096.0, 4096.0, 1);
        assert_eq!(l.blocks, 64);
        assert_eq!(l.ws_blocks, 1);
    }

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
