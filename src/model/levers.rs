//! "Which lever?": the reader's scenario tried with every combination of the tuning guide's
//! levers (performance option × RDMA × dedicated network × largest rings), each run with what
//! limited it, ranked by total time, and again at 1, 10, 25 and 100 GbE (`study_points`); the
//! same on a cluster, ranked by the time until every migration is done (`cluster_lever_run`).
//! The page computes it a run at a time; the ranking and the recommendation are plain
//! functions of the runs, single-VM or cluster (`Ranked`).

use super::edits::{Hypervisor, Lever};
use crate::engine::cluster::{ClusterLimit, ClusterScenario, ClusterTrace, NetworkRole};
use crate::engine::scenario::MAX_DESCRIPTORS;
use crate::engine::transport::Bottleneck;
use crate::engine::{simulate, Outcome, Scenario, TransportKind};
use crate::text::{Fmt, Lang};

/// One combination of the levers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeverSet {
    pub option: TransportKind,
    pub rdma: bool,
    pub dedicated: bool,
    pub max_buffers: bool,
}

impl LeverSet {
    /// The levers as `s` has them.
    pub fn of(s: &Scenario) -> LeverSet {
        LeverSet {
            option: s.transport.kind,
            rdma: s.network.rdma,
            dedicated: s.network.dedicated,
            max_buffers: s.network.buffers.is_some_and(|b| b >= MAX_DESCRIPTORS),
        }
    }

    /// `s` with these levers, nothing else changed.
    pub fn apply(self, s: &Scenario) -> Scenario {
        let mut s = s.clone();
        for lever in [
            Lever::Option(self.option),
            Lever::Rdma(self.rdma),
            Lever::Dedicated(self.dedicated),
            Lever::MaxBuffers(self.max_buffers),
        ] {
            lever.apply(&mut s);
        }
        s
    }

    /// How many levers differ from `other`'s.
    pub fn changes_from(self, other: LeverSet) -> usize {
        usize::from(self.option != other.option)
            + usize::from(self.rdma != other.rdma)
            + usize::from(self.dedicated != other.dedicated)
            + usize::from(self.max_buffers != other.max_buffers)
    }
}

/// Every combination worth trying on `s`: the performance option is Hyper-V's setting, so
/// other hypervisors keep their own transport.
pub fn lever_sets(s: &Scenario) -> Vec<LeverSet> {
    let options: Vec<TransportKind> = if Hypervisor::of(s) == Hypervisor::Hyperv {
        TransportKind::NAMES
            .iter()
            .filter_map(|n| TransportKind::from_name(n))
            .collect()
    } else {
        vec![s.transport.kind]
    };
    let mut out = Vec::new();
    for option in options {
        for rdma in [false, true] {
            for dedicated in [false, true] {
                for max_buffers in [false, true] {
                    out.push(LeverSet {
                        option,
                        rdma,
                        dedicated,
                        max_buffers,
                    });
                }
            }
        }
    }
    out
}

/// The link speeds the study's table tries besides the reader's, Gbit/s: what a data centre
/// buys (1, 10, 25 and 100 GbE).
pub const LINK_SPEEDS: [f64; 4] = [1.0, 10.0, 25.0, 100.0];

/// Every run of the study: each combination (`lever_sets`) at the reader's link speed
/// (`None`), then at each of `LINK_SPEEDS`. Only the link speed changes between the groups;
/// a limit the reader set (the SMB limit, the rings) stays as set.
pub fn study_points(s: &Scenario) -> Vec<(Option<f64>, LeverSet)> {
    let sets = lever_sets(s);
    std::iter::once(None)
        .chain(LINK_SPEEDS.iter().copied().map(Some))
        .flat_map(|gbps| sets.iter().map(move |set| (gbps, *set)))
        .collect()
}

/// One run of the study (a point of `study_points(s)`).
pub fn study_run(s: &Scenario, point: (Option<f64>, LeverSet)) -> Option<LeverRun> {
    let (gbps, set) = point;
    match gbps {
        None => lever_run(s, set),
        Some(g) => {
            let mut at = s.clone();
            at.network.link_gbps = g;
            lever_run(&at, set)
        }
    }
}

