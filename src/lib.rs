//! Migration Lab: a live-migration simulation engine and its browser explainer.
//!
//! `engine` is pure Rust (no web dependency) and deterministic; `model` holds the app's state
//! and rules over it, platform-free; `ui` is the yew shell that only shows the model and reads
//! engine traces. The wasm entry point lives here.

pub mod chapters;
pub mod charts;
pub mod engine;
pub mod export;
pub mod lab;
pub mod model;
pub mod palette;
pub mod permalink;
pub mod playback;
pub mod presets;
pub mod stats;
pub mod text;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(all(not(target_arch = "wasm32"), feature = "fuzzing"))]
pub mod fuzz_checks;

#[cfg(target_arch = "wasm32")]
pub mod ui;

#[cfg(target_arch = "wasm32")]
mod web_entry {
    use wasm_bindgen::prelude::*;

    /// Mounts the page's app into `#app[data-migration-lab=page]`; `www/boot.js` calls it once
    /// the module is loaded.
    #[wasm_bindgen]
    pub fn start() {
        crate::ui::mount_default();
    }

    /// Unmounts the page's app: `www/boot.js` calls it on the lite bundle before the full
    /// bundle's `start` takes the page over.
    #[wasm_bindgen]
    pub fn stop() {
        crate::ui::unmount_default();
    }
}
