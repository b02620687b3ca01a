//! The live-migration simulation engine: pure Rust, no web dependency, deterministic for a
//! given scenario (including its seed). `simulate` turns a [`Scenario`] into a [`Trace`]; the
//! UI and the CLI only read traces.

pub mod background;
pub mod cluster;
pub mod fields;
pub mod memory;
pub mod memory_view;
pub mod migration;
pub mod policy;
pub mod postcopy;
pub mod scenario;
pub mod sim;
pub mod sort;
pub mod trace;
pub mod transport;
pub mod units;
pub mod workload;
pub mod xbzrle;

pub use cluster::{simulate_cluster, ClusterScenario, ClusterTrace};
pub use memory::{BlockState, MemoryLayout};
pub use scenario::{
    Multifd, MultifdCompression, Network, Overheads, Pattern, Scenario, ScenarioError, StopPolicy,
    Transport, TransportKind, Vm,
};
pub use sim::simulate;
pub use trace::{Outcome, PassRecord, PhaseKind, PhaseSpan, StopCopyRecord, Trace};
