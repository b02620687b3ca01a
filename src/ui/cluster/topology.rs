//! The topology drawing: its geometry, its labels, where each VM is at a moment, and a host's
//! box with its VM chips.

use yew::prelude::*;

use crate::engine::cluster::{ClusterTrace, MigrationRecord, RunProgress, Stage};
use crate::text::{localize, Fmt, Lang};

/// One colour per migration (cycled), distinct from the stage colours' meanings: the
/// stylesheet's `mig-0` … `mig-7` classes, per theme.
pub(super) const MIG_COLOURS: usize = 8;

/// The topology drawing's geometry: up to four hosts a row or, in a narrow box (a phone), two
/// a row with fewer and larger VM chips so that the text stays readable.
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Layout {
    pub(super) cols: usize,
    /// Room above the first row for the arcs between hosts of a row: as much as the highest
    /// arc needs.
    pub(super) top: f64,
    pub(super) margin: f64,
    pub(super) bw: f64,
    pub(super) bh: f64,
    pub(super) gap: f64,
    pub(super) name_y: f64,
    pub(super) used_y: f64,
    pub(super) chips_per_row: usize,
    pub(super) max_chips: usize,
    pub(super) chip_y: f64,
    pub(super) chip_w: f64,
    pub(super) chip_h: f64,
    pub(super) chip_pitch: f64,
    pub(super) chip_dy: f64,
    pub(super) text_dx: f64,
    pub(super) text_dy: f64,
}

impl Layout {
    pub(super) fn new(hosts: usize, narrow: bool) -> Layout {
        let mut lay = if narrow {
            Layout {
                cols: hosts.clamp(1, 2),
                top: 0.0,
                margin: 10.0,
                bw: 170.0,
                bh: 180.0,
                gap: 24.0,
                name_y: 24.0,
                used_y: 46.0,
                chips_per_row: 2,
                max_chips: 8,
                chip_y: 58.0,
                chip_w: 74.0,
                chip_h: 22.0,
                chip_pitch: 78.0,
                chip_dy: 26.0,
                text_dx: 5.0,
                text_dy: 16.0,
            }
        } else {
            Layout {
                cols: hosts.clamp(1, 4),
                top: 0.0,
                margin: 20.0,
                bw: 190.0,
                bh: 130.0,
                gap: 40.0,
                name_y: 18.0,
                used_y: 34.0,
                chips_per_row: 3,
                max_chips: 12,
                chip_y: 48.0,
                chip_w: 56.0,
                chip_h: 15.0,
                chip_pitch: 60.0,
                chip_dy: 18.0,
                text_dx: 4.0,
                text_dy: 11.0,
            }
        };
        // The highest arc joins the ends of a row, for the migration bowed the most; its
        // apex is half its lift above its ends, 8 below the hosts' top, and its stroke is at
        // most 14 wide.
        let span = (lay.cols - 1) as f64 * (lay.bw + lay.gap);
        lay.top = if lay.cols > 1 {
            (lay.lift(span, ARC_BOWS - 1) / 2.0 - 8.0 + 7.0 + 4.0).ceil()
        } else {
            lay.margin
        };
        lay
    }

    /// How far the control point of the arc of migration `k` between two hosts of a row
    /// `dx` apart lies above their top edges: more for hosts farther apart, and a little more
    /// per migration, so that arcs between the same hosts stay apart.
    pub(super) fn lift(&self, dx: f64, k: usize) -> f64 {
        30.0 + 0.25 * dx.abs() + 6.0 * (k % ARC_BOWS) as f64
    }
}

/// How many arcs between the same two hosts are bowed apart before they repeat.
const ARC_BOWS: usize = 4;

/// CSS pixels per unit of the drawing where the page has room: the scale its text sizes are
/// chosen for. Where it has less, the drawing shrinks to the page's width.
pub(super) const SCALE: f64 = 1.25;

/// Below this width (CSS pixels) the topology uses its narrow layout.
pub(super) const NARROW_PX: f64 = 600.0;

pub(super) fn migrations(n: usize, lang: Lang) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 migration".into(),
        (Lang::En, n) => format!("{n} migrations"),
        (Lang::De, 1) => "1 Migration".into(),
        (Lang::De, n) => format!("{n} Migrationen"),
    }
}

/// The topology's description for screen readers: hosts, and migrations running and queued.
pub(super) fn topology_label(hosts: usize, running: usize, queued: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{}; {} running and {queued} queued at this moment.",
            if hosts == 1 {
                "1 host".to_string()
            } else {
                format!("{hosts} hosts")
            },
            migrations(running, lang)
        ),
        Lang::De => format!(
            "{}; im Moment {} {}, {queued} {} in der Warteschlange.",
            if hosts == 1 {
                "1 Host".to_string()
            } else {
                format!("{hosts} Hosts")
            },
            if running == 1 { "läuft" } else { "laufen" },
            migrations(running, lang),
            if queued == 1 { "wartet" } else { "warten" }
        ),
    }
}

