//! A cluster simulated a slice at a time: the page runs a few milliseconds of it between
//! frames, so that thousands of migrations never hold the main thread for long, shows how far
//! it has come and the migrations that have ended, and can cancel it. A cluster that finishes
//! within its first slice (every preset, the 128-VM drain) shows at once, as before.

use std::cell::RefCell;
use std::rc::Rc;

use crate::engine::cluster::RunProgress;
#[cfg(feature = "full")]
use crate::engine::cluster::{ClusterRun, MigrationRecord};
use crate::engine::{ClusterScenario, ClusterTrace, ScenarioError};

/// Milliseconds of engine work per slice: half a 60 Hz frame.
pub const SLICE_MS: f64 = 8.0;

/// How often the migrations that have ended are handed to the view while a run goes on, ms
/// (each hand-over copies them and draws them again).
pub const PUBLISH_MS: f64 = 300.0;

/// How often the progress shown is brought up to date while a run goes on, ms: ten times a
/// second reads as steady, and a slice that changes nothing on screen costs the page no
/// render (with thousands of VMs, a render and its paint took as long as the slice).
pub const PROGRESS_MS: f64 = 100.0;

/// How cluster runs are sliced: a clock (the page's `performance.now`, ms) and the work per
/// slice.
#[derive(Clone, Copy)]
pub struct Slicing {
    pub now: fn() -> f64,
    pub budget_ms: f64,
}

impl Slicing {
    /// The page's slicing, on `now`.
    pub fn page(now: fn() -> f64) -> Slicing {
        Slicing {
            now,
            budget_ms: SLICE_MS,
        }
    }
}

/// Two slicings are the same when their budgets are (a clock is a clock).
impl PartialEq for Slicing {
    fn eq(&self, other: &Slicing) -> bool {
        self.budget_ms == other.budget_ms
    }
}

impl std::fmt::Debug for Slicing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Slicing({} ms)", self.budget_ms)
    }
}

/// What the cluster view showed before a run began: it comes back on cancel.
#[derive(Debug, Clone, PartialEq)]
pub struct Before {
    pub cluster: Rc<ClusterScenario>,
    pub trace: Rc<ClusterTrace>,
    pub error: Option<ScenarioError>,
    /// The clock was playing: it plays again once the run is done or cancelled.
    pub playing: bool,
}

#[cfg(feature = "full")]
struct Running {
    /// `None` before it is planned (`PendingCluster::unplanned`) and once finished.
    run: Option<ClusterRun>,
    /// Not planned yet: its first slice plans it.
    unplanned: bool,
    scenario: ClusterScenario,
    /// The records that have ended, in the order found (`light`).
    ready: Vec<MigrationRecord>,
    /// Which of the run's records are in `ready`.
    taken: Vec<bool>,
    /// When `ready` was last handed over, ms.
    published: f64,
    /// When the progress was last shown, ms.
    progressed: f64,
}

/// What a run under way holds: nothing in the lite bundle, which runs no cluster (and so
/// carries none of a run's code, not even to drop one).
#[cfg(feature = "full")]
type Held = Running;
#[cfg(not(feature = "full"))]
type Held = ();

/// A cluster run under way. Its clones share the run (the app's states come one from another,
/// and only the newest advances it).
#[derive(Clone)]
pub struct PendingCluster {
    running: Rc<RefCell<Held>>,
    pub progress: RunProgress,
    pub before: Rc<Before>,
}

impl PartialEq for PendingCluster {
    fn eq(&self, other: &PendingCluster) -> bool {
        Rc::ptr_eq(&self.running, &other.running) && self.progress == other.progress
    }
}

impl std::fmt::Debug for PendingCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PendingCluster({:?})", self.progress)
    }
}

/// The most VMs a cluster may have to be planned (checked, placed and given its paths) as
/// soon as it is set; a larger one is shown first, with nothing run, and planned in the next
/// turn. Planning took the page about 25 µs a VM (2,000 VMs: 50 ms, measured with Chromium's
/// profiler on the size-tuned build), and with the render of a large cluster in the same task
/// it held the main thread for over 100 ms; up to this many it takes about 13 ms. Every
/// preset and the 128-VM drain stay below: they still plan, run and show in one go.
pub const PLAN_AT_ONCE_MAX_VMS: usize = 512;

/// What a slice came to.
#[derive(Debug)]
pub enum Slice {
    /// The whole run's trace.
    Done(ClusterTrace),
    /// More to do; the migrations ended so far when it was time to show them.
    Partial(Option<ClusterTrace>),
    /// More to do, and nothing new to show yet (the progress was shown less than
    /// `PROGRESS_MS` ago).
    Quiet,
    /// The cluster, planned in this slice, cannot run.
    Failed(ScenarioError),
}

