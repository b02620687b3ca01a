//! What the fuzz targets check, in one place: the coverage-guided targets in `fuzz/` and the
//! regression test that replays their findings (`tests/fuzz_regressions.rs`) call the same
//! functions. Each takes raw bytes and panics when the property does not hold.
//!
//! - [`check_scenario`], [`check_cluster`]: any text reads as a scenario or an error, never a
//!   panic, and what is read writes back as the same scenario.
//! - [`check_permalink`]: any query string reads as a valid state, and that state's link reads
//!   back unchanged.
//! - [`check_engine`], [`check_cluster_engine`]: any valid scenario simulates to finite numbers.
//!   The bytes are drawn field by field onto a scenario ([`engine_scenario`], [`cluster_scenario`]),
//!   which reaches every policy, link speed and workload without having to spell valid JSON
//!   (a JSON path lets the fuzzer spend nearly all its time in the JSON parser, which the
//!   `scenario` and `cluster` targets already cover).
//!
//! The engine's work is bounded: the timeout is at most [`MAX_FUZZ_TIMEOUT_S`] (simulated time
//! is what costs, through the bursts of other traffic on a shared network; memory size costs
//! nothing), and a cluster has at most [`MAX_FUZZ_VMS`] VMs and as many operations. What is
//! left is the engine's own cap of 10,000 pre-copy passes: a migration that reaches it (no
//! progress) takes up to ≈ 120 ms in a release build, so one engine input stays under that
//! and one cluster input (drains make up to about ten migrations of four VMs) under about a
//! second; most take a few milliseconds.

use crate::engine::background::MAX_SEGMENTS_PER_TRANSFER;
use crate::engine::cluster::{
    ClusterNetwork, ClusterVm, Host, MigrationRecord, MigrationSettings, NetworkRole, Nic,
    Operation,
};
use crate::engine::scenario::{
    DESCRIPTOR_RANGE, MAX_DAY_S, MAX_DIRTY_RATE_MIBPS, MAX_LINK_GBPS, MAX_MEMORY_BYTES,
};
use crate::engine::trace::{LinkSegment, PassRecord, StopCopyRecord};
use crate::engine::units::MIB;
use crate::engine::{
    simulate, simulate_cluster, ClusterScenario, Multifd, MultifdCompression, Overheads, Pattern,
    Scenario, ScenarioError, StopPolicy, TransportKind,
};
use crate::permalink::{chapter_cluster, chapter_scenario, decode, encode};

/// Simulated seconds after which a fuzzed migration is cancelled (30 days are allowed).
pub const MAX_FUZZ_TIMEOUT_S: f64 = 6.0 * 3600.0;
/// VMs, and operations, in a fuzzed cluster.
pub const MAX_FUZZ_VMS: usize = 4;

/// Text → `Scenario::from_json`: Ok or Err, never a panic; an accepted scenario reads back
/// from its own JSON unchanged.
pub fn check_scenario(bytes: &[u8]) {
    check_file(bytes, "scenario", Scenario::from_json, Scenario::to_json);
}

/// Text → `ClusterScenario::from_json`, with the same checks as [`check_scenario`].
pub fn check_cluster(bytes: &[u8]) {
    check_file(
        bytes,
        "cluster",
        ClusterScenario::from_json,
        ClusterScenario::to_json,
    );
}

fn check_file<T: PartialEq + std::fmt::Debug>(
    bytes: &[u8],
    what: &str,
    from_json: fn(&str) -> Result<T, ScenarioError>,
    to_json: fn(&T) -> String,
) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(s) = from_json(text) {
        let again = from_json(&to_json(&s));
        assert_eq!(again.as_ref(), Ok(&s), "the {what} does not round-trip");
    }
}

