//! Memory sent per pass (log scale) against the stop policy's threshold, drawn with plotters.
//! Redrawn only when the trace or the highlighted pass changes.

use std::rc::Rc;

use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::engine::units::{fmt_bytes, fmt_duration, MIB};
use crate::engine::Trace;

#[derive(Properties, PartialEq)]
pub struct PassChartProps {
    pub trace: Rc<Trace>,
    /// Index of the bar to highlight (passes, then the stop-and-copy).
    pub highlight: Option<usize>,
}

const PASS: RGBColor = RGBColor(0x1a, 0x66, 0xd6);
const PASS_NOW: RGBColor = RGBColor(0x0b, 0x2f, 0x6b);
const STOP: RGBColor = RGBColor(0xe8, 0x71, 0x0a);
const THRESHOLD: RGBColor = RGBColor(0xb0, 0x1d, 0x48);

/// (label, MiB) per bar: each pre-copy pass, then what the blackout sends.
fn bars(trace: &Trace) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = trace
        .passes
        .iter()
        .map(|p| (p.index.to_string(), p.memory_bytes / MIB))
        .collect();
    if let Some(sc) = &trace.stop_copy {
        v.push((
            "stop".to_string(),
            (sc.memory_bytes + sc.device_state_bytes) / MIB,
        ));
    }
    v
}

/// Axis labels in MiB: log ticks are powers of ten (0.1, 1, 10, 1000 …), printed as they are.
fn format_mib(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn draw(canvas: HtmlCanvasElement, trace: &Trace, highlight: Option<usize>) -> Result<(), String> {
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let css_w = match canvas.client_width() {
        w if w > 0 => f64::from(w),
        _ => 520.0,
    };
    let css_h = css_w * 0.72;
    canvas.set_width((css_w * dpr) as u32);
    canvas.set_height((css_h * dpr) as u32);
    let px = |v: f64| (v * dpr) as u32;
    let font = |size: f64| ("sans-serif", size * dpr);

    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let data = bars(trace);
    if data.is_empty() {
        root.draw(&Text::new(
            "Nothing was sent",
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
        .build_cartesian_2d(0.5f64..(n as f64 + 0.5), (lo..hi).log_scale())
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
        .y_label_formatter(&|y| format_mib(*y))
        .x_desc("pre-copy pass (then the blackout)")
        .y_desc("MiB sent (log scale)")
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
        let line = thresholds.iter().enumerate().flat_map(|(i, v)| {
            let x = (i + 1) as f64;
            [(x - 0.5, v.max(lo)), (x + 0.5, v.max(lo))]
        });
        chart
            .draw_series(LineSeries::new(line, THRESHOLD.stroke_width(px(2.0))))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

#[function_component(PassChart)]
pub fn pass_chart(props: &PassChartProps) -> Html {
    let canvas_ref = use_node_ref();
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with(
            (props.trace.clone(), props.highlight),
            move |(trace, highlight)| {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    if let Err(e) = draw(canvas, trace, *highlight) {
                        web_sys::console::warn_1(&format!("chart: {e}").into());
                    }
                }
            },
        );
    }
    let trace = &props.trace;
    let rows = trace.passes.iter().map(|p| {
        html! {
            <tr>
                <td>{p.index}</td>
                <td>{fmt_bytes(p.memory_bytes)}</td>
                <td>{fmt_duration(p.duration_s)}</td>
                <td>{fmt_bytes(p.dirty_bytes_at_end)}</td>
                <td>{fmt_bytes(p.stop_threshold_bytes)}</td>
            </tr>
        }
    });
    let stop_row = trace.stop_copy.as_ref().map(|sc| {
        html! {
            <tr>
                <td>{"blackout"}</td>
                <td>{fmt_bytes(sc.memory_bytes + sc.device_state_bytes)}</td>
                <td>{fmt_duration(sc.duration_s)}</td>
                <td>{"—"}</td>
                <td>{"—"}</td>
            </tr>
        }
    });
    html! {
        <div class="pass-chart">
            <canvas id="pass-chart" ref={canvas_ref} role="img"
                aria-label={format!("Bar chart of memory sent in each of {} pre-copy passes and the blackout, on a log scale, with the stop threshold. The table below lists the values.", trace.passes.len())}>
            </canvas>
            <ul class="legend">
                <li><span class="swatch" style="background:#1a66d6"></span>{"pre-copy pass: VM running"}</li>
                <li><span class="swatch" style="background:#0b2f6b"></span>{"the pass shown now"}</li>
                <li><span class="swatch" style="background:#e8710a"></span>{"blackout: last pages + device state, VM paused"}</li>
                <li><span class="swatch line" style="background:#b01d48"></span>{format!("stop threshold ({}): pause once what is left is below it", trace.scenario.policy.name())}</li>
            </ul>
            <table class="sr-only" data-testid="pass-table">
                <caption>{"Memory sent per pass"}</caption>
                <thead><tr><th>{"pass"}</th><th>{"sent"}</th><th>{"time"}</th><th>{"dirtied meanwhile"}</th><th>{"stop threshold"}</th></tr></thead>
                <tbody>{ for rows }{ for stop_row }</tbody>
            </table>
        </div>
    }
}
