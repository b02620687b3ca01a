//! Files in and out: the scenario as JSON (saved, and opened again from a file picker or by
//! dropping it on the page), the results as JSON and CSV, and the charts as pictures.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DragEvent, HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

use super::state::{Action, AppState};
use super::ByPtr;
use crate::charts::{self, Colours};
use crate::engine::scenario::{describes_cluster, Problem, MAX_SCENARIO_FILE_BYTES};
use crate::engine::{ClusterScenario, ClusterTrace, Scenario, ScenarioError, Trace};
use crate::export;
use crate::text::Lang;

/// Offers `text` as a file download named `name`.
pub fn download_text(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
        download_url(name, &url);
        // Freed once the download has had the URL (not at once: some browsers read it late).
        let revoke = Closure::once_into_js(move || {
            web_sys::Url::revoke_object_url(&url).ok();
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                revoke.unchecked_ref(),
                1000,
            );
        }
    }
}

/// Offers the resource at `url` (an object or data URL) as a download named `name`.
pub fn download_url(name: &str, url: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    a.set_href(url);
    a.set_download(name);
    a.click();
}

/// Saves the canvas `id` (inside `root`) as a PNG picture at its drawn resolution.
pub fn download_png(root: &web_sys::Element, id: &str, name: &str) {
    // A chart far off screen may not have drawn its latest yet; a held panel draws it in the
    // render that paying sets off, which has run by the next task.
    #[cfg(feature = "full")]
    if super::held::draw_owed() {
        let (root, id, name) = (root.clone(), id.to_string(), name.to_string());
        let later = Closure::once_into_js(move || save_png(&root, &id, &name));
        if let Some(w) = web_sys::window() {
            w.set_timeout_with_callback(later.unchecked_ref()).ok();
        }
        return;
    }
    save_png(root, id, name);
}

fn save_png(root: &web_sys::Element, id: &str, name: &str) {
    let canvas = root
        .query_selector(&format!("#{id}"))
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok());
    if let Some(url) = canvas.and_then(|c| c.to_data_url_with_type("image/png").ok()) {
        download_url(name, &url);
    }
}

/// What a scenario file holds: one VM, or a cluster (a file with `hosts`).
pub enum Opened {
    Single(Box<Scenario>),
    Cluster(Box<ClusterScenario>),
}

/// Reads a scenario file's text with the same validation and field-named errors as the
/// command line.
pub fn parse_scenario_file(text: &str) -> Result<Opened, Problem> {
    if describes_cluster(text) {
        ClusterScenario::from_json(text)
            .map(|c| Opened::Cluster(Box::new(c)))
            .map_err(ScenarioError::located)
    } else {
        Scenario::from_json(text)
            .map(|s| Opened::Single(Box::new(s)))
            .map_err(ScenarioError::located)
    }
}

/// Reads `file` and opens it as a scenario, or reports why not.
pub fn open_file(file: web_sys::File, dispatch: UseReducerDispatcher<AppState>) {
    let name = file.name();
    let most = MAX_SCENARIO_FILE_BYTES as f64;
    if file.size() > most {
        dispatch.dispatch(Action::ImportFailed(
            name,
            Problem::FileTooLarge {
                max_mib: MAX_SCENARIO_FILE_BYTES >> 20,
            },
        ));
        return;
    }
    let done = Closure::once(move |text: JsValue| {
        let text = text.as_string().unwrap_or_default();
        match parse_scenario_file(&text) {
            Ok(Opened::Single(s)) => dispatch.dispatch(Action::Import(s)),
            // In a task of its own: a file of thousands of VMs takes tens of milliseconds to
            // parse, and as long again to set up and show, which would make one long task.
            Ok(Opened::Cluster(c)) => {
                let open =
                    Closure::once_into_js(move || dispatch.dispatch(Action::ImportCluster(c)));
                let queued = web_sys::window().is_some_and(|w| {
                    w.set_timeout_with_callback_and_timeout_and_arguments_0(open.unchecked_ref(), 0)
                        .is_ok()
                });
                if !queued {
                    // No window to queue on: nothing could show the cluster anyway.
                    web_sys::console::warn_1(&"no window to open the cluster in".into());
                }
            }
            Err(e) => dispatch.dispatch(Action::ImportFailed(name, e)),
        }
    });
    // The closure lives until the promise settles, then is freed with it.
    let _ = file.text().then(&done);
    done.forget();
}