/// Text → `permalink::decode`: the state is valid, and encoding it then decoding gives the
/// same link.
pub fn check_permalink(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let d = decode(text);
    let ch = d.link.chapter.as_deref();
    let scenario = d
        .link
        .scenario
        .clone()
        .unwrap_or_else(|| chapter_scenario(ch));
    if let Err(e) = scenario.validate() {
        panic!("decode gave an invalid scenario: {e}");
    }
    let cluster = d
        .link
        .cluster
        .clone()
        .unwrap_or_else(|| chapter_cluster(ch));
    if let Err(e) = cluster.validate() {
        panic!("decode gave an invalid cluster: {e}");
    }
    if let Some(t) = d.link.t {
        assert!(t.is_finite() && t >= 0.0, "playback time {t}");
    }
    let query = encode(&d.link);
    let back = decode(&query);
    assert_eq!(
        back.link, d.link,
        "the link does not read back from {query:?}"
    );
}

/// Bytes → a valid scenario → `simulate`: no panic, finite numbers everywhere. A failure
/// prints the scenario as JSON, ready for `migration-lab simulate --scenario`.
pub fn check_engine(bytes: &[u8]) {
    let Some(s) = engine_scenario(bytes) else {
        return;
    };
    let t = simulate(&s).expect("a valid scenario simulates");
    let checked = (|| -> Checked {
        for (field, v) in [
            ("total_time_s", t.total_time_s),
            ("downtime_s", t.downtime_s),
            ("wire_bytes", t.wire_bytes),
            ("memory_bytes", t.memory_bytes),
            ("cpu_source_core_s", t.cpu_source_core_s),
            ("cpu_dest_core_s", t.cpu_dest_core_s),
        ] {
            non_negative("trace", field, v)?;
        }
        check_passes(&t.passes, &t.segments)?;
        if let Some(sc) = &t.stop_copy {
            check_stop_copy(sc, &t.segments)?;
        }
        check_segments(&t.segments)?;
        for p in &t.phases {
            non_negative("phase", "start_s", p.start_s)?;
            non_negative("phase", "end_s", p.end_s)?;
        }
        // Each transfer (a pass or the stop-and-copy, each a phase; and each burst of
        // post-copy, one a sample) records at most MAX_SEGMENTS_PER_TRANSFER spells of other
        // traffic, then one long-run segment.
        let bursts = t.postcopy.as_ref().map_or(0, |pc| pc.samples.len());
        bounded_work(
            t.segments.len(),
            (t.phases.len() + bursts) * (MAX_SEGMENTS_PER_TRANSFER + 1),
        )
    })();
    if let Err(e) = checked {
        panic!(
            "{e} (outcome {:?}) for the scenario\n{}",
            t.outcome,
            s.to_json()
        );
    }
}

/// Bytes → a valid cluster → `simulate_cluster`: no panic, finite numbers in every record, and
/// every migration that was not refused has an outcome. A failure prints the cluster as JSON.
pub fn check_cluster_engine(bytes: &[u8]) {
    let Some(c) = cluster_scenario(bytes) else {
        return;
    };
    let t = simulate_cluster(&c).expect("a valid cluster simulates");
    let checked = (|| -> Checked {
        for (field, v) in [
            ("makespan_s", t.makespan_s),
            ("worst_blackout_s", t.worst_blackout_s),
            ("peak_link_gbps", t.peak_link_gbps),
        ] {
            non_negative("cluster trace", field, v)?;
        }
        t.migrations.iter().try_for_each(check_record)?;
        // Work grows with events, not with simulated time: spells of other traffic are events
        // only while a transfer on their network has seen fewer than MAX_SEGMENTS_PER_TRANSFER
        // of them, and every other event ends a stage or admits a migration. Each event adds
        // at most one segment to each migration.
        let n = t.migrations.len();
        let stages: usize = t.migrations.iter().map(|m| m.stages.len()).sum();
        let segments: usize = t.migrations.iter().map(|m| m.segments.len()).sum();
        bounded_work(segments, n * ((MAX_SEGMENTS_PER_TRANSFER + 1) * stages + n))
    })();
    if let Err(e) = checked {
        panic!("{e} for the cluster\n{}", c.to_json());
    }
}

