//! Memory sent per pass (log scale) against the stop policy's threshold, drawn with plotters,
//! and the link-use chart, on the page's canvases (`canvas`).

use std::rc::Rc;

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::{self};
use crate::engine::Trace;
use crate::text::{Fmt, Lang};

pub(crate) use super::canvas::*;
use super::inspect::{self, Inspector};

#[derive(Properties, PartialEq)]
pub struct PassChartProps {
    pub trace: Rc<Trace>,
    /// Index of the bar to highlight (passes, then the stop-and-copy).
    pub highlight: Option<usize>,
    /// The language of the labels and numbers; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

fn draw(
    canvas: HtmlCanvasElement,
    surface: &Surface,
    trace: &Trace,
    highlight: Option<usize>,
    lang: Lang,
) -> Result<(), String> {
    let (root, dpr, palette) = prepare(canvas, surface, charts::passes_height)?;
    charts::draw_passes(&root, trace, highlight, lang, &palette.colours(), dpr)
}

/// The pass chart's description for screen readers, with the count in a grammatical sentence.
fn pass_chart_label(passes: usize, blackout: bool, lang: Lang) -> String {
    match lang {
        Lang::En => {
            let bars = match passes {
                1 => "the one pre-copy pass".to_string(),
                n => format!("each of {n} pre-copy passes"),
            };
            let and = if blackout { " and the blackout" } else { "" };
            format!("Bar chart of memory sent in {bars}{and}, on a log scale, with the stop threshold. The table below lists the values.")
        }
        Lang::De => {
            let bars = match passes {
                1 => "im einzigen Kopierdurchlauf".to_string(),
                n => format!("in jedem der {n} Kopierdurchläufe"),
            };
            let and = if blackout { " und im Blackout" } else { "" };
            format!("Balkendiagramm des gesendeten Speichers {bars}{and}, logarithmisch skaliert, mit der Stoppschwelle. Die Tabelle darunter nennt die Werte.")
        }
    }
}

#[function_component(PassChart)]
pub fn pass_chart(props: &PassChartProps) -> Html {
    let lang = props.lang;
    let f = Fmt(lang);
    let (hover, on_select) = inspect::use_probe();
    let canvas_ref = use_drawn_canvas(
        "chart",
        (props.trace.clone(), hover.or(props.highlight), lang),
        |canvas, surface, (trace, highlight, lang)| draw(canvas, surface, trace, *highlight, *lang),
    );
    let trace = &props.trace;
    let rows = trace.passes.iter().map(|p| {
        html! {
            <tr>
                <td>{p.index}</td>
                <td>{f.bytes(p.memory_bytes)}</td>
                <td>{f.duration(p.duration_s)}</td>
                <td>{f.bytes(p.dirty_bytes_at_end)}</td>
                <td>{f.bytes(p.stop_threshold_bytes)}</td>
            </tr>
        }
    });
    let stop_row = trace.stop_copy.as_ref().map(|sc| {
        html! {
            <tr>
                <td>{lang.pick("blackout", "Blackout")}</td>
                <td>{f.bytes(sc.memory_bytes + sc.device_state_bytes)}</td>
                <td>{f.duration(sc.duration_s)}</td>
                <td>{"—"}</td>
                <td>{"—"}</td>
            </tr>
        }
    });
    let policy = trace.scenario.policy.name();
    let n = trace.passes.len() + usize::from(trace.stop_copy.is_some());
    let reading = hover.and_then(|i| inspect::pass_bar(trace, i, lang));
    html! {
        <div class="pass-chart">
            <div class="chart-wrap plot-pass">
                <canvas id="pass-chart" ref={canvas_ref} role="img"
                    aria-label={pass_chart_label(trace.passes.len(), trace.stop_copy.is_some(), lang)}>
                </canvas>
                if n > 0 {
                    <Inspector class="pass-hits" slots={n.max(2)} count={n} selected={hover} {on_select}
                        label={lang.pick("Inspect the passes", "Durchläufe ablesen")}
                        valuetext={reading.clone().unwrap_or_default()} />
                }
            </div>
            { inspect::readout("pass-readout", reading, lang.pick(
                "Point at a bar, or focus the chart and use the arrow keys, for its exact values.",
                "Zeigen Sie auf einen Balken oder fokussieren Sie das Diagramm und nutzen Sie die Pfeiltasten, um die genauen Werte zu sehen.")) }
            <ul class="legend">
                <li><span class="swatch chart-pass"></span>{lang.pick("pre-copy pass: VM running", "Kopierdurchlauf: VM läuft")}</li>
                <li><span class="swatch chart-pass-now"></span>{lang.pick("the pass shown now", "der gerade gezeigte Durchlauf")}</li>
                <li><span class="swatch chart-stop"></span>{lang.pick("blackout: the last dirty pages, VM paused", "Blackout: die letzten geänderten Seiten, VM angehalten")}</li>
                <li><span class="swatch bo state"></span>{lang.pick("and the device state, sent in the blackout too", "und der Gerätezustand, ebenfalls im Blackout gesendet")}</li>
                <li><span class="swatch line chart-threshold"></span>{lang.pick(
                    format!("stop threshold ({policy}): pause once the dirty memory left is below it"),
                    format!("Stoppschwelle ({policy}): anhalten, sobald der noch zu sendende geänderte Speicher darunter liegt"))}</li>
            </ul>
            <div class="sr-only"><table data-testid="pass-table">
                <caption>{lang.pick("Memory sent per pass", "Gesendeter Speicher je Durchlauf")}</caption>
                <thead><tr>
                    <th>{lang.pick("pass", "Durchlauf")}</th>
                    <th>{lang.pick("sent", "gesendet")}</th>
                    <th>{lang.pick("time", "Dauer")}</th>
                    <th>{lang.pick("dirtied meanwhile", "währenddessen geändert")}</th>
                    <th>{lang.pick("stop threshold", "Stoppschwelle")}</th>
                </tr></thead>
                <tbody>{ for rows }{ for stop_row }</tbody>
            </table></div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LinkChartProps {
    pub trace: Rc<Trace>,
    pub t: f64,
    /// The language of the labels and numbers; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

/// Instants the link chart's inspector steps through, across the run.
const PROBE_STEPS: usize = 200;

fn draw_link(
    canvas: HtmlCanvasElement,
    surface: &Surface,
    trace: &Trace,
    lang: Lang,
) -> Result<(), String> {
    let (root, dpr, palette) = prepare(canvas, surface, |_| charts::LINK_HEIGHT)?;
    charts::draw_link(&root, trace, lang, &palette.colours(), dpr)
}

/// Link use over time: migration traffic, other traffic on a shared link, and the line rate,
/// with a cursor on the playback clock.
#[function_component(LinkChart)]
pub fn link_chart(props: &LinkChartProps) -> Html {
    let lang = props.lang;
    let f = Fmt(lang);
    let (probe, on_select) = inspect::use_probe();
    let canvas_ref = use_drawn_canvas(
        "link chart",
        (props.trace.clone(), lang),
        |canvas, surface, (trace, lang)| draw_link(canvas, surface, trace, *lang),
    );
    let t = &props.trace;
    let peak = f.rate(t.segments.iter().fold(0.0, |m, s| f64::max(m, s.wire_rate)));
    let line = f.rate(t.rates.line_rate);
    let end = t.total_time_s.max(1e-9);
    let probe_t = probe.map(|i| (i as f64 + 0.5) / PROBE_STEPS as f64 * end);
    let reading = probe_t.map(|at| inspect::link_at(t, at, lang));
    let rows = inspect::link_rows(t, lang).into_iter().map(|r| {
        let cells = inspect::link_cells(&r, lang);
        html! { <tr>{ for cells.into_iter().map(|c| html! { <td>{c}</td> }) }</tr> }
    });
    html! {
        <div class="link-chart">
            <div class="chart-wrap plot-link">
                <canvas id="link-chart" ref={canvas_ref} role="img"
                    aria-label={lang.pick(
                        format!("Link use over time: migration traffic up to {peak} and, on a shared link, other traffic on top; line rate {line}."),
                        format!("Auslastung der Verbindung im Zeitverlauf: Migrationsdatenverkehr bis {peak} und bei einem gemeinsam genutzten Netzwerk der übrige Datenverkehr darüber; Leitungsrate {line}."))}>
                </canvas>
                { time_cursor(props.t, props.trace.total_time_s) }
                if let Some(at) = probe_t { { plot_line(at, end, "probe") } }
                <Inspector class="link-hits" slots={PROBE_STEPS} count={PROBE_STEPS} selected={probe} {on_select}
                    label={lang.pick("Inspect link use over time", "Auslastung im Zeitverlauf ablesen")}
                    valuetext={reading.clone().unwrap_or_default()} />
            </div>
            { inspect::readout("link-readout", reading, lang.pick(
                "Point at the chart, or focus it and use the arrow keys, for the rates at that moment.",
                "Zeigen Sie auf das Diagramm oder fokussieren Sie es und nutzen Sie die Pfeiltasten, um die Raten in dem Moment zu sehen.")) }
            { inspect::data_table(lang, "link-table",
                lang.pick("Mean link use per pass", "Mittlere Auslastung je Durchlauf"),
                &[lang.pick("phase", "Phase"), lang.pick("from", "von"), lang.pick("to", "bis"),
                  lang.pick("migration traffic", "Migrationsdatenverkehr"), lang.pick("other traffic", "übriger Datenverkehr")],
                rows.collect::<Html>()) }
            <ul class="legend">
                <li><span class="swatch chart-pass"></span>{lang.pick("migration traffic", "Migrationsdatenverkehr")}</li>
                <li><span class="swatch chart-other"></span>{lang.pick("other traffic (shared network)", "übriger Datenverkehr (gemeinsam genutztes Netzwerk)")}</li>
                <li><span class="swatch line chart-line-rate"></span>{lang.pick("line rate", "Leitungsrate")}</li>
            </ul>
        </div>
    }
}
