//! The link between a mounted app and whoever placed it: the page's own boot, or a handle of
//! the JavaScript API (`api.rs`). The app reports what it shows through it; the API sends it
//! actions.

use std::cell::RefCell;
use std::rc::Rc;

#[cfg(feature = "full")]
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::share::Permalink;
use super::state::AppState;

/// The link between a mounted app and its handle: the app's dispatcher once it runs, and the
/// page's change listeners.
#[derive(Default)]
pub struct BridgeInner {
    pub(super) dispatch: RefCell<Option<UseReducerDispatcher<AppState>>>,
    #[cfg(feature = "full")]
    pub(super) listeners: RefCell<Vec<js_sys::Function>>,
    /// The permalink's query string of what is shown, for the panel after a panic: the
    /// address's, kept once a change has settled (`share::use_url_sync`).
    pub(super) query: Rc<RefCell<String>>,
    /// The query string the listeners were last told.
    #[cfg(feature = "full")]
    notified: RefCell<String>,
}

/// Shared by the app and its handle; equal only to itself.
#[derive(Clone, Default)]
pub struct Bridge(pub Rc<BridgeInner>);

impl PartialEq for Bridge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Bridge {
    pub fn connect(&self, dispatch: UseReducerDispatcher<AppState>) {
        *self.0.dispatch.borrow_mut() = Some(dispatch);
    }

    pub(super) fn dispatch(&self, action: super::state::Action) {
        if let Some(d) = self.0.dispatch.borrow().as_ref() {
            d.dispatch(action);
        }
    }

    /// Tells the page's listeners what is shown now, if its permalink `link` differs from
    /// the one they were told last. Only the JavaScript API adds listeners (the lite bundle
    /// has none), and without them no link is made.
    pub fn changed(&self, state: &AppState, link: &Permalink) {
        #[cfg(feature = "full")]
        self.notify(state, link);
        #[cfg(not(feature = "full"))]
        let _ = (state, link);
    }

    #[cfg(feature = "full")]
    fn notify(&self, state: &AppState, link: &Permalink) {
        if self.0.listeners.borrow().is_empty() {
            return;
        }
        let query = link.query();
        if *self.0.notified.borrow() == query {
            return;
        }
        query.clone_into(&mut self.0.notified.borrow_mut());
        let listeners = self.0.listeners.borrow().clone();
        let t = &state.trace;
        let event = serde_json::json!({
            "query": query,
            "chapter": crate::chapters::chapters().get(state.chapter).map(|c| c.id),
            "lang": state.lang.code(),
            "scenario": &*state.scenario,
            "result": crate::export::Headline::new(t),
        });
        let Ok(value) = js_sys::JSON::parse(&event.to_string()) else {
            return;
        };
        for f in listeners {
            // A listener that throws does not stop the others.
            let _ = f.call1(&JsValue::NULL, &value);
        }
    }
}