type Checked = Result<(), String>;

fn check_record(m: &MigrationRecord) -> Checked {
    let what = format!("migration of {}", m.vm);
    for (field, v) in [
        ("wire_bytes", m.wire_bytes),
        ("downtime_s", m.downtime_s),
        ("start_s", m.start_s),
        ("end_s", m.end_s),
    ] {
        non_negative(&what, field, v)?;
    }
    if m.refused.is_none() && m.outcome.is_none() {
        return Err(format!("{what}: not refused, but no outcome"));
    }
    check_passes(&m.pass_records, &m.segments)?;
    if let Some(sc) = &m.stop_copy {
        check_stop_copy(sc, &m.segments)?;
    }
    check_segments(&m.segments)?;
    for st in &m.stages {
        non_negative(&what, "stage start_s", st.start_s)?;
        non_negative(&what, "stage end_s", st.end_s)?;
    }
    Ok(())
}

fn check_passes(passes: &[PassRecord], segments: &[LinkSegment]) -> Checked {
    for p in passes {
        let what = format!("pass {}", p.index);
        for (field, v) in [
            ("start_s", p.start_s),
            ("end_s", p.end_s),
            ("duration_s", p.duration_s),
            ("memory_bytes", p.memory_bytes),
            ("zero_bytes", p.zero_bytes),
            ("wire_bytes", p.wire_bytes),
            ("planned_wire_bytes", p.planned_wire_bytes),
            ("memory_rate", p.memory_rate),
            ("wire_rate", p.wire_rate),
            ("dirty_rate", p.dirty_rate),
            ("throttle_pct", p.throttle_pct),
            ("dirty_bytes_at_end", p.dirty_bytes_at_end),
            ("stop_threshold_bytes", p.stop_threshold_bytes),
            ("cpu_source_core_s", p.cpu_source_core_s),
            ("cpu_dest_core_s", p.cpu_dest_core_s),
        ] {
            non_negative(&what, field, v)?;
        }
        check_range(&what, p.segments, segments)?;
    }
    Ok(())
}

fn check_stop_copy(sc: &StopCopyRecord, segments: &[LinkSegment]) -> Checked {
    let what = "stop-and-copy";
    for (field, v) in [
        ("start_s", sc.start_s),
        ("memory_bytes", sc.memory_bytes),
        ("device_state_bytes", sc.device_state_bytes),
        ("wire_bytes", sc.wire_bytes),
        ("memory_duration_s", sc.memory_duration_s),
        ("duration_s", sc.duration_s),
        ("switchover_s", sc.switchover_s),
    ] {
        non_negative(what, field, v)?;
    }
    check_range(what, sc.segments, segments)
}

fn check_segments(segments: &[LinkSegment]) -> Checked {
    for s in segments {
        for (field, v) in [
            ("start_s", s.start_s),
            ("end_s", s.end_s),
            ("wire_rate", s.wire_rate),
            ("background", s.background),
        ] {
            non_negative("segment", field, v)?;
        }
        if s.end_s < s.start_s {
            return Err(format!("a segment ends before it starts: {s:?}"));
        }
    }
    Ok(())
}

fn check_range(what: &str, (lo, hi): (usize, usize), segments: &[LinkSegment]) -> Checked {
    if lo <= hi && hi <= segments.len() {
        Ok(())
    } else {
        Err(format!(
            "{what}: segment range {lo}..{hi} of {}",
            segments.len()
        ))
    }
}

fn bounded_work(segments: usize, bound: usize) -> Checked {
    if segments <= bound {
        Ok(())
    } else {
        Err(format!(
            "{segments} link segments, more than the {bound} the events allow"
        ))
    }
}

fn non_negative(what: &str, field: &str, v: f64) -> Checked {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(format!("{what}: {field} is {v}"))
    }
}

