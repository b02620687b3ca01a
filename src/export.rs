//! What the simulator hands out as files: the result of a run as JSON (the command line's
//! `--json` and the page's "Results (JSON)" are the same document) and as CSV tables.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::cluster::ClusterTrace;
use crate::engine::{Outcome, PassRecord, Scenario, StopCopyRecord, Trace};
use crate::text::{rate_explanation, verdict};

/// A run's result in brief: the one shape of the result file's first fields, the JavaScript
/// API's change events and its sweep rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Headline {
    /// Pre-copy converged below the stop threshold.
    pub converged: bool,
    /// The VM reached the destination (converged, or forced to stop by a pass cap).
    pub completed: bool,
    pub outcome: Outcome,
    pub total_time_ms: f64,
    pub downtime_ms: f64,
    /// Bytes on the wire (after compression), excluding protocol headers.
    pub bytes_sent: f64,
    /// Pre-copy passes; the final stop-and-copy is not counted.
    pub passes: usize,
}

impl Headline {
    pub fn new(t: &Trace) -> Headline {
        Headline {
            converged: t.outcome == Outcome::Converged,
            completed: t.outcome.completed(),
            outcome: t.outcome,
            total_time_ms: t.total_time_s * 1e3,
            downtime_ms: t.downtime_s * 1e3,
            bytes_sent: t.wire_bytes,
            passes: t.precopy_passes(),
        }
    }
}

/// The machine-readable result: the headline, then the details.
#[derive(Serialize)]
pub struct Summary<'a> {
    #[serde(flatten)]
    pub headline: Headline,
    pub verdict: String,
    /// Memory content moved (before compression).
    pub memory_bytes_sent: f64,
    pub pass_records: &'a [PassRecord],
    /// CPU core-seconds the migration used on the source and destination hosts.
    pub cpu_source_core_s: f64,
    pub cpu_dest_core_s: f64,
    pub stop_copy: Option<&'a StopCopyRecord>,
    /// The post-copy phase, when the migration switched to post-copy.
    pub postcopy: Option<&'a crate::engine::postcopy::PostcopyRecord>,
    pub explanation: Vec<String>,
    pub scenario: &'a Scenario,
}

impl<'a> Summary<'a> {
    pub fn new(t: &'a Trace) -> Summary<'a> {
        Summary {
            headline: Headline::new(t),
            verdict: verdict(t).headline,
            memory_bytes_sent: t.memory_bytes,
            pass_records: &t.passes,
            cpu_source_core_s: t.cpu_source_core_s,
            cpu_dest_core_s: t.cpu_dest_core_s,
            stop_copy: t.stop_copy.as_ref(),
            postcopy: t.postcopy.as_ref(),
            explanation: rate_explanation(t),
            scenario: &t.scenario,
        }
    }
}

/// A run's result as pretty JSON (see `Summary`).
pub fn summary_json(t: &Trace) -> String {
    serde_json::to_string_pretty(&Summary::new(t)).unwrap_or_default() + "\n"
}

/// A cluster run as pretty JSON: every migration with its stages and passes.
pub fn cluster_json(t: &ClusterTrace) -> String {
    serde_json::to_string_pretty(t).unwrap_or_default() + "\n"
}

/// A number for a CSV cell: shortest exact form, empty where not finite.
fn cell(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

/// A text for a CSV cell, quoted when it holds a comma, quote or line break (RFC 4180).
fn text_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row per pre-copy pass and one for the blackout (`stop`), in seconds and bytes.
pub fn passes_csv(t: &Trace) -> String {
    let mut out = String::from(
        "pass,start_s,end_s,memory_bytes,wire_bytes,dirty_bytes_at_end,stop_threshold_bytes,dirty_rate_bytes_per_s,throttle_pct\n",
    );
    for p in &t.passes {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            p.index,
            cell(p.start_s),
            cell(p.end_s),
            cell(p.memory_bytes),
            cell(p.wire_bytes),
            cell(p.dirty_bytes_at_end),
            cell(p.stop_threshold_bytes),
            cell(p.dirty_rate),
            cell(p.throttle_pct),
        );
    }
    if let Some(sc) = &t.stop_copy {
        let _ = writeln!(
            out,
            "stop,{},{},{},{},,,,",
            cell(sc.start_s),
            cell(sc.start_s + sc.duration_s),
            cell(sc.memory_bytes + sc.device_state_bytes),
            cell(sc.wire_bytes),
        );
    }
    out
}

/// One row per requested migration, refused ones with their reason.
pub fn migrations_csv(t: &ClusterTrace) -> String {
    let mut out =
        String::from("vm,from,to,outcome,start_s,end_s,downtime_s,passes,wire_bytes,refused\n");
    for m in &t.migrations {
        // The outcome as the JSON names it ("converged", "pass_cap" …).
        let outcome = m
            .outcome
            .and_then(|o| serde_json::to_string(&o).ok())
            .map(|q| q.trim_matches('"').to_string())
            .unwrap_or_default();
        let refused = m
            .refused
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            text_cell(&m.vm),
            text_cell(&m.from),
            text_cell(&m.to),
            outcome,
            cell(m.start_s),
            cell(m.end_s),
            cell(m.downtime_s),
            m.passes,
            cell(m.wire_bytes),
            text_cell(&refused),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::simulate;

    #[test]
    fn the_pass_table_adds_up_to_the_run() {
        let t = simulate(&Scenario::default()).unwrap();
        let csv = passes_csv(&t);
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(rows.len(), t.passes.len() + 1);
        assert!(rows.last().unwrap().starts_with("stop,"));
        let wire: f64 = rows
            .iter()
            .map(|r| r.split(',').nth(4).unwrap().parse::<f64>().unwrap())
            .sum();
        assert!(
            (wire - t.wire_bytes).abs() <= 1e-6 * t.wire_bytes,
            "{wire} vs {}",
            t.wire_bytes
        );
        let json: serde_json::Value = serde_json::from_str(&summary_json(&t)).unwrap();
        assert_eq!(json["passes"], t.precopy_passes());
    }

    #[test]
    fn csv_text_is_quoted_where_it_must_be() {
        assert_eq!(text_cell("plain"), "plain");
        assert_eq!(text_cell("a, b"), "\"a, b\"");
        assert_eq!(text_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
