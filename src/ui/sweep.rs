//! The sweep: total time and downtime across a range of one parameter, with the current value
//! marked. Recomputed a slice at a time whenever the scenario changes, so it never holds up
//! the animation.

use std::rc::Rc;

use yew::prelude::*;

use super::files::SaveDrawing;
use super::inspect::data_table;
use super::svg::{self, Anchor};

use super::chart::use_view_env;
use super::incremental::use_incremental;
use crate::engine::{simulate, Scenario};
use crate::model::study::sweep_param;
use crate::model::{sweep_values, Spacing};
use crate::text::{Fmt, Lang};

/// A chapter's sweep names its parameter by id; as a prop it is a static string.
impl yew::html::IntoPropValue<AttrValue> for crate::chapters::Name {
    fn into_prop_value(self) -> AttrValue {
        AttrValue::Static(self.0)
    }
}

/// Points per sweep.
pub const SWEEP_POINTS: usize = 24;

#[derive(Properties, PartialEq)]
pub struct SweepProps {
    pub scenario: Rc<Scenario>,
    pub param: AttrValue,
    pub from: f64,
    pub to: f64,
    #[prop_or_default]
    pub lang: Lang,
    /// Offer a choice of parameter (the playground); a chapter fixes it.
    #[prop_or_default]
    pub selectable: bool,
}

/// The parameters a reader can sweep and their ranges.
pub const PARAMS: [(&str, f64, f64); 4] = [
    ("link-gbps", 1.0, 100.0),
    ("dirty-rate-mibps", 0.0, 2000.0),
    ("memory-mib", 1024.0, 262_144.0),
    ("buffers", 64.0, 8192.0),
];

/// One run of the sweep: the value, total time and downtime (None when it does not complete).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    x: f64,
    done: Option<(f64, f64)>,
}

fn param_label(param: &str, lang: Lang) -> (&'static str, &'static str) {
    match param {
        "link-gbps" => (
            lang.pick("Link speed", "Verbindungsgeschwindigkeit"),
            "Gbit/s",
        ),
        "dirty-rate-mibps" => (lang.pick("Dirty rate", "Änderungsrate"), "MiB/s"),
        "memory-mib" => (lang.pick("Memory", "Arbeitsspeicher"), "MiB"),
        "buffers" => (lang.pick("Ring descriptors", "Ringdeskriptoren"), ""),
        _ => ("", ""),
    }
}

/// The drawing's width before its box is measured; once it is, one SVG unit is one CSS pixel,
/// so the labels keep their size on any screen.
const W: f64 = 600.0;
const H: f64 = 130.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 14.0;
/// Room above the plot for the panel's title, clear of the top tick label.
const TOP: f64 = 26.0;
const BOTTOM: f64 = 22.0;

#[function_component(SweepChart)]
pub fn sweep_chart(p: &SweepProps) -> Html {
    let chosen = use_state(|| None::<usize>);
    let (param, from, to) = match *chosen {
        Some(i) if p.selectable => (PARAMS[i].0.to_string(), PARAMS[i].1, PARAMS[i].2),
        _ => (p.param.to_string(), p.from, p.to),
    };
    let on_pick = {
        let chosen = chosen.setter();
        use_callback((), move |e: Event, ()| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            chosen.set(sel.value().parse::<usize>().ok());
        })
    };
    let key = Rc::new((
        (*p.scenario).clone(),
        param.clone(),
        from.to_bits(),
        to.to_bits(),
    ));
    let points = use_incremental(key, SWEEP_POINTS, |(s, param, from, to), i| {
        let (from, to) = (f64::from_bits(*from), f64::from_bits(*to));
        let x = crate::model::study::sweep_value(from, to, i, SWEEP_POINTS, Spacing::Auto);
        let run = sweep_param(param).and_then(|p| simulate(&p.with(s, x)).ok());
        Point {
            x,
            done: run
                .filter(|t| t.outcome.completed())
                .map(|t| (t.total_time_s, t.downtime_s)),
        }
    });
    let current = sweep_param(&param)
        .and_then(|sp| sp.get(&p.scenario))
        .unwrap_or(from);
    html! {
        <SweepPlot {points} param={AttrValue::from(param)} {from} {to} {current} lang={p.lang}
            selectable={p.selectable} {on_pick} />
    }
}

