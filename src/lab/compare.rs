//! The engine against the lab: each recorded run becomes a scenario, the engine simulates it,
//! and the errors are summarised per split (`migration-lab lab compare`).
//!
//! The host profile that turns a run into a scenario is fitted on the calibration split's
//! profile runs alone ([`HostProfile::fit`]); held-out runs never set anything.

use std::sync::OnceLock;

use serde::Serialize;

use super::grid::{Codec, Content, Group, Split, WritePattern, FLAT_OUT_PPS, PAGE};
use super::record::{LabRun, Status};
use crate::engine::scenario::{Multifd, MultifdCompression, Network, Overheads, Transport};
use crate::engine::transport::{PAGE_BYTES, PAGE_HEADER_BYTES, ZERO_MARKER_BYTES};
use crate::engine::{simulate, Pattern, Scenario, StopPolicy, TransportKind};
use crate::stats::{median, quantile};

const MIB: f64 = 1024.0 * 1024.0;
const GIB: f64 = 1024.0 * MIB;

/// The lab host as the engine sees it. Each field is measured by the profile runs (the
/// calibration split's `profile` group) and named beside them in `docs/lab.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostProfile {
    /// Bytes/s one migration stream moves of pages that are sent whole (idle guest, random
    /// content, no cap): the loopback path and QEMU's per-page work together.
    pub stream_bytes_per_s: f64,
    /// Median `setup-time`, s.
    pub setup_s: f64,
    /// Median `downtime` of idle guests, ms: the stop-time work with almost nothing to copy.
    pub stop_ms: f64,
    /// Non-zero memory an idle guest has besides its working set (firmware, the guest's own
    /// image), MiB.
    pub other_written_mib: f64,
    /// Bytes a migration sends besides its pages (device state, section headers, the VM's
    /// description), MiB: what QEMU counted beyond 4104 bytes a normal page and 9 a zero page.
    pub device_state_mib: f64,
    /// GiB/s at which QEMU's migration thread finds zero pages: an idle guest's zero memory
    /// over what its migration took besides setup, stop and its data at the stream rate.
    pub zero_scan_gibps: f64,
    /// MiB/s of text-like pages one multifd thread compresses with zlib-1 and zstd-1: the
    /// profile's idle text-page runs, over their copy time and the threads the host's cores
    /// run at once.
    pub zlib_mibps: f64,
    pub zstd_mibps: f64,
    /// MiB/s of random pages the guest writes when it writes flat out, before a migration
    /// starts: what its whole vCPU time buys. A paced guest's share of its vCPU is its rate
    /// over this.
    pub flat_out_mibps: f64,
    /// The lab host's cores.
    pub cores: u32,
    /// Runs the profile was fitted on.
    pub fitted_on: Vec<String>,
}

