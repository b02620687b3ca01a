//! Memory sent per pass (log scale) against the stop policy's threshold, drawn with plotters;
//! the link-use chart; and what every canvas here shares: a backing store sized to the device
//! pixel ratio, colours read from the page's CSS custom properties, and a redraw when the box,
//! the pixel ratio or the colour theme changes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    CssStyleDeclaration, Element, HtmlCanvasElement, MediaQueryList, MutationObserver,
    MutationObserverInit, ResizeObserver,
};
use yew::prelude::*;

use crate::engine::units::{localize, MIB};
use crate::engine::{Fmt, Lang, Trace};

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

// The light theme's colours: the fallbacks when a CSS custom property cannot be read.
const PASS: RGBColor = RGBColor(0x1a, 0x66, 0xd6);
const PASS_NOW: RGBColor = RGBColor(0x0b, 0x2f, 0x6b);
const STOP: RGBColor = RGBColor(0xe8, 0x71, 0x0a);
const THRESHOLD: RGBColor = RGBColor(0xb0, 0x1d, 0x48);
const OTHER: RGBColor = RGBColor(0xb7, 0xbf, 0xcb);
const LINE_RATE: RGBColor = RGBColor(0x6b, 0x73, 0x80);
const CARD: RGBColor = RGBColor(0xff, 0xff, 0xff);
const INK: RGBColor = RGBColor(0x1c, 0x24, 0x30);
const AXIS: RGBColor = RGBColor(0x5b, 0x66, 0x76);
const GRID: RGBColor = RGBColor(0xe3, 0xe7, 0xed);
const GRID_LIGHT: RGBColor = RGBColor(0xf1, 0xf3, 0xf6);

/// "#rrggbb", "#rgb" or "rgb(r, g, b)" as (r, g, b); None for anything else.
pub(crate) fn parse_colour(value: &str) -> Option<(u8, u8, u8)> {
    let v = value.trim();
    if let Some(hex) = v.strip_prefix('#') {
        let digit = |i: usize| u8::from_str_radix(hex.get(i..=i)?, 16).ok();
        return match hex.len() {
            6 => {
                let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
                Some((byte(0)?, byte(2)?, byte(4)?))
            }
            3 => Some((digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            _ => None,
        };
    }
    let inner = v.strip_prefix("rgb(")?.strip_suffix(')')?;
    let mut parts = inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| super::controls::parse_number(p).map(|x| x.round().clamp(0.0, 255.0) as u8));
    let rgb = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(rgb)
}

/// The colours in force on an element: its CSS custom properties (`--map-dirty`, `--ink` …),
/// which the page sets for the light and the dark theme.
pub(crate) struct Palette(Option<CssStyleDeclaration>);

impl Palette {
    pub(crate) fn of(el: &Element) -> Palette {
        Palette(web_sys::window().and_then(|w| w.get_computed_style(el).ok().flatten()))
    }

    fn get(&self, name: &str) -> Option<(u8, u8, u8)> {
        parse_colour(&self.0.as_ref()?.get_property_value(name).ok()?)
    }

    /// The colour of custom property `name`, or `fallback` when it is unset or unreadable.
    pub(crate) fn rgb(&self, name: &str, fallback: RGBColor) -> RGBColor {
        self.get(name)
            .map_or(fallback, |(r, g, b)| RGBColor(r, g, b))
    }

    /// The same as a CSS colour string ("#rrggbb") for a 2D context's fill style.
    pub(crate) fn css(&self, name: &str, fallback: &str) -> String {
        self.get(name).map_or_else(
            || fallback.to_string(),
            |(r, g, b)| format!("#{r:02x}{g:02x}{b:02x}"),
        )
    }
}

/// The colours every plotters chart uses besides its data: text, axes and grid lines.
pub(crate) struct ChartInk {
    pub(crate) ink: RGBColor,
    pub(crate) axis: RGBColor,
    pub(crate) grid: RGBColor,
    pub(crate) grid_light: RGBColor,
}

impl ChartInk {
    pub(crate) fn of(p: &Palette) -> ChartInk {
        ChartInk {
            ink: p.rgb("--ink", INK),
            axis: p.rgb("--chart-axis", AXIS),
            grid: p.rgb("--chart-grid", GRID),
            grid_light: p.rgb("--chart-grid-light", GRID_LIGHT),
        }
    }

    /// A text style in the theme's text colour, `size` CSS pixels at `dpr`.
    pub(crate) fn text(&self, size: f64, dpr: f64) -> TextStyle<'static> {
        (FontFamily::SansSerif, size * dpr)
            .into_font()
            .color(&self.ink)
    }
}

