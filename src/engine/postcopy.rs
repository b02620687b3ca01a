//! Post-copy as QEMU implements it (`docs/devel/migration/postcopy.rst`,
//! `migration/postcopy-ram.c`, `migration.c` `postcopy_start`): after zero or more pre-copy
//! passes the source stops the VM, sends the device state and the list of pages still dirty
//! (as discard ranges), and the VM resumes on the destination at once. Its memory follows: the
//! source pushes the pages the destination lacks in the background, and a page the guest
//! touches before it has arrived faults; the destination asks for it over the return path and
//! the vCPU waits a round trip, the page's own transfer and, without `postcopy-preempt`, the
//! push already queued ahead of it in the channel.
//!
//! The source is stopped, so no page is sent twice: the post-copy phase moves what was dirty at
//! the switch once, in memory ÷ bandwidth, however many pages fault. What faults decide is how
//! much of that time the guest spends waiting. A network failure in this phase leaves neither
//! host with the whole VM.

use super::transport::PAGE_BYTES;

/// Bytes a fault waits behind without `postcopy-preempt`: the background push already in the
/// migration channel. Calibrated on QEMU 10.0.2 under TCG on the project's build machine, where
/// a request waited 21.7–25.3 ms at a post-copy rate of 16 MiB/s (0.36–0.42 MB;
/// `docs/model.md`). Peter Xu's preempt series measured 10.68 ms per 4 KiB fault without
/// preempt and 0.57 ms with it ("migration: Postcopy Preemption", qemu-devel, 2022).
pub const QUEUED_BYTES: f64 = 0.4e6;

/// Seconds the destination takes to place one page in post-copy. Every page, a zero page too,
/// enters the guest's memory through an ioctl of its own on the one listening thread
/// (`postcopy_place_page`: `UFFDIO_COPY`; `postcopy_place_page_zero`: `UFFDIO_ZEROPAGE`;
/// `migration/postcopy-ram.c`, from `ram_load_postcopy` in `ram.c`), where pre-copy leaves a
/// zero page alone in memory that is already zero (`ram_handle_zero`). The placing runs
/// alongside the source's scan and the link, so post-copy moves at most a page per this long.
/// Calibrated on one lab run (1 GiB after 0 passes: 262,144 pages in 0.33 s; `docs/lab.md`),
/// then predicted for the held-out 256 MiB runs after 0 passes.
pub const PLACE_PAGE_S: f64 = 1.2e-6;

/// Bytes per discard range at the switch (`postcopy_each_ram_send_discard`: start and length,
/// 8 bytes each).
pub const DISCARD_RANGE_BYTES: f64 = 16.0;

/// Euler steps per transfer burst: the guest's waiting changes slowly against a burst.
const STEPS: usize = 32;

/// The post-copy phase's account, as the trace keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PostcopyRecord {
    /// When the VM stopped on the source, and when it resumed on the destination.
    pub switch_s: f64,
    pub resume_s: f64,
    /// When the last page arrived: until then a network failure loses the VM.
    pub end_s: f64,
    /// Pages the guest faulted on (fetched on demand) and pages pushed in the background.
    pub faulted_pages: f64,
    pub pushed_pages: f64,
    /// Memory still to arrive when the VM resumed, bytes.
    pub bytes: f64,
    /// vCPU time spent waiting for pages (QEMU's `postcopy-blocktime`), s.
    pub blocktime_s: f64,
    /// Mean time one fault waits, s.
    pub fault_wait_s: f64,
    /// Share of the phase the guest could not run: blocktime ÷ phase length.
    pub slowdown: f64,
    /// The guest over the phase: (time, pages faulted so far, pages pushed so far, share of the
    /// last step it ran), for the page's animation.
    pub samples: Vec<PostcopySample>,
}

