//! The cluster view: hosts, NICs and networks, VMs on hosts; moves and drains; concurrent
//! flows on the links, a Gantt chart of every migration, and the totals — all on the shared
//! playback clock.

mod edit;
mod gantt;
mod nics;
mod topology;

pub use gantt::Gantt;

use edit::{EditProps, HostBar, MoveBar};
use nics::NicPanel;
use topology::*;
#[cfg(test)]
use {gantt::gantt_label, nics::nic_label};

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::cluster::{ClusterScenario, ClusterTrace, MigrationRecord, RunProgress, Stage};
use crate::engine::ScenarioError;
use crate::text::{Fmt, Lang};

use crate::model::cluster::ClusterEdit;
use crate::model::levers::held_for;
use crate::ui::chart::use_view_env;
use crate::ui::held;
use crate::ui::levers::ClusterLeverView;
use crate::ui::memory_map::{labels, MemoryMap, COLOUR_VARS};
use crate::ui::results::field_error;
use crate::ui::ByPtr;

/// The scenario and the trace by identity: the app hands down the same `Rc`s until they
/// change, and comparing a trace of many migrations field by field every frame costs more than
/// a render it could save.
#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub cluster: ByPtr<ClusterScenario>,
    pub trace: ByPtr<ClusterTrace>,
    pub error: Option<ScenarioError>,
    pub t: f64,
    /// An edit with what must follow it (a host removed with its VMs, …).
    pub on_edit: Callback<ClusterEdit>,
    /// The cluster with one setting changed, or a preset.
    pub on_cluster: Callback<ClusterScenario>,
    /// The language of the labels and numbers; English when not given.
    #[prop_or_default]
    pub lang: Lang,
    /// An embed's compact view: the drawing with its buttons, the totals in a line and the
    /// Gantt chart (no NIC table, lever study or memory maps).
    #[prop_or_default]
    pub compact: bool,
    /// The cluster is being run a slice at a time (`trace` holds the migrations that have
    /// ended so far; `ClusterProgress` shows how far it has come).
    #[prop_or_default]
    pub running: bool,
}

#[derive(Properties, PartialEq)]
pub struct ClusterProgressProps {
    pub progress: RunProgress,
    /// Stop the run and show the cluster before it again.
    pub on_cancel: Callback<()>,
    #[prop_or_default]
    pub lang: Lang,
}

/// How far a cluster being run a slice at a time has come, with a Cancel. Its own component:
/// it changes with every slice, the view of the cluster only when more migrations are shown.
#[function_component(ClusterProgress)]
pub fn cluster_progress(p: &ClusterProgressProps) -> Html {
    let r = p.progress;
    html! {
        <div class="verdict running" role="status" data-testid="cluster-progress">
            <span>{run_line(r, p.lang)}</span>{" "}
            <progress max={r.total.to_string()} value={r.ended.to_string()}></progress>{" "}
            <button data-testid="cluster-cancel" onclick={p.on_cancel.reform(|_| ())}>
                {p.lang.pick("Cancel", "Abbrechen")}</button>
        </div>
    }
}

/// How many of a kind of list item the view shows at once (refused migrations, migrations
/// under way): a cluster of thousands lists the first ones and counts the rest.
const LISTED: usize = 24;

/// Most flows the topology draws one per migration; more are drawn one per pair of hosts.
const MAX_FLOWS: usize = 48;

