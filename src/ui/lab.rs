//! "Checked against real QEMU": the lab's measured migrations (`validation/lab/`, measured by
//! `cargo xtask lab`, `docs/lab.md`) against the engine, as a scatter and the held-out
//! figures, and any run opened in the playground with QEMU's bytes left over time drawn over
//! the engine's.
//!
//! The runs are in the bundle; their time series (`lab-qemu.jsonl`) are fetched the first time
//! a run is opened.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::chapter::fetch_text;
use super::chart::{prepare, use_drawn_canvas, Surface};
use super::incremental::use_incremental;

use crate::engine::Trace;
use crate::lab::chart::{draw_left, draw_scatter, scatter_height, LEFT_HEIGHT};
use crate::lab::compare::{
    judged, lab_runs, report, run_error, scenario_for, HostProfile, Report, RunError, TARGETS,
};
use crate::lab::grid::{Group, Split};
use crate::lab::record::{LabRun, Series};
use crate::text::{Fmt, Lang};

/// The bundle's file of time series, one JSON object per run and line.
pub const SERIES_FILE: &str = "lab-qemu.jsonl";

pub use crate::model::OpenedRun;

thread_local! {
    /// The engine against every run, once computed on this page.
    static REPORT: RefCell<Option<Rc<Report>>> = const { RefCell::new(None) };
    /// The series file once fetched.
    static SERIES: RefCell<Option<Rc<str>>> = const { RefCell::new(None) };
}

/// How far the engine has got through the lab's runs.
enum Progress {
    Ready(Rc<Report>),
    /// Runs simulated, of how many.
    Running(usize, usize),
    Failed(String),
}

/// The engine against the runs this build carries: a few runs at a time between frames the
/// first time (a run is 0.2–1 ms, 166 of them would hold the page for a frame or three), then
/// from the page's copy.
#[hook]
fn use_report() -> Progress {
    let cached = REPORT.with(|r| r.borrow().clone());
    let inputs = lab_runs().and_then(|rows| Ok((rows, HostProfile::lab()?)));
    let runs: Vec<&'static LabRun> = match (&cached, &inputs) {
        (None, Ok((rows, _))) => judged(rows).collect(),
        _ => Vec::new(),
    };
    let n = runs.len();
    let host = inputs.as_ref().ok().map(|(_, h)| *h);
    let done = use_incremental(Rc::new(()), n, move |_, i| {
        host.map(|h| run_error(runs[i], h))
    });
    if let Some(r) = cached {
        return Progress::Ready(r);
    }
    let (rows, host) = match inputs {
        Ok(inputs) => inputs,
        Err(e) => return Progress::Failed(e),
    };
    let ready: Vec<RunError> = done.iter().flatten().flatten().cloned().collect();
    if ready.len() < n {
        return Progress::Running(ready.len(), n);
    }
    let r = Rc::new(report(rows, host.clone(), ready));
    REPORT.with(|c| *c.borrow_mut() = Some(r.clone()));
    Progress::Ready(r)
}

/// The series file, fetched once; None when it cannot be loaded.
async fn series_text() -> Option<Rc<str>> {
    if let Some(text) = SERIES.with(|s| s.borrow().clone()) {
        return Some(text);
    }
    let text: Rc<str> = fetch_text(SERIES_FILE).await?.into();
    SERIES.with(|s| *s.borrow_mut() = Some(text.clone()));
    Some(text)
}

/// Run `id` of the report as it opens in the playground, without its series yet.
fn opened(report: &Report, id: &str) -> Option<OpenedRun> {
    let index = report.runs.iter().position(|r| r.id == id)?;
    let run = &report.runs[index];
    let row = lab_runs().ok()?.iter().find(|r| r.id == run.id)?;
    Some(OpenedRun {
        index,
        id: run.id.clone(),
        scenario: scenario_for(row, &report.host),
        qemu_total_s: run.qemu_converged.then_some(run.qemu_total_s),
        measured: None,
    })
}