/// The first file a drop carries.
pub fn dropped_file(e: &DragEvent) -> Option<web_sys::File> {
    e.data_transfer()?.files()?.get(0)
}

/// The first file of a drop on the page, opened as a scenario.
pub fn on_drop(dispatch: UseReducerDispatcher<AppState>) -> Callback<DragEvent> {
    Callback::from(move |e: DragEvent| {
        if let Some(file) = dropped_file(&e) {
            e.prevent_default();
            open_file(file, dispatch.clone());
        }
    })
}

/// Lets files be dropped on the page (the browser would otherwise open them).
pub fn on_drag_over() -> Callback<DragEvent> {
    Callback::from(|e: DragEvent| {
        let files = e
            .data_transfer()
            .is_some_and(|d| d.types().includes(&"Files".into(), 0));
        if files {
            e.prevent_default();
        }
    })
}

/// What the panel saves: the run and the cluster shown.
#[derive(Clone)]
pub struct Saved {
    pub scenario: Rc<Scenario>,
    pub trace: Rc<Trace>,
    pub cluster: Rc<ClusterScenario>,
    pub cluster_trace: Rc<ClusterTrace>,
}

/// The app's latest [`Saved`], read when a button is pressed: the cell stays the same, so a
/// slider step or a frame of the animation does not render the panel again.
pub type LatestSaved = ByPtr<RefCell<Saved>>;

#[derive(Properties, PartialEq)]
pub struct FilesProps {
    pub saved: LatestSaved,
    /// A file the reader picked, to open.
    pub on_open: Callback<web_sys::File>,
    /// The cluster view's files rather than the single VM's.
    pub cluster: bool,
    /// The last file that could not be opened, and why.
    pub import_error: Option<(String, Problem)>,
    pub lang: Lang,
}

/// "Save and open": the scenario, the results and the charts as files, and a file picker.
#[function_component(Files)]
pub fn files(p: &FilesProps) -> Html {
    let lang = p.lang;
    let s = p.saved.clone();
    let cluster = p.cluster;
    let failed = p.import_error.clone();
    let save = |name: &'static str, mime: &'static str, make: fn(&Saved) -> String| {
        let s = s.clone();
        Callback::from(move |_: MouseEvent| download_text(name, mime, &make(&s.0.borrow())))
    };
    // Pictures for print and documents: the light theme's colours, 800 pixels wide.
    type Svg = fn(&Trace, Lang, u32, &Colours) -> Result<String, String>;
    let svg = |name: &'static str, draw: Svg| {
        let s = s.clone();
        Callback::from(move |_: MouseEvent| {
            let trace = s.0.borrow().trace.clone();
            if let Ok(text) = draw(&trace, lang, 800, &Colours::light()) {
                download_text(name, "image/svg+xml", &text);
            }
        })
    };
    let gantt_svg = {
        let s = s.clone();
        Callback::from(move |_: MouseEvent| {
            let trace = s.0.borrow().cluster_trace.clone();
            if let Ok(text) = charts::gantt_svg(&trace, lang, 800, &Colours::light()) {
                download_text("migrations.svg", "image/svg+xml", &text);
            }
        })
    };
    let png = |id: &'static str, name: &'static str| {
        Callback::from(move |e: MouseEvent| {
            let root = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest(".lab").ok().flatten());
            if let Some(root) = root {
                download_png(&root, id, name);
            }
        })
    };
    let on_pick = {
        let open = p.on_open.clone();
        Callback::from(move |e: Event| {
            let input = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
            if let Some(input) = input {
                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                    open.emit(file);
                }
                // The same file can be chosen again after editing it.
                input.set_value("");
            }
        })
    };
    let failed = failed.map(|(name, why)| {
        let why = crate::text::problem(&why, lang);
        html! {
            <p class="verdict bad" role="alert" data-testid="import-error">{lang.pick(
                format!("Could not open {name}: {why}"),
                format!("{name} ließ sich nicht öffnen: {why}"))}</p>
        }
    });
    html! {
        <section class="panel files" data-testid="files">
            <h2>{lang.pick("Save and open", "Speichern und öffnen")}</h2>
            <p class="small">{lang.pick(
                "Save what you see, or open a scenario file (or drop one on the page). Files use the command line's format.",
                "Speichern Sie, was Sie sehen, oder öffnen Sie eine Szenariodatei (oder ziehen Sie sie auf die Seite). Die Dateien haben das Format der Befehlszeile.")}</p>
            <div class="file-buttons">
                if cluster {
                    <button id="save-cluster" onclick={save("cluster.json", "application/json", |s| s.cluster.to_json())}>{lang.pick("Cluster (JSON)", "Cluster (JSON)")}</button>
                    <button id="save-cluster-result" onclick={save("cluster-result.json", "application/json", |s| export::cluster_json(&s.cluster_trace))}>{lang.pick("Results (JSON)", "Ergebnis (JSON)")}</button>
                    <button id="save-migrations-csv" onclick={save("migrations.csv", "text/csv", |s| export::migrations_csv(&s.cluster_trace))}>{lang.pick("Migrations (CSV)", "Migrationen (CSV)")}</button>
                    <button id="save-gantt-svg" onclick={gantt_svg}>{lang.pick("Gantt chart (SVG)", "Gantt-Diagramm (SVG)")}</button>
                    <button id="save-gantt-png" onclick={png("gantt", "migrations.png")}>{lang.pick("Gantt chart (PNG)", "Gantt-Diagramm (PNG)")}</button>
                } else {
                    <button id="save-scenario" onclick={save("scenario.json", "application/json", |s| s.scenario.to_json())}>{lang.pick("Scenario (JSON)", "Szenario (JSON)")}</button>
                    <button id="save-result" onclick={save("result.json", "application/json", |s| export::summary_json(&s.trace))}>{lang.pick("Results (JSON)", "Ergebnis (JSON)")}</button>
                    <button id="save-passes-csv" onclick={save("passes.csv", "text/csv", |s| export::passes_csv(&s.trace))}>{lang.pick("Passes (CSV)", "Durchläufe (CSV)")}</button>
                    <button id="save-pass-svg" onclick={svg("passes.svg", charts::passes_svg)}>{lang.pick("Pass chart (SVG)", "Durchlaufdiagramm (SVG)")}</button>
                    <button id="save-pass-png" onclick={png("pass-chart", "passes.png")}>{lang.pick("Pass chart (PNG)", "Durchlaufdiagramm (PNG)")}</button>
                    <button id="save-link-svg" onclick={svg("link.svg", charts::link_svg)}>{lang.pick("Link chart (SVG)", "Auslastungsdiagramm (SVG)")}</button>
                    <button id="save-link-png" onclick={png("link-chart", "link.png")}>{lang.pick("Link chart (PNG)", "Auslastungsdiagramm (PNG)")}</button>
                }
                <label class="file-pick">
                    {lang.pick("Open scenario… ", "Szenario öffnen … ")}
                    <input id="open-scenario" type="file" accept=".json,application/json" onchange={on_pick} />
                </label>
            </div>
            { for failed }
        </section>
    }
}

