//! A failover cluster: hosts with NICs on networks, VMs on hosts, shared storage, and many
//! migrations at once — moves and host drains — with Hyper-V's simultaneous-migration limits,
//! a FIFO queue, and migrations sharing NICs max-min fairly.
//!
//! Each migration runs the same pre-copy mechanics as the single-VM engine (encoding, dirtying,
//! stop policies); what changes is that its rate at any moment is its fair share of the NICs it
//! crosses, capped by what its own TCP flows, CPU and compression could carry alone.

use serde::{Deserialize, Serialize};

use super::fair::{max_min, Demand};
use super::memory::MemoryLayout;
use super::scenario::{
    Network, Overheads, Pattern, Scenario, ScenarioError, StopPolicy, Transport, TransportKind, Vm,
    DESCRIPTOR_RANGE, MAX_LINK_GBPS, SCENARIO_VERSION,
};
use super::sim::{decide, round_to_pages, stop_threshold, Background, Decision, PolicyState};
use super::trace::{LinkSegment, Outcome, PassRecord, PhaseKind, PhaseSpan, StopCopyRecord, Trace};
use super::transport::{
    driver_default_descriptors, link_payload, xen_round_limit, RateBreakdown, MIN_NETWORK_CORES,
};
use super::units::{fmt_bytes, MIB};
use super::workload::Workload;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkRole {
    Management,
    VmTraffic,
    /// Cluster heartbeat and CSV redirected I/O: the lowest live-migration preference.
    Cluster,
    LiveMigration,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterNetwork {
    pub name: String,
    pub role: NetworkRole,
    /// Carries only its own role's traffic; otherwise VM, CSV and backup traffic share it.
    #[serde(default)]
    pub dedicated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nic {
    pub network: String,
    pub gbps: f64,
    #[serde(default)]
    pub rdma: bool,
    /// Receive/transmit descriptors per ring; absent: the driver's default for the speed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffers: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub name: String,
    #[serde(default = "default_cores")]
    pub cores: u32,
    #[serde(default = "default_load")]
    pub load: f64,
    /// Memory available to VMs.
    pub memory_gib: f64,
    pub nics: Vec<Nic>,
}

fn default_cores() -> u32 {
    16
}
fn default_load() -> f64 {
    0.5
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterVm {
    pub name: String,
    pub host: String,
    pub memory_mib: f64,
    #[serde(default)]
    pub working_set_mib: f64,
    #[serde(default)]
    pub untouched_mib: f64,
    #[serde(default)]
    pub dirty_rate_mibps: f64,
    #[serde(default)]
    pub pattern: Pattern,
    /// Virtual disks: copied only by a shared-nothing migration.
    #[serde(default = "default_disk")]
    pub disk_gib: f64,
}

fn default_disk() -> f64 {
    40.0
}

/// Hyper-V's migration settings for the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MigrationSettings {
    /// `Set-VMHost -MaximumVirtualMachineMigrations`: simultaneous migrations a host takes part
    /// in (as source or destination). Default 2.
    pub per_host_limit: u32,
    /// Cluster property `MaximumParallelMigrations` (since the 2022-09 update). Default 1.
    pub cluster_limit: u32,
    pub transport: TransportKind,
    /// Live-migration networks in order of preference; empty = any available network.
    pub networks: Vec<String>,
    pub policy: StopPolicy,
    pub overheads: Overheads,
    /// Copy the virtual disks first when there is no shared storage (shared-nothing).
    pub shared_nothing: bool,
}

impl Default for MigrationSettings {
    fn default() -> Self {
        MigrationSettings {
            per_host_limit: 2,
            cluster_limit: 1,
            transport: TransportKind::Compression,
            networks: Vec::new(),
            policy: StopPolicy::hyperv(),
            overheads: Overheads::hyperv(),
            shared_nothing: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// Live-migrate one VM to a chosen host.
    Move { vm: String, to: String },
    /// Move every VM off a host, each to the host with the most free memory.
    Drain { host: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterScenario {
    #[serde(default = "version")]
    pub version: u32,
    #[serde(default)]
    pub seed: u64,
    pub networks: Vec<ClusterNetwork>,
    pub hosts: Vec<Host>,
    pub vms: Vec<ClusterVm>,
    /// CSV or an SMB share that every node reaches.
    #[serde(default = "yes")]
    pub shared_storage: bool,
    #[serde(default)]
    pub settings: MigrationSettings,
    pub operations: Vec<Operation>,
    #[serde(default = "default_timeout")]
    pub timeout_s: f64,
}

fn version() -> u32 {
    SCENARIO_VERSION
}
fn yes() -> bool {
    true
}
fn default_timeout() -> f64 {
    3600.0
}

pub const MAX_HOSTS: usize = 16;

fn err(field: &'static str, message: impl Into<String>) -> Result<(), ScenarioError> {
    Err(ScenarioError {
        field,
        message: message.into(),
    })
}

impl ClusterScenario {
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != SCENARIO_VERSION {
            return err(
                "version",
                format!("scenario version {} is not supported", self.version),
            );
        }
        if self.hosts.len() < 2 || self.hosts.len() > MAX_HOSTS {
            return err(
                "hosts",
                format!(
                    "a cluster has 2 to {MAX_HOSTS} hosts (got {})",
                    self.hosts.len()
                ),
            );
        }
        for (i, h) in self.hosts.iter().enumerate() {
            if self.hosts[..i].iter().any(|o| o.name == h.name) {
                return err("hosts", format!("two hosts are called {}", h.name));
            }
            if !(h.memory_gib.is_finite() && h.memory_gib > 0.0) {
                return err(
                    "hosts.memory_gib",
                    format!("{} needs memory for VMs", h.name),
                );
            }
            if h.cores == 0 || !(0.0..=1.0).contains(&h.load) {
                return err(
                    "hosts",
                    format!("{}: at least one core and a load from 0 to 1", h.name),
                );
            }
            for n in &h.nics {
                if !self.networks.iter().any(|net| net.name == n.network) {
                    return err(
                        "hosts.nics",
                        format!("{} has a NIC on unknown network {}", h.name, n.network),
                    );
                }
                if !(n.gbps.is_finite() && n.gbps > 0.0 && n.gbps <= MAX_LINK_GBPS) {
                    return err(
                        "hosts.nics",
                        format!(
                            "{}: NIC speeds are above 0 and at most {MAX_LINK_GBPS} Gbit/s",
                            h.name
                        ),
                    );
                }
                let (lo, hi) = DESCRIPTOR_RANGE;
                if n.buffers.is_some_and(|b| !(lo..=hi).contains(&b)) {
                    return err(
                        "hosts.nics",
                        format!("{}: NIC rings hold {lo} to {hi} descriptors", h.name),
                    );
                }
            }
        }
        let hosts_by_name: std::collections::HashMap<&str, &Host> =
            self.hosts.iter().map(|h| (h.name.as_str(), h)).collect();
        let mut vm_names = std::collections::HashSet::with_capacity(self.vms.len());
        for vm in &self.vms {
            if !vm_names.insert(vm.name.as_str()) {
                return err("vms", format!("two VMs are called {}", vm.name));
            }
            let Some(&host) = hosts_by_name.get(vm.host.as_str()) else {
                return err(
                    "vms.host",
                    format!("{} runs on unknown host {}", vm.name, vm.host),
                );
            };
            // The single-VM rules apply to each VM, on its own host.
            self.vm_scenario(vm, host, None)
                .validate()
                .map_err(|e| ScenarioError {
                    field: e.field,
                    message: format!("{}: {}", vm.name, e.message),
                })?;
            if !(vm.disk_gib.is_finite() && vm.disk_gib >= 0.0) {
                return err(
                    "vms.disk_gib",
                    format!("{}: disk size must be 0 or more", vm.name),
                );
            }
        }
        let st = &self.settings;
        if st.per_host_limit == 0 || st.cluster_limit == 0 {
            return err(
                "settings",
                "migration limits must allow at least one migration",
            );
        }
        for n in &st.networks {
            if !self.networks.iter().any(|net| &net.name == n) {
                return err("settings.networks", format!("unknown network {n}"));
            }
        }
        for op in &self.operations {
            match op {
                Operation::Move { vm, to } => {
                    if !vm_names.contains(vm.as_str()) {
                        return err("operations", format!("no VM called {vm}"));
                    }
                    if !hosts_by_name.contains_key(to.as_str()) {
                        return err("operations", format!("no host called {to}"));
                    }
                }
                Operation::Drain { host } => {
                    if !hosts_by_name.contains_key(host.as_str()) {
                        return err("operations", format!("no host called {host}"));
                    }
                }
            }
        }
        if !(self.timeout_s.is_finite() && self.timeout_s > 0.0) {
            return err("timeout_s", "the timeout must be longer than 0 s");
        }
        Ok(())
    }

    /// The single-VM scenario that describes `vm` migrating from `host` over `path`.
    fn vm_scenario(&self, vm: &ClusterVm, host: &Host, path: Option<&Path>) -> Scenario {
        let st = &self.settings;
        let mut s = Scenario {
            seed: self.seed,
            vm: Vm {
                memory_mib: vm.memory_mib,
                working_set_mib: vm.working_set_mib,
                untouched_mib: vm.untouched_mib,
                dirty_rate_mibps: vm.dirty_rate_mibps,
                pattern: vm.pattern,
                ..Vm::default()
            },
            network: Network::default(),
            transport: Transport {
                kind: st.transport,
                rdma: false,
                host_cores: host.cores,
                host_load: host.load,
                ..Transport::default()
            },
            policy: st.policy.clone(),
            overheads: st.overheads.clone(),
            timeout_s: self.timeout_s,
            ..Scenario::default()
        };
        if let Some(p) = path {
            s.network.link_gbps = p.gbps;
            s.network.nics = p.nics;
            s.network.buffers = p.buffers;
            s.network.dedicated = p.dedicated;
            s.transport.rdma = p.rdma;
        }
        s
    }

    /// Parses a cluster scenario file and checks it.
    pub fn from_json(text: &str) -> Result<ClusterScenario, ScenarioError> {
        let s: ClusterScenario = super::scenario::parse_object(text, "cluster scenario file")?;
        s.validate()?;
        Ok(s)
    }
}

/// The network path a migration takes between two hosts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Path {
    pub network: String,
    /// Speed of one NIC, and how many NIC pairs the migration uses (SMB Multichannel: all of
    /// the fastest; TCP/IP and Compression: one).
    pub gbps: f64,
    pub nics: u32,
    /// The smallest ring any of the NICs has, when one is set; otherwise the drivers' default.
    pub buffers: Option<u32>,
    pub rdma: bool,
    pub dedicated: bool,
}

/// Hyper-V's network choice: the first network in the priority list (or any, live-migration
/// networks first and the cluster network last) on which both hosts have NICs.
fn choose_path(sc: &ClusterScenario, a: &Host, b: &Host) -> Option<Path> {
    let mut order: Vec<&ClusterNetwork> = if sc.settings.networks.is_empty() {
        let mut all: Vec<&ClusterNetwork> = sc.networks.iter().collect();
        all.sort_by_key(|n| match n.role {
            NetworkRole::LiveMigration => 0,
            NetworkRole::VmTraffic => 1,
            NetworkRole::Management => 2,
            NetworkRole::Cluster => 3,
        });
        all
    } else {
        sc.settings
            .networks
            .iter()
            .filter_map(|name| sc.networks.iter().find(|n| &n.name == name))
            .collect()
    };
    order.retain(|n| {
        a.nics.iter().any(|x| x.network == n.name) && b.nics.iter().any(|x| x.network == n.name)
    });
    let net = order.first()?;
    let on = |h: &Host| -> Vec<Nic> {
        h.nics
            .iter()
            .filter(|x| x.network == net.name)
            .cloned()
            .collect()
    };
    let (na, nb) = (on(a), on(b));
    // SMB Multichannel uses the fastest NICs, as many as both ends have.
    let fastest = |v: &[Nic]| v.iter().map(|n| n.gbps).fold(0.0, f64::max);
    let gbps = fastest(&na).min(fastest(&nb));
    let fast_a: Vec<&Nic> = na.iter().filter(|n| n.gbps >= gbps).collect();
    let fast_b: Vec<&Nic> = nb.iter().filter(|n| n.gbps >= gbps).collect();
    let nics = if sc.settings.transport == TransportKind::Smb {
        fast_a.len().min(fast_b.len()) as u32
    } else {
        1
    };
    Some(Path {
        network: net.name.clone(),
        gbps,
        nics: nics.max(1),
        buffers: if fast_a.iter().chain(&fast_b).any(|n| n.buffers.is_some()) {
            fast_a
                .iter()
                .chain(&fast_b)
                .map(|n| {
                    n.buffers
                        .unwrap_or_else(|| driver_default_descriptors(n.gbps))
                })
                .min()
        } else {
            None
        },
        rdma: fast_a.iter().all(|n| n.rdma) && fast_b.iter().all(|n| n.rdma),
        dedicated: net.dedicated,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSpan {
    pub stage: Stage,
    /// 1-based pass number for `Precopy`, 0 otherwise.
    pub pass: u32,
    pub start_s: f64,
    pub end_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateSegment {
    pub start_s: f64,
    pub end_s: f64,
    /// Wire bytes/s of this migration.
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MigrationRecord {
    pub vm: String,
    pub from: String,
    pub to: String,
    /// Why the migration could not run (no shared storage, no common network, no room).
    pub refused: Option<String>,
    pub path: Option<Path>,
    pub stages: Vec<StageSpan>,
    pub segments: Vec<RateSegment>,
    pub outcome: Option<Outcome>,
    pub passes: u32,
    pub wire_bytes: f64,
    pub downtime_s: f64,
    pub start_s: f64,
    pub end_s: f64,
    /// Per-pass records in the single-VM format (segment ranges index `segments`).
    pub pass_records: Vec<PassRecord>,
    pub stop_copy: Option<StopCopyRecord>,
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
}

/// Live-migration requests in order: moves as given, drains expanded VM by VM (largest first)
/// to the host with the most free memory at that point.
fn plan(sc: &ClusterScenario) -> Vec<(usize, usize, usize, Option<String>)> {
    let host_ix = |name: &str| sc.hosts.iter().position(|h| h.name == name).unwrap_or(0);
    let mut at: Vec<usize> = sc.vms.iter().map(|v| host_ix(&v.host)).collect();
    let mut used = vec![0.0; sc.hosts.len()];
    for (i, v) in sc.vms.iter().enumerate() {
        used[at[i]] += v.memory_mib;
    }
    let free = |used: &[f64], h: usize| sc.hosts[h].memory_gib * 1024.0 - used[h];
    let reachable = |a: usize, b: usize| choose_path(sc, &sc.hosts[a], &sc.hosts[b]).is_some();
    // Why a move of VM v from a to b cannot run, if it cannot.
    let refusal = |used: &[f64], v: usize, a: usize, b: usize| -> Option<String> {
        let vm = &sc.vms[v];
        if a == b {
            Some(format!("{} already runs on {}", vm.name, sc.hosts[b].name))
        } else if free(used, b) < vm.memory_mib {
            Some(format!(
                "{} has {} free, {} needs {}",
                sc.hosts[b].name,
                fmt_bytes(free(used, b).max(0.0) * MIB),
                vm.name,
                fmt_bytes(vm.memory_mib * MIB)
            ))
        } else if !reachable(a, b) {
            Some(format!(
                "{} and {} share no network for live migration",
                sc.hosts[a].name, sc.hosts[b].name
            ))
        } else if !sc.shared_storage && !sc.settings.shared_nothing {
            Some(format!(
                "no shared storage: a failover cluster needs it for live migration; a shared-nothing migration would first copy {}'s {} of disks",
                vm.name,
                fmt_bytes(vm.disk_gib * 1024.0 * MIB)
            ))
        } else {
            None
        }
    };
    let mut out = Vec::new();
    let go = |v: usize, to: usize, at: &mut [usize], used: &mut [f64]| {
        let from = at[v];
        let why = refusal(used, v, from, to);
        if why.is_none() {
            used[from] -= sc.vms[v].memory_mib;
            used[to] += sc.vms[v].memory_mib;
            at[v] = to;
        }
        (v, from, to, why)
    };
    for op in &sc.operations {
        match op {
            Operation::Move { vm, to } => {
                let v = sc.vms.iter().position(|x| &x.name == vm).unwrap_or(0);
                out.push(go(v, host_ix(to), &mut at, &mut used));
            }
            Operation::Drain { host } => {
                let h = host_ix(host);
                let mut vms: Vec<usize> = (0..sc.vms.len()).filter(|&v| at[v] == h).collect();
                vms.sort_by(|&a, &b| sc.vms[b].memory_mib.total_cmp(&sc.vms[a].memory_mib));
                for v in vms {
                    // The reachable host with the most free memory.
                    let best = (0..sc.hosts.len())
                        .filter(|&o| o != h && reachable(h, o))
                        .max_by(|&a, &b| free(&used, a).total_cmp(&free(&used, b)));
                    match best {
                        Some(to) if free(&used, to) >= sc.vms[v].memory_mib => {
                            out.push(go(v, to, &mut at, &mut used))
                        }
                        _ => out.push((
                            v,
                            h,
                            h,
                            Some(format!(
                                "no other host reachable from {} has {} free for {}",
                                sc.hosts[h].name,
                                fmt_bytes(sc.vms[v].memory_mib * MIB),
                                sc.vms[v].name
                            )),
                        )),
                    }
                }
            }
        }
    }
    out
}

/// A resource migrations share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// One host's NICs on one network, in one direction.
    Port {
        host: usize,
        network: usize,
        tx: bool,
    },
    /// The single NIC pair that TCP connections between two hosts hash onto.
    Pair { a: usize, b: usize, network: usize },
    /// A host's idle cores (core-seconds per second).
    Cpu(usize),
}

/// The resources of one moment, numbered as they are first used.
#[derive(Default)]
struct Resources {
    index: std::collections::HashMap<Key, usize>,
    capacity: Vec<f64>,
}

impl Resources {
    fn id(&mut self, key: Key, capacity: impl FnOnce() -> f64) -> usize {
        *self.index.entry(key).or_insert_with(|| {
            self.capacity.push(capacity());
            self.capacity.len() - 1
        })
    }
}

/// One migration in flight.
struct Live {
    record: usize,
    vm: usize,
    from: usize,
    to: usize,
    network: usize,
    rates: RateBreakdown,
    workload: Workload,
    policy: PolicyState,
    stage: Stage,
    pass: u32,
    stage_start: f64,
    /// Timed stages end here; transfers end when `wire_left` reaches 0.
    stage_end: f64,
    wire_left: f64,
    wire_total: f64,
    memory: f64,
    zero: f64,
    /// Dirty rate the last pass saw (Xen's adaptive rounds follow it).
    prev_dirty_rate: f64,
    /// Index of this stage's first rate segment: segments never merge across stages.
    seg_floor: usize,
    cpu_limit: f64,
    /// Core-seconds per wire byte this stage costs the source (TCP plus compression) and the
    /// destination (TCP plus decompression).
    src_cpu: f64,
    dst_cpu: f64,
}

/// Runs every operation of a cluster scenario.
pub fn simulate_cluster(sc: &ClusterScenario) -> Result<ClusterTrace, ScenarioError> {
    sc.validate()?;
    let st = &sc.settings;
    let mut records: Vec<MigrationRecord> = Vec::new();
    let mut queue: std::collections::VecDeque<Live> = std::collections::VecDeque::new();
    let mut placement: Vec<usize> = sc
        .vms
        .iter()
        .map(|v| sc.hosts.iter().position(|h| h.name == v.host).unwrap_or(0))
        .collect();
    for (vm, from, to, refused) in plan(sc) {
        let v = &sc.vms[vm];
        let path = choose_path(sc, &sc.hosts[from], &sc.hosts[to]);
        let record = records.len();
        records.push(MigrationRecord {
            vm: v.name.clone(),
            from: sc.hosts[from].name.clone(),
            to: sc.hosts[to].name.clone(),
            refused: refused.clone(),
            path: path.clone(),
            stages: Vec::new(),
            segments: Vec::new(),
            outcome: None,
            passes: 0,
            wire_bytes: 0.0,
            downtime_s: 0.0,
            start_s: 0.0,
            end_s: 0.0,
            pass_records: Vec::new(),
            stop_copy: None,
        });
        let (Some(path), None) = (path, refused) else {
            continue;
        };
        placement[vm] = to;
        let s = sc.vm_scenario(v, &sc.hosts[from], Some(&path));
        let network = sc
            .networks
            .iter()
            .position(|n| n.name == path.network)
            .unwrap_or(0);
        queue.push_back(Live {
            record,
            vm,
            from,
            to,
            network,
            rates: RateBreakdown::new(&s),
            workload: Workload {
                working_set: v.working_set_mib * MIB,
                rate: v.dirty_rate_mibps * MIB,
                pattern: v.pattern,
                hot_fraction: s.vm.hot_fraction,
                hot_share: s.vm.hot_share,
            },
            policy: PolicyState::new(),
            stage: Stage::Queued,
            pass: 0,
            stage_start: 0.0,
            stage_end: 0.0,
            wire_left: 0.0,
            wire_total: 0.0,
            memory: 0.0,
            cpu_limit: f64::INFINITY,
            src_cpu: 0.0,
            dst_cpu: 0.0,
            zero: 0.0,
            prev_dirty_rate: 0.0,
            seg_floor: 0,
        });
    }

    let mut backgrounds: Vec<Background> = sc
        .networks
        .iter()
        .enumerate()
        .map(|(i, n)| Background::new(sc.seed.wrapping_add(i as u64 * 7919), n.dedicated))
        .collect();
    // Line rate of every NIC a host has on a network, bytes/s.
    let port_lines: Vec<Vec<f64>> = sc
        .hosts
        .iter()
        .map(|h| {
            sc.networks
                .iter()
                .map(|net| {
                    h.nics
                        .iter()
                        .filter(|n| n.network == net.name)
                        .map(|n| n.gbps * 1e9 / 8.0)
                        .sum()
                })
                .collect()
        })
        .collect();
    let port_line = |host: usize, network: usize| port_lines[host][network];
    // The cores a host's VMs leave idle; its own networking keeps at least one.
    let idle_cores = |host: usize| {
        let h = &sc.hosts[host];
        (f64::from(h.cores) * (1.0 - h.load)).max(MIN_NETWORK_CORES)
    };
    let mut active: Vec<Live> = Vec::new();
    let mut t = 0.0;
    let mut peak: f64 = 0.0;
    let mut guard = 0u64;
    while !queue.is_empty() || !active.is_empty() {
        guard += 1;
        if guard > 5_000_000 {
            // A safety net that should never trip: say so on every unfinished migration.
            for m in active.drain(..).chain(queue.drain(..)) {
                records[m.record].refused = Some("the simulation gave up on this migration".into());
            }
            break;
        }
        // Admit from the head of the FIFO queue while the limits allow.
        while let Some(head) = queue.front() {
            let busy = |h: usize| active.iter().filter(|m| m.from == h || m.to == h).count() as u32;
            // A VM's later migration waits for its earlier one.
            if active.len() as u32 >= st.cluster_limit
                || busy(head.from) >= st.per_host_limit
                || busy(head.to) >= st.per_host_limit
                || active.iter().any(|m| m.vm == head.vm)
            {
                break;
            }
            let mut m = queue.pop_front().expect("head exists");
            m.stage = Stage::Setup;
            m.stage_start = t;
            m.stage_end = t + st.overheads.setup_s;
            records[m.record].start_s = t;
            records[m.record].stages.push(StageSpan {
                stage: Stage::Queued,
                pass: 0,
                start_s: 0.0,
                end_s: t,
            });
            active.push(m);
        }
        // Rates of the transfers: max-min fair over the NIC ports they cross, the one NIC path
        // that TCP/IP and Compression take between two hosts, and each host's idle cores.
        let offered: Vec<(f64, f64)> = backgrounds.iter_mut().map(|b| b.at(t)).collect();
        let transferring: Vec<usize> = (0..active.len())
            .filter(|&i| {
                matches!(
                    active[i].stage,
                    Stage::Storage | Stage::Precopy | Stage::Blackout
                )
            })
            .collect();
        let mut resources = Resources::default();
        let demands: Vec<Demand> = transferring
            .iter()
            .map(|&i| {
                let m = &active[i];
                let bg = offered[m.network].0;
                let payload = |line: f64| link_payload(line, bg, m.rates.protocol_efficiency);
                let cap = if m.stage == Stage::Blackout {
                    m.rates.for_stop_copy(&st.policy).wire_rate(bg)
                } else {
                    m.rates.wire_rate(bg)
                };
                let port = |host: usize, tx: bool| Key::Port {
                    host,
                    network: m.network,
                    tx,
                };
                let mut uses = vec![
                    (
                        resources.id(port(m.from, true), || payload(port_line(m.from, m.network))),
                        1.0,
                    ),
                    (
                        resources.id(port(m.to, false), || payload(port_line(m.to, m.network))),
                        1.0,
                    ),
                    (
                        resources.id(Key::Cpu(m.from), || idle_cores(m.from)),
                        m.src_cpu,
                    ),
                    (resources.id(Key::Cpu(m.to), || idle_cores(m.to)), m.dst_cpu),
                ];
                if m.rates.nics_used == 1 {
                    // Hash-based teaming sends every TCP connection between two hosts over the
                    // same NIC pair.
                    let pair = Key::Pair {
                        a: m.from.min(m.to),
                        b: m.from.max(m.to),
                        network: m.network,
                    };
                    uses.push((resources.id(pair, || payload(m.rates.line_rate)), 1.0));
                }
                Demand {
                    cap: cap.min(m.cpu_limit),
                    uses,
                }
            })
            .collect();
        let rates = max_min(&demands, &resources.capacity);
        // Peak traffic on any port.
        let mut load = vec![0.0; resources.capacity.len()];
        for (d, r) in demands.iter().zip(&rates) {
            for &(res, _) in &d.uses[..2] {
                load[res] += r;
            }
        }
        peak = load.iter().fold(peak, |p, l| p.max(l * 8.0 / 1e9));
        // Next event: a timed stage ends, a transfer completes, background traffic changes.
        let mut slot = vec![None; active.len()];
        for (k, &i) in transferring.iter().enumerate() {
            slot[i] = Some(k);
        }
        let mut next = f64::INFINITY;
        let mut networks_in_use = vec![false; offered.len()];
        for (i, m) in active.iter().enumerate() {
            networks_in_use[m.network] = true;
            match slot[i] {
                Some(k) if rates[k] > 0.0 => next = next.min(t + m.wire_left / rates[k]),
                Some(_) => {}
                None => next = next.min(m.stage_end),
            }
            if matches!(m.stage, Stage::Precopy | Stage::Storage) {
                next = next.min(records[m.record].start_s + sc.timeout_s);
            }
        }
        for (i, (_, until)) in offered.iter().enumerate() {
            if networks_in_use[i] {
                next = next.min(*until);
            }
        }
        if !next.is_finite() {
            // Nothing can move (e.g. every transfer at rate 0 on a saturated shared link that
            // never clears): abandon what is left.
            for m in active.drain(..) {
                let r = &mut records[m.record];
                r.outcome = Some(Outcome::NoBandwidth);
                r.end_s = t;
            }
            for m in queue.drain(..) {
                records[m.record].refused =
                    Some("never started: the migrations before it could not finish".into());
            }
            break;
        }
        let dt = (next - t).max(0.0);
        for (k, &i) in transferring.iter().enumerate() {
            let m = &mut active[i];
            // A transfer whose predicted finish is this event is done: subtracting could leave
            // a residue too small to ever advance the clock again.
            if rates[k] > 0.0 && t + m.wire_left / rates[k] <= next {
                m.wire_left = 0.0;
            } else {
                m.wire_left -= rates[k] * dt;
            }
            let segs = &mut records[m.record].segments;
            let mergeable = segs.len() > m.seg_floor;
            match segs.last_mut() {
                Some(last) if mergeable && last.end_s == t && last.rate == rates[k] => {
                    last.end_s = next
                }
                _ if dt > 0.0 => segs.push(RateSegment {
                    start_s: t,
                    end_s: next,
                    rate: rates[k],
                }),
                _ => {}
            }
            records[m.record].wire_bytes += rates[k] * dt;
        }
        t = next;
        // Stage transitions.
        let mut i = 0;
        while i < active.len() {
            let done = {
                let m = &active[i];
                let transfer = matches!(m.stage, Stage::Storage | Stage::Precopy | Stage::Blackout);
                if transfer {
                    m.wire_left <= m.wire_total * 1e-12 + 1e-6
                } else {
                    t >= m.stage_end - 1e-12
                }
            };
            let timed_out = matches!(active[i].stage, Stage::Precopy | Stage::Storage)
                && t >= records[active[i].record].start_s + sc.timeout_s - 1e-9
                && !done;
            if timed_out {
                let m = active.remove(i);
                let r = &mut records[m.record];
                r.stages.push(m.span(t));
                r.outcome = Some(Outcome::TimedOut);
                r.end_s = t;
                placement[m.vm] = m.from;
                continue;
            }
            if !done {
                i += 1;
                continue;
            }
            let finished = advance(&mut active[i], t, sc, &mut records);
            if finished {
                let m = active.remove(i);
                // Abandoned (no progress): the VM never left its source.
                if records[m.record].outcome.is_some_and(|o| !o.completed()) {
                    placement[m.vm] = m.from;
                }
            } else {
                i += 1;
            }
        }
    }
    let makespan = records.iter().map(|r| r.end_s).fold(0.0, f64::max);
    let worst = records.iter().map(|r| r.downtime_s).fold(0.0, f64::max);
    let placement = sc
        .vms
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.clone(), sc.hosts[placement[i]].name.clone()))
        .collect();
    Ok(ClusterTrace {
        scenario: sc.clone(),
        migrations: records,
        makespan_s: makespan,
        worst_blackout_s: worst,
        peak_link_gbps: peak,
        placement,
    })
}

/// Xen's adaptive rounds cap each pre-copy pass (the final copy runs at full speed).
fn xen_limit(m: &mut Live, policy: &StopPolicy) {
    if let Some(limit) = xen_round_limit(policy, m.pass == 1, m.prev_dirty_rate) {
        m.cpu_limit = m.cpu_limit.min(limit);
    }
}

impl Live {
    /// The current stage as a finished span ending at t.
    fn span(&self, t: f64) -> StageSpan {
        StageSpan {
            stage: self.stage,
            pass: self.pass,
            start_s: self.stage_start,
            end_s: t,
        }
    }
}

/// Moves a migration whose stage just ended to its next stage; true when it is done.
fn advance(m: &mut Live, t: f64, sc: &ClusterScenario, records: &mut [MigrationRecord]) -> bool {
    let st = &sc.settings;
    let vm = &sc.vms[m.vm];
    let r = &mut records[m.record];
    r.stages.push(m.span(t));
    let floor = r.segments.len();
    let begin = |m: &mut Live, stage: Stage, data: f64, zero: f64, extra: f64| {
        let enc = m.rates.encode(data, zero);
        m.stage = stage;
        m.stage_start = t;
        m.seg_floor = floor;
        m.memory = enc.memory;
        m.zero = zero;
        m.wire_total = enc.wire + extra;
        m.wire_left = m.wire_total;
        m.cpu_limit = m.rates.cpu_wire_limit(&enc, extra);
        let per_byte = |core_s: f64| {
            if m.wire_total > 0.0 {
                core_s / m.wire_total
            } else {
                0.0
            }
        };
        m.src_cpu = m.rates.transport_core_s_per_byte + per_byte(enc.compress_core_s);
        m.dst_cpu = m.rates.transport_core_s_per_byte + per_byte(enc.decompress_core_s);
    };
    match m.stage {
        Stage::Setup if !sc.shared_storage && st.shared_nothing => {
            // Disk blocks copied once, raw (storage migration mirrors new writes).
            begin(m, Stage::Storage, 0.0, 0.0, vm.disk_gib * 1024.0 * MIB);
            m.cpu_limit = f64::INFINITY;
            false
        }
        Stage::Setup | Stage::Storage => {
            // Pass 1: every written page, plus the never-written ones.
            m.pass = 1;
            begin(
                m,
                Stage::Precopy,
                (vm.memory_mib - vm.untouched_mib) * MIB,
                vm.untouched_mib * MIB,
                0.0,
            );
            xen_limit(m, &st.policy);
            false
        }
        Stage::Precopy => {
            let duration = t - m.stage_start;
            let workload = m.workload.throttled(m.policy.throttle_pct);
            let dirty = round_to_pages(workload.dirtied(duration))
                .min((vm.memory_mib - vm.untouched_mib) * MIB);
            let rate = r.segments[m.seg_floor..].last().map_or(0.0, |s| s.rate);
            let memory_rate = if duration > 0.0 {
                m.memory / duration
            } else {
                0.0
            };
            let threshold = stop_threshold(&st.policy, &m.rates, rate);
            r.pass_records.push(PassRecord {
                index: m.pass,
                start_s: m.stage_start,
                end_s: t,
                duration_s: duration,
                memory_bytes: m.memory,
                zero_bytes: m.zero,
                wire_bytes: m.wire_total,
                planned_wire_bytes: m.wire_total,
                memory_rate,
                wire_rate: if duration > 0.0 {
                    m.wire_total / duration
                } else {
                    0.0
                },
                segments: (m.seg_floor, r.segments.len()),
                dirty_rate: workload.rate,
                throttle_pct: m.policy.throttle_pct,
                dirty_bytes_at_end: dirty,
                stop_threshold_bytes: threshold,
                cpu_source_core_s: 0.0,
                cpu_dest_core_s: 0.0,
            });
            m.policy.total_memory_sent += m.memory;
            r.passes = m.pass;
            match decide(
                &st.policy,
                m.pass,
                dirty,
                threshold,
                vm.memory_mib * MIB,
                &mut m.policy,
                m.wire_total,
            ) {
                Decision::Continue => {
                    m.pass += 1;
                    m.prev_dirty_rate = if duration > 0.0 {
                        dirty / duration
                    } else {
                        0.0
                    };
                    begin(m, Stage::Precopy, dirty, 0.0, 0.0);
                    xen_limit(m, &st.policy);
                }
                Decision::Stop(outcome) if !outcome.completed() => {
                    r.outcome = Some(outcome);
                    m.stage = Stage::Done;
                    r.end_s = t;
                    return true;
                }
                Decision::Stop(outcome) => {
                    r.outcome = Some(outcome);
                    begin(
                        m,
                        Stage::Blackout,
                        dirty,
                        0.0,
                        st.overheads.device_state_mib * MIB,
                    );
                    m.pass = 0;
                }
            }
            false
        }
        Stage::Blackout => {
            let state = st.overheads.device_state_mib * MIB;
            let data_wire = (m.wire_total - state).max(0.0);
            let rate = r
                .segments
                .last()
                .map_or(0.0, |s| s.rate)
                .max(f64::MIN_POSITIVE);
            r.stop_copy = Some(StopCopyRecord {
                start_s: m.stage_start,
                memory_bytes: m.memory,
                device_state_bytes: state,
                wire_bytes: m.wire_total,
                memory_duration_s: data_wire / rate,
                duration_s: t - m.stage_start,
                switchover_s: st.overheads.switchover_ms / 1000.0,
                segments: (m.seg_floor, r.segments.len()),
            });
            m.stage = Stage::Switchover;
            m.stage_start = t;
            m.stage_end = t + st.overheads.switchover_ms / 1000.0;
            false
        }
        Stage::Switchover => {
            r.downtime_s = t - r
                .stages
                .iter()
                .find(|s| s.stage == Stage::Blackout)
                .map_or(t, |s| s.start_s);
            m.stage = Stage::Cleanup;
            m.stage_start = t;
            m.stage_end = t + st.overheads.cleanup_s;
            false
        }
        Stage::Cleanup | Stage::Queued | Stage::Done => {
            m.stage = Stage::Done;
            r.end_s = t;
            true
        }
    }
}

impl ClusterTrace {
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
                let kind = match st.stage {
                    Stage::Queued | Stage::Setup | Stage::Storage => PhaseKind::Setup,
                    Stage::Precopy => PhaseKind::Precopy,
                    Stage::Blackout => PhaseKind::StopCopy,
                    Stage::Switchover => PhaseKind::Switchover,
                    Stage::Cleanup => PhaseKind::Cleanup,
                    Stage::Done => return None,
                };
                Some(PhaseSpan {
                    kind,
                    pass: st.pass,
                    start_s: st.start_s,
                    end_s: st.end_s,
                })
            })
            .collect();
        Some(Trace {
            rates: RateBreakdown::new(&s),
            layout: MemoryLayout::new(
                vm.memory_mib * MIB,
                vm.working_set_mib * MIB,
                vm.untouched_mib * MIB,
                s.seed,
            ),
            scenario: s,
            phases,
            passes: m.pass_records.clone(),
            segments: m
                .segments
                .iter()
                .map(|sg| LinkSegment {
                    start_s: sg.start_s,
                    end_s: sg.end_s,
                    wire_rate: sg.rate,
                    background: 0.0,
                })
                .collect(),
            stop_copy: m.stop_copy.clone(),
            outcome: m.outcome.unwrap_or(Outcome::Converged),
            total_time_s: m.end_s,
            downtime_s: m.downtime_s,
            wire_bytes: m.wire_bytes,
            memory_bytes: m.pass_records.iter().map(|p| p.memory_bytes).sum(),
            cpu_source_core_s: 0.0,
            cpu_dest_core_s: 0.0,
        })
    }
}
