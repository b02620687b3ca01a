//! App state: the scenario, its trace and the playback clock, changed only through actions.
//! Platform-free: the page wraps it in its reducer, and `tests/model.rs` drives it natively.

use std::rc::Rc;

#[cfg(feature = "full")]
use super::sliced::{Before, Slice, PLAN_AT_ONCE_MAX_VMS};
use super::sliced::{PendingCluster, Slicing};
use super::{ClusterEdit, Edit, Shown};
use crate::chapters::{chapter_index, chapters, View};
use crate::engine::scenario::Problem;
use crate::engine::{simulate, ClusterScenario, ClusterTrace, Scenario, ScenarioError, Trace};
use crate::permalink::{Link, Notice};
use crate::playback::{slow_motion, suggested_speed_for, Clock};
use crate::text::Lang;

/// A lab run opened in the playground.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedRun {
    /// Index into the lab report's runs.
    pub index: usize,
    pub id: String,
    /// The run's inputs on the lab host.
    pub scenario: Scenario,
    /// QEMU's total time, s, when it converged.
    pub qemu_total_s: Option<f64>,
    /// QEMU's `ram.remaining` over time, `(s, bytes)`; None when the series could not be
    /// loaded.
    pub measured: Option<Vec<(f64, f64)>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub scenario: Rc<Scenario>,
    /// The trace of the last valid scenario.
    pub trace: Rc<Trace>,
    /// Why the current scenario could not be simulated (the previous trace stays on screen).
    pub error: Option<ScenarioError>,
    pub mode: Mode,
    pub cluster: Rc<ClusterScenario>,
    pub cluster_trace: Rc<ClusterTrace>,
    pub cluster_error: Option<ScenarioError>,
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
    /// What an opened link asked for that could not be shown, until dismissed.
    pub notices: Rc<Vec<Notice>>,
    /// The file that could not be opened last, and why (until one opens).
    pub import_error: Option<(String, Problem)>,
    /// The lab run opened in the playground, whose measurements are drawn over the engine's.
    pub lab_run: Option<Rc<OpenedRun>>,
    /// The views shown (all of the chapter's on the page, fewer in an embed). Runs for a view
    /// not shown are not made, and the clock spans only what is shown.
    pub shown: Shown,
    /// The reader chose the playback speed (or a link named it): it stays from chapter to
    /// chapter. Until then each run gets the speed that suits it.
    pub speed_chosen: bool,
    /// How a cluster is run: a slice at a time between frames (the page), or whole when
    /// `None` (the command line, the tests, a state built before the page sets it).
    pub slicing: Option<Slicing>,
    /// The cluster being run a slice at a time: `cluster` is its scenario and `cluster_trace`
    /// the migrations that have ended so far.
    pub cluster_run: Option<PendingCluster>,
}

pub use crate::permalink::Theme;
pub use crate::presets::{preset, PRESETS};

/// Wall-clock seconds the blackout lasts at least when slowed down.
pub const BLACKOUT_WALL_S: f64 = 2.0;

/// Which view the playback clock drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Single,
    Cluster,
}

pub enum Action {
    /// One change of the reader's scenario, with what its rule changes besides.
    Edit(Edit),
    /// One change of the cluster, with what must follow it.
    EditCluster(ClusterEdit),
    /// A whole scenario: a preset, an opened link, a chapter's configuration.
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
    /// Open chapter i from its own start: its scenario (the default one when it has none) and
    /// its cluster preset, its view, the clock at 0. Only the language, the theme and a
    /// playback speed the reader chose carry over, except between the two free views (the
    /// playground and the cluster), which keep the reader's scenario and cluster.
    Chapter(usize),
    /// Back to the current chapter's start (as `Chapter` of the same chapter).
    Reset,
    /// Start playback (a no-op when playing).
    Play,
    /// Stop playback (a no-op when paused).
    Pause,
    /// Hide the notices about an opened link.
    DismissNotices,
    /// A scenario file was opened: show it in the playground.
    Import(Box<Scenario>),
    /// A cluster file was opened: show it in the cluster view.
    ImportCluster(Box<ClusterScenario>),
    /// Run the next slice of the cluster being run (a no-op when there is none).
    ClusterSlice,
    /// Stop the cluster being run and show the one before it again.
    CancelCluster,
    /// A file could not be opened: its name and why.
    ImportFailed(String, Problem),
    /// Open a lab run in the playground: its scenario, and its measurements beside the
    /// engine's.
    OpenLabRun(Box<OpenedRun>),
    /// Stop drawing the opened lab run.
    CloseLabRun,
}