fn group_name(g: Group, lang: Lang) -> &'static str {
    match g {
        Group::Profile => lang.pick("host profile", "Hostprofil"),
        Group::Precopy => lang.pick("pre-copy", "Pre-Copy"),
        Group::Unlimited => lang.pick("no bandwidth cap", "ohne Bandbreitengrenze"),
        Group::Autoconverge => "auto-converge",
        Group::Multifd => "multifd",
        Group::Xbzrle => "XBZRLE",
        Group::Postcopy => lang.pick("post-copy", "Post-Copy"),
    }
}

fn pct(v: f64, lang: Lang) -> String {
    format!("{} %", Fmt(lang).num(v * 100.0, 1))
}

#[derive(Properties, PartialEq)]
pub struct LabPanelProps {
    /// The playground's current run, drawn against an opened run's measurements.
    pub trace: Rc<Trace>,
    pub opened: Option<Rc<OpenedRun>>,
    /// A run to open in the playground, with its measurements.
    pub on_open: Callback<OpenedRun>,
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub lang: Lang,
}

fn draw_report(
    canvas: web_sys::HtmlCanvasElement,
    surface: &Surface,
    deps: &(Rc<Report>, Option<usize>, Lang),
) -> Result<(), String> {
    let (report, mark, lang) = deps;
    let (root, dpr, palette) = prepare(canvas, surface, scatter_height)?;
    draw_scatter(&root, report, *mark, false, *lang, &palette.colours(), dpr)
}

type LeftDeps = (Rc<Trace>, Rc<OpenedRun>, Lang);

fn draw_measured(
    canvas: web_sys::HtmlCanvasElement,
    surface: &Surface,
    deps: &LeftDeps,
) -> Result<(), String> {
    let (trace, opened, lang) = deps;
    let measured = opened.measured.clone().unwrap_or_default();
    let (root, dpr, palette) = prepare(canvas, surface, |_| LEFT_HEIGHT)?;
    draw_left(
        &root,
        &measured,
        &trace.left_series(),
        false,
        *lang,
        &palette.colours(),
        dpr,
    )
}

#[derive(Properties, PartialEq)]
struct LeftChartProps {
    trace: Rc<Trace>,
    opened: Rc<OpenedRun>,
    lang: Lang,
    label: String,
}

