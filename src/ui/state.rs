//! App state: the scenario, its trace and the playback clock, changed only through actions.

use std::rc::Rc;

use yew::Reducible;

use crate::engine::{simulate, Scenario, Trace};
use crate::playback::Clock;

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub scenario: Rc<Scenario>,
    /// The trace of the last valid scenario.
    pub trace: Rc<Trace>,
    /// Why the current scenario could not be simulated (the previous trace stays on screen).
    pub error: Option<String>,
    pub clock: Clock,
}

pub enum Action {
    SetScenario(Box<Scenario>),
    /// Wall-clock seconds since the previous animation frame.
    Tick(f64),
    Toggle,
    Restart,
    Seek(f64),
    Speed(f64),
}

impl AppState {
    pub fn new(scenario: Scenario, autoplay: bool) -> AppState {
        let (scenario, error) = match simulate(&scenario) {
            Ok(_) => (scenario, None),
            Err(e) => (Scenario::default(), Some(e.to_string())),
        };
        let trace = simulate(&scenario).expect("the default scenario is valid");
        let mut clock = Clock::new(trace.duration_s());
        if autoplay {
            clock.play();
        }
        AppState {
            scenario: Rc::new(scenario),
            trace: Rc::new(trace),
            error,
            clock,
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SetScenario(s) => {
                let s = *s;
                match simulate(&s) {
                    Ok(trace) => {
                        next.clock.retarget(trace.duration_s());
                        next.trace = Rc::new(trace);
                        next.error = None;
                    }
                    Err(e) => next.error = Some(e.to_string()),
                }
                next.scenario = Rc::new(s);
            }
            Action::Tick(dt) => {
                if !self.clock.playing {
                    return self;
                }
                next.clock.tick(dt);
            }
            Action::Toggle => next.clock.toggle(),
            Action::Restart => next.clock.restart(),
            Action::Seek(t) => next.clock.seek(t),
            Action::Speed(v) => next.clock.set_speed(v),
        }
        Rc::new(next)
    }
}