impl PostcopyRecord {
    /// Pages faulted and pushed by `t` (the samples, joined by straight lines).
    pub fn arrived_at(&self, t: f64) -> (f64, f64) {
        let s = &self.samples;
        let i = s.partition_point(|x| x.t_s <= t);
        match (i.checked_sub(1).map(|j| s[j]), s.get(i)) {
            (None, _) => (0.0, 0.0),
            (Some(a), None) => (a.faulted_pages, a.pushed_pages),
            (Some(a), Some(b)) => {
                let f = (t - a.t_s) / (b.t_s - a.t_s).max(f64::MIN_POSITIVE);
                (
                    a.faulted_pages + f * (b.faulted_pages - a.faulted_pages),
                    a.pushed_pages + f * (b.pushed_pages - a.pushed_pages),
                )
            }
        }
    }

    /// The share of the time the guest could run around `t` (1 outside the phase).
    pub fn running_at(&self, t: f64) -> f64 {
        if t < self.resume_s || t > self.end_s {
            return 1.0;
        }
        let i = self.samples.partition_point(|x| x.t_s < t);
        self.samples.get(i).map_or(1.0, |s| s.running)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PostcopySample {
    pub t_s: f64,
    pub faulted_pages: f64,
    pub pushed_pages: f64,
    pub running: f64,
}

/// The guest and its missing pages while post-copy runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Guest {
    /// Pages still to arrive, and how many of them the guest's working set holds.
    left: f64,
    missing_ws: f64,
    ws_pages: f64,
    /// Distinct pages the guest touches per second of running.
    touch_rate: f64,
    preempt: bool,
    rtt_s: f64,
    record: PostcopyRecord,
}

impl Guest {
    /// A guest that stopped at `switch_s` and resumed at `resume_s` with `pages` still to
    /// arrive, `missing_ws` of them in its working set of `ws_pages`, touching `touch_rate`
    /// pages/s.
    pub fn new(
        (switch_s, resume_s): (f64, f64),
        pages: f64,
        (missing_ws, ws_pages): (f64, f64),
        touch_rate: f64,
        preempt: bool,
        rtt_s: f64,
    ) -> Guest {
        Guest {
            left: pages,
            missing_ws: missing_ws.min(pages),
            ws_pages,
            touch_rate,
            preempt,
            rtt_s,
            record: PostcopyRecord {
                switch_s,
                resume_s,
                end_s: resume_s,
                faulted_pages: 0.0,
                pushed_pages: 0.0,
                bytes: pages * PAGE_BYTES,
                blocktime_s: 0.0,
                fault_wait_s: 0.0,
                slowdown: 0.0,
                samples: vec![PostcopySample {
                    t_s: resume_s,
                    faulted_pages: 0.0,
                    pushed_pages: 0.0,
                    running: if missing_ws > 0.0 { 0.0 } else { 1.0 },
                }],
            },
        }
    }

    /// Time one fault waits at a transfer rate of `wire_rate` bytes/s with `wire_per_page`
    /// wire bytes a page.
    pub fn fault_wait(&self, wire_rate: f64, wire_per_page: f64) -> f64 {
        let rate = wire_rate.max(f64::MIN_POSITIVE);
        let queue = if self.preempt {
            0.0
        } else {
            QUEUED_BYTES / rate
        };
        self.rtt_s + wire_per_page / rate + queue
    }