#[function_component(ClusterView)]
pub fn cluster_view(p: &ClusterProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let selected_host = use_state(|| 0usize);
    let topology_ref = use_node_ref();
    let topology_env = use_view_env(topology_ref.clone());
    let narrow = topology_env.width > 0.0 && topology_env.width < NARROW_PX;
    let c = &*p.cluster;
    let host_ix = (*selected_host).min(c.hosts.len().saturating_sub(1));

    // The editing panels, which render again only when what they show changes.
    let edit_props = EditProps {
        cluster: p.cluster.clone(),
        host_ix,
        select_host: selected_host.setter(),
        on_edit: p.on_edit.clone(),
        on_cluster: p.on_cluster.clone(),
        lang,
    };
    let trace = &p.trace;
    // Per trace: where the VMs move, and the highest rate of any migration (for the flows'
    // widths).
    let per_trace = use_memo(p.trace.clone(), |ByPtr(t)| {
        let peak = t
            .migrations
            .iter()
            .flat_map(|m| m.segments.iter().map(|s| s.wire_rate))
            .fold(1.0, f64::max);
        (moves_of(t), peak)
    });
    let (moves, peak) = (&per_trace.0, per_trace.1);
    let now = hosts_at(trace, moves, p.t);
    let lay = Layout::new(c.hosts.len(), narrow);
    let (cols, bw, bh, gap) = (lay.cols, lay.bw, lay.bh, lay.gap);
    let pos = |i: usize| {
        let (col, row) = (i % cols, i / cols);
        (
            lay.margin + col as f64 * (bw + gap),
            lay.top + row as f64 * (bh + gap + 90.0),
        )
    };
    let rows = c.hosts.len().div_ceil(cols);
    let view_w = lay.margin * 2.0 + cols as f64 * bw + (cols as f64 - 1.0) * gap;
    let view_h = lay.top + 20.0 + rows as f64 * bh + (rows as f64 - 1.0) * (gap + 90.0);
    // The flows now: one per migration, or, when more than `MAX_FLOWS` move at once, one
    // per pair of hosts with their sum (thousands of arcs would be a long task to draw every
    // frame, and no one could tell them apart).
    let live: Vec<(usize, usize, usize, f64, String)> = trace
        .migrations
        .iter()
        .enumerate()
        .filter_map(|(k, m)| {
            let rate = rate_at(m, p.t);
            if rate <= 0.0 {
                return None;
            }
            let a = c.hosts.iter().position(|h| h.name == m.from)?;
            let b = c.hosts.iter().position(|h| h.name == m.to)?;
            Some((k, a, b, rate, String::new()))
        })
        .collect();
    let (live, peak) = if live.len() > MAX_FLOWS {
        let mut pairs: Vec<(usize, usize, usize, f64, usize)> = Vec::new();
        for &(k, a, b, rate, _) in &live {
            match pairs.iter_mut().find(|p| (p.1, p.2) == (a, b)) {
                Some(p) => {
                    p.3 += rate;
                    p.4 += 1;
                }
                None => pairs.push((k, a, b, rate, 1)),
            }
        }
        let top = pairs.iter().map(|p| p.3).fold(1.0, f64::max);
        let flows = pairs
            .into_iter()
            .map(|(k, a, b, rate, n)| (k, a, b, rate, migrations(n, lang)))
            .collect();
        (flows, top)
    } else {
        (live, peak)
    };
    let flows = live.iter().map(|(k, a, b, rate, group)| {
        let (k, a, b, rate) = (*k, *a, *b, *rate);
        let m = &trace.migrations[k];
        let ((ax, ay), (bx, by)) = (pos(a), pos(b));
        let width = 2.0 + 12.0 * rate / peak;
        let d = if a / cols == b / cols {
            // Within a row: an arc from the top edge of one host to the other's, bowed upwards
            // so it never runs across the hosts in between; one arc per migration, offset by
            // its index.
            let (x1, y1, x2, y2) = (ax + bw / 2.0, ay + 8.0, bx + bw / 2.0, by + 8.0);
            let lift = lay.lift(x2 - x1, k);
            format!(
                "M {x1:.0} {y1:.0} Q {:.0} {:.0} {x2:.0} {y2:.0}",
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 - lift
            )
        } else {
            // Between rows: from the bottom edge of the upper host to the top edge of the
            // lower one, through the gap between the rows, bowed sideways by its index.
            let ((ux, uy), (lx, ly)) = if ay < by {
                ((ax, ay), (bx, by))
            } else {
                ((bx, by), (ax, ay))
            };
            let (x1, y1, x2, y2) = (ux + bw / 2.0, uy + bh - 8.0, lx + bw / 2.0, ly + 8.0);
            let bow = 16.0 * (k % 4) as f64 - 24.0;
            format!(
                "M {x1:.0} {y1:.0} Q {:.0} {:.0} {x2:.0} {y2:.0}",
                (x1 + x2) / 2.0 + bow,
                (y1 + y2) / 2.0
            )
        };
        let title = if group.is_empty() {
            format!("{} → {}: {}/s", m.vm, m.to, f.bytes(rate))
        } else {
            format!("{} → {}: {group}, {}/s", m.from, m.to, f.bytes(rate))
        };
        html! {
            <path class={format!("flow mig-{}", k % MIG_COLOURS)} d={d} fill="none"
                stroke-width={format!("{width:.1}")}>
                <title>{title}</title>
            </path>
        }
    });
    // Where the run has each VM of the scenario now. VM names are unique in the run's
    // scenario, and it is the scenario shown unless that one cannot be simulated: then the
    // VMs are looked up by name.
    let placed: Vec<Option<&str>> = c
        .vms
        .iter()
        .enumerate()
        .map(|(k, v)| host_of(&now, k, &v.name))
        .collect();
    // The migrations under way now, as (from host, VM): a few, found once per frame.
    let under_way: std::collections::HashSet<(&str, &str)> = trace
        .migrations
        .iter()
        .filter(|m| stage_at(m, p.t).is_some_and(|s| s.0 != Stage::Queued))
        .map(|m| (m.from.as_str(), m.vm.as_str()))
        .collect();
    // Each host's VMs now and their memory, in one pass over the VMs (not one per host: a
    // drag through a drain of thousands of VMs does this on every step).
    let host_index: std::collections::HashMap<&str, usize> = c
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), i))
        .collect();
    let mut on_host: Vec<Vec<String>> = vec![Vec::new(); c.hosts.len()];
    for (v, host) in &now {
        if let Some(&i) = host_index.get(host) {
            on_host[i].push(v.to_string());
        }
    }
    let mut used_mib = vec![0.0; c.hosts.len()];
    for (v, host) in c.vms.iter().zip(&placed) {
        if let Some(&i) = host.and_then(|h| host_index.get(h)) {
            used_mib[i] += v.memory_mib;
        }
    }
    let host_boxes = c.hosts.iter().zip(on_host).enumerate().map(|(i, (h, vms))| {
        let (x, y) = pos(i);
        let moving: Vec<bool> = vms
            .iter()
            .map(|v| under_way.contains(&(h.name.as_str(), v.as_str())))
            .collect();
        let used = used_mib[i] + 0.0;
        html! {
            <HostBox index={i} name={h.name.clone()} memory_gib={h.memory_gib} {used} {vms} {moving}
                {x} {y} {lay} selected={i == host_ix} select={selected_host.setter()} {lang} />
        }
    });

    let ok: Vec<&MigrationRecord> = trace
        .migrations
        .iter()
        .filter(|m| m.refused.is_none())
        .collect();
    let refusals: Vec<&MigrationRecord> = trace
        .migrations
        .iter()
        .filter(|m| m.refused.is_some())
        .collect();
    let refused = refusals.iter().take(LISTED).filter_map(|m| {
        m.refused
            .as_ref()
            .map(|why| html! { <li>{format!("{} ({} → {}): {}", m.vm, m.from, m.to, crate::text::refusal(why, lang))}</li> })
    });
    let more_refused = more(refusals.len(), lang);
    // Memory maps of the migrations under way (small multiples): made for the ones shown,
    // again only when those change.
    let mapped: Vec<usize> = trace
        .migrations
        .iter()
        .enumerate()
        .filter(|(_, m)| m.refused.is_none() && !m.pass_records.is_empty())
        .filter(|(_, m)| {
            stage_at(m, p.t).is_some_and(|s| !matches!(s.0, Stage::Queued | Stage::Cleanup))
        })
        .map(|(i, _)| i)
        .take(8)
        .collect();
    let maps = use_memo((p.trace.clone(), mapped), |(ByPtr(t), mapped)| {
        mapped
            .iter()
            .filter_map(|&i| Some((i, Rc::new(t.migration_trace(i)?))))
            .collect::<Vec<_>>()
    });
    let minis = maps
        .iter()
        .map(|(i, tr)| (*i, &trace.migrations[*i], tr.clone()))
        .map(|(i, m, tr)| {
            html! {
                <figure class="mini">
                    <MemoryMap trace={tr} t={p.t} window={0.5} compact={AttrValue::from(format!("mini-{i}"))} {lang} />
                    <figcaption class={format!("mig-{}", i % MIG_COLOURS)}>{format!("{} → {}", m.vm, m.to)}</figcaption>
                </figure>
            }
        })
        .collect::<Html>();
    let state_names = labels(lang);
    let mini_legend = (0..COLOUR_VARS.len()).map(|i| {
        html! {
            <li><span class={format!("swatch block-{i}")}></span>{state_names[i]}</li>
        }
    });
    let active_now = ok
        .iter()
        .filter(|m| stage_at(m, p.t).is_some_and(|s| s.0 != Stage::Queued))
        .count();
    let queued_now = ok
        .iter()
        .filter(|m| stage_at(m, p.t).is_some_and(|s| s.0 == Stage::Queued))
        .count();
    let under_way_now: Vec<&&MigrationRecord> = ok
        .iter()
        .filter(|m| stage_at(m, p.t).is_some_and(|s| s.0 != Stage::Queued))
        .collect();
    let more_under_way = more(under_way_now.len(), lang);
    let progress = under_way_now.into_iter().take(LISTED).filter_map(|m| {
        let (stage, pass) = stage_at(m, p.t)?;
        if stage == Stage::Queued {
            return None;
        }
        let (class, label) = stage_label(stage, pass, lang);
        let frac = ((p.t - m.start_s) / (m.end_s - m.start_s).max(1e-9)).clamp(0.0, 1.0);
        Some(html! {
            <li>
                <span class="vmname">{m.vm.clone()}</span>
                <span class="bar"><svg focusable="false" aria-hidden="true">
                    <rect class={classes!("fill", class)} width={format!("{:.1}%", frac * 100.0)} height="100%" />
                </svg></span>
                <span class="small">{format!("{label} · {}/s", f.bytes(rate_at(m, p.t)))}</span>
            </li>
        })
    });

    html! {
        <div class={classes!("cluster", p.compact.then_some("compact"))}>
            if let Some(e) = &p.error {
                <div class="verdict bad" role="alert" data-testid="cluster-error">
                    {lang.pick("Cannot simulate this cluster — ", "Dieser Cluster lässt sich nicht simulieren — ")}
                    { field_error(e, lang) }
                    {lang.pick(". Showing the last valid run.", ". Gezeigt wird der letzte gültige Lauf.")}
                </div>
            }
            // The panel's width picks the layout; the drawing is as wide as its content at
            // `SCALE`, narrower where the panel is.
            <section class="panel" ref={topology_ref}>
                <HostBar ..edit_props.clone() />
                <svg class={classes!("topology", narrow.then_some("narrow"))} width={format!("{}", view_w * SCALE)} viewBox={format!("0 0 {view_w} {view_h}")} role="img"
                    aria-label={topology_label(c.hosts.len(), active_now, queued_now, lang)}>
                    // Each list in its own group: yew matches a parent's unkeyed children
                    // from the end, so with the two lists side by side a flow starting or
                    // ending would hand every host box's elements to its neighbour (a frame
                    // of 3 ms of DOM writes instead of 0.1).
                    <g>{ for host_boxes }</g>
                    <g>{ for flows }</g>
                </svg>
                <MoveBar ..edit_props.clone() />
            </section>
            if p.compact {
                <p class="result-line" data-testid="cluster-line">
                    <span class="item">{lang.pick("All done after ", "Alles erledigt nach ")}<b data-testid="makespan">{f.duration(trace.makespan_s)}</b></span>
                    <span class="item">{lang.pick("worst blackout ", "längster Blackout ")}<b data-testid="worst-blackout">{f.duration(trace.worst_blackout_s)}</b></span>
                    <span class="item">{lang.pick("migrations ", "Migrationen ")}<b data-testid="migration-count">{lang.pick(
                        format!("{} of {}", ok.len(), trace.migrations.len()),
                        format!("{} von {}", ok.len(), trace.migrations.len()))}</b></span>
                    if let Some((limit, share)) = trace.main_limit() {
                        <span class="item small" data-testid="cluster-limit">{format!("{}.", held_for(limit, share, lang))}</span>
                    }
                </p>
            } else {
            <div class="panels">
                <section class="panel">
                    <h2>{lang.pick("Networks and NICs", "Netzwerke und Netzwerkadapter")}</h2>
                    <NicPanel ..edit_props />
                </section>
                { held::panel("panel", None, None, html! { <>
                    <h2>{lang.pick("Totals", "Gesamtwerte")}</h2>
                    <dl class="numbers">
                        <div><dt>{lang.pick("All done after", "Alles erledigt nach")}</dt><dd data-testid="makespan">{f.duration(trace.makespan_s)}</dd></div>
                        <div><dt>{lang.pick("Worst blackout", "Längster Blackout")}</dt><dd data-testid="worst-blackout">{f.duration(trace.worst_blackout_s)}</dd></div>
                        <div><dt>{lang.pick("Migrations", "Migrationen")}</dt><dd data-testid="migration-count">{lang.pick(
                            format!("{} of {}", ok.len(), trace.migrations.len()),
                            format!("{} von {}", ok.len(), trace.migrations.len()))}</dd></div>
                        <div><dt>{lang.pick("Peak link use", "Höchste Verbindungsauslastung")}</dt><dd data-testid="peak-link">{format!("{} Gbit/s", f.num(trace.peak_link_gbps, 2))}</dd></div>
                        <div class="wide"><dt>{lang.pick("CPU on each host", "CPU je Host")}</dt><dd data-testid="host-cpu">{ for trace.host_cpu_core_s.iter().map(|(h, c)| html! {
                            <span class="line">{format!("{h}\u{a0}{}\u{a0}{}", f.num(*c, 1), lang.pick("core\u{2011}s", "Kern\u{2011}s"))}</span>
                        }) }</dd></div>
                    </dl>
                    if let Some((limit, share)) = trace.main_limit() {
                        <p class="small" data-testid="cluster-limit">{format!("{}.", held_for(limit, share, lang))}</p>
                    }
                    <p class="small">{now_line(active_now, queued_now, &f.bytes(ok.iter().map(|m| m.wire_bytes).sum()), lang)}</p>
                    <ul class="progress" data-testid="running">{ for progress }</ul>
                    { more_under_way }
                    <ul class="refused" data-testid="refused">{ for refused }</ul>
                    { more_refused }
                </> }) }
            </div>
            // The lever study runs the cluster 24 more times: it waits for the cluster's own
            // run, which would otherwise share the time between frames with it.
            if !p.running {
                <ClusterLeverView cluster={p.cluster.0.clone()} {lang} />
            }
            { held::panel("panel", None, None, html! { <>
                <h2>{lang.pick("Memory of the VMs migrating now", "Arbeitsspeicher der VMs, die gerade migriert werden")}</h2>
                <div class="minis" data-testid="minis">{ minis }</div>
                <ul class="legend">{ for mini_legend }</ul>
            </> }) }
            }
            { held::panel("panel", None, None, html! { <>
                <h2>{lang.pick("Every migration over time", "Alle Migrationen im Zeitverlauf")}</h2>
                <Gantt trace={p.trace.clone()} t={p.t} {lang} />
            </> }) }
        </div>
    }
}

