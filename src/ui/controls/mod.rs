//! The knobs: VM, network, stop policy and the four levers of the tuning guide. Every change
//! sends a new scenario or a model edit, which is re-simulated at once.
//!
//! Each panel (the VM, the network and policy, the levers, more settings) is a component whose
//! props are the scenario's fields it shows: a slider step renders the panel it is in, not the
//! others.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::chapters::{chapters, Control, Panel};
use crate::engine::{Network, Scenario, StopPolicy, Transport, Vm};
use crate::model::bounds::check;
use crate::model::edits::on_lab_host;
use crate::model::levers::LeverSet;
use crate::model::Edit;
use crate::text::Lang;

mod levers;
mod more;
mod network;
mod vm;
mod widgets;

pub(crate) use widgets::parse_number;
use widgets::*;

/// Link speeds offered by the slider, Gbit/s (0 shows what happens without a link).
pub const LINKS: [f64; 8] = [0.0, 1.0, 2.5, 5.0, 10.0, 25.0, 40.0, 100.0];

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub scenario: Rc<Scenario>,
    /// An edit with a rule (memory, shares, hypervisor).
    pub on_edit: Callback<Edit>,
    /// The scenario with one plain field changed.
    pub on_scenario: Callback<Scenario>,
    /// The chapter whose controls to show; all of them without one.
    #[prop_or_default]
    pub chapter: Option<usize>,
    /// Only these controls (by id), overriding the chapter's choice (an embed's `controls=`).
    #[prop_or_default]
    pub only: Option<Vec<String>>,
    #[prop_or_default]
    pub lang: Lang,
}

/// What the controls' callbacks read when they run: the scenario, the refused fields and the
/// language of the controls' last render. The callbacks are made anew on every render of their
/// panel, but as each reads these when it runs (and emits to the app's intents, which never
/// change), an old one does what a new one would: the sliders leave their callbacks out of
/// their props' equality, so a slider step renders the slider that moved, not every slider of
/// the panel.
struct Now {
    scenario: Rc<Scenario>,
    errors: Errors,
    lang: Lang,
}

type Latest = Rc<RefCell<Now>>;

/// Each refused field's id with its message and what was typed.
type Errors = Vec<(&'static str, (String, String))>;
/// A typed value's callback, and the field's refusal if it has one.
type Guarded = (Callback<Typed>, Option<(String, String)>);

/// What every panel's callbacks are made from: the controls' latest state and the app's
/// intents. The same on every render, so it never makes a panel render again.
#[derive(Clone)]
struct Wiring {
    latest: Latest,
    on_edit: Callback<Edit>,
    on_scenario: Callback<Scenario>,
    errors: UseStateSetter<Errors>,
}

impl PartialEq for Wiring {
    fn eq(&self, o: &Self) -> bool {
        // The setter belongs to the same hook as the cell.
        Rc::ptr_eq(&self.latest, &o.latest)
            && self.on_edit == o.on_edit
            && self.on_scenario == o.on_scenario
    }
}

impl Wiring {
    /// A callback that applies `edit(scenario, value)` to a copy of the current scenario.
    fn editor<T: 'static>(&self, edit: impl Fn(&mut Scenario, T) + 'static) -> Callback<T> {
        let (latest, on_scenario) = (self.latest.clone(), self.on_scenario.clone());
        Callback::from(move |v: T| {
            let mut next = (*latest.borrow().scenario).clone();
            edit(&mut next, v);
            on_scenario.emit(next);
        })
    }

    /// Dispatches the model's edit for a value the reader gave.
    fn intent<T: 'static>(&self, edit: impl Fn(T) -> Edit + 'static) -> Callback<T> {
        self.on_edit.reform(edit)
    }

    /// A typed value goes to the scenario only when its field accepts it; otherwise the field
    /// says why and keeps what was typed. `errors` are the refusals the panel shows.
    fn guard(&self, id: &'static str, cb: &Callback<f64>, errors: &Errors) -> Guarded {
        let current = errors
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, e)| e.clone());
        let (cb, latest, set) = (cb.clone(), self.latest.clone(), self.errors.clone());
        let checked = Callback::from(move |(v, text): Typed| {
            let (mut e, lang) = {
                let now = latest.borrow();
                (now.errors.clone(), now.lang)
            };
            let before = e.len();
            e.retain(|(k, _)| *k != id);
            match check(id, v, lang) {
                Ok(v) => {
                    if e.len() < before {
                        set.set(e);
                    }
                    cb.emit(v);
                }
                Err(msg) => {
                    e.push((id, (msg, text)));
                    set.set(e);
                }
            }
        });
        (checked, current)
    }
}