/// What the timeline's buttons ask of the playback clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockAction {
    Toggle,
    Restart,
    /// To this many seconds into the run.
    Seek(f64),
    Speed(f64),
}

impl From<ClockAction> for Action {
    fn from(a: ClockAction) -> Action {
        match a {
            ClockAction::Toggle => Action::Toggle,
            ClockAction::Restart => Action::Restart,
            ClockAction::Seek(t) => Action::Seek(t),
            ClockAction::Speed(v) => Action::Speed(v),
        }
    }
}

impl AppState {
    pub fn new(scenario: Scenario, autoplay: bool) -> AppState {
        let (scenario, trace, error) = match simulate(&scenario) {
            Ok(trace) => (scenario, trace, None),
            Err(e) => {
                let s = Scenario::default();
                let trace = simulate(&s).expect("the default scenario is valid");
                (s, trace, Some(e))
            }
        };
        let mut clock = Clock::new(trace.duration_s());
        clock.set_speed(suggested_speed_for(
            trace.duration_s(),
            first_pass_end(&trace),
        ));
        if autoplay {
            clock.play();
        }
        let cluster = cluster_preset(0).unwrap_or_else(ClusterScenario::empty);
        let cluster_trace = run_cluster(&cluster).expect("presets simulate");
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
            notices: Rc::new(Vec::new()),
            import_error: None,
            lab_run: None,
            shown: Shown::Chapter,
            speed_chosen: false,
            slicing: None,
            cluster_run: None,
        }
    }

    /// The current chapter's comparison, each configuration applied to the reader's scenario.
    fn variants(&self) -> Vec<Rc<Trace>> {
        let Some(c) = chapters().get(self.chapter) else {
            return Vec::new();
        };
        let shown = self.shown.names(Some(c), "compare");
        if self.mode != Mode::Single || !shown || !c.views.iter().any(|v| v == "compare") {
            return Vec::new();
        }
        (0..c.compare.len())
            .filter_map(|i| c.variant_of(&self.scenario, i)?.ok())
            .filter_map(|s| simulate(&s).ok())
            .map(Rc::new)
            .collect()
    }

    /// The clock's span: the cluster's run in the cluster view; else the run, or the longest
    /// of the compared ones (made only when shown).
    fn span(&self) -> f64 {
        if self.mode == Mode::Cluster {
            return self.cluster_trace.makespan_s;
        }
        self.compare
            .iter()
            .map(|t| t.duration_s())
            .fold(self.trace.duration_s(), f64::max)
    }

    /// The state a reader lands in: chapter `chapter` in `lang`, or, when one is given,
    /// `scenario` in chapter `chapter` (the playground, see `link_chapter`) as it is.
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
            return AppState { chapter, ..state };
        }
        let next = std::rc::Rc::new(state).apply(Action::Chapter(chapter));
        (*next).clone()
    }

    /// The chapter a link opens: the one it names, else the playground when it carries a
    /// scenario, else the first.
    pub fn link_chapter(link: &Link) -> usize {
        match link.chapter.as_deref().and_then(chapter_index) {
            Some(i) => i,
            None if link.scenario.is_some() => chapter_index("playground").unwrap_or(0),
            None => 0,
        }
    }

    /// The state a link describes: its chapter with its scenario and cluster, paused at its
    /// time when it has one; what it could not restore listed in `notices`.
    pub fn from_link(link: &Link, notices: Vec<Notice>, lang: Lang, autoplay: bool) -> AppState {
        let named = link.chapter.as_deref().and_then(chapter_index).is_some();
        let autoplay = autoplay && link.t.is_none();
        // A scenario without a chapter opens the playground as it is; with one, it is applied
        // to the chapter's.
        let scenario = link.scenario.clone().filter(|_| !named);
        let mut state = AppState::open(scenario, AppState::link_chapter(link), lang, autoplay);
        if link.embed.is_some() {
            // An embed that does not show the comparison runs none, and its clock spans its
            // own run.
            state.shown = Shown::of_embed(link.embed.as_ref());
            state.compare = Rc::new(state.variants());
            state.clock.retarget(state.span());
        }
        let then = |state: AppState, action: Action| (*Rc::new(state).apply(action)).clone();
        if let (true, Some(s)) = (named, &link.scenario) {
            state = then(state, Action::SetScenario(Box::new(s.clone())));
        }
        if let Some(c) = &link.cluster {
            state = then(state, Action::SetCluster(Box::new(c.clone())));
        }
        if let Some(v) = link.speed {
            state = then(state, Action::Speed(v));
        }
        if let Some(t) = link.t {
            state = then(state, Action::Pause);
            state = then(state, Action::Seek(t));
        }
        AppState {
            theme: link.theme.unwrap_or_default(),
            notices: Rc::new(notices),
            ..state
        }
    }

    /// The link that restores this state (the time only while paused: a playing run's time
    /// changes every frame). It holds what the chapter shows, the scenario or the cluster, and
    /// `encode` writes only what differs from the chapter's own.
    pub fn link(&self, embed: Option<crate::permalink::Embed>) -> Link {
        let (scenario, cluster) = self.shown();
        Link {
            scenario: scenario.cloned(),
            cluster: cluster.cloned(),
            ..self.view_link(embed)
        }
    }

    /// What a link of this state holds besides the view: the scenario in a single-VM chapter,
    /// the cluster in a cluster chapter.
    pub fn shown(&self) -> (Option<&Scenario>, Option<&ClusterScenario>) {
        match self.mode {
            Mode::Single => (Some(&*self.scenario), None),
            Mode::Cluster => (None, Some(&*self.cluster)),
        }
    }

    /// The scenario's or the cluster's part of this state's link (`permalink::state_pairs`).
    pub fn state_pairs(&self) -> Vec<(String, String)> {
        let (scenario, cluster) = self.shown();
        let chapter = chapters().get(self.chapter).map(|c| c.id);
        crate::permalink::state_pairs(chapter, scenario, cluster)
    }

    /// `link` without the scenario and cluster: what `permalink::encode_with` needs besides
    /// their pairs.
    pub fn view_link(&self, embed: Option<crate::permalink::Embed>) -> Link {
        Link {
            chapter: chapters().get(self.chapter).map(|c| c.id.to_string()),
            lang: Some(self.lang),
            theme: (self.theme != Theme::System).then_some(self.theme),
            t: (!self.clock.playing && self.clock.t > 0.0).then_some(self.clock.t),
            speed: self.speed_chosen.then_some(self.clock.speed),
            scenario: None,
            cluster: None,
            embed,
        }
    }

    /// Starts the clock on a new run of `duration` seconds: at the reader's speed when they
    /// chose one, else at the speed that suits the run shown.
    fn fresh_clock(&self, duration: f64) -> Clock {
        let mut clock = Clock::new(duration);
        if self.speed_chosen {
            clock.set_speed(self.clock.speed);
        } else if self.mode == Mode::Single {
            clock.set_speed(suggested_speed_for(duration, first_pass_end(&self.trace)));
        }
        if self.autoplay {
            clock.play();
        }
        clock
    }
}