/// An opened run's bytes left over time, QEMU's against the engine's.
#[function_component(LeftChart)]
fn left_chart(p: &LeftChartProps) -> Html {
    let canvas = use_drawn_canvas(
        "lab bytes left",
        (p.trace.clone(), p.opened.clone(), p.lang),
        draw_measured,
    );
    html! {
        <div class="chart-wrap">
            <canvas id="lab-left" ref={canvas} role="img" aria-label={p.label.clone()}></canvas>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ResultsProps {
    report: Rc<Report>,
    trace: Rc<Trace>,
    opened: Option<Rc<OpenedRun>>,
    on_open: Callback<OpenedRun>,
    on_close: Callback<()>,
    lang: Lang,
}

/// The panel: while the engine runs the lab's runs, a progress bar; then the held-out figures
/// against their targets, the scatter, a run picker, and the opened run's bytes left over time.
#[function_component(LabPanel)]
pub fn lab_panel(p: &LabPanelProps) -> Html {
    let lang = p.lang;
    let body = match use_report() {
        Progress::Ready(report) => html! {
            <LabResults {report} trace={p.trace.clone()} opened={p.opened.clone()} on_open={p.on_open.clone()} on_close={p.on_close.clone()} {lang} />
        },
        Progress::Running(done, of) => html! {
            <p role="status" data-testid="lab-progress">
                <label for="lab-progress">{lang.pick(
                    format!("Running the engine on the lab's runs: {done} of {of}"),
                    format!("Die Simulation rechnet die Läufe des Labors nach: {done} von {of}"))}</label>
                {" "}<progress id="lab-progress" max={of.to_string()} value={done.to_string()}></progress>
            </p>
        },
        Progress::Failed(e) => html! {
            <p class="error">{lang.pick("The lab's runs could not be read: ", "Die Läufe des Labors konnten nicht gelesen werden: ")}{e}</p>
        },
    };
    html! {
        <section class="panel lab-panel" id="lab" aria-labelledby="lab-title">
            <h2 id="lab-title">{lang.pick("Checked against real QEMU", "Geprüft an echtem QEMU")}</h2>
            { body }
        </section>
    }
}

/// What of the results does not depend on the scenario: the figures, the scatter and the run
/// picker. A component of its own, so that a slider step, which changes the trace, renders
/// none of its two hundred options again (a millisecond of every step in the playground).
#[derive(Properties, PartialEq)]
struct SummaryProps {
    report: Rc<Report>,
    /// The opened run: marked on the scatter, and the picker's first choice.
    opened: Option<(usize, String)>,
    on_open: Callback<OpenedRun>,
    lang: Lang,
}

#[function_component(LabSummary)]
fn lab_summary(p: &SummaryProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let mark = p.opened.as_ref().map(|o| o.0);
    let picked = use_state(|| p.opened.as_ref().map(|o| o.1.clone()));
    let loading = use_state(|| false);
    let scatter = use_drawn_canvas("lab scatter", (p.report.clone(), mark, lang), draw_report);
    let report: &Report = &p.report;
    let targets = TARGETS.iter().map(|t| {
        let v = (t.figure)(report);
        let met = t.met(report);
        let shown = if t.at_most && t.bound == 0.0 {
            lang.pick(format!("{v} runs over"), format!("{v} Läufe darüber"))
        } else {
            pct(v, lang)
        };
        html! {
            <tr class={classes!(if met { "met" } else { "missed" })}>
                <td>{lang.pick(t.what.0, t.what.1)}</td>
                <td class="num">{shown}</td>
                <td>{if met { lang.pick("met", "erreicht") } else { lang.pick("missed", "verfehlt") }}</td>
            </tr>
        }
    });
    let on_pick = {
        let picked = picked.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            picked.set(Some(sel.value()));
        })
    };
    let groups = [
        Group::Precopy,
        Group::Unlimited,
        Group::Autoconverge,
        Group::Multifd,
        Group::Xbzrle,
        Group::Postcopy,
    ];
    let options = groups.iter().map(|&g| {
        let runs = report.runs.iter().filter(|r| r.group == g).map(|r| {
            let qemu = if r.qemu_converged { f.duration(r.qemu_total_s) } else { lang.pick("timeout", "Abbruch").to_string() };
            let engine = if r.engine_converged { f.duration(r.engine_total_s) } else { lang.pick("timeout", "Abbruch").to_string() };
            let split = match r.split {
                Split::Holdout => lang.pick("held out", "zurückgehalten"),
                Split::Calibration => lang.pick("calibration", "Kalibrierung"),
            };
            let text = format!("{} · QEMU {qemu} · {} {engine} · {split}", r.id, lang.pick("engine", "Simulation"));
            html! { <option value={r.id.clone()} selected={Some(&r.id) == picked.as_ref()}>{text}</option> }
        });
        html! { <optgroup label={group_name(g, lang)}>{ for runs }</optgroup> }
    });
    let on_open = {
        let open = p.on_open.clone();
        let loading = loading.clone();
        // Nothing picked yet: the first option, the first run of the first group.
        let first = groups
            .iter()
            .find_map(|g| report.runs.iter().find(|r| r.group == *g))
            .map_or("", |r| r.id.as_str());
        let run = opened(report, picked.as_deref().unwrap_or(first));
        Callback::from(move |_: MouseEvent| {
            let Some(mut run) = run.clone() else {
                return;
            };
            let open = open.clone();
            let loading = loading.clone();
            loading.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                run.measured = series_text()
                    .await
                    .and_then(|text| Series::find(&text, &run.id))
                    .map(|s| s.remaining());
                loading.set(false);
                open.emit(run);
            });
        })
    };
    let h = &report.holdout;
    let runs_measured = lab_runs().map_or(0, <[_]>::len);
    html! {
        <>
            <p>{lang.pick(
                format!("The lab ran {} real migrations between two QEMU 10 processes on one machine and recorded every input. \
                    The engine, given each run's inputs and the lab host's profile, predicts each one. \
                    Half the runs were set aside before anything was compared: {} of them, never used to set a constant.",
                    runs_measured, h.runs),
                format!("Das Labor hat {} echte Migrationen zwischen zwei QEMU-10-Prozessen auf einem Rechner ausgeführt und jede Eingabe festgehalten. \
                    Die Simulation sagt jeden Lauf aus seinen Eingaben und dem Profil des Labor-Hosts voraus. \
                    Die Hälfte der Läufe wurde vor jedem Vergleich zurückgelegt: {} davon, nie zum Einstellen einer Konstante benutzt.",
                    runs_measured, h.runs))}</p>
            <table class="lab-targets" data-testid="lab-targets">
                <caption>{lang.pick("The held-out half against the targets set before the comparison", "Die zurückgehaltene Hälfte gegen die vor dem Vergleich gesetzten Ziele")}</caption>
                <thead><tr>
                    <th scope="col">{lang.pick("target", "Ziel")}</th>
                    // A soft hyphen lets the German header break on a phone.
                    <th scope="col">{lang.pick("held out", "zurück\u{ad}gehalten")}</th>
                    <th scope="col">{lang.pick("verdict", "Ergebnis")}</th>
                </tr></thead>
                <tbody>{ for targets }</tbody>
            </table>
            <p class="small">{lang.pick(
                format!("Run-to-run noise: the same run repeated varies by a median of {} in total time. Even a second QEMU run, used as the prediction, misses by a median of {} (p75 {}).", pct(report.noise.median_spread_total, lang), pct(report.noise.repeat_median_abs_err_total, lang), pct(report.noise.repeat_p75_abs_err_total, lang)),
                format!("Streuung von Lauf zu Lauf: derselbe Lauf wiederholt schwankt in der Gesamtzeit im Median um {}. Selbst ein zweiter QEMU-Lauf als Vorhersage liegt im Median um {} daneben (p75 {}).", pct(report.noise.median_spread_total, lang), pct(report.noise.repeat_median_abs_err_total, lang), pct(report.noise.repeat_p75_abs_err_total, lang)))}</p>
            <div class="chart-wrap">
                <canvas id="lab-scatter" ref={scatter} role="img"
                    aria-label={lang.pick(
                        format!("Total time, engine against QEMU, on log axes: {} runs both finished; the held-out half's median error is {}.", report.runs.iter().filter(|r| r.err_total.is_some()).count(), pct(h.median_abs_err_total, lang)),
                        format!("Gesamtzeit, Simulation gegen QEMU, logarithmisch: {} Läufe, die beide beendeten; der Median des Fehlers der zurückgehaltenen Hälfte ist {}.", report.runs.iter().filter(|r| r.err_total.is_some()).count(), pct(h.median_abs_err_total, lang)))}>
                </canvas>
            </div>
            <ul class="legend">
                <li><span class="swatch line lab-agree"></span>{lang.pick("engine = QEMU (and ±20 %)", "Simulation = QEMU (und ±20 %)")}</li>
                <li><span class="swatch ring chart-stop"></span>{lang.pick("calibration half", "Kalibrierhälfte")}</li>
                <li><span class="swatch dot chart-pass"></span>{lang.pick("held-out half", "zurückgehaltene Hälfte")}</li>
                if mark.is_some() {
                    <li><span class="swatch ring lab-mark"></span>{lang.pick("the opened run", "der geöffnete Lauf")}</li>
                }
            </ul>
            <div class="field lab-pick">
                <label for="lab-run">{lang.pick("A lab run", "Ein Laborlauf")}</label>
                <select id="lab-run" onchange={on_pick}>{ for options }</select>
                <button id="lab-open" onclick={on_open} disabled={*loading}>
                    {if *loading { lang.pick("Loading QEMU's series…", "Zeitreihe von QEMU wird geladen…") } else { lang.pick("Open in the playground", "In der Spielwiese öffnen") }}
                </button>
                <p class="hint">{lang.pick(
                    "Opens the run's inputs on the lab's host, with what QEMU had left to send drawn over the engine's. Change anything and watch the engine's curve move.",
                    "Öffnet die Eingaben des Laufs auf dem Host des Labors, mit dem, was QEMU noch zu senden hatte, über der Kurve der Simulation. Ändern Sie etwas und sehen Sie, wie sich die Kurve der Simulation bewegt.")}</p>
            </div>
        </>
    }
}