/// What a drawing depends on besides its data: the CSS width of its box, the device pixel
/// ratio, and whether the dark colours are in force.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct ViewEnv {
    /// CSS pixels; 0 until the box has been measured.
    pub(crate) width: f64,
    pub(crate) dpr: f64,
    pub(crate) dark: bool,
}

impl ViewEnv {
    /// The measured width, or `default` before the first measurement.
    pub(crate) fn width_or(&self, default: f64) -> f64 {
        if self.width > 0.0 {
            self.width
        } else {
            default
        }
    }
}

fn match_media(query: &str) -> Option<MediaQueryList> {
    web_sys::window()?.match_media(query).ok().flatten()
}

fn measure(el: &Element) -> ViewEnv {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let theme = el
        .closest(".lab")
        .ok()
        .flatten()
        .and_then(|lab| lab.get_attribute("data-theme"));
    let dark = match theme.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => match_media("(prefers-color-scheme: dark)").is_some_and(|m| m.matches()),
    };
    ViewEnv {
        width: el.get_bounding_client_rect().width(),
        dpr,
        dark,
    }
}

type Callback0 = Closure<dyn FnMut()>;

/// The state the observers' callbacks share; they hold it weakly, so dropping the `EnvWatch`
/// frees it.
struct Shared {
    node: Element,
    set: Box<dyn Fn(ViewEnv)>,
    /// The pending animation frame, if any: bursts of changes cost one measurement.
    frame_id: Cell<Option<i32>>,
    notify: RefCell<Option<Callback0>>,
    frame: RefCell<Option<Callback0>>,
    /// The media query matching the current devicePixelRatio, which stops matching on zoom
    /// or on a move to another screen.
    dpr_query: RefCell<Option<(f64, MediaQueryList)>>,
}

impl Shared {
    fn schedule(&self) {
        if self.frame_id.get().is_some() {
            return;
        }
        let (Some(w), Some(frame)) = (web_sys::window(), self.frame.borrow().as_ref().cloned_fn())
        else {
            return;
        };
        if let Ok(id) = w.request_animation_frame(&frame) {
            self.frame_id.set(Some(id));
        }
    }

    fn update(&self) {
        self.frame_id.set(None);
        self.watch_dpr();
        (self.set)(measure(&self.node));
    }

    fn watch_dpr(&self) {
        let Some(dpr) = web_sys::window().map(|w| w.device_pixel_ratio()) else {
            return;
        };
        let Some(notify) = self.notify.borrow().as_ref().cloned_fn() else {
            return;
        };
        let mut query = self.dpr_query.borrow_mut();
        if query.as_ref().is_some_and(|(d, _)| *d == dpr) {
            return;
        }
        if let Some((_, old)) = query.take() {
            old.remove_event_listener_with_callback("change", &notify)
                .ok();
        }
        if let Some(mql) = match_media(&format!("(resolution: {dpr}dppx)")) {
            mql.add_event_listener_with_callback("change", &notify).ok();
            *query = Some((dpr, mql));
        }
    }
}

trait ClonedFn {
    fn cloned_fn(self) -> Option<js_sys::Function>;
}

impl ClonedFn for Option<&Callback0> {
    fn cloned_fn(self) -> Option<js_sys::Function> {
        self.map(|c| c.as_ref().unchecked_ref::<js_sys::Function>().clone())
    }
}

/// Watches an element's box (ResizeObserver), the device pixel ratio, the `.lab` element's
/// `data-theme` (MutationObserver) and the system's colour scheme, and reports the resulting
/// `ViewEnv` once per animation frame in which something changed. Dropping it disconnects
/// every observer and listener.
struct EnvWatch {
    shared: Rc<Shared>,
    resize: Option<ResizeObserver>,
    mutation: Option<MutationObserver>,
    scheme: Option<MediaQueryList>,
}

