//! Sharing and embedding: the address bar kept in step with what is shown, the "copy link"
//! button, the notices about a link that could not be restored in full, the height an
//! embedded widget reports to the page around it, and the colours that page gives it.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, MessageEvent, ResizeObserver, Window};
use yew::prelude::*;

use super::incremental::Timer;
use super::state::Theme;
use crate::permalink::Notice;
use crate::text::Lang;

/// The message an embedded widget posts to its parent page whenever its height changes:
/// `{ type: "migration-lab:height", height: <CSS pixels> }`. A page with several embeds tells
/// them apart by `event.source` (the iframe's `contentWindow`).
pub const HEIGHT_MESSAGE: &str = "migration-lab:height";

/// The message a page posts to the widget it embeds to give it its colours:
/// `{ type: "migration-lab:theme", theme: "light" | "dark" | "system" }` (`www/examples/iframe.js`
/// sends the page's whenever it changes, unless the frame's address names a theme).
pub const THEME_MESSAGE: &str = "migration-lab:theme";

/// Milliseconds the address bar waits for changes to settle (a slider drag) before it is
/// rewritten, so a drag makes one history update, not one per step.
const URL_SETTLE_MS: i32 = 250;

/// The page's address with `query` instead of its query string.
pub fn address_with(query: &str) -> Option<String> {
    let loc = web_sys::window()?.location();
    let (origin, path) = (loc.origin().ok()?, loc.pathname().ok()?);
    Some(format!("{origin}{path}?{query}"))
}

/// Replaces the address bar's query string with `query` at once, without a history entry.
/// The fragment (a glossary term the reader jumped to) stays.
pub fn write_address(query: &str) {
    let Some(w) = web_sys::window() else { return };
    let hash = w.location().hash().unwrap_or_default();
    if let Ok(h) = w.history() {
        h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("?{query}{hash}")))
            .ok();
    }
}

