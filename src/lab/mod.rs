//! The lab: real QEMU migrations whose every input is known, measured by the project itself,
//! and the engine held against them (`docs/lab.md`).
//!
//! - [`grid`]: the runs, as data, and the held-out split drawn from their names;
//! - [`runner`]: a source and a destination QEMU per run, driven through [`qmp`];
//! - [`record`]: the measured rows (`validation/lab/qemu.csv`) and time series;
//! - [`compare`]: the engine run on every recorded run, and the errors per split;
//! - [`chart`]: predicted against measured total time as an SVG scatter.
//!
//! The guest is `src/lab/guest/` (C and assembly, built by `cargo xtask lab`).

pub mod chart;
pub mod compare;
pub mod grid;
pub mod qmp;
pub mod record;
pub mod runner;
