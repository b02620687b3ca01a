//! The lab: real QEMU migrations whose every input is known, measured by the project itself,
//! and the engine held against them (`docs/lab.md`).
//!
//! - [`grid`]: the runs, as data, and the held-out split drawn from their names;
//! - [`runner`]: a source and a destination QEMU per run, driven through [`qmp`];
//! - [`record`]: the measured rows (`validation/lab/qemu.csv`) and time series;
//! - [`compare`]: the engine run on every recorded run, and the errors per split;
//! - [`chart`]: predicted against measured total time as an SVG scatter.
//!
//! The runner and its QMP client are native only; the page reads the records and compares
//! them (`src/ui/lab.rs`). The guest is `src/lab/guest/` (C and assembly, built by `cargo xtask lab`).

pub mod chart;
pub mod compare;
pub mod grid;
#[cfg(not(target_arch = "wasm32"))]
pub mod qmp;
pub mod record;
#[cfg(not(target_arch = "wasm32"))]
pub mod runner;
