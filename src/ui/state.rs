//! App state: the scenario, its trace and the playback clock, changed only through actions.

use std::rc::Rc;

use yew::Reducible;

use crate::chapters::{chapters, View};
use crate::engine::{
    simulate, simulate_cluster, ClusterScenario, ClusterTrace, Lang, Scenario, Trace,
};
use crate::playback::{slow_motion, Clock};

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub scenario: Rc<Scenario>,
    /// The trace of the last valid scenario.
    pub trace: Rc<Trace>,
    /// Why the current scenario could not be simulated (the previous trace stays on screen).
    pub error: Option<String>,
    pub mode: Mode,
    pub cluster: Rc<ClusterScenario>,
    pub cluster_trace: Rc<ClusterTrace>,
    pub cluster_error: Option<String>,
    pub clock: Clock,
    pub lang: Lang,
    /// The chapter being read (an index into `chapters()`).
    pub chapter: usize,
    /// Whether a new run starts playing by itself (not when the reader prefers reduced motion).
    pub autoplay: bool,
    /// The chapter's side-by-side configurations, run on the reader's scenario.
    pub compare: Rc<Vec<Rc<Trace>>>,
    /// Slow playback down through the blackout so it can be watched.
    pub slow_blackout: bool,
    pub theme: Theme,
}

/// Light or dark colours; `System` follows the reader's system setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    /// The value of the page's `data-theme` attribute (none for `System`).
    pub fn attr(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    pub fn from_code(code: &str) -> Option<Theme> {
        match code {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "system" => Some(Theme::System),
            _ => None,
        }
    }
}

/// Wall-clock seconds the blackout lasts at least when slowed down.
pub const BLACKOUT_WALL_S: f64 = 2.0;

/// Which view the playback clock drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Single,
    Cluster,
}

/// The cluster presets, as data: English name, German name, scenario.
pub const PRESETS: [(&str, &str, &str); 3] = [
    (
        "2-node cluster",
        "Cluster mit 2 Knoten",
        include_str!("../../www/presets/two-node.json"),
    ),
    (
        "4-node cluster with converged 10 GbE",
        "Cluster mit 4 Knoten und konvergentem 10-GbE-Netzwerk",
        include_str!("../../www/presets/four-node-converged.json"),
    ),
    (
        "Drain a host with 8 VMs",
        "Einen Host mit 8 VMs leeren",
        include_str!("../../www/presets/drain-8-vms.json"),
    ),
];

pub fn preset(i: usize) -> ClusterScenario {
    ClusterScenario::from_json(PRESETS[i.min(PRESETS.len() - 1)].2).expect("presets are valid")
}

pub enum Action {
    SetScenario(Box<Scenario>),
    SetCluster(Box<ClusterScenario>),
    SetMode(Mode),
    /// Wall-clock seconds since the previous animation frame.
    Tick(f64),
    Toggle,
    Restart,
    Seek(f64),
    Speed(f64),
    SetLang(Lang),
    SlowBlackout(bool),
    SetTheme(Theme),
    /// Open chapter i: its scenario or cluster, its view, the clock at 0.
    Chapter(usize),
}

impl AppState {
    pub fn new(scenario: Scenario, autoplay: bool) -> AppState {
        let (scenario, trace, error) = match simulate(&scenario) {
            Ok(trace) => (scenario, trace, None),
            Err(e) => {
                let s = Scenario::default();
                let trace = simulate(&s).expect("the default scenario is valid");
                (s, trace, Some(e.to_string()))
            }
        };
        let mut clock = Clock::new(trace.duration_s());
        if autoplay {
            clock.play();
        }
        let cluster = preset(0);
        let cluster_trace = simulate_cluster(&cluster).expect("presets simulate");
        AppState {
            scenario: Rc::new(scenario),
            trace: Rc::new(trace),
            error,
            mode: Mode::Single,
            cluster: Rc::new(cluster),
            cluster_trace: Rc::new(cluster_trace),
            cluster_error: None,
            clock,
            lang: Lang::En,
            chapter: 0,
            autoplay,
            compare: Rc::new(Vec::new()),
            slow_blackout: true,
            theme: Theme::System,
        }
    }

    /// The current chapter's comparison, each configuration applied to the reader's scenario.
    fn variants(&self) -> Vec<Rc<Trace>> {
        let Some(c) = chapters().get(self.chapter) else {
            return Vec::new();
        };
        if self.mode != Mode::Single || !c.views.iter().any(|v| v == "compare") {
            return Vec::new();
        }
        let Ok(base) = serde_json::to_value(&*self.scenario) else {
            return Vec::new();
        };
        (0..c.compare.len())
            .filter_map(|i| c.variant_of(base.clone(), i)?.ok())
            .filter_map(|s| simulate(&s).ok())
            .map(Rc::new)
            .collect()
    }