impl HostProfile {
    /// Fits the profile on the calibration half: the profile group's completed runs, and the
    /// flat-out guests' rate before their migrations. Runs that are not measurements
    /// ([`usable`]) set nothing.
    pub fn fit(rows: &[LabRun]) -> HostProfile {
        let rows: Vec<&LabRun> = rows.iter().filter(|r| usable(r)).collect();
        let flat_out: Vec<&LabRun> = rows
            .iter()
            .copied()
            .filter(|r| {
                r.split == Split::Calibration
                    && r.rate_target_pps == FLAT_OUT_PPS
                    && r.content == Content::Random
                    && r.dirty_rate_before_mibps.is_some()
            })
            .collect();
        let profile: Vec<&LabRun> = rows
            .iter()
            .copied()
            .filter(|r| r.group == Group::Profile && r.split == Split::Calibration && r.converged())
            .collect();
        let single = |r: &&&LabRun| r.multifd_channels == 0;
        let idle: Vec<&&LabRun> = profile
            .iter()
            .filter(single)
            .filter(|r| r.rate_target_pps == 0)
            .collect();
        let bulk: Vec<&&LabRun> = idle
            .iter()
            .copied()
            .filter(|r| r.content == Content::Random && r.ws_pages > 1024)
            .collect();
        let small: Vec<&&LabRun> = idle
            .iter()
            .copied()
            .filter(|r| r.ws_bytes() < 0.05 * f64::from(r.memory_mib) * MIB)
            .collect();
        let copy_s = |r: &LabRun| (r.total_time_ms - r.setup_time_ms - r.downtime_ms) / 1000.0;
        let stream_bytes_per_s = median(
            bulk.iter()
                .map(|r| r.normal_pages * PAGE as f64 / copy_s(r))
                .collect(),
        );
        let single_profile: Vec<&&LabRun> = profile.iter().filter(single).collect();
        let codec_mibps = |codec: Codec| {
            median(
                profile
                    .iter()
                    .filter(|r| {
                        r.compression == codec
                            && r.content == Content::Text
                            && r.rate_target_pps == 0
                    })
                    .map(|r| {
                        let threads = f64::from(r.multifd_channels.min(r.host_cores.max(1)));
                        r.normal_pages * PAGE as f64 / MIB / copy_s(r) / threads
                    })
                    .collect(),
            )
        };
        HostProfile {
            stream_bytes_per_s,
            device_state_mib: median(
                single_profile
                    .iter()
                    .map(|r| {
                        let pages = r.normal_pages * (PAGE_BYTES + PAGE_HEADER_BYTES)
                            + r.duplicate_pages * ZERO_MARKER_BYTES;
                        (r.transferred_bytes - pages) / MIB
                    })
                    .collect(),
            ),
            zero_scan_gibps: median(
                small
                    .iter()
                    .map(|r| {
                        let data_s = r.normal_pages * PAGE as f64 / stream_bytes_per_s;
                        r.duplicate_pages * PAGE as f64 / (copy_s(r) - data_s) / GIB
                    })
                    .collect(),
            ),
            setup_s: median(profile.iter().map(|r| r.setup_time_ms / 1000.0).collect()),
            stop_ms: median(small.iter().map(|r| r.downtime_ms).collect()),
            other_written_mib: median(
                small
                    .iter()
                    .map(|r| (r.normal_pages * PAGE as f64 - r.ws_bytes()) / MIB)
                    .collect(),
            )
            .max(0.0),
            cores: median(profile.iter().map(|r| f64::from(r.host_cores)).collect()).max(1.0)
                as u32,
            zlib_mibps: codec_mibps(Codec::Zlib),
            zstd_mibps: codec_mibps(Codec::Zstd),
            flat_out_mibps: median(
                flat_out
                    .iter()
                    .filter_map(|r| r.dirty_rate_before_mibps)
                    .collect(),
            ),
            fitted_on: profile
                .iter()
                .map(|r| r.id.clone())
                .chain(flat_out.iter().map(|r| r.id.clone()))
                .collect(),
        }
    }
}

/// The scenario the engine is given for a lab run: the run's own inputs, the guest's measured
/// dirty rate, and the host profile for the path.
pub fn scenario_for(r: &LabRun, host: &HostProfile) -> Scenario {
    let memory = f64::from(r.memory_mib);
    let ws = r.ws_bytes() / MIB;
    let mut s = Scenario::qemu_defaults();
    s.seed = 1;
    s.vm.memory_mib = memory;
    s.vm.working_set_mib = ws;
    s.vm.untouched_mib = (memory - ws - host.other_written_mib).max(0.0);
    // The engine takes the rate a guest writes at unthrottled: for auto-converge runs the rate
    // before the migration (the rate during it is the throttled one), where it was recorded.
    let rate = match r.dirty_rate_before_mibps {
        Some(before) if r.auto_converge => before,
        _ => r.dirty_rate_mibps,
    };
    s.vm.dirty_rate_mibps = rate;
    if host.flat_out_mibps > 0.0 {
        s.vm.write_cpu_share = (rate / host.flat_out_mibps).clamp(1e-3, 1.0);
    }
    s.vm.pattern = match r.pattern {
        WritePattern::Random => Pattern::Random,
        WritePattern::Sequential => Pattern::Sequential,
    };
    s.vm.compressible_fraction = if r.content == Content::Text { 1.0 } else { 0.0 };
    s.vm.zero_fraction = if r.content == Content::Zero { 1.0 } else { 0.0 };
    s.vm.sparse_fraction = if r.content == Content::Word { 1.0 } else { 0.0 };
    s.policy = StopPolicy::Qemu {
        downtime_limit_ms: f64::from(r.downtime_limit_ms),
        auto_converge: r.auto_converge,
        max_bandwidth_mibps: (r.max_bandwidth_mibps > 0).then(|| f64::from(r.max_bandwidth_mibps)),
        lazy_dirty_clear: false,
        multifd: (r.multifd_channels > 0).then_some(Multifd {
            channels: r.multifd_channels,
            compression: match r.compression {
                Codec::None => MultifdCompression::None,
                Codec::Zlib => MultifdCompression::Zlib,
                Codec::Zstd => MultifdCompression::Zstd,
            },
        }),
        xbzrle_cache_mib: (r.xbzrle_cache_mib > 0).then(|| f64::from(r.xbzrle_cache_mib)),
        postcopy_after_passes: r.postcopy_after_passes,
        // The lab switches after a set number of passes, never on a stall.
        postcopy_when_stalled: false,
        postcopy_preempt: r.postcopy_after_passes.is_some() && r.postcopy_preempt,
    };
    // What one write changes: the guest's `write_bytes`, or its whole page.
    s.vm.write_bytes = if r.write_bytes == 0 {
        PAGE_BYTES
    } else {
        f64::from(r.write_bytes).min(PAGE_BYTES)
    };
    host.apply(&mut s);
    s.timeout_s = r.timeout_s;
    s
}

