//! The guided chapters: navigation (previous, next, progress, a list), the chapter's text with
//! its glossary terms, the settings it teaches and its sources, and the glossary itself.
//!
//! The long texts come in one file per language, fetched the first time a language is shown
//! ([`use_long_texts`]); titles and navigation are there at once, the paragraphs a moment later.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::chapters::{self, chapters, glossary_sorted, pieces, term, Chapter, Piece, Setting};
use crate::text::Lang;

/// Where a language's long texts are when they are not loaded yet.
enum Fetch {
    NotAsked,
    /// On their way; the components to render again when they arrive.
    Pending(Vec<Callback<()>>),
    Failed,
}

thread_local! {
    static FETCHES: RefCell<[Fetch; 2]> = const { RefCell::new([Fetch::NotAsked, Fetch::NotAsked]) };
}

/// Whether a language's long texts can be shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Texts {
    Ready,
    Loading,
    Failed,
}

/// The state of `lang`'s long texts, fetching them the first time a component asks; the
/// component renders again when they arrive (or cannot be had).
#[hook]
fn use_long_texts(lang: Lang) -> Texts {
    let update = use_force_update();
    if chapters::texts(lang).is_some() {
        return Texts::Ready;
    }
    let again = Callback::from(move |()| update.force_update());
    FETCHES.with(|f| {
        let slot = &mut f.borrow_mut()[lang.pick(0, 1)];
        match slot {
            Fetch::Failed => Texts::Failed,
            Fetch::Pending(waiting) => {
                waiting.push(again);
                Texts::Loading
            }
            Fetch::NotAsked => {
                *slot = Fetch::Pending(vec![again]);
                wasm_bindgen_futures::spawn_local(load_texts(lang));
                Texts::Loading
            }
        }
    })
}

/// Fetches `lang`'s text file, keeps it, and renders the waiting components again.
async fn load_texts(lang: Lang) {
    let ok = fetch_text(chapters::text_file(lang))
        .await
        .is_some_and(|file| chapters::set_texts(lang, file));
    let next = if ok { Fetch::NotAsked } else { Fetch::Failed };
    let done = FETCHES.with(|f| std::mem::replace(&mut f.borrow_mut()[lang.pick(0, 1)], next));
    if let Fetch::Pending(waiting) = done {
        for again in waiting {
            again.emit(());
        }
    }
}

/// Where the bundle's files are: `globalThis.migrationLabBase`, which the boot script and the
/// API entry (`migration-lab.js`) set to their own folder, so that a page elsewhere on the
/// site (one that mounts the simulator itself) finds them; else the page's folder.
pub(crate) fn bundle_base() -> String {
    js_sys::Reflect::get(&js_sys::global(), &"migrationLabBase".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The body of the bundle's file `name` as text; None on any failure.
pub(crate) async fn fetch_text(name: &str) -> Option<String> {
    let window = web_sys::window()?;
    let url = format!("{}{name}", bundle_base());
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !response.ok() {
        return None;
    }
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}

/// What shows where long texts are not loaded yet, or could not be.
fn text_placeholder(state: Texts, lang: Lang) -> Html {
    let says = if state == Texts::Failed {
        lang.pick(
            "The text could not be loaded. Reload the page to try again.",
            "Der Text konnte nicht geladen werden. Laden Sie die Seite neu, um es erneut zu versuchen.",
        )
    } else {
        lang.pick("Loading the text…", "Der Text wird geladen…")
    };
    html! { <p class="text-loading">{says}</p> }
}

#[derive(Properties, PartialEq)]
pub struct NavProps {
    pub chapter: usize,
    pub lang: Lang,
    pub on_chapter: Callback<usize>,
    /// Back to the chapter's start.
    pub on_reset: Callback<()>,
}

/// Previous and next, "Chapter 3 of 11", a progress bar and a list of every chapter.
#[function_component(ChapterNav)]
pub fn chapter_nav(p: &NavProps) -> Html {
    let all = chapters();
    let n = all.len();
    let lang = p.lang;
    let go = |i: usize| p.on_chapter.reform(move |_: MouseEvent| i);
    let prev = p.chapter.checked_sub(1);
    let next = (p.chapter + 1 < n).then_some(p.chapter + 1);
    let on_pick = {
        let d = p.on_chapter.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = sel.value().parse::<usize>() {
                d.emit(i);
            }
        })
    };
    let options = all.iter().enumerate().map(|(i, c)| {
        html! {
            <option value={i.to_string()} selected={i == p.chapter}>
                {format!("{}. {}", i + 1, c.title.get(lang))}
            </option>
        }
    });
    let progress = if n > 0 {
        (p.chapter + 1) as f64 / n as f64 * 100.0
    } else {
        0.0
    };
    html! {
        <nav class="chapter-nav" aria-label={lang.pick("Chapters", "Kapitel")}>
            <button id="chapter-prev" disabled={prev.is_none()}
                onclick={prev.map(go).unwrap_or_default()}
                title={lang.pick("Previous chapter ([)", "Vorheriges Kapitel ([)")}>
                {lang.pick("◀ Previous", "◀ Zurück")}
            </button>
            <label class="chapter-pick">
                <span class="visually-hidden">{lang.pick("Chapter", "Kapitel")}</span>
                <select id="chapter-select" onchange={on_pick}>{ for options }</select>
            </label>
            <span class="chapter-count" data-testid="chapter-count">
                {lang.pick(format!("Chapter {} of {n}", p.chapter + 1), format!("Kapitel {} von {n}", p.chapter + 1))}
            </span>
            <button id="chapter-reset" onclick={p.on_reset.reform(|_: MouseEvent| ())}
                title={lang.pick("Reset to the chapter's start: its settings, the run from 0 s", "Zurück zum Anfang des Kapitels: seine Einstellungen, der Lauf ab 0 s")}>
                {lang.pick("↺ Reset", "↺ Zurücksetzen")}
            </button>
            <button id="chapter-next" class="primary" disabled={next.is_none()}
                onclick={next.map(go).unwrap_or_default()}
                title={lang.pick("Next chapter (])", "Nächstes Kapitel (])")}>
                {lang.pick("Next ▶", "Weiter ▶")}
            </button>
            <progress class="chapter-progress" max={n.to_string()} value={(p.chapter + 1).to_string()}
                aria-label={lang.pick("Progress through the chapters", "Fortschritt durch die Kapitel")}>
                {format!("{progress:.0} %")}
            </progress>
        </nav>
    }
}

