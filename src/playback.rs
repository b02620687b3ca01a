//! The one playback clock through which the UI reads a trace: simulated time, play/pause and
//! speed. Pure state, advanced by wall-clock deltas from the animation loop, so it behaves the
//! same at 60 Hz, 120 Hz or in a throttled tab.

/// Playback speeds offered to the user (simulated seconds per wall-clock second).
pub const SPEEDS: [f64; 11] = [
    0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0,
];
/// A migration should play in about this many seconds at the suggested speed.
pub const TARGET_PLAY_S: f64 = 15.0;
/// Longest wall-clock step accepted from one frame: a tab that slept does not jump to the end.
pub const MAX_FRAME_S: f64 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    /// Simulated time, seconds.
    pub t: f64,
    pub duration: f64,
    pub playing: bool,
    pub speed: f64,
}

impl Clock {
    pub fn new(duration: f64) -> Clock {
        Clock {
            t: 0.0,
            duration: sanitize(duration),
            playing: false,
            speed: suggested_speed(duration),
        }
    }

    /// Advances by a wall-clock delta; stops at the end.
    pub fn tick(&mut self, wall_dt: f64) {
        if !self.playing {
            return;
        }
        let dt = sanitize(wall_dt).min(MAX_FRAME_S);
        self.t = (self.t + dt * self.speed).min(self.duration);
        if self.t >= self.duration {
            self.playing = false;
        }
    }

    pub fn play(&mut self) {
        if self.at_end() {
            self.t = 0.0;
        }
        self.playing = self.duration > 0.0;
    }

    pub fn toggle(&mut self) {
        if self.playing {
            self.playing = false;
        } else {
            self.play();
        }
    }

    pub fn restart(&mut self) {
        self.t = 0.0;
        self.playing = self.duration > 0.0;
    }

    pub fn seek(&mut self, t: f64) {
        self.t = sanitize(t).min(self.duration);
    }

    pub fn set_speed(&mut self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.speed = speed;
        }
    }

    pub fn at_end(&self) -> bool {
        self.t >= self.duration
    }

    /// A new trace replaced the old one: keep the moment being looked at (or the end, if the
    /// old run had finished) so the effect of a change is visible at once.
    pub fn retarget(&mut self, duration: f64) {
        let was_at_end = self.at_end() && !self.playing;
        let new = sanitize(duration);
        // A run several times longer or shorter gets a speed that plays it in a sensible time.
        if self.duration > 0.0 && new > 0.0 && (new / self.duration).max(self.duration / new) > 4.0
        {
            self.speed = suggested_speed(new);
        }
        self.duration = new;
        self.t = if was_at_end {
            self.duration
        } else {
            self.t.min(self.duration)
        };
        if self.at_end() {
            self.playing = false;
        }
    }

    /// Fraction of the run shown, 0..=1.
    pub fn progress(&self) -> f64 {
        if self.duration > 0.0 {
            self.t / self.duration
        } else {
            1.0
        }
    }
}

fn sanitize(x: f64) -> f64 {
    if x.is_finite() {
        x.max(0.0)
    } else {
        0.0
    }
}

/// The offered speed that plays `duration` closest to `TARGET_PLAY_S`.
pub fn suggested_speed(duration: f64) -> f64 {
    let want = sanitize(duration) / TARGET_PLAY_S;
    SPEEDS
        .iter()
        .copied()
        .min_by(|a, b| {
            let da = (a.ln() - want.max(1e-9).ln()).abs();
            let db = (b.ln() - want.max(1e-9).ln()).abs();
            da.total_cmp(&db)
        })
        .unwrap_or(1.0)
}

/// A migration's first pass should end within this many wall-clock seconds at the suggested
/// speed, so that a reader sees the second pass begin without waiting.
pub const FIRST_PASS_WALL_S: f64 = 10.0;

/// `suggested_speed(duration)`, but fast enough that a first pass ending at `first_pass_end`
/// s plays within `FIRST_PASS_WALL_S`.
pub fn suggested_speed_for(duration: f64, first_pass_end: Option<f64>) -> f64 {
    let base = suggested_speed(duration);
    let Some(end) = first_pass_end.filter(|e| e.is_finite() && *e > 0.0) else {
        return base;
    };
    if end / base <= FIRST_PASS_WALL_S {
        return base;
    }
    SPEEDS
        .iter()
        .copied()
        .find(|v| end / v <= FIRST_PASS_WALL_S)
        .unwrap_or(SPEEDS[SPEEDS.len() - 1])
}