/// When the run's first pass ends, s.
fn first_pass_end(trace: &Trace) -> Option<f64> {
    trace.passes.first().map(|p| p.end_s)
}

impl AppState {
    /// An opened file: the free view `chapter` with the file's scenario or cluster (`set`),
    /// and no error left from an earlier file.
    fn open_file(self: Rc<Self>, chapter: &str, set: Action) -> Rc<Self> {
        let view = chapter_index(chapter).unwrap_or(0);
        let next = self.apply(Action::Chapter(view)).apply(set);
        Rc::new(AppState {
            import_error: None,
            ..(*next).clone()
        })
    }
}

impl AppState {
    /// The state after `action`: every change of the app goes through here (the page's
    /// reducer calls it).
    pub fn apply(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(e) => {
                let mut s = (*self.scenario).clone();
                e.apply(&mut s);
                return self.apply(Action::SetScenario(Box::new(s)));
            }
            Action::EditCluster(e) => {
                let mut c = (*self.cluster).clone();
                e.apply(&mut c);
                return self.apply(Action::SetCluster(Box::new(c)));
            }
            Action::SetScenario(s) => {
                let s = *s;
                match simulate(&s) {
                    Ok(trace) => {
                        next.trace = Rc::new(trace);
                        next.error = None;
                    }
                    Err(e) => next.error = Some(e),
                }
                next.scenario = Rc::new(s);
                next.compare = Rc::new(next.variants());
                if self.mode == Mode::Single && next.error.is_none() {
                    next.clock.retarget(next.span());
                }
            }
            Action::SetCluster(c) => {
                if let Some(slicing) = self.slicing {
                    return self.start_cluster(*c, slicing);
                }
                let c = *c;
                match run_cluster(&c) {
                    Ok(trace) => next.show_cluster_trace(trace),
                    Err(e) => next.cluster_error = Some(e),
                }
                next.cluster = Rc::new(c);
            }
            Action::ClusterSlice => return self.next_slice(),
            Action::CancelCluster => return self.cancel_cluster(),
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
            Action::Play | Action::Pause => {
                if self.clock.playing == matches!(action, Action::Play) {
                    return self;
                }
                next.clock.toggle();
            }
            Action::DismissNotices => next.notices = Rc::new(Vec::new()),
            Action::Import(s) => return self.open_file("playground", Action::SetScenario(s)),
            Action::ImportCluster(c) => return self.open_file("cluster", Action::SetCluster(c)),
            Action::ImportFailed(name, why) => next.import_error = Some((name, why)),
            Action::OpenLabRun(run) => {
                // As an opened file: the playground with the run's scenario, the clock at 0
                // (playing unless the reader prefers reduced motion).
                let run = *run;
                let scenario = Box::new(run.scenario.clone());
                let next = self.open_file("playground", Action::SetScenario(scenario));
                return Rc::new(AppState {
                    lab_run: Some(Rc::new(run)),
                    ..(*next).clone()
                });
            }
            Action::CloseLabRun => next.lab_run = None,
            Action::Restart => next.clock.restart(),
            Action::Seek(t) => next.clock.seek(t),
            Action::Speed(v) => {
                next.clock.set_speed(v);
                next.speed_chosen = true;
            }
            Action::SetLang(lang) => next.lang = lang,
            Action::SlowBlackout(on) => next.slow_blackout = on,
            Action::SetTheme(theme) => next.theme = theme,
            Action::Reset => {
                let next = self.clone().apply(Action::Chapter(self.chapter));
                return Rc::new(AppState {
                    lab_run: None,
                    ..(*next).clone()
                });
            }
            Action::Chapter(i) => {
                let Some(c) = chapters().get(i) else {
                    return self;
                };
                next.chapter = i;
                // Between the two free views the reader's work stays; anywhere else the
                // chapter starts from its own scenario and cluster.
                let within_free = c.is_free()
                    && chapters()
                        .get(self.chapter)
                        .is_some_and(|from| from.is_free())
                    && self.chapter != i;
                if !within_free {
                    let s = c.scenario().unwrap_or_default();
                    if let Ok(trace) = simulate(&s) {
                        next.trace = Rc::new(trace);
                        next.scenario = Rc::new(s);
                        next.error = None;
                    }
                    if let Some(cluster) = cluster_preset(c.cluster_preset.unwrap_or(0)) {
                        if let Ok(trace) = run_cluster(&cluster) {
                            next.cluster_trace = Rc::new(trace);
                            next.cluster = Rc::new(cluster);
                            next.cluster_error = None;
                            next.cluster_run = None;
                        }
                    }
                }
                match c.view {
                    View::Single => {
                        next.mode = Mode::Single;
                        next.compare = Rc::new(next.variants());
                        next.clock = next.fresh_clock(next.span());
                    }
                    View::Cluster => {
                        next.mode = Mode::Cluster;
                        next.compare = Rc::new(Vec::new());
                        next.clock = next.fresh_clock(next.span());
                    }
                }
            }
        }
        Rc::new(next)
    }
}

