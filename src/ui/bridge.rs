//! The link between a mounted app and whoever placed it: the page's own boot, or a handle of
//! the JavaScript API (`api.rs`). The app reports what it shows through it; the API sends it
//! actions.

use std::cell::RefCell;
use std::rc::Rc;

#[cfg(feature = "full")]
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::state::AppState;

/// The link between a mounted app and its handle: the app's dispatcher once it runs, and the
/// page's change listeners.
#[derive(Default)]
pub struct BridgeInner {
    pub(super) dispatch: RefCell<Option<UseReducerDispatcher<AppState>>>,
    #[cfg(feature = "full")]
    pub(super) listeners: RefCell<Vec<js_sys::Function>>,
    /// The permalink's query string of what is shown, for the panel after a panic.
    pub(super) query: Rc<RefCell<String>>,
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

    /// Tells the page's listeners what is shown now (`query` is its permalink). Only the
    /// JavaScript API adds listeners, so the lite bundle only keeps the query.
    pub fn changed(&self, state: &AppState, query: &str) {
        query.clone_into(&mut self.0.query.borrow_mut());
        #[cfg(feature = "full")]
        self.notify(state);
        #[cfg(not(feature = "full"))]
        let _ = state;
    }

    #[cfg(feature = "full")]
    fn notify(&self, state: &AppState) {
        let query = self.0.query.borrow().clone();
        let listeners = self.0.listeners.borrow().clone();
        if listeners.is_empty() {
            return;
        }
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
