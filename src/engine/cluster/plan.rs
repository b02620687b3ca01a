//! Turns the operations (moves and drains) into an ordered list of migrations, each with its
//! source, destination and, when it cannot run, the reason.

use super::path::choose_path;
use super::scenario::{ClusterScenario, Operation};
use crate::engine::units::{fmt_bytes, MIB};

/// Live-migration requests in order: moves as given, drains expanded VM by VM (largest first)
/// to the host with the most free memory at that point.
pub(super) fn plan(sc: &ClusterScenario) -> Vec<(usize, usize, usize, Option<String>)> {
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
