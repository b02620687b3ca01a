//! Edits of a cluster: what a reader can add, remove and schedule, and what must follow (a
//! removed host takes its VMs and every operation that names them).

use crate::engine::cluster::{ClusterScenario, ClusterVm, Operation, MAX_HOSTS};
use crate::engine::Pattern;

/// Fewest hosts a cluster keeps: a migration needs somewhere to go.
pub const MIN_HOSTS: usize = 2;

/// The memory a VM added by hand takes, MiB.
pub const NEW_VM_MIB: f64 = 4096.0;

/// One edit of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterEdit {
    /// Another host like the last one, with a free name.
    AddHost,
    /// The host goes, with its VMs and every operation that names either.
    RemoveHost(String),
    /// A new VM of [`NEW_VM_MIB`] on the host, when it has the room.
    AddVm {
        host: String,
    },
    /// Live-migrate the VM to the host.
    Move {
        vm: String,
        to: String,
    },
    /// Move every VM off the host.
    Drain {
        host: String,
    },
    ClearOperations,
}

/// Whether another host may be added.
pub fn can_add_host(c: &ClusterScenario) -> bool {
    c.hosts.len() < MAX_HOSTS
}

/// Whether a host may be removed.
pub fn can_remove_host(c: &ClusterScenario) -> bool {
    c.hosts.len() > MIN_HOSTS
}

/// The memory `host` has left for VMs, MiB (`None` when there is no such host).
pub fn free_mib(c: &ClusterScenario, host: &str) -> Option<f64> {
    let h = c.hosts.iter().find(|h| h.name == host)?;
    let used: f64 = c
        .vms
        .iter()
        .filter(|v| v.host == host)
        .map(|v| v.memory_mib)
        .sum();
    Some(h.memory_gib * 1024.0 - used)
}

/// Whether `host` has the memory free for another VM of [`NEW_VM_MIB`].
pub fn room_for_vm(c: &ClusterScenario, host: &str) -> bool {
    free_mib(c, host).is_some_and(|free| free >= NEW_VM_MIB)
}

/// `base` followed by the first number that makes a name nobody has.
fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    (1..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken(n))
        .expect("some name is free")
}

impl ClusterEdit {
    /// Applies the edit to `c`. An edit the cluster does not allow (a third host removed from
    /// two, a VM on a full host, a name that is not there) changes nothing.
    pub fn apply(&self, c: &mut ClusterScenario) {
        match self {
            ClusterEdit::AddHost => {
                if !can_add_host(c) {
                    return;
                }
                let Some(mut h) = c.hosts.last().cloned() else {
                    return;
                };
                h.name = unique("H", |n| c.hosts.iter().any(|x| x.name == n));
                c.hosts.push(h);
            }
            ClusterEdit::RemoveHost(name) => {
                if !can_remove_host(c) || !c.hosts.iter().any(|h| &h.name == name) {
                    return;
                }
                c.hosts.retain(|h| &h.name != name);
                let gone: Vec<String> = c
                    .vms
                    .iter()
                    .filter(|v| &v.host == name)
                    .map(|v| v.name.clone())
                    .collect();
                c.vms.retain(|v| &v.host != name);
                c.operations.retain(|o| match o {
                    Operation::Move { vm, to } => to != name && !gone.contains(vm),
                    Operation::Drain { host } => host != name,
                });
            }
            ClusterEdit::AddVm { host } => {
                if !room_for_vm(c, host) {
                    return;
                }
                let name = unique("vm", |n| c.vms.iter().any(|x| x.name == n));
                c.vms.push(ClusterVm {
                    name,
                    host: host.clone(),
                    memory_mib: NEW_VM_MIB,
                    working_set_mib: 1024.0,
                    untouched_mib: 1024.0,
                    dirty_rate_mibps: 20.0,
                    pattern: Pattern::Random,
                    disk_gib: 40.0,
                });
            }
            ClusterEdit::Move { vm, to } => {
                // Not checked against where the VM is: earlier operations may have moved it.
                let known =
                    c.vms.iter().any(|v| &v.name == vm) && c.hosts.iter().any(|h| &h.name == to);
                if known {
                    c.operations.push(Operation::Move {
                        vm: vm.clone(),
                        to: to.clone(),
                    });
                }
            }
            ClusterEdit::Drain { host } => {
                let drain = Operation::Drain { host: host.clone() };
                // Draining a host already being drained changes nothing: it is not listed twice.
                if c.hosts.iter().any(|h| &h.name == host) && !c.operations.contains(&drain) {
                    c.operations.push(drain);
                }
            }
            ClusterEdit::ClearOperations => c.operations.clear(),
        }
    }
}
