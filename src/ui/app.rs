//! The page: one reducer holds scenario, trace and clock; one requestAnimationFrame loop
//! advances the clock while playing and is cancelled when playback stops or the app unmounts.

use std::cell::{Cell, LazyCell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::blackout::BlackoutView;
use super::bridge::Bridge;
use super::chapter::{ChapterNav, ChapterText, Glossary};
use super::chart::{LinkChart, PassChart};
use super::cluster::{ClusterProgress, ClusterView};
use super::compare::CompareView;
use super::controls::Controls;
use super::files::{self, Files};
use super::handover::{self, needs_full, Handover, FULL};
use super::held;
use super::incremental::{now_ms, use_turns};
use super::intents::Intents;
use super::lab::LabPanel;
use super::levers::LeverView;
use super::memory_map::MemoryMap;
use super::results::{ResultLine, Results, VerdictBanner};
use super::share::{use_height_reporter, use_url_sync, CopyLink, LinkPairs, Notices, Permalink};
use super::spread::SpreadView;
use super::stage::Stage;
use super::state::{Action, AppState, Mode, Theme};
use super::sweep::SweepChart;
use super::timeline::{PhaseBar, Timeline};
use super::ByPtr;
use crate::chapters::{chapter_index, chapters};
use crate::engine::{ClusterScenario, Scenario};
use crate::model::sliced::Slicing;
use crate::model::{embed_controls, Shown};
use crate::permalink::{encode_pairs, Embed, Link, Notice};
use crate::text::Lang;

#[derive(Properties, PartialEq, Clone, Default)]
pub struct AppProps {
    /// Start from this scenario instead of the default one.
    #[prop_or_default]
    pub scenario: Option<Scenario>,
    /// Force autoplay on or off; by default the run plays unless the reader prefers reduced motion.
    #[prop_or_default]
    pub autoplay: Option<bool>,
    /// The language; English when not given.
    #[prop_or_default]
    pub lang: Option<Lang>,
    /// The chapter to open, by id; the first when not given (the playground when a scenario is).
    #[prop_or_default]
    pub chapter: Option<String>,
    /// Light or dark; the system's setting when not given.
    #[prop_or_default]
    pub theme: Option<Theme>,
    /// Start from this cluster instead of the chapter's.
    #[prop_or_default]
    pub cluster: Option<ClusterScenario>,
    /// Open paused at this time (simulated seconds).
    #[prop_or_default]
    pub t: Option<f64>,
    /// The playback speed.
    #[prop_or_default]
    pub speed: Option<f64>,
    /// What the link that opened the page asked for and could not get, shown until dismissed.
    #[prop_or_default]
    pub notices: Vec<Notice>,
    /// Show the compact widget for other pages (no page chrome) instead of the full page.
    #[prop_or_default]
    pub embed: Option<Embed>,
    /// This app is the page: it keeps the address bar's query string in step with what is
    /// shown and takes the keys pressed on the page's body. An instance mounted into another
    /// page is not.
    #[prop_or_default]
    pub page: bool,
    /// The JavaScript handle's link to this instance, when mounted through the API.
    #[prop_or_default]
    pub bridge: Option<Bridge>,
    /// A file dropped on the page before this app took it over, to open at once.
    #[prop_or_default]
    pub dropped: Option<web_sys::File>,
}

impl AppProps {
    /// The link these props describe.
    fn link(&self) -> Link {
        Link {
            chapter: self.chapter.clone(),
            lang: self.lang,
            theme: self.theme,
            t: self.t,
            speed: self.speed,
            scenario: self.scenario.clone(),
            cluster: self.cluster.clone(),
            embed: self.embed.clone(),
        }
    }
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

type FrameClosure = Closure<dyn FnMut(f64)>;

/// Runs `on_frame(wall_dt_seconds)` every animation frame until the returned guard is dropped.
struct FrameLoop {
    id: Rc<Cell<i32>>,
    closure: Rc<RefCell<Option<FrameClosure>>>,
}

impl FrameLoop {
    fn start(mut on_frame: impl FnMut(f64) + 'static) -> Option<FrameLoop> {
        let window = web_sys::window()?;
        let id = Rc::new(Cell::new(0));
        let closure: Rc<RefCell<Option<FrameClosure>>> = Rc::new(RefCell::new(None));
        let (id2, closure2, window2) = (id.clone(), closure.clone(), window.clone());
        let mut last: Option<f64> = None;
        *closure.borrow_mut() = Some(Closure::new(move |ts: f64| {
            // After a panic the instance is broken: stop rather than fail every frame.
            if super::fatal::panicked() {
                return;
            }
            if let Some(prev) = last {
                on_frame((ts - prev) / 1000.0);
            }
            last = Some(ts);
            if let Some(cb) = closure2.borrow().as_ref() {
                if let Ok(next) = window2.request_animation_frame(cb.as_ref().unchecked_ref()) {
                    id2.set(next);
                }
            }
        }));
        let first = window
            .request_animation_frame(closure.borrow().as_ref()?.as_ref().unchecked_ref())
            .ok()?;
        id.set(first);
        Some(FrameLoop { id, closure })
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.cancel_animation_frame(self.id.get()).ok();
        }
        // Dropping the closure breaks its self-reference; no frame can call it any more.
        self.closure.borrow_mut().take();
    }
}

/// What a key does outside form controls: play and pause, the previous and next chapter,
/// scrubbing.
fn key_action(key: &str, t: f64, duration: f64, chapter: usize) -> Option<Action> {
    Some(match key {
        " " | "k" => Action::Toggle,
        "]" => Action::Chapter(chapter + 1),
        "[" if chapter > 0 => Action::Chapter(chapter - 1),
        "Home" => Action::Seek(0.0),
        "End" => Action::Seek(duration),
        "ArrowLeft" => Action::Seek(t - duration / 20.0),
        "ArrowRight" => Action::Seek(t + duration / 20.0),
        _ => return None,
    })
}

/// Keys typed into a text field, or pressed on a control that Space or Enter operates (a
/// button, a checkbox, a list, a disclosure), are theirs. Anywhere else, including the
/// timeline's slider and links, Space plays and pauses.
fn is_form_control(e: &KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| {
            el.closest(
                "input:not([type=range]),select,textarea,button,summary,[contenteditable],[role=button],[role=tab],[role=checkbox]",
            )
            .ok()
            .flatten()
        })
        .is_some()
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = {
        let props = props.clone();
        use_reducer(move || {
            let autoplay = props.autoplay.unwrap_or_else(|| !prefers_reduced_motion());
            let state = AppState::from_link(
                &props.link(),
                props.notices.clone(),
                props.lang.unwrap_or_default(),
                autoplay,
            );
            // From here on a large cluster runs a slice at a time between frames.
            AppState {
                slicing: FULL.then(|| Slicing::page(now_ms)),
                ..state
            }
        })
    };
    let dispatch = state.dispatcher();
    // Made once: the children's callbacks stay equal from frame to frame.
    let intents = {
        let d = dispatch.clone();
        use_memo((), move |()| Intents::new(d))
    };

    // The single animation loop: runs only while playing; dropped (cancelled) on pause or unmount.
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.clock.playing, move |&playing| {
            let guard = if playing {
                FrameLoop::start(move |dt| dispatch.dispatch(Action::Tick(dt)))
            } else {
                None
            };
            move || drop(guard)
        });
    }

    // The cluster being run gets a slice a task while it runs; the model shows its progress
    // a few times a second.
    use_turns(state.cluster_run.is_some(), intents.cluster_slice.clone());

    let onkeydown = {
        let dispatch = dispatch.clone();
        let (t, duration, chapter) = (state.clock.t, state.clock.duration, state.chapter);
        Callback::from(move |e: KeyboardEvent| {
            let on_range = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    el.matches("input[type=range],[role=slider]")
                        .unwrap_or(false)
                });
            if is_form_control(&e) || (on_range && e.key() != " ") {
                return;
            }
            if let Some(action) = key_action(&e.key(), t, duration, chapter) {
                e.prevent_default();
                dispatch.dispatch(action);
            }
        })
    };

    let lang = state.lang;
    let chapter = chapters().get(state.chapter);
    let embed = props.embed.clone();
    // The permalink of what is shown: remade only when something a link stores changes, not
    // every frame, and put together only when something asks for it (`Permalink`). Its
    // costly part, the scenario's and cluster's differences from the chapter's, is shared by
    // the links made until those change (a seek while paused makes a new link, not new pairs).
    let pairs = {
        let state = state.clone();
        use_memo(
            (
                state.chapter,
                state.scenario.clone(),
                // By identity: a cluster's VMs compared field by field on every seek cost
                // more than the rest of the app's render; an edit makes a new cluster.
                ByPtr(state.cluster.clone()),
                state.mode,
            ),
            move |_| -> LinkPairs {
                LazyCell::new(Box::new(move || encode_pairs(&state.state_pairs())))
            },
        )
    };
    let link = {
        let paused_t = (!state.clock.playing).then_some(state.clock.t.to_bits());
        let key = (
            state.chapter,
            state.lang,
            state.theme,
            ByPtr(pairs),
            state.clock.speed.to_bits(),
            paused_t,
            embed.clone(),
        );
        let state = state.clone();
        ByPtr(use_memo(key, move |(.., ByPtr(pairs), _, _, embed)| {
            Permalink::new(state.view_link(embed.clone()), pairs.clone())
        }))
    };
    use_url_sync(
        link.clone(),
        props.page,
        // (The page's own app reads the address bar after a panic.)
        props
            .bridge
            .as_ref()
            .filter(|_| !props.page)
            .map(|b| b.0.query.clone()),
    );
    {
        let bridge = props.bridge.clone();
        let dispatch = dispatch.clone();
        use_effect_with(bridge, move |b| {
            if let Some(b) = b {
                b.connect(dispatch);
            }
        });
        let (bridge, state) = (props.bridge.clone(), state.clone());
        use_effect_with(link.clone(), move |link| {
            if let Some(b) = bridge {
                b.changed(&state, link);
            }
        });
    }
    {
        let (dropped, dispatch) = (props.dropped.clone(), dispatch.clone());
        use_effect_with((), move |()| {
            // (Only the full bundle is given a file, and only it reads scenario files.)
            if let Some(file) = dropped.filter(|_| FULL) {
                files::open_file(file, dispatch);
            }
        });
    }
    let root = use_node_ref();
    use_height_reporter(root.clone(), embed.is_some());
    let embedded = embed.is_some();
    let only = embed_controls(embed.as_ref(), chapter);
    let shows = |view: &str| state.shown.shows(chapter, view);
    // Views a chapter shows only when it names them.
    let named = |view: &str| state.shown.names(chapter, view);
    let result_line = state.shown.result_line(chapter);
    // A chapter that leads with the lever study shows it first, before the run.
    let levers_first = chapter.is_some_and(|c| c.views.first().is_some_and(|v| v == "levers"));
    let jump = |id: &'static str| {
        let d = dispatch.clone();
        let i = chapter_index(id).unwrap_or(0);
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Chapter(i)))
    };
    // With focus on the page itself (nothing focused), the chapter and playback keys still
    // work: the page's body forwards them.
    let now = use_mut_ref(|| (0.0, 0.0, 0usize));
    *now.borrow_mut() = (state.clock.t, state.clock.duration, state.chapter);
    {
        let dispatch = dispatch.clone();
        let now = now.clone();
        // Only the app that is the page takes the page's keys: two mounted instances must
        // not both start on one Space.
        use_effect_with(props.page, move |&page| {
            let listener = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                let (t, duration, chapter) = *now.borrow();
                let on_body = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| el.tag_name() == "BODY" || el.tag_name() == "HTML");
                if !on_body {
                    return;
                }
                if let Some(action) = key_action(&e.key(), t, duration, chapter) {
                    e.prevent_default();
                    dispatch.dispatch(action);
                }
            });
            let doc = web_sys::window()
                .and_then(|w| w.document())
                .filter(|_| page);
            if let Some(d) = &doc {
                d.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref())
                    .ok();
            }
            move || {
                if let Some(d) = doc {
                    d.remove_event_listener_with_callback(
                        "keydown",
                        listener.as_ref().unchecked_ref(),
                    )
                    .ok();
                }
                drop(listener);
            }
        });
    }
    let to_single = jump("playground");
    let to_cluster = jump("cluster");
    // The theme button cycles: system → dark → light → system.
    let next_theme = match state.theme {
        Theme::System => Theme::Dark,
        Theme::Dark => Theme::Light,
        Theme::Light => Theme::System,
    };
    let on_theme = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::SetTheme(next_theme)))
    };
    let theme_label = match state.theme {
        Theme::System => lang.pick("Colours: system", "Farben: System"),
        Theme::Dark => lang.pick("Colours: dark", "Farben: dunkel"),
        Theme::Light => lang.pick("Colours: light", "Farben: hell"),
    };
    let set_lang = |l: Lang| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::SetLang(l)))
    };
    let has_text = chapter.is_some_and(|c| !c.body.en.is_empty());
    let shows_spread = named("spread");
    let playground = chapter.is_some_and(|c| c.id == "playground");
    let cluster_free = chapter.is_some_and(|c| c.id == "cluster");
    let clock = state.clock;
    let trace = state.trace.clone();
    // Blocks transferred within the last ~4 frames show as in flight, at any speed.
    let window = clock.speed * 4.0 / 60.0;
    let current_pass = trace.pass_index_at(clock.t);
    let in_stop = trace
        .stop_copy
        .as_ref()
        .is_some_and(|s| clock.t >= s.start_s);
    let highlighted = if in_stop {
        Some(trace.passes.len())
    } else {
        current_pass
    };

    // What the files panel saves, read when a button is pressed.
    let saved = {
        let latest = files::Saved {
            scenario: state.scenario.clone(),
            trace: state.trace.clone(),
            cluster: state.cluster.clone(),
            cluster_trace: state.cluster_trace.clone(),
        };
        let cell = use_mut_ref(|| latest.clone());
        *cell.borrow_mut() = latest;
        ByPtr(cell)
    };
    // The lite bundle hands what it does not have over to the full one.
    let hand_over = !FULL && props.page && needs_full(&state);
    let ondrop = if FULL {
        files::on_drop(dispatch.clone())
    } else {
        handover::on_drop(link.clone())
    };
    let ondragover = files::on_drag_over();

    html! {
        <div class={classes!("lab", embedded.then_some("embedded"))} ref={root} {onkeydown} tabindex="-1" lang={lang.code()} data-theme={state.theme.attr()}
            {ondrop} {ondragover}>
            if !embedded {
            <header class="lab-head">
                <div class="head-row">
                    <h1>{"Migration Lab"}</h1>
                    <div class="lang-switch" role="group" aria-label={lang.pick("Language and colours", "Sprache und Farben")}>
                        <button id="theme" onclick={on_theme} title={lang.pick("Switch between the system's colours, dark and light", "Zwischen Systemfarben, dunkel und hell wechseln")}>{theme_label}</button>
                        <button id="lang-en" aria-pressed={(lang == Lang::En).to_string()} lang="en"
                            onclick={set_lang(Lang::En)}>{"English"}</button>
                        <button id="lang-de" aria-pressed={(lang == Lang::De).to_string()} lang="de"
                            onclick={set_lang(Lang::De)}>{"Deutsch"}</button>
                        <CopyLink link={link.clone()} {lang} />
                    </div>
                </div>
                <p class="lede">
                    {lang.pick("Live migration copies a running VM's memory to another host in passes while the VM keeps writing to it, \
                      then pauses the VM for a short blackout to send what is left and its device state. \
                      Read the chapters, or change the VM, the network and the levers of Hyper-V's tuning guide and watch what happens.",
                      "Die Livemigration kopiert den Arbeitsspeicher eines laufenden virtuellen Computers in Durchläufen auf einen anderen Host, \
                      während der Computer weiter in ihn schreibt, und hält ihn dann für eine kurze Ausfallzeit an, um den Rest und seinen Gerätezustand zu übertragen. \
                      Lesen Sie die Kapitel, oder ändern Sie den Computer, das Netzwerk und die Stellschrauben aus Microsofts Hyper-V-Leistungsleitfaden und sehen Sie, was geschieht.")}
                </p>
            </header>
            <ChapterNav chapter={state.chapter} lang={lang} on_chapter={intents.chapter.clone()} on_reset={intents.reset.clone()} />
            <div class="tabs" role="group" aria-label={lang.pick("Free views", "Freie Ansichten")}>
                <button id="tab-single" aria-pressed={playground.to_string()}
                    class={classes!("tab", playground.then_some("active"))} onclick={to_single}>{lang.pick("Playground: one VM", "Spielwiese: ein Computer")}</button>
                <button id="tab-cluster" aria-pressed={cluster_free.to_string()}
                    class={classes!("tab", cluster_free.then_some("active"))} onclick={to_cluster}>{lang.pick("Cluster", "Cluster")}</button>
            </div>
            }
            <Notices notices={state.notices.clone()} on_dismiss={intents.dismiss_notices.clone()} {lang} />
            if hand_over {
                if has_text && !embedded {
                    <ChapterText chapter={state.chapter} lang={lang} />
                }
                <Handover query={link.address_query().to_string()} {lang} />
            } else if FULL && state.mode == Mode::Cluster {
                if has_text && !embedded {
                    <ChapterText chapter={state.chapter} lang={lang} />
                }
                <Timeline clock={clock} on_clock={intents.clock.clone()} lang={lang} />
                if let Some(r) = &state.cluster_run {
                    <ClusterProgress progress={r.progress} on_cancel={intents.cancel_cluster.clone()} {lang} />
                }
                <ClusterView cluster={ByPtr(state.cluster.clone())} trace={ByPtr(state.cluster_trace.clone())}
                    error={state.cluster_error.clone()} t={clock.t}
                    running={state.cluster_run.is_some()}
                    on_edit={intents.cluster_edit.clone()} on_cluster={intents.cluster.clone()} lang={lang}
                    compact={state.shown == Shown::EmbedDefault} />
            } else {
            <div class="layout">
                    <div class="side">
                        if has_text && !embedded {
                            <ChapterText chapter={state.chapter} lang={lang} />
                        }
                        if only.as_ref().map_or(chapter.is_none_or(|c| !c.controls.is_empty()), |o| !o.is_empty()) {
                            <Controls scenario={state.scenario.clone()} on_edit={intents.edit.clone()} on_scenario={intents.scenario.clone()} chapter={Some(state.chapter)} only={only.clone()} lang={lang} />
                        }
                    </div>
                    <div class="view">
                        if FULL && levers_first && named("levers") {
                            <LeverView scenario={state.scenario.clone()} lang={lang} />
                        }
                        <VerdictBanner trace={trace.clone()} error={state.error.clone()} lang={lang} />
                        // Views other than `chapters::LITE_VIEWS` are only in the full bundle
                        // (`FULL &&`): the lite one hands their chapters over to it.
                        if shows("stage") {
                            <Stage trace={trace.clone()} t={clock.t} speed={clock.speed} lang={lang} />
                        }
                        <PhaseBar trace={trace.clone()} t={clock.t} lang={lang} />
                        <Timeline clock={clock} on_clock={intents.clock.clone()} lang={lang} />
                        if result_line {
                            <ResultLine trace={trace.clone()} lang={lang} />
                        }
                        if shows("memory") {
                            { held::panel("panel", None, None, html! { <>
                                <h2>{lang.pick("Memory map", "Speicherkarte")}</h2>
                                <MemoryMap trace={trace.clone()} t={clock.t} window={window} lang={lang} />
                            </> }) }
                        }
                        if FULL && shows("link") {
                            { held::panel("panel pairable", None, None, html! { <>
                                <h2>{lang.pick("Link use over time", "Auslastung der Verbindung")}</h2>
                                <LinkChart trace={trace.clone()} t={clock.t} lang={lang} />
                            </> }) }
                        }
                        if FULL && named("blackout") {
                            { held::panel("panel blackout", Some("blackout"), None, html! {
                                <BlackoutView trace={trace.clone()} t={clock.t} slow={state.slow_blackout} on_slow={intents.slow_blackout.clone()} lang={lang} />
                            }) }
                        }
                        if FULL && shows_spread {
                            <SpreadView scenario={state.scenario.clone()} lang={lang} />
                        }
                        if FULL && !state.compare.is_empty() && named("compare") {
                            <CompareView chapter={state.chapter} traces={state.compare.clone()} t={clock.t} window={window} lang={lang} />
                        }
                        if let Some(sw) = chapter.and_then(|c| c.sweep.as_ref()).filter(|_| FULL && shows("sweep")) {
                            <SweepChart scenario={state.scenario.clone()} param={sw.param.clone()} from={sw.from} to={sw.to} lang={lang} />
                        } else if FULL && playground && (state.shown == Shown::Chapter || shows("sweep")) {
                            <SweepChart scenario={state.scenario.clone()} param="link-gbps" from={1.0} to={100.0} lang={lang} selectable=true />
                        }
                        <div class="panels">
                            if FULL && shows("passes") {
                                { held::panel("panel pairable", None, None, html! { <>
                                    <h2>{lang.pick("Memory sent per pass", "Gesendeter Speicher je Durchlauf")}</h2>
                                    <PassChart trace={trace.clone()} highlight={highlighted} lang={lang} />
                                </> }) }
                            }
                            if shows("result") {
                                { held::panel("panel results", None, Some(lang.pick("Result", "Ergebnis")), html! {
                                    <Results trace={trace.clone()} scenario={state.scenario.clone()} lang={lang} spread={!shows_spread && !embedded} compact={embedded} />
                                }) }
                            }
                        </div>
                        if FULL && !levers_first && named("levers") {
                            <LeverView scenario={state.scenario.clone()} lang={lang} />
                        }
                        if FULL && shows("lab") {
                            <LabPanel trace={trace} opened={state.lab_run.clone()} on_open={intents.open_lab_run.clone()} on_close={intents.close_lab_run.clone()} lang={lang} />
                        }
                    </div>
                </div>
            }
            if FULL && (playground || cluster_free) && !embedded {
                <Files saved={saved}
                    on_open={intents.open_file.clone()} cluster={state.mode == Mode::Cluster}
                    import_error={state.import_error.clone()} {lang} />
            }
            if embedded {
                <p class="embed-foot small">
                    <a href={link.full_page()} target="_blank" rel="noopener">{lang.pick("Open the full page ↗", "Ganze Seite öffnen ↗")}</a>
                    {" · Migration Lab"}
                </p>
            } else {
                <Glossary lang={lang} />
            }
        </div>
    }
}