impl HostProfile {
    /// Puts a scenario on the lab's host: QEMU under TCG on one machine, migrating over
    /// loopback. The path, CPU, codecs, zero scan and fixed costs become the profile's; the
    /// guest and QEMU's own settings stay (a Hyper-V or Xen scenario becomes QEMU's, with its
    /// defaults). Under TCG the dirty log is cleared whole at each sync.
    pub fn apply(&self, s: &mut Scenario) {
        if !matches!(s.policy, StopPolicy::Qemu { .. }) {
            s.policy = StopPolicy::qemu();
        }
        if let StopPolicy::Qemu {
            lazy_dirty_clear, ..
        } = &mut s.policy
        {
            *lazy_dirty_clear = false;
        }
        // Loopback: no loss, no other traffic; the stream rate is the path.
        let gbps = self.stream_bytes_per_s * 8.0 / 1e9;
        s.network = Network {
            link_gbps: gbps.clamp(0.01, 800.0),
            dedicated: true,
            rtt_ms: 0.05,
            ..Network::default()
        };
        s.transport = Transport {
            kind: TransportKind::Tcp,
            host_cores: self.cores.max(1),
            host_load: 0.0,
            // The stream rate already holds QEMU's per-page work: TCP's CPU never binds.
            core_ghz: 10.0,
            zero_scan_gibps: self.zero_scan_gibps.clamp(0.01, 1024.0),
            zlib_mibps_per_thread: self.zlib_mibps.clamp(0.01, 1e5),
            zstd_mibps_per_thread: self.zstd_mibps.clamp(0.01, 1e5),
            ..Transport::default()
        };
        s.overheads = Overheads {
            setup_s: self.setup_s,
            switchover_ms: self.stop_ms,
            device_state_mib: self.device_state_mib.max(0.0),
            cleanup_s: 0.0,
        };
    }

    /// The profile fitted on the lab runs this build carries (`validation/lab/qemu.csv`),
    /// fitted once.
    pub fn lab() -> Result<&'static HostProfile, String> {
        static LAB: OnceLock<Result<HostProfile, String>> = OnceLock::new();
        LAB.get_or_init(|| lab_runs().map(HostProfile::fit))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Whether `s` is on this host: applying the profile would change nothing.
    pub fn is_on(&self, s: &Scenario) -> bool {
        let mut on = s.clone();
        self.apply(&mut on);
        on == *s
    }

    /// Puts a scenario back on the data centre's host: the network, transport, fixed costs and
    /// dirty-log clearing of its hypervisor's defaults. The guest and the stop policy's other
    /// settings stay.
    pub fn data_centre(s: &mut Scenario) {
        let base = match s.policy {
            StopPolicy::HyperV { .. } => Scenario::default(),
            StopPolicy::Qemu { .. } => Scenario::qemu_defaults(),
            StopPolicy::Xen { .. } => Scenario::xen_defaults(),
        };
        if let (
            StopPolicy::Qemu {
                lazy_dirty_clear, ..
            },
            StopPolicy::Qemu {
                lazy_dirty_clear: default,
                ..
            },
        ) = (&mut s.policy, &base.policy)
        {
            *lazy_dirty_clear = *default;
        }
        s.network = base.network;
        s.transport = base.transport;
        s.overheads = base.overheads;
    }
}

/// The lab runs this build carries (`validation/lab/qemu.csv`), read once.
pub fn lab_runs() -> Result<&'static [LabRun], String> {
    static RUNS: OnceLock<Result<Vec<LabRun>, String>> = OnceLock::new();
    RUNS.get_or_init(|| super::record::read_csv_text(include_str!("../../validation/lab/qemu.csv")))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

/// One run: what QEMU measured and what the engine predicts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunError {
    pub id: String,
    pub group: Group,
    pub split: Split,
    pub qemu_converged: bool,
    pub engine_converged: bool,
    pub qemu_total_s: f64,
    pub engine_total_s: f64,
    pub qemu_bytes: f64,
    pub engine_bytes: f64,
    /// QEMU's blackout: its `downtime`, or for a run that went to post-copy the guest's real
    /// one, the source's `STOP` to the destination's `RESUME` (QEMU's `downtime` there is the
    /// source's view only).
    pub qemu_downtime_ms: f64,
    pub engine_downtime_ms: f64,
    pub downtime_limit_ms: f64,
    /// The run went to post-copy: its blackout is judged against the measured one (within
    /// [`DOWNTIME_SLACK_MS`]), not against `downtime-limit`, which does not govern it.
    #[serde(default)]
    pub postcopy: bool,
    /// (engine − QEMU) / QEMU, where both converged.
    pub err_total: Option<f64>,
    pub err_bytes: Option<f64>,
}

