//! The app's intents as narrow callbacks, made once per app from its reducer: children take
//! the one they need (`on_edit`, `on_chapter`, …), never the dispatcher or the state handle.
//! Made once, they compare equal from frame to frame, so a child whose data did not change
//! does not render again while the clock ticks.

use yew::prelude::*;

use super::files;
use super::handover::FULL;
use super::state::{Action, AppState};
use crate::engine::{ClusterScenario, Scenario};
use crate::model::{ClockAction, ClusterEdit, Edit, OpenedRun};

#[derive(Clone, PartialEq)]
pub struct Intents {
    pub edit: Callback<Edit>,
    pub scenario: Callback<Scenario>,
    pub cluster_edit: Callback<ClusterEdit>,
    pub cluster: Callback<ClusterScenario>,
    /// The next slice of the cluster being run.
    pub cluster_slice: Callback<()>,
    /// Stop the cluster being run, back to the one before.
    pub cancel_cluster: Callback<()>,
    pub clock: Callback<ClockAction>,
    pub chapter: Callback<usize>,
    pub reset: Callback<()>,
    pub slow_blackout: Callback<bool>,
    pub dismiss_notices: Callback<()>,
    pub open_file: Callback<web_sys::File>,
    pub open_lab_run: Callback<OpenedRun>,
    pub close_lab_run: Callback<()>,
}

impl Intents {
    pub fn new(d: UseReducerDispatcher<AppState>) -> Intents {
        let all = {
            let d = d.clone();
            Callback::from(move |a: Action| d.dispatch(a))
        };
        Intents {
            edit: all.reform(Action::Edit),
            scenario: all.reform(|s| Action::SetScenario(Box::new(s))),
            cluster_edit: all.reform(Action::EditCluster),
            // Only the full bundle runs a cluster, and only a cluster runs in slices.
            cluster_slice: if FULL {
                all.reform(|()| Action::ClusterSlice)
            } else {
                Callback::noop()
            },
            cancel_cluster: if FULL {
                all.reform(|()| Action::CancelCluster)
            } else {
                Callback::noop()
            },
            cluster: all.reform(|c| Action::SetCluster(Box::new(c))),
            clock: all.reform(Action::from),
            chapter: all.reform(Action::Chapter),
            reset: all.reform(|()| Action::Reset),
            slow_blackout: all.reform(Action::SlowBlackout),
            dismiss_notices: all.reform(|()| Action::DismissNotices),
            // Only the full bundle reads files (and carries the JSON parser that takes).
            open_file: if FULL {
                Callback::from(move |f| files::open_file(f, d.clone()))
            } else {
                Callback::noop()
            },
            open_lab_run: all.reform(|r| Action::OpenLabRun(Box::new(r))),
            close_lab_run: all.reform(|()| Action::CloseLabRun),
        }
    }
}