    /// The clock's span: the run, or the longest of the compared ones.
    fn span(&self) -> f64 {
        self.compare
            .iter()
            .map(|t| t.duration_s())
            .fold(self.trace.duration_s(), f64::max)
    }

    /// The state a reader lands in: chapter `chapter` in `lang`, or `scenario` in the
    /// playground when one is given.
    pub fn open(
        scenario: Option<Scenario>,
        chapter: usize,
        lang: Lang,
        autoplay: bool,
    ) -> AppState {
        let given = scenario.is_some();
        let state = AppState::new(scenario.unwrap_or_default(), autoplay);
        let state = AppState { lang, ..state };
        if given {
            let playground = chapters()
                .iter()
                .position(|c| c.id == "playground")
                .unwrap_or(0);
            return AppState {
                chapter: playground,
                ..state
            };
        }
        let next = std::rc::Rc::new(state).reduce(Action::Chapter(chapter));
        (*next).clone()
    }

    /// Starts the clock on a new run of `duration` seconds.
    fn fresh_clock(&self, duration: f64) -> Clock {
        let mut clock = Clock::new(duration);
        clock.set_speed(self.clock.speed);
        if self.autoplay {
            clock.play();
        }
        clock
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
                        next.trace = Rc::new(trace);
                        next.error = None;
                    }
                    Err(e) => next.error = Some(e.to_string()),
                }
                next.scenario = Rc::new(s);
                next.compare = Rc::new(next.variants());
                if self.mode == Mode::Single && next.error.is_none() {
                    next.clock.retarget(next.span());
                }
            }
            Action::SetCluster(c) => {
                let c = *c;
                match simulate_cluster(&c) {
                    Ok(trace) => {
                        if self.mode == Mode::Cluster {
                            next.clock.retarget(trace.makespan_s);
                        }
                        next.cluster_trace = Rc::new(trace);
                        next.cluster_error = None;
                    }
                    Err(e) => next.cluster_error = Some(e.to_string()),
                }
                next.cluster = Rc::new(c);
            }
            Action::SetMode(mode) => {
                if mode == self.mode {
                    return self;
                }
                next.mode = mode;
                let duration = match mode {
                    Mode::Single => next.trace.duration_s(),
                    Mode::Cluster => next.cluster_trace.makespan_s,
                };
                next.clock = Clock::new(duration);
            }
            Action::Tick(dt) => {
                if !self.clock.playing {
                    return self;
                }
                let factor = match (self.mode, &self.trace.stop_copy) {
                    (Mode::Single, Some(sc)) if self.slow_blackout => slow_motion(
                        self.clock.t,
                        (sc.start_s, sc.start_s + sc.duration_s + sc.switchover_s),
                        self.clock.speed,
                        BLACKOUT_WALL_S,
                    ),
                    _ => 1.0,
                };
                next.clock.tick(dt * factor);
            }
            Action::Toggle => next.clock.toggle(),
            Action::Restart => next.clock.restart(),
            Action::Seek(t) => next.clock.seek(t),
            Action::Speed(v) => next.clock.set_speed(v),
            Action::SetLang(lang) => next.lang = lang,
            Action::SlowBlackout(on) => next.slow_blackout = on,
            Action::SetTheme(theme) => next.theme = theme,
            Action::Chapter(i) => {
                let Some(c) = chapters().get(i) else {
                    return self;
                };
                next.chapter = i;
                match c.view {
                    View::Single => {
                        // A chapter without a scenario (the playground) keeps the reader's.
                        if c.scenario.is_some() {
                            if let Ok(s) = c.scenario() {
                                if let Ok(trace) = simulate(&s) {
                                    next.trace = Rc::new(trace);
                                    next.scenario = Rc::new(s);
                                    next.error = None;
                                }
                            }
                        }
                        next.mode = Mode::Single;
                        next.compare = Rc::new(next.variants());
                        next.clock = self.fresh_clock(next.span());
                    }
                    View::Cluster => {
                        if let Some(p) = c.cluster_preset {
                            let cluster = preset(p);
                            if let Ok(trace) = simulate_cluster(&cluster) {
                                next.cluster_trace = Rc::new(trace);
                                next.cluster = Rc::new(cluster);
                                next.cluster_error = None;
                            }
                        }
                        next.mode = Mode::Cluster;
                        next.compare = Rc::new(Vec::new());
                        next.clock = self.fresh_clock(next.cluster_trace.makespan_s);
                    }
                }
            }
        }
        Rc::new(next)
    }
}
