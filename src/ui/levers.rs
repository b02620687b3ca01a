//! "Which lever?": the reader's scenario with every combination of the tuning guide's levers,
//! ranked by total time with downtime, CPU on both hosts and what limits each, and the
//! recommendation. Computed a run at a time between frames (`model::levers`).

use std::rc::Rc;

use yew::prelude::*;

use super::incremental::use_incremental;
use crate::engine::Scenario;
use crate::model::levers::{
    describe_limit, describe_set, lever_run, lever_sets, rank, recommend, LeverRun, LeverSet,
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
    let sets = lever_sets(&p.scenario);
    let n = sets.len();
    let runs = use_incremental(p.scenario.clone(), n, |s, i| {
        lever_sets(s).get(i).and_then(|set| lever_run(s, *set))
    });
    let done = runs.iter().flatten().count();
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
    let mut ranked: Vec<LeverRun> = runs.iter().flatten().flatten().copied().collect();
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