/// What a migration is doing now, as shown beside its progress bar; the English word also
/// names its CSS class ("st-pass-2", "st-blackout").
pub(super) fn stage_label(stage: Stage, pass: u32, lang: Lang) -> (String, String) {
    let en = match stage {
        Stage::Precopy => format!("pass {pass}"),
        Stage::Queued => "queued".into(),
        Stage::Setup => "setup".into(),
        Stage::Storage => "storage".into(),
        Stage::Blackout => "blackout".into(),
        Stage::Switchover => "switchover".into(),
        Stage::Postcopy => "post-copy".into(),
        Stage::Cleanup => "cleanup".into(),
        Stage::Done => "done".into(),
    };
    let shown = match (lang, stage) {
        (Lang::En, _) => en.clone(),
        (Lang::De, Stage::Queued) => "in der Warteschlange".into(),
        (Lang::De, Stage::Setup) => "Einrichtung".into(),
        (Lang::De, Stage::Storage) => "Datenträgerkopie".into(),
        (Lang::De, Stage::Precopy) => format!("Durchlauf {pass}"),
        (Lang::De, Stage::Blackout) => "Blackout".into(),
        (Lang::De, Stage::Switchover) => "Umschaltung".into(),
        (Lang::De, Stage::Postcopy) => "Post-Copy".into(),
        (Lang::De, Stage::Cleanup) => "Bereinigung".into(),
        (Lang::De, Stage::Done) => "fertig".into(),
    };
    (format!("st-{en}").replace(' ', "-"), shown)
}

/// The moves of each VM of `trace.scenario.vms`: for each of its migrations that has a
/// switchover, in the run's order, when the switchover ends and the migration's index.
pub(super) fn moves_of(trace: &ClusterTrace) -> Vec<Vec<(f64, usize)>> {
    // One pass over the migrations, each VM found by name in a map (thousands of VMs and
    // migrations: not a walk of every migration per VM).
    let index: std::collections::HashMap<&str, usize> = trace
        .scenario
        .vms
        .iter()
        .enumerate()
        .map(|(k, v)| (v.name.as_str(), k))
        .collect();
    let mut moves = vec![Vec::new(); trace.scenario.vms.len()];
    for (i, m) in trace.migrations.iter().enumerate() {
        let Some(&k) = index.get(m.vm.as_str()).filter(|_| m.refused.is_none()) else {
            continue;
        };
        if let Some(s) = m.stages.iter().find(|s| s.stage == Stage::Switchover) {
            moves[k].push((s.end_s, i));
        }
    }
    // In time order (a run's migrations that have ended so far are in the order found).
    for m in &mut moves {
        m.sort_by(|a: &(f64, usize), b| a.0.total_cmp(&b.0));
    }
    moves
}

/// Where each VM runs at time t, as (VM, host): a migration moves it once its switchover
/// ends. `moves` is `moves_of(trace)`.
pub(super) fn hosts_at<'a>(
    trace: &'a ClusterTrace,
    moves: &[Vec<(f64, usize)>],
    t: f64,
) -> Vec<(&'a str, &'a str)> {
    trace
        .scenario
        .vms
        .iter()
        .zip(moves)
        .map(|(v, moves)| {
            let host = moves
                .iter()
                .rfind(|(end, _)| *end <= t)
                .map_or(v.host.as_str(), |&(_, i)| trace.migrations[i].to.as_str());
            (v.name.as_str(), host)
        })
        .collect()
}

/// The host of VM `name` in `now` (from `hosts_at`), looked for at index `k` first.
pub(super) fn host_of<'a>(now: &[(&str, &'a str)], k: usize, name: &str) -> Option<&'a str> {
    let at = |&(n, host): &(&str, &'a str)| (n == name).then_some(host);
    now.get(k).and_then(at).or_else(|| now.iter().find_map(at))
}

pub(super) fn stage_at(m: &MigrationRecord, t: f64) -> Option<(Stage, u32)> {
    m.stages
        .iter()
        .find(|s| s.start_s <= t && t < s.end_s)
        .map(|s| (s.stage, s.pass))
}

pub(super) fn rate_at(m: &MigrationRecord, t: f64) -> f64 {
    m.segments
        .iter()
        .find(|s| s.start_s <= t && t < s.end_s)
        .map_or(0.0, |s| s.wire_rate)
}

