//! The verdict and the numbers: total time, downtime, data sent, passes, and why.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::units::{fmt_bytes, fmt_duration, fmt_rate, MIB};
use crate::engine::{rate_explanation, verdict, Severity, Trace};

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
            </dl>
            <h3>{"Why this fast"}</h3>
            <ul class="why" data-testid="why">{ for why }</ul>
        </section>
    }
}
