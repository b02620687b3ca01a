//! One migration as a state machine: setup → (storage copy) → pre-copy passes → stop-and-copy →
//! switchover → cleanup. The single-VM run and every migration of a cluster step through this
//! same machine; what drives it decides only *when* it starts and *how fast* its bytes move.
//!
//! The driver asks [`Machine::step`] what the migration needs next — to wait for a timed stage,
//! or to move bytes — and reports back with [`Machine::waited`] or [`Machine::sent`]. The machine
//! applies the stop policy, dirties memory, records passes and keeps the CPU accounts.

use serde::Serialize;

use super::policy::{decide, stop_threshold, Decision, PolicyState};
use super::postcopy::{Guest, PostcopyRecord};
#[cfg(feature = "full")]
use super::postcopy::{DISCARD_RANGE_BYTES, PLACE_PAGE_S};
use super::scenario::{Overheads, PostcopySwitch, Scenario, StopPolicy};
use super::trace::{LinkSegment, Outcome, PassRecord, PhaseKind, PhaseSpan, StopCopyRecord};
use super::transport::{xen_round_limit, Encoded, RateBreakdown, PAGE_BYTES};
use super::units::MIB;
use super::workload::{Part, Workload};
#[cfg(feature = "full")]
use super::xbzrle::writes_per_dirty_page;
use super::xbzrle::{Cache, XbzrlePages};

/// Where a migration is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for a free slot (cluster only).
    Queued,
    Setup,
    /// Shared-nothing only: copying the virtual disks.
    Storage,
    Precopy,
    Blackout,
    Switchover,
    /// Post-copy: the VM runs on the destination while the pages it lacks follow.
    Postcopy,
    Cleanup,
    Done,
}

impl Stage {
    /// The single-VM phase this stage is drawn as.
    pub fn phase(self) -> Option<PhaseKind> {
        Some(match self {
            Stage::Queued | Stage::Setup | Stage::Storage => PhaseKind::Setup,
            Stage::Precopy => PhaseKind::Precopy,
            Stage::Blackout => PhaseKind::StopCopy,
            Stage::Switchover => PhaseKind::Switchover,
            Stage::Postcopy => PhaseKind::Postcopy,
            Stage::Cleanup => PhaseKind::Cleanup,
            Stage::Done => return None,
        })
    }