/// Rewrites the address bar's query string to `query` once it has stayed the same for a
/// moment (replacing the entry: no history entry per change).
#[hook]
pub fn use_url_sync(query: String, enabled: bool) {
    // The query to write, and one timer for the app's life (a closure per change was a
    // closure per slider step).
    let wanted = use_mut_ref(String::new);
    let timer = {
        let wanted = wanted.clone();
        use_memo((), move |()| {
            Timer::new(move |_: &Timer| write_address(&wanted.borrow()))
        })
    };
    use_effect_with((query, enabled), move |(query, enabled)| {
        if *enabled {
            query.clone_into(&mut wanted.borrow_mut());
            timer.restart(URL_SETTLE_MS);
        } else {
            timer.cancel();
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct CopyLinkProps {
    /// The link to copy.
    pub href: AttrValue,
    pub lang: Lang,
}

/// "Copy link": writes the permalink to the clipboard where the browser allows, and shows it
/// in a field to copy by hand either way.
#[function_component(CopyLink)]
pub fn copy_link(p: &CopyLinkProps) -> Html {
    let shown = use_state_eq(|| false);
    let lang = p.lang;
    let onclick = {
        let (shown, href) = (shown.clone(), p.href.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = web_sys::window() {
                // A rejected write (no permission, an insecure page) leaves the field below.
                let _ = w.navigator().clipboard().write_text(&href);
            }
            shown.set(true);
        })
    };
    let select = Callback::from(|e: FocusEvent| {
        if let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    });
    html! {
        <span class="copy-link">
            <button id="copy-link" {onclick}>{lang.pick("Copy link", "Link kopieren")}</button>
            if *shown {
                <span role="status" class="small">{lang.pick(" Copied: ", " Kopiert: ")}</span>
                <input id="permalink" readonly=true value={p.href.clone()} onfocus={select}
                    aria-label={lang.pick("Link to what is shown", "Link auf das Gezeigte")} />
            }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    pub notices: std::rc::Rc<Vec<Notice>>,
    pub on_dismiss: Callback<()>,
    pub lang: Lang,
}

/// What an opened link asked for and did not get, until the reader dismisses it.
#[function_component(Notices)]
pub fn notices(p: &NoticesProps) -> Html {
    if p.notices.is_empty() {
        return html! {};
    }
    let lang = p.lang;
    let dismiss = p.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="verdict warn notices" role="status" data-testid="link-notices">
            <p>{lang.pick(
                "This link could not be restored in full; the nearest valid state is shown.",
                "Dieser Link ließ sich nicht vollständig wiederherstellen; gezeigt wird der nächstliegende gültige Zustand.")}</p>
            <ul>{ for p.notices.iter().map(|n| html! { <li>{n.text(lang)}</li> }) }</ul>
            <button onclick={dismiss}>{lang.pick("Dismiss", "Schließen")}</button>
        </div>
    }
}

/// The origin of the page this one is embedded in, if any: the first ancestor origin, else
/// the referrer's. Messages go only there.
fn parent_origin() -> Option<String> {
    let window = web_sys::window()?;
    if window.parent().ok().flatten().is_none_or(|p| p == window) {
        return None;
    }
    // `location.ancestorOrigins` (Chromium, WebKit), read by name: web-sys has no binding.
    let ancestors = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into()).ok();
    let first = ancestors.and_then(|a| js_sys::Reflect::get(&a, &0.into()).ok());
    if let Some(first) = first.and_then(|f| f.as_string()) {
        return Some(first);
    }
    let referrer = window.document()?.referrer();
    let url = web_sys::Url::new(&referrer).ok()?;
    Some(url.origin())
}

/// The height the widget's document needs: its root element's box, which (without a minimum
/// height, and with no margin of its own in the stylesheet) is its content's, `el` with every
/// margin and padding around it: what a frame must be for its page not to scroll. `el`'s own
/// box when there is no document.
fn document_height(el: &Element) -> f64 {
    web_sys::window()
        .and_then(|w| w.document()?.document_element())
        .unwrap_or_else(|| el.clone())
        .get_bounding_client_rect()
        .height()
}

/// Posts the document's height to the embedding page whenever the element's changes (a chapter, a tab or
/// a disclosure opening), as `HEIGHT_MESSAGE` to that page's origin only.
#[hook]
pub fn use_height_reporter(node: NodeRef, enabled: bool) {
    use_effect_with(enabled, move |enabled| {
        let observer = (*enabled)
            .then(|| {
                let origin = parent_origin()?;
                let el = node.cast::<Element>()?;
                let parent = web_sys::window()?.parent().ok()??;
                let last = std::cell::Cell::new(-1.0);
                let notify = Closure::<dyn Fn()>::new({
                    let el = el.clone();
                    move || {
                        let height = document_height(&el).ceil();
                        if height == last.get() {
                            return;
                        }
                        last.set(height);
                        let msg = js_sys::Object::new();
                        let set = |k: &str, v: JsValue| js_sys::Reflect::set(&msg, &k.into(), &v);
                        let _ = set("type", HEIGHT_MESSAGE.into());
                        let _ = set("height", height.into());
                        let _ = parent.post_message(&msg, &origin);
                    }
                });
                let ro = ResizeObserver::new(notify.as_ref().unchecked_ref()).ok()?;
                ro.observe(&el);
                Some((ro, notify))
            })
            .flatten();
        move || {
            if let Some((ro, notify)) = observer {
                ro.disconnect();
                drop(notify);
            }
        }
    });
}

/// Takes the colours from the page around an embedded widget while it lives.
pub struct HostTheme {
    window: Window,
    listener: Closure<dyn Fn(MessageEvent)>,
}

impl Drop for HostTheme {
    fn drop(&mut self) {
        let _ = self
            .window
            .remove_event_listener_with_callback("message", self.listener.as_ref().unchecked_ref());
    }
}

/// Calls `on_theme` with each `THEME_MESSAGE` the embedding page posts: only from the parent
/// window and the origin the widget posts its height to; None outside a frame. The page
/// decides whether to send one: `iframe.js` leaves a frame whose address names a theme
/// (`theme=`) in those colours, which it reads from the frame's `src` (the widget rewrites its
/// own address as the reader goes, and a colour the page gave it would then look chosen).
pub fn follow_host_theme(on_theme: impl Fn(Theme) + 'static) -> Option<HostTheme> {
    let origin = parent_origin()?;
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    let listener = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let parent: &JsValue = &parent;
        let from_parent = e.source().is_some_and(|s| JsValue::from(s) == *parent);
        if !from_parent || e.origin() != origin {
            return;
        }
        let data = e.data();
        let field = |k: &str| js_sys::Reflect::get(&data, &k.into()).ok()?.as_string();
        if field("type").as_deref() != Some(THEME_MESSAGE) {
            return;
        }
        if let Some(theme) = field("theme").as_deref().and_then(Theme::from_code) {
            on_theme(theme);
        }
    });
    window
        .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .ok()?;
    Some(HostTheme { window, listener })
}