/// Which controls are shown, a bit each in `Control`'s order, and whether the chapter shows
/// them all.
#[derive(Clone, Copy, PartialEq)]
struct Shows {
    set: u32,
    all: bool,
}

// Every control has its bit.
const _: () = assert!(Control::ALL.len() <= u32::BITS as usize);

impl Shows {
    fn has(self, c: Control) -> bool {
        self.set & (1 << c as u32) != 0
    }

    fn any_in(self, panel: Panel) -> bool {
        Control::ALL
            .into_iter()
            .any(|c| c.panel() == Some(panel) && self.has(c))
    }
}

/// The scenario's fields a panel shows.
#[derive(PartialEq)]
enum Fields {
    Vm(Vm),
    /// The network, the stop policy, and whether the scenario is on the lab's host.
    Network(Network, StopPolicy, bool),
    /// The link's speed (the driver's default buffers depend on it), the stop policy and the
    /// levers as set.
    Levers(f64, StopPolicy, LeverSet),
    /// The network, the transport and the seed.
    More(Network, Transport, u64),
}

/// A panel's props: the fields it shows, which of its controls are shown, the refused values,
/// the language, and what its callbacks are made from.
#[derive(Properties, PartialEq)]
struct PanelProps {
    fields: Fields,
    shows: Shows,
    errors: Errors,
    lang: Lang,
    wiring: Wiring,
}

/// One panel of the controls. One component type for the four keeps the bundle small (each
/// component type brings its own copy of yew's machinery); the fields say which it is.
#[function_component(ControlPanel)]
fn control_panel(p: &PanelProps) -> Html {
    match &p.fields {
        Fields::Vm(vm) => vm::panel(vm, p),
        Fields::Network(network, policy, on_lab) => network::panel(network, policy, *on_lab, p),
        Fields::Levers(link_gbps, policy, levers) => levers::panel(*link_gbps, policy, levers, p),
        Fields::More(network, transport, seed) => more::panel(network, transport, *seed, p),
    }
}

#[function_component(Controls)]
pub fn controls(p: &ControlsProps) -> Html {
    let s = &*p.scenario;
    let errors = use_state(Errors::new);
    let lang = p.lang;
    let now = || Now {
        scenario: p.scenario.clone(),
        errors: (*errors).clone(),
        lang,
    };
    let latest: Latest = use_mut_ref(now);
    *latest.borrow_mut() = now();
    let wiring = Wiring {
        latest,
        on_edit: p.on_edit.clone(),
        on_scenario: p.on_scenario.clone(),
        errors: errors.setter(),
    };
    // Which controls this chapter shows: every one in the playground.
    let chapter = p.chapter.and_then(|i| chapters().get(i));
    let show = |c: Control| match &p.only {
        Some(only) => only.iter().any(|o| o == c.id()),
        None => chapter.is_none_or(|ch| ch.shows_control(c)),
    };
    let shows = Shows {
        set: Control::ALL
            .into_iter()
            .filter(|&c| show(c))
            .fold(0, |set, c| set | 1 << c as u32),
        all: p.only.is_none() && chapter.is_none_or(|c| c.shows_control(Control::All)),
    };
    let errors = (*errors).clone();
    // One place makes a panel (four would put four copies of its props' making in the bundle).
    let panels = [Panel::Vm, Panel::Network, Panel::Levers, Panel::More]
        .into_iter()
        .filter(|&panel| shows.any_in(panel))
        .map(|panel| {
            let fields = match panel {
                Panel::Vm => Fields::Vm(s.vm.clone()),
                // The lab's host is only in the full bundle: its profile is fitted on the lab's
                // runs.
                Panel::Network => Fields::Network(
                    s.network.clone(),
                    s.policy.clone(),
                    shows.has(Control::Host) && on_lab_host(s),
                ),
                Panel::Levers => Fields::Levers(s.network.link_gbps, s.policy.clone(), LeverSet::of(s)),
                Panel::More => Fields::More(s.network.clone(), s.transport.clone(), s.seed),
            };
            html! { <ControlPanel {fields} {shows} errors={errors.clone()} {lang} wiring={wiring.clone()} /> }
        });
    html! {
        <section class="panel controls" aria-label={lang.pick("Scenario", "Szenario")}>
            { for panels }
        </section>
    }
}