    /// Whether bytes move in this stage.
    pub fn transfers(self) -> bool {
        matches!(
            self,
            Stage::Storage | Stage::Precopy | Stage::Blackout | Stage::Postcopy
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSpan {
    pub stage: Stage,
    /// 1-based pass number for `Precopy`, 0 otherwise.
    pub pass: u32,
    pub start_s: f64,
    pub end_s: f64,
}

/// What the migration needs next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Nothing moves until `until` (setup, switchover, cleanup).
    Wait {
        until: f64,
    },
    /// Move `wire` bytes, no faster than `limit` bytes/s (the CPU and Xen's round limit), and
    /// give up at `deadline` (infinite for the stop-and-copy, which cannot be cancelled).
    Send {
        wire: f64,
        limit: f64,
        deadline: f64,
    },
    Done,
}

pub(crate) fn round_to_pages(bytes: f64) -> f64 {
    (bytes / PAGE_BYTES).round() * PAGE_BYTES
}

/// QEMU re-checks what is pending after each burst it sends; a burst lasts at most this long
/// (`migration_iteration_run` runs `qemu_savevm_state_iterate` between checks, and
/// `ram_save_iterate` stops after `MAX_WAIT` = 50 ms).
pub const BURST_S: f64 = 0.05;

/// QEMU measures bandwidth over windows of this length (`BUFFER_DELAY` = 100 ms in
/// `migration_update_counters`) and recomputes the threshold from it.
pub const BANDWIDTH_WINDOW_S: f64 = 0.1;

/// Wire bytes/s over the last `window` seconds before `t`, or over what there is when the
/// transfer is younger.
pub(crate) fn window_rate(segments: &[LinkSegment], t: f64, window: f64) -> Option<f64> {
    let from = t - window;
    let mut bytes = 0.0;
    let mut start = t;
    for sg in segments.iter().rev() {
        if sg.end_s <= from {
            break;
        }
        let a = sg.start_s.max(from);
        let b = sg.end_s.min(t);
        if b > a {
            bytes += sg.wire_rate * (b - a);
            start = start.min(a);
        }
    }
    (t > start).then(|| bytes / (t - start))
}

/// Seconds after `start` at which `bytes` have crossed the link, over `segments`.
pub(crate) fn wire_time(segments: &[LinkSegment], start: f64, bytes: f64) -> f64 {
    let mut left = bytes;
    for sg in segments {
        let cap = sg.wire_rate * (sg.end_s - sg.start_s);
        if left <= cap {
            return sg.start_s + left / sg.wire_rate.max(f64::MIN_POSITIVE) - start;
        }
        left -= cap;
    }
    segments.last().map_or(0.0, |sg| sg.end_s - start)
}

/// What a pass sets out to send: dirty pages of each part of the working set, other written
/// pages (pass 1 only, or left over from a pass cut short), and never-written ones.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Pending {
    parts: [f64; 2],
    other: f64,
    zero: f64,
}

impl Pending {
    fn data(&self) -> f64 {
        self.parts[0] + self.parts[1] + self.other
    }
    fn total(&self) -> f64 {
        self.data() + self.zero
    }
}

/// One migration in progress and everything it has recorded so far.
#[derive(Debug, Clone)]
pub struct Machine {
    policy: StopPolicy,
    overheads: Overheads,
    rates: RateBreakdown,
    stop_rates: RateBreakdown,
    workload: Workload,
    state: PolicyState,
    written: f64,
    untouched: f64,
    memory: f64,
    storage: f64,
    deadline: f64,
    stage: Stage,
    pass: u32,
    now: f64,
    stage_start: f64,
    /// The transfer under way: what it encodes, its wire bytes, how many are through, its
    /// rate limit.
    enc: Encoded,
    extra: f64,
    wire: f64,
    done: f64,
    limit: f64,
    /// What the current pass sends.
    pending: Pending,
    /// First segment of the current pass.
    pass_segments: Option<usize>,
    /// The wire rate measured over the last window (QEMU's bandwidth estimate).
    rate_estimate: f64,
    /// Dirty rate the last pass saw (Xen's adaptive rounds follow it).
    prev_dirty_rate: f64,
    /// How long the last pass took: the pages of this one were dirtied over it.
    prev_pass_s: f64,
    /// XBZRLE's cache, when XBZRLE is on; bytes a write changes; what it made of the current
    /// transfer's pages.
    xbzrle: Option<Cache>,
    #[cfg_attr(not(feature = "full"), allow(dead_code))]
    write_bytes: f64,
    xb_pages: Option<XbzrlePages>,
    /// When post-copy takes over, if it is on; what it will move, once switched; the guest
    /// on the destination while it runs, and its record once done.
    postcopy_switch: Option<PostcopySwitch>,
    postcopy_pending: Option<Pending>,
    #[cfg_attr(not(feature = "full"), allow(dead_code))]
    guest: Option<Guest>,
    /// Where the post-copy's last burst ended, and its burst size.
    postcopy_mark: (f64, f64),
    pub postcopy: Option<PostcopyRecord>,
    pub stages: Vec<StageSpan>,
    pub passes: Vec<PassRecord>,
    pub stop_copy: Option<StopCopyRecord>,
    pub outcome: Option<Outcome>,
    pub downtime_s: f64,
    pub wire_bytes: f64,
    pub memory_bytes: f64,
    pub cpu_source_core_s: f64,
    pub cpu_dest_core_s: f64,
}

impl Machine {
    /// A migration of the VM `s` describes that starts at `t`; `storage_bytes` of virtual disk
    /// are copied first (shared-nothing), 0 with shared storage. `s` must be valid.
    pub fn new(s: &Scenario, storage_bytes: f64, t: f64) -> Machine {
        let rates = RateBreakdown::new(s);
        let memory = s.vm.memory_mib * MIB;
        let untouched = s.vm.untouched_mib * MIB;
        Machine {
            policy: s.policy.clone(),
            overheads: s.overheads.clone(),
            stop_rates: rates.for_stop_copy(),
            rate_estimate: rates.wire_rate(0.0),
            rates,
            workload: Workload::of(&s.vm),
            state: PolicyState::new(t),
            written: memory - untouched,
            untouched,
            memory,
            storage: storage_bytes,
            deadline: t + s.timeout_s,
            stage: Stage::Setup,
            pass: 0,
            now: t,
            stage_start: t,
            enc: Encoded::default(),
            extra: 0.0,
            wire: 0.0,
            done: 0.0,
            limit: f64::INFINITY,
            pending: Pending::default(),
            pass_segments: None,
            prev_dirty_rate: 0.0,
            prev_pass_s: 0.0,
            xbzrle: s
                .policy
                .xbzrle_cache()
                .filter(|_| cfg!(feature = "full"))
                .map(|bytes| {
                    let parts = Workload::of(&s.vm).parts();
                    Cache::new(bytes, parts[0].size + parts[1].size)
                }),
            write_bytes: s.vm.write_bytes,
            xb_pages: None,
            postcopy_switch: s.policy.postcopy().filter(|_| cfg!(feature = "full")),
            postcopy_pending: None,
            guest: None,
            postcopy_mark: (t, 0.0),
            postcopy: None,
            stages: Vec::new(),
            passes: Vec::new(),
            stop_copy: None,
            outcome: None,
            downtime_s: 0.0,
            wire_bytes: 0.0,
            memory_bytes: 0.0,
            cpu_source_core_s: 0.0,
            cpu_dest_core_s: 0.0,
        }
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The current pass (1-based) while in pre-copy.
    pub fn pass(&self) -> u32 {
        self.pass
    }

    pub fn now(&self) -> f64 {
        self.now
    }

    /// The path as seen by the pre-copy.
    pub fn rates(&self) -> &RateBreakdown {
        &self.rates
    }

    /// The path the current transfer runs on (QEMU lifts its bandwidth cap once the VM stops).
    /// Whether Xen's stop policy runs it (its adaptive rounds cap the rate).
    pub fn is_xen(&self) -> bool {
        matches!(self.policy, StopPolicy::Xen { .. })
    }

    /// Whether `send_rates` is the stop-and-copy's (the blackout's) rather than the passes'.
    /// Each is fixed for the machine's life, so this tells a caller when a rate it derived
    /// from them still holds.
    /// Post-copy runs as the stop-and-copy does, without QEMU's `max-bandwidth`
    /// (`max-postcopy-bandwidth`, unlimited by default, applies instead).
    pub fn sends_stop_copy(&self) -> bool {
        matches!(self.stage, Stage::Blackout | Stage::Postcopy)
    }

    pub fn send_rates(&self) -> &RateBreakdown {
        if self.sends_stop_copy() {
            &self.stop_rates
        } else {
            &self.rates
        }
    }

    /// Core-seconds per wire byte the current transfer costs the source (transport plus
    /// compression or zero scan) and the destination (transport plus decompression).
    pub fn cpu_per_wire_byte(&self) -> (f64, f64) {
        let per = |core_s: f64| {
            if self.wire > 0.0 {
                core_s / self.wire
            } else {
                0.0
            }
        };
        let tcp = self.rates.transport_core_s_per_byte;
        (
            tcp + per(self.enc.compress_core_s),
            tcp + per(self.enc.decompress_core_s),
        )
    }

    pub fn step(&self) -> Step {
        match self.stage {
            Stage::Queued | Stage::Setup => Step::Wait {
                until: (self.stage_start + self.overheads.setup_s).min(self.deadline),
            },
            Stage::Switchover => Step::Wait {
                until: self.stage_start + self.overheads.switchover_ms / 1000.0,
            },
            Stage::Cleanup => Step::Wait {
                until: self.stage_start + self.overheads.cleanup_s,
            },
            Stage::Storage | Stage::Precopy => Step::Send {
                wire: self.burst(),
                limit: self.limit,
                deadline: self.deadline,
            },
            Stage::Blackout => Step::Send {
                wire: self.wire - self.done,
                limit: self.limit,
                deadline: f64::INFINITY,
            },
            // In bursts, so that the guest's waiting follows the pages as they arrive; it
            // cannot be cancelled (the VM runs on the destination).
            Stage::Postcopy => Step::Send {
                wire: self.postcopy_mark.1.min(self.wire - self.done),
                limit: self.limit,
                deadline: f64::INFINITY,
            },
            Stage::Done => Step::Done,
        }
    }

    /// Wire bytes to send before the next check. QEMU checks after every burst and syncs the
    /// dirty bitmap as soon as what is left of the pass falls below its threshold, so a pass
    /// runs until then (at the bandwidth it last measured) and at least one burst more when
    /// the bandwidth turned out lower. Other hypervisors decide at the end of a pass.
    fn burst(&self) -> f64 {
        let left = (self.wire - self.done).max(0.0);
        if self.stage != Stage::Precopy || !matches!(self.policy, StopPolicy::Qemu { .. }) {
            return left;
        }
        if self.enc.memory <= 0.0 {
            return left;
        }
        // Before the first measurement: what the path and the CPU allow.
        let rate = self.rate_estimate.min(self.limit);
        let threshold = stop_threshold(&self.policy, &self.rates, rate);
        // Memory still to send after w more wire bytes: memory·(1 − (done + w)/wire).
        let until_below = self.wire * (1.0 - threshold / self.enc.memory) - self.done + PAGE_BYTES;
        let one_burst = rate * BURST_S;
        until_below.max(one_burst).min(left)
    }

    fn enter(&mut self, stage: Stage, t: f64) {
        if self.stage != Stage::Done {
            self.stages.push(StageSpan {
                stage: self.stage,
                pass: if self.stage == Stage::Precopy {
                    self.pass
                } else {
                    0
                },
                start_s: self.stage_start,
                end_s: t,
            });
        }
        self.stage = stage;
        self.stage_start = t;
        self.now = t;
    }

    fn finish(&mut self, outcome: Outcome, t: f64) {
        if self.outcome.is_none() || !outcome.completed() {
            self.outcome = Some(outcome);
        }
        self.enter(Stage::Done, t);
    }

    /// Sets up a transfer of `data` written and `zero` never-written bytes plus `extra` raw
    /// bytes (device state, disks).
    fn load(&mut self, data: f64, zero: f64, extra: f64) {
        self.enc = self.rates.encode(data, zero);
        self.extra = extra;
        self.wire = self.enc.wire + extra;
        self.done = 0.0;
        self.limit = self.rates.cpu_wire_limit(&self.enc, extra);
    }

    /// Sets up a transfer of `pending`'s pages plus `extra` raw bytes, through XBZRLE's cache
    /// once it has started; `last` for the stop-and-copy, which inserts nothing.
    fn load_pages(&mut self, pending: Pending, extra: f64, last: bool) {
        #[cfg(feature = "full")]
        if self.xbzrle.is_some_and(|c| c.started()) {
            return self.load_xbzrle(pending, extra, last);
        }
        let _ = last;
        self.xb_pages = None;
        self.load(pending.data(), pending.zero, extra);
    }

    /// [`Machine::load_pages`] through XBZRLE's cache.
    #[cfg(feature = "full")]
    fn load_xbzrle(&mut self, pending: Pending, extra: f64, last: bool) {
        let Some(cache) = self.xbzrle.as_mut() else {
            return;
        };
        let parts = self.workload.throttled(self.state.throttle_pct).parts();
        let sizes = parts.map(|p| p.size / PAGE_BYTES);
        // The pages of this transfer were dirtied over the last pass.
        let writes = parts.map(|p| {
            let coverage = if p.size > 0.0 {
                p.rate * self.prev_pass_s / p.size
            } else {
                0.0
            };
            writes_per_dirty_page(coverage)
        });
        let pages = pending.parts.map(|b| b / PAGE_BYTES);
        let xb = cache.send(
            pages,
            sizes,
            writes,
            pending.other / PAGE_BYTES,
            self.write_bytes,
            last,
        );
        // The zero pages (and written pages that are zeros) as usual; the rest as XBZRLE sent
        // them, on the one migration thread.
        let zeros = self.rates.encode(0.0, pending.zero);
        let (src, dst) = xb.core_s();
        self.enc = Encoded {
            memory: pending.total(),
            wire: xb.wire() + zeros.wire,
            compress_core_s: src + zeros.compress_core_s,
            decompress_core_s: dst,
        };
        self.xb_pages = Some(xb);
        self.extra = extra;
        self.wire = self.enc.wire + extra;
        self.done = 0.0;
        let thread = if self.enc.compress_core_s > 0.0 {
            self.wire / self.enc.compress_core_s
        } else {
            f64::INFINITY
        };
        self.limit = self.rates.cpu_wire_limit(&self.enc, extra).min(thread);
    }

    /// Pass 1: every written page (the working set among them) and the never-written ones.
    fn everything(&self) -> Pending {
        let parts = self.workload.parts();
        let ws = parts[0].size + parts[1].size;
        Pending {
            parts: [parts[0].size, parts[1].size],
            other: (self.written - ws).max(0.0),
            zero: self.untouched,
        }
    }

    /// Starts the next pass over `pending`, or ends the migration when it cannot run.
    fn begin_pass(&mut self, pending: Pending, t: f64) {
        if t >= self.deadline {
            return self.finish(Outcome::TimedOut, t);
        }
        if self.rates.wire_rate(0.0) <= 0.0 {
            return self.finish(Outcome::NoBandwidth, t);
        }
        if self.pass == 0 && self.postcopy_switch.and_then(|p| p.after_passes) == Some(0) {
            return self.start_postcopy(pending, t);
        }
        // The span that ends now keeps its own pass number.
        self.enter(Stage::Precopy, t);
        if self.pass == 1 {
            // QEMU starts XBZRLE once the first pass has gone round all memory.
            if let Some(c) = self.xbzrle.as_mut() {
                c.start();
            }
        }
        self.pass += 1;
        self.pending = pending;
        self.pass_segments = None;
        self.load_pages(pending, 0.0, false);
        if let Some(xen) = xen_round_limit(&self.policy, self.pass == 1, self.prev_dirty_rate) {
            self.limit = self.limit.min(xen);
        }
    }

    /// A timed stage ended at `t`.
    pub fn waited(&mut self, t: f64) {
        match self.stage {
            Stage::Queued | Stage::Setup if self.storage > 0.0 && t < self.deadline => {
                self.enter(Stage::Storage, t);
                // Disk blocks are copied once, raw (storage migration mirrors new writes).
                self.load(0.0, 0.0, self.storage);
                self.limit = f64::INFINITY;
            }
            Stage::Queued | Stage::Setup => {
                let all = self.everything();
                self.begin_pass(all, t);
            }
            Stage::Switchover => match self.postcopy_pending.take() {
                Some(pending) => self.resume_on_destination(pending, t),
                None => self.enter(Stage::Cleanup, t),
            },
            Stage::Cleanup => self.finish(Outcome::Converged, t),
            _ => {}
        }
    }

    /// The current transfer stopped at `t` with `sent` more wire bytes through. `segments`
    /// is the driver's whole segment list for this migration; `range` the part of it this
    /// step covered. Less than asked means the step hit its deadline or could not move.
    pub fn sent(&mut self, t: f64, sent: f64, segments: &[LinkSegment], range: (usize, usize)) {
        let asked = match self.step() {
            Step::Send { wire, .. } => wire,
            _ => return,
        };
        let complete = sent >= asked * (1.0 - 1e-12);
        self.wire_bytes += sent;
        let share = if self.wire > 0.0 {
            (sent / self.wire).min(1.0)
        } else {
            1.0
        };
        self.done += sent;
        self.now = t;
        match self.stage {
            Stage::Storage => {
                self.account_cpu(share, sent);
                if complete {
                    let all = self.everything();
                    self.begin_pass(all, t);
                } else {
                    self.cancelled(t);
                }
            }
            Stage::Precopy => {
                self.account_cpu(share, sent);
                self.memory_bytes += self.enc.memory * share;
                let first = *self.pass_segments.get_or_insert(range.0);
                let duration = t - self.stage_start;
                let measured = window_rate(&segments[..range.1], t, BANDWIDTH_WINDOW_S).unwrap_or(
                    if duration > 0.0 {
                        self.done / duration
                    } else {
                        0.0
                    },
                );
                if measured > 0.0 {
                    self.rate_estimate = measured;
                }
                if !complete {
                    self.pass_ended(t, measured, (first, range.1));
                    return self.cancelled(t);
                }
                let threshold = stop_threshold(&self.policy, &self.rates, measured);
                let all_sent = self.done >= self.wire * (1.0 - 1e-12);
                let left = self.enc.memory * (1.0 - self.done / self.wire.max(f64::MIN_POSITIVE));
                let qemu = matches!(self.policy, StopPolicy::Qemu { .. });
                if all_sent || (qemu && left < threshold) {
                    self.synced(t, measured, (first, range.1));
                }
            }
            Stage::Blackout => {
                let memory_duration = if self.wire > 0.0 {
                    wire_time(&segments[range.0..range.1], self.stage_start, self.enc.wire)
                } else {
                    0.0
                };
                self.account_cpu(1.0, self.wire);
                let duration = t - self.stage_start;
                let switchover = self.overheads.switchover_ms / 1000.0;
                self.stop_copy = Some(StopCopyRecord {
                    start_s: self.stage_start,
                    memory_bytes: self.enc.memory,
                    device_state_bytes: self.extra,
                    wire_bytes: self.wire,
                    memory_duration_s: memory_duration,
                    duration_s: duration,
                    switchover_s: switchover,
                    segments: range,
                    xbzrle: self.xb_pages,
                });
                self.memory_bytes += self.enc.memory;
                self.downtime_s = duration + switchover;
                self.enter(Stage::Switchover, t);
            }
            Stage::Postcopy => self.postcopy_sent(t, sent, share, complete),
            _ => {}
        }
    }

    /// A burst of post-copy ended at `t` with `sent` wire bytes (`share` of the phase).
    #[cfg(feature = "full")]
    fn postcopy_sent(&mut self, t: f64, sent: f64, share: f64, complete: bool) {
        self.account_cpu(share, sent);
        self.memory_bytes += self.enc.memory * share;
        let (from, _) = self.postcopy_mark;
        self.postcopy_mark.0 = t;
        let pages = self.enc.memory / PAGE_BYTES;
        let per_page = if pages > 0.0 {
            self.wire / pages
        } else {
            PAGE_BYTES
        };
        let dt = t - from;
        let rate = if dt > 0.0 { sent / dt } else { f64::INFINITY };
        if let Some(g) = self.guest.as_mut() {
            g.arrived(t, dt, sent / per_page, rate, per_page);
        }
        if self.done >= self.wire * (1.0 - 1e-12) {
            self.postcopy = self.guest.take().map(|g| g.finish(t));
            self.enter(Stage::Cleanup, t);
        } else if !complete {
            // Nothing moved (the driver abandons it): neither host has the whole VM.
            self.postcopy = self.guest.take().map(|g| g.finish(t));
        }
    }

    // The lite bundle (the page's first load, without the `full` feature) hands a scenario with
    // XBZRLE or post-copy over to the full bundle before it runs it (`ui/handover.rs`): its
    // machine never starts either, and carries neither.
    #[cfg(not(feature = "full"))]
    fn postcopy_sent(&mut self, t: f64, _: f64, _: f64, _: bool) {
        self.enter(Stage::Cleanup, t);
    }

    /// Switches to post-copy at `t` with `pending` still to move: the VM stops, and the
    /// device state and the list of dirty pages (as discard ranges) cross; no memory does.
    #[cfg(not(feature = "full"))]
    fn start_postcopy(&mut self, pending: Pending, t: f64) {
        self.begin_pass(pending, t);
    }

    #[cfg(not(feature = "full"))]
    fn resume_on_destination(&mut self, _: Pending, t: f64) {
        self.enter(Stage::Cleanup, t);
    }

    #[cfg(feature = "full")]
    fn start_postcopy(&mut self, pending: Pending, t: f64) {
        self.outcome = Some(Outcome::Converged);
        self.enter(Stage::Blackout, t);
        // Dirty pages of the working set in runs: about one a page while they are sparse,
        // fewer as they run together (a random writer leaves p·(1 − p) of the pages starting
        // a run); the rest of what is pending (never sent, never written) in a run each.
        let parts = self.workload.parts();
        let ws = (parts[0].size + parts[1].size) / PAGE_BYTES;
        let dirty = (pending.parts[0] + pending.parts[1]) / PAGE_BYTES;
        let ranges = if ws > 0.0 {
            dirty * (1.0 - dirty / ws).max(0.0)
        } else {
            0.0
        } + 2.0;
        let state = self.overheads.device_state_mib * MIB + ranges * DISCARD_RANGE_BYTES;
        self.xb_pages = None;
        self.load(0.0, 0.0, state);
        self.postcopy_pending = Some(pending);
    }

    /// The VM resumed on the destination at `t`; `pending` follows.
    #[cfg(feature = "full")]
    fn resume_on_destination(&mut self, pending: Pending, t: f64) {
        if pending.total() <= 0.0 {
            return self.enter(Stage::Cleanup, t);
        }
        let switch_s = self.stop_copy.as_ref().map_or(t, |sc| sc.start_s);
        self.enter(Stage::Postcopy, t);
        self.load(pending.data(), pending.zero, 0.0);
        let pages = pending.total() / PAGE_BYTES;
        if pages > 0.0 && self.wire > 0.0 {
            self.limit = self.limit.min(self.wire / (pages * PLACE_PAGE_S));
        }
        // It runs unthrottled on the destination and touches its working set as it wrote it.
        let parts = self.workload.parts();
        let page = |b: f64| b / PAGE_BYTES;
        let preempt = self.postcopy_switch.is_some_and(|p| p.preempt);
        self.guest = Some(Guest::new(
            (switch_s, t),
            page(pending.total()),
            (
                page(pending.parts[0] + pending.parts[1]),
                page(parts[0].size + parts[1].size),
            ),
            page(self.workload.rate),
            preempt,
            self.rates.rtt_s,
        ));
        // Bursts of a sixty-fourth of it: the guest's waiting changes slowly against that.
        self.postcopy_mark = (t, (self.wire / 64.0).max(PAGE_BYTES));
    }

    /// CPU for `share` of the current transfer's encoding work and `sent` wire bytes.
    fn account_cpu(&mut self, share: f64, sent: f64) {
        self.cpu_source_core_s +=
            self.enc.compress_core_s * share + self.rates.transport_core_s(sent);
        self.cpu_dest_core_s +=
            self.enc.decompress_core_s * share + self.rates.transport_core_s(sent);
    }

    fn cancelled(&mut self, t: f64) {
        let outcome = if self.rates.wire_rate(0.0) <= 0.0 {
            Outcome::NoBandwidth
        } else {
            Outcome::TimedOut
        };
        self.finish(outcome, t);
    }

    /// What is dirty at a bitmap sync at `t` after this pass sent `self.done` of its wire
    /// bytes: the pages it has not sent yet, the pages it sent that the guest wrote again
    /// afterwards (or at any time since the last sync, when the whole log was cleared then),
    /// and the clean pages the guest wrote. Returns it and the pages newly dirtied.
    fn dirty_at(&self, t: f64) -> (Pending, f64) {
        let f = if self.wire > 0.0 {
            (self.done / self.wire).min(1.0)
        } else {
            1.0
        };
        let dt = t - self.stage_start;
        let parts: [Part; 2] = self.workload.throttled(self.state.throttle_pct).parts();
        let lazy = self.policy.lazy_dirty_clear();
        let mut next = Pending {
            parts: [0.0; 2],
            other: self.pending.other * (1.0 - f),
            zero: self.pending.zero * (1.0 - f),
        };
        let mut newly = 0.0;
        for (i, part) in parts.iter().enumerate() {
            let in_pass = self.pending.parts[i].min(part.size);
            let sent = in_pass * f;
            let again = if lazy {
                part.hit_after_send(dt)
            } else {
                part.hit(dt)
            };
            let fresh = sent * again + (part.size - in_pass) * part.hit(dt);
            // Unsent pages stay as they are; newly dirtied ones are whole pages.
            next.parts[i] = in_pass - sent + round_to_pages(fresh);
            newly += fresh;
        }
        (next, round_to_pages(newly))
    }

    /// Records the pass that ended at `t` (a sync, or cut short) and returns what is dirty.
    fn pass_ended(&mut self, t: f64, measured: f64, range: (usize, usize)) -> (Pending, f64, f64) {
        let (next, newly) = self.dirty_at(t);
        let duration = t - self.stage_start;
        let threshold = stop_threshold(&self.policy, &self.rates, measured);
        let f = if self.wire > 0.0 {
            (self.done / self.wire).min(1.0)
        } else {
            1.0
        };
        let workload = self.workload.throttled(self.state.throttle_pct);
        let src: f64 = self.enc.compress_core_s * f + self.rates.transport_core_s(self.done);
        let dst: f64 = self.enc.decompress_core_s * f + self.rates.transport_core_s(self.done);
        self.passes.push(PassRecord {
            index: self.pass,
            start_s: self.stage_start,
            end_s: t,
            duration_s: duration,
            memory_bytes: self.enc.memory,
            zero_bytes: self.pending.zero,
            wire_bytes: self.done,
            planned_wire_bytes: self.wire,
            memory_rate: if duration > 0.0 {
                self.enc.memory * f / duration
            } else {
                0.0
            },
            wire_rate: if duration > 0.0 {
                self.done / duration
            } else {
                0.0
            },
            segments: range,
            dirty_rate: workload.rate,
            throttle_pct: self.state.throttle_pct,
            dirty_bytes_at_end: next.total(),
            stop_threshold_bytes: threshold,
            cpu_source_core_s: src,
            cpu_dest_core_s: dst,
            xbzrle: self.xb_pages,
        });
        (next, newly, threshold)
    }

    /// A dirty-bitmap sync ended the pass at `t`: the policy decides what follows.
    fn synced(&mut self, t: f64, measured: f64, range: (usize, usize)) {
        let (next, newly, threshold) = self.pass_ended(t, measured, range);
        let duration = t - self.stage_start;
        let f = if self.wire > 0.0 {
            (self.done / self.wire).min(1.0)
        } else {
            1.0
        };
        self.state.total_memory_sent += self.enc.memory * f;
        self.state.synced(&self.policy, t, newly, self.done);
        self.prev_dirty_rate = if duration > 0.0 {
            newly / duration
        } else {
            0.0
        };
        self.prev_pass_s = duration;
        let left = next.total();
        match decide(
            &self.policy,
            self.postcopy_switch,
            self.pass,
            left,
            threshold,
            self.memory,
            &mut self.state,
        ) {
            Decision::Continue => self.begin_pass(next, t),
            Decision::Stop(outcome) if outcome.completed() => {
                self.outcome = Some(outcome);
                self.enter(Stage::Blackout, t);
                let state = self.overheads.device_state_mib * MIB;
                // The final copy runs unthrottled (no Xen round limit) and cannot be cancelled.
                self.load_pages(next, state, true);
            }
            Decision::Postcopy => self.start_postcopy(next, t),
            Decision::Stop(outcome) => self.finish(outcome, t),
        }
    }

    /// Abandons the migration at `t` (the driver found that nothing can ever move).
    pub fn abandon(&mut self, t: f64, outcome: Outcome) {
        self.finish(outcome, t);
    }

    /// The stages as single-VM phases, ending in running on B or cancelled.
    pub fn phases(&self) -> Vec<PhaseSpan> {
        let mut phases: Vec<PhaseSpan> = self
            .stages
            .iter()
            .filter_map(|s| {
                Some(PhaseSpan {
                    kind: s.stage.phase()?,
                    pass: s.pass,
                    start_s: s.start_s,
                    end_s: s.end_s,
                })
            })
            .collect();
        let end = self.now;
        let kind = if self.outcome.is_some_and(Outcome::completed) && self.stop_copy.is_some() {
            PhaseKind::RunningOnB
        } else {
            PhaseKind::Cancelled
        };
        phases.push(PhaseSpan {
            kind,
            pass: 0,
            start_s: end,
            end_s: end,
        });
        phases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start_s: f64, end_s: f64, wire_rate: f64) -> LinkSegment {
        LinkSegment {
            start_s,
            end_s,
            wire_rate,
            background: 0.0,
        }
    }

    #[test]
    fn bandwidth_is_measured_over_the_last_100_ms_not_the_last_instant() {
        // 1 s at 100, then 20 ms at 10: the last window averages both.
        let s = [seg(0.0, 1.0, 100.0), seg(1.0, 1.02, 10.0)];
        let r = window_rate(&s, 1.02, BANDWIDTH_WINDOW_S).unwrap();
        assert!((r - (0.08 * 100.0 + 0.02 * 10.0) / 0.1).abs() < 1e-9, "{r}");
        // A transfer younger than the window: its own average.
        let young = [seg(5.0, 5.05, 40.0)];
        assert!((window_rate(&young, 5.05, BANDWIDTH_WINDOW_S).unwrap() - 40.0).abs() < 1e-9);
        assert_eq!(window_rate(&[], 1.0, BANDWIDTH_WINDOW_S), None);
    }

    #[test]
    fn qemu_stops_mid_pass_once_the_rest_fits_the_downtime_limit() {
        let mut s = Scenario::qemu_defaults();
        s.network.dedicated = true;
        s.policy = StopPolicy::qemu_libvirt();
        let t = crate::engine::simulate(&s).unwrap();
        assert_eq!(t.outcome, Outcome::Converged);
        let last = t.passes.last().unwrap();
        // The pass that ended pre-copy left less than the threshold unsent, and the blackout
        // sent that rest plus what the guest wrote: still below the threshold.
        assert!(last.wire_bytes < last.planned_wire_bytes);
        let sc = t.stop_copy.as_ref().unwrap();
        assert!(sc.memory_bytes < last.stop_threshold_bytes);
        assert!(sc.memory_bytes > 0.0);
    }
}
