//! A failover cluster: hosts with NICs on networks, VMs on hosts, shared storage, and many
//! migrations at once — moves and host drains — with Hyper-V's simultaneous-migration limits,
//! a FIFO queue, and migrations sharing NICs max-min fairly.
//!
//! Each migration runs the same pre-copy mechanics as the single-VM engine (encoding, dirtying,
//! stop policies); what changes is that its rate at any moment is its fair share of the NICs it
//! crosses, capped by what its own TCP flows, CPU and compression could carry alone.

mod fair;
mod path;
mod plan;
mod run;
mod scenario;

use serde::Serialize;

use crate::engine::postcopy::PostcopyRecord;
use crate::engine::trace::{LinkSegment, Outcome, PassRecord, PhaseSpan, StopCopyRecord, Trace};
use crate::engine::transport::{Bottleneck, RateBreakdown};
use crate::engine::units::fmt_bytes;

pub use crate::engine::migration::{Stage, StageSpan};
pub use fair::{max_min, max_min_held, Demand, Held};

pub use run::{simulate_cluster, ClusterRun, RunProgress};
pub use scenario::{
    ClusterNetwork, ClusterScenario, ClusterVm, Host, MigrationSettings, NetworkRole, Nic,
    Operation, Path, MAX_HOSTS,
};

/// Why a requested migration did not run. Kept as data so that each view words it in its own
/// language (`text`); `Display` is the English wording.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// A move to the host the VM already runs on.
    AlreadyThere { vm: String, host: String },
    /// The destination has less free memory than the VM needs.
    NoRoom {
        host: String,
        free_bytes: f64,
        vm: String,
        needs_bytes: f64,
    },
    /// No network for live migration connects the two hosts.
    NoNetwork { from: String, to: String },
    /// A failover cluster's live migration needs shared storage; shared-nothing is off.
    NoSharedStorage { vm: String, disk_bytes: f64 },
    /// A drain found no reachable host with room that is not itself in maintenance.
    NoTarget {
        from: String,
        vm: String,
        needs_bytes: f64,
        /// Hosts that an earlier drain put into maintenance.
        drained: Vec<String>,
    },
    /// Queued behind migrations that could not finish (no bandwidth left anywhere).
    NeverStarted,
}

/// The reason in English (the engine's language; `text::refusal` words it for a reader).
impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::AlreadyThere { vm, host } => write!(f, "{vm} already runs on {host}"),
            Refusal::NoRoom {
                host,
                free_bytes,
                vm,
                needs_bytes,
            } => write!(
                f,
                "{host} has {} free, {vm} needs {}",
                fmt_bytes(*free_bytes),
                fmt_bytes(*needs_bytes)
            ),
            Refusal::NoNetwork { from, to } => {
                write!(f, "{from} and {to} share no network for live migration")
            }
            Refusal::NoSharedStorage { vm, disk_bytes } => write!(
                f,
                "no shared storage: a failover cluster needs it for live migration; a shared-nothing migration would first copy {vm}'s {} of disks",
                fmt_bytes(*disk_bytes)
            ),
            Refusal::NoTarget {
                from,
                vm,
                needs_bytes,
                drained,
            } => {
                let needs = fmt_bytes(*needs_bytes);
                write!(f, "no other host reachable from {from} has {needs} free for {vm}")?;
                if !drained.is_empty() {
                    write!(f, " (hosts drained earlier take none: {})", drained.join(", "))?;
                }
                Ok(())
            }
            Refusal::NeverStarted => {
                f.write_str("never started: the migrations before it could not finish")
            }
        }
    }
}

