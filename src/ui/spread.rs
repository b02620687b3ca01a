//! The run-to-run spread as a distribution: the same migration with many seeds on a shared
//! network, against the one time it takes on a dedicated network. Computed between frames.

use std::rc::Rc;

use yew::prelude::*;

use super::files::SaveDrawing;
use super::svg;

use super::chart::use_view_env;
use super::incremental::use_incremental;
use crate::engine::sort::sort_by;
use crate::engine::{simulate, Scenario};
use crate::model::study::{seeded, Spread};
use crate::text::{Fmt, Lang};

/// Seeds per distribution.
pub const SEEDS: usize = 64;
const BINS: usize = 16;

#[derive(Properties, PartialEq)]
pub struct SpreadProps {
    pub scenario: Rc<Scenario>,
    #[prop_or_default]
    pub lang: Lang,
}

#[function_component(SpreadView)]
pub fn spread_view(p: &SpreadProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    // One SVG unit is one CSS pixel once the box is measured, so the labels keep their size.
    let svg = use_node_ref();
    let w = use_view_env(svg.clone())
        .width_or(600.0)
        .clamp(240.0, 2000.0)
        .round();
    // Index 0 is the dedicated run; 1..=SEEDS the shared ones.
    let runs = use_incremental(p.scenario.clone(), SEEDS + 1, |s, i| {
        let mut s = seeded(s, i);
        s.network.dedicated = i == 0;
        simulate(&s)
            .ok()
            .filter(|t| t.outcome.completed())
            .map(|t| t.total_time_s)
    });
    let dedicated = runs.first().copied().flatten().flatten();
    let mut shared: Vec<f64> = runs.iter().skip(1).flatten().flatten().copied().collect();
    let done = runs.iter().skip(1).flatten().count();
    let unfinished = done - shared.len();
    sort_by(&mut shared, f64::total_cmp);
    let lo = shared
        .first()
        .copied()
        .into_iter()
        .chain(dedicated)
        .fold(f64::INFINITY, f64::min);
    let hi = shared
        .last()
        .copied()
        .into_iter()
        .chain(dedicated)
        .fold(0.0, f64::max);
    let span = (hi - lo).max(hi * 1e-3).max(1e-9);
    let (x0, x1) = (10.0, w - 10.0);
    let x = |v: f64| x0 + (v - lo) / span * (x1 - x0);
    let mut counts = [0usize; BINS];
    for v in &shared {
        let b = (((v - lo) / span) * BINS as f64).floor() as usize;
        counts[b.min(BINS - 1)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(1).max(1);
    let bw = (x1 - x0) / BINS as f64;
    let bars = counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| {
        let h = *c as f64 / most as f64 * 70.0;
        let (a, b) = (lo + span * i as f64 / BINS as f64, lo + span * (i + 1) as f64 / BINS as f64);
        let tip = lang.pick(
            format!("{c} of {} shared runs took {} to {}", shared.len(), f.duration(a), f.duration(b)),
            format!("{c} von {} Läufen im gemeinsamen Netz dauerten {} bis {}", shared.len(), f.duration(a), f.duration(b)),
        );
        html! {
            <rect class="bin" x={format!("{:.1}", x0 + bw * i as f64 + 1.0)} y={format!("{:.1}", 80.0 - h)}
                width={format!("{:.1}", bw - 2.0)} height={format!("{h:.1}")} tabindex="0"><title>{tip}</title></rect>
        }
    });
    let ded = dedicated.map(|d| {
        let tip = lang.pick(
            format!("dedicated network: {} for every seed", f.duration(d)),
            format!(
                "dediziertes Netzwerk: {} bei jedem Startwert",
                f.duration(d)
            ),
        );
        html! {
            <g class="dedicated" tabindex="0">
                { svg::vline("", x(d), 4.0, 84.0) }
                <title>{tip}</title>
            </g>
        }
    });
    let found = Spread::of(&shared.iter().copied().map(Some).collect::<Vec<_>>());
    let text = if shared.is_empty() {
        lang.pick(
            "No run on the shared network completed.".to_string(),
            "Kein Lauf im gemeinsam genutzten Netzwerk wurde fertig.".to_string(),
        )
    } else {
        let (a, m, b, p90) = (
            f.duration(shared[0]),
            f.duration(found.median),
            f.duration(shared[shared.len() - 1]),
            f.duration(found.p90),
        );
        let d = dedicated.map_or("—".to_string(), |d| f.duration(d));
        lang.pick(
            format!("On a shared network {} runs with different background traffic took {a} to {b} (median {m}, 9 in 10 within {p90}); on a dedicated network every run takes {d}.", shared.len()),
            format!("Im gemeinsam genutzten Netzwerk dauerten {} Läufe mit anderem Hintergrundverkehr {a} bis {b} (Median {m}, 9 von 10 höchstens {p90}); im dedizierten Netzwerk dauert jeder Lauf {d}.", shared.len()),
        )
    };
    html! {
        <section class="panel spread-view" data-testid="spread-view">
            <h2>{lang.pick("Run to run: shared against dedicated", "Von Lauf zu Lauf: gemeinsam genutzt gegen dediziert")}</h2>
            <SaveDrawing name="spread" {lang} />
            <p data-testid="spread-text">{text.clone()}</p>
            <svg viewBox={format!("0 0 {w} 100")} ref={svg} role="img" aria-label={text}>
                { for bars }
                { for ded }
                { svg::range_axis(x0, x1, 80.0, 16.0, f.duration(lo), f.duration(hi)) }
            </svg>
            <ul class="legend">
                <li><span class="swatch bin"></span>{lang.pick("runs on the shared network (count per bar)", "Läufe im gemeinsam genutzten Netzwerk (Anzahl je Balken)")}</li>
                <li><span class="swatch line dedicated"></span>{lang.pick("dedicated network", "dediziertes Netzwerk")}</li>
            </ul>
            if unfinished > 0 {
                <p class="small">{lang.pick(format!("{unfinished} shared runs did not complete."), format!("{unfinished} Läufe im gemeinsam genutzten Netzwerk wurden nicht fertig."))}</p>
            }
            if done < SEEDS {
                <p class="small" role="status">{lang.pick(format!("Computing… {done} of {SEEDS} runs"), format!("Wird berechnet … {done} von {SEEDS} Läufen"))}</p>
            }
        </section>
    }
}
