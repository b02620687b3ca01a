//! Studies: many runs of one scenario, each with one thing changed. The page's sweep and
//! spread views, the command line's `sweep` and the JS API's `sweep` all take their values and
//! their statistics from here.

use crate::engine::Scenario;

use super::edits::Param;
use crate::chapters::SWEEP_PARAMS;
pub use crate::stats::{median, quantile};

/// How a sweep spaces its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum Spacing {
    /// Log when both ends are positive and one is ten times the other or more (link speeds,
    /// memory, bandwidth caps), linear otherwise.
    #[default]
    Auto,
    Linear,
    Log,
}

impl Spacing {
    /// Whether the values from `from` to `to` are spaced on a log scale. `Log` over a range
    /// that is not positive throughout is linear: it has no log scale.
    pub fn is_log(self, from: f64, to: f64) -> bool {
        let positive = from > 0.0 && to > 0.0;
        match self {
            Spacing::Linear => false,
            Spacing::Log => positive,
            Spacing::Auto => positive && from.max(to) / from.min(to) >= 10.0,
        }
    }
}

/// The `i`-th of `n` values from `from` to `to`, both ends exact. Weighting the ends (rather
/// than adding a fraction of `to - from`) cannot overflow for finite ends.
pub fn sweep_value(from: f64, to: f64, i: usize, n: usize, spacing: Spacing) -> f64 {
    if n <= 1 || i == 0 {
        return from;
    }
    if i >= n - 1 {
        return to;
    }
    let f = i as f64 / (n - 1) as f64;
    if spacing.is_log(from, to) {
        (from.ln() * (1.0 - f) + to.ln() * f).exp()
    } else {
        from * (1.0 - f) + to * f
    }
}

/// `n` values from `from` to `to` (at least the two ends when `n` ≥ 2).
pub fn sweep_values(from: f64, to: f64, n: usize, spacing: Spacing) -> Vec<f64> {
    (0..n)
        .map(|i| sweep_value(from, to, i, n, spacing))
        .collect()
}

/// The sweep parameter named `name`, if a chapter (or the JS API) may vary it.
pub fn sweep_param(name: &str) -> Option<Param> {
    Param::from_name(name).filter(|_| SWEEP_PARAMS.contains(&name))
}

/// The `i`-th run of a spread: the same migration with another seed, so other background
/// traffic on a shared network.
pub fn seeded(s: &Scenario, i: usize) -> Scenario {
    let mut s = s.clone();
    s.seed = s.seed.wrapping_add(i as u64);
    s
}

/// What a spread of runs found: how many ran, how many finished, and the finished ones' total
/// times (s).
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub runs: usize,
    pub unfinished: usize,
    pub lo: f64,
    pub median: f64,
    pub p90: f64,
    pub hi: f64,
}

impl Spread {
    /// The spread of `runs`: each the total time of a run that finished, or `None`.
    pub fn of(runs: &[Option<f64>]) -> Spread {
        let done: Vec<f64> = runs.iter().flatten().copied().collect();
        let lo = done.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = done.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Spread {
            runs: runs.len(),
            unfinished: runs.len() - done.len(),
            median: median(done.clone()),
            p90: quantile(done, 0.9),
            lo,
            hi,
        }
    }

    /// Whether every run finished in the same time (to a part in a million).
    pub fn consistent(&self) -> bool {
        self.unfinished == 0 && self.hi - self.lo <= self.hi.abs() * 1e-6
    }
}