impl EnvWatch {
    fn start(node: Element, set: impl Fn(ViewEnv) + 'static) -> EnvWatch {
        let shared = Rc::new(Shared {
            node,
            set: Box::new(set),
            frame_id: Cell::new(None),
            notify: RefCell::new(None),
            frame: RefCell::new(None),
            dpr_query: RefCell::new(None),
        });
        let weak = Rc::downgrade(&shared);
        *shared.notify.borrow_mut() = Some(Closure::new(move || {
            if let Some(s) = weak.upgrade() {
                s.schedule();
            }
        }));
        let weak = Rc::downgrade(&shared);
        *shared.frame.borrow_mut() = Some(Closure::new(move || {
            if let Some(s) = weak.upgrade() {
                s.update();
            }
        }));
        let notify = shared
            .notify
            .borrow()
            .as_ref()
            .cloned_fn()
            .expect("just set");
        let resize = ResizeObserver::new(&notify).ok();
        if let Some(r) = &resize {
            r.observe(&shared.node);
        }
        let mutation = shared.node.closest(".lab").ok().flatten().and_then(|lab| {
            let observer = MutationObserver::new(&notify).ok()?;
            let init = MutationObserverInit::new();
            init.set_attributes(true);
            init.set_attribute_filter(&js_sys::Array::of1(&"data-theme".into()));
            observer.observe_with_options(&lab, &init).ok()?;
            Some(observer)
        });
        let scheme = match_media("(prefers-color-scheme: dark)");
        if let Some(m) = &scheme {
            m.add_event_listener_with_callback("change", &notify).ok();
        }
        shared.watch_dpr();
        (shared.set)(measure(&shared.node));
        EnvWatch {
            shared,
            resize,
            mutation,
            scheme,
        }
    }
}

impl Drop for EnvWatch {
    fn drop(&mut self) {
        if let Some(r) = &self.resize {
            r.disconnect();
        }
        if let Some(m) = &self.mutation {
            m.disconnect();
        }
        if let Some(notify) = self.shared.notify.borrow().as_ref().cloned_fn() {
            if let Some(m) = &self.scheme {
                m.remove_event_listener_with_callback("change", &notify)
                    .ok();
            }
            if let Some((_, m)) = self.shared.dpr_query.borrow_mut().take() {
                m.remove_event_listener_with_callback("change", &notify)
                    .ok();
            }
        }
        if let (Some(id), Some(w)) = (self.shared.frame_id.take(), web_sys::window()) {
            w.cancel_animation_frame(id).ok();
        }
        // Nothing can call the closures any more: free them.
        self.shared.notify.borrow_mut().take();
        self.shared.frame.borrow_mut().take();
    }
}

/// The `ViewEnv` of the element behind `node`, re-rendering the component when it changes:
/// its width (a resize), the device pixel ratio (zoom) or the theme. No props needed: the
/// theme is read from the `.lab` element's `data-theme` and the system's setting.
#[hook]
pub(crate) fn use_view_env(node: NodeRef) -> ViewEnv {
    let env = use_state_eq(ViewEnv::default);
    let setter = env.setter();
    use_effect_with(node, move |node| {
        let watch = node
            .cast::<Element>()
            .map(|el| EnvWatch::start(el, move |e| setter.set(e)));
        move || drop(watch)
    });
    *env
}

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

/// A canvas that `draw` redraws whenever `deps` change (once per trace, not per frame), and
/// when its width, the device pixel ratio or the colour theme changes; a drawing error goes to
/// the console rather than breaking the page.
#[hook]
pub(crate) fn use_drawn_canvas<D: PartialEq + 'static>(
    what: &'static str,
    deps: D,
    draw: fn(HtmlCanvasElement, &D) -> Result<(), String>,
) -> NodeRef {
    let canvas_ref = use_node_ref();
    let env = use_view_env(canvas_ref.clone());
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with((deps, env), move |(deps, _)| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                if let Err(e) = draw(canvas, deps) {
                    web_sys::console::warn_1(&format!("{what}: {e}").into());
                }
            }
        });
    }
    canvas_ref
}

/// The playback cursor over a canvas plot, at `t` of `end`: a line in an SVG layer that the
/// stylesheet places over the plot area (the `.chart-wrap`'s `--plot-left`/`--plot-right`).
/// Drawn with SVG attributes, not inline styles.
pub(crate) fn time_cursor(t: f64, end: f64) -> Html {
    plot_line(t, end, "cursor")
}

/// A vertical line at `t` of `end` over the plot area, drawn with the stylesheet's `class`.
pub(crate) fn plot_line(t: f64, end: f64, class: &'static str) -> Html {
    let frac = (t / end.max(1e-9)).clamp(0.0, 1.0);
    let x = format!("{:.3}%", frac * 100.0);
    html! {
        <svg class="cursor-layer" aria-hidden="true" focusable="false">
            <line {class} x1={x.clone()} x2={x} y1="0" y2="100%" />
        </svg>
    }
}