/// One row of the link-speed table: at `gbps`, what to do and how long the migration takes
/// as the reader has it and with the recommendation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeedRow {
    pub gbps: f64,
    pub now: Option<LeverRun>,
    pub pick: Option<LeverRun>,
}

/// The table's rows from the study's runs at `LINK_SPEEDS` (in `study_points` order after the
/// reader's group of `per_speed` runs).
pub fn speed_rows(runs: &[Option<LeverRun>], per_speed: usize, now: LeverSet) -> Vec<SpeedRow> {
    LINK_SPEEDS
        .iter()
        .enumerate()
        .map(|(k, &gbps)| {
            let start = per_speed * (k + 1);
            let mut group: Vec<LeverRun> = runs
                .get(start..start + per_speed)
                .unwrap_or_default()
                .iter()
                .flatten()
                .copied()
                .collect();
            rank(&mut group);
            SpeedRow {
                gbps,
                now: group.iter().find(|r| r.set == now).copied(),
                pick: recommend(&group, now).copied(),
            }
        })
        .collect()
}

/// What held a run's transfer rate back. (Whether the guest's dirtying outran it is the run's
/// `converged`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// CPU: TCP's per-byte cost or compression on the cores left.
    Cpu,
    /// The link's line rate (or no link at all).
    Link,
    /// The TCP window over the round-trip time.
    Window,
    /// Packet loss on a shared network (other traffic overflowing the NIC rings).
    Loss,
    /// A bandwidth limit: the SMB limit, or QEMU's `max-bandwidth`.
    Cap,
    /// Xen's adaptive rounds.
    Rounds,
}

impl Limit {
    pub fn of(bottleneck: Bottleneck) -> Limit {
        match bottleneck {
            Bottleneck::TransportCpu | Bottleneck::CompressionCpu => Limit::Cpu,
            Bottleneck::NoLink | Bottleneck::LineRate => Limit::Link,
            Bottleneck::TcpWindow => Limit::Window,
            Bottleneck::PacketLoss => Limit::Loss,
            Bottleneck::BandwidthCap => Limit::Cap,
            Bottleneck::RoundLimit => Limit::Rounds,
        }
    }
}

/// One combination's run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeverRun {
    pub set: LeverSet,
    /// Pre-copy got below the stop threshold (else the dirty rate outran the transfer and
    /// the policy forced the stop, or the migration did not finish).
    pub converged: bool,
    /// The VM reached the destination.
    pub completed: bool,
    pub total_s: f64,
    pub downtime_s: f64,
    pub cpu_source_core_s: f64,
    pub cpu_dest_core_s: f64,
    pub limit: Limit,
}

/// `base` run with `set`; `None` when that combination is not a valid scenario.
pub fn lever_run(base: &Scenario, set: LeverSet) -> Option<LeverRun> {
    let t = simulate(&set.apply(base)).ok()?;
    Some(LeverRun {
        set,
        converged: t.outcome == Outcome::Converged,
        completed: t.outcome.completed(),
        total_s: t.total_time_s,
        downtime_s: t.downtime_s,
        cpu_source_core_s: t.cpu_source_core_s,
        cpu_dest_core_s: t.cpu_dest_core_s,
        limit: Limit::of(t.bottleneck()),
    })
}

/// What ranking and recommending read of a run, single-VM or cluster.
pub trait Ranked {
    fn set(&self) -> LeverSet;
    fn completed(&self) -> bool;
    /// The migration's total time, or the cluster's time until every migration is done.
    fn total_s(&self) -> f64;
    /// The downtime, or the cluster's worst.
    fn downtime_s(&self) -> f64;
}

impl Ranked for LeverRun {
    fn set(&self) -> LeverSet {
        self.set
    }
    fn completed(&self) -> bool {
        self.completed
    }
    fn total_s(&self) -> f64 {
        self.total_s
    }
    fn downtime_s(&self) -> f64 {
        self.downtime_s
    }
}

/// The runs fastest first: completed runs by total time (then downtime), the others after.
pub fn rank<R: Ranked + Clone>(runs: &mut [R]) {
    crate::engine::sort::sort_clone_by(runs, |a, b| {
        b.completed()
            .cmp(&a.completed())
            .then(a.total_s().total_cmp(&b.total_s()))
            .then(a.downtime_s().total_cmp(&b.downtime_s()))
    });
}