/// How far a cluster being run has come: migrations ended of all, and the simulated clock;
/// or, before it is planned (nothing known of its migrations), that it is being planned.
pub(super) fn run_line(r: RunProgress, lang: Lang) -> String {
    let (ended, total) = (r.ended, r.total);
    if total == 0 && r.events == 0 {
        return lang
            .pick(
                "Planning the migrations…",
                "Die Migrationen werden geplant …",
            )
            .to_string();
    }
    let clock = Fmt(lang).duration(r.clock_s);
    match lang {
        Lang::En => {
            format!("Simulating: {ended} of {total} migrations done, simulated clock at {clock}.")
        }
        Lang::De => format!(
            "Wird simuliert: {ended} von {total} Migrationen fertig, simulierte Uhr bei {clock}."
        ),
    }
}

/// The totals' line about this moment: migrations running and queued, and the data moved.
pub(super) fn now_line(running: usize, queued: usize, moved: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Now: {running} running, {queued} queued. Data moved: {moved}."),
        Lang::De => format!(
            "Jetzt: {running} {}, {queued} in der Warteschlange. Übertragene Daten: {moved}.",
            if running == 1 { "läuft" } else { "laufen" }
        ),
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct HostBoxProps {
    pub(super) index: usize,
    pub(super) name: String,
    pub(super) memory_gib: f64,
    /// The memory of the VMs on it now, MiB.
    pub(super) used: f64,
    /// The VMs on it now, and whether each is being migrated away.
    pub(super) vms: Vec<String>,
    pub(super) moving: Vec<bool>,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) lay: Layout,
    pub(super) selected: bool,
    pub(super) select: UseStateSetter<usize>,
    pub(super) lang: Lang,
}

/// A host in the topology drawing with its VMs: drawn again only when they change (a VM
/// arrives, leaves or starts moving), not every frame.
#[function_component(HostBox)]
pub(super) fn host_box(p: &HostBoxProps) -> Html {
    let (lay, lang, x, y) = (p.lay, p.lang, p.x, p.y);
    let (bw, bh) = (lay.bw, lay.bh);
    let onclick = {
        let (select, i) = (p.select.clone(), p.index);
        Callback::from(move |_: MouseEvent| select.set(i))
    };
    let per_row = lay.chips_per_row;
    // Every chip's box and label sit at the same place in the chip: formatted once, and
    // each chip placed by one transform (a drag through a drain renders a host's chips again
    // on every step).
    let (w, h) = (
        AttrValue::from(format!("{}", lay.chip_w)),
        AttrValue::from(format!("{}", lay.chip_h)),
    );
    let (tx, ty) = (
        AttrValue::from(format!("{}", lay.text_dx)),
        AttrValue::from(format!("{}", lay.text_dy)),
    );
    // Every place for a chip is always there, an empty one hidden: a VM leaving or arriving
    // changes a chip's label and class, never adds or removes its elements (a drag through a
    // drain did both on every step, most of the hosts' work).
    let chips = (0..lay.max_chips).map(|j| {
        let (cx, cy) = (
            x + 8.0 + (j % per_row) as f64 * lay.chip_pitch,
            y + lay.chip_y + (j / per_row) as f64 * lay.chip_dy,
        );
        let (class, name) = match (p.vms.get(j), p.moving.get(j)) {
            (Some(v), Some(true)) => ("chip moving", v.chars().take(8).collect::<String>()),
            (Some(v), _) => ("chip", v.chars().take(8).collect()),
            (None, _) => ("slot", String::new()),
        };
        let hidden = (j >= p.vms.len()).then_some("hidden");
        html! {
            <g {class} transform={format!("translate({cx} {cy})")} visibility={hidden}>
                <rect width={w.clone()} height={h.clone()} rx="3" />
                <text x={tx.clone()} y={ty.clone()}>{name}</text>
            </g>
        }
    });
    let (used, gib) = (
        (p.used / 1024.0).round(),
        localize(&p.memory_gib.to_string(), lang),
    );
    let more = p.vms.len().saturating_sub(lay.max_chips);
    html! {
        <g class={classes!("chost", p.selected.then_some("selected"))} {onclick} data-testid={format!("chost-{}", p.name)}>
            <rect x={format!("{x}")} y={format!("{y}")} width={format!("{bw}")} height={format!("{bh}")} rx="8" />
            <text x={format!("{}", x + 8.0)} y={format!("{}", y + lay.name_y)} class="host-name">{p.name.clone()}</text>
            <text x={format!("{}", x + 8.0)} y={format!("{}", y + lay.used_y)} class="small">{lang.pick(
                format!("{used} of {gib} GiB used"),
                format!("{used} von {gib} GiB belegt"))}</text>
            { for chips }
            if more > 0 { <text x={format!("{}", x + 8.0)} y={format!("{}", y + bh - 8.0)} class="small">{lang.pick(format!("+{more} more"), format!("+{more} weitere"))}</text> }
        </g>
    }
}