    /// `pages` more pages arrived over `dt` seconds ending at `t` at `wire_rate`: some
    /// faulted, the rest pushed in page order, which spreads them evenly over what is left.
    pub fn arrived(&mut self, t: f64, dt: f64, pages: f64, wire_rate: f64, wire_per_page: f64) {
        let wait = self.fault_wait(wire_rate, wire_per_page);
        let pages = pages.min(self.left);
        let (mut faulted, mut blocked, mut running_time) = (0.0, 0.0, 0.0);
        if dt > 0.0 && pages > 0.0 {
            let h = dt / STEPS as f64;
            let per_step = pages / STEPS as f64;
            for _ in 0..STEPS {
                let m = if self.ws_pages > 0.0 {
                    (self.missing_ws / self.ws_pages).min(1.0)
                } else {
                    0.0
                };
                // The guest runs a share g of the time: each second running it meets a·m
                // missing pages and waits `wait` on each.
                let demand = self.touch_rate * m;
                let g = 1.0 / (1.0 + demand * wait);
                let f = (demand * g * h).min(per_step).min(self.missing_ws);
                let pushed = per_step - f;
                let ws_share = if self.left > 0.0 {
                    ((self.missing_ws - f) / self.left).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                self.missing_ws = (self.missing_ws - f - pushed * ws_share).max(0.0);
                self.left = (self.left - per_step).max(0.0);
                faulted += f;
                blocked += (1.0 - g) * h;
                running_time += g * h;
            }
        } else if dt > 0.0 {
            running_time = dt;
        }
        let r = &mut self.record;
        r.faulted_pages += faulted;
        r.pushed_pages += pages - faulted;
        r.blocktime_s += blocked;
        r.end_s = t;
        r.samples.push(PostcopySample {
            t_s: t,
            faulted_pages: r.faulted_pages,
            pushed_pages: r.pushed_pages,
            running: if dt > 0.0 { running_time / dt } else { 1.0 },
        });
    }

    pub fn left(&self) -> f64 {
        self.left
    }

    /// The record, closed at `t`.
    pub fn finish(mut self, t: f64) -> PostcopyRecord {
        let r = &mut self.record;
        r.end_s = t;
        let phase = t - r.resume_s;
        r.slowdown = if phase > 0.0 {
            (r.blocktime_s / phase).min(1.0)
        } else {
            0.0
        };
        r.fault_wait_s = if r.faulted_pages > 0.0 {
            r.blocktime_s / r.faulted_pages
        } else {
            0.0
        };
        self.record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lab's post-copy run: 8192 pages of working set all missing, the guest touching
    /// 8192 pages/s, 16 MiB/s of post-copy bandwidth on loopback.
    fn run(preempt: bool) -> PostcopyRecord {
        let rate = 16.0 * 1048576.0;
        let per_page = PAGE_BYTES + 8.0;
        let pages = 8192.0;
        let mut g = Guest::new((0.0, 0.005), pages, (pages, pages), 8192.0, preempt, 1e-4);
        let mut t = 0.005;
        while g.left() > 0.0 {
            let n = g.left().min(200.0);
            let dt = n * per_page / rate;
            t += dt;
            g.arrived(t, dt, n, rate, per_page);
        }
        g.finish(t)
    }

    #[test]
    fn faults_wait_behind_the_push_unless_preempted() {
        let vanilla = run(false);
        let pre = run(true);
        // The phase lasts memory ÷ bandwidth however the guest faults.
        let phase = 8192.0 * 4104.0 / (16.0 * 1048576.0);
        for r in [&vanilla, &pre] {
            assert!((r.end_s - 0.005 - phase).abs() < 1e-9);
            assert!((r.faulted_pages + r.pushed_pages - 8192.0).abs() < 1e-6);
        }
        // Without preempt a fault waits ~24 ms (QEMU here: 21.7–25.3 ms) and the guest barely
        // runs; with it, a fraction of a millisecond and the guest runs a good part of the time.
        let w = Guest::new((0.0, 0.0), 1.0, (1.0, 1.0), 1.0, false, 1e-4)
            .fault_wait(16.0 * 1048576.0, 4104.0);
        assert!(w > 0.020 && w < 0.027, "{w}");
        assert!(vanilla.slowdown > 0.9, "{}", vanilla.slowdown);
        assert!(pre.slowdown < vanilla.slowdown);
        assert!(pre.faulted_pages > 10.0 * vanilla.faulted_pages);
        assert!(pre.blocktime_s < vanilla.blocktime_s);
    }

    #[test]
    fn a_guest_with_nothing_missing_never_waits() {
        let mut g = Guest::new((0.0, 0.0), 1000.0, (0.0, 500.0), 1e6, false, 1e-3);
        g.arrived(1.0, 1.0, 1000.0, 4.1e6, 4104.0);
        let r = g.finish(1.0);
        assert_eq!(r.faulted_pages, 0.0);
        assert_eq!(r.blocktime_s, 0.0);
        assert_eq!(r.slowdown, 0.0);
    }
}