/// What to do: of the runs within 5 % of the fastest completed one, the one that changes the
/// fewest levers from `now` (a lever that buys less than that is not worth buying).
pub fn recommend<R: Ranked>(runs: &[R], now: LeverSet) -> Option<&R> {
    let best = runs
        .iter()
        .filter(|r| r.completed())
        .map(|r| r.total_s())
        .fold(f64::INFINITY, f64::min);
    runs.iter()
        .filter(|r| r.completed() && r.total_s() <= best * 1.05)
        .min_by(|a, b| {
            a.set()
                .changes_from(now)
                .cmp(&b.set().changes_from(now))
                .then(a.total_s().total_cmp(&b.total_s()))
        })
}

// The same study on a cluster: the levers set on its migration networks and their NICs.

/// The networks a cluster's migrations use: those its settings name, else those for live
/// migration, else all of them (the path picks one of them).
fn migration_networks(c: &ClusterScenario) -> Vec<String> {
    if !c.settings.networks.is_empty() {
        return c.settings.networks.clone();
    }
    let lm: Vec<String> = c
        .networks
        .iter()
        .filter(|n| n.role == NetworkRole::LiveMigration)
        .map(|n| n.name.clone())
        .collect();
    if lm.is_empty() {
        c.networks.iter().map(|n| n.name.clone()).collect()
    } else {
        lm
    }
}

impl LeverSet {
    /// The levers as the cluster has them: its performance option, and RDMA, dedicated
    /// networks and the largest rings where every migration network (and NIC on one) has them.
    pub fn of_cluster(c: &ClusterScenario) -> LeverSet {
        let nets = migration_networks(c);
        let nics: Vec<&crate::engine::cluster::Nic> = c
            .hosts
            .iter()
            .flat_map(|h| &h.nics)
            .filter(|n| nets.contains(&n.network))
            .collect();
        LeverSet {
            option: c.settings.transport,
            rdma: !nics.is_empty() && nics.iter().all(|n| n.rdma),
            dedicated: c
                .networks
                .iter()
                .filter(|n| nets.contains(&n.name))
                .all(|n| n.dedicated),
            max_buffers: !nics.is_empty()
                && nics
                    .iter()
                    .all(|n| n.buffers.is_some_and(|b| b >= MAX_DESCRIPTORS)),
        }
    }

    /// `c` with these levers on its migration networks and their NICs, nothing else changed
    /// (rings not at their largest keep what they had).
    pub fn apply_cluster(self, c: &ClusterScenario) -> ClusterScenario {
        let mut c = c.clone();
        let nets = migration_networks(&c);
        c.settings.transport = self.option;
        for n in c.networks.iter_mut().filter(|n| nets.contains(&n.name)) {
            n.dedicated = self.dedicated;
        }
        let was = LeverSet::of_cluster(&c);
        for nic in c
            .hosts
            .iter_mut()
            .flat_map(|h| &mut h.nics)
            .filter(|n| nets.contains(&n.network))
        {
            nic.rdma = self.rdma;
            if self.max_buffers {
                nic.buffers = Some(MAX_DESCRIPTORS);
            } else if was.max_buffers {
                nic.buffers = None;
            }
        }
        c
    }
}

/// Every combination worth trying on a cluster (Hyper-V's three options).
pub fn cluster_lever_sets() -> Vec<LeverSet> {
    lever_sets(&Scenario::default())
}

/// One combination's run on a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterLeverRun {
    pub set: LeverSet,
    /// Every requested migration ran and finished.
    pub completed: bool,
    /// Until the last migration is done, s.
    pub makespan_s: f64,
    pub worst_downtime_s: f64,
    /// Core-seconds each host spent on the migrations.
    pub host_cpu_core_s: Vec<(String, f64)>,
    /// What held the migrations longest, and for what share of their transfer time.
    pub held: Option<(ClusterLimit, f64)>,
}