#[function_component(LabResults)]
fn lab_results(p: &ResultsProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let on_close = p.on_close.reform(|_: MouseEvent| ());
    let on_host = HostProfile::lab().is_ok_and(|h| h.is_on(&p.trace.scenario));
    let opened_view = p.opened.as_ref().map(|o| {
        let qemu = o.qemu_total_s.map_or_else(
            || lang.pick("did not finish within its timeout", "wurde innerhalb der Frist nicht fertig").to_string(),
            |s| f.duration(s),
        );
        let engine = if p.trace.outcome.completed() {
            f.duration(p.trace.total_time_s)
        } else {
            lang.pick("does not finish", "wird nicht fertig").to_string()
        };
        html! {
            <div class="lab-opened" data-testid="lab-opened">
                <h3>{lang.pick("Bytes left to send: ", "Noch zu senden: ")}<code>{o.id.clone()}</code></h3>
                <p data-testid="lab-totals">
                    {lang.pick("QEMU measured: ", "QEMU gemessen: ")}<strong>{qemu.clone()}</strong>
                    {lang.pick(" · the engine, for the scenario as it is now: ", " · die Simulation für das Szenario, wie es jetzt ist: ")}<strong>{engine.clone()}</strong>
                </p>
                if !on_host {
                    <p class="hint">{lang.pick(
                        "The scenario is no longer on the lab's host: the engine's curve is for your settings, QEMU's for the run's.",
                        "Das Szenario steht nicht mehr auf dem Host des Labors: Die Kurve der Simulation gilt für Ihre Einstellungen, die von QEMU für den Lauf.")}</p>
                }
                if o.measured.is_none() {
                    <p class="error">{lang.pick(
                        "QEMU's time series could not be loaded: only the engine's curve is drawn.",
                        "Die Zeitreihe von QEMU konnte nicht geladen werden: Nur die Kurve der Simulation ist gezeichnet.")}</p>
                }
                <LeftChart trace={p.trace.clone()} opened={o.clone()} {lang}
                    label={lang.pick(
                        format!("Bytes left to send over time for lab run {}: QEMU measured {qemu}, the engine {engine}.", o.id),
                        format!("Noch zu sendende Bytes im Zeitverlauf für Laborlauf {}: QEMU gemessen {qemu}, Simulation {engine}.", o.id))} />
                <ul class="legend">
                    <li><span class="swatch chart-pass"></span>{lang.pick("engine", "Simulation")}</li>
                    <li><span class="swatch chart-stop"></span>{lang.pick("QEMU, measured every 100 ms", "QEMU, alle 100 ms gemessen")}</li>
                </ul>
                <button id="lab-close" onclick={on_close}>{lang.pick("Close the run", "Lauf schließen")}</button>
            </div>
        }
    });
    html! {
        <>
            <LabSummary report={p.report.clone()} opened={p.opened.as_ref().map(|o| (o.index, o.id.clone()))}
                on_open={p.on_open.clone()} {lang} />
            { for opened_view }
            <p class="small">{lang.pick(
                "Measure your own machine with cargo xtask lab; the method is in the project's docs/lab.md.",
                "Messen Sie Ihren eigenen Rechner mit cargo xtask lab; die Methode steht in docs/lab.md des Projekts.")}</p>
        </>
    }
}
