//! The plain-text reports of one migration and of a cluster's.

use std::fmt::Write as _;

use crate::engine::units::{fmt_bytes, fmt_duration, fmt_rate, MIB};
use crate::engine::{ClusterTrace, Trace};
use crate::text::{rate_explanation, verdict};

pub(super) fn report(t: &Trace) -> String {
    let s = &t.scenario;
    let mut out = String::new();
    let memory = s.vm.memory_mib * MIB;
    let _ = writeln!(
        out,
        "{} policy · {} VM · {} Gbit/s {} link",
        s.policy.name(),
        fmt_bytes(memory),
        s.network.link_gbps,
        if s.network.dedicated {
            "dedicated"
        } else {
            "shared"
        }
    );
    let _ = writeln!(out, "{}\n", verdict(t).headline);
    let _ = writeln!(out, "total time   {}", fmt_duration(t.total_time_s));
    let _ = writeln!(out, "downtime     {}", fmt_duration(t.downtime_s));
    let _ = writeln!(
        out,
        "data sent    {} ({:.2}× memory)",
        fmt_bytes(t.wire_bytes),
        t.wire_bytes / memory
    );
    let _ = writeln!(out, "passes       {}\n", t.precopy_passes());
    let _ = writeln!(
        out,
        "{:>5}  {:>10}  {:>10}  {:>12}  {:>28}  {:>12}",
        "pass", "start", "duration", "memory", "wire rate", "dirtied"
    );
    for p in &t.passes {
        let _ = writeln!(
            out,
            "{:>5}  {:>10}  {:>10}  {:>12}  {:>28}  {:>12}",
            p.index,
            fmt_duration(p.start_s),
            fmt_duration(p.duration_s),
            fmt_bytes(p.memory_bytes),
            fmt_rate(p.wire_rate),
            fmt_bytes(p.dirty_bytes_at_end)
        );
    }
    if let Some(sc) = &t.stop_copy {
        let _ = writeln!(
            out,
            "{:>5}  {:>10}  {:>10}  {:>12}  {:>28}  {:>12}",
            "stop",
            fmt_duration(sc.start_s),
            fmt_duration(sc.duration_s),
            fmt_bytes(sc.memory_bytes + sc.device_state_bytes),
            fmt_rate(sc.wire_bytes / sc.duration_s.max(f64::MIN_POSITIVE)),
            "—"
        );
    }
    if let Some(pc) = &t.postcopy {
        let phase = pc.end_s - pc.resume_s;
        let _ = writeln!(
            out,
            "{:>5}  {:>10}  {:>10}  {:>12}  {:>28}  {:>12}",
            "post",
            fmt_duration(pc.resume_s),
            fmt_duration(phase),
            fmt_bytes(pc.bytes),
            fmt_rate(pc.bytes / phase.max(f64::MIN_POSITIVE)),
            "—"
        );
        let _ = writeln!(
            out,
            "\npost-copy    {:.0} pages faulted, {:.0} pushed; the guest waited {} ({:.0} % of the phase, {} a fault)",
            pc.faulted_pages,
            pc.pushed_pages,
            fmt_duration(pc.blocktime_s),
            pc.slowdown * 100.0,
            fmt_duration(pc.fault_wait_s)
        );
    }
    let xb: Vec<_> = t
        .passes
        .iter()
        .filter_map(|p| p.xbzrle)
        .chain(t.stop_copy.as_ref().and_then(|s| s.xbzrle))
        .collect();
    if !xb.is_empty() {
        let hits: f64 = xb.iter().map(|x| x.hits).sum();
        let misses: f64 = xb.iter().map(|x| x.misses).sum();
        let overflows: f64 = xb.iter().map(|x| x.overflows).sum();
        let _ = writeln!(
            out,
            "\nxbzrle       {:.0} of {:.0} pages found in the cache ({:.0} %), {:.0} of them overflowed and went whole",
            hits,
            hits + misses,
            100.0 * hits / (hits + misses).max(1.0),
            overflows
        );
    }
    out.push('\n');
    for line in rate_explanation(t) {
        let _ = writeln!(out, "· {line}");
    }
    out
}

pub(super) fn cluster_report(t: &ClusterTrace) -> String {
    let sc = &t.scenario;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "cluster of {} hosts, {} VMs · {} at a time per host, {} in the cluster · {}",
        sc.hosts.len(),
        sc.vms.len(),
        sc.settings.per_host_limit,
        sc.settings.cluster_limit,
        if sc.shared_storage {
            "shared storage"
        } else {
            "no shared storage"
        }
    );
    let _ = writeln!(
        out,
        "all done after {} · worst blackout {} · peak link use {:.2} Gbit/s\n",
        fmt_duration(t.makespan_s),
        fmt_duration(t.worst_blackout_s),
        t.peak_link_gbps
    );
    let _ = writeln!(
        out,
        "{:<12} {:<8} {:<8} {:>10} {:>10} {:>7} {:>10} {:>11}  outcome",
        "vm", "from", "to", "start", "end", "passes", "downtime", "sent"
    );
    for m in &t.migrations {
        let outcome = match (&m.refused, m.outcome) {
            (Some(why), _) => format!("refused: {why}"),
            (None, Some(o)) => serde_json::to_value(o)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            (None, None) => "—".into(),
        };
        let _ = writeln!(
            out,
            "{:<12} {:<8} {:<8} {:>10} {:>10} {:>7} {:>10} {:>11}  {outcome}",
            m.vm,
            m.from,
            m.to,
            fmt_duration(m.start_s),
            fmt_duration(m.end_s),
            m.passes,
            fmt_duration(m.downtime_s),
            fmt_bytes(m.wire_bytes)
        );
    }
    out
}
