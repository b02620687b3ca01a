//! Memory sent per pass (log scale) against the stop policy's threshold, drawn with plotters;
//! the link-use chart; and what every canvas here shares: a backing store sized to the device
//! pixel ratio, colours read from the page's CSS custom properties, and a redraw when the box,
//! the pixel ratio or the colour theme changes.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    CssStyleDeclaration, Element, HtmlCanvasElement, MediaQueryList, MutationObserver,
    MutationObserverInit, ResizeObserver,
};
use yew::prelude::*;

use crate::charts::{self, Colours};
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
/// which the page sets for the light and the dark theme. Each property is read once: reading
/// the computed style after the DOM changed makes the browser recompute styles on the spot.
pub(crate) struct Palette {
    style: Option<CssStyleDeclaration>,
    read: RefCell<Vec<(String, Option<Rgb>)>>,
}

type Rgb = (u8, u8, u8);

impl Palette {
    pub(crate) fn of(el: &Element) -> Palette {
        Palette {
            style: web_sys::window().and_then(|w| w.get_computed_style(el).ok().flatten()),
            read: RefCell::new(Vec::new()),
        }
    }

    fn get(&self, name: &str) -> Option<(u8, u8, u8)> {
        if let Some((_, v)) = self.read.borrow().iter().find(|(n, _)| n == name) {
            return *v;
        }
        let v = self
            .style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .and_then(|v| parse_colour(&v));
        self.read.borrow_mut().push((name.to_string(), v));
        v
    }

    /// The chart colours in force.
    pub(crate) fn colours(&self) -> Colours {
        Colours::from_properties(|name| self.get(name))
    }

    /// The same as a CSS colour string ("#rrggbb") for a 2D context's fill style.
    pub(crate) fn css(&self, name: &str, fallback: &str) -> String {
        self.get(name).map_or_else(
            || fallback.to_string(),
            |(r, g, b)| format!("#{r:02x}{g:02x}{b:02x}"),
        )
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
    /// Whether the element's environment has been reported. A component's first render has
    /// not: its `use_view_env` effect measures the element and sets the environment, which
    /// renders it again right away (before the browser paints), so a drawing made in the
    /// first render would be thrown away, after a forced layout and a full draw.
    pub(crate) fn measured(&self) -> bool {
        self.dpr > 0.0
    }

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
    /// `now`: measure the element at once (a forced layout when the DOM just changed), else
    /// first when the ResizeObserver reports its box, in the next frame.
    fn start(node: Element, now: bool, set: impl Fn(ViewEnv) + 'static) -> EnvWatch {
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
        if now {
            (shared.set)(measure(&shared.node));
        }
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
    use_view_env_measured(node, true)
}

/// `use_view_env`, measuring the element at mount (`now`) or a frame later, when the
/// ResizeObserver first reports it. Later suits a drawing that appears while the reader drags
/// (the cluster's small memory maps): measuring a box just added to the page makes the browser
/// lay the page out synchronously, 3 ms and more in the cluster view, on that input.
#[hook]
pub(crate) fn use_view_env_measured(node: NodeRef, now: bool) -> ViewEnv {
    let env = use_state_eq(ViewEnv::default);
    let setter = env.setter();
    use_effect_with(node, move |node| {
        let watch = node
            .cast::<Element>()
            .map(|el| EnvWatch::start(el, now, move |e| setter.set(e)));
        move || drop(watch)
    });
    *env
}

pub(crate) type Area = DrawingArea<CanvasBackend, plotters::coord::Shift>;

/// A canvas that `draw` redraws whenever `deps` change (once per trace, not per frame), and
/// when its width, the device pixel ratio or the colour theme changes; a drawing error goes to
/// the console rather than breaking the page.
#[hook]
pub(crate) fn use_drawn_canvas<D: PartialEq + 'static>(
    what: &'static str,
    deps: D,
    draw: fn(HtmlCanvasElement, &Surface, &D) -> Result<(), String>,
) -> NodeRef {
    let canvas_ref = use_node_ref();
    let env = use_view_env(canvas_ref.clone());
    let measured = use_mut_ref(Measured::default);
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with((deps, env), move |(deps, env)| {
            if !env.measured() {
                return;
            }
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                let surface = measured.borrow_mut().of(&canvas, *env, 520.0);
                if let Err(e) = draw(canvas, &surface, deps) {
                    web_sys::console::warn_1(&format!("{what}: {e}").into());
                }
            }
        });
    }
    canvas_ref
}

/// What a canvas's drawing reads from the page: its CSS width (`clientWidth`) and its
/// colours. Both are read again only when the canvas's `ViewEnv` changes; it follows the box
/// (a ResizeObserver) and the theme, so neither can change without it. Reading them on every
/// redraw, right after a render changed the DOM, made the browser lay out the page and
/// recompute its styles synchronously each time.
#[derive(Clone)]
pub(crate) struct Surface {
    /// CSS pixels.
    pub(crate) width: f64,
    pub(crate) palette: Rc<Palette>,
}

/// The `Surface` last read and the `ViewEnv` it was read in.
#[derive(Default)]
pub(crate) struct Measured(Option<(ViewEnv, Surface)>);

impl Measured {
    /// The canvas's surface in `env`; `fallback` is the width while the box has none.
    pub(crate) fn of(
        &mut self,
        canvas: &HtmlCanvasElement,
        env: ViewEnv,
        fallback: f64,
    ) -> Surface {
        match &self.0 {
            Some((seen, surface)) if *seen == env => surface.clone(),
            _ => {
                let width = match canvas.client_width() {
                    w if w > 0 => f64::from(w),
                    _ => fallback,
                };
                let surface = Surface {
                    width,
                    palette: Rc::new(Palette::of(canvas)),
                };
                self.0 = Some((env, surface.clone()));
                surface
            }
        }
    }
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
    surface: &Surface,
    css_height: impl Fn(f64) -> f64,
) -> Result<(Area, f64, Rc<Palette>), String> {
    let css_w = surface.width;
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    canvas.set_width((css_w * dpr).round() as u32);
    canvas.set_height((css_height(css_w) * dpr).round() as u32);
    let palette = surface.palette.clone();
    let root = CanvasBackend::with_canvas_object(canvas)
        .ok_or("no 2d context")?
        .into_drawing_area();
    root.fill(&palette.colours().card)
        .map_err(|e| e.to_string())?;
    Ok((root, dpr, palette))
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
