//! The Gantt chart of every migration, with a table of its figures for screen readers.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

use super::topology::migrations;
use crate::charts;
use crate::engine::cluster::{ClusterTrace, Stage};
use crate::text::{Fmt, Lang};

use crate::ui::chart::{prepare, text_width, time_cursor, use_drawn_canvas, Surface};
use crate::ui::inspect::{self, Inspector};
use crate::ui::ByPtr;

/// The trace by identity, as in `ClusterProps`.
#[derive(Properties, PartialEq)]
pub struct GanttProps {
    pub trace: ByPtr<ClusterTrace>,
    pub t: f64,
    /// The language of the labels and numbers; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

/// Draws the chart with its labels measured in the canvas's font, and places the time cursor
/// and the inspector over its plot area (`--plot-left` of its `.chart-wrap`).
fn draw_gantt(
    canvas: HtmlCanvasElement,
    surface: &Surface,
    trace: &ClusterTrace,
    lang: Lang,
) -> Result<(), String> {
    let rows = charts::gantt_rows(trace).len();
    let wrap = canvas.parent_element();
    let (root, dpr, palette) = prepare(canvas.clone(), surface, |_| charts::gantt_height(rows))?;
    let font = format!("{}px sans-serif", charts::LABEL_PX);
    let measure =
        |text: &str| text_width(&font, text).unwrap_or_else(|| charts::estimated_width(text));
    let left = charts::draw_gantt(&root, trace, lang, &palette.colours(), dpr, measure)?;
    if let Some(wrap) = wrap.and_then(|w| w.dyn_into::<HtmlElement>().ok()) {
        wrap.style()
            .set_property("--plot-left", &format!("{left}px"))
            .ok();
    }
    Ok(())
}

/// The Gantt chart's description for screen readers; it counts the migrations drawn (refused
/// ones have no row).
pub(super) fn gantt_label(drawn: usize, over: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Gantt chart of {} over {over}: queued, setup, memory passes, blackout, handoff. The table below lists {}.",
            migrations(drawn, lang),
            if drawn == 1 { "it" } else { "them" }
        ),
        Lang::De => format!(
            "Gantt-Diagramm mit {} über einen Zeitraum von {over}: Warteschlange, Einrichtung, Speicherdurchläufe, Blackout, Übergabe. Die Tabelle darunter listet sie auf.",
            migrations(drawn, lang)
        ),
    }
}

#[derive(Properties, PartialEq)]
struct GanttTableProps {
    trace: ByPtr<ClusterTrace>,
    lang: Lang,
}

/// The Gantt chart's figures as a table for screen readers: a row per migration, rendered
/// again only for another trace (not every frame, with the chart's time cursor).
#[function_component(GanttTable)]
fn gantt_table(p: &GanttTableProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let rows = charts::gantt_rows(&p.trace).into_iter().map(|m| {
        let blackout = m.stages.iter().find(|s| s.stage == Stage::Blackout);
        html! {
            <tr>
                <td>{m.vm.clone()}</td><td>{format!("{} → {}", m.from, m.to)}</td>
                <td>{f.duration(m.stages.first().map_or(0.0, |s| s.end_s - s.start_s))}</td>
                <td>{m.passes}</td>
                <td>{blackout.map_or("—".into(), |b| f.duration(b.start_s))}</td>
                <td>{f.duration(m.downtime_s)}</td>
                <td>{f.duration(m.end_s)}</td>
                <td>{f.bytes(m.wire_bytes)}</td>
            </tr>
        }
    });
    html! {
        <div class="sr-only"><table data-testid="gantt-table">
            <thead><tr>
                <th>{"VM"}</th>
                <th>{lang.pick("move", "Verschiebung")}</th>
                <th>{lang.pick("queued", "in der Warteschlange")}</th>
                <th>{lang.pick("passes", "Durchläufe")}</th>
                <th>{lang.pick("blackout at", "Blackout bei")}</th>
                <th>{lang.pick("downtime", "Ausfallzeit")}</th>
                <th>{lang.pick("done at", "fertig bei")}</th>
                <th>{lang.pick("sent", "gesendet")}</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table></div>
    }
}

/// Rows the chart and its table show at once: a cluster of thousands of migrations is shown a
/// page at a time (a canvas row per migration would be taller than a browser draws, and a
/// table row each a long task to lay out).
pub const PAGE_ROWS: usize = 100;

