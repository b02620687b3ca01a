//! The page's reducer over the app model (`crate::model`), where the state and its rules live.

use std::rc::Rc;

use yew::Reducible;

pub use crate::model::state::{preset, Action, AppState, Mode, Theme, PRESETS};

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        self.apply(action)
    }
}
