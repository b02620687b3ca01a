//! Playback controls, the scrubbable timeline with its phase track, and the phase indicator.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::controls::parse_number;
use crate::engine::{PhaseKind, Trace};
use crate::model::ClockAction;
use crate::playback::{Clock, SPEEDS};
use crate::text::{localize, Fmt, Lang};

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub clock: Clock,
    pub on_clock: Callback<ClockAction>,
    /// The language of the labels; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

fn speed_label(v: f64, lang: Lang) -> String {
    if v < 1.0 {
        localize(&format!("{v}×"), lang)
    } else if v.fract() == 0.0 && v < 1e15 {
        // The same digits as `{v:.0}`, which for a whole number still takes the exact
        // float-printing path (a big-number fallback): 0.2 ms of every render of the
        // timeline, which a slider step re-renders.
        format!("{}×", v as u64)
    } else {
        format!("{v:.0}×")
    }
}

#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let c = props.clock;
    let lang = props.lang;
    let f = Fmt(lang);
    let d = props.on_clock.clone();
    let toggle = d.reform(|_| ClockAction::Toggle);
    let restart = d.reform(|_| ClockAction::Restart);
    let seek = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            crate::ui::held::drag_step();
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(ms) = parse_number(&input.value()) {
                d.emit(ClockAction::Seek(ms / 1000.0));
            }
        })
    };
    let speed = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Some(v) = parse_number(&sel.value()) {
                d.emit(ClockAction::Speed(v));
            }
        })
    };
    let duration_ms = (c.duration * 1000.0).round();
    let step = (duration_ms / 2000.0).max(1.0).round();
    let options = SPEEDS.iter().map(|&v| {
        html! { <option value={v.to_string()} selected={(v - c.speed).abs() < 1e-9}>{speed_label(v, lang)}</option> }
    });
    html! {
        <div class="timeline">
            <button data-testid="play" class="primary" onclick={toggle} aria-pressed={c.playing.to_string()}
                title={lang.pick("Play or pause (Space)", "Wiedergabe oder Pause (Leertaste)")}>
                { if c.playing { "❚❚ Pause" } else { lang.pick("▶ Play", "▶ Abspielen") } }
            </button>
            <button data-testid="restart" onclick={restart} title={lang.pick("Restart from the beginning", "Von vorn beginnen")}>
                {lang.pick("↺ Restart", "↺ Neustart")}
            </button>
            <label class="speed">{lang.pick("Speed ", "Tempo ")}
                <select data-testid="speed" onchange={speed} aria-label={lang.pick("Playback speed", "Wiedergabegeschwindigkeit")}>{ for options }</select>
            </label>
            <input data-testid="timeline" type="range" class="scrub" min="0" max={duration_ms.to_string()}
                step={step.to_string()} value={(c.t * 1000.0).round().to_string()} oninput={seek}
                aria-label={lang.pick("Simulated time", "Simulierte Zeit")}
                aria-valuetext={lang.pick(format!("{} of {}", f.duration(c.t), f.duration(c.duration)),
                    format!("{} von {}", f.duration(c.t), f.duration(c.duration)))} />
            <output data-testid="time" class="time" aria-live="off">{format!("{} / {}", f.duration(c.t), f.duration(c.duration))}</output>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct PhaseBarProps {
    pub trace: Rc<Trace>,
    pub t: f64,
    /// The language of the labels; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

/// What is happening at t: a short label and one sentence, in `lang`.
pub fn describe_phase(trace: &Trace, t: f64, lang: Lang) -> (String, String) {
    let span = trace.phase_at(t);
    let n = trace.passes.len();
    let pick = |en: &str, de: &str| -> String { lang.pick(en, de).to_string() };
    match span.kind {
        PhaseKind::Setup => (
            pick("Setup", "Einrichtung"),
            pick(
                "connecting, sending the VM configuration, reserving memory on host B; the VM runs on A",
                "Verbindung wird aufgebaut, die Konfiguration der VM gesendet und Arbeitsspeicher auf Host B reserviert; die VM läuft auf A",
            ),
        ),
        PhaseKind::Precopy if span.pass == 1 => (
            lang.pick(format!("Pass 1 of {n}"), format!("Durchlauf 1 von {n}")),
            pick(
                "copying all memory, working set first, while the VM keeps running and dirtying pages",
                "der gesamte Arbeitsspeicher wird kopiert, den Arbeitssatz zuerst, während die VM weiterläuft und Seiten ändert",
            ),
        ),
        PhaseKind::Precopy => (
            lang.pick(
                format!("Pass {} of {n}", span.pass),
                format!("Durchlauf {} von {n}", span.pass),
            ),
            lang.pick(
                format!("re-sending the pages dirtied during pass {}", span.pass - 1),
                format!(
                    "die während Durchlauf {} geänderten Seiten werden erneut gesendet",
                    span.pass - 1
                ),
            ),
        ),
        PhaseKind::StopCopy => {
            let left = Fmt(lang).bytes(trace.stop_copy.as_ref().map_or(0.0, |s| s.memory_bytes));
            (
                pick("Blackout: state transfer", "Blackout: Zustandsübertragung"),
                lang.pick(
                    format!("VM paused; sending the last {left} of dirty pages and the device state"),
                    format!(
                        "VM angehalten; die restlichen {left} an geänderten Seiten und der Gerätezustand werden gesendet"
                    ),
                ),
            )
        }
        PhaseKind::Switchover => (
            pick("Blackout: switchover", "Blackout: Umschaltung"),
            pick(
                "storage handle moves to host B and the VM resumes there",
                "der Zugriff auf die virtuellen Datenträger wechselt zu Host B, und die VM wird dort fortgesetzt",
            ),
        ),
        // Only the full bundle runs post-copy (`ui/handover.rs`).
        #[cfg(not(feature = "full"))]
        PhaseKind::Postcopy => (String::new(), String::new()),
        #[cfg(feature = "full")]
        PhaseKind::Postcopy => {
            let left = Fmt(lang).bytes(trace.postcopy.as_ref().map_or(0.0, |p| p.bytes));
            (
                pick("Post-copy: running on B", "Post-Copy: läuft auf B"),
                lang.pick(
                    format!("the VM runs on B while {left} of pages follow: pushed in the background, or fetched when the VM touches one, which then waits"),
                    format!(
                        "die VM läuft auf B, während {left} an Seiten folgen: im Hintergrund geschoben oder abgerufen, sobald die VM eine berührt, die dann wartet"
                    ),
                ),
            )
        }
        PhaseKind::Cleanup => (
            pick("Running on B", "Läuft auf B"),
            pick(
                "announcing the VM's new location (unsolicited ARP) and cleaning up host A",
                "der neue Standort der VM wird bekannt gegeben (unaufgeforderte ARP-Antworten), und Host A wird bereinigt",
            ),
        ),
        PhaseKind::RunningOnB => (
            pick("Running on B", "Läuft auf B"),
            pick("migration complete", "Migration abgeschlossen"),
        ),
        PhaseKind::Cancelled => (
            pick("Cancelled", "Abgebrochen"),
            pick(
                "the migration was abandoned; the VM keeps running on host A",
                "die Migration wurde aufgegeben; die VM läuft auf Host A weiter",
            ),
        ),
    }
}

fn phase_class(kind: PhaseKind, pass: u32) -> &'static str {
    match kind {
        PhaseKind::Setup => "seg setup",
        PhaseKind::Precopy if pass % 2 == 1 => "seg pass odd",
        PhaseKind::Precopy => "seg pass even",
        PhaseKind::StopCopy | PhaseKind::Switchover => "seg blackout",
        PhaseKind::Postcopy => "seg postcopy",
        PhaseKind::Cleanup => "seg cleanup",
        PhaseKind::RunningOnB | PhaseKind::Cancelled => "seg end",
    }
}

/// The phase track's width in SVG units.
const TRACK_UNITS: f64 = 1000.0;

#[function_component(PhaseBar)]
pub fn phase_bar(props: &PhaseBarProps) -> Html {
    let trace = &props.trace;
    let lang = props.lang;
    let (label, detail) = describe_phase(trace, props.t, lang);
    let total = trace.total_time_s.max(f64::MIN_POSITIVE);
    let current = trace.phase_at(props.t);
    // Drawn in SVG (a 1000-unit track stretched to the width) so the widths are attributes,
    // not inline styles; each phase keeps at least a sliver.
    let x = |t: f64| t / total * TRACK_UNITS;
    let segs = trace.phases.iter().filter(|p| p.end_s > p.start_s).map(|p| {
        let now = std::ptr::eq(p, current);
        let width = (x(p.end_s) - x(p.start_s)).max(1.5);
        html! {
            <rect class={classes!(phase_class(p.kind, p.pass), now.then_some("now"))}
                x={format!("{:.2}", x(p.start_s))} y="0" width={format!("{width:.2}")} height="12">
                <title>{describe_phase(trace, p.start_s, lang).0}</title>
            </rect>
        }
    });
    let now_mark = trace
        .phases
        .iter()
        .find(|p| std::ptr::eq(*p, current) && p.end_s > p.start_s)
        .map(|p| {
            let width = (x(p.end_s) - x(p.start_s)).max(1.5);
            html! {
                <rect class="now-mark" x={format!("{:.2}", x(p.start_s))} y="0"
                    width={format!("{width:.2}")} height="12" vector-effect="non-scaling-stroke" />
            }
        });
    html! {
        <div class="phasebar">
            <div class="track" aria-hidden="true">
                <svg viewBox={format!("0 0 {TRACK_UNITS} 12")} preserveAspectRatio="none" focusable="false">
                    { for segs }{ for now_mark }
                </svg>
            </div>
            <p class="phase" aria-live="polite">
                <strong data-testid="phase">{label}</strong>{": "}<span data-testid="phase-detail">{detail}</span>
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::engine::{simulate, Scenario};

    #[wasm_bindgen_test]
    fn phases_are_described_in_both_languages() {
        let trace = simulate(&Scenario::default()).expect("the default scenario runs");
        let n = trace.passes.len();
        let pass1 = trace
            .phases
            .iter()
            .find(|p| p.kind == PhaseKind::Precopy && p.pass == 1)
            .expect("a first pass");
        let t = (pass1.start_s + pass1.end_s) / 2.0;
        assert_eq!(
            describe_phase(&trace, t, Lang::En).0,
            format!("Pass 1 of {n}")
        );
        assert_eq!(
            describe_phase(&trace, t, Lang::De).0,
            format!("Durchlauf 1 von {n}")
        );
        assert_eq!(describe_phase(&trace, 0.0, Lang::En).0, "Setup");
        assert_eq!(describe_phase(&trace, 0.0, Lang::De).0, "Einrichtung");
        let end = trace.total_time_s;
        assert_eq!(describe_phase(&trace, end, Lang::En).0, "Running on B");
        assert_eq!(describe_phase(&trace, end, Lang::De).0, "Läuft auf B");
        let stop = trace
            .phases
            .iter()
            .find(|p| p.kind == PhaseKind::StopCopy)
            .expect("a blackout");
        let (label, detail) = describe_phase(&trace, stop.start_s, Lang::De);
        assert_eq!(label, "Blackout: Zustandsübertragung");
        assert!(!detail.contains('.') || detail.contains(','), "{detail}");
    }

    #[wasm_bindgen_test]
    fn speeds_use_the_decimal_separator_of_the_language() {
        assert_eq!(speed_label(0.5, Lang::En), "0.5×");
        assert_eq!(speed_label(0.5, Lang::De), "0,5×");
        assert_eq!(speed_label(4.0, Lang::De), "4×");
    }

    #[wasm_bindgen_test]
    fn whole_speeds_print_as_with_no_decimals() {
        for v in crate::playback::SPEEDS
            .into_iter()
            .chain([1.5, 2.5, 1e15, 3e20])
        {
            if v >= 1.0 {
                assert_eq!(speed_label(v, Lang::En), format!("{v:.0}×"));
            }
        }
    }
}