/// Sizes the canvas's backing store to its CSS width × devicePixelRatio (height from
/// `css_height(css_width)`), fills it with the theme's card colour, and returns the drawing
/// area, the ratio and the colours in force on the canvas.
pub(crate) fn prepare(
    canvas: HtmlCanvasElement,
    css_height: impl Fn(f64) -> f64,
) -> Result<(Area, f64, Palette), String> {
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let css_w = match canvas.client_width() {
        w if w > 0 => f64::from(w),
        _ => 520.0,
    };
    canvas.set_width((css_w * dpr).round() as u32);
    canvas.set_height((css_height(css_w) * dpr).round() as u32);
    let palette = Palette::of(&canvas);
    let root = CanvasBackend::with_canvas_object(canvas)
        .ok_or("no 2d context")?
        .into_drawing_area();
    root.fill(&palette.rgb("--card", CARD))
        .map_err(|e| e.to_string())?;
    Ok((root, dpr, palette))
}

fn draw(
    canvas: HtmlCanvasElement,
    trace: &Trace,
    highlight: Option<usize>,
    lang: Lang,
) -> Result<(), String> {
    let (root, dpr, palette) = prepare(canvas, |w| w * 0.72)?;
    let ink = ChartInk::of(&palette);
    let (pass, pass_now, stop, threshold) = (
        palette.rgb("--chart-pass", PASS),
        palette.rgb("--chart-pass-now", PASS_NOW),
        palette.rgb("--chart-stop", STOP),
        palette.rgb("--chart-threshold", THRESHOLD),
    );
    let px = |v: f64| (v * dpr) as u32;
    let font = |size: f64| ink.text(size, dpr);
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
        .axis_style(ink.axis)
        .bold_line_style(ink.grid)
        .light_line_style(ink.grid_light)
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
                    let colour = if Some(i) == highlight { pass_now } else { pass };
                    Rectangle::new([(x - 0.38, lo), (x + 0.38, d.1.max(lo))], colour.filled())
                }),
        )
        .map_err(|e| e.to_string())?;
    if let Some(si) = stop_index {
        let x = (si + 1) as f64;
        let style = if highlight == Some(si) {
            stop.mix(1.0)
        } else {
            stop.mix(0.85)
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
            .draw_series(LineSeries::new(line, threshold.stroke_width(px(2.0))))
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
    let (hover, on_select) = inspect::use_probe();
    let canvas_ref = use_drawn_canvas(
        "chart",
        (props.trace.clone(), hover.or(props.highlight), lang),
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
                <li><span class="swatch chart-stop"></span>{lang.pick("blackout: last pages + device state, VM paused", "Blackout: letzte Seiten + Gerätezustand, VM angehalten")}</li>
                <li><span class="swatch line chart-threshold"></span>{lang.pick(
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

/// Plot-area offsets in CSS pixels; the stylesheet places the time cursor with the same ones
/// (`.chart-wrap.plot-link`).
const LINK_LEFT: f64 = 60.0;
const LINK_RIGHT: f64 = 28.0;
/// Instants the link chart's inspector steps through, across the run.
const PROBE_STEPS: usize = 200;

fn draw_link(canvas: HtmlCanvasElement, trace: &Trace, lang: Lang) -> Result<(), String> {
    let f = Fmt(lang);
    let (root, dpr, palette) = prepare(canvas, |_| 170.0)?;
    let ink = ChartInk::of(&palette);
    let px = |v: f64| (v * dpr) as u32;
    let font = |size: f64| ink.text(size, dpr);
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
        .axis_style(ink.axis)
        .bold_line_style(ink.grid)
        .light_line_style(ink.grid_light)
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
            palette.rgb("--chart-other", OTHER).filled(),
        )))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(std::iter::once(Polygon::new(
            mig,
            palette.rgb("--chart-pass", PASS).mix(0.85).filled(),
        )))
        .map_err(|e| e.to_string())?;
    if line > 0.0 {
        chart
            .draw_series(LineSeries::new(
                [(0.0, line), (end, line)],
                palette
                    .rgb("--chart-line-rate", LINE_RATE)
                    .stroke_width(px(1.0)),
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
    let (probe, on_select) = inspect::use_probe();
    let canvas_ref = use_drawn_canvas(
        "link chart",
        (props.trace.clone(), lang),
        |canvas, (trace, lang)| draw_link(canvas, trace, *lang),
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

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn css_colours_parse() {
        assert_eq!(parse_colour(" #e8710a"), Some((0xe8, 0x71, 0x0a)));
        assert_eq!(parse_colour("#FFF"), Some((255, 255, 255)));
        assert_eq!(parse_colour("rgb(47, 125, 79)"), Some((47, 125, 79)));
        assert_eq!(parse_colour("rgb(47 125 79)"), Some((47, 125, 79)));
        assert_eq!(parse_colour(""), None);
        assert_eq!(parse_colour("#e8710"), None);
        assert_eq!(parse_colour("#é8710a"), None);
        assert_eq!(parse_colour("var(--x)"), None);
    }
}