/// The scenario `check_engine` runs for `bytes`: fields drawn from the bytes onto the defaults,
/// the timeout at most [`MAX_FUZZ_TIMEOUT_S`]; None when they make no valid scenario.
pub fn engine_scenario(bytes: &[u8]) -> Option<Scenario> {
    let s = draw_scenario(&mut Draw::new(bytes));
    s.validate().ok()?;
    Some(s)
}

/// The cluster `check_cluster_engine` runs for `bytes`: drawn from the bytes like
/// [`engine_scenario`], at most [`MAX_FUZZ_VMS`] VMs and operations; None when invalid.
pub fn cluster_scenario(bytes: &[u8]) -> Option<ClusterScenario> {
    let c = draw_cluster(&mut Draw::new(bytes));
    c.validate().ok()?;
    Some(c)
}

/// Values drawn from fuzzer bytes; zeros once the bytes run out.
struct Draw<'a> {
    bytes: &'a [u8],
}

impl<'a> Draw<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Draw { bytes }
    }

    fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    fn bool(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// 0 to 1, both ends included.
    fn unit(&mut self) -> f64 {
        f64::from(self.u16()) / f64::from(u16::MAX)
    }

    /// `lo` to `hi` on a log scale (both above 0), ends included.
    fn log(&mut self, lo: f64, hi: f64) -> f64 {
        (lo * (hi / lo).powf(self.unit())).clamp(lo, hi)
    }

    /// 0 when the selector byte says so (1 in 8), else `log(lo, hi)`.
    fn zero_or_log(&mut self, lo: f64, hi: f64) -> f64 {
        if self.byte() % 8 == 0 {
            0.0
        } else {
            self.log(lo, hi)
        }
    }

    /// An integer from `lo` to `hi`, small values as likely as large ones on a log scale.
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        let v = self.log(f64::from(lo.max(1)), f64::from(hi)).round() as u32;
        if lo == 0 && self.byte() % 8 == 0 {
            0
        } else {
            v.clamp(lo, hi)
        }
    }

    fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[usize::from(self.byte()) % options.len()]
    }
}

const PATTERNS: [Pattern; 3] = [Pattern::Random, Pattern::Sequential, Pattern::HotCold];
const KINDS: [TransportKind; 3] = [
    TransportKind::Tcp,
    TransportKind::Compression,
    TransportKind::Smb,
];

fn draw_policy(d: &mut Draw) -> (StopPolicy, Overheads) {
    let (policy, overheads) = match d.byte() % 3 {
        0 => (
            StopPolicy::HyperV {
                max_passes: d.int(1, 1000),
                remainder_ms: d.zero_or_log(0.01, 10_000.0),
            },
            Overheads::hyperv(),
        ),
        1 => (
            StopPolicy::Qemu {
                downtime_limit_ms: d.zero_or_log(0.01, 2_000_000.0),
                auto_converge: d.bool(),
                max_bandwidth_mibps: match d.byte() % 3 {
                    0 => None,
                    _ => Some(d.zero_or_log(0.1, 1e6)),
                },
                lazy_dirty_clear: d.bool(),
                multifd: match d.byte() % 2 {
                    0 => None,
                    _ => Some(Multifd {
                        channels: d.int(1, 255),
                        compression: d.pick(&[
                            MultifdCompression::None,
                            MultifdCompression::Zlib,
                            MultifdCompression::Zstd,
                        ]),
                    }),
                },
                xbzrle_cache_mib: None,
                postcopy_after_passes: None,
                postcopy_when_stalled: false,
                postcopy_preempt: false,
            },
            Overheads::qemu(),
        ),
        _ => (
            StopPolicy::Xen {
                max_iterations: d.int(1, 1000),
                min_dirty_pages: d.int(0, 1 << 24),
                max_factor: 1.0 + d.zero_or_log(0.001, 100.0),
                rate_adaptive: d.bool(),
            },
            Overheads::xen(),
        ),
    };
    let overheads = if d.bool() {
        Overheads {
            setup_s: d.zero_or_log(0.001, MAX_DAY_S),
            device_state_mib: d.zero_or_log(0.01, 1024.0 * 1024.0),
            switchover_ms: d.zero_or_log(0.01, MAX_DAY_S * 1e3),
            cleanup_s: d.zero_or_log(0.001, MAX_DAY_S),
        }
    } else {
        overheads
    };
    (policy, overheads)
}

