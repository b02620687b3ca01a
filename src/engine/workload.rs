//! How the running guest dirties memory.
//!
//! The aggregate model (bytes dirtied during an interval) drives the pass arithmetic; the same
//! process, coarse-grained to the memory map's blocks, decides which blocks show as dirty.

use super::scenario::Pattern;

/// A guest writing `rate` bytes/s of pages into a working set of `working_set` bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    pub working_set: f64,
    pub rate: f64,
    pub pattern: Pattern,
}

impl Workload {
    /// Unique bytes dirtied during `dt` seconds of guest execution.
    ///
    /// Random writes saturate: each byte of the working set escapes a write with probability
    /// e^(−D·t/W), so W·(1 − e^(−D·t/W)) are dirty. A sweep dirties min(W, D·t).
    pub fn dirtied(&self, dt: f64) -> f64 {
        if self.rate <= 0.0 || self.working_set <= 0.0 || dt <= 0.0 {
            return 0.0;
        }
        match self.pattern {
            Pattern::Random => {
                let x = self.rate * dt / self.working_set;
                // exp_m1 keeps full precision when D·t ≪ W (the geometric regime).
                -self.working_set * (-x).exp_m1()
            }
            Pattern::Sequential => (self.rate * dt).min(self.working_set),
        }
    }

    /// Per-block hit rate (1/s) for random writes: a block is one W-th of the working set's
    /// "units", so its first-dirty time after any instant is exponential with rate D/W.
    pub fn block_hit_rate(&self) -> f64 {
        if self.working_set <= 0.0 {
            0.0
        } else {
            self.rate / self.working_set
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_writes_saturate_at_the_working_set() {
        let w = Workload {
            working_set: 1000.0,
            rate: 100.0,
            pattern: Pattern::Random,
        };
        assert!((w.dirtied(10.0) - 1000.0 * (1.0 - (-1.0f64).exp())).abs() < 1e-9);
        assert!(w.dirtied(1e6) <= 1000.0);
        // Short intervals are linear: almost every write hits a clean page.
        assert!((w.dirtied(0.01) - 1.0).abs() < 1e-3);
    }

    #[test]
    fn a_sweep_is_linear_until_it_wraps() {
        let w = Workload {
            working_set: 1000.0,
            rate: 100.0,
            pattern: Pattern::Sequential,
        };
        assert_eq!(w.dirtied(3.0), 300.0);
        assert_eq!(w.dirtied(30.0), 1000.0);
        assert_eq!(w.dirtied(-1.0), 0.0);
    }

    #[test]
    fn an_idle_guest_dirties_nothing() {
        let w = Workload {
            working_set: 0.0,
            rate: 0.0,
            pattern: Pattern::Random,
        };
        assert_eq!(w.dirtied(100.0), 0.0);
        assert_eq!(w.block_hit_rate(), 0.0);
    }
}
