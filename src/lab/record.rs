//! One measured migration as a row of `validation/lab/qemu.csv`, and its time series as a line
//! of `validation/lab/qemu.jsonl`.

#[cfg(not(target_arch = "wasm32"))]
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::grid::{Codec, Content, Group, RunSpec, Split, WritePattern, PAGE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// QEMU reported `completed`: the guest runs on the destination.
    Completed,
    /// Still migrating after the run's timeout: the lab cancelled it (did not converge).
    Timeout,
    /// QEMU failed, died or hung: not a measurement.
    Failed,
}

/// A row: the run's inputs, then what QEMU and the guest reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabRun {
    pub id: String,
    pub point: String,
    pub group: Group,
    pub split: Split,
    pub repeat: u32,
    pub memory_mib: u32,
    pub ws_pages: u32,
    /// Page writes per second the guest aimed at.
    pub rate_target_pps: u32,
    pub pattern: WritePattern,
    pub content: Content,
    /// 0: unlimited.
    pub max_bandwidth_mibps: u32,
    pub downtime_limit_ms: u32,
    pub auto_converge: bool,
    pub multifd_channels: u32,
    pub compression: Codec,
    pub timeout_s: f64,
    pub status: Status,
    /// Bytes one running write of the guest changed (4, 64, 4096); 0: the content's own
    /// whole-page write (every run before XBZRLE was measured).
    #[serde(default)]
    pub write_bytes: u32,
    /// `xbzrle-cache-size`, MiB; 0: XBZRLE off.
    #[serde(default)]
    pub xbzrle_cache_mib: u32,
    /// Post-copy after this many pre-copy passes; empty: off.
    #[serde(default)]
    pub postcopy_after_passes: Option<u32>,
    #[serde(default)]
    pub postcopy_preempt: bool,
    /// Page writes per second the guest counted while it migrated, MiB/s.
    pub dirty_rate_mibps: f64,
    /// The same over the 0.3 s before the migration started: the rate an auto-converge
    /// throttle has not slowed yet (not recorded by the first runs of the grid, which only
    /// the auto-converge group needs and whose runs were measured again).
    #[serde(default)]
    pub dirty_rate_before_mibps: Option<f64>,
    /// QEMU's `total-time`, `setup-time` and `downtime`.
    pub total_time_ms: f64,
    pub setup_time_ms: f64,
    pub downtime_ms: f64,
    /// `ram.transferred`, `ram.precopy-bytes` and `ram.downtime-bytes`.
    pub transferred_bytes: f64,
    pub precopy_bytes: f64,
    pub downtime_bytes: f64,
    /// `ram.normal` (pages sent whole or compressed) and `ram.duplicate` (zero pages).
    pub normal_pages: f64,
    pub duplicate_pages: f64,
    pub dirty_sync_count: f64,
    pub multifd_bytes: f64,
    /// `cpu-throttle-percentage` at the end (auto-converge).
    pub throttle_pct: f64,
    /// Wall-clock seconds of the whole run, QEMU start to quit.
    pub wall_s: f64,
    /// Cores' worth of user-space CPU used by anything but the two QEMUs and the lab while it
    /// migrated: other work on the machine that disturbed the run.
    pub foreign_cpu: f64,
    pub qemu_version: String,
    pub host_cores: u32,
    /// The guest's time-stamp counter, calibrated against the PIT.
    pub guest_tsc_mhz: f64,
    pub error: String,
    /// QEMU's `xbzrle-cache` at the end: `pages` (pages that went through the cache as a
    /// hit, including unchanged ones that sent nothing and overflows sent whole), `bytes`
    /// (encoded, 3 bytes of header each), `cache-miss`, `overflow`, and the last bitmap-sync
    /// period's `cache-miss-rate` and `encoding-rate`. Empty without XBZRLE.
    #[serde(default)]
    pub xbzrle_pages: Option<f64>,
    #[serde(default)]
    pub xbzrle_bytes: Option<f64>,
    #[serde(default)]
    pub xbzrle_cache_miss: Option<f64>,
    #[serde(default)]
    pub xbzrle_overflow: Option<f64>,
    #[serde(default)]
    pub xbzrle_cache_miss_rate: Option<f64>,
    #[serde(default)]
    pub xbzrle_encoding_rate: Option<f64>,
    /// Milliseconds from `migrate` to `migrate-start-postcopy`; empty if the lab never sent
    /// it (post-copy off, or pre-copy ended first).
    #[serde(default)]
    pub postcopy_switch_ms: Option<f64>,
    /// `ram.postcopy-bytes` and `ram.postcopy-requests` (pages the destination faulted on and
    /// asked for), and the destination's `postcopy-blocktime` (ms its vCPU waited on faults).
    #[serde(default)]
    pub postcopy_bytes: Option<f64>,
    #[serde(default)]
    pub postcopy_requests: Option<f64>,
    #[serde(default)]
    pub postcopy_blocktime_ms: Option<f64>,
    /// The guest's real blackout: the source's QMP `STOP` event to the destination's `RESUME`
    /// event, by their timestamps (one host clock), ms. QEMU's own `downtime` for post-copy
    /// is the source's view (stop to the device state sent), not when the guest ran again.
    #[serde(default)]
    pub stop_resume_ms: Option<f64>,
    /// Page writes a second the guest counted on the destination from the switch to the
    /// migration's end, MiB/s: how much its faults slowed it.
    #[serde(default)]
    pub postcopy_dirty_rate_mibps: Option<f64>,
}

