//! What every canvas of the page shares: a backing store sized to the device pixel ratio,
//! colours read from the page's CSS custom properties, a redraw when the box, the pixel ratio
//! or the colour theme changes, and the time cursor drawn over a chart.

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

use crate::charts::Colours;

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
