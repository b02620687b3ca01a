//! When the simulator panics: an error panel inside each mounted app's own element (never
//! outside it, so the rest of a host page keeps working), saying what happened, with the
//! link to what was shown for a report and a "Reset to defaults" button.
//!
//! A panic aborts the wasm instance, so nothing here may rely on Rust running again: the
//! panel is plain DOM, and its button is handled by the JavaScript that loaded the bundle
//! (`www/boot.js` for the page, `www/migration-lab.js` for mounted instances), which starts
//! a fresh instance.

use crate::text::Lang;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::Element;

/// A mounted app: its element, and where to read the link to what it shows.
struct Root {
    element: Element,
    /// The permalink's query string for an app mounted through the API (the page's own app
    /// reads the address bar instead).
    query: Option<Rc<RefCell<String>>>,
}

thread_local! {
    static ROOTS: RefCell<Vec<Root>> = const { RefCell::new(Vec::new()) };
    static PANICKED: Cell<bool> = const { Cell::new(false) };
}

/// Whether a panic has happened: the animation loop stops rather than call into a broken
/// instance every frame.
pub(crate) fn panicked() -> bool {
    PANICKED.with(Cell::get)
}

/// Remembers a mounted app's element for the panel, and installs the panic hook once.
pub(crate) fn register(element: Element, query: Option<Rc<RefCell<String>>>) {
    install_hook();
    ROOTS.with(|r| r.borrow_mut().push(Root { element, query }));
}

/// Forgets an app that was destroyed.
pub(crate) fn unregister(element: &Element) {
    ROOTS.with(|r| r.borrow_mut().retain(|root| &root.element != element));
}

fn install_hook() {
    thread_local!(static INSTALLED: Cell<bool> = const { Cell::new(false) });
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    yew::set_custom_panic_hook(Box::new(|info| {
        PANICKED.with(|p| p.set(true));
        let what = info.to_string();
        web_sys::console::error_1(&format!("Migration Lab stopped: {what}").into());
        // `try_with`/`try_borrow`: a panic while the list is being changed shows nothing
        // rather than panicking again.
        let _ = ROOTS.try_with(|roots| {
            if let Ok(roots) = roots.try_borrow() {
                for root in roots.iter() {
                    show_panel(root, &what);
                }
            }
        });
    }));
}

/// The page's address (for the page's own app), or the full page's address with the API
/// instance's permalink.
fn link_of(root: &Root) -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    match &root.query {
        None => window.location().href().unwrap_or_default(),
        Some(q) => format!("{}index.html?{}", super::chapter::bundle_base(), q.borrow()),
    }
}

/// The page's address without the scenario, cluster and time: the same chapter, language,
/// colours and embed options, with the chapter's own scenario.
fn reset_link(link: &str) -> String {
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    let query = query.split('#').next().unwrap_or("");
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            !(key.starts_with("s.") || key.starts_with("c.") || key == "t" || kv.is_empty())
        })
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

fn show_panel(root: &Root, what: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // The language the app was showing (its `.lab` element's `lang`).
    let lang = root
        .element
        .query_selector(".lab")
        .ok()
        .flatten()
        .and_then(|lab| lab.get_attribute("lang"))
        .and_then(|code| Lang::from_code(&code))
        .unwrap_or_default();
    let link = link_of(root);
    let el = |tag: &str, text: &str| {
        let e = doc.create_element(tag).ok()?;
        e.set_text_content(Some(text));
        Some(e)
    };
    let Some(panel) = el("div", "") else { return };
    panel.set_class_name("fatal-panel");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("data-testid", "fatal");
    let heading = el(
        "h2",
        lang.pick("Migration Lab stopped", "Migration Lab wurde angehalten"),
    );
    let said = el(
        "p",
        &format!("{}{what}", lang.pick("What happened: ", "Was geschah: ")),
    );
    let report = el(
        "p",
        lang.pick(
            "Please report this with the link to what was shown: ",
            "Bitte melden Sie das mit dem Link auf das Gezeigte: ",
        ),
    );
    if let (Some(report), Some(a)) = (&report, el("a", &link)) {
        let _ = a.set_attribute("href", &link);
        let _ = report.append_child(&a);
    }
    let reset = el(
        "button",
        lang.pick("Reset to defaults", "Auf Standardwerte zurücksetzen"),
    );
    if let Some(b) = &reset {
        let _ = b.set_attribute("type", "button");
        let _ = b.set_attribute("data-lab-reset", &reset_link(&link));
    }
    for part in [heading, said, report, reset].into_iter().flatten() {
        let _ = panel.append_child(&part);
    }
    root.element.set_inner_html("");
    let _ = root.element.append_child(&panel);
}

/// Panics with `message`: lets a test check what a reader sees when the simulator fails.
#[wasm_bindgen(js_name = "__test_panic")]
pub fn test_panic(message: &str) {
    panic!("{message}");
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn reset_keeps_the_view_and_drops_the_scenario() {
        assert_eq!(
            reset_link("http://h/lab/?v=1&chapter=precopy&lang=de&s.vm.memory_mib=4096&t=3#x"),
            "http://h/lab/?v=1&chapter=precopy&lang=de"
        );
        assert_eq!(reset_link("http://h/?s.vm.seed=2"), "http://h/");
        assert_eq!(reset_link("http://h/"), "http://h/");
    }
}
