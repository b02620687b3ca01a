//! The verdict and the numbers: total time, downtime, data sent, passes, and why.

use std::rc::Rc;

use yew::prelude::*;

use super::incremental::use_incremental;
use super::svg;

use crate::engine::units::MIB;
use crate::engine::{simulate, Scenario, ScenarioError, Trace};
use crate::model::study::{self, seeded};
use crate::text::{rate_explanation_in, verdict_in, Severity};
use crate::text::{Fmt, Lang};

#[derive(Properties, PartialEq)]
pub struct VerdictProps {
    pub trace: Rc<Trace>,
    pub error: Option<ScenarioError>,
    #[prop_or_default]
    pub lang: Lang,
}

/// Why the engine refused the input: the field as the file names it (code, the same in every
/// language), then why in `lang`.
pub fn field_error(e: &ScenarioError, lang: Lang) -> Html {
    html! { <><code>{e.field}</code>{": "}{crate::text::problem(&e.problem, lang)}</> }
}

#[function_component(VerdictBanner)]
pub fn verdict_banner(p: &VerdictProps) -> Html {
    let lang = p.lang;
    if let Some(e) = &p.error {
        return html! {
            <div class="verdict bad" role="alert" data-testid="verdict">
                {lang.pick("Cannot simulate this input — ", "Diese Eingabe lässt sich nicht simulieren — ")}
                { field_error(e, lang) }
                {lang.pick(". Showing the last valid run.", ". Gezeigt wird der letzte gültige Lauf.")}
            </div>
        };
    }
    let v = verdict_in(&p.trace, lang);
    let class = match v.severity {
        Severity::Good => "good",
        Severity::Warning => "warning",
        Severity::Bad => "bad",
    };
    html! { <div class={classes!("verdict", class)} role="status" data-testid="verdict">{v.headline}</div> }
}

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub trace: Rc<Trace>,
    pub scenario: Rc<Scenario>,
    #[prop_or_default]
    pub lang: Lang,
    /// Show the compact run-to-run spread (not when a chapter draws the full distribution).
    #[prop_or(true)]
    pub spread: bool,
    /// In an embed: the reasons fold into a disclosure, so that the numbers fit beside a chart.
    #[prop_or_default]
    pub compact: bool,
}

