//! The blackout up close: a timeline zoomed on the switchover (the end of pre-copy, the last
//! dirty pages, the device state, the switchover, the VM running on B), with the playback
//! cursor, and the downtime's breakdown drawn as a bar.

use std::rc::Rc;

use yew::prelude::*;

use super::files::SaveDrawing;
use super::svg::{self, Anchor};

use super::chart::use_view_env;

use crate::engine::Trace;
use crate::text::{Fmt, Lang};

#[derive(Properties, PartialEq)]
pub struct BlackoutProps {
    pub trace: Rc<Trace>,
    pub t: f64,
    pub slow: bool,
    pub on_slow: Callback<bool>,
    #[prop_or_default]
    pub lang: Lang,
}

/// The drawing's width before its box is measured; once it is, one SVG unit is one CSS pixel,
/// so the labels keep their size on any screen.
const W: f64 = 640.0;
const X0: f64 = 10.0;

#[function_component(BlackoutView)]
pub fn blackout_view(p: &BlackoutProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let body = use_node_ref();
    let w = use_view_env(body.clone())
        .width_or(W)
        .clamp(240.0, 2000.0)
        .round();
    let x1 = w - X0;
    let on_slow = {
        let d = p.on_slow.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            d.emit(input.checked());
        })
    };
    let slow_box = html! {
        <label class="inline small">
            <input type="checkbox" id="slow-blackout" checked={p.slow} onchange={on_slow} />
            {lang.pick(" play the blackout slowly (at least 2 s)", " Ausfallzeit langsam abspielen (mindestens 2 s)")}
        </label>
    };
    let Some(sc) = p.trace.stop_copy.as_ref() else {
        return html! {
            <>
                <h2>{lang.pick("The blackout up close", "Die Ausfallzeit aus der Nähe")}</h2>
            <SaveDrawing name="blackout" {lang} />
                <div class="bo-body" ref={body}>
                    <p>{lang.pick("This migration never paused the VM: there is no blackout.",
                        "Diese Migration hat die VM nie angehalten: Es gibt keine Ausfallzeit.")}</p>
                </div>
            </>
        };
    };
    let pages = sc.memory_duration_s.min(sc.duration_s);
    let state = (sc.duration_s - pages).max(0.0);
    let switch = sc.switchover_s;
    let down = sc.duration_s + switch;
    let margin = (down * 0.25).max(0.02);
    let (a, b) = (sc.start_s - margin, sc.start_s + down + margin);
    let x = |time: f64| X0 + ((time - a) / (b - a)).clamp(0.0, 1.0) * (x1 - X0);
    let parts = [
        (
            a,
            sc.start_s,
            "pre",
            lang.pick("pre-copy, VM running", "Vorab-Kopie, VM läuft"),
        ),
        (
            sc.start_s,
            sc.start_s + pages,
            "pages",
            lang.pick("last dirty pages", "letzte geänderte Seiten"),
        ),
        (
            sc.start_s + pages,
            sc.start_s + sc.duration_s,
            "state",
            lang.pick("device state", "Gerätezustand"),
        ),
        (
            sc.start_s + sc.duration_s,
            sc.start_s + down,
            "switch",
            lang.pick("switchover", "Umschalten"),
        ),
        (
            sc.start_s + down,
            b,
            "after",
            lang.pick("running on B", "läuft auf B"),
        ),
    ];
    let rects = parts.iter().map(|(s, e, class, label)| {
        let tip = format!("{label}: {}", f.duration(e - s));
        html! {
            <rect class={classes!("bo", *class)} x={format!("{:.1}", x(*s))} y="22"
                width={format!("{:.1}", (x(*e) - x(*s)).max(0.0))} height="26">
                <title>{tip}</title>
            </rect>
        }
    });
    let cursor = (p.t >= a && p.t <= b).then(|| svg::vline("cursor", x(p.t), 14.0, 56.0));
    // Time from the pause, in ms (or s for a long blackout), at round steps.
    let ms = |time: f64| (time - sc.start_s) * 1000.0;
    let axis = svg::value_axis(
        ms(a),
        ms(b),
        ((x1 - X0) / 50.0).clamp(2.0, 10.0) as usize,
        76.0,
        |v| x(sc.start_s + v / 1000.0),
        |v, step| {
            let (v, step, unit) = if step >= 1000.0 {
                (v / 1000.0, step / 1000.0, "s")
            } else {
                (v, step, "ms")
            };
            let places = (-step.log10().floor()).max(0.0) as usize;
            format!("{} {unit}", f.num(v, places).replace('-', "−"))
        },
    );
    let share = |v: f64| if down > 0.0 { v / down * 100.0 } else { 0.0 };
    let breakdown = [
        (pages, "pages", lang.pick("dirty pages", "geänderte Seiten")),
        (state, "state", lang.pick("device state", "Gerätezustand")),
        (switch, "switch", lang.pick("switchover", "Umschalten")),
    ];
    let mut offset = 0.0;
    let bar = breakdown.iter().map(|(v, class, _)| {
        let w = share(*v) / 100.0 * (x1 - X0);
        let r = html! { <rect class={classes!("bo", *class)} x={format!("{:.1}", X0 + offset)} y="4" width={format!("{w:.1}")} height="18" /> };
        offset += w;
        r
    });
    let items = breakdown.iter().map(|(v, class, label)| {
        html! { <li><span class={classes!("swatch", "bo", *class)}></span>{format!("{label}: {} ({} %)", f.duration(*v), f.num(share(*v), 0))}</li> }
    });
    let text = lang.pick(
        format!(
            "The VM is paused for {}: {} to send the last {} of dirty pages, {} for the device state, then {} to switch over.",
            f.duration(down),
            f.duration(pages),
            f.bytes(sc.memory_bytes),
            f.duration(state),
            f.duration(switch)
        ),
        format!(
            "Die VM ist {} angehalten: {} für die letzten {} geänderten Seiten, {} für den Gerätezustand, dann {} zum Umschalten.",
            f.duration(down),
            f.duration(pages),
            f.bytes(sc.memory_bytes),
            f.duration(state),
            f.duration(switch)
        ),
    );
    html! {
        <>
            <h2>{lang.pick("The blackout up close", "Die Ausfallzeit aus der Nähe")}</h2>
            <div class="bo-body" ref={body}>
                <p data-testid="blackout-text">{text.clone()}</p>
                <svg viewBox={format!("0 0 {w} 104")} role="img" aria-label={text}>
                    { for rects }
                    { for cursor }
                    { svg::tick(x(sc.start_s), 66.0, Anchor::Middle, lang.pick("pause", "Anhalten")) }
                    { svg::tick(x(sc.start_s + down), 66.0, Anchor::Middle, lang.pick("resume on B", "weiter auf B")) }
                    <g data-testid="blackout-axis">{ axis }</g>
                </svg>
                <svg class="breakdown" viewBox={format!("0 0 {w} 26")} role="img"
                    aria-label={lang.pick("Downtime breakdown", "Aufteilung der Ausfallzeit")}>{ for bar }</svg>
                <ul class="legend">{ for items }</ul>
                { slow_box }
            </div>
        </>
    }
}