/// The figures of one split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitSummary {
    pub runs: usize,
    /// Share of runs where engine and QEMU agree on converging within the timeout.
    pub verdict_agreement: f64,
    /// Over runs both converged: median and p75 of |error| of total time, median |error| of
    /// bytes on the wire.
    pub median_abs_err_total: f64,
    pub p75_abs_err_total: f64,
    pub median_abs_err_bytes: f64,
    /// Runs QEMU converged in whose engine downtime exceeds the limit (plus 50 ms of
    /// stop-time work no limit covers), and post-copy runs both completed whose engine
    /// blackout is more than those 50 ms from the measured `STOP` → `RESUME` (QEMU's count
    /// leaves them out: no limit governs post-copy).
    pub engine_downtime_over_limit: usize,
    pub qemu_downtime_over_limit: usize,
}

/// The run-to-run noise of the repeated points: per point, the spread (max − min) / median of
/// total time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Noise {
    pub points: usize,
    pub median_spread_total: f64,
    pub max_spread_total: f64,
    pub median_spread_bytes: f64,
    /// The floor any deterministic model meets on these runs: each run "predicted" by the
    /// mean of its repeats, scored as the engine is (|predicted − measured| / measured).
    pub repeat_median_abs_err_total: f64,
    pub repeat_p75_abs_err_total: f64,
}

/// The held-out figures of one group of runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    pub group: Group,
    pub holdout: SplitSummary,
}

/// The figures of the runs that measure what QEMU offers when pre-copy cannot converge
/// (XBZRLE, post-copy): the same figures as the pre-copy lab's, apart from them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeyondPrecopy {
    pub calibration: SplitSummary,
    pub holdout: SplitSummary,
    pub noise: Noise,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub host: HostProfile,
    /// The pre-copy lab's halves ([`Group::PRECOPY`]): issue 11's figures.
    pub calibration: SplitSummary,
    pub holdout: SplitSummary,
    /// The held-out half by group, the pre-copy lab's groups first.
    pub groups: Vec<GroupSummary>,
    /// The pre-copy lab's repeated points (its groups and the profile).
    pub noise: Noise,
    /// XBZRLE and post-copy ([`Group::BEYOND_PRECOPY`]).
    pub beyond_precopy: BeyondPrecopy,
    /// Runs left out: failed, or measured while other work took a core (`foreign_cpu`).
    pub excluded: Vec<String>,
    pub runs: Vec<RunError>,
}

/// A figure of the held-out half and the bound the issue set for it before the engine was
/// compared (`docs/lab.md`).
pub struct Target {
    pub what: (&'static str, &'static str),
    /// The figure on the pre-copy lab's held-out half (`of` its summary).
    pub figure: fn(&Report) -> f64,
    /// The same figure of any split's summary (XBZRLE and post-copy are held to it too).
    pub of: fn(&SplitSummary) -> f64,
    /// The figure must be at most `bound` (else at least).
    pub at_most: bool,
    pub bound: f64,
}

impl Target {
    /// Whether the pre-copy lab's held-out half meets the target.
    pub fn met(&self, report: &Report) -> bool {
        self.met_by(&report.holdout)
    }

    /// Whether `summary` meets the target.
    pub fn met_by(&self, summary: &SplitSummary) -> bool {
        let v = (self.of)(summary);
        if self.at_most {
            v <= self.bound
        } else {
            v >= self.bound
        }
    }
}

/// The held-out half's targets, English and German.
pub const TARGETS: [Target; 5] = [
    Target {
        what: (
            "verdict agreement ≥ 95 %",
            "überein\u{ad}stimmendes Urteil ≥ 95 %",
        ),
        figure: |r| r.holdout.verdict_agreement,
        of: |s| s.verdict_agreement,
        at_most: false,
        bound: 0.95,
    },
    Target {
        what: (
            "median |error| of total time ≤ 10 %",
            "Median des |Fehlers| der Gesamtzeit ≤ 10 %",
        ),
        figure: |r| r.holdout.median_abs_err_total,
        of: |s| s.median_abs_err_total,
        at_most: true,
        bound: 0.10,
    },
    Target {
        what: (
            "p75 |error| of total time ≤ 20 %",
            "75-%-Quantil des |Fehlers| der Gesamtzeit ≤ 20 %",
        ),
        figure: |r| r.holdout.p75_abs_err_total,
        of: |s| s.p75_abs_err_total,
        at_most: true,
        bound: 0.20,
    },
    Target {
        what: (
            "median |error| of bytes ≤ 5 %",
            "Median des |Fehlers| der Bytes ≤ 5 %",
        ),
        figure: |r| r.holdout.median_abs_err_bytes,
        of: |s| s.median_abs_err_bytes,
        at_most: true,
        bound: 0.05,
    },
    Target {
        what: (
            "engine downtime within the limit wherever QEMU converged",
            "Ausfallzeit der Simulation innerhalb der Grenze, wo QEMU fertig wurde",
        ),
        figure: |r| r.holdout.engine_downtime_over_limit as f64,
        of: |s| s.engine_downtime_over_limit as f64,
        at_most: true,
        bound: 0.0,
    },
];