#[function_component(Results)]
pub fn results(p: &ResultsProps) -> Html {
    let t = &p.trace;
    let lang = p.lang;
    let f = Fmt(lang);
    let memory = t.scenario.vm.memory_mib * MIB;
    let ratio = if memory > 0.0 {
        t.wire_bytes / memory
    } else {
        0.0
    };
    // Memory moved against bytes on the wire: compression and zero-page markers shrink the
    // second, re-sent pages grow both.
    let factor = if t.wire_bytes > 0.0 {
        t.memory_bytes / t.wire_bytes
    } else {
        1.0
    };
    let mean_rate = t.mean_precopy_rate().unwrap_or(0.0);
    let breakdown = t.stop_copy.as_ref().map(|sc| {
        let (dirty, state, switch) = (
            f.duration(sc.memory_duration_s),
            f.duration(sc.duration_s - sc.memory_duration_s),
            f.duration(sc.switchover_s),
        );
        lang.pick(
            format!("{dirty} dirty pages + {state} device state, then {switch} switchover"),
            format!("{dirty} geänderte Seiten + {state} Gerätezustand, dann {switch} Umschalten"),
        )
    });
    let why = rate_explanation_in(t, lang)
        .into_iter()
        .map(|line| html! { <li>{line}</li> });
    html! {
        <>
            <h2>{lang.pick("Result", "Ergebnis")}</h2>
            <dl class="numbers">
                <div><dt>{lang.pick("Total time", "Gesamtdauer")}</dt><dd data-testid="total-time">{f.duration(t.total_time_s)}</dd></div>
                <div><dt>{lang.pick("Downtime (blackout)", "Ausfallzeit (Blackout)")}</dt><dd data-testid="downtime">{f.duration(t.downtime_s)}</dd>
                    if let Some(b) = breakdown { <dd class="note">{b}</dd> }</div>
                <div><dt>{lang.pick("Memory moved", "Übertragener Speicher")}</dt><dd data-testid="memory-moved">{f.bytes(t.memory_bytes)}</dd>
                    <dd class="note">{lang.pick(format!("{}× the VM's memory: pages sent, re-sent ones counted again", f.num(t.memory_bytes / memory.max(1.0), 2)),
                        format!("{}-fache des VM-Speichers: gesendete Seiten, erneut gesendete doppelt gezählt", f.num(t.memory_bytes / memory.max(1.0), 2)))}</dd></div>
                <div><dt>{lang.pick("Bytes on the wire", "Bytes auf der Leitung")}</dt><dd data-testid="data-sent">{f.bytes(t.wire_bytes)}</dd>
                    <dd class="note">{lang.pick(format!("{}× the VM's memory; memory ÷ wire = {}", f.num(ratio, 2), f.num(factor, 2)),
                        format!("{}-fache des VM-Speichers; Speicher ÷ Leitung = {}", f.num(ratio, 2), f.num(factor, 2)))}</dd></div>
                <div><dt>{lang.pick("Pre-copy passes", "Kopierdurchläufe")}</dt><dd data-testid="passes">{t.passes.len()}</dd></div>
                <div class="wide"><dt>{lang.pick("Memory copy rate (mean over the passes)", "Kopierrate des Speichers (Mittel über die Durchläufe)")}</dt><dd data-testid="rate">{f.rate(mean_rate)}</dd>
                    <dd class="note static">{lang.pick("memory moved per second; the link chart shows bytes on the wire per second",
                        "übertragener Speicher je Sekunde; das Leitungsdiagramm zeigt Bytes auf der Leitung je Sekunde")}</dd></div>
                <div class="wide"><dt>{lang.pick("CPU used by the migration", "CPU-Aufwand der Migration")}</dt><dd data-testid="cpu">{lang.pick(
                    format!("{}\u{a0}core\u{2011}s on A · {}\u{a0}core\u{2011}s on B", f.num(t.cpu_source_core_s, 1), f.num(t.cpu_dest_core_s, 1)),
                    format!("{}\u{a0}Kern\u{2011}s auf A · {}\u{a0}Kern\u{2011}s auf B", f.num(t.cpu_source_core_s, 1), f.num(t.cpu_dest_core_s, 1)))}</dd>
                    <dd class="note static">{lang.pick("compression, zero-page scans and TCP processing; RDMA needs almost none",
                        "Komprimierung, Nullseitensuche und TCP-Verarbeitung; RDMA braucht fast keine")}</dd></div>
            </dl>
            if p.compact {
                <details class="why-more">
                    <summary>{lang.pick("Why this fast", "Warum so schnell")}</summary>
                    <ul class="why" data-testid="why">{ for why }</ul>
                </details>
            } else {
                <h3>{lang.pick("Why this fast", "Warum so schnell")}</h3>
                <ul class="why" data-testid="why">{ for why }</ul>
            }
            if p.spread {
                <Spread scenario={p.scenario.clone()} lang={lang} />
            }
        </>
    }
}

/// Runs per spread: enough to show the range, few enough to re-simulate within a frame.
pub const SPREAD_RUNS: u64 = 16;

#[derive(Properties, PartialEq)]
pub struct SpreadProps {
    pub scenario: Rc<Scenario>,
    #[prop_or_default]
    pub lang: Lang,
}

/// The same migration with other seeds: on a shared network background bursts differ from run
/// to run, so migration times spread; on a dedicated one they do not.
#[function_component(Spread)]
pub fn spread(p: &SpreadProps) -> Html {
    // Computed a slice at a time, so a slow scenario never freezes the page.
    let all = use_incremental(p.scenario.clone(), SPREAD_RUNS as usize, |s, i| {
        simulate(&seeded(s, i))
            .ok()
            .map(|t| (t.total_time_s, t.outcome.completed()))
    });
    html! { <SpreadDots {all} dedicated={p.scenario.network.dedicated} lang={p.lang} /> }
}

/// Each seed's run: its total time and whether it completed (None when it was refused); None
/// for one not yet run.
type SeedRuns = Vec<Option<Option<(f64, bool)>>>;

#[derive(Properties, PartialEq)]
struct SpreadDotsProps {
    all: Rc<SeedRuns>,
    dedicated: bool,
    lang: Lang,
}

