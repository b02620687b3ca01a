//! Memory sent per pass (log scale) against the stop policy's threshold, drawn with plotters.
//! Redrawn only when the trace or the highlighted pass changes.

use std::rc::Rc;

use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::engine::units::{localize, MIB};
use crate::engine::{Fmt, Lang, Trace};

#[derive(Properties, PartialEq)]
pub struct PassChartProps {
    pub trace: Rc<Trace>,
    /// Index of the bar to highlight (passes, then the stop-and-copy).
    pub highlight: Option<usize>,
    /// The language of the labels and numbers; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

const PASS: RGBColor = RGBColor(0x1a, 0x66, 0xd6);
const PASS_NOW: RGBColor = RGBColor(0x0b, 0x2f, 0x6b);
const STOP: RGBColor = RGBColor(0xe8, 0x71, 0x0a);
const THRESHOLD: RGBColor = RGBColor(0xb0, 0x1d, 0x48);

/// (label, MiB) per bar: each pre-copy pass, then what the blackout sends.
fn bars(trace: &Trace, lang: Lang) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = trace
        .passes
        .iter()
        .map(|p| (p.index.to_string(), p.memory_bytes / MIB))
        .collect();
    if let Some(sc) = &trace.stop_copy {
        v.push((
            lang.pick("stop", "Stopp").to_string(),
            (sc.memory_bytes + sc.device_state_bytes) / MIB,
        ));
    }
    v
}

/// Axis labels in MiB: log ticks are powers of ten (0.1, 1, 10, 1000 …), printed as they are
/// (with a decimal comma in German).
fn format_mib(v: f64, lang: Lang) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        localize(&format!("{v}"), lang)
    }
}

pub(crate) type Area = DrawingArea<CanvasBackend, plotters::coord::Shift>;

/// How many time labels fit under a chart `width_px` device pixels wide.
pub(crate) fn time_labels(area: &Area, dpr: f64) -> usize {
    ((f64::from(area.dim_in_pixel().0) / dpr / 100.0) as usize).clamp(2, 8)
}

/// A canvas that `draw` redraws whenever `deps` change (once per trace, not per frame);
/// a drawing error goes to the console rather than breaking the page.
#[hook]
pub(crate) fn use_drawn_canvas<D: PartialEq + 'static>(
    what: &'static str,
    deps: D,
    draw: fn(HtmlCanvasElement, &D) -> Result<(), String>,
) -> NodeRef {
    let canvas_ref = use_node_ref();
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with(deps, move |deps| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                if let Err(e) = draw(canvas, deps) {
                    web_sys::console::warn_1(&format!("{what}: {e}").into());
                }
            }
        });
    }
    canvas_ref
}

/// CSS placing a time cursor over a plot area that leaves `left`/`right` CSS pixels for axes.
pub(crate) fn cursor_style(t: f64, end: f64, left: f64, right: f64) -> String {
    let frac = (t / end.max(1e-9)).clamp(0.0, 1.0);
    format!(
        "left: calc({left}px + (100% - {}px) * {frac:.5})",
        left + right
    )
}

/// Sizes the canvas's backing store to its CSS width × devicePixelRatio (height from
/// `css_height(css_width)`), clears it white, and returns the drawing area and the ratio.
pub(crate) fn prepare(
    canvas: HtmlCanvasElement,
    css_height: impl Fn(f64) -> f64,
) -> Result<(Area, f64), String> {
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let css_w = match canvas.client_width() {
        w if w > 0 => f64::from(w),
        _ => 520.0,
    };
    canvas.set_width((css_w * dpr) as u32);
    canvas.set_height((css_height(css_w) * dpr) as u32);
    let root = CanvasBackend::with_canvas_object(canvas)
        .ok_or("no 2d context")?
        .into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    Ok((root, dpr))
}