/// What the sweep shows: the runs done so far, and the current value marked.
#[derive(Properties, PartialEq)]
struct SweepPlotProps {
    points: Rc<Vec<Option<Point>>>,
    param: AttrValue,
    from: f64,
    to: f64,
    current: f64,
    lang: Lang,
    selectable: bool,
    on_pick: Callback<Event>,
}

/// The sweep's panels, table and parameter choice. A component of its own so that a change
/// of the scenario which leaves the runs done so far and the current value as they were (a
/// slider step of another parameter: the runs of the new scenario come in later slices)
/// renders none of its hundred-odd elements again.
#[function_component(SweepPlot)]
fn sweep_plot(p: &SweepPlotProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let plots = use_node_ref();
    let w = use_view_env(plots.clone())
        .width_or(W)
        .clamp(240.0, 2000.0)
        .round();
    let (param, from, to, current) = (p.param.as_str(), p.from, p.to, p.current);
    let on_pick = p.on_pick.clone();
    let points = &p.points;
    let (name, unit) = param_label(param, lang);
    let xs = sweep_values(from, to, SWEEP_POINTS, Spacing::Auto);
    let log = Spacing::Auto.is_log(from, to);
    let sx = |x: f64| {
        let f = if log {
            (x.max(from).ln() - from.ln()) / (to.ln() - from.ln())
        } else {
            (x - from) / (to - from)
        };
        LEFT + f.clamp(0.0, 1.0) * (w - LEFT - RIGHT)
    };
    let ready: Vec<&Point> = points.iter().flatten().collect();
    let progress = ready.len();
    let x_text = |x: f64| {
        if unit.is_empty() {
            f.num(x, 0)
        } else {
            format!("{} {unit}", f.num(x, if x < 10.0 { 1 } else { 0 }))
        }
    };
    // One panel per quantity: total time and downtime, each on its own scale.
    let panel = |title: &str, pick: fn(&(f64, f64)) -> f64, class: &'static str| {
        let values: Vec<f64> = ready
            .iter()
            .filter_map(|p| p.done.map(|d| pick(&d)))
            .collect();
        let hi = values.iter().copied().fold(0.0, f64::max).max(1e-9);
        let sy = |v: f64| TOP + (1.0 - (v / hi).clamp(0.0, 1.0)) * (H - TOP - BOTTOM);
        let line: Vec<String> = ready
            .iter()
            .filter_map(|p| {
                p.done
                    .map(|d| format!("{:.1},{:.1}", sx(p.x), sy(pick(&d))))
            })
            .collect();
        let dots = ready.iter().map(|pt| match pt.done {
            Some(d) => {
                let v = pick(&d);
                let tip = format!("{}: {}", x_text(pt.x), f.duration(v));
                html! {
                    <circle class={classes!("pt", class)} cx={format!("{:.1}", sx(pt.x))} cy={format!("{:.1}", sy(v))} r="3.5" tabindex="0">
                        <title>{tip}</title>
                    </circle>
                }
            }
            None => {
                let tip = format!(
                    "{}: {}",
                    x_text(pt.x),
                    lang.pick("does not complete", "wird nicht fertig")
                );
                html! {
                    <text class="pt-fail" x={format!("{:.1}", sx(pt.x))} y={format!("{:.1}", TOP + 4.0)} text-anchor="middle" tabindex="0">
                        {"×"}<title>{tip}</title>
                    </text>
                }
            }
        });
        html! {
            <svg class="sweep-panel" viewBox={format!("0 0 {w} {H}")} role="group" aria-label={title.to_string()}>
                <text class="axis-label" x="4" y="12">{title.to_string()}</text>
                { svg::tick(LEFT - 6.0, sy(hi) + 4.0, Anchor::End, f.duration(hi)) }
                { svg::tick(LEFT - 6.0, sy(0.0), Anchor::End, "0") }
                <line class="axis" x1={svg::at(LEFT)} y1={svg::at(sy(0.0))} x2={svg::at(w - RIGHT)} y2={svg::at(sy(0.0))} />
                <polyline class={classes!("series", class)} points={line.join(" ")} />
                { for dots }
                { svg::vline("now", sx(current), TOP, H - BOTTOM) }
            </svg>
        }
    };
    let rows = ready.iter().map(|pt| {
        let (total, down) = match pt.done {
            Some((a, b)) => (f.duration(a), f.duration(b)),
            None => (
                lang.pick("does not complete", "wird nicht fertig")
                    .to_string(),
                "—".to_string(),
            ),
        };
        html! { <tr><td>{x_text(pt.x)}</td><td>{total}</td><td>{down}</td></tr> }
    });
    let summary = lang.pick(
        format!(
            "Total time and downtime for {name} from {} to {}; the line marks the current value, {}.",
            x_text(from),
            x_text(to),
            x_text(current)
        ),
        format!(
            "Gesamtdauer und Ausfallzeit für {name} von {} bis {}; die Linie markiert den aktuellen Wert, {}.",
            x_text(from),
            x_text(to),
            x_text(current)
        ),
    );
    let options = PARAMS.iter().enumerate().map(|(i, (id, _, _))| {
        html! { <option value={i.to_string()} selected={*id == param}>{param_label(id, lang).0}</option> }
    });
    html! {
        <section class="panel sweep" data-testid="sweep" aria-label={lang.pick("Sweep", "Parameterverlauf")}>
            <h2>{lang.pick(format!("Across {name}"), format!("Über {name}"))}</h2>
            <SaveDrawing name="sweep" {lang} />
            if p.selectable {
                <label class="inline">{lang.pick("Vary ", "Verändern: ")}
                    <select id="sweep-param" onchange={on_pick}>{ for options }</select>
                </label>
            }
            <p class="small">{summary}</p>
            <div class="sweep-plots" ref={plots}>
                { panel(lang.pick("Total time", "Gesamtdauer"), |d| d.0, "total") }
                { panel(lang.pick("Downtime", "Ausfallzeit"), |d| d.1, "down") }
            </div>
            <div class="sweep-axis">
                <span>{x_text(xs[0])}</span>
                <span>{format!("{name}{}", if log { lang.pick(" (log scale)", " (logarithmisch)") } else { "" })}</span>
                <span>{x_text(xs[xs.len() - 1])}</span>
            </div>
            <ul class="legend">
                <li><span class="swatch total"></span>{lang.pick("total time", "Gesamtdauer")}</li>
                <li><span class="swatch down"></span>{lang.pick("downtime", "Ausfallzeit")}</li>
                <li><span class="swatch line now"></span>{lang.pick("current value", "aktueller Wert")}</li>
                <li>{"× "}{lang.pick("does not complete", "wird nicht fertig")}</li>
            </ul>
            if progress < SWEEP_POINTS {
                <p class="small" role="status">{lang.pick(
                    format!("Computing… {progress} of {SWEEP_POINTS} runs"),
                    format!("Wird berechnet … {progress} von {SWEEP_POINTS} Läufen"))}</p>
            }
            { data_table(lang, "sweep-table",
                &lang.pick(format!("Total time and downtime across {name}"), format!("Gesamtdauer und Ausfallzeit über {name}")),
                &[&format!("{name} {unit}"), lang.pick("Total time", "Gesamtdauer"), lang.pick("Downtime", "Ausfallzeit")],
                rows.collect::<Html>()) }
        </section>
    }
}