/// Presentation properties copied from the page's stylesheet onto an exported drawing, so the
/// file looks the same without the page's CSS.
const STYLE_PROPERTIES: [&str; 9] = [
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "opacity",
    "font-size",
    "font-family",
    "font-weight",
    "text-anchor",
];

/// The inline SVG drawings inside `container` (a view's section) as one standalone SVG file:
/// each drawing stacked under the other at its on-screen size, with the colours and fonts
/// the stylesheet gave it written onto each element, on the card colour.
pub fn standalone_svg(container: &web_sys::Element) -> Option<String> {
    let window = web_sys::window()?;
    let doc = window.document()?;
    let drawings = container
        .query_selector_all("svg:not(.cursor-layer)")
        .ok()?;
    let ns = "http://www.w3.org/2000/svg";
    let out = doc.create_element_ns(Some(ns), "svg").ok()?;
    let background = window
        .get_computed_style(container)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("background-color").ok())
        .unwrap_or_else(|| "#ffffff".into());
    let mut y = 0.0;
    let mut width: f64 = 0.0;
    let mut parts = Vec::new();
    for i in 0..drawings.length() {
        let Some(original) = drawings
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let rect = original.get_bounding_client_rect();
        let clone = original
            .clone_node_with_deep(true)
            .ok()?
            .dyn_into::<web_sys::Element>()
            .ok()?;
        // Element i of the original matches element i of the clone (same tree, same order).
        let from = original.query_selector_all("*").ok()?;
        let to = clone.query_selector_all("*").ok()?;
        let pairs = std::iter::once((original.clone(), clone.clone())).chain(
            (0..from.length()).filter_map(|k| {
                Some((
                    from.item(k)?.dyn_into::<web_sys::Element>().ok()?,
                    to.item(k)?.dyn_into::<web_sys::Element>().ok()?,
                ))
            }),
        );
        for (a, b) in pairs {
            let Some(style) = window.get_computed_style(&a).ok().flatten() else {
                continue;
            };
            for p in STYLE_PROPERTIES {
                if let Ok(v) = style.get_property_value(p) {
                    if !v.is_empty() {
                        let _ = b.set_attribute(p, &v);
                    }
                }
            }
            let _ = b.remove_attribute("class");
            let _ = b.remove_attribute("tabindex");
        }
        let _ = clone.set_attribute("x", "0");
        let _ = clone.set_attribute("y", &format!("{y:.1}"));
        let _ = clone.set_attribute("width", &format!("{:.1}", rect.width()));
        let _ = clone.set_attribute("height", &format!("{:.1}", rect.height()));
        y += rect.height() + 8.0;
        width = width.max(rect.width());
        parts.push(clone);
    }
    if parts.is_empty() {
        return None;
    }
    let height = (y - 8.0).max(1.0);
    let _ = out.set_attribute("xmlns", ns);
    let _ = out.set_attribute("width", &format!("{width:.0}"));
    let _ = out.set_attribute("height", &format!("{height:.0}"));
    let _ = out.set_attribute("viewBox", &format!("0 0 {width:.1} {height:.1}"));
    if let Ok(bg) = doc.create_element_ns(Some(ns), "rect") {
        let _ = bg.set_attribute("width", "100%");
        let _ = bg.set_attribute("height", "100%");
        let _ = bg.set_attribute("fill", &background);
        let _ = out.append_child(&bg);
    }
    for p in parts {
        let _ = out.append_child(&p);
    }
    web_sys::XmlSerializer::new()
        .ok()?
        .serialize_to_string(&out)
        .ok()
}

