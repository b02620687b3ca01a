//! Which network and NICs a migration between two hosts takes.

use super::scenario::Path;
use super::scenario::{ClusterNetwork, ClusterScenario, Host, NetworkRole, Nic};
use crate::engine::scenario::driver_default_descriptors;
use crate::engine::scenario::TransportKind;
use crate::engine::sort::sort_by;

/// Hyper-V's network choice: the first network in the priority list (or any, live-migration
/// networks first and the cluster network last) on which both hosts have NICs.
pub(super) fn choose_path(sc: &ClusterScenario, a: &Host, b: &Host) -> Option<Path> {
    let mut order: Vec<&ClusterNetwork> = if sc.settings.networks.is_empty() {
        let mut all: Vec<&ClusterNetwork> = sc.networks.iter().collect();
        let rank = |n: &ClusterNetwork| match n.role {
            NetworkRole::LiveMigration => 0,
            NetworkRole::VmTraffic => 1,
            NetworkRole::Management => 2,
            NetworkRole::Cluster => 3,
        };
        sort_by(&mut all, |a, b| rank(a).cmp(&rank(b)));
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
