//! The app model: the state and its actions, the rules of every edit and the studies (sweep,
//! spread). Platform-free, so `cargo test` checks it natively; the page (`ui`), the command
//! line (`cli`) and the JS API are front ends over it, and it runs the `engine`.

pub mod bounds;
pub mod cluster;
pub mod edits;
pub mod levers;
pub mod scale;
pub mod shown;
pub mod sliced;
pub mod state;
pub mod study;

pub use cluster::ClusterEdit;
pub use edits::{pick_hypervisor, set_memory, set_share, Edit, Hypervisor, Lever, Param, Part};
pub use shown::{embed_controls, Shown};
pub use state::{Action, AppState, ClockAction, Mode, OpenedRun};
pub use study::{quantile, sweep_values, Spacing, Spread};
