//! The browser shell: yew function components that read engine traces through one playback
//! clock. Nothing here computes physics.

mod app;
mod chart;
mod cluster;
mod controls;
pub(crate) mod memory_map;
mod results;
mod stage;
mod state;
mod timeline;

pub use app::{App, AppProps};
pub use state::{Action, AppState, Mode};

use wasm_bindgen::JsCast;

/// Shows a readable message instead of a blank page if anything ever panics.
fn install_panic_message() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let msg = format!("Migration Lab stopped: {info}");
        web_sys::console::error_1(&msg.clone().into());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Ok(div) = doc.create_element("div") {
                div.set_class_name("fatal");
                div.set_attribute("role", "alert").ok();
                div.set_text_content(Some(&format!(
                    "{msg}. Reload the page to start again; please report this with the link in the address bar."
                )));
                if let Some(body) = doc.body() {
                    body.prepend_with_node_1(&div).ok();
                }
            }
        }
    }));
}

/// Mounts the app into `#app` (or the body).
pub fn mount_default() {
    install_panic_message();
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document");
    let root = doc
        .get_element_by_id("app")
        .or_else(|| doc.body().map(|b| b.unchecked_into()))
        .expect("a body element");
    root.set_inner_html("");
    yew::Renderer::<App>::with_root(root).render();
}
