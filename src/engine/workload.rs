//! How the running guest dirties memory.
//!
//! The aggregate model (bytes dirtied during an interval) drives the pass arithmetic; the same
//! process, coarse-grained to the memory map's blocks, decides which blocks show as dirty.

use super::scenario::{Pattern, Vm};
use super::units::MIB;

/// A guest writing `rate` bytes/s of pages into a working set of `working_set` bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    pub working_set: f64,
    pub rate: f64,
    pub pattern: Pattern,
    pub hot_fraction: f64,
    pub hot_share: f64,
    /// Share of one vCPU's time the writes take at `rate` (1: the guest writes as fast as it
    /// runs). Only auto-converge's throttle depends on it.
    pub write_cpu_share: f64,
}

/// A part of the working set the guest writes at `rate` bytes/s: uniformly at random, or as a
/// sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    pub size: f64,
    pub rate: f64,
    pub sequential: bool,
}

impl Part {
    /// Writes per byte of the part in `dt` seconds.
    fn coverage(&self, dt: f64) -> f64 {
        if self.size <= 0.0 || self.rate <= 0.0 || dt <= 0.0 {
            0.0
        } else {
            self.rate * dt / self.size
        }
    }

    /// Share of the part's pages, clean at the start, written within `dt`.
    pub fn hit(&self, dt: f64) -> f64 {
        let a = self.coverage(dt);
        if self.sequential {
            a.min(1.0)
        } else {
            // exp_m1 keeps full precision when a ≪ 1 (the geometric regime).
            -(-a).exp_m1()
        }
    }

    /// Share of the part's pages, each sent at a uniformly random moment of `dt`, that are
    /// written again after they were sent. A random writer: 1 − (1 − e^(−a))/a with a the
    /// coverage; a sweep: a/2 below one full sweep, 1 − 1/(2a) above.
    pub fn hit_after_send(&self, dt: f64) -> f64 {
        let a = self.coverage(dt);
        if a <= 0.0 {
            0.0
        } else if self.sequential {
            if a < 1.0 {
                a / 2.0
            } else {
                1.0 - 1.0 / (2.0 * a)
            }
        } else if a < 1e-6 {
            a / 2.0 - a * a / 6.0
        } else {
            1.0 + (-a).exp_m1() / a
        }
    }
}

impl Workload {
    /// The guest `vm` describes.
    pub fn of(vm: &Vm) -> Workload {
        Workload {
            working_set: vm.working_set_mib * MIB,
            rate: vm.dirty_rate_mibps * MIB,
            pattern: vm.pattern,
            hot_fraction: vm.hot_fraction,
            hot_share: vm.hot_share,
            write_cpu_share: vm.write_cpu_share,
        }
    }

    /// Unique bytes dirtied during `dt` seconds of guest execution.
    ///
    /// Random writes saturate: each byte of the working set escapes a write with probability
    /// e^(−D·t/W), so W·(1 − e^(−D·t/W)) are dirty. A sweep dirties min(W, D·t).
    pub fn dirtied(&self, dt: f64) -> f64 {
        self.parts().iter().map(|p| p.size * p.hit(dt)).sum()
    }

    /// The working set as the parts the guest writes uniformly: hot and cold for a hot/cold
    /// guest, the whole set otherwise (the second part then empty).
    pub fn parts(&self) -> [Part; 2] {
        let none = Part {
            size: 0.0,
            rate: 0.0,
            sequential: false,
        };
        if self.rate <= 0.0 || self.working_set <= 0.0 {
            return [none, none];
        }
        match self.pattern {
            Pattern::Random | Pattern::Sequential => [
                Part {
                    size: self.working_set,
                    rate: self.rate,
                    sequential: self.pattern == Pattern::Sequential,
                },
                none,
            ],
            Pattern::HotCold => {
                let hot = self.working_set * self.hot_fraction;
                [
                    Part {
                        size: hot,
                        rate: self.rate * self.hot_share,
                        sequential: false,
                    },
                    Part {
                        size: self.working_set - hot,
                        rate: self.rate * (1.0 - self.hot_share),
                        sequential: false,
                    },
                ]
            }
        }
    }