/// One paragraph with its glossary terms as links to their definitions.
pub fn rich(text: &str, lang: Lang) -> Html {
    let parts = pieces(text).into_iter().map(|piece| match piece {
        Piece::Text(t) => html! { {t} },
        Piece::Code(c) => html! { <code>{c}</code> },
        Piece::Term(id, shown) => match term(id) {
            Some(t) => {
                let words = shown.unwrap_or_else(|| t.term.get(lang));
                // The glossary is folded away; following a term unfolds it first.
                let open = Callback::from(|_: MouseEvent| {
                    if let Some(g) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id("glossary"))
                    {
                        g.set_attribute("open", "").ok();
                    }
                });
                html! {
                    <a class="term" href={format!("#term-{id}")} title={t.definition.get(lang).unwrap_or_default()} onclick={open}>
                        {words}
                    </a>
                }
            }
            None => html! { {shown.unwrap_or(id)} },
        },
    });
    html! { <>{ for parts }</> }
}

#[derive(Properties, PartialEq)]
pub struct TextProps {
    pub chapter: usize,
    pub lang: Lang,
}

/// The chapter's title, text, what to try, the settings it teaches and its sources.
#[function_component(ChapterText)]
pub fn chapter_text(p: &TextProps) -> Html {
    let Some(c): Option<&Chapter> = chapters().get(p.chapter) else {
        return html! {};
    };
    let lang = p.lang;
    let state = use_long_texts(lang);
    let paras = c
        .body
        .get(lang)
        .unwrap_or_default()
        .iter()
        .map(|para| html! { <p>{ rich(para, lang) }</p> });
    let try_this = c.try_this.and_then(|t| t.get(lang));
    html! {
        <article class="chapter panel" id={format!("chapter-{}", c.id)} data-testid="chapter">
            <h2 data-testid="chapter-title">{c.title.get(lang)}</h2>
            if state != Texts::Ready && !c.body.en.is_empty() {
                { text_placeholder(state, lang) }
            }
            { for paras }
            if let Some(t) = try_this {
                <p class="try"><strong>{lang.pick("Try it: ", "Ausprobieren: ")}</strong>{ rich(t, lang) }</p>
            }
            if !c.settings.en.is_empty() || !c.sources.en.is_empty() {
                <details class="chapter-refs">
                    <summary>{lang.pick("Settings and sources", "Einstellungen und Quellen")}</summary>
                    if !c.settings.en.is_empty() {
                        <p class="small">{lang.pick("The real settings: ", "Die echten Einstellungen: ")}</p>
                        <ul class="settings">{ for c.settings.settings(lang).map(|s| match s {
                            Setting::Code(line) => html! { <li><code>{line}</code></li> },
                            Setting::Text(t) => html! { <li>{ rich(t, lang) }</li> },
                        }) }</ul>
                    }
                    if !c.sources.en.is_empty() {
                        <p class="small">{lang.pick("Sources: ", "Quellen: ")}</p>
                        <ul class="sources">{ for c.sources.sources(lang).map(|s| html! {
                            <li><a href={s.url} rel="noopener" target="_blank">{s.title}</a></li>
                        }) }</ul>
                    }
                </details>
            }
        </article>
    }
}

#[derive(Properties, PartialEq)]
pub struct GlossaryProps {
    pub lang: Lang,
}

/// Every term with its definition; chapter texts link here.
#[function_component(Glossary)]
pub fn glossary_view(p: &GlossaryProps) -> Html {
    let lang = p.lang;
    let state = use_long_texts(lang);
    let terms: Vec<_> = glossary_sorted(lang).collect();
    html! {
        <details class="panel glossary" id="glossary">
            <summary><h2 id="glossary-title">{lang.pick(format!("Glossary ({} terms)", terms.len()), format!("Glossar ({} Begriffe)", terms.len()))}</h2></summary>
            <dl>{ for terms.into_iter().map(|t| html! {
                <div id={format!("term-{}", t.id)} tabindex="-1">
                    <dt>{t.term.get(lang)}</dt>
                    <dd>
                        if let Some(d) = t.definition.get(lang) {
                            {d}
                        } else {
                            { text_placeholder(state, lang) }
                        }
                    </dd>
                </div>
            }) }</dl>
        </details>
    }
}