fn draw_scenario(d: &mut Draw) -> Scenario {
    let mut s = Scenario {
        seed: u64::from(d.u16()),
        ..Scenario::default()
    };
    (s.policy, s.overheads) = draw_policy(d);

    let vm = &mut s.vm;
    vm.memory_mib = d.log(1.0, MAX_MEMORY_BYTES / MIB);
    vm.working_set_mib = vm.memory_mib * d.unit();
    vm.untouched_mib = (vm.memory_mib - vm.working_set_mib) * d.unit();
    vm.dirty_rate_mibps = d.zero_or_log(0.01, MAX_DIRTY_RATE_MIBPS);
    if vm.working_set_mib == 0.0 {
        vm.dirty_rate_mibps = 0.0;
    }
    vm.pattern = d.pick(&PATTERNS);
    vm.hot_fraction = d.unit();
    if vm.pattern == Pattern::HotCold {
        vm.hot_fraction = vm.hot_fraction.clamp(1e-4, 1.0 - 1e-4);
    }
    vm.hot_share = d.unit();
    vm.compressible_fraction = d.unit();

    let net = &mut s.network;
    net.link_gbps = d.zero_or_log(0.01, MAX_LINK_GBPS);
    net.nics = d.int(1, 16);
    net.smb_limit_mibps = match d.byte() % 3 {
        0 => None,
        _ => Some(d.zero_or_log(0.1, 1e6)),
    };
    net.rdma = d.bool();
    net.dedicated = d.bool();
    net.buffers = match d.byte() % 2 {
        0 => None,
        _ => Some(d.int(DESCRIPTOR_RANGE.0, DESCRIPTOR_RANGE.1)),
    };
    net.rtt_ms = d.log(0.001, 1000.0);
    net.tcp_window_kib = d.log(1.0, 1e6);

    let tr = &mut s.transport;
    tr.kind = d.pick(&KINDS);
    tr.host_cores = d.int(1, 1024);
    tr.host_load = d.unit();
    tr.core_ghz = d.log(0.1, 10.0);
    tr.compress_threads = d.int(0, 1024);
    tr.compress_mibps_per_thread = d.log(0.01, 1e5);

    s.timeout_s = d.log(0.001, MAX_FUZZ_TIMEOUT_S);
    // Drawn last, so the inputs kept from before these settings decode as they did.
    s.vm.zero_fraction = d.unit();
    s.vm.sparse_fraction = d.unit() * (1.0 - s.vm.zero_fraction);
    s.vm.write_cpu_share = d.unit().max(1e-3);
    s.vm.write_bytes = d.int(1, 4096) as f64;
    if let StopPolicy::Qemu {
        multifd: None,
        xbzrle_cache_mib,
        postcopy_after_passes,
        postcopy_when_stalled,
        postcopy_preempt,
        ..
    } = &mut s.policy
    {
        // QEMU takes neither with multifd.
        if d.bool() {
            *xbzrle_cache_mib = Some(f64::from(1u32 << d.int(0, 20)) / 256.0);
        }
        if d.bool() {
            *postcopy_after_passes = Some(d.int(0, 50));
        }
        *postcopy_when_stalled = d.bool();
        *postcopy_preempt = d.bool();
    }
    s
}

const ROLES: [NetworkRole; 4] = [
    NetworkRole::Management,
    NetworkRole::VmTraffic,
    NetworkRole::Cluster,
    NetworkRole::LiveMigration,
];