fn draw(
    canvas: HtmlCanvasElement,
    trace: &Trace,
    highlight: Option<usize>,
    lang: Lang,
) -> Result<(), String> {
    let (root, dpr) = prepare(canvas, |w| w * 0.72)?;
    let px = |v: f64| (v * dpr) as u32;
    let font = |size: f64| ("sans-serif", size * dpr);
    let data = bars(trace, lang);
    if data.is_empty() {
        root.draw(&Text::new(
            lang.pick("Nothing was sent", "Es wurde nichts gesendet"),
            (px(20.0) as i32, px(30.0) as i32),
            font(14.0),
        ))
        .map_err(|e| e.to_string())?;
        return root.present().map_err(|e| e.to_string());
    }
    let thresholds: Vec<f64> = trace
        .passes
        .iter()
        .map(|p| p.stop_threshold_bytes / MIB)
        .collect();
    let positive = data
        .iter()
        .map(|d| d.1)
        .chain(thresholds.iter().copied())
        .filter(|v| *v > 0.0);
    let lo = positive.clone().fold(f64::INFINITY, f64::min);
    let hi = positive.fold(0.0, f64::max);
    let lo = if lo.is_finite() {
        10f64.powf((lo / 2.0).log10().floor())
    } else {
        0.01
    };
    let hi = if hi > 0.0 { hi * 2.0 } else { 1.0 };
    let n = data.len();

    let mut chart = ChartBuilder::on(&root)
        .margin(px(10.0))
        .x_label_area_size(px(34.0))
        .y_label_area_size(px(70.0))
        .build_cartesian_2d(0.5f64..(n as f64 + 0.5).max(2.5), (lo..hi).log_scale())
        .map_err(|e| e.to_string())?;
    let labels = data.iter().map(|d| d.0.clone()).collect::<Vec<_>>();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(16))
        .x_label_formatter(&|x| {
            let i = x.round() as usize;
            if (x - x.round()).abs() < 1e-6 && i >= 1 && i <= labels.len() {
                labels[i - 1].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| format_mib(*y, lang))
        .x_desc(lang.pick(
            "pre-copy pass (then the blackout)",
            "Kopierdurchlauf (danach der Blackout)",
        ))
        .y_desc(lang.pick(
            "MiB sent (log scale)",
            "gesendete MiB (logarithmische Skala)",
        ))
        .label_style(font(12.0))
        .axis_desc_style(font(12.0))
        .draw()
        .map_err(|e| e.to_string())?;

    let stop_index = trace.stop_copy.as_ref().map(|_| n - 1);
    chart
        .draw_series(
            data.iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != stop_index)
                .map(|(i, d)| {
                    let x = (i + 1) as f64;
                    let colour = if Some(i) == highlight { PASS_NOW } else { PASS };
                    Rectangle::new([(x - 0.38, lo), (x + 0.38, d.1.max(lo))], colour.filled())
                }),
        )
        .map_err(|e| e.to_string())?;
    if let Some(si) = stop_index {
        let x = (si + 1) as f64;
        let style = if highlight == Some(si) {
            STOP.mix(1.0)
        } else {
            STOP.mix(0.85)
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.38, lo), (x + 0.38, data[si].1.max(lo))],
                style.filled(),
            )))
            .map_err(|e| e.to_string())?;
    }
    if !thresholds.is_empty() {
        // Pass i's threshold judges what pass i left dirty: the next bar (or the blackout's).
        let line = thresholds.iter().enumerate().flat_map(|(i, v)| {
            let x = (i + 2) as f64;
            [(x - 0.5, v.max(lo)), (x + 0.5, v.max(lo))]
        });
        chart
            .draw_series(LineSeries::new(line, THRESHOLD.stroke_width(px(2.0))))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
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
    let canvas_ref = use_drawn_canvas(
        "chart",
        (props.trace.clone(), props.highlight, lang),
        |canvas, (trace, highlight, lang)| draw(canvas, trace, *highlight, *lang),
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
    html! {
        <div class="pass-chart">
            <canvas id="pass-chart" ref={canvas_ref} role="img"
                aria-label={pass_chart_label(trace.passes.len(), trace.stop_copy.is_some(), lang)}>
            </canvas>
            <ul class="legend">
                <li><span class="swatch" style="background:#1a66d6"></span>{lang.pick("pre-copy pass: VM running", "Kopierdurchlauf: VM läuft")}</li>
                <li><span class="swatch" style="background:#0b2f6b"></span>{lang.pick("the pass shown now", "der gerade gezeigte Durchlauf")}</li>
                <li><span class="swatch" style="background:#e8710a"></span>{lang.pick("blackout: last pages + device state, VM paused", "Blackout: letzte Seiten + Gerätezustand, VM angehalten")}</li>
                <li><span class="swatch line" style="background:#b01d48"></span>{lang.pick(
                    format!("stop threshold ({policy}): pause once what is left is below it"),
                    format!("Stoppschwelle ({policy}): anhalten, sobald der Rest darunter liegt"))}</li>
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

/// Plot-area offsets in CSS pixels, shared by the drawing and the time cursor overlay.
const LINK_LEFT: f64 = 60.0;
const LINK_RIGHT: f64 = 12.0;

fn draw_link(canvas: HtmlCanvasElement, trace: &Trace, lang: Lang) -> Result<(), String> {
    let f = Fmt(lang);
    let (root, dpr) = prepare(canvas, |_| 170.0)?;
    let px = |v: f64| (v * dpr) as u32;
    let font = |size: f64| ("sans-serif", size * dpr);
    let gbit = |bytes_per_s: f64| bytes_per_s * 8.0 / 1e9;
    let line = gbit(trace.rates.line_rate);
    let end = trace.total_time_s.max(1e-3);
    let top = if line > 0.0 { line * 1.05 } else { 1.0 };
    let mut chart = ChartBuilder::on(&root)
        .margin_top(px(8.0))
        .margin_bottom(px(4.0))
        .margin_right(px(LINK_RIGHT))
        .margin_left(px(0.0))
        .x_label_area_size(px(30.0))
        .y_label_area_size(px(LINK_LEFT))
        .build_cartesian_2d(0f64..end, 0f64..top)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(time_labels(&root, dpr))
        .y_labels(5)
        .x_label_formatter(&|x| f.duration(*x))
        .y_label_formatter(&|y| f.num(*y, 1))
        .y_desc("Gbit/s")
        .label_style(font(11.0))
        .axis_desc_style(font(11.0))
        .draw()
        .map_err(|e| e.to_string())?;
    // Step outlines: migration traffic, and other traffic stacked on top of it.
    let mut mig = vec![(0.0, 0.0)];
    let mut other = vec![(0.0, 0.0)];
    for sg in &trace.segments {
        let m = gbit(sg.wire_rate);
        let o = m + gbit(trace.rates.background_carried(sg.background));
        mig.extend([
            (sg.start_s, 0.0),
            (sg.start_s, m),
            (sg.end_s, m),
            (sg.end_s, 0.0),
        ]);
        other.extend([
            (sg.start_s, 0.0),
            (sg.start_s, o),
            (sg.end_s, o),
            (sg.end_s, 0.0),
        ]);
    }
    mig.push((end, 0.0));
    other.push((end, 0.0));
    chart
        .draw_series(std::iter::once(Polygon::new(
            other,
            RGBColor(0xb7, 0xbf, 0xcb).filled(),
        )))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(std::iter::once(Polygon::new(mig, PASS.mix(0.85).filled())))
        .map_err(|e| e.to_string())?;
    if line > 0.0 {
        chart
            .draw_series(LineSeries::new(
                [(0.0, line), (end, line)],
                BLACK.mix(0.5).stroke_width(px(1.0)),
            ))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// Link use over time: migration traffic, other traffic on a shared link, and the line rate,
/// with a cursor on the playback clock.
#[function_component(LinkChart)]
pub fn link_chart(props: &LinkChartProps) -> Html {
    let lang = props.lang;
    let f = Fmt(lang);
    let canvas_ref = use_drawn_canvas(
        "link chart",
        (props.trace.clone(), lang),
        |canvas, (trace, lang)| draw_link(canvas, trace, *lang),
    );
    let cursor = cursor_style(props.t, props.trace.total_time_s, LINK_LEFT, LINK_RIGHT);
    let t = &props.trace;
    let peak = f.rate(t.segments.iter().fold(0.0, |m, s| f64::max(m, s.wire_rate)));
    let line = f.rate(t.rates.line_rate);
    html! {
        <div class="link-chart">
            <div class="chart-wrap">
                <canvas id="link-chart" ref={canvas_ref} role="img"
                    aria-label={lang.pick(
                        format!("Link use over time: migration traffic up to {peak} and, on a shared link, other traffic on top; line rate {line}."),
                        format!("Auslastung der Verbindung im Zeitverlauf: Migrationsdatenverkehr bis {peak} und bei einem gemeinsam genutzten Netzwerk der übrige Datenverkehr darüber; Leitungsrate {line}."))}>
                </canvas>
                <div class="cursor" style={cursor} aria-hidden="true"></div>
            </div>
            <ul class="legend">
                <li><span class="swatch" style="background:#1a66d6"></span>{lang.pick("migration traffic", "Migrationsdatenverkehr")}</li>
                <li><span class="swatch" style="background:#b7bfcb"></span>{lang.pick("other traffic (shared network)", "übriger Datenverkehr (gemeinsam genutztes Netzwerk)")}</li>
                <li><span class="swatch line" style="background:#7f7f7f"></span>{lang.pick("line rate", "Leitungsrate")}</li>
            </ul>
        </div>
    }
}
