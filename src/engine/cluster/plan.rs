//! Turns the operations (moves and drains) into an ordered list of migrations, each with its
//! source, destination and, when it cannot run, the reason.

use std::collections::HashMap;

use super::path::choose_path;
use super::scenario::{ClusterScenario, Operation};
use super::Refusal;
use crate::engine::sort::sort_by;
use crate::engine::units::MIB;

/// Live-migration requests in order, as (VM, from, to, refusal) with indices into the
/// scenario's VMs and hosts: moves as given, drains expanded VM by VM (largest first) to the
/// reachable host with the most free memory at that point.
///
/// A drained host is in maintenance from its drain on: no later drain places VMs on it, so VMs
/// never bounce back onto a host that was emptied, and when every other reachable host is
/// drained or full the VM is refused ("no other host … has … free"). An explicit `Move` to a
/// drained host is still carried out: the operator asked for that host by name.
pub(super) fn plan(sc: &ClusterScenario) -> Vec<(usize, usize, usize, Option<Refusal>)> {
    let hosts = sc.hosts.len();
    let host_of: HashMap<&str, usize> = sc
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), i))
        .collect();
    let vm_of: HashMap<&str, usize> = sc
        .vms
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.as_str(), i))
        .collect();
    let host_ix = |name: &str| host_of.get(name).copied().unwrap_or(0);
    let mut at: Vec<usize> = sc.vms.iter().map(|v| host_ix(&v.host)).collect();
    let mut used = vec![0.0; hosts];
    for (i, v) in sc.vms.iter().enumerate() {
        used[at[i]] += v.memory_mib;
    }
    // Whether a migration from host a to host b has a network, for every pair.
    let reach: Vec<bool> = (0..hosts * hosts)
        .map(|i| choose_path(sc, &sc.hosts[i / hosts], &sc.hosts[i % hosts]).is_some())
        .collect();
    let reachable = |a: usize, b: usize| reach[a * hosts + b];
    let free = |used: &[f64], h: usize| sc.hosts[h].memory_gib * 1024.0 - used[h];
    // Hosts an earlier drain put into maintenance.
    let mut drained = vec![false; hosts];
    // Why a move of VM v from a to b cannot run, if it cannot.
    let refusal = |used: &[f64], v: usize, a: usize, b: usize| -> Option<Refusal> {
        let vm = &sc.vms[v];
        if a == b {
            Some(Refusal::AlreadyThere {
                vm: vm.name.clone(),
                host: sc.hosts[b].name.clone(),
            })
        } else if free(used, b) < vm.memory_mib {
            Some(Refusal::NoRoom {
                host: sc.hosts[b].name.clone(),
                free_bytes: free(used, b).max(0.0) * MIB,
                vm: vm.name.clone(),
                needs_bytes: vm.memory_mib * MIB,
            })
        } else if !reachable(a, b) {
            Some(Refusal::NoNetwork {
                from: sc.hosts[a].name.clone(),
                to: sc.hosts[b].name.clone(),
            })
        } else if !sc.shared_storage && !sc.settings.shared_nothing {
            Some(Refusal::NoSharedStorage {
                vm: vm.name.clone(),
                disk_bytes: vm.disk_gib * 1024.0 * MIB,
            })
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
                let v = vm_of.get(vm.as_str()).copied().unwrap_or(0);
                out.push(go(v, host_ix(to), &mut at, &mut used));
            }
            Operation::Drain { host } => {
                let h = host_ix(host);
                let mut vms: Vec<usize> = (0..sc.vms.len()).filter(|&v| at[v] == h).collect();
                sort_by(&mut vms, |&a, &b| {
                    sc.vms[b].memory_mib.total_cmp(&sc.vms[a].memory_mib)
                });
                // Reachable hosts that are not in maintenance themselves.
                let targets: Vec<usize> = (0..hosts)
                    .filter(|&o| o != h && !drained[o] && reachable(h, o))
                    .collect();
                let in_maintenance: Vec<&str> = (0..hosts)
                    .filter(|&o| o != h && drained[o])
                    .map(|o| sc.hosts[o].name.as_str())
                    .collect();
                for v in vms {
                    let best = targets
                        .iter()
                        .copied()
                        .max_by(|&a, &b| free(&used, a).total_cmp(&free(&used, b)));
                    match best {
                        Some(to) if free(&used, to) >= sc.vms[v].memory_mib => {
                            out.push(go(v, to, &mut at, &mut used))
                        }
                        _ => out.push((
                            v,
                            h,
                            h,
                            Some(Refusal::NoTarget {
                                from: sc.hosts[h].name.clone(),
                                vm: sc.vms[v].name.clone(),
                                needs_bytes: sc.vms[v].memory_mib * MIB,
                                drained: in_maintenance.iter().map(|n| n.to_string()).collect(),
                            }),
                        )),
                    }
                }
                drained[h] = true;
            }
        }
    }
    out
}