impl LabRun {
    /// A row with `spec`'s inputs and nothing measured yet.
    pub fn new(spec: &RunSpec, timeout_s: f64) -> LabRun {
        LabRun {
            id: spec.id(),
            point: spec.point(),
            group: spec.group,
            split: spec.split(),
            repeat: spec.repeat,
            memory_mib: spec.memory_mib,
            ws_pages: spec.ws_pages,
            rate_target_pps: spec.rate_pps,
            pattern: spec.pattern,
            content: spec.content,
            max_bandwidth_mibps: spec.max_bandwidth_mibps,
            downtime_limit_ms: spec.downtime_limit_ms,
            auto_converge: spec.auto_converge,
            multifd_channels: spec.multifd_channels,
            compression: spec.compression,
            timeout_s,
            status: Status::Failed,
            write_bytes: spec.write_bytes,
            xbzrle_cache_mib: spec.xbzrle_cache_mib,
            postcopy_after_passes: spec.postcopy_after_passes,
            postcopy_preempt: spec.postcopy_preempt,
            dirty_rate_mibps: 0.0,
            dirty_rate_before_mibps: None,
            total_time_ms: 0.0,
            setup_time_ms: 0.0,
            downtime_ms: 0.0,
            transferred_bytes: 0.0,
            precopy_bytes: 0.0,
            downtime_bytes: 0.0,
            normal_pages: 0.0,
            duplicate_pages: 0.0,
            dirty_sync_count: 0.0,
            multifd_bytes: 0.0,
            throttle_pct: 0.0,
            wall_s: 0.0,
            foreign_cpu: 0.0,
            qemu_version: String::new(),
            host_cores: 0,
            guest_tsc_mhz: 0.0,
            error: String::new(),
            xbzrle_pages: None,
            xbzrle_bytes: None,
            xbzrle_cache_miss: None,
            xbzrle_overflow: None,
            xbzrle_cache_miss_rate: None,
            xbzrle_encoding_rate: None,
            postcopy_switch_ms: None,
            postcopy_bytes: None,
            postcopy_requests: None,
            postcopy_blocktime_ms: None,
            stop_resume_ms: None,
            postcopy_dirty_rate_mibps: None,
        }
    }

    /// Whether the migration went to post-copy: the lab switched it over, and it did not end
    /// as a timeout (a run cancelled in pre-copy never switched).
    pub fn switched_to_postcopy(&self) -> bool {
        self.postcopy_switch_ms.is_some() && self.status != Status::Timeout
    }

    pub fn ws_bytes(&self) -> f64 {
        f64::from(self.ws_pages) * PAGE as f64
    }

    pub fn converged(&self) -> bool {
        self.status == Status::Completed
    }
}

/// The rows of a lab CSV file.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_csv(path: &Path) -> Result<Vec<LabRun>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    read_csv_text(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The rows of a lab CSV text.
pub fn read_csv_text(text: &str) -> Result<Vec<LabRun>, String> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .map(|row| row.map_err(|e| e.to_string()))
        .collect()
}