impl Ranked for ClusterLeverRun {
    fn set(&self) -> LeverSet {
        self.set
    }
    fn completed(&self) -> bool {
        self.completed
    }
    fn total_s(&self) -> f64 {
        self.makespan_s
    }
    fn downtime_s(&self) -> f64 {
        self.worst_downtime_s
    }
}

/// `c` run with `set`; `None` when that is not a valid cluster.
pub fn cluster_lever_run(c: &ClusterScenario, set: LeverSet) -> Option<ClusterLeverRun> {
    let t = crate::engine::simulate_cluster(&set.apply_cluster(c)).ok()?;
    Some(cluster_lever_summary(set, t))
}

/// `cluster_lever_run` an event at a time, for a cluster too large to run between two
/// frames: works on `run` (started when `None`) until it is done or `over()`, and then
/// gives the run (`Some`, as `cluster_lever_run` would) or `None` to go on later.
pub fn cluster_lever_step(
    c: &ClusterScenario,
    set: LeverSet,
    run: &mut Option<crate::engine::cluster::ClusterRun>,
    over: &dyn Fn() -> bool,
) -> Option<Option<ClusterLeverRun>> {
    if run.is_none() {
        match crate::engine::cluster::ClusterRun::new(set.apply_cluster(c)) {
            Ok(r) => *run = Some(r),
            Err(_) => return Some(None),
        }
    }
    let r = run.as_mut()?;
    while !r.advance(1) {
        if over() {
            return None;
        }
    }
    let t = run.take()?.finish();
    Some(Some(cluster_lever_summary(set, t)))
}

fn cluster_lever_summary(set: LeverSet, t: ClusterTrace) -> ClusterLeverRun {
    ClusterLeverRun {
        set,
        completed: t
            .migrations
            .iter()
            .all(|m| m.refused.is_none() && m.outcome.is_some_and(|o| o.completed())),
        makespan_s: t.makespan_s,
        worst_downtime_s: t.worst_blackout_s,
        held: t.main_limit(),
        host_cpu_core_s: t.host_cpu_core_s,
    }
}

// The study in words, in English and German.

/// The combination as the reader sets it: "Compression, dedicated network".
pub fn describe_set(set: LeverSet, lang: Lang) -> String {
    let option = match set.option {
        TransportKind::Tcp => "TCP/IP",
        TransportKind::Compression => lang.pick("Compression", "Komprimierung"),
        TransportKind::Smb => "SMB",
    };
    let mut parts = vec![option.to_string()];
    if set.rdma {
        parts.push(lang.pick("RDMA NICs", "RDMA-Adapter").into());
    }
    if set.dedicated {
        parts.push(
            lang.pick("dedicated network", "dediziertes Netzwerk")
                .into(),
        );
    }
    if set.max_buffers {
        parts.push(
            lang.pick("largest NIC rings", "größte Adapterpuffer")
                .into(),
        );
    }
    parts.join(", ")
}

/// A limit as a phrase ("the CPU").
pub fn limit_phrase(limit: Limit, lang: Lang) -> &'static str {
    match limit {
        Limit::Cpu => lang.pick("the CPU", "die CPU"),
        Limit::Link => lang.pick("the link's line rate", "die Leitungsrate der Verbindung"),
        Limit::Window => lang.pick("the TCP window", "das TCP-Fenster"),
        Limit::Loss => lang.pick(
            "packet loss from other traffic",
            "Paketverluste durch anderen Verkehr",
        ),
        Limit::Cap => lang.pick("a bandwidth limit (SMB)", "eine Bandbreitengrenze (SMB)"),
        Limit::Rounds => lang.pick("Xen's adaptive rounds", "Xens adaptive Runden"),
    }
}

/// What limits the run, as a phrase.
pub fn describe_limit(run: &LeverRun, lang: Lang) -> String {
    let why = limit_phrase(run.limit, lang);
    if run.converged {
        why.to_string()
    } else {
        lang.pick(
            format!("{why}; the guest dirties faster than that"),
            format!("{why}; der Gast schreibt schneller"),
        )
    }
}

