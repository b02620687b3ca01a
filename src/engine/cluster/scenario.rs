//! What a cluster scenario file describes: networks, hosts and their NICs, VMs, Hyper-V's
//! migration settings and the operations to run — and the checks that make it a possible one.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::engine::scenario::{
    err, Named, Network, Overheads, Pattern, Problem, Scenario, ScenarioError, StopPolicy,
    Transport, TransportKind, Vm, DESCRIPTOR_RANGE, MAX_LINK_GBPS, SCENARIO_VERSION,
};
use crate::engine::units::MIB;

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
    /// Cluster properties `SetSMBBandwidthLimit` and `SMBBandwidthLimitFactor` (since the
    /// 2022-09 update, KB5017381): the SMB live-migration traffic a node sends is limited to
    /// this percentage of the summed speed of all its NICs; default 25 (factor 2500). `None`:
    /// the limit is off. Only the SMB option is SMB traffic. (Microsoft, "Control Live
    /// Migration SMB Bandwidth control cluster-wide".)
    pub smb_limit_pct: Option<f64>,
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
            smb_limit_pct: Some(25.0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// Live-migrate one VM to a chosen host.
    Move { vm: String, to: String },
    /// Move every VM off a host, largest first, each to the reachable host with the most free
    /// memory. The host is then in maintenance: later drains place no VMs on it (a later
    /// `Move` to it by name still runs).
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

/// Whether `placed_mib` of VM memory fits in `memory_gib` (with room for rounding in the sums).
fn fits(placed_mib: f64, memory_gib: f64) -> bool {
    placed_mib <= memory_gib * 1024.0 * (1.0 + 1e-12)
}

impl ClusterScenario {
    /// A cluster with no host, VM or operation (which `validate` refuses): a placeholder
    /// where no cluster is shown.
    pub fn empty() -> ClusterScenario {
        ClusterScenario {
            version: SCENARIO_VERSION,
            seed: 0,
            networks: Vec::new(),
            hosts: Vec::new(),
            vms: Vec::new(),
            shared_storage: true,
            settings: MigrationSettings::default(),
            operations: Vec::new(),
            timeout_s: default_timeout(),
        }
    }

    /// Checks that the scenario describes a possible cluster: unique network, host and VM
    /// names, hosts with memory, cores and NICs on known networks, VMs that pass the single-VM
    /// checks and fit in their host's memory together, known targets for every operation.
    /// Runs in time linear in the number of hosts, NICs, VMs and operations.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != SCENARIO_VERSION {
            return err(
                "version",
                Problem::UnsupportedVersion {
                    got: self.version,
                    reads: None,
                },
            );
        }
        if self.hosts.len() < 2 || self.hosts.len() > MAX_HOSTS {
            return err(
                "hosts",
                Problem::HostCount {
                    max: MAX_HOSTS,
                    got: self.hosts.len(),
                },
            );
        }
        // Names to their index (one map type for all three, which keeps the wasm smaller).
        let mut network_names: HashMap<&str, usize> = HashMap::with_capacity(self.networks.len());
        for (i, n) in self.networks.iter().enumerate() {
            if network_names.insert(n.name.as_str(), i).is_some() {
                return err(
                    "networks.name",
                    Problem::TwoCalled {
                        what: Named::Network,
                        name: n.name.clone(),
                    },
                );
            }
        }
        let mut host_ix: HashMap<&str, usize> = HashMap::with_capacity(self.hosts.len());
        for (i, h) in self.hosts.iter().enumerate() {
            if host_ix.insert(h.name.as_str(), i).is_some() {
                return err(
                    "hosts.name",
                    Problem::TwoCalled {
                        what: Named::Host,
                        name: h.name.clone(),
                    },
                );
            }
            if !(h.memory_gib.is_finite() && h.memory_gib > 0.0) {
                return err(
                    "hosts.memory_gib",
                    Problem::HostWithoutMemory {
                        host: h.name.clone(),
                    },
                );
            }
            if h.cores == 0 || !(0.0..=1.0).contains(&h.load) {
                return err(
                    "hosts",
                    Problem::HostCoresAndLoad {
                        host: h.name.clone(),
                    },
                );
            }
            for n in &h.nics {
                if !network_names.contains_key(n.network.as_str()) {
                    return err(
                        "hosts.nics",
                        Problem::NicOnUnknownNetwork {
                            host: h.name.clone(),
                            network: n.network.clone(),
                        },
                    );
                }
                if !(n.gbps.is_finite() && n.gbps > 0.0 && n.gbps <= MAX_LINK_GBPS) {
                    return err(
                        "hosts.nics",
                        Problem::NicSpeed {
                            host: h.name.clone(),
                            max_gbps: MAX_LINK_GBPS,
                        },
                    );
                }
                let (lo, hi) = DESCRIPTOR_RANGE;
                if n.buffers.is_some_and(|b| !(lo..=hi).contains(&b)) {
                    return err(
                        "hosts.nics",
                        Problem::NicRings {
                            host: h.name.clone(),
                            lo,
                            hi,
                        },
                    );
                }
            }
        }
        let mut vm_names: HashMap<&str, usize> = HashMap::with_capacity(self.vms.len());
        // MiB of VM memory placed on each host, and the first VM that overfilled it.
        let mut placed = vec![0.0; self.hosts.len()];
        let mut first_over: Vec<Option<usize>> = vec![None; self.hosts.len()];
        for (v, vm) in self.vms.iter().enumerate() {
            if vm_names.insert(vm.name.as_str(), v).is_some() {
                return err(
                    "vms.name",
                    Problem::TwoCalled {
                        what: Named::Vm,
                        name: vm.name.clone(),
                    },
                );
            }
            let Some(&h) = host_ix.get(vm.host.as_str()) else {
                return err(
                    "vms.host",
                    Problem::VmOnUnknownHost {
                        vm: vm.name.clone(),
                        host: vm.host.clone(),
                    },
                );
            };
            let host = &self.hosts[h];
            // The single-VM rules apply to each VM, on its own host.
            self.vm_scenario(vm, host, None)
                .validate()
                .map_err(|e| ScenarioError {
                    field: e.field,
                    problem: Problem::In {
                        at: vm.name.clone(),
                        problem: Box::new(e.problem),
                    },
                })?;
            if !(vm.disk_gib.is_finite() && vm.disk_gib >= 0.0) {
                return err(
                    "vms.disk_gib",
                    Problem::NegativeDisk {
                        vm: vm.name.clone(),
                    },
                );
            }
            placed[h] += vm.memory_mib;
            if first_over[h].is_none() && !fits(placed[h], host.memory_gib) {
                first_over[h] = Some(v);
            }
        }
        // Report the host whose first overflowing VM comes first in the file, with the whole
        // need of that host.
        if let Some((h, v)) = first_over
            .iter()
            .enumerate()
            .filter_map(|(h, v)| v.map(|v| (h, v)))
            .min_by_key(|&(_, v)| v)
        {
            let host = &self.hosts[h];
            return err(
                "vms.host",
                Problem::HostOverfull {
                    host: host.name.clone(),
                    has_bytes: host.memory_gib * 1024.0 * MIB,
                    needs_bytes: placed[h] * MIB,
                    index: v,
                    vm: self.vms[v].name.clone(),
                },
            );
        }
        let st = &self.settings;
        if let Some(pct) = st.smb_limit_pct {
            if !(pct.is_finite() && pct > 0.0 && pct <= 100.0) {
                return err("settings.smb_limit_pct", Problem::SmbLimit);
            }
        }
        if st.per_host_limit == 0 || st.cluster_limit == 0 {
            return err("settings", Problem::NoMigrationAllowed);
        }
        for n in &st.networks {
            if !network_names.contains_key(n.as_str()) {
                return err("settings.networks", Problem::UnknownNetwork(n.clone()));
            }
        }
        for op in &self.operations {
            match op {
                Operation::Move { vm, to } => {
                    if !vm_names.contains_key(vm.as_str()) {
                        return err("operations", Problem::NoVmCalled(vm.clone()));
                    }
                    if !host_ix.contains_key(to.as_str()) {
                        return err("operations", Problem::NoHostCalled(to.clone()));
                    }
                }
                Operation::Drain { host } => {
                    if !host_ix.contains_key(host.as_str()) {
                        return err("operations", Problem::NoHostCalled(host.clone()));
                    }
                }
            }
        }
        if !(self.timeout_s.is_finite() && self.timeout_s > 0.0) {
            return err("timeout_s", Problem::NoTimeout);
        }
        Ok(())
    }

    /// The single-VM scenario that describes `vm` migrating from `host` over `path`.
    pub fn vm_scenario(&self, vm: &ClusterVm, host: &Host, path: Option<&Path>) -> Scenario {
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
            s.network.rdma = p.rdma;
        }
        if let Some(pct) = st.smb_limit_pct {
            // The cluster's SMB limit on everything the host sends; one migration alone gets all
            // of it (several share it: the event loop treats it as a shared resource).
            let node_gbps: f64 = host.nics.iter().map(|n| n.gbps).sum();
            s.network.smb_limit_mibps = Some(node_gbps * 1e9 / 8.0 * pct / 100.0 / MIB);
        }
        s
    }

    /// Parses a cluster scenario file and checks it.
    /// The scenario-file text (pretty JSON), as `from_json` reads it back.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a cluster scenario always serialises")
    }

    pub fn from_json(text: &str) -> Result<ClusterScenario, ScenarioError> {
        let s: ClusterScenario = crate::engine::scenario::parse_object(
            text,
            crate::engine::scenario::Input::ClusterFile,
        )?;
        s.validate()?;
        Ok(s)
    }
}