impl AppState {
    /// A finished cluster run on screen, the clock spanning it in the cluster view.
    fn show_cluster_trace(&mut self, trace: ClusterTrace) {
        if self.mode == Mode::Cluster {
            self.clock.retarget(trace.makespan_s);
        }
        self.cluster_trace = Rc::new(trace);
        self.cluster_error = None;
    }
}

/// Cluster runs a slice at a time, in the full bundle (the lite one runs no cluster).
#[cfg(feature = "full")]
impl AppState {
    /// `c` started a slice at a time: shown at once when its first slice runs it through.
    fn start_cluster(self: Rc<Self>, c: ClusterScenario, slicing: Slicing) -> Rc<Self> {
        let mut next = (*self).clone();
        // Cancelling goes back to the last cluster that ran through, not to a run abandoned
        // for this one.
        let before = self.cluster_run.as_ref().map_or_else(
            || Before {
                cluster: self.cluster.clone(),
                trace: self.cluster_trace.clone(),
                error: self.cluster_error.clone(),
                playing: self.clock.playing,
            },
            |p| (*p.before).clone(),
        );
        next.cluster_run = None;
        if c.vms.len() > PLAN_AT_ONCE_MAX_VMS {
            // Shown at once with nothing run; its first slice plans it.
            next.cluster_error = None;
            next.cluster_run = Some(PendingCluster::unplanned(&c, before));
            return Rc::new(next).shown_unrun(c);
        }
        let start = (slicing.now)();
        match PendingCluster::start(&c, before) {
            Ok(pending) => {
                next.cluster_error = None;
                next.cluster_run = Some(pending);
                // A cluster whose planning alone took half a slice will not run in one: its
                // first slice waits for the next turn, and this one shows it with nothing run.
                if (slicing.now)() - start >= slicing.budget_ms / 2.0 {
                    return Rc::new(next).shown_unrun(c);
                }
                next.cluster = Rc::new(c);
                return Rc::new(next).slice_cluster(slicing, true);
            }
            Err(e) => next.cluster_error = Some(e),
        }
        next.cluster = Rc::new(c);
        Rc::new(next)
    }