/// Whether a run is a measurement: it did not fail, and nothing else took a core while it
/// ran. The others set no constant and are judged in no figure.
pub fn usable(r: &LabRun) -> bool {
    r.status != Status::Failed && r.foreign_cpu <= MAX_FOREIGN_CPU
}

/// A run measured while something else used more than this many cores is left out.
pub const MAX_FOREIGN_CPU: f64 = 0.25;
/// Stop-time work outside the memory copy that no downtime limit covers, ms.
pub const DOWNTIME_SLACK_MS: f64 = 50.0;

/// What QEMU measured in run `r` and what the engine predicts for it on `host`.
pub fn run_error(r: &LabRun, host: &HostProfile) -> RunError {
    let s = scenario_for(r, host);
    let t = simulate(&s).ok();
    let engine_converged = t.as_ref().is_some_and(|t| t.outcome.completed());
    let (engine_total_s, engine_bytes, engine_downtime_ms) =
        t.as_ref().map_or((f64::NAN, f64::NAN, f64::NAN), |t| {
            (t.total_time_s, t.wire_bytes, t.downtime_s * 1000.0)
        });
    let qemu_total_s = r.total_time_ms / 1000.0;
    let postcopy = r.switched_to_postcopy();
    let both = r.converged() && engine_converged;
    let rel = |e: f64, m: f64| (both && m > 0.0).then(|| (e - m) / m);
    RunError {
        id: r.id.clone(),
        group: r.group,
        split: r.split,
        qemu_converged: r.converged(),
        engine_converged,
        qemu_total_s,
        engine_total_s,
        qemu_bytes: r.transferred_bytes,
        engine_bytes,
        qemu_downtime_ms: if postcopy {
            r.stop_resume_ms.unwrap_or(f64::NAN)
        } else {
            r.downtime_ms
        },
        engine_downtime_ms,
        downtime_limit_ms: f64::from(r.downtime_limit_ms),
        postcopy,
        err_total: rel(engine_total_s, qemu_total_s),
        err_bytes: rel(engine_bytes, r.transferred_bytes),
    }
}

fn summarise(runs: &[&RunError]) -> SplitSummary {
    let agree = runs
        .iter()
        .filter(|r| r.qemu_converged == r.engine_converged)
        .count();
    let abs = |f: fn(&RunError) -> Option<f64>| -> Vec<f64> {
        runs.iter().filter_map(|r| f(r)).map(f64::abs).collect()
    };
    let over = |d: fn(&RunError) -> f64| {
        runs.iter()
            .filter(|r| r.qemu_converged && !r.postcopy)
            .filter(|r| d(r) > r.downtime_limit_ms + DOWNTIME_SLACK_MS)
            .count()
    };
    // Post-copy's blackout against the guest's measured one, where both completed (an
    // engine that did not has no blackout to judge: the verdict counts that); a run whose
    // blackout was not measured counts as missed.
    let postcopy_off = runs
        .iter()
        .filter(|r| r.qemu_converged && r.engine_converged && r.postcopy)
        .filter(|r| {
            let miss = (r.engine_downtime_ms - r.qemu_downtime_ms).abs();
            miss.is_nan() || miss > DOWNTIME_SLACK_MS
        })
        .count();
    SplitSummary {
        runs: runs.len(),
        verdict_agreement: if runs.is_empty() {
            f64::NAN
        } else {
            agree as f64 / runs.len() as f64
        },
        median_abs_err_total: median(abs(|r| r.err_total)),
        p75_abs_err_total: quantile(abs(|r| r.err_total), 0.75),
        median_abs_err_bytes: median(abs(|r| r.err_bytes)),
        engine_downtime_over_limit: over(|r| r.engine_downtime_ms) + postcopy_off,
        qemu_downtime_over_limit: over(|r| r.qemu_downtime_ms),
    }
}

