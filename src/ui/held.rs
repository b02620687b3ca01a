//! A panel that the steps of a drag change, held back while it is far off screen: a slider
//! dragged near the top of the playground rendered the memory map, the blackout's drawing and
//! the results a screen or more below the window on every step, about a third of the step's
//! work (in the cluster's timeline: the totals, the small memory maps and the Gantt chart's
//! cursor). Only the steps of a drag are held (a change set off by a slider's or the
//! timeline's input less than `BURST_MS` after the input before it): a single change (a
//! choice, a typed value, a click, a drag's first step), the animation and a run coming in
//! slice by slice render as before, wherever the panel is. A held panel is rendered with the latest values as soon
//! as it comes near the window (the lazy charts' margin), before the page is printed, and
//! while far at most `SETTLE_MS` behind the drag (a screen reader may read it).
//! The lite bundle (the first chapter, no drag measured to need it) renders its panels as
//! they change, and carries none of this.

#[cfg(feature = "full")]
use std::cell::RefCell;
#[cfg(feature = "full")]
use std::rc::Rc;

#[cfg(feature = "full")]
use web_sys::Element;
use yew::prelude::*;

#[cfg(feature = "full")]
use super::canvas::{list_owed, pay, NearWatch, Owed, SETTLE_MS};
#[cfg(feature = "full")]
use super::incremental::{now_ms, Timer};

/// A drag's step less than this after the one before (ms) continues the drag: its steps come
/// a frame apart (a key held down on a slider repeats every 30–50 ms).
#[cfg(feature = "full")]
const BURST_MS: f64 = 100.0;

#[cfg(feature = "full")]
thread_local! {
    /// Whether the task running now is a slider's or the timeline's input (until the next
    /// task: the renders it sets off run in microtasks before it).
    static DRAGGING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// When the drag's step before this one came (the page's clock, ms).
    static STEP_BEFORE: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::NEG_INFINITY) };
    static LAST_STEP: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::NEG_INFINITY) };
    static DRAG_OVER: Rc<Timer> = Timer::new(|_: &Timer| DRAGGING.with(|d| d.set(false)));
}

/// Says that the task running now is a step of a drag: called by the sliders' and the
/// timeline's input handlers.
pub(crate) fn drag_step() {
    #[cfg(feature = "full")]
    {
        DRAGGING.with(|d| d.set(true));
        DRAG_OVER.with(|t| t.soon());
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
    near: Rc<RefCell<bool>>,
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
            near: Rc::new(RefCell::new(true)),
            owed,
            settle,
            watch: None,
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, _: &HeldProps) -> bool {
        // A step of a drag that follows another one (the animation may change the panel
        // between them).
        let follows = DRAGGING.with(|d| d.get())
            && LAST_STEP.with(|l| l.get()) - STEP_BEFORE.with(|b| b.get()) < BURST_MS;
        if *self.near.borrow() || !follows {
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
