//! The VM's memory as a map of blocks: which are in the working set, which were never
//! written, and the order pass 1 sends them in. `memory_view` computes their state at any
//! instant of a trace.
//!
//! A block stands for `memory / blocks` bytes (at most 4096 blocks, whatever the VM's size, so
//! memory use does not grow with page count). Which blocks belong to the working set is fixed
//! per seed; when a block is first dirtied within a pass is a pure function of (seed, pass,
//! block), so sampling any time — forwards or backwards — costs one sweep over the blocks and
//! stores nothing per frame.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

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
    /// Never written by the guest and not yet sent: all-zero pages.
    Zero = 4,
    /// Post-copy: fetched from the source when the running guest touched it.
    Fetched = 5,
    /// Sent as XBZRLE's changes against the cached copy, not as the whole page.
    Delta = 6,
}

/// Which blocks are in the working set, and the order pass 1 sends them in.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryLayout {
    pub blocks: usize,
    pub block_bytes: f64,
    /// `Some(rank)` for working-set blocks (rank in address order), `None` otherwise.
    pub(crate) ws_rank: Vec<Option<u32>>,
    pub ws_blocks: usize,
    /// Never-written blocks (all-zero pages), the top of the address space.
    pub zero_blocks: usize,
    /// Position of each block in pass 1's send order: working set first (Hyper-V sends
    /// "in-state" memory first), then the rest, each in address order.
    pub(crate) pass1_rank: Vec<u32>,
}

impl MemoryLayout {
    /// `untouched` bytes of never-written memory sit at the top of the address space; the
    /// working set is scattered in runs over the rest.
    pub fn new(memory: f64, working_set: f64, untouched: f64, seed: u64) -> MemoryLayout {
        let pages = (memory / 4096.0).ceil().max(1.0);
        let blocks = (pages as usize).clamp(1, MAX_BLOCKS);
        let block_bytes = memory / blocks as f64;
        let share = |bytes: f64| ((bytes / memory) * blocks as f64).round() as usize;
        let zero_blocks = share(untouched).min(blocks);
        let touched = blocks - zero_blocks;
        let mut ws_blocks = share(working_set);
        if working_set > 0.0 {
            ws_blocks = ws_blocks.max(1);
        }
        ws_blocks = ws_blocks.min(touched);

        // Shuffle runs of touched blocks with a seeded Fisher–Yates; take runs until the working
        // set is full.
        let runs = touched.div_ceil(RUN);
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
            let end = ((run + 1) * RUN).min(touched);
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
            zero_blocks,
            pass1_rank,
        }
    }

    /// Blocks at or above this index were never written.
    pub fn first_zero_block(&self) -> usize {
        self.blocks - self.zero_blocks
    }

    pub fn in_working_set(&self, block: usize) -> bool {
        self.ws_rank[block].is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_puts_the_working_set_first_in_pass_one() {
        let l = MemoryLayout::new(8192.0 * 1048576.0, 2048.0 * 1048576.0, 0.0, 7);
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
        let a = MemoryLayout::new(1e9, 2e8, 0.0, 1);
        let b = MemoryLayout::new(1e9, 2e8, 0.0, 2);
        assert_eq!(a.ws_blocks, b.ws_blocks);
        assert_ne!(a.ws_rank, b.ws_rank);
        assert_eq!(a, MemoryLayout::new(1e9, 2e8, 0.0, 1));
    }

    #[test]
    fn never_written_memory_is_the_top_and_outside_the_working_set() {
        let mib = 1048576.0;
        let l = MemoryLayout::new(4096.0 * mib, 1024.0 * mib, 2048.0 * mib, 3);
        assert_eq!(l.zero_blocks, 2048);
        assert_eq!(l.first_zero_block(), 2048);
        assert!((2048..4096).all(|b| !l.in_working_set(b)));
        assert_eq!((0..2048).filter(|&b| l.in_working_set(b)).count(), 1024);
    }

    #[test]
    fn tiny_vms_get_one_block_per_page() {
        let l = MemoryLayout::new(64.0 * 4096.0, 4096.0, 0.0, 1);
        assert_eq!(l.blocks, 64);
        assert_eq!(l.ws_blocks, 1);
    }
}