    /// The same guest with its vCPUs throttled by `pct` percent (QEMU auto-converge): they sleep
    /// `pct` % of the time (`cpu_throttle_thread` in `migration/cpu-throttle.c`). A guest whose
    /// writes need all its CPU writes (100 − pct) % as much; one that needs only a share of it
    /// (it writes at a pace, as a server answering requests does) catches up after each sleep
    /// and writes as much as before until the throttle leaves it less time than its writes need.
    pub fn throttled(&self, pct: f64) -> Workload {
        let running = 1.0 - pct / 100.0;
        let share = self.write_cpu_share.clamp(f64::MIN_POSITIVE, 1.0);
        Workload {
            rate: self.rate * (running / share).min(1.0),
            ..*self
        }
    }

    /// Hit rate (1/s) of one block of the hot or cold part for random writes: a block's
    /// first-dirty time after any instant is exponential with rate (writes to its part)/(part size).
    pub fn block_hit_rate(&self, hot: bool) -> f64 {
        if self.working_set <= 0.0 {
            return 0.0;
        }
        match self.pattern {
            Pattern::HotCold => {
                let (share, frac) = if hot {
                    (self.hot_share, self.hot_fraction)
                } else {
                    (1.0 - self.hot_share, 1.0 - self.hot_fraction)
                };
                if frac <= 0.0 {
                    0.0
                } else {
                    self.rate * share / (self.working_set * frac)
                }
            }
            _ => self.rate / self.working_set,
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
            hot_fraction: 0.2,
            hot_share: 0.8,
            write_cpu_share: 1.0,
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
            hot_fraction: 0.2,
            hot_share: 0.8,
            write_cpu_share: 1.0,
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
            hot_fraction: 0.2,
            hot_share: 0.8,
            write_cpu_share: 1.0,
        };
        assert_eq!(w.dirtied(100.0), 0.0);
        assert_eq!(w.block_hit_rate(false), 0.0);
    }

    #[test]
    fn hot_pages_saturate_first() {
        let w = Workload {
            working_set: 1000.0,
            rate: 100.0,
            pattern: Pattern::HotCold,
            hot_fraction: 0.2,
            hot_share: 0.8,
            write_cpu_share: 1.0,
        };
        // After a long time everything is dirty; early on, dirtying is linear in writes.
        assert!((w.dirtied(1e5) - 1000.0).abs() < 1e-6);
        assert!((w.dirtied(0.001) - 0.1).abs() < 1e-4);
        // Hot/cold dirties fewer unique pages than uniform writes over the same set: the hot
        // part soaks up most writes.
        let uniform = Workload {
            pattern: Pattern::Random,
            ..w
        };
        assert!(w.dirtied(5.0) < uniform.dirtied(5.0));
        assert!((w.block_hit_rate(true) - 0.4).abs() < 1e-12);
        assert!((w.block_hit_rate(false) - 0.025).abs() < 1e-12);
    }

    #[test]
    fn a_throttle_slows_a_paced_guest_only_once_it_takes_the_time_its_writes_need() {
        let flat_out = Workload {
            working_set: 1000.0,
            rate: 100.0,
            pattern: Pattern::Random,
            hot_fraction: 0.2,
            hot_share: 0.8,
            write_cpu_share: 1.0,
        };
        assert!((flat_out.throttled(20.0).rate - 80.0).abs() < 1e-9);
        let paced = Workload {
            write_cpu_share: 0.1,
            ..flat_out
        };
        assert_eq!(paced.throttled(20.0).rate, 100.0);
        assert!((paced.throttled(90.0).rate - 100.0).abs() < 1e-9);
        assert!((paced.throttled(95.0).rate - 50.0).abs() < 1e-9);
        assert!((paced.throttled(99.0).rate - 10.0).abs() < 1e-9);
        // A harder throttle never lets either write more.
        for w in [flat_out, paced] {
            let mut last = f64::INFINITY;
            for pct in 0..100 {
                let r = w.throttled(f64::from(pct)).rate;
                assert!(r <= last);
                last = r;
            }
        }
    }
}
