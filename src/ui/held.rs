//! A panel that the steps of a drag change, held back while it is far off screen: a slider
//! dragged near the top of the playground rendered the memory map, the blackout's drawing,
//! both charts and the results a screen or more below the window on every step, about half
//! the step's work (in the cluster's timeline: the totals, the small memory maps and the
//! Gantt chart's cursor).
//!
//! A change is held only while a drag goes on (a slider's or the timeline's input less than
//! `BURST_MS` ago, and less than that after the one before): a single change (a choice, a
//! typed value, a click, a drag's first step), the animation and a run coming in slice by
//! slice render as before, wherever the panel is. A held panel is rendered with the latest
//! values as soon as it comes near the window (a quarter of the window beyond its edges),
//! before the page is printed or a picture saved, and while far at most `SETTLE_MS` behind
//! the drag (a screen reader may read it). The lite bundle (the first chapter, no drag
//! measured to need it) renders its panels as they change, and carries none of this.

#[cfg(feature = "full")]
use std::cell::Cell;
#[cfg(feature = "full")]
use std::rc::Rc;

#[cfg(feature = "full")]
use web_sys::Element;
use yew::prelude::*;

#[cfg(feature = "full")]
use super::incremental::{now_ms, Timer};

/// A drag's step less than this after the one before (ms) continues the drag: its steps come
/// a frame apart (a key held down on a slider repeats every 30–50 ms).
#[cfg(feature = "full")]
const BURST_MS: f64 = 100.0;

#[cfg(feature = "full")]
thread_local! {
    /// When the last step of a drag came, and the step before it (the page's clock, ms).
    static LAST_STEP: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    static STEP_BEFORE: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
}

/// Whether a drag goes on: its last step came less than `BURST_MS` ago, and less than that
/// after the one before (a single input is not a drag).
#[cfg(feature = "full")]
fn dragging() -> bool {
    let last = LAST_STEP.with(|l| l.get());
    now_ms() - last < BURST_MS && last - STEP_BEFORE.with(|b| b.get()) < BURST_MS
}

/// Says that a step of a drag came now: called by the sliders' and the timeline's input
/// handlers.
pub(crate) fn drag_step() {
    #[cfg(feature = "full")]
    {
        let now = now_ms();
        STEP_BEFORE.with(|b| b.set(LAST_STEP.with(|l| l.replace(now))));
    }
}

#[cfg(feature = "full")]
#[derive(Properties, PartialEq)]
pub struct HeldProps {
    /// The panel's classes (it is the `<section>`).
    pub class: Classes,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    /// Its name for screen readers, where it has no heading.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    pub children: Html,
}

/// The `<section>` of a panel, rendering its children only when near the window or settled.
#[cfg(feature = "full")]
pub struct Held {
    node: NodeRef,
    /// Whether the panel is near the window; true until the observer first says otherwise.
    near: Rc<Cell<bool>>,
    /// Its latest rendering, owed while held.
    owed: Owed,
    /// Pays the owed rendering `SETTLE_MS` after it was first owed.
    settle: Rc<Timer>,
    watch: Option<NearWatch>,
}

#[cfg(feature = "full")]
pub enum Show {
    Latest,
}

#[cfg(feature = "full")]
impl Component for Held {
    type Message = Show;
    type Properties = HeldProps;

    fn create(_: &Context<Self>) -> Self {
        let owed: Owed = Rc::default();
        list_owed(&owed);
        let settle = {
            let owed = owed.clone();
            Timer::new(move |_: &Timer| pay(&owed))
        };
        Held {
            node: NodeRef::default(),
            near: Rc::new(Cell::new(true)),
            owed,
            settle,
            watch: None,
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, _: &HeldProps) -> bool {
        // While a drag goes on, whatever changes the panel (its steps, the animation playing
        // between them) waits.
        if self.near.get() || !dragging() {
            self.owed.borrow_mut().take();
            return true;
        }
        let link = ctx.link().clone();
        *self.owed.borrow_mut() = Some(Box::new(move || link.send_message(Show::Latest)));
        self.settle.within(SETTLE_MS);
        false
    }

    fn update(&mut self, _: &Context<Self>, _: Show) -> bool {
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let p = ctx.props();
        html! {
            <section class={p.class.clone()} data-testid={p.testid.clone()} aria-label={p.label.clone()} ref={self.node.clone()}>
                { p.children.clone() }
            </section>
        }
    }

    fn rendered(&mut self, _: &Context<Self>, first: bool) {
        if first {
            self.watch = self
                .node
                .cast::<Element>()
                .and_then(|el| NearWatch::start(&el, self.near.clone(), self.owed.clone()));
        }
    }

    fn destroy(&mut self, _: &Context<Self>) {
        // The owed rendering holds this component's scope: let both go.
        self.owed.borrow_mut().take();
        self.settle.cancel();
    }
}

/// Whether a panel is near the window, and what it owes until it is.
#[cfg(feature = "full")]
mod near {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::Element;

