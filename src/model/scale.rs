//! Slider scales for quantities that span decades: a linear slider over 0–4000 MiB/s moves
//! 20 MiB/s a pixel, so the 40 MiB/s a chapter asks for cannot be dragged to.

/// Round values, finer where the values are small: from each band's start, in its step, up to
/// the next band's start (the last band ends at `high`). Position 0 is the first value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NiceScale {
    /// `(from, step)`, `from` rising; every `from` a multiple of its step.
    pub bands: &'static [(f64, f64)],
    pub high: f64,
}

/// The dirty-rate slider, 0 to 4000 MiB/s (beyond that, typing): whole MiB/s up to 50, then no
/// step over 5 % of the value.
pub const DIRTY_RATE: NiceScale = NiceScale {
    bands: &[
        (0.0, 1.0),
        (50.0, 2.0),
        (100.0, 5.0),
        (200.0, 10.0),
        (500.0, 25.0),
        (1000.0, 50.0),
        (2000.0, 100.0),
    ],
    high: 4000.0,
};

impl NiceScale {
    /// How many values each band holds.
    fn counts(&self) -> impl Iterator<Item = (f64, f64, u32)> + '_ {
        self.bands.iter().enumerate().map(|(i, &(from, step))| {
            let to = self.bands.get(i + 1).map_or(self.high + step, |b| b.0);
            (from, step, ((to - from) / step).round() as u32)
        })
    }

    /// The last position.
    pub fn steps(&self) -> u32 {
        self.counts().map(|(.., n)| n).sum::<u32>() - 1
    }

    /// The value at slider position `pos`.
    pub fn value(&self, pos: f64) -> f64 {
        let mut left = pos.round().clamp(0.0, f64::from(self.steps())) as u32;
        for (from, step, n) in self.counts() {
            if left < n {
                return from + f64::from(left) * step;
            }
            left -= n;
        }
        self.high
    }

    /// The position whose value is nearest `v` (a typed value beyond the ends sits at an end).
    pub fn position(&self, v: f64) -> f64 {
        let mut at = 0u32;
        for (from, step, n) in self.counts() {
            let k = ((v - from) / step).round();
            if k < f64::from(n) {
                return f64::from(at) + k.max(0.0);
            }
            at += n;
        }
        f64::from(self.steps())
    }
}
