//! Builders shared by the integration tests.

use migration_lab::engine::cluster::{
    ClusterNetwork, ClusterScenario, ClusterVm, Host, MigrationSettings, NetworkRole, Operation,
};
use migration_lab::engine::TransportKind;

/// Hosts "A" and "B" (and any others given) on one dedicated live-migration network "lm"; every
/// VM moves to B over TCP/IP, `limit` at a time per host and in the cluster.
pub fn move_all_to_b(hosts: Vec<Host>, vms: Vec<ClusterVm>, limit: u32) -> ClusterScenario {
    ClusterScenario {
        version: 1,
        seed: 1,
        networks: vec![ClusterNetwork {
            name: "lm".into(),
            role: NetworkRole::LiveMigration,
            dedicated: true,
        }],
        hosts,
        operations: vms
            .iter()
            .map(|v| Operation::Move {
                vm: v.name.clone(),
                to: "B".into(),
            })
            .collect(),
        vms,
        shared_storage: true,
        settings: MigrationSettings {
            per_host_limit: limit,
            cluster_limit: limit,
            transport: TransportKind::Tcp,
            ..MigrationSettings::default()
        },
        timeout_s: 3600.0,
    }
}
