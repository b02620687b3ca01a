//! What every canvas of the page shares: a backing store sized to the device pixel ratio,
//! colours read from the page's CSS custom properties, a redraw when the box, the pixel ratio
//! or the colour theme changes, and the time cursor drawn over a chart.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, CssStyleDeclaration, Element, HtmlCanvasElement, MediaQueryList,
    MutationObserver, MutationObserverInit, ResizeObserver,
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

pub(crate) type Area = DrawingArea<Canvas2d, plotters::coord::Shift>;

/// A drawing error of the 2D context, as the browser reported it.
#[derive(Debug)]
pub(crate) struct CanvasError(String);

impl std::fmt::Display for CanvasError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Canvas Error: {}", self.0)
    }
}

impl std::error::Error for CanvasError {}

type Drawn = Result<(), DrawingErrorKind<CanvasError>>;

fn canvas_error(e: wasm_bindgen::JsValue) -> DrawingErrorKind<CanvasError> {
    DrawingErrorKind::DrawingError(CanvasError(format!("{e:?}")))
}

/// The charts' plotters backend on a 2D context. It draws each shape with the calls of
/// plotters' own canvas backend (`plotters-canvas`), but sets a colour, a line width, a font
/// or a text alignment only when it differs from the one in force: a chart's grid draws
/// dozens of lines in one colour, and each colour set anew was a string formatted in the
/// wasm, decoded and parsed by the browser (a fifth of the charts' drawing time per slider
/// step). The state it remembers is the context's from its last reset (`prepare` sizes the
/// canvas, which resets it), so the pixels are the same.
///
/// It draws off the page: on a canvas of the page, the first font set after the DOM changed
/// made the browser recompute the page's styles on the spot (a canvas in the document resolves
/// its font against them), a millisecond and more per chart on every slider step. A canvas
/// outside the document has no styles to wait for; when the drawing is done (the backend is
/// dropped with the last of plotters' handles on it) its pixels are copied onto the shown
/// canvas in one `drawImage`.
pub(crate) struct Canvas2d {
    /// The off-page canvas drawn on.
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    /// The canvas of the page the drawing is copied onto.
    shown: HtmlCanvasElement,
    fill: Option<Colour>,
    stroke: Option<(Colour, u32)>,
    /// The font's style, size (bits) and family.
    font: Option<(String, u64, String)>,
    text_align: Option<&'static str>,
    text_baseline: Option<&'static str>,
}

/// A backend colour as plotters' canvas backend writes it: red, green, blue, alpha (bits).
#[derive(Clone, Copy, PartialEq)]
struct Colour((u8, u8, u8), u64);

impl Colour {
    fn of(c: BackendColor) -> Colour {
        Colour(c.rgb, c.alpha.to_bits())
    }

    /// Calls `f` with the colour as CSS. The strings are kept: a chart's grid alternates a
    /// few colours line by line, and formatting each anew was most of its drawing time.
    fn with_css(self, f: impl FnOnce(&str)) {
        thread_local! {
            static CSS: RefCell<Vec<(Colour, String)>> = const { RefCell::new(Vec::new()) };
        }
        CSS.with(|cache| {
            let mut cache = cache.borrow_mut();
            let i = match cache.iter().position(|(c, _)| *c == self) {
                Some(i) => i,
                None => {
                    let ((r, g, b), a) = (self.0, f64::from_bits(self.1));
                    // A theme's palette has a dozen colours; a bound in case of more.
                    if cache.len() >= 64 {
                        cache.clear();
                    }
                    cache.push((self, format!("rgba({r},{g},{b},{a})")));
                    cache.len() - 1
                }
            };
            f(&cache[i].1);
        });
    }
}

impl Canvas2d {
    fn new(canvas: HtmlCanvasElement, shown: HtmlCanvasElement) -> Option<Canvas2d> {
        let ctx = context_2d(&canvas)?;
        Some(Canvas2d {
            canvas,
            ctx,
            shown,
            fill: None,
            stroke: None,
            font: None,
            text_align: None,
            text_baseline: None,
        })
    }

    fn set_fill(&mut self, c: BackendColor) {
        let c = Colour::of(c);
        if self.fill != Some(c) {
            c.with_css(|css| self.ctx.set_fill_style_str(css));
            self.fill = Some(c);
        }
    }