/// The spread's dots and sentence. A component of its own so that a slider step, which
/// changes the scenario but not the runs shown until the new ones come in later slices,
/// renders none of it again.
#[function_component(SpreadDots)]
fn spread_dots(p: &SpreadDotsProps) -> Html {
    let all = &p.all;
    let runs: Vec<(f64, bool)> = all.iter().flatten().flatten().copied().collect();
    let computed = all.iter().flatten().count();
    if computed < SPREAD_RUNS as usize {
        return html! {
            <div class="spread">
                <h3>{p.lang.pick("Run to run", "Von Lauf zu Lauf")}</h3>
                <p class="small" role="status" data-testid="spread-progress">{p.lang.pick(
                    format!("Computing… {computed} of {SPREAD_RUNS} runs"),
                    format!("Wird berechnet … {computed} von {SPREAD_RUNS} Läufen"))}</p>
            </div>
        };
    }
    if runs.is_empty() {
        return html! {};
    }
    // The dots span every run; the sentences speak of the finished ones.
    let lo = runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
    let hi = runs.iter().map(|r| r.0).fold(0.0, f64::max);
    let found = study::Spread::of(&runs.iter().map(|r| r.1.then_some(r.0)).collect::<Vec<_>>());
    let span = (hi - lo).max(hi * 1e-6).max(1e-9);
    let x = |v: f64| 10.0 + (v - lo) / span * 280.0;
    let dots = runs.iter().enumerate().map(|(i, (v, done))| {
        let class = if i == 0 { "dot now" } else { "dot" };
        let y = if *done { 22.0 } else { 12.0 };
        html! { <circle class={class} cx={format!("{:.1}", x(*v))} cy={format!("{y}")} r="4" /> }
    });
    let unfinished = found.unfinished;
    let lang = p.lang;
    let f = Fmt(lang);
    let n = runs.len();
    let text = if unfinished == n {
        lang.pick(
            format!("None of {n} runs with different background traffic completed."),
            format!("Keiner von {n} Läufen mit anderem Hintergrundverkehr wurde fertig."),
        )
    } else if unfinished > 0 {
        let (a, b) = (f.duration(found.lo), f.duration(found.hi));
        lang.pick(
            format!("{unfinished} of {n} runs with different background traffic did not complete; the others took {a} to {b}."),
            format!("{unfinished} von {n} Läufen mit anderem Hintergrundverkehr wurden nicht fertig; die übrigen dauerten {a} bis {b}."),
        )
    } else if p.dedicated {
        let m = f.duration(found.median);
        lang.pick(
            format!("{n} runs with different background traffic all take {m}: a dedicated network makes migration time consistent."),
            format!("{n} Läufe mit anderem Hintergrundverkehr dauern alle {m}: ein dediziertes Netzwerk macht die Migrationsdauer gleichmäßig."),
        )
    } else {
        let (a, b, m) = (
            f.duration(found.lo),
            f.duration(found.hi),
            f.duration(found.median),
        );
        lang.pick(
            format!("{n} runs with different background traffic take {a} to {b} (median {m}): that spread is what a dedicated network removes."),
            format!("{n} Läufe mit anderem Hintergrundverkehr dauern {a} bis {b} (Median {m}): diese Streuung beseitigt ein dediziertes Netzwerk."),
        )
    };
    html! {
        <div class="spread">
            <h3>{lang.pick("Run to run", "Von Lauf zu Lauf")}</h3>
            <p data-testid="spread">{text.clone()}</p>
            <svg viewBox="0 0 300 50" role="img" aria-label={text}>
                { for dots }
                { svg::range_axis(10.0, 290.0, 30.0, 16.0, f.duration(lo), f.duration(hi)) }
            </svg>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ResultLineProps {
    pub trace: Rc<Trace>,
    #[prop_or_default]
    pub lang: Lang,
}

/// The result in one line, for an embed that leaves out the result panel: the total time,
/// the downtime, the passes and the bytes on the wire.
#[function_component(ResultLine)]
pub fn result_line(p: &ResultLineProps) -> Html {
    let (t, lang) = (&p.trace, p.lang);
    let f = Fmt(lang);
    let total = if t.outcome.completed() {
        lang.pick("Total time", "Gesamtdauer")
    } else {
        lang.pick("Stopped after", "Abgebrochen nach")
    };
    let item = |label: &str, value: String, id: &'static str| {
        html! { <span class="item">{format!("{label} ")}<b data-testid={id}>{value}</b></span> }
    };
    html! {
        <p class="result-line" data-testid="result-line">
            { item(total, f.duration(t.total_time_s), "line-total") }
            { item(lang.pick("downtime", "Ausfallzeit"), f.duration(t.downtime_s), "line-downtime") }
            { item(lang.pick("passes", "Durchläufe"), t.passes.len().to_string(), "line-passes") }
            { item(lang.pick("on the wire", "auf der Leitung"), f.bytes(t.wire_bytes), "line-wire") }
        </p>
    }
}
