//! Migration Lab: a live-migration simulation engine and its browser explainer.
//!
//! `engine` is pure Rust (no web dependency) and deterministic; `ui` is the yew shell that
//! only reads engine traces. The wasm entry point lives here.

pub mod chapters;
pub mod charts;
pub mod engine;
pub mod export;
pub mod permalink;
pub mod playback;
pub mod presets;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzz_checks;

#[cfg(target_arch = "wasm32")]
pub mod ui;

#[cfg(target_arch = "wasm32")]
mod web_entry {
    use wasm_bindgen::prelude::*;

    /// Mounts the app into `#app` (or `<body>`) when the module is loaded.
    #[wasm_bindgen(start)]
    pub fn start() {
        crate::ui::mount_default();
    }
}
