//! Other traffic on a shared network: quiet spells and bursts drawn from the seed.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::transport::RateBreakdown;
use super::units::gbps_to_bytes_per_s;

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

/// Long-run mean wire rate and offered background of a shared link, capped at `limit`.
pub(crate) fn long_run(rates: &RateBreakdown, limit: f64) -> (f64, f64) {
    (
        long_run_mean(|x| rates.wire_rate(x).min(limit)),
        long_run_mean(|x| x),
    )
}

/// The long-run mean of `f(offered)` on a shared link: quiet and busy spells weighted by their
/// mean lengths, each range integrated by the midpoint rule.
pub(crate) fn long_run_mean(f: impl Fn(f64) -> f64) -> f64 {
    const N: usize = 16;
    let mut mean = 0.0;
    let total = QUIET_MEAN_S + BURST_MEAN_S;
    for ((lo, hi), weight) in [
        (QUIET_GBPS, QUIET_MEAN_S / total),
        (BURST_GBPS, BURST_MEAN_S / total),
    ] {
        for i in 0..N {
            let x = gbps_to_bytes_per_s(lo + (hi - lo) * (i as f64 + 0.5) / N as f64);
            mean += weight / N as f64 * f(x);
        }
    }
    mean
}
