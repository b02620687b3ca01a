//! "Which lever?": the reader's scenario with every combination of the tuning guide's levers,
//! ranked by total time with downtime, CPU on both hosts and what limits each, and the
//! recommendation. Computed a run at a time between frames (`model::levers`).

use std::rc::Rc;

use yew::prelude::*;

use super::incremental::use_settled_incremental;
use crate::engine::Scenario;
use crate::model::levers::{
    describe_limit, describe_set, lever_sets, rank, recommend, speed_rows, study_points, study_run,
    LeverRun, LeverSet, SpeedRow,
};
use crate::text::{Fmt, Lang};

#[derive(Properties, PartialEq)]
pub struct LeverProps {
    pub scenario: Rc<Scenario>,
    #[prop_or_default]
    pub lang: Lang,
}

#[function_component(LeverView)]
pub fn lever_view(p: &LeverProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    // The reader's link speed first, then the table's: the advice shows once its group is
    // done.
    let per_speed = lever_sets(&p.scenario).len();
    let total = study_points(&p.scenario).len();
    let runs = use_settled_incremental(p.scenario.clone(), total, |s, i| {
        study_points(s)
            .get(i)
            .and_then(|point| study_run(s, *point))
    });
    let n = per_speed;
    let done = runs.iter().take(n).flatten().count();
    let title = lang.pick("Which lever?", "Welche Stellschraube?");
    if done < n {
        return html! {
            <section class="panel levers" data-testid="levers">
                <h2>{title}</h2>
                <p class="small" role="status">{lang.pick(
                    format!("Trying every combination… {done} of {n}"),
                    format!("Alle Kombinationen werden ausprobiert … {done} von {n}"))}</p>
                <progress max={n.to_string()} value={done.to_string()} />
            </section>
        };
    }
    let mut ranked: Vec<LeverRun> = runs.iter().take(n).flatten().flatten().copied().collect();
    rank(&mut ranked);
    let now_set = LeverSet::of(&p.scenario);
    let now = ranked.iter().find(|r| r.set == now_set);
    let advice = recommend(&ranked, now_set)
        .map(|pick| crate::model::levers::recommendation(pick, now, lang));
    let rows = ranked.iter().enumerate().map(|(i, r)| {
        let time = if r.completed {
            f.duration(r.total_s)
        } else {
            lang.pick("does not finish", "wird nicht fertig").to_string()
        };
        let class = classes!((r.set == now_set).then_some("now"));
        html! {
            <tr {class}>
                <td>{i + 1}</td>
                <td>{describe_set(r.set, lang)}</td>
                <td>{time}</td>
                <td>{f.duration(r.downtime_s)}</td>
                <td>{format!("{} / {}", f.num(r.cpu_source_core_s, 1), f.num(r.cpu_dest_core_s, 1))}</td>
                <td>{describe_limit(r, lang)}</td>
            </tr>
        }
    });
    html! {
        <section class="panel levers" data-testid="levers">
            <h2>{title}</h2>
            <p data-testid="lever-advice">{advice.unwrap_or_else(|| lang.pick(
                "No combination of the levers completes this migration.",
                "Keine Kombination der Stellschrauben schließt diese Migration ab.").to_string())}</p>
            { speed_table(&runs, n, now_set, total, lang) }
            <details class="data">
                <summary>{lang.pick(
                    format!("All {n} combinations, fastest first (yours is marked)"),
                    format!("Alle {n} Kombinationen, schnellste zuerst (Ihre ist markiert)"))}</summary>
                <table>
                    <thead><tr>
                        <th scope="col">{"#"}</th>
                        <th scope="col">{lang.pick("levers", "Stellschrauben")}</th>
                        <th scope="col">{lang.pick("total time", "Gesamtdauer")}</th>
                        <th scope="col">{lang.pick("downtime", "Ausfallzeit")}</th>
                        <th scope="col">{lang.pick("CPU core-s (source / destination)", "CPU-Kernsekunden (Quelle / Ziel)")}</th>
                        <th scope="col">{lang.pick("what limits it", "was begrenzt")}</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </details>
        </section>
    }
}

/// How the advice changes at 1, 10, 25 and 100 GbE, with nothing else changed.
fn speed_table(
    runs: &[Option<Option<LeverRun>>],
    per_speed: usize,
    now: LeverSet,
    total: usize,
    lang: Lang,
) -> Html {
    let f = Fmt(lang);
    if runs.iter().flatten().count() < total {
        return html! {
            <p class="small" role="status">{lang.pick(
                "Trying the other link speeds…", "Die anderen Verbindungsgeschwindigkeiten werden ausprobiert …")}</p>
        };
    }
    let flat: Vec<Option<LeverRun>> = runs.iter().map(|r| r.flatten()).collect();
    let time = |r: Option<LeverRun>| match r {
        Some(r) if r.completed => f.duration(r.total_s),
        _ => lang
            .pick("does not finish", "wird nicht fertig")
            .to_string(),
    };
    let rows = speed_rows(&flat, per_speed, now)
        .into_iter()
        .map(|row: SpeedRow| {
            let advice = row.pick.map_or_else(
                || {
                    lang.pick("nothing finishes", "nichts wird fertig")
                        .to_string()
                },
                |p| describe_set(p.set, lang),
            );
            let limit = row
                .pick
                .map(|p| describe_limit(&p, lang))
                .unwrap_or_default();
            html! {
                <tr>
                    <th scope="row">{format!("{} GbE", f.num(row.gbps, 0))}</th>
                    <td>{time(row.now)}</td>
                    <td>{advice}</td>
                    <td>{time(row.pick)}</td>
                    <td>{limit}</td>
                </tr>
            }
        });
    html! {
        <table class="data speeds" data-testid="lever-speeds">
            <caption>{lang.pick(
                "The same question at other link speeds (only the link changes; a limit you set stays)",
                "Dieselbe Frage bei anderen Geschwindigkeiten (nur die Verbindung ändert sich; eine gesetzte Grenze bleibt)")}</caption>
            <thead><tr>
                <th scope="col">{lang.pick("link", "Verbindung")}</th>
                <th scope="col">{lang.pick("as you have it", "wie eingestellt")}</th>
                <th scope="col">{lang.pick("recommended", "empfohlen")}</th>
                <th scope="col">{lang.pick("then", "dann")}</th>
                <th scope="col">{lang.pick("what limits it", "was begrenzt")}</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}