    fn set_line_style(&mut self, style: &impl BackendStyle) {
        let c = Colour::of(style.color());
        let width = style.stroke_width();
        match self.stroke {
            Some((seen, w)) if seen == c && w == width => {}
            Some((seen, _)) if seen == c => self.ctx.set_line_width(f64::from(width)),
            Some((_, w)) if w == width => c.with_css(|css| self.ctx.set_stroke_style_str(css)),
            _ => {
                c.with_css(|css| self.ctx.set_stroke_style_str(css));
                self.ctx.set_line_width(f64::from(width));
            }
        }
        self.stroke = Some((c, width));
    }

    fn set_text(&mut self, style: &impl BackendTextStyle) {
        let baseline = match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        };
        if self.text_baseline != Some(baseline) {
            self.ctx.set_text_baseline(baseline);
            self.text_baseline = Some(baseline);
        }
        let align = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        };
        if self.text_align != Some(align) {
            self.ctx.set_text_align(align);
            self.text_align = Some(align);
        }
        self.set_fill(style.color());
        let (font_style, size, family) = (style.style(), style.size(), style.family());
        let same = self.font.as_ref().is_some_and(|(st, sz, fam)| {
            st == font_style.as_str() && *sz == size.to_bits() && fam == family.as_str()
        });
        if !same {
            self.ctx.set_font(&format!(
                "{} {}px {}",
                font_style.as_str(),
                size,
                family.as_str()
            ));
            self.font = Some((
                font_style.as_str().to_string(),
                size.to_bits(),
                family.as_str().to_string(),
            ));
        }
    }
}

impl Drop for Canvas2d {
    /// Copies the drawing onto the shown canvas. The shown canvas is resized only when its size
    /// changed (a resize clears it and resets its state).
    fn drop(&mut self) {
        let (w, h) = (self.canvas.width(), self.canvas.height());
        if self.shown.width() != w || self.shown.height() != h {
            self.shown.set_width(w);
            self.shown.set_height(h);
        }
        // The drawing is opaque (`prepare` fills it with the card's colour first): drawn over
        // the old one, it replaces every pixel.
        if let Some(ctx) = context_2d(&self.shown) {
            ctx.draw_image_with_html_canvas_element(&self.canvas, 0.0, 0.0)
                .ok();
        }
    }
}

impl Canvas2d {
    /// Adds `path` to the context's path: a move to its first point and a line to each of
    /// the others. False when it has no point.
    fn trace(&self, path: impl IntoIterator<Item = BackendCoord>) -> bool {
        let mut path = path.into_iter();
        let Some(start) = path.next() else {
            return false;
        };
        self.ctx.move_to(f64::from(start.0), f64::from(start.1));
        for next in path {
            self.ctx.line_to(f64::from(next.0), f64::from(next.1));
        }
        true
    }
}

/// A horizontal or vertical line moved half a pixel, onto the pixel grid, so that it is not
/// blurred across two (as plotters' canvas backend does).
fn on_pixels(from: BackendCoord, to: BackendCoord) -> ((f64, f64), (f64, f64)) {
    let mut from = (f64::from(from.0), f64::from(from.1));
    let mut to = (f64::from(to.0), f64::from(to.1));
    if from.0 == to.0 {
        from.0 -= 0.5;
        to.0 -= 0.5;
    }
    if from.1 == to.1 {
        from.1 -= 0.5;
        to.1 -= 0.5;
    }
    (from, to)
}

