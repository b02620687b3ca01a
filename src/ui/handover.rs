//! The page loads in two steps. Its first load is the lite bundle (built without the `full`
//! feature): the first chapter, where a reader starts, which needs no chart library
//! (`chapters::LITE_VIEWS`). Every other chapter, the free views (the single-VM playground
//! with its files, the cluster) and the JavaScript API are in the full bundle, which the
//! boot script (`www/boot.js`) fetches once the first chapter is on screen and the browser is
//! idle, and loads at once for a link to anything else. When the reader opens another
//! chapter, the lite app writes what it shows into the address bar and asks the boot script
//! (`migrationLabFull`) for the full bundle, which unmounts the lite app and mounts the full
//! one from that address: the same chapter, scenario, language, colours and speed.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::files::dropped_file;
use super::share::{write_address, Permalink};
use super::state::{AppState, Mode};
use super::ByPtr;
use crate::chapters::{chapters, LITE_VIEWS};
use crate::engine::Scenario;
use crate::permalink::Link;
use crate::text::Lang;

/// Whether this build carries everything; false in the lite bundle.
pub const FULL: bool = cfg!(feature = "full");

/// Whether chapter `i` shows something only the full bundle has (see `Chapter::lite`).
fn chapter_needs_full(i: usize) -> bool {
    chapters().get(i).is_some_and(|c| !c.lite())
}

/// Whether a scenario uses what only the full bundle's engine runs: QEMU's XBZRLE or
/// post-copy (the first chapter never does; a link or a change can).
fn scenario_needs_full(s: &Scenario) -> bool {
    s.policy.xbzrle_cache().is_some() || s.policy.postcopy().is_some()
}

/// Whether a state shows something only the full bundle has.
pub fn needs_full(state: &AppState) -> bool {
    state.mode == Mode::Cluster
        || chapter_needs_full(state.chapter)
        || scenario_needs_full(&state.scenario)
}

/// Whether the page a link opens shows something only the full bundle has: the chapter it
/// opens (a link only reaches the cluster view through a cluster chapter), or the views an
/// embed asks for.
pub fn link_needs_full(link: &Link) -> bool {
    let views = link.embed.as_ref().and_then(|e| e.views.as_ref());
    chapter_needs_full(AppState::link_chapter(link))
        || views.is_some_and(|v| v.iter().any(|v| !LITE_VIEWS.contains(&v.as_str())))
        || link.scenario.as_ref().is_some_and(scenario_needs_full)
}

/// Asks the boot script for the full bundle. The promise it returns rejects when the bundle
/// cannot be loaded; `failed` is then called with the reason.
pub fn load_full(failed: impl FnOnce(String) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let start = js_sys::Reflect::get(&window, &"migrationLabFull".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(start) = start else {
        failed("this page's boot script cannot load the rest of Migration Lab".into());
        return;
    };
    match start.call0(&JsValue::NULL) {
        Ok(promise) => {
            let promise = js_sys::Promise::from(promise);
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
                    failed(
                        e.as_string()
                            .or_else(|| {
                                e.dyn_ref::<js_sys::Error>()
                                    .map(|e| String::from(e.message()))
                            })
                            .unwrap_or_else(|| "it could not be loaded".into()),
                    );
                }
            });
        }
        Err(_) => failed("it could not be loaded".into()),
    }
}

/// Where a file dropped on the lite app waits for the full one, which opens it.
const DROPPED: &str = "migrationLabDropped";

/// Shows in `root` (still holding the loading text) why the full bundle did not load.
pub fn show_failure(root: &web_sys::Element, lang: Lang, why: &str) {
    root.set_text_content(Some(&failure_text(lang, why)));
    root.set_attribute("role", "alert").ok();
}

fn failure_text(lang: Lang, why: &str) -> String {
    lang.pick(
        format!("This view could not be loaded: {why}. Reload the page to try again."),
        format!(
            "Diese Ansicht konnte nicht geladen werden: {why}. Laden Sie die Seite neu, um es \
             noch einmal zu versuchen."
        ),
    )
}

/// The lite app's drop handler: opening a file is the full bundle's, so the file is kept for
/// it and the page handed over.
pub fn on_drop(link: ByPtr<Permalink>) -> Callback<DragEvent> {
    Callback::from(move |e: DragEvent| {
        if let (Some(file), Some(w)) = (dropped_file(&e), web_sys::window()) {
            e.prevent_default();
            js_sys::Reflect::set(&w, &DROPPED.into(), &file).ok();
            write_address(link.address_query());
            load_full(|why| web_sys::console::error_1(&why.into()));
        }
    })
}

/// A file dropped on the lite app before the full one took over, taken once.
pub fn take_dropped() -> Option<web_sys::File> {
    let w = web_sys::window()?;
    let file = js_sys::Reflect::get(&w, &DROPPED.into()).ok()?;
    js_sys::Reflect::delete_property(&w, &DROPPED.into()).ok();
    file.dyn_into::<web_sys::File>().ok()
}

#[derive(Properties, PartialEq)]
pub struct HandoverProps {
    /// The permalink's query string of what is to be shown.
    pub query: AttrValue,
    pub lang: Lang,
}

/// Shown by the lite app in place of a view it does not have, while the full bundle loads.
#[function_component(Handover)]
pub fn handover(p: &HandoverProps) -> Html {
    let failed = use_state_eq(|| None::<String>);
    {
        let failed = failed.clone();
        use_effect_with(p.query.clone(), move |query| {
            write_address(query);
            load_full(move |why| failed.set(Some(why)));
        });
    }
    let lang = p.lang;
    match &*failed {
        None => html! {
            <p class="loading" role="status" data-testid="handover">{lang.pick("Loading this view…", "Diese Ansicht wird geladen …")}</p>
        },
        Some(why) => html! {
            <p class="fatal" role="alert">{failure_text(lang, why)}</p>
        },
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::permalink::decode;

    fn needs(query: &str) -> bool {
        link_needs_full(&decode(query).link)
    }

    #[wasm_bindgen_test]
    fn the_first_chapter_is_lite_and_the_rest_full() {
        assert!(!needs(""), "the first chapter");
        assert!(!needs(
            "chapter=live-migration&lang=de&s.vm.memory_mib=4096"
        ));
        assert!(!needs("embed=1&views=memory&theme=dark"));
        assert!(needs("embed=1&views=memory,passes"), "an embed's chart");
        assert!(needs("chapter=precopy"), "a chart");
        assert!(needs("chapter=buffers&embed=1&views=sweep"));
        assert!(needs("chapter=playground"));
        assert!(needs("chapter=simultaneous"), "a cluster chapter");
        assert!(needs("chapter=cluster&c.seed=3"));
        // A scenario without a chapter opens the playground.
        assert!(needs("s.vm.memory_mib=4096"));
        // What a link cannot give is left out: an unknown chapter is the first one.
        assert!(!needs("chapter=nope"));
    }
}
