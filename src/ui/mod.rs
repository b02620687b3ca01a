//! The browser shell: yew function components that read engine traces through one playback
//! clock. Nothing here computes physics.

mod api;
mod app;
mod blackout;
mod bridge;
mod canvas;
mod chapter;
mod chart;
mod cluster;
mod compare;
mod controls;
mod fatal;
mod files;
mod handover;
mod held;
mod incremental;
mod inspect;
mod intents;
mod lab;
mod levers;
pub(crate) mod memory_map;
mod results;
mod share;
mod spread;
mod stage;
mod state;
mod svg;
mod sweep;
mod timeline;

#[cfg(feature = "full")]
pub use api::{mount, Handle};
pub use app::{App, AppProps};
pub use state::{Action, AppState, Mode, Theme};

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::rc::Rc;

use crate::permalink::{self, Decoded};
use crate::text::Lang;

/// An `Rc` compared by identity, for hook dependencies and props.
pub(crate) struct ByPtr<T>(pub Rc<T>);

impl<T> Clone for ByPtr<T> {
    fn clone(&self) -> Self {
        ByPtr(self.0.clone())
    }
}

impl<T> PartialEq for ByPtr<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for ByPtr<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The page's own app: its element, the app, and (embedded in another page) the listener
/// for that page's colours.
type Page = (
    web_sys::Element,
    yew::AppHandle<App>,
    Option<share::HostTheme>,
);

thread_local! {
    /// The page's own app, while mounted.
    static PAGE: std::cell::RefCell<Option<Page>> = const { std::cell::RefCell::new(None) };
}

/// Mounts the app as the page into the element `#app[data-migration-lab=page]`, reading the
/// page's address as a permalink. A page without that element (one that uses `mount`) gets
/// nothing. The lite bundle hands a link to a view it does not have straight over to the full
/// bundle (see `handover`), leaving the loading text in place until that one mounts.
pub fn mount_default() {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| {
        d.query_selector("#app[data-migration-lab=page]")
            .ok()
            .flatten()
    }) else {
        return;
    };
    let window = web_sys::window().expect("a browser window");
    let query = window.location().search().unwrap_or_default();
    let Decoded { link, notices } = permalink::decode(&query);
    // The language the link asks for, else the browser's, else English.
    let lang = link.lang.or_else(|| {
        window
            .navigator()
            .language()
            .as_deref()
            .and_then(Lang::from_code)
    });
    if !handover::FULL && handover::link_needs_full(&link) {
        handover::load_full(move |why| {
            handover::show_failure(&root, lang.unwrap_or_default(), &why)
        });
        return;
    }
    fatal::register(root.clone(), None);
    root.set_inner_html("");
    // An embed takes the colours the page around it sends (see `share::follow_host_theme`).
    let bridge = bridge::Bridge::default();
    let host_theme = link.embed.as_ref().and_then(|_| {
        let bridge = bridge.clone();
        share::follow_host_theme(move |theme| bridge.dispatch(Action::SetTheme(theme)))
    });
    let props = AppProps {
        lang,
        chapter: link.chapter,
        theme: link.theme,
        scenario: link.scenario,
        cluster: link.cluster,
        t: link.t,
        speed: link.speed,
        notices,
        embed: link.embed,
        page: true,
        dropped: handover::take_dropped(),
        bridge: Some(bridge),
        ..AppProps::default()
    };
    let app = yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    PAGE.with(|p| *p.borrow_mut() = Some((root, app, host_theme)));
}

/// Unmounts the page's own app (its animation loop, listeners and closures go with it) and
/// empties its element: the full bundle takes the page over from the lite one.
pub fn unmount_default() {
    if let Some((root, app, _host_theme)) = PAGE.with(|p| p.borrow_mut().take()) {
        fatal::unregister(&root);
        app.destroy();
        root.set_inner_html("");
    }
}
