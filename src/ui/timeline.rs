//! Playback controls, the scrubbable timeline with its phase track, and the phase indicator.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::state::{Action, AppState};
use crate::engine::units::{fmt_bytes, fmt_duration};
use crate::engine::{PhaseKind, Trace};
use crate::playback::{Clock, SPEEDS};

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub clock: Clock,
    pub dispatch: UseReducerDispatcher<AppState>,
}

fn speed_label(v: f64) -> String {
    if v < 1.0 {
        format!("{v}×")
    } else {
        format!("{v:.0}×")
    }
}

#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let c = props.clock;
    let d = props.dispatch.clone();
    let toggle = {
        let d = d.clone();
        Callback::from(move |_| d.dispatch(Action::Toggle))
    };
    let restart = {
        let d = d.clone();
        Callback::from(move |_| d.dispatch(Action::Restart))
    };
    let seek = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(ms) = input.value().parse::<f64>() {
                d.dispatch(Action::Seek(ms / 1000.0));
            }
        })
    };
    let speed = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(v) = sel.value().parse::<f64>() {
                d.dispatch(Action::Speed(v));
            }
        })
    };
    let duration_ms = (c.duration * 1000.0).round();
    let step = (duration_ms / 2000.0).max(1.0).round();
    let options = SPEEDS.iter().map(|&v| {
        html! { <option value={v.to_string()} selected={(v - c.speed).abs() < 1e-9}>{speed_label(v)}</option> }
    });
    html! {
        <div class="timeline">
            <button data-testid="play" class="primary" onclick={toggle} aria-pressed={c.playing.to_string()}
                title="Play or pause (Space)">
                { if c.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button data-testid="restart" onclick={restart} title="Restart from the beginning">{"↺ Restart"}</button>
            <label class="speed">{"Speed "}
                <select data-testid="speed" onchange={speed} aria-label="Playback speed">{ for options }</select>
            </label>
            <input data-testid="timeline" type="range" class="scrub" min="0" max={duration_ms.to_string()}
                step={step.to_string()} value={(c.t * 1000.0).round().to_string()} oninput={seek}
                aria-label="Simulated time" aria-valuetext={format!("{} of {}", fmt_duration(c.t), fmt_duration(c.duration))} />
            <output data-testid="time" class="time" aria-live="off">{format!("{} / {}", fmt_duration(c.t), fmt_duration(c.duration))}</output>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct PhaseBarProps {
    pub trace: Rc<Trace>,
    pub t: f64,
}

/// What is happening at t, in one sentence.
pub fn describe_phase(trace: &Trace, t: f64) -> (String, String) {
    let span = trace.phase_at(t);
    let n = trace.passes.len();
    match span.kind {
        PhaseKind::Setup => (
            "Setup".into(),
            "connecting, sending the VM configuration, reserving memory on host B; the VM runs on A".into(),
        ),
        PhaseKind::Precopy if span.pass == 1 => (
            format!("Pass 1 of {n}"),
            "copying all memory, working set first, while the VM keeps running and dirtying pages".into(),
        ),
        PhaseKind::Precopy => (
            format!("Pass {} of {n}", span.pass),
            format!("re-sending the pages dirtied during pass {}", span.pass - 1),
        ),
        PhaseKind::StopCopy => {
            let left = trace.stop_copy.as_ref().map_or(0.0, |s| s.memory_bytes);
            (
                "Blackout: state transfer".into(),
                format!(
                    "VM paused; sending the last {} of dirty pages and the device state",
                    fmt_bytes(left)
                ),
            )
        }
        PhaseKind::Switchover => (
            "Blackout: switchover".into(),
            "storage handle moves to host B and the VM resumes there".into(),
        ),
        PhaseKind::Cleanup => (
            "Running on B".into(),
            "announcing the VM's new location (unsolicited ARP) and cleaning up host A".into(),
        ),
        PhaseKind::RunningOnB => ("Running on B".into(), "migration complete".into()),
        PhaseKind::Cancelled => (
            "Cancelled".into(),
            "the migration was abandoned; the VM keeps running on host A".into(),
        ),
    }
}

fn phase_class(kind: PhaseKind, pass: u32) -> &'static str {
    match kind {
        PhaseKind::Setup => "seg setup",
        PhaseKind::Precopy if pass % 2 == 1 => "seg pass odd",
        PhaseKind::Precopy => "seg pass even",
        PhaseKind::StopCopy | PhaseKind::Switchover => "seg blackout",
        PhaseKind::Cleanup => "seg cleanup",
        PhaseKind::RunningOnB | PhaseKind::Cancelled => "seg end",
    }
}

#[function_component(PhaseBar)]
pub fn phase_bar(props: &PhaseBarProps) -> Html {
    let trace = &props.trace;
    let (label, detail) = describe_phase(trace, props.t);
    let total = trace.total_time_s.max(f64::MIN_POSITIVE);
    let current = trace.phase_at(props.t);
    let segs = trace.phases.iter().filter(|p| p.end_s > p.start_s).map(|p| {
        let width = (p.end_s - p.start_s) / total * 100.0;
        let now = std::ptr::eq(p, current);
        html! {
            <span class={classes!(phase_class(p.kind, p.pass), now.then_some("now"))}
                style={format!("width:{width:.3}%")} title={describe_phase(trace, p.start_s).0}></span>
        }
    });
    html! {
        <div class="phasebar">
            <div class="track" aria-hidden="true">{ for segs }</div>
            <p class="phase" aria-live="polite">
                <strong data-testid="phase">{label}</strong>{": "}<span data-testid="phase-detail">{detail}</span>
            </p>
        </div>
    }
}