impl DrawingBackend for Canvas2d {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        (self.canvas.width(), self.canvas.height())
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.set_fill(color);
        self.ctx
            .fill_rect(f64::from(point.0), f64::from(point.1), 1.0, 1.0);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (from, to) = on_pixels(from, to);
        self.set_line_style(style);
        self.ctx.begin_path();
        self.ctx.move_to(from.0, from.1);
        self.ctx.line_to(to.0, to.1);
        self.ctx.stroke();
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(upper_left.0), f64::from(upper_left.1));
        let w = f64::from(bottom_right.0 - upper_left.0);
        let h = f64::from(bottom_right.1 - upper_left.1);
        if fill {
            self.set_fill(style.color());
            self.ctx.fill_rect(x, y, w, h);
        } else {
            self.set_line_style(style);
            self.ctx.stroke_rect(x, y, w, h);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.set_line_style(style);
        self.ctx.begin_path();
        self.trace(path);
        self.ctx.stroke();
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.set_fill(style.color());
        self.ctx.begin_path();
        if self.trace(path) {
            self.ctx.close_path();
        }
        self.ctx.fill();
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        if fill {
            self.set_fill(style.color());
        } else {
            self.set_line_style(style);
        }
        self.ctx.begin_path();
        self.ctx
            .arc(
                f64::from(center.0),
                f64::from(center.1),
                f64::from(radius),
                0.0,
                std::f64::consts::PI * 2.0,
            )
            .map_err(canvas_error)?;
        if fill {
            self.ctx.fill();
        } else {
            self.ctx.stroke();
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let degrees = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 90.0,
            FontTransform::Rotate180 => 180.0,
            FontTransform::Rotate270 => 270.0,
        };
        // Set before `save`, so that the `restore` after a rotated text keeps them in force.
        self.set_text(style);
        let (mut x, mut y) = (f64::from(pos.0), f64::from(pos.1));
        if degrees != 0.0 {
            self.ctx.save();
            self.ctx.translate(x, y).map_err(canvas_error)?;
            self.ctx
                .rotate(degrees / 180.0 * std::f64::consts::PI)
                .map_err(canvas_error)?;
            (x, y) = (0.0, 0.0);
        }
        self.ctx.fill_text(text, x, y).map_err(canvas_error)?;
        if degrees != 0.0 {
            self.ctx.restore();
        }
        Ok(())
    }
}

/// A canvas that `draw` redraws whenever `deps` change (once per trace, not per frame), and
/// when its width, the device pixel ratio or the colour theme changes; a drawing error goes to
/// the console rather than breaking the page. (A chart far off screen is not drawn on every
/// step of a drag: its panel is held, `held::Held`.)
#[hook]
pub(crate) fn use_drawn_canvas<D: PartialEq + Clone + 'static>(
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
    /// The off-page canvas a chart is drawn on before it is copied onto the page's
    /// ([`Canvas2d`]), made at its first drawing and kept; `data-chart` names the shown
    /// canvas's id.
    offpage: Rc<OnceCell<HtmlCanvasElement>>,
}

/// A canvas outside the document.
fn offpage_canvas() -> Option<HtmlCanvasElement> {
    web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()
}

/// An off-page canvas for drawing `shown`'s pictures.
fn offpage_for(shown: &HtmlCanvasElement) -> Option<HtmlCanvasElement> {
    let canvas = offpage_canvas()?;
    canvas.set_attribute("data-chart", &shown.id()).ok();
    Some(canvas)
}

thread_local! {
    /// The off-page context text is measured in, and the font last set on it.
    static MEASURE: RefCell<Option<(CanvasRenderingContext2d, String)>> = const { RefCell::new(None) };
}

/// The width of `text` in `font` (a CSS font, "12px sans-serif"), CSS pixels, measured on a
/// canvas off the page (see [`Canvas2d`]: on the page's, setting the font recomputed styles).
pub(crate) fn text_width(font: &str, text: &str) -> Option<f64> {
    MEASURE.with(|m| {
        let mut m = m.borrow_mut();
        if m.is_none() {
            *m = Some((context_2d(&offpage_canvas()?)?, String::new()));
        }
        let (ctx, set) = m.as_mut()?;
        if set != font {
            ctx.set_font(font);
            *set = font.to_string();
        }
        ctx.measure_text(text).ok().map(|t| t.width())
    })
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
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
                let offpage = match &self.0 {
                    Some((_, old)) => old.offpage.clone(),
                    None => Rc::default(),
                };
                let surface = Surface {
                    width,
                    palette: Rc::new(Palette::of(canvas)),
                    offpage,
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
    if surface.offpage.get().is_none() {
        let made = offpage_for(&canvas).ok_or("no canvas off the page")?;
        surface.offpage.set(made).ok();
    }
    let offpage = surface
        .offpage
        .get()
        .cloned()
        .ok_or("no canvas off the page")?;
    // Sizing it clears it and resets its state, which `Canvas2d` starts from.
    offpage.set_width((css_w * dpr).round() as u32);
    offpage.set_height((css_height(css_w) * dpr).round() as u32);
    let palette = surface.palette.clone();
    let root = Canvas2d::new(offpage, canvas)
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