/// The rows of page `page` of `trace` as a trace of their own, on the whole run's time axis.
/// A trace of one page or less is itself.
fn page_of(trace: &Rc<ClusterTrace>, page: usize) -> Rc<ClusterTrace> {
    let rows = charts::gantt_rows(trace);
    if rows.len() <= PAGE_ROWS {
        return trace.clone();
    }
    let mut t = ClusterTrace::empty(trace.scenario.clone());
    t.makespan_s = trace.makespan_s;
    t.worst_blackout_s = trace.worst_blackout_s;
    t.migrations = rows
        .into_iter()
        .skip(page * PAGE_ROWS)
        .take(PAGE_ROWS)
        .cloned()
        .collect();
    Rc::new(t)
}

/// "Migrations 101–200 of 3123" over a page of the chart.
pub(super) fn page_label(page: usize, rows: usize, lang: Lang) -> String {
    let first = page * PAGE_ROWS + 1;
    let last = ((page + 1) * PAGE_ROWS).min(rows);
    match lang {
        Lang::En => format!("Migrations {first}–{last} of {rows}"),
        Lang::De => format!("Migrationen {first}–{last} von {rows}"),
    }
}

#[function_component(Gantt)]
pub fn gantt(p: &GanttProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let (probe, on_select) = inspect::use_probe();
    let all_rows = charts::gantt_rows(&p.trace).len();
    let pages = all_rows.div_ceil(PAGE_ROWS).max(1);
    let page = use_state(|| 0usize);
    let at = (*page).min(pages - 1);
    let shown = use_memo((p.trace.clone(), at), |(ByPtr(t), at)| {
        ByPtr(page_of(t, *at))
    });
    let canvas_ref = use_drawn_canvas(
        "gantt",
        ((*shown).clone(), lang),
        |canvas, surface, (ByPtr(trace), lang)| draw_gantt(canvas, surface, trace, *lang),
    );
    let rows = charts::gantt_rows(&shown.0);
    let drawn = rows.len();
    let reading = probe.and_then(|i| Some(inspect::migration(rows.get(i)?, lang)));
    let go = |to: usize| {
        let page = page.clone();
        Callback::from(move |_: MouseEvent| page.set(to))
    };
    html! {
        <div class="gantt">
            if pages > 1 {
                <nav class="gantt-pages" aria-label={lang.pick("Pages of the chart", "Seiten des Diagramms")}>
                    <button data-testid="gantt-first" disabled={at == 0} onclick={go(0)}>{lang.pick("⏮ First", "⏮ Erste")}</button>
                    <button data-testid="gantt-prev" disabled={at == 0} onclick={go(at.saturating_sub(1))}>{lang.pick("◀ Earlier", "◀ Frühere")}</button>
                    <span data-testid="gantt-page" aria-live="polite">{page_label(at, all_rows, lang)}</span>
                    <button data-testid="gantt-next" disabled={at + 1 >= pages} onclick={go((at + 1).min(pages - 1))}>{lang.pick("Later ▶", "Spätere ▶")}</button>
                    <button data-testid="gantt-last" disabled={at + 1 >= pages} onclick={go(pages - 1)}>{lang.pick("Last ⏭", "Letzte ⏭")}</button>
                </nav>
            }
            <div class="chart-wrap plot-gantt">
                <canvas id="gantt" ref={canvas_ref} role="img"
                    aria-label={gantt_label(drawn, &f.duration(p.trace.makespan_s), lang)}>
                </canvas>
                { time_cursor(p.t, p.trace.makespan_s) }
                if drawn > 0 {
                    <Inspector class="gantt-hits" vertical=true slots={drawn} count={drawn} selected={probe} {on_select}
                        label={lang.pick("Inspect the migrations", "Migrationen ablesen")}
                        valuetext={reading.clone().unwrap_or_default()} />
                }
            </div>
            { inspect::readout("gantt-readout", reading, lang.pick(
                "Point at a row, or focus the chart and use the arrow keys, for that migration's figures.",
                "Zeigen Sie auf eine Zeile oder fokussieren Sie das Diagramm und nutzen Sie die Pfeiltasten, um die Werte dieser Migration zu sehen.")) }
            <ul class="legend">
                <li><span class="swatch ph-queued"></span>{lang.pick("queued", "in der Warteschlange")}</li>
                <li><span class="swatch ph-setup"></span>{lang.pick("setup", "Einrichtung")}</li>
                <li><span class="swatch ph-storage"></span>{lang.pick("disk copy (shared-nothing)", "Datenträgerkopie (Shared Nothing)")}</li>
                <li><span class="swatch ph-pass"></span>{lang.pick("memory passes", "Speicherdurchläufe")}</li>
                <li><span class="swatch ph-blackout"></span>{lang.pick("blackout and switchover", "Blackout und Umschaltung")}</li>
                <li><span class="swatch ph-cleanup"></span>{lang.pick("handoff: ARP, clean-up", "Übergabe: ARP, Bereinigung")}</li>
            </ul>
            <GanttTable trace={(*shown).clone()} {lang} />
        </div>
    }
}