/// Writes `rows` (a header first) to `path`, replacing it.
#[cfg(not(target_arch = "wasm32"))]
pub fn write_csv(path: &Path, rows: &[LabRun]) -> Result<(), String> {
    let tmp = path.with_extension("csv.tmp");
    {
        let mut w = csv::Writer::from_path(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        for row in rows {
            w.serialize(row).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// One sample of `query-migrate` during a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Milliseconds since `migrate` was sent.
    pub t_ms: f64,
    /// `ram.remaining`, bytes.
    pub remaining: f64,
    /// `ram.transferred`, bytes.
    pub transferred: f64,
    /// `ram.dirty-sync-count`.
    pub syncs: f64,
}

/// A line of the time-series file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub id: String,
    /// Each sample as `[t_ms, remaining, transferred, syncs]`.
    pub samples: Vec<[f64; 4]>,
}

impl Series {
    /// The series of run `id` in the text of a time-series file (a JSON object per line); None
    /// when no line is that run's or it does not parse.
    pub fn find(jsonl: &str, id: &str) -> Option<Series> {
        let key = format!("{{\"id\":{}", serde_json::to_string(id).ok()?);
        jsonl
            .lines()
            .filter(|line| line.starts_with(&key))
            .find_map(|line| serde_json::from_str::<Series>(line).ok())
            .filter(|s| s.id == id)
    }

    /// Bytes QEMU had left to send over time: `(seconds since migrate, ram.remaining)`.
    pub fn remaining(&self) -> Vec<(f64, f64)> {
        self.samples.iter().map(|s| (s[0] / 1e3, s[1])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_found_by_its_run_and_only_by_it() {
        let text = "{\"id\":\"a-1\",\"samples\":[[100.0,5.0,1.0,1.0]]}\n\
                    {\"id\":\"a\",\"samples\":[[100.0,7.0,1.0,1.0],[250.0,0.0,9.0,3.0]]}\n";
        let s = Series::find(text, "a").expect("run a has a line");
        assert_eq!(s.remaining(), vec![(0.1, 7.0), (0.25, 0.0)]);
        assert_eq!(Series::find(text, "a-1").unwrap().samples.len(), 1);
        assert!(Series::find(text, "b").is_none());
        assert!(Series::find("not json", "a").is_none());
    }

    #[test]
    fn xbzrle_and_post_copy_fields_go_through_the_file_and_older_files_still_read() {
        use crate::lab::grid::grid;
        let spec = grid()
            .into_iter()
            .find(|s| s.xbzrle_cache_mib == 4 && s.postcopy_after_passes == Some(1))
            .unwrap();
        let mut r = LabRun::new(&spec, 30.0);
        r.status = Status::Completed;
        r.xbzrle_pages = Some(7101.0);
        r.xbzrle_cache_miss_rate = Some(0.86);
        r.postcopy_switch_ms = Some(2013.5);
        r.postcopy_requests = Some(15.0);
        r.stop_resume_ms = Some(5.9);
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&r).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let back = read_csv_text(&text).unwrap();
        assert_eq!(back, vec![r.clone()]);
        assert!(back[0].switched_to_postcopy());
        // A file written before these columns existed: every one of them takes its "off" value.
        let new = [
            "write_bytes",
            "xbzrle_cache_mib",
            "postcopy_after_passes",
            "postcopy_preempt",
            "xbzrle_pages",
            "xbzrle_bytes",
            "xbzrle_cache_miss",
            "xbzrle_overflow",
            "xbzrle_cache_miss_rate",
            "xbzrle_encoding_rate",
            "postcopy_switch_ms",
            "postcopy_bytes",
            "postcopy_requests",
            "postcopy_blocktime_ms",
            "stop_resume_ms",
            "postcopy_dirty_rate_mibps",
        ];
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let record = reader.records().next().unwrap().unwrap();
        let keep: Vec<usize> = (0..header.len())
            .filter(|&i| !new.contains(&&header[i]))
            .collect();
        assert_eq!(
            keep.len(),
            header.len() - new.len(),
            "every new column is named"
        );
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(keep.iter().map(|&i| &header[i])).unwrap();
        w.write_record(keep.iter().map(|&i| &record[i])).unwrap();
        let old = read_csv_text(&String::from_utf8(w.into_inner().unwrap()).unwrap()).unwrap();
        let o = &old[0];
        assert_eq!(
            (
                o.write_bytes,
                o.xbzrle_cache_mib,
                o.postcopy_after_passes,
                o.postcopy_preempt
            ),
            (0, 0, None, false)
        );
        assert_eq!((o.xbzrle_pages, o.stop_resume_ms), (None, None));
        assert!(!o.switched_to_postcopy());
    }

    #[test]
    fn every_committed_run_has_its_series() {
        let text = include_str!("../../validation/lab/qemu.jsonl");
        let rows = read_csv_text(include_str!("../../validation/lab/qemu.csv")).unwrap();
        for r in rows.iter().filter(|r| r.status != Status::Failed) {
            let s = Series::find(text, &r.id).unwrap_or_else(|| panic!("{} has no series", r.id));
            assert!(!s.samples.is_empty(), "{}", r.id);
        }
    }
}
