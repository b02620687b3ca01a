//! The result of one simulation: phases, per-pass records, the outcome, and cheap queries at any
//! time t for the playback clock.

use super::postcopy::PostcopyRecord;
use super::xbzrle::XbzrlePages;
use serde::Serialize;

use super::memory::MemoryLayout;
use super::scenario::Scenario;
use super::transport::{Bottleneck, RateBreakdown};
use super::units::MIB;
use super::workload::Workload;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// Connection, configuration and destination memory reservation; the VM runs on A.
    Setup,
    /// A pre-copy pass; the VM runs on A and keeps dirtying memory.
    Precopy,
    /// The VM is paused; the last dirty pages and the device state are sent.
    StopCopy,
    /// Fixed stop-time work: storage handle move and resume on B. Still downtime.
    Switchover,
    /// Post-copy: the VM runs on B while the pages it has not got follow, pushed in the
    /// background or fetched when it touches one (and waits).
    Postcopy,
    /// The VM runs on B; ARP announcements and source clean-up.
    Cleanup,
    /// Done: the VM runs on B.
    RunningOnB,
    /// The migration was abandoned; the VM never stopped running on A.
    Cancelled,
}

impl PhaseKind {
    pub fn vm_paused(self) -> bool {
        matches!(self, PhaseKind::StopCopy | PhaseKind::Switchover)
    }
    pub fn vm_on_destination(self) -> bool {
        matches!(
            self,
            PhaseKind::Postcopy | PhaseKind::Cleanup | PhaseKind::RunningOnB
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseSpan {
    pub kind: PhaseKind,
    /// 1-based pass number for `Precopy`, 0 otherwise.
    pub pass: u32,
    pub start_s: f64,
    pub end_s: f64,
}

/// A stretch of time during which the migration's wire rate and the other traffic were constant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkSegment {
    pub start_s: f64,
    pub end_s: f64,
    /// Migration bytes/s on the wire.
    pub wire_rate: f64,
    /// Wire bytes/s other traffic offered to the link (0 on a dedicated network).
    pub background: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassRecord {
    /// 1-based.
    pub index: u32,
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    /// Memory this pass set out to send (written pages plus never-written zero pages).
    pub memory_bytes: f64,
    /// Never-written (all-zero) pages among them: pass 1 only.
    pub zero_bytes: f64,
    /// Bytes on the wire actually sent (after compression or zero-page markers).
    pub wire_bytes: f64,
    /// Bytes on the wire the whole pass needs; more than `wire_bytes` only for a pass cut short.
    pub planned_wire_bytes: f64,
    /// Mean memory bytes per second moved.
    pub memory_rate: f64,
    /// Mean wire bytes per second.
    pub wire_rate: f64,
    /// Range of `Trace::segments` covering this pass.
    pub segments: (usize, usize),
    /// The guest's dirty rate during the pass (after any throttling), bytes/s.
    pub dirty_rate: f64,
    /// Auto-converge throttle applied to the guest's vCPUs during the pass, percent.
    pub throttle_pct: f64,
    /// Memory the guest dirtied during the pass: what the next pass (or the blackout) must send.
    pub dirty_bytes_at_end: f64,
    /// The stop policy's bound at the end of this pass: stop once what is left is below it.
    pub stop_threshold_bytes: f64,
    /// CPU core-seconds spent on the source (compression, zero scan, transport) and destination.
    pub cpu_source_core_s: f64,
    pub cpu_dest_core_s: f64,
    /// What XBZRLE made of the pass's pages, when it was on and had started (pass 2 on).
    pub xbzrle: Option<XbzrlePages>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StopCopyRecord {
    pub start_s: f64,
    pub memory_bytes: f64,
    pub device_state_bytes: f64,
    pub wire_bytes: f64,
    /// Time to send the dirty pages (the device state follows).
    pub memory_duration_s: f64,
    pub duration_s: f64,
    pub switchover_s: f64,
    /// Range of `Trace::segments` covering the stop-and-copy.
    pub segments: (usize, usize),
    /// What XBZRLE made of its pages, when it was on.
    pub xbzrle: Option<XbzrlePages>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Little enough was left: the policy stopped pre-copy as designed.
    Converged,
    /// The pass cap was reached with much left: the VM was paused anyway and the blackout is long.
    PassCap,
    /// The migration was cancelled after `timeout_s`; the VM stays on the source.
    TimedOut,
    /// Thousands of passes without getting below the threshold.
    NoProgress,
    /// No bytes can move (a 0 Gbit/s link or a 0 bandwidth cap).
    NoBandwidth,
}

impl Outcome {
    pub fn completed(self) -> bool {
        matches!(self, Outcome::Converged | Outcome::PassCap)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    pub scenario: Scenario,
    pub rates: RateBreakdown,
    pub phases: Vec<PhaseSpan>,
    pub passes: Vec<PassRecord>,
    /// Link use over time: every change of migration rate or background share.
    pub segments: Vec<LinkSegment>,
    pub stop_copy: Option<StopCopyRecord>,
    pub outcome: Outcome,
    /// From the start until the VM runs on B and the source is cleaned up (or until cancelled).
    pub total_time_s: f64,
    /// The VM is paused for this long (stop-and-copy plus switchover); 0 if cancelled.
    pub downtime_s: f64,
    pub wire_bytes: f64,
    pub memory_bytes: f64,
    /// CPU core-seconds used by the migration on the source and the destination host.
    pub cpu_source_core_s: f64,
    pub cpu_dest_core_s: f64,
    /// The post-copy phase, when the migration switched to post-copy.
    pub postcopy: Option<PostcopyRecord>,
    /// The memory map's layout ([`Trace::layout`]).
    #[serde(skip)]
    pub(crate) layout: LazyLayout,
}

/// The memory map's layout of a trace, made on first use: a run of a sweep, a spread or a
/// study never draws its map, and making it walks every block (a fifth of the work of
/// simulating a small VM).
#[derive(Debug, Clone, Default)]
pub(crate) struct LazyLayout(std::sync::OnceLock<MemoryLayout>);

impl PartialEq for LazyLayout {
    /// Always: the layout is a function of the scenario, which the trace compares anyway.
    fn eq(&self, _: &LazyLayout) -> bool {
        true
    }
}

impl Trace {
    /// Which blocks of the memory map are in the working set, never written, and when pass 1
    /// sends them: a function of the VM's sizes and the seed.
    pub fn layout(&self) -> &MemoryLayout {
        self.layout.0.get_or_init(|| {
            let vm = &self.scenario.vm;
            MemoryLayout::new(
                vm.memory_mib * MIB,
                vm.working_set_mib * MIB,
                vm.untouched_mib * MIB,
                self.scenario.seed,
            )
        })
    }

    pub fn duration_s(&self) -> f64 {
        self.total_time_s
    }

    pub fn workload(&self) -> Workload {
        Workload::of(&self.scenario.vm)
    }

    /// vCPU time the guest lost to the migration and the time over which it lost it, s:
    /// auto-converge's throttle (its vCPUs sleep that share of each throttled pass) and
    /// post-copy's waits for pages (over the post-copy phase). `None` when it lost none.
    pub fn guest_slowdown(&self) -> Option<(f64, f64)> {
        let (mut lost, mut over) = (0.0, 0.0);
        for p in self.passes.iter().filter(|p| p.throttle_pct > 0.0) {
            lost += p.duration_s * p.throttle_pct / 100.0;
            over += p.duration_s;
        }
        if let Some(pc) = &self.postcopy {
            lost += pc.blocktime_s;
            over += pc.end_s - pc.resume_s;
        }
        (lost > 0.0).then_some((lost, over))
    }

    /// When data stops moving: the end of the stop-and-copy (of the post-copy, when it ran),
    /// or the cancellation.
    pub fn copy_end_s(&self) -> f64 {
        if let Some(pc) = &self.postcopy {
            return pc.end_s;
        }
        match &self.stop_copy {
            Some(sc) => sc.start_s + sc.duration_s,
            None => self.passes.last().map_or(0.0, |p| p.end_s),
        }
    }

    /// The phase at time t (clamped to the trace).
    pub fn phase_at(&self, t: f64) -> &PhaseSpan {
        let i = self.phases.partition_point(|p| p.end_s <= t);
        &self.phases[i.min(self.phases.len() - 1)]
    }

    /// Index into `passes` of the pass running at t, or the last one once pre-copy ended.
    pub fn pass_index_at(&self, t: f64) -> Option<usize> {
        let n = self.passes.partition_point(|p| p.start_s <= t);
        n.checked_sub(1)
    }

    /// The link segment at time t, if data is moving.
    pub fn segment_at(&self, t: f64) -> Option<&LinkSegment> {
        let i = self.segments.partition_point(|s| s.end_s <= t);
        self.segments.get(i).filter(|s| s.start_s <= t)
    }

    /// Wire bytes per second on the link at time t (the animation's flow).
    pub fn wire_rate_at(&self, t: f64) -> f64 {
        self.segment_at(t).map_or(0.0, |s| s.wire_rate)
    }

    /// Wire bytes sent within `segments[range]` up to time t.
    pub fn wire_sent(&self, range: (usize, usize), t: f64) -> f64 {
        self.segments[range.0..range.1]
            .iter()
            .take_while(|s| s.start_s < t)
            .map(|s| s.wire_rate * (s.end_s.min(t) - s.start_s))
            .sum()
    }

    /// Wire bytes sent from 0 to t.
    pub fn wire_bytes_at(&self, t: f64) -> f64 {
        self.wire_sent((0, self.segments.len()), t)
    }

    /// Mean memory bytes/s over the pre-copy passes, or None if no pass ran.
    pub fn mean_precopy_rate(&self) -> Option<f64> {
        let (bytes, time) = self.passes.iter().fold((0.0, 0.0), |(b, t), p| {
            (b + p.memory_rate * p.duration_s, t + p.duration_s)
        });
        (time > 0.0).then(|| bytes / time)
    }

    /// Pre-copy passes (the final stop-and-copy is not counted).
    pub fn precopy_passes(&self) -> usize {
        self.passes.len()
    }

    /// Time-weighted mean share of the link other traffic took while data moved.
    pub fn mean_background_share(&self) -> f64 {
        let (w, t) = self.segments.iter().fold((0.0, 0.0), |(w, t), s| {
            let d = s.end_s - s.start_s;
            (w + self.rates.background_share(s.background) * d, t + d)
        });
        if t > 0.0 {
            w / t
        } else {
            0.0
        }
    }

    /// Time-weighted mean wire bytes/s other traffic offered while data moved.
    pub fn mean_background(&self) -> f64 {
        let (w, t) = self.segments.iter().fold((0.0, 0.0), |(w, t), s| {
            let d = s.end_s - s.start_s;
            (w + s.background * d, t + d)
        });
        if t > 0.0 {
            w / t
        } else {
            0.0
        }
    }

    /// Memory bytes the migration still had to send over time, as `(s, bytes)` corners of a
    /// piecewise-linear curve: what QEMU reports as `ram.remaining`. Each pass starts with what
    /// it set out to send and draws it down as its wire bytes go (a pass cut short keeps the
    /// rest); what the guest dirtied meanwhile shows when the next pass starts, as it does in
    /// QEMU at each dirty-bitmap sync. The blackout sends the last pages.
    pub fn left_series(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let first = self.passes.first().map_or(0.0, |p| p.memory_bytes);
        out.push((0.0, first));
        let last = self.passes.len().saturating_sub(1);
        for (i, p) in self.passes.iter().enumerate() {
            out.push((p.start_s, p.memory_bytes));
            // Only a pass the migration was cancelled in ends with pages unsent.
            let share = if i == last && self.stop_copy.is_none() {
                (p.wire_bytes / p.planned_wire_bytes.max(1e-9)).min(1.0)
            } else {
                1.0
            };
            let sent = self.wire_sent(p.segments, p.end_s).max(1e-9);
            let left =
                |t: f64| p.memory_bytes * (1.0 - share * self.wire_sent(p.segments, t) / sent);
            for s in &self.segments[p.segments.0..p.segments.1] {
                out.push((s.end_s.min(p.end_s), left(s.end_s).max(0.0)));
            }
            out.push((p.end_s, left(p.end_s).max(0.0)));
        }
        if let Some(sc) = &self.stop_copy {
            out.push((sc.start_s, sc.memory_bytes));
            out.push((sc.start_s + sc.memory_duration_s, 0.0));
        }
        out.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1);
        out
    }

    /// What limited the rate, judged at the mean other traffic of the run.
    pub fn bottleneck(&self) -> Bottleneck {
        self.rates.bottleneck(self.mean_background())
    }
}