/// Draws SVG text onto a canvas at twice its size and offers it as a PNG download.
fn download_svg_as_png(svg: String, name: String) {
    let parts = js_sys::Array::of1(&JsValue::from_str(&svg));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let (Ok(blob), Ok(img)) = (
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options),
        web_sys::HtmlImageElement::new(),
    ) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let loaded = {
        let (img, url) = (img.clone(), url.clone());
        Closure::once_into_js(move || {
            let scale = 2.0;
            let canvas = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.create_element("canvas").ok())
                .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok());
            if let Some(canvas) = canvas {
                canvas.set_width((f64::from(img.natural_width()) * scale) as u32);
                canvas.set_height((f64::from(img.natural_height()) * scale) as u32);
                let ctx = canvas
                    .get_context("2d")
                    .ok()
                    .flatten()
                    .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
                if let Some(ctx) = ctx {
                    let _ = ctx.scale(scale, scale);
                    let _ = ctx.draw_image_with_html_image_element(&img, 0.0, 0.0);
                    if let Ok(data) = canvas.to_data_url_with_type("image/png") {
                        download_url(&name, &data);
                    }
                }
            }
            web_sys::Url::revoke_object_url(&url).ok();
        })
    };
    img.set_onload(Some(loaded.unchecked_ref()));
    img.set_src(&url);
}

#[derive(Properties, PartialEq)]
pub struct SaveDrawingProps {
    /// The file name without extension.
    pub name: AttrValue,
    pub lang: Lang,
}

/// "SVG" and "PNG" buttons that save the drawings of the section they sit in.
#[function_component(SaveDrawing)]
pub fn save_drawing(p: &SaveDrawingProps) -> Html {
    let lang = p.lang;
    let svg_of = |e: &MouseEvent| {
        let section = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("section").ok().flatten())?;
        standalone_svg(&section)
    };
    let as_svg = {
        let name = p.name.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(svg) = svg_of(&e) {
                download_text(&format!("{name}.svg"), "image/svg+xml", &svg);
            }
        })
    };
    let as_png = {
        let name = p.name.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(svg) = svg_of(&e) {
                download_svg_as_png(svg, format!("{name}.png"));
            }
        })
    };
    html! {
        <span class="save-drawing">
            <button class="small-button" data-save="svg" onclick={as_svg}
                aria-label={lang.pick("Save this drawing as SVG", "Diese Zeichnung als SVG speichern")}>{"SVG"}</button>
            <button class="small-button" data-save="png" onclick={as_png}
                aria-label={lang.pick("Save this drawing as PNG", "Diese Zeichnung als PNG speichern")}>{"PNG"}</button>
        </span>
    }
}
