//! Sharing and embedding: the address bar kept in step with what is shown, the "copy link"
//! button, the notices about a link that could not be restored in full, the height an
//! embedded widget reports to the page around it, and the colours that page gives it.

use std::cell::{LazyCell, OnceCell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, MessageEvent, ResizeObserver, Window};
use yew::prelude::*;

use super::incremental::Timer;
use super::state::Theme;
use super::ByPtr;
use crate::permalink::{self, Link, Notice};
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

/// A permalink's scenario and cluster pairs (`permalink::encode_pairs`), made the first time a
/// link is asked for: a cluster of thousands of VMs has tens of thousands of pairs, which took
/// the page tens of milliseconds, and a slider drag made a new scenario every frame.
pub type LinkPairs = LazyCell<String, Box<dyn FnOnce() -> String>>;

/// The permalink of what is shown, made when something asks for it (the address bar once a
/// change has settled, "Copy link", the JavaScript API's listeners, an embed's way to the full
/// page), not on every render.
pub struct Permalink {
    /// The view's part of the link: all but the scenario and the cluster.
    view: Link,
    pairs: Rc<LinkPairs>,
    /// The page's address without its query string (with `?`), the query string the address
    /// bar is given ([`permalink::address_query`]), and whether that holds the scenario and
    /// cluster.
    address: OnceCell<(String, String, bool)>,
    /// [`Permalink::full_page`], once asked for (an embed asks on every render), shared with
    /// the link's element rather than copied into it.
    full_page: OnceCell<AttrValue>,
}

impl Permalink {
    pub fn new(view: Link, pairs: Rc<LinkPairs>) -> Permalink {
        Permalink {
            view,
            pairs,
            address: OnceCell::new(),
            full_page: OnceCell::new(),
        }
    }

    /// The whole query string, with the scenario and cluster however long it is (the
    /// JavaScript API's, which is no address).
    pub fn query(&self) -> String {
        permalink::encode_with_encoded(&self.view, &self.pairs)
    }

    fn address(&self) -> &(String, String, bool) {
        self.address.get_or_init(|| {
            let base = web_sys::window()
                .and_then(|w| {
                    let loc = w.location();
                    Some(format!("{}{}?", loc.origin().ok()?, loc.pathname().ok()?))
                })
                .unwrap_or_default();
            let (query, whole) = permalink::address_query(&self.view, &self.pairs, base.len());
            (base, query, whole)
        })
    }

    /// The query string the address bar is given: without the scenario and cluster when the
    /// address would be too long to open again.
    pub fn address_query(&self) -> &str {
        &self.address().1
    }

    /// The link to copy: `None` when the address would be too long to open again.
    pub fn href(&self) -> Option<String> {
        let (base, query, whole) = self.address();
        whole.then(|| format!("{base}{query}"))
    }

    /// How long the whole address would be, characters.
    #[cfg(feature = "full")]
    pub fn whole_len(&self) -> usize {
        self.address().0.len() + self.query().len()
    }

    /// The same state's address on the full page (an embed's way there), without the
    /// scenario and cluster when that would be too long.
    pub fn full_page(&self) -> AttrValue {
        self.full_page
            .get_or_init(|| {
                let view = Link {
                    embed: None,
                    ..self.view.clone()
                };
                let (base, query, _) = Permalink::new(view, self.pairs.clone()).address().clone();
                AttrValue::from(base + &query)
            })
            .clone()
    }
}

/// Rewrites the address bar's query string to `link`'s once it has stayed the same for a
/// moment (replacing the entry: no history entry per change), if `page`; and keeps it in
/// `latest` (for the panel after a panic of an app mounted through the JavaScript API) the
/// same way, and at once when the app mounts.
#[hook]
pub fn use_url_sync(link: ByPtr<Permalink>, page: bool, latest: Option<Rc<RefCell<String>>>) {
    // The link to write, and one timer for the app's life (a closure per change was a
    // closure per slider step).
    let wanted = use_mut_ref(|| None::<ByPtr<Permalink>>);
    let latest_now = latest.clone();
    let timer = {
        let wanted = wanted.clone();
        use_memo((), move |()| {
            Timer::new(move |_: &Timer| {
                let Some(link) = wanted.borrow_mut().take() else {
                    return;
                };
                let query = link.address_query();
                if page {
                    write_address(query);
                }
                if let Some(latest) = &latest {
                    query.clone_into(&mut latest.borrow_mut());
                }
            })
        })
    };
    let first = use_mut_ref(|| true);
    use_effect_with(link, move |link| {
        // A panic right after mounting still has a link to offer.
        if let (Some(latest), true) = (&latest_now, first.replace(false)) {
            link.address_query().clone_into(&mut latest.borrow_mut());
        }
        *wanted.borrow_mut() = Some(link.clone());
        timer.restart(URL_SETTLE_MS);
    });
}

#[derive(Properties, PartialEq)]
pub struct CopyLinkProps {
    /// The link to copy.
    pub link: ByPtr<Permalink>,
    pub lang: Lang,
}

/// "Copy link": writes the permalink to the clipboard where the browser allows, and shows it
/// in a field to copy by hand either way; or says why a link too long to open again is not
/// given.
#[function_component(CopyLink)]
pub fn copy_link(p: &CopyLinkProps) -> Html {
    let shown = use_state_eq(|| false);
    let lang = p.lang;
    let onclick = {
        let (shown, link) = (shown.clone(), p.link.clone());
        Callback::from(move |_: MouseEvent| {
            if let (Some(w), Some(href)) = (web_sys::window(), link.href()) {
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
    let shown = shown.then(|| match p.link.href() {
        Some(href) => html! {
            <>
                <span role="status" class="small">{lang.pick(" Copied: ", " Kopiert: ")}</span>
                <input id="permalink" readonly=true value={href} onfocus={select}
                    aria-label={lang.pick("Link to what is shown", "Link auf das Gezeigte")} />
            </>
        },
        None => too_long(&p.link, lang),
    });
    html! {
        <span class="copy-link">
            <button id="copy-link" {onclick}>{lang.pick("Copy link", "Link kopieren")}</button>
            { for shown }
        </span>
    }
}

/// Why a link is not given. Only the full bundle shows a cluster, whose link can be too
/// long: a scenario's alone is a few hundred characters.
#[cfg(feature = "full")]
fn too_long(link: &Permalink, lang: Lang) -> Html {
    let kb = |chars: usize| format!("{} kB", chars.div_ceil(1000));
    let (long, max) = (kb(link.whole_len()), kb(permalink::MAX_ADDRESS_CHARS));
    html! {
        <span role="status" class="small too-long" data-testid="link-too-long">{match lang {
            Lang::En => format!(" Not copied: a link to what is shown would be {long} long, and addresses over {max} do not open everywhere, so the address bar leaves the cluster and scenario out. Save them as a file (Save and open, below) to share them."),
            Lang::De => format!(" Nicht kopiert: Ein Link auf das Gezeigte wäre {long} lang, und Adressen über {max} lassen sich nicht überall öffnen; die Adressleiste lässt Cluster und Szenario daher weg. Speichern Sie sie als Datei (Speichern und öffnen, unten), um sie weiterzugeben."),
        }}</span>
    }
}

#[cfg(not(feature = "full"))]
fn too_long(_: &Permalink, _: Lang) -> Html {
    Html::default()
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