fn noise(rows: &[&LabRun]) -> Noise {
    let mut points: Vec<&str> = rows
        .iter()
        .filter(|r| r.repeat > 0)
        .map(|r| r.point.as_str())
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut spread_t = Vec::new();
    let mut spread_b = Vec::new();
    let mut repeat_err = Vec::new();
    for p in &points {
        let runs: Vec<&&LabRun> = rows
            .iter()
            .filter(|r| r.point == *p && r.converged())
            .collect();
        if runs.len() < 2 {
            continue;
        }
        let spread = |v: Vec<f64>| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (hi - lo) / median(v)
        };
        spread_t.push(spread(runs.iter().map(|r| r.total_time_ms).collect()));
        spread_b.push(spread(runs.iter().map(|r| r.transferred_bytes).collect()));
        let sum: f64 = runs.iter().map(|r| r.total_time_ms).sum();
        for r in &runs {
            let others = (sum - r.total_time_ms) / (runs.len() - 1) as f64;
            repeat_err.push((others - r.total_time_ms).abs() / r.total_time_ms);
        }
    }
    Noise {
        points: spread_t.len(),
        median_spread_total: median(spread_t.clone()),
        max_spread_total: spread_t.iter().copied().fold(f64::NAN, f64::max),
        median_spread_bytes: median(spread_b),
        repeat_median_abs_err_total: median(repeat_err.clone()),
        repeat_p75_abs_err_total: quantile(repeat_err, 0.75),
    }
}

/// Holds the engine against every usable run.
pub fn compare(rows: &[LabRun]) -> Report {
    let host = HostProfile::fit(rows);
    let runs = judged(rows).map(|r| run_error(r, &host)).collect();
    report(rows, host, runs)
}

/// The runs that test the engine, in file order: every measurement but the profile runs,
/// which set the host.
pub fn judged(rows: &[LabRun]) -> impl Iterator<Item = &LabRun> {
    rows.iter()
        .filter(|r| usable(r) && r.group != Group::Profile)
}