    /// `c` shown with nothing run yet, the clock paused at its start (in the cluster view),
    /// while its run waits for its next turn.
    fn shown_unrun(self: Rc<Self>, c: ClusterScenario) -> Rc<Self> {
        let mut next = (*self).clone();
        next.cluster_trace = Rc::new(ClusterTrace::empty(c.clone()));
        next.cluster = Rc::new(c);
        if self.mode == Mode::Cluster {
            next.clock.playing = false;
            next.clock.retarget(0.0);
        }
        Rc::new(next)
    }

    /// The next slice of the cluster being run (nothing when none is).
    fn next_slice(self: Rc<Self>) -> Rc<Self> {
        match self.slicing.filter(|_| self.cluster_run.is_some()) {
            Some(slicing) => self.slice_cluster(slicing, false),
            None => self,
        }
    }

    /// The cluster being run stopped, and the one before it shown again.
    fn cancel_cluster(self: Rc<Self>) -> Rc<Self> {
        let mut next = (*self).clone();
        let Some(pending) = next.cluster_run.take() else {
            return self;
        };
        let before = &*pending.before;
        next.cluster = before.cluster.clone();
        next.cluster_trace = before.trace.clone();
        next.cluster_error = before.error.clone();
        if self.mode == Mode::Cluster {
            next.clock.retarget(before.trace.makespan_s);
            if before.playing {
                next.clock.play();
            }
        }
        Rc::new(next)
    }

