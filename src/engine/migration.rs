//! One migration as a state machine: setup → (storage copy) → pre-copy passes → stop-and-copy →
//! switchover → cleanup. The single-VM run and every migration of a cluster step through this
//! same machine; what drives it decides only *when* it starts and *how fast* its bytes move.
//!
//! The driver asks [`Machine::step`] what the migration needs next — to wait for a timed stage,
//! or to move bytes — and reports back with [`Machine::waited`] or [`Machine::sent`]. The machine
//! applies the stop policy, dirties memory, records passes and keeps the CPU accounts.

use serde::Serialize;

use super::policy::{decide, stop_threshold, Decision, PolicyState};
use super::scenario::{Overheads, Scenario, StopPolicy};
use super::trace::{LinkSegment, Outcome, PassRecord, PhaseKind, PhaseSpan, StopCopyRecord};
use super::transport::{xen_round_limit, Encoded, RateBreakdown, PAGE_BYTES};
use super::units::MIB;
use super::workload::Workload;

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
            Stage::Cleanup => PhaseKind::Cleanup,
            Stage::Done => return None,
        })
    }

    /// Whether bytes move in this stage.
    pub fn transfers(self) -> bool {
        matches!(self, Stage::Storage | Stage::Precopy | Stage::Blackout)
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
    /// The transfer under way: what it encodes, its wire bytes, its rate limit.
    enc: Encoded,
    extra: f64,
    wire: f64,
    limit: f64,
    /// Never-written pages in the current transfer (pass 1 only).
    zero: f64,
    /// Dirty rate the last pass saw (Xen's adaptive rounds follow it).
    prev_dirty_rate: f64,
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
            rates,
            workload: Workload::of(&s.vm),
            state: PolicyState::new(),
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
            limit: f64::INFINITY,
            zero: 0.0,
            prev_dirty_rate: 0.0,
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
    pub fn send_rates(&self) -> &RateBreakdown {
        if self.stage == Stage::Blackout {
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
                wire: self.wire,
                limit: self.limit,
                deadline: self.deadline,
            },
            Stage::Blackout => Step::Send {
                wire: self.wire,
                limit: self.limit,
                deadline: f64::INFINITY,
            },
            Stage::Done => Step::Done,
        }
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
        self.zero = zero;
        self.extra = extra;
        self.wire = self.enc.wire + extra;
        self.limit = self.rates.cpu_wire_limit(&self.enc, extra);
    }

    /// Starts pass `self.pass + 1` over `data` written and `zero` never-written bytes, or ends
    /// the migration when it cannot run.
    fn begin_pass(&mut self, data: f64, zero: f64, t: f64) {
        if t >= self.deadline {
            return self.finish(Outcome::TimedOut, t);
        }
        if self.rates.wire_rate(0.0) <= 0.0 {
            return self.finish(Outcome::NoBandwidth, t);
        }
        self.pass += 1;
        self.enter(Stage::Precopy, t);
        self.load(data, zero, 0.0);
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
            Stage::Queued | Stage::Setup => self.begin_pass(self.written, self.untouched, t),
            Stage::Switchover => self.enter(Stage::Cleanup, t),
            Stage::Cleanup => self.finish(Outcome::Converged, t),
            _ => {}
        }
    }

    /// The current transfer stopped at `t` with `sent` wire bytes through, over `segments`
    /// (which are `range` of the driver's segment list). Less than asked means it hit its
    /// deadline or could not move.
    pub fn sent(&mut self, t: f64, sent: f64, segments: &[LinkSegment], range: (usize, usize)) {
        let complete = sent >= self.wire * (1.0 - 1e-12);
        let done = if self.wire > 0.0 {
            (sent / self.wire).min(1.0)
        } else {
            1.0
        };
        let duration = t - self.stage_start;
        self.wire_bytes += sent;
        match self.stage {
            Stage::Storage => {
                self.cpu_source_core_s += self.rates.transport_core_s(sent);
                self.cpu_dest_core_s += self.rates.transport_core_s(sent);
                if complete {
                    self.begin_pass(self.written, self.untouched, t);
                } else {
                    self.cancelled(t);
                }
            }
            Stage::Precopy => self.pass_ended(t, sent, done, complete, duration, segments, range),
            Stage::Blackout => {
                let memory_duration = if self.wire > 0.0 {
                    wire_time(segments, self.stage_start, self.enc.wire)
                } else {
                    0.0
                };
                self.account_cpu(1.0, self.wire);
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
                });
                self.memory_bytes += self.enc.memory;
                self.downtime_s = duration + switchover;
                self.enter(Stage::Switchover, t);
            }
            _ => {}
        }
    }

    fn account_cpu(&mut self, done: f64, sent: f64) -> (f64, f64) {
        let src = self.enc.compress_core_s * done + self.rates.transport_core_s(sent);
        let dst = self.enc.decompress_core_s * done + self.rates.transport_core_s(sent);
        self.cpu_source_core_s += src;
        self.cpu_dest_core_s += dst;
        (src, dst)
    }

    fn cancelled(&mut self, t: f64) {
        let outcome = if self.rates.wire_rate(0.0) <= 0.0 {
            Outcome::NoBandwidth
        } else {
            Outcome::TimedOut
        };
        self.finish(outcome, t);
    }

    #[allow(clippy::too_many_arguments)]
    fn pass_ended(
        &mut self,
        t: f64,
        sent: f64,
        done: f64,
        complete: bool,
        duration: f64,
        segments: &[LinkSegment],
        range: (usize, usize),
    ) {
        let workload = self.workload.throttled(self.state.throttle_pct);
        let dirty = round_to_pages(workload.dirtied(duration)).min(self.written);
        let wire_rate = if duration > 0.0 { sent / duration } else { 0.0 };
        let memory_rate = if duration > 0.0 {
            self.enc.memory * done / duration
        } else {
            0.0
        };
        // QEMU measures bandwidth over the last 100 ms window: the rate at the end of the pass.
        let measured = segments.last().map_or(wire_rate, |sg| sg.wire_rate);
        let threshold = stop_threshold(&self.policy, &self.rates, measured);
        let (cpu_src, cpu_dst) = self.account_cpu(done, sent);
        self.passes.push(PassRecord {
            index: self.pass,
            start_s: self.stage_start,
            end_s: t,
            duration_s: duration,
            memory_bytes: self.enc.memory,
            zero_bytes: self.zero,
            wire_bytes: sent,
            planned_wire_bytes: self.wire,
            memory_rate,
            wire_rate,
            segments: range,
            dirty_rate: workload.rate,
            throttle_pct: self.state.throttle_pct,
            dirty_bytes_at_end: dirty,
            stop_threshold_bytes: threshold,
            cpu_source_core_s: cpu_src,
            cpu_dest_core_s: cpu_dst,
        });
        self.memory_bytes += self.enc.memory * done;
        if !complete {
            return self.cancelled(t);
        }
        self.state.total_memory_sent += self.enc.memory;
        self.prev_dirty_rate = if duration > 0.0 {
            dirty / duration
        } else {
            0.0
        };
        let decision = decide(
            &self.policy,
            self.pass,
            dirty,
            threshold,
            self.memory,
            &mut self.state,
            sent,
        );
        match decision {
            Decision::Continue => self.begin_pass(dirty, 0.0, t),
            Decision::Stop(outcome) if outcome.completed() => {
                self.outcome = Some(outcome);
                self.enter(Stage::Blackout, t);
                let state = self.overheads.device_state_mib * MIB;
                self.load(dirty, 0.0, state);
                // The final copy runs unthrottled (no Xen round limit) and cannot be cancelled.
            }
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