/// What held a migration's rate for a spell of its transfer in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "by", rename_all = "snake_case")]
pub enum ClusterLimit {
    /// Its own path, as if it ran alone: the line rate, the TCP window, a flow's CPU, packet
    /// loss, a bandwidth cap, compression's CPU, Xen's rounds.
    Own(Bottleneck),
    /// A host's NICs on the migration network, shared with the cluster's other migrations.
    Nic,
    /// The one NIC pair that the TCP connections between two hosts hash onto (TCP/IP and
    /// Compression on a team).
    NicPair,
    /// A host's idle cores, shared with its other migrations.
    Cpu,
    /// The cluster's SMB bandwidth limit on what a host sends.
    SmbLimit,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MigrationRecord {
    pub vm: String,
    pub from: String,
    pub to: String,
    /// Why the migration could not run (no shared storage, no common network, no room).
    pub refused: Option<Refusal>,
    pub path: Option<Path>,
    pub stages: Vec<StageSpan>,
    /// The migration's wire rate over time, with the other traffic on its network.
    pub segments: Vec<LinkSegment>,
    pub outcome: Option<Outcome>,
    pub passes: u32,
    pub wire_bytes: f64,
    pub downtime_s: f64,
    pub start_s: f64,
    pub end_s: f64,
    /// Per-pass records in the single-VM format (segment ranges index `segments`).
    pub pass_records: Vec<PassRecord>,
    pub stop_copy: Option<StopCopyRecord>,
    /// The post-copy phase, when it switched to post-copy.
    pub postcopy: Option<PostcopyRecord>,
    /// Seconds of its transfer that each limit held the rate, in the order first seen.
    pub limits: Vec<(ClusterLimit, f64)>,
}

impl MigrationRecord {
    /// The limit that held the rate longest, with its share of the transfer time (0–1).
    pub fn main_limit(&self) -> Option<(ClusterLimit, f64)> {
        longest(&self.limits)
    }
}

/// Of `(limit, seconds)` spells, the limit that held longest, with its share of the time.
fn longest(limits: &[(ClusterLimit, f64)]) -> Option<(ClusterLimit, f64)> {
    let total: f64 = limits.iter().map(|(_, s)| s).sum();
    limits
        .iter()
        .copied()
        .fold(
            None,
            |best: Option<(ClusterLimit, f64)>, (l, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((l, s)),
            },
        )
        .filter(|_| total > 0.0)
        .map(|(l, s)| (l, s / total))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterTrace {
    pub scenario: ClusterScenario,
    pub migrations: Vec<MigrationRecord>,
    /// From the first request until the last migration ended.
    pub makespan_s: f64,
    pub worst_blackout_s: f64,
    /// Highest total migration traffic on any one NIC group, Gbit/s.
    pub peak_link_gbps: f64,
    /// Where each VM ends up.
    pub placement: Vec<(String, String)>,
    /// Core-seconds each host spent on migrations (TCP and compression, sending and
    /// receiving), in the scenario's host order.
    pub host_cpu_core_s: Vec<(String, f64)>,
}

impl ClusterTrace {
    /// The limit that held the cluster's migrations longest, with its share of all their
    /// transfer time (0–1).
    pub fn main_limit(&self) -> Option<(ClusterLimit, f64)> {
        let mut all: Vec<(ClusterLimit, f64)> = Vec::new();
        for (l, s) in self.migrations.iter().flat_map(|m| &m.limits) {
            match all.iter_mut().find(|(k, _)| k == l) {
                Some((_, t)) => *t += s,
                None => all.push((*l, *s)),
            }
        }
        longest(&all)
    }
}

impl ClusterTrace {
    /// A trace with no migration in it: what a view shows before (or instead of) a run.
    pub fn empty(scenario: ClusterScenario) -> ClusterTrace {
        ClusterTrace {
            scenario,
            migrations: Vec::new(),
            makespan_s: 0.0,
            worst_blackout_s: 0.0,
            peak_link_gbps: 0.0,
            placement: Vec::new(),
            host_cpu_core_s: Vec::new(),
        }
    }

    /// Migration `i` as a single-VM trace on the cluster's clock, for its memory map.
    pub fn migration_trace(&self, i: usize) -> Option<Trace> {
        let m = self.migrations.get(i)?;
        let path = m.path.as_ref()?;
        if m.refused.is_some() || m.pass_records.is_empty() {
            return None;
        }
        let sc = &self.scenario;
        let vm = sc.vms.iter().find(|v| v.name == m.vm)?;
        let host = sc.hosts.iter().find(|h| h.name == m.from)?;
        let mut s = sc.vm_scenario(vm, host, Some(path));
        // Each VM its own pattern of hot blocks.
        s.seed = sc.seed.wrapping_add(1 + i as u64);
        let phases = m
            .stages
            .iter()
            .filter_map(|st| {
                Some(PhaseSpan {
                    kind: st.stage.phase()?,
                    pass: st.pass,
                    start_s: st.start_s,
                    end_s: st.end_s,
                })
            })
            .collect();
        Some(Trace {
            rates: RateBreakdown::new(&s),
            layout: Default::default(),
            scenario: s,
            phases,
            passes: m.pass_records.clone(),
            segments: m.segments.clone(),
            stop_copy: m.stop_copy.clone(),
            outcome: m.outcome.unwrap_or(Outcome::Converged),
            total_time_s: m.end_s,
            downtime_s: m.downtime_s,
            wire_bytes: m.wire_bytes,
            memory_bytes: m.pass_records.iter().map(|p| p.memory_bytes).sum(),
            cpu_source_core_s: 0.0,
            cpu_dest_core_s: 0.0,
            postcopy: m.postcopy.clone(),
        })
    }
}
