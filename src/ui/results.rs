//! The verdict and the numbers: total time, downtime, data sent, passes, and why.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::units::{fmt_bytes, fmt_duration, fmt_rate, MIB};
use crate::engine::{rate_explanation, simulate, verdict, Scenario, Severity, Trace};

#[derive(Properties, PartialEq)]
pub struct VerdictProps {
    pub trace: Rc<Trace>,
    pub error: Option<String>,
}

#[function_component(VerdictBanner)]
pub fn verdict_banner(p: &VerdictProps) -> Html {
    if let Some(e) = &p.error {
        return html! {
            <div class="verdict bad" role="alert" data-testid="verdict">
                {format!("Cannot simulate this input — {e}. Showing the last valid run.")}
            </div>
        };
    }
    let v = verdict(&p.trace);
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
}

#[function_component(Results)]
pub fn results(p: &ResultsProps) -> Html {
    let t = &p.trace;
    let memory = t.scenario.vm.memory_mib * MIB;
    let ratio = if memory > 0.0 {
        t.wire_bytes / memory
    } else {
        0.0
    };
    let mean_rate = t.mean_precopy_rate().unwrap_or(0.0);
    let breakdown = t.stop_copy.as_ref().map(|sc| {
        format!(
            "{} dirty pages + {} device state, then {} switchover",
            fmt_duration(sc.memory_duration_s),
            fmt_duration(sc.duration_s - sc.memory_duration_s),
            fmt_duration(sc.switchover_s)
        )
    });
    let why = rate_explanation(t)
        .into_iter()
        .map(|line| html! { <li>{line}</li> });
    html! {
        <section class="panel results" aria-label="Result">
            <h2>{"Result"}</h2>
            <dl class="numbers">
                <div><dt>{"Total time"}</dt><dd data-testid="total-time">{fmt_duration(t.total_time_s)}</dd></div>
                <div><dt>{"Downtime (blackout)"}</dt><dd data-testid="downtime">{fmt_duration(t.downtime_s)}</dd>
                    if let Some(b) = breakdown { <small>{b}</small> }</div>
                <div><dt>{"Data sent"}</dt><dd data-testid="data-sent">{fmt_bytes(t.wire_bytes)}</dd>
                    <small>{format!("{ratio:.2}× the VM's memory, on the wire")}</small></div>
                <div><dt>{"Pre-copy passes"}</dt><dd data-testid="passes">{t.passes.len()}</dd></div>
                <div class="wide"><dt>{"Memory copy rate (mean over the passes)"}</dt><dd data-testid="rate">{fmt_rate(mean_rate)}</dd></div>
                <div class="wide"><dt>{"CPU used by the migration"}</dt><dd data-testid="cpu">{format!("{:.1} core-s on A · {:.1} core-s on B", t.cpu_source_core_s, t.cpu_dest_core_s)}</dd>
                    <small>{"compression, zero-page scans and TCP processing; RDMA needs almost none"}</small></div>
            </dl>
            <h3>{"Why this fast"}</h3>
            <ul class="why" data-testid="why">{ for why }</ul>
            <Spread scenario={p.scenario.clone()} />
        </section>
    }
}

/// Runs per spread: enough to show the range, few enough to re-simulate within a frame.
pub const SPREAD_RUNS: u64 = 16;

#[derive(Properties, PartialEq)]
pub struct SpreadProps {
    pub scenario: Rc<Scenario>,
}

/// The same migration with other seeds: on a shared network background bursts differ from run
/// to run, so migration times spread; on a dedicated one they do not.
#[function_component(Spread)]
pub fn spread(p: &SpreadProps) -> Html {
    let runs = use_memo(p.scenario.clone(), |s| {
        (0..SPREAD_RUNS)
            .filter_map(|i| {
                let mut s = (**s).clone();
                s.seed = s.seed.wrapping_add(i);
                simulate(&s)
                    .ok()
                    .map(|t| (t.total_time_s, t.outcome.completed()))
            })
            .collect::<Vec<_>>()
    });
    if runs.is_empty() {
        return html! {};
    }
    let lo = runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
    let hi = runs.iter().map(|r| r.0).fold(0.0, f64::max);
    let mut sorted: Vec<f64> = runs.iter().map(|r| r.0).collect();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let span = (hi - lo).max(hi * 1e-6).max(1e-9);
    let x = |v: f64| 10.0 + (v - lo) / span * 280.0;
    let dots = runs.iter().enumerate().map(|(i, (v, done))| {
        let class = if i == 0 { "dot now" } else { "dot" };
        let y = if *done { 22.0 } else { 12.0 };
        html! { <circle class={class} cx={format!("{:.1}", x(*v))} cy={format!("{y}")} r="4" /> }
    });
    let unfinished = runs.iter().filter(|r| !r.1).count();
    let text = if unfinished == runs.len() {
        format!(
            "None of {} runs with different background traffic completed.",
            runs.len()
        )
    } else if unfinished > 0 {
        let done = runs.iter().filter(|r| r.1).map(|r| r.0);
        let (a, b) = done.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
        format!(
            "{unfinished} of {} runs with different background traffic did not complete; the others took {} to {}.",
            runs.len(),
            fmt_duration(a),
            fmt_duration(b)
        )
    } else if p.scenario.network.dedicated {
        format!("{} runs with different background traffic all take {}: a dedicated network makes migration time consistent.", runs.len(), fmt_duration(median))
    } else {
        format!(
            "{} runs with different background traffic take {} to {} (median {}): that spread is what a dedicated network removes.",
            runs.len(),
            fmt_duration(lo),
            fmt_duration(hi),
            fmt_duration(median)
        )
    };
    html! {
        <div class="spread">
            <h3>{"Run to run"}</h3>
            <p data-testid="spread">{text.clone()}</p>
            <svg viewBox="0 0 300 50" role="img" aria-label={text}>
                <line class="axis" x1="10" y1="30" x2="290" y2="30" />
                { for dots }
                <text x="10" y="46">{fmt_duration(lo)}</text>
                <text x="290" y="46" text-anchor="end">{fmt_duration(hi)}</text>
            </svg>
        </div>
    }
}