    /// A rendering a held panel owes: its latest, left out while it was far off screen.
    pub(super) type Job = RefCell<Option<Box<dyn FnOnce()>>>;
    pub(super) type Owed = Rc<Job>;

    thread_local! {
        /// Every held panel's owed rendering, to pay before the page is printed or a canvas saved.
        static OWED: RefCell<Vec<std::rc::Weak<Job>>> = const { RefCell::new(Vec::new()) };
    }

    /// Lists `owed` among those [`draw_owed`] pays.
    pub(super) fn list_owed(owed: &Owed) {
        OWED.with(|all| all.borrow_mut().push(Rc::downgrade(owed)));
    }

    /// Renders every held panel (`held::Held`) that owes its latest: before a canvas is saved as a
    /// picture, and before the page is printed. The rendering (and the drawing of a canvas in it)
    /// runs in a microtask, so this says whether anything was owed.
    pub(crate) fn draw_owed() -> bool {
        let owed: Vec<Owed> = OWED.with(|all| {
            let mut all = all.borrow_mut();
            all.retain(|o| o.strong_count() > 0);
            all.iter().filter_map(std::rc::Weak::upgrade).collect()
        });
        let mut any = false;
        for o in owed {
            any |= o.borrow().is_some();
            pay(&o);
        }
        any
    }

    /// Pays `owed`'s rendering, if it owes one (taken out first: it may owe anew).
    pub(super) fn pay(owed: &Job) {
        let job = owed.borrow_mut().take();
        if let Some(job) = job {
            job();
        }
    }

    /// How far beyond the window a held panel still counts as near it: a quarter of the window's
    /// height above and below, so a reader scrolling finds it current.
    const NEAR_MARGIN: &str = "25% 0px";

    /// How far behind a drag a held panel far off screen may fall, ms (the address bar's wait for
    /// a drag to settle).
    pub(super) const SETTLE_MS: i32 = 250;

    /// Follows whether an element is near the window (an IntersectionObserver), and pays its
    /// owed rendering when it comes near. Dropping it disconnects the observer.
    pub(super) struct NearWatch {
        observer: web_sys::IntersectionObserver,
        _callback: Closure<dyn Fn(js_sys::Array)>,
    }

    impl NearWatch {
        pub(super) fn start(el: &Element, near: Rc<Cell<bool>>, owed: Owed) -> Option<NearWatch> {
            let callback = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
                // The last entry is the newest state.
                let Some(entry) = entries
                    .iter()
                    .last()
                    .and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
                else {
                    return;
                };
                near.set(entry.is_intersecting());
                if entry.is_intersecting() {
                    pay(&owed);
                }
            });
            let init = web_sys::IntersectionObserverInit::new();
            init.set_root_margin(NEAR_MARGIN);
            let observer = web_sys::IntersectionObserver::new_with_options(
                callback.as_ref().unchecked_ref(),
                &init,
            )
            .ok()?;
            observer.observe(el);
            before_print();
            Some(NearWatch {
                observer,
                _callback: callback,
            })
        }
    }

    impl Drop for NearWatch {
        fn drop(&mut self) {
            self.observer.disconnect();
        }
    }

    /// Pays every owed drawing before the page is printed (once per page: a listener kept for
    /// its life).
    fn before_print() {
        thread_local! {
            static LISTENING: Cell<bool> = const { Cell::new(false) };
        }
        if LISTENING.with(|l| l.replace(true)) {
            return;
        }
        if let Some(w) = web_sys::window() {
            let listener = Closure::<dyn Fn()>::new(|| {
                draw_owed();
            });
            w.add_event_listener_with_callback("beforeprint", listener.as_ref().unchecked_ref())
                .ok();
            listener.forget();
        }
    }
}
#[cfg(feature = "full")]
pub(crate) use near::draw_owed;
#[cfg(feature = "full")]
use near::{list_owed, pay, NearWatch, Owed, SETTLE_MS};

/// A panel's `<section>` with `children`: a [`Held`] one in the full bundle; in the lite one
/// (no component of its own to carry), rendered as it changes.
pub(crate) fn panel(
    class: &'static str,
    testid: Option<&'static str>,
    label: Option<&'static str>,
    children: Html,
) -> Html {
    #[cfg(feature = "full")]
    {
        html! { <Held class={class} testid={testid.map(AttrValue::Static)} label={label.map(AttrValue::Static)}>{ children }</Held> }
    }
    #[cfg(not(feature = "full"))]
    {
        html! { <section class={class} data-testid={testid} aria-label={label}>{ children }</section> }
    }
}
