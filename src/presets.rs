//! The cluster presets, as data: scenario files in `www/presets/`.

use crate::engine::ClusterScenario;

/// The cluster presets, as data: English name, German name, scenario.
pub const PRESETS: [(&str, &str, &str); 3] = [
    (
        "2-node cluster",
        "Cluster mit 2 Knoten",
        include_str!("../www/presets/two-node.json"),
    ),
    (
        "4-node cluster with converged 10 GbE",
        "Cluster mit 4 Knoten und konvergentem 10-GbE-Netzwerk",
        include_str!("../www/presets/four-node-converged.json"),
    ),
    (
        "Drain a host with 8 VMs",
        "Einen Host mit 8 VMs leeren",
        include_str!("../www/presets/drain-8-vms.json"),
    ),
];

pub fn preset(i: usize) -> ClusterScenario {
    ClusterScenario::from_json(PRESETS[i.min(PRESETS.len() - 1)].2).expect("presets are valid")
}