/// "… and N more" under a list that shows only the first [`LISTED`] of `n` items.
fn more(n: usize, lang: Lang) -> Html {
    if n <= LISTED {
        return html! {};
    }
    let rest = n - LISTED;
    html! { <p class="small">{lang.pick(format!("… and {rest} more."), format!("… und {rest} weitere."))}</p> }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn counts_read_as_sentences() {
        assert_eq!(
            topology_label(4, 1, 2, Lang::En),
            "4 hosts; 1 migration running and 2 queued at this moment."
        );
        assert_eq!(
            topology_label(2, 3, 0, Lang::En),
            "2 hosts; 3 migrations running and 0 queued at this moment."
        );
        assert_eq!(
            topology_label(4, 1, 1, Lang::De),
            "4 Hosts; im Moment läuft 1 Migration, 1 wartet in der Warteschlange."
        );
        assert_eq!(
            topology_label(4, 2, 3, Lang::De),
            "4 Hosts; im Moment laufen 2 Migrationen, 3 warten in der Warteschlange."
        );
        assert!(
            gantt_label(1, "12 s", Lang::En).starts_with("Gantt chart of 1 migration over 12 s:")
        );
        assert!(gantt_label(1, "12 s", Lang::En).ends_with("lists it."));
        assert!(
            gantt_label(4, "1,50 s", Lang::De).starts_with("Gantt-Diagramm mit 4 Migrationen über")
        );
        let r = RunProgress {
            ended: 1234,
            total: 3123,
            clock_s: 75.0,
            events: 9,
            solves: 3,
            demands: 27,
        };
        assert_eq!(
            run_line(r, Lang::En),
            "Simulating: 1234 of 3123 migrations done, simulated clock at 1 min 15 s."
        );
        assert!(run_line(r, Lang::De).starts_with("Wird simuliert: 1234 von 3123 Migrationen"));
        assert_eq!(
            now_line(1, 0, "8,50 GiB", Lang::De),
            "Jetzt: 1 läuft, 0 in der Warteschlange. Übertragene Daten: 8,50 GiB."
        );
    }

    #[wasm_bindgen_test]
    fn stages_keep_english_classes() {
        assert_eq!(
            stage_label(Stage::Precopy, 2, Lang::De),
            ("st-pass-2".to_string(), "Durchlauf 2".to_string())
        );
        assert_eq!(
            stage_label(Stage::Switchover, 0, Lang::En),
            ("st-switchover".to_string(), "switchover".to_string())
        );
        assert_eq!(nic_label((2, 2.5), Lang::De), "2 × 2,5 GbE");
        assert_eq!(nic_label((0, 0.0), Lang::De), "keine");
    }
}
