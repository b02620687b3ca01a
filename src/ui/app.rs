//! The page: one reducer holds scenario, trace and clock; one requestAnimationFrame loop
//! advances the clock while playing and is cancelled when playback stops or the app unmounts.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::chart::{LinkChart, PassChart};
use super::cluster::ClusterView;
use super::controls::Controls;
use super::memory_map::MemoryMap;
use super::results::{Results, VerdictBanner};
use super::stage::Stage;
use super::state::{Action, AppState, Mode};
use super::timeline::{PhaseBar, Timeline};
use crate::engine::Scenario;

#[derive(Properties, PartialEq, Clone, Default)]
pub struct AppProps {
    /// Start from this scenario instead of the default one.
    #[prop_or_default]
    pub scenario: Option<Scenario>,
    /// Force autoplay on or off; by default the run plays unless the reader prefers reduced motion.
    #[prop_or_default]
    pub autoplay: Option<bool>,
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

type FrameClosure = Closure<dyn FnMut(f64)>;

/// Runs `on_frame(wall_dt_seconds)` every animation frame until the returned guard is dropped.
struct FrameLoop {
    id: Rc<Cell<i32>>,
    closure: Rc<RefCell<Option<FrameClosure>>>,
}

impl FrameLoop {
    fn start(mut on_frame: impl FnMut(f64) + 'static) -> Option<FrameLoop> {
        let window = web_sys::window()?;
        let id = Rc::new(Cell::new(0));
        let closure: Rc<RefCell<Option<FrameClosure>>> = Rc::new(RefCell::new(None));
        let (id2, closure2, window2) = (id.clone(), closure.clone(), window.clone());
        let mut last: Option<f64> = None;
        *closure.borrow_mut() = Some(Closure::new(move |ts: f64| {
            if let Some(prev) = last {
                on_frame((ts - prev) / 1000.0);
            }
            last = Some(ts);
            if let Some(cb) = closure2.borrow().as_ref() {
                if let Ok(next) = window2.request_animation_frame(cb.as_ref().unchecked_ref()) {
                    id2.set(next);
                }
            }
        }));
        let first = window
            .request_animation_frame(closure.borrow().as_ref()?.as_ref().unchecked_ref())
            .ok()?;
        id.set(first);
        Some(FrameLoop { id, closure })
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.cancel_animation_frame(self.id.get()).ok();
        }
        // Dropping the closure breaks its self-reference; no frame can call it any more.
        self.closure.borrow_mut().take();
    }
}

/// Keys typed into a control (or on a link, a disclosure, an editable element) are theirs.
fn is_form_control(e: &KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| {
            el.closest(
                "input,select,textarea,button,a,summary,[contenteditable],[role=button],[role=tab]",
            )
            .ok()
            .flatten()
        })
        .is_some()
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = {
        let props = props.clone();
        use_reducer(move || {
            let autoplay = props.autoplay.unwrap_or_else(|| !prefers_reduced_motion());
            AppState::new(props.scenario.unwrap_or_default(), autoplay)
        })
    };
    let dispatch = state.dispatcher();

    // The single animation loop: runs only while playing; dropped (cancelled) on pause or unmount.
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.clock.playing, move |&playing| {
            let guard = if playing {
                FrameLoop::start(move |dt| dispatch.dispatch(Action::Tick(dt)))
            } else {
                None
            };
            move || drop(guard)
        });
    }

    let onkeydown = {
        let dispatch = dispatch.clone();
        let (t, duration) = (state.clock.t, state.clock.duration);
        Callback::from(move |e: KeyboardEvent| {
            if is_form_control(&e) {
                return;
            }
            let action = match e.key().as_str() {
                " " | "k" => Action::Toggle,
                "Home" => Action::Seek(0.0),
                "End" => Action::Seek(duration),
                "ArrowLeft" => Action::Seek(t - duration / 20.0),
                "ArrowRight" => Action::Seek(t + duration / 20.0),
                _ => return,
            };
            e.prevent_default();
            dispatch.dispatch(action);
        })
    };

    let to_single = {
        let d = dispatch.clone();
        Callback::from(move |_| d.dispatch(Action::SetMode(Mode::Single)))
    };
    let to_cluster = {
        let d = dispatch.clone();
        Callback::from(move |_| d.dispatch(Action::SetMode(Mode::Cluster)))
    };
    let clock = state.clock;
    let trace = state.trace.clone();
    // Blocks transferred within the last ~4 frames show as in flight, at any speed.
    let window = clock.speed * 4.0 / 60.0;
    let current_pass = trace.pass_index_at(clock.t);
    let in_stop = trace
        .stop_copy
        .as_ref()
        .is_some_and(|s| clock.t >= s.start_s);
    let highlighted = if in_stop {
        Some(trace.passes.len())
    } else {
        current_pass
    };

    html! {
        <div class="lab" {onkeydown} tabindex="-1">
            <header class="lab-head">
                <h1>{"Migration Lab"}</h1>
                <p class="lede">
                    {"Live migration copies a running VM's memory to another host in passes while the VM keeps writing to it, \
                      then pauses the VM for a short blackout to send what is left and its device state. \
                      Change the VM, the network and the four levers of Hyper-V's tuning guide, and watch what happens."}
                </p>
            </header>
            <div class="tabs" role="tablist" aria-label="View">
                <button role="tab" id="tab-single" aria-selected={(state.mode == Mode::Single).to_string()}
                    class={classes!("tab", (state.mode == Mode::Single).then_some("active"))} onclick={to_single}>{"One VM"}</button>
                <button role="tab" id="tab-cluster" aria-selected={(state.mode == Mode::Cluster).to_string()}
                    class={classes!("tab", (state.mode == Mode::Cluster).then_some("active"))} onclick={to_cluster}>{"Cluster"}</button>
            </div>
            if state.mode == Mode::Cluster {
                <Timeline clock={clock} dispatch={dispatch.clone()} />
                <ClusterView cluster={state.cluster.clone()} trace={state.cluster_trace.clone()}
                    error={state.cluster_error.clone()} t={clock.t} dispatch={dispatch.clone()} />
            } else {
            <div class="layout">
                    <Controls scenario={state.scenario.clone()} dispatch={dispatch.clone()} />
                    <div class="view">
                        <VerdictBanner trace={trace.clone()} error={state.error.clone()} />
                        <Stage trace={trace.clone()} t={clock.t} speed={clock.speed} />
                        <PhaseBar trace={trace.clone()} t={clock.t} />
                        <Timeline clock={clock} dispatch={dispatch.clone()} />
                        <section class="panel">
                            <h2>{"Memory map"}</h2>
                            <MemoryMap trace={trace.clone()} t={clock.t} window={window} />
                        </section>
                        <section class="panel">
                            <h2>{"Link use over time"}</h2>
                            <LinkChart trace={trace.clone()} t={clock.t} />
                        </section>
                        <div class="panels">
                            <section class="panel">
                                <h2>{"Memory sent per pass"}</h2>
                                <PassChart trace={trace.clone()} highlight={highlighted} />
                            </section>
                            <Results trace={trace} scenario={state.scenario.clone()} />
                        </div>
                    </div>
                </div>
            }
        </div>
    }
}