/// Whether a record is final: refused, or ended with an outcome.
#[cfg(feature = "full")]
fn ended(r: &MigrationRecord) -> bool {
    r.refused.is_some() || r.outcome.is_some()
}

#[cfg(feature = "full")]
impl PendingCluster {
    /// Checks and plans `c`; nothing has run yet.
    pub fn start(c: &ClusterScenario, before: Before) -> Result<PendingCluster, ScenarioError> {
        let run = ClusterRun::new(c.clone())?;
        Ok(PendingCluster::with(c, Some(run), before))
    }

    /// `c`, to be checked and planned by its first slice (see `PLAN_AT_ONCE_MAX_VMS`):
    /// nothing is known of its migrations yet (`progress.total` is 0).
    pub fn unplanned(c: &ClusterScenario, before: Before) -> PendingCluster {
        PendingCluster::with(c, None, before)
    }

    /// `c` with its run planned, or to be planned by its first slice when there is none.
    fn with(c: &ClusterScenario, run: Option<ClusterRun>, before: Before) -> PendingCluster {
        let progress = run.as_ref().map(ClusterRun::progress).unwrap_or_default();
        let taken = run
            .as_ref()
            .map_or_else(Vec::new, |run| vec![false; run.records().len()]);
        PendingCluster {
            running: Rc::new(RefCell::new(Running {
                unplanned: run.is_none(),
                run,
                scenario: c.clone(),
                ready: Vec::new(),
                taken,
                published: f64::NEG_INFINITY,
                progressed: f64::NEG_INFINITY,
            })),
            progress,
            before: Rc::new(before),
        }
    }

    /// Runs events until `slicing`'s budget is spent or the run is done; or, for a cluster
    /// not planned yet, plans it (a slice of its own: planning a large cluster takes one).
    pub fn slice(&mut self, slicing: Slicing) -> Slice {
        let mut r = self.running.borrow_mut();
        if r.unplanned {
            r.unplanned = false;
            return match ClusterRun::new(r.scenario.clone()) {
                Ok(run) => {
                    self.progress = run.progress();
                    r.taken = vec![false; run.records().len()];
                    r.run = Some(run);
                    r.progressed = (slicing.now)();
                    Slice::Partial(None)
                }
                Err(e) => Slice::Failed(e),
            };
        }
        let start = (slicing.now)();
        let Some(run) = r.run.as_mut() else {
            return Slice::Partial(None);
        };
        let mut done = run.done();
        while !done {
            done = run.advance(1);
            if (slicing.now)() - start >= slicing.budget_ms {
                break;
            }
        }
        let progress = run.progress();
        if done {
            self.progress = progress;
            let run = r.run.take().expect("the run is there");
            return Slice::Done(run.finish());
        }
        let now = (slicing.now)();
        if now - r.progressed < PROGRESS_MS {
            return Slice::Quiet;
        }
        self.progress = progress;
        r.progressed = now;
        if now - r.published < PUBLISH_MS {
            return Slice::Partial(None);
        }
        r.published = now;
        Slice::Partial(Some(r.snapshot()))
    }
}

/// A record without its rate over time and its passes, which the view of a run under way
/// does not draw (its Gantt rows, table and counts need the stages): with thousands of
/// migrations in flight a record gains a segment at nearly every event, and copying them at
/// every hand-over cost more than the slice before it.
#[cfg(feature = "full")]
fn light(r: &MigrationRecord) -> MigrationRecord {
    MigrationRecord {
        vm: r.vm.clone(),
        from: r.from.clone(),
        to: r.to.clone(),
        refused: r.refused.clone(),
        path: r.path.clone(),
        stages: r.stages.clone(),
        segments: Vec::new(),
        outcome: r.outcome,
        passes: r.passes,
        wire_bytes: r.wire_bytes,
        downtime_s: r.downtime_s,
        start_s: r.start_s,
        end_s: r.end_s,
        pass_records: Vec::new(),
        stop_copy: r.stop_copy.clone(),
        postcopy: None,
        limits: r.limits.clone(),
    }
}

#[cfg(feature = "full")]
impl Running {
    /// The migrations ended so far, as a trace of their own (the totals of those alone),
    /// without their rates over time and passes (`light`).
    fn snapshot(&mut self) -> ClusterTrace {
        let Running {
            run,
            ready,
            taken,
            scenario,
            ..
        } = self;
        if let Some(run) = run {
            for (i, rec) in run.records().iter().enumerate() {
                if !taken[i] && ended(rec) {
                    taken[i] = true;
                    ready.push(light(rec));
                }
            }
        }
        let mut t = ClusterTrace::empty(scenario.clone());
        t.makespan_s = ready.iter().map(|m| m.end_s).fold(0.0, f64::max);
        t.worst_blackout_s = ready.iter().map(|m| m.downtime_s).fold(0.0, f64::max);
        t.migrations = ready.clone();
        t
    }
}