/// What held a cluster migration, as a phrase.
pub fn cluster_limit_phrase(limit: ClusterLimit, lang: Lang) -> &'static str {
    match limit {
        ClusterLimit::Own(b) => limit_phrase(Limit::of(b), lang),
        ClusterLimit::Nic => lang.pick(
            "the NICs, shared with the other migrations",
            "die Netzwerkadapter, geteilt mit den anderen Migrationen",
        ),
        ClusterLimit::NicPair => lang.pick(
            "the one NIC pair its TCP connections hash onto",
            "das eine Adapterpaar, auf das ihre TCP-Verbindungen verteilt werden",
        ),
        ClusterLimit::Cpu => lang.pick(
            "the host's idle cores, shared with its other migrations",
            "die freien Kerne des Hosts, geteilt mit seinen anderen Migrationen",
        ),
        ClusterLimit::SmbLimit => lang.pick(
            "the cluster's SMB bandwidth limit",
            "die SMB-Bandbreitengrenze des Clusters",
        ),
    }
}

/// "Limited by the cluster's SMB bandwidth limit for 96 % of the transfer" (a sentence
/// without its full stop).
pub fn held_for(limit: ClusterLimit, share: f64, lang: Lang) -> String {
    let f = Fmt(lang);
    let pct = f.num(share * 100.0, 0);
    let what = cluster_limit_phrase(limit, lang);
    lang.pick(
        format!("Limited by {what} for {pct} % of the transfer"),
        format!("Begrenzt durch {what}, {pct} % der Übertragungszeit"),
    )
}

/// The recommendation and its reason, against the run as the reader has it now.
pub fn recommendation(pick: &LeverRun, now: Option<&LeverRun>, lang: Lang) -> String {
    let f = Fmt(lang);
    let set = describe_set(pick.set, lang);
    let (time, down) = (f.duration(pick.total_s), f.duration(pick.downtime_s));
    match now {
        Some(now) if now.set == pick.set => lang.pick(
            format!("Keep what you have ({set}): nothing else is more than 5 % faster. It takes {time}, {down} of downtime."),
            format!("Behalten Sie die Einstellungen ({set}): nichts anderes ist mehr als 5 % schneller. Dauer {time}, Ausfallzeit {down}."),
        ),
        Some(now) => lang.pick(
            format!("Use {set}: {time} instead of {}, {down} of downtime; what limits it then: {}.", f.duration(now.total_s), describe_limit(pick, lang)),
            format!("Verwenden Sie {set}: {time} statt {}, Ausfallzeit {down}; dann begrenzt: {}.", f.duration(now.total_s), describe_limit(pick, lang)),
        ),
        None => lang.pick(
            format!("Use {set}: {time}, {down} of downtime."),
            format!("Verwenden Sie {set}: {time}, Ausfallzeit {down}."),
        ),
    }
}

/// The cluster's recommendation and its reason, against the cluster as the reader has it.
pub fn cluster_recommendation(
    pick: &ClusterLeverRun,
    now: Option<&ClusterLeverRun>,
    lang: Lang,
) -> String {
    let f = Fmt(lang);
    let set = describe_set(pick.set, lang);
    let (time, down) = (
        f.duration(pick.makespan_s),
        f.duration(pick.worst_downtime_s),
    );
    let held = pick
        .held
        .map(|(l, share)| format!(" {}.", held_for(l, share, lang)))
        .unwrap_or_default();
    match now {
        Some(now) if now.set == pick.set => lang.pick(
            format!("Keep what you have ({set}): nothing else is more than 5 % faster. All done after {time}, worst downtime {down}.{held}"),
            format!("Behalten Sie die Einstellungen ({set}): nichts anderes ist mehr als 5 % schneller. Alles erledigt nach {time}, längste Ausfallzeit {down}.{held}"),
        ),
        Some(now) => lang.pick(
            format!("Use {set}: all done after {time} instead of {}, worst downtime {down}.{held}", f.duration(now.makespan_s)),
            format!("Verwenden Sie {set}: alles erledigt nach {time} statt {}, längste Ausfallzeit {down}.{held}", f.duration(now.makespan_s)),
        ),
        None => lang.pick(
            format!("Use {set}: all done after {time}, worst downtime {down}.{held}"),
            format!("Verwenden Sie {set}: alles erledigt nach {time}, längste Ausfallzeit {down}.{held}"),
        ),
    }
}