/// The report on `rows`, given the host they were judged on and the engine's errors on
/// [`judged`]'s runs (the page computes those a slice at a time).
pub fn report(rows: &[LabRun], host: HostProfile, runs: Vec<RunError>) -> Report {
    let (measured, excluded): (Vec<&LabRun>, Vec<&LabRun>) = rows.iter().partition(|r| usable(r));
    let of = |split: Split, groups: &[Group]| -> Vec<&RunError> {
        runs.iter()
            .filter(|r| r.split == split && groups.contains(&r.group))
            .collect()
    };
    let rows_of = |groups: &[Group]| -> Vec<&LabRun> {
        measured
            .iter()
            .copied()
            .filter(|r| groups.contains(&r.group))
            .collect()
    };
    let groups = Group::PRECOPY
        .into_iter()
        .chain(Group::BEYOND_PRECOPY)
        .map(|group| GroupSummary {
            group,
            holdout: summarise(&of(Split::Holdout, &[group])),
        })
        .collect();
    Report {
        calibration: summarise(&of(Split::Calibration, &Group::PRECOPY)),
        holdout: summarise(&of(Split::Holdout, &Group::PRECOPY)),
        groups,
        // The pre-copy lab's repeats include the profile's bulk copy.
        noise: noise(
            &measured
                .iter()
                .copied()
                .filter(|r| !Group::BEYOND_PRECOPY.contains(&r.group))
                .collect::<Vec<_>>(),
        ),
        beyond_precopy: BeyondPrecopy {
            calibration: summarise(&of(Split::Calibration, &Group::BEYOND_PRECOPY)),
            holdout: summarise(&of(Split::Holdout, &Group::BEYOND_PRECOPY)),
            noise: noise(&rows_of(&Group::BEYOND_PRECOPY)),
        },
        excluded: excluded.iter().map(|r| r.id.clone()).collect(),
        host,
        runs,
    }
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serialises") + "\n"
    }

    pub fn to_text(&self) -> String {
        let pct = |x: f64| format!("{:.1} %", x * 100.0);
        let mut out = String::new();
        out.push_str(&format!(
            "host profile: stream {:.0} MiB/s, zero scan {:.1} GiB/s, setup {:.0} ms, stop {:.0} ms, device state {:.0} KiB, other written {:.1} MiB,\n  zlib {:.0} and zstd {:.0} MiB/s a thread, a flat-out guest writes {:.0} MiB/s\n",
            self.host.stream_bytes_per_s / MIB,
            self.host.zero_scan_gibps,
            self.host.setup_s * 1000.0,
            self.host.stop_ms,
            self.host.device_state_mib * 1024.0,
            self.host.other_written_mib,
            self.host.zlib_mibps,
            self.host.zstd_mibps,
            self.host.flat_out_mibps
        ));
        out.push_str("split          runs  verdicts  median|err| total  p75|err| total  median|err| bytes  downtime over limit (engine/QEMU)\n");
        let line = |name: &str, s: &SplitSummary| {
            format!(
                "{name:<14} {:>4}  {:>8}  {:>17}  {:>14}  {:>17}  {}/{}\n",
                s.runs,
                pct(s.verdict_agreement),
                pct(s.median_abs_err_total),
                pct(s.p75_abs_err_total),
                pct(s.median_abs_err_bytes),
                s.engine_downtime_over_limit,
                s.qemu_downtime_over_limit
            )
        };
        let groups = |which: &[Group]| -> String {
            self.groups
                .iter()
                .filter(|g| which.contains(&g.group))
                .map(|g| line(&format!("  {:?}", g.group).to_lowercase(), &g.holdout))
                .collect()
        };
        out.push_str(&line("calibration", &self.calibration));
        out.push_str(&line("holdout", &self.holdout));
        out.push_str(&groups(&Group::PRECOPY));
        out.push_str(&format!(
            "noise: {} repeated points, spread of total time median {} (max {}), of bytes median {}\n",
            self.noise.points,
            pct(self.noise.median_spread_total),
            pct(self.noise.max_spread_total),
            pct(self.noise.median_spread_bytes)
        ));
        out.push_str(&format!(
            "  a repeat as the prediction (the floor for any model): median|err| total {}, p75 {}\n",
            pct(self.noise.repeat_median_abs_err_total),
            pct(self.noise.repeat_p75_abs_err_total)
        ));
        let b = &self.beyond_precopy;
        out.push_str("beyond pre-copy (XBZRLE, post-copy; a post-copy blackout is judged against the guest's STOP → RESUME):\n");
        out.push_str(&line("calibration", &b.calibration));
        out.push_str(&line("holdout", &b.holdout));
        out.push_str(&groups(&Group::BEYOND_PRECOPY));
        let met: Vec<String> = TARGETS
            .iter()
            .map(|t| {
                let verdict = if t.met_by(&b.holdout) {
                    "met"
                } else {
                    "missed"
                };
                format!("  {}: {verdict}\n", t.what.0)
            })
            .collect();
        out.push_str("  held out against the targets:\n");
        out.push_str(&met.concat());
        out.push_str(&format!(
            "  noise: {} repeated points, spread of total time median {} (max {}); a repeat as the prediction: median|err| total {}, p75 {}\n",
            b.noise.points,
            pct(b.noise.median_spread_total),
            pct(b.noise.max_spread_total),
            pct(b.noise.repeat_median_abs_err_total),
            pct(b.noise.repeat_p75_abs_err_total)
        ));
        if !self.excluded.is_empty() {
            out.push_str(&format!("excluded: {}\n", self.excluded.join(", ")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::grid::grid;

    fn row(pick: impl Fn(&crate::lab::grid::RunSpec) -> bool) -> LabRun {
        let spec = grid()
            .into_iter()
            .find(pick)
            .expect("the grid has such a run");
        let mut r = LabRun::new(&spec, 30.0);
        r.status = Status::Completed;
        r.dirty_rate_mibps = 32.0;
        r.host_cores = 2;
        r.total_time_ms = 3000.0;
        r.transferred_bytes = 60e6;
        r.downtime_ms = 195.0;
        r
    }

    fn qemu(s: &Scenario) -> (Option<f64>, Option<u32>, bool, bool) {
        match s.policy {
            StopPolicy::Qemu {
                xbzrle_cache_mib,
                postcopy_after_passes,
                postcopy_when_stalled,
                postcopy_preempt,
                ..
            } => (
                xbzrle_cache_mib,
                postcopy_after_passes,
                postcopy_when_stalled,
                postcopy_preempt,
            ),
            _ => panic!("a lab run is QEMU's"),
        }
    }

    #[test]
    fn a_lab_run_gives_the_engine_its_xbzrle_cache_post_copy_switch_and_write_size() {
        let host = HostProfile::lab().unwrap();
        let xb = row(|s| s.xbzrle_cache_mib == 16 && s.write_bytes == 64);
        let s = scenario_for(&xb, host);
        assert_eq!(qemu(&s), (Some(16.0), None, false, false));
        assert_eq!(s.vm.write_bytes, 64.0);
        let pc = row(|s| s.postcopy_after_passes == Some(3) && s.postcopy_preempt);
        let s = scenario_for(&pc, host);
        assert_eq!(qemu(&s), (None, Some(3), false, true));
        assert_eq!(s.vm.write_bytes, PAGE_BYTES, "a whole-page writer");
        let both = row(|s| s.xbzrle_cache_mib == 4 && s.postcopy_after_passes == Some(1));
        assert_eq!(
            qemu(&scenario_for(&both, host)),
            (Some(4.0), Some(1), false, false)
        );
        // Every run recorded before them keeps its scenario: no cache, no post-copy, whole pages.
        for r in lab_runs().unwrap().iter().filter(|r| r.write_bytes == 0) {
            let s = scenario_for(r, host);
            if r.xbzrle_cache_mib == 0 && r.postcopy_after_passes.is_none() {
                assert_eq!(qemu(&s), (None, None, false, false), "{}", r.id);
            }
            assert_eq!(s.vm.write_bytes, PAGE_BYTES, "{}", r.id);
        }
        // And every new run is a scenario the engine takes.
        for spec in grid()
            .into_iter()
            .filter(|s| Group::BEYOND_PRECOPY.contains(&s.group))
        {
            let mut r = LabRun::new(&spec, 30.0);
            r.dirty_rate_mibps = spec.target_dirty_mibps();
            let s = scenario_for(&r, host);
            assert!(s.validate().is_ok(), "{}: {:?}", r.id, s.validate());
        }
    }

    #[test]
    fn a_post_copy_blackout_is_judged_against_stop_to_resume_not_the_limit() {
        let host = HostProfile::lab().unwrap();
        let mut pc = row(|s| s.postcopy_after_passes == Some(1) && !s.postcopy_preempt);
        pc.postcopy_switch_ms = Some(2100.0);
        pc.stop_resume_ms = Some(6.0);
        let e = run_error(&pc, host);
        assert!(e.postcopy);
        assert_eq!(
            e.qemu_downtime_ms, 6.0,
            "the guest's blackout, not QEMU's 195 ms"
        );
        let judge = |engine_ms: f64| {
            let mut e = e.clone();
            e.engine_converged = true;
            e.engine_downtime_ms = engine_ms;
            summarise(&[&e]).engine_downtime_over_limit
        };
        assert_eq!(judge(40.0), 0);
        assert_eq!(judge(56.5), 1, "more than 50 ms off the measured 6 ms");
        // The limit (300 ms) does not govern it, and QEMU's own count leaves it out.
        assert_eq!(judge(250.0), 1);
        assert_eq!(summarise(&[&e]).qemu_downtime_over_limit, 0);
        // A blackout that was not measured cannot be met.
        let mut unmeasured = e.clone();
        unmeasured.engine_converged = true;
        unmeasured.qemu_downtime_ms = f64::NAN;
        unmeasured.engine_downtime_ms = 5.0;
        assert_eq!(summarise(&[&unmeasured]).engine_downtime_over_limit, 1);
        // An engine that did not complete has no blackout to judge.
        let mut no_end = e.clone();
        no_end.engine_converged = false;
        no_end.engine_downtime_ms = 0.0;
        assert_eq!(summarise(&[&no_end]).engine_downtime_over_limit, 0);
        // A run cancelled before it switched is a pre-copy run.
        let mut timed_out = pc.clone();
        timed_out.status = Status::Timeout;
        assert!(!run_error(&timed_out, host).postcopy);
        // A pre-copy run keeps the limit.
        let pre = row(|s| s.group == Group::Precopy && s.downtime_limit_ms == 300);
        let mut e = run_error(&pre, host);
        assert!(!e.postcopy);
        e.engine_downtime_ms = 340.0;
        assert_eq!(summarise(&[&e]).engine_downtime_over_limit, 0);
    }

    #[test]
    fn xbzrle_and_post_copy_runs_have_figures_of_their_own() {
        // Adding them leaves the pre-copy lab's figures as they were.
        let rows = lab_runs().unwrap().to_vec();
        let old: Vec<LabRun> = rows
            .iter()
            .filter(|r| !Group::BEYOND_PRECOPY.contains(&r.group))
            .cloned()
            .collect();
        let all = compare(&rows);
        let before = compare(&old);
        assert_eq!(all.calibration, before.calibration);
        assert_eq!(all.holdout, before.holdout);
        assert_eq!(all.noise, before.noise);
        assert_eq!(
            all.host, before.host,
            "they set nothing of the host profile"
        );
        let new = rows.len() - old.len();
        let b = &all.beyond_precopy;
        assert_eq!(
            b.calibration.runs + b.holdout.runs,
            judged(&rows).count() - judged(&old).count()
        );
        assert!(b.holdout.runs <= new);
        let names: Vec<Group> = all.groups.iter().map(|g| g.group).collect();
        assert!(names.contains(&Group::Xbzrle) && names.contains(&Group::Postcopy));
        assert!(all.to_text().contains("beyond pre-copy"));
        // Each target reads the same figure off a report and off its held-out summary.
        for t in &TARGETS {
            let (a, b) = ((t.figure)(&all), (t.of)(&all.holdout));
            assert!(a == b || (a.is_nan() && b.is_nan()), "{}", t.what.0);
        }
    }
}