/// The factor by which to slow playback at simulated time `t` so that `span` (the blackout)
/// lasts at least `min_wall_s` seconds of wall time at `speed`; 1 outside it or when it is
/// long enough already.
pub fn slow_motion(t: f64, span: (f64, f64), speed: f64, min_wall_s: f64) -> f64 {
    let (a, b) = span;
    if b <= a || t < a || t >= b {
        return 1.0;
    }
    let wall = (b - a) / speed.max(1e-9);
    if wall >= min_wall_s {
        1.0
    } else {
        wall / min_wall_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_to_the_end_and_stops() {
        let mut c = Clock::new(10.0);
        c.set_speed(2.0);
        c.play();
        c.tick(0.1);
        assert!((c.t - 0.2).abs() < 1e-12);
        for _ in 0..100 {
            c.tick(0.1);
        }
        assert_eq!(c.t, 10.0);
        assert!(!c.playing);
        c.play();
        assert_eq!(c.t, 0.0, "play at the end starts over");
    }

    #[test]
    fn long_frames_are_clamped_and_garbage_ignored() {
        let mut c = Clock::new(100.0);
        c.set_speed(1.0);
        c.play();
        c.tick(30.0);
        assert_eq!(c.t, MAX_FRAME_S);
        c.tick(f64::NAN);
        c.tick(-5.0);
        assert_eq!(c.t, MAX_FRAME_S);
        c.set_speed(f64::INFINITY);
        assert_eq!(c.speed, 1.0);
    }

    #[test]
    fn seek_works_backwards_and_clamps() {
        let mut c = Clock::new(50.0);
        c.seek(40.0);
        c.seek(10.0);
        assert_eq!(c.t, 10.0);
        c.seek(1e9);
        assert_eq!(c.t, 50.0);
        c.seek(-1.0);
        assert_eq!(c.t, 0.0);
    }

    #[test]
    fn retarget_keeps_the_moment_or_the_end() {
        let mut c = Clock::new(50.0);
        c.seek(20.0);
        c.retarget(30.0);
        assert_eq!(c.t, 20.0);
        c.retarget(10.0);
        assert_eq!(c.t, 10.0);
        assert!(c.at_end());
        c.retarget(80.0);
        assert_eq!(c.t, 80.0, "a finished run stays finished");
    }

    #[test]
    fn a_much_longer_run_gets_a_faster_speed() {
        let mut c = Clock::new(18.0);
        assert_eq!(c.speed, 1.0);
        c.retarget(20.0);
        assert_eq!(c.speed, 1.0, "small changes keep the reader's speed");
        c.retarget(2400.0);
        assert_eq!(c.speed, 200.0);
    }

    #[test]
    fn suggested_speed_targets_fifteen_seconds() {
        assert_eq!(suggested_speed(42.0), 2.0);
        assert_eq!(suggested_speed(150.0), 10.0);
        assert_eq!(suggested_speed(3000.0), 200.0);
        assert_eq!(suggested_speed(0.0), 0.1);
    }

    #[test]
    fn the_blackout_plays_for_at_least_two_seconds() {
        // A 150 ms blackout at 1× would flash by; slowed, it lasts 2 s of wall time.
        let k = slow_motion(10.05, (10.0, 10.15), 1.0, 2.0);
        assert!((0.15 / k - 2.0).abs() < 1e-9, "{k}");
        assert_eq!(slow_motion(9.0, (10.0, 10.15), 1.0, 2.0), 1.0);
        assert_eq!(slow_motion(10.2, (10.0, 10.15), 1.0, 2.0), 1.0);
        // A long blackout is not slowed.
        assert_eq!(slow_motion(12.0, (10.0, 20.0), 1.0, 2.0), 1.0);
        // Faster playback is slowed more.
        assert!(slow_motion(10.05, (10.0, 10.15), 4.0, 2.0) < k);
    }
}