fn draw_cluster(d: &mut Draw) -> ClusterScenario {
    let networks: Vec<ClusterNetwork> = (0..1 + d.byte() % 3)
        .map(|i| ClusterNetwork {
            name: format!("net{i}"),
            role: d.pick(&ROLES),
            dedicated: d.bool(),
        })
        .collect();
    let hosts: Vec<Host> = (0..2 + d.byte() % 4)
        .map(|i| Host {
            name: format!("H{i}"),
            cores: d.int(1, 256),
            load: d.unit(),
            memory_gib: d.log(16.0, 4096.0),
            nics: (0..d.byte() % 4)
                .map(|_| Nic {
                    network: format!("net{}", usize::from(d.byte()) % networks.len()),
                    gbps: d.log(0.01, MAX_LINK_GBPS),
                    rdma: d.bool(),
                    buffers: match d.byte() % 2 {
                        0 => None,
                        _ => Some(d.int(DESCRIPTOR_RANGE.0, DESCRIPTOR_RANGE.1)),
                    },
                })
                .collect(),
        })
        .collect();
    let host_name = |d: &mut Draw| format!("H{}", usize::from(d.byte()) % hosts.len());
    let vms: Vec<ClusterVm> = (0..1 + usize::from(d.byte()) % MAX_FUZZ_VMS)
        .map(|i| {
            let memory_mib = d.log(64.0, 64.0 * 1024.0);
            let working_set_mib = memory_mib * d.unit();
            let dirty = d.zero_or_log(0.01, 100_000.0);
            ClusterVm {
                name: format!("vm{i}"),
                host: host_name(d),
                memory_mib,
                working_set_mib,
                untouched_mib: (memory_mib - working_set_mib) * d.unit(),
                dirty_rate_mibps: if working_set_mib > 0.0 { dirty } else { 0.0 },
                pattern: d.pick(&PATTERNS),
                disk_gib: d.zero_or_log(0.1, 10_000.0),
            }
        })
        .collect();
    let operations = (0..1 + usize::from(d.byte()) % MAX_FUZZ_VMS)
        .map(|_| match d.byte() % 4 {
            0 => Operation::Drain { host: host_name(d) },
            _ => Operation::Move {
                vm: format!("vm{}", usize::from(d.byte()) % vms.len()),
                to: host_name(d),
            },
        })
        .collect();
    let (policy, overheads) = draw_policy(d);
    let settings = MigrationSettings {
        per_host_limit: d.int(1, 16),
        cluster_limit: d.int(1, 16),
        transport: d.pick(&KINDS),
        networks: (0..d.byte() % 3)
            .map(|_| format!("net{}", usize::from(d.byte()) % networks.len()))
            .collect(),
        policy,
        overheads,
        shared_nothing: d.bool(),
        smb_limit_pct: match d.byte() % 3 {
            0 => None,
            _ => Some(d.log(0.01, 100.0)),
        },
    };
    ClusterScenario {
        version: crate::engine::scenario::SCENARIO_VERSION,
        seed: u64::from(d.u16()),
        networks,
        hosts,
        vms,
        shared_storage: d.bool(),
        settings,
        operations,
        timeout_s: d.log(0.001, MAX_FUZZ_TIMEOUT_S),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_scenarios_are_mostly_valid() {
        // Pseudo-random bytes, no fuzzer: the drawing covers the policies and stays valid.
        let (mut valid, mut clusters) = (0, 0);
        let mut policies = std::collections::HashSet::new();
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..256 {
            let bytes: Vec<u8> = (0..200)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            if let Some(s) = engine_scenario(&bytes) {
                valid += 1;
                policies.insert(s.policy.name());
            }
            clusters += usize::from(cluster_scenario(&bytes).is_some());
        }
        assert!(valid > 200, "{valid} of 256 drawn scenarios are valid");
        assert_eq!(policies.len(), 3);
        assert!(clusters > 50, "{clusters} of 256 drawn clusters are valid");
    }
}