    /// The next slice of the cluster being run: when it is done, its trace is shown (and the
    /// clock plays again if it played before the run); until then the clock waits, paused,
    /// and spans the migrations that have ended. A run done within its `first` slice shows as
    /// a whole run always has.
    fn slice_cluster(self: Rc<Self>, slicing: Slicing, first: bool) -> Rc<Self> {
        let mut next = (*self).clone();
        let Some(mut pending) = next.cluster_run.take() else {
            return self;
        };
        match pending.slice(slicing) {
            // The same state: nothing to render.
            Slice::Quiet => return self,
            // As a cluster that cannot run is shown when it is set: why, with the trace and
            // the clock as they were before it.
            Slice::Failed(e) => {
                next.cluster_error = Some(e);
                next.cluster_trace = pending.before.trace.clone();
                if self.mode == Mode::Cluster {
                    next.clock.retarget(next.cluster_trace.makespan_s);
                    if pending.before.playing {
                        next.clock.play();
                    }
                }
            }
            Slice::Done(trace) => {
                next.show_cluster_trace(trace);
                if self.mode == Mode::Cluster && pending.before.playing && !first {
                    next.clock.play();
                }
            }
            Slice::Partial(ready) => {
                if let Some(trace) = ready {
                    next.cluster_trace = Rc::new(trace);
                }
                if self.mode == Mode::Cluster {
                    next.clock.playing = false;
                    next.clock.retarget(next.cluster_trace.makespan_s);
                }
                next.cluster_run = Some(pending);
            }
        }
        Rc::new(next)
    }
}

/// The lite bundle runs no cluster: it keeps the empty one.
#[cfg(not(feature = "full"))]
impl AppState {
    fn start_cluster(self: Rc<Self>, c: ClusterScenario, _: Slicing) -> Rc<Self> {
        Rc::new(AppState {
            cluster_trace: Rc::new(ClusterTrace::empty(c.clone())),
            cluster: Rc::new(c),
            ..(*self).clone()
        })
    }

    fn next_slice(self: Rc<Self>) -> Rc<Self> {
        self
    }

    fn cancel_cluster(self: Rc<Self>) -> Rc<Self> {
        self
    }
}

/// Preset `i` of the cluster view. The lite bundle carries no presets (nor the JSON parser
/// they are written for): it shows no cluster and keeps an empty one.
#[cfg(feature = "full")]
fn cluster_preset(i: usize) -> Option<ClusterScenario> {
    Some(preset(i))
}

#[cfg(not(feature = "full"))]
fn cluster_preset(_: usize) -> Option<ClusterScenario> {
    None
}

/// The cluster engine, which only the full bundle carries: the lite one hands every cluster
/// view over to the full bundle before it is shown, so its cluster trace stays empty.
#[cfg(feature = "full")]
fn run_cluster(c: &ClusterScenario) -> Result<ClusterTrace, ScenarioError> {
    crate::engine::simulate_cluster(c)
}

#[cfg(not(feature = "full"))]
fn run_cluster(c: &ClusterScenario) -> Result<ClusterTrace, ScenarioError> {
    Ok(ClusterTrace::empty(c.clone()))
}
