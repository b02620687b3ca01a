//! "Which lever?": the reader's scenario with every combination of the tuning guide's levers,
//! ranked by total time with downtime, CPU on both hosts and what limits each, and the
//! recommendation; and the same for the cluster, ranked by the time until every migration is
//! done. Computed a run at a time between frames once the input has settled (`model::levers`).

use std::rc::Rc;

use yew::prelude::*;

use super::incremental::{use_settled_incremental, use_settled_stepped};
use crate::engine::cluster::ClusterScenario;
use crate::engine::Scenario;
use crate::model::levers::{
    cluster_lever_sets, cluster_lever_step, cluster_recommendation, describe_limit, describe_set,
    held_for, lever_sets, rank, recommend, speed_rows, study_points, study_run, ClusterLeverRun,
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
    // The reader's link speed first, then the table's: the advice shows once its group is
    // done.
    let per_speed = lever_sets(&p.scenario).len();
    let total = study_points(&p.scenario).len();
    let (runs, current) = use_settled_incremental(p.scenario.clone(), total, |s, i| {
        study_points(s)
            .get(i)
            .and_then(|point| study_run(s, *point))
    });
    html! {
        <LeverStudy {runs} {current} now_set={LeverSet::of(&p.scenario)} {per_speed} {total} {lang} />
    }
}

/// What the study found, shown for the scenario's lever set. A component of its own: while
/// the reader drags a slider the study keeps the runs of the input before, and this renders
/// nothing again until they change.
#[derive(Properties, PartialEq)]
struct StudyProps {
    runs: Rc<Vec<Option<Option<LeverRun>>>>,
    current: bool,
    now_set: LeverSet,
    per_speed: usize,
    total: usize,
    lang: Lang,
}

#[function_component(LeverStudy)]
fn lever_study(p: &StudyProps) -> Html {
    let (lang, runs, current, now_set, total) = (p.lang, &p.runs, p.current, p.now_set, p.total);
    let f = Fmt(lang);
    let n = p.per_speed;
    let done = runs.iter().take(n).flatten().count();
    let title = lang.pick("Which lever?", "Welche Stellschraube?");
    if done < n {
        return panel("levers", title, progress(done, n, lang), true);
    }
    let mut ranked: Vec<LeverRun> = runs.iter().take(n).flatten().flatten().copied().collect();
    rank(&mut ranked);
    let now = ranked.iter().find(|r| r.set == now_set);
    let advice = recommend(&ranked, now_set)
        .map(|pick| crate::model::levers::recommendation(pick, now, lang));
    let rows = ranked.iter().enumerate().map(|(i, r)| {
        let cpu = format!(
            "{} / {}",
            f.num(r.cpu_source_core_s, 1),
            f.num(r.cpu_dest_core_s, 1)
        );
        let cells = [
            time(r.completed, r.total_s, lang),
            f.duration(r.downtime_s),
            cpu,
            describe_limit(r, lang),
        ];
        row(i, r.set, r.set == now_set, cells, lang)
    });
    let headers = [
        lang.pick("total time", "Gesamtdauer"),
        lang.pick("downtime", "Ausfallzeit"),
        lang.pick(
            "CPU core\u{2011}s (source / destination)",
            "CPU-Kernsekunden (Quelle / Ziel)",
        ),
        lang.pick("what limits it", "was begrenzt"),
    ];
    let advice = advice.unwrap_or_else(|| {
        lang.pick(
            "No combination of the levers completes this migration.",
            "Keine Kombination der Stellschrauben schließt diese Migration ab.",
        )
        .to_string()
    });
    panel(
        "levers",
        title,
        html! {<>
            { updating(current, lang) }
            <p data-testid="lever-advice">{advice}</p>
            { speed_table(runs, n, now_set, total, lang) }
            { ranked_table(n, headers, rows.collect(), lang) }
        </>},
        current,
    )
}

/// A lever panel: its test id, title and content; dimmed while it shows the study of an
/// earlier input (`current` false).
fn panel(id: &'static str, title: &str, content: Html, current: bool) -> Html {
    html! {
        <section class={classes!("panel", "levers", (!current).then_some("stale"))} data-testid={id}
            aria-busy={(!current).to_string()}>
            <h2>{title}</h2>
            { content }
        </section>
    }
}

/// While the study of an earlier input is shown: that it is being redone.
fn updating(current: bool, lang: Lang) -> Html {
    if current {
        return html! {};
    }
    html! {
        <p class="small" role="status">{lang.pick(
            "Trying every combination again for your change…",
            "Alle Kombinationen werden für Ihre Änderung neu ausprobiert …")}</p>
    }
}

/// How far the study has got.
fn progress(done: usize, n: usize, lang: Lang) -> Html {
    html! {<>
        <p class="small" role="status">{lang.pick(
            format!("Trying every combination… {done} of {n}"),
            format!("Alle Kombinationen werden ausprobiert … {done} von {n}"))}</p>
        <progress max={n.to_string()} value={done.to_string()} />
    </>}
}

/// A run's time, or that it does not finish.
fn time(completed: bool, s: f64, lang: Lang) -> String {
    if completed {
        Fmt(lang).duration(s)
    } else {
        lang.pick("does not finish", "wird nicht fertig")
            .to_string()
    }
}

/// A ranked run: its place, its levers (marked when they are the reader's) and four figures.
fn row(i: usize, set: LeverSet, now: bool, cells: [String; 4], lang: Lang) -> Html {
    html! {
        <tr class={classes!(now.then_some("now"))}>
            <td>{i + 1}</td>
            <td>{describe_set(set, lang)}</td>
            { for cells.into_iter().map(|c| html! { <td>{c}</td> }) }
        </tr>
    }
}

/// Every combination, fastest first, in a disclosure: `#`, the levers, then `headers`.
fn ranked_table(n: usize, headers: [&str; 4], rows: Vec<Html>, lang: Lang) -> Html {
    html! {
        <details class="data">
            <summary>{lang.pick(
                format!("All {n} combinations, fastest first (yours is marked)"),
                format!("Alle {n} Kombinationen, schnellste zuerst (Ihre ist markiert)"))}</summary>
            <table>
                <thead><tr>
                    <th scope="col">{"#"}</th>
                    <th scope="col">{lang.pick("levers", "Stellschrauben")}</th>
                    { for headers.iter().map(|h| html! { <th scope="col">{*h}</th> }) }
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </details>
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

#[derive(Properties, PartialEq)]
pub struct ClusterLeverProps {
    pub cluster: Rc<ClusterScenario>,
    #[prop_or_default]
    pub lang: Lang,
}

/// The same study on the cluster: every combination on its migration networks, ranked by the
/// time until every migration is done, with the worst downtime, the CPU on each host and what
/// held the migrations.
#[function_component(ClusterLeverView)]
pub fn cluster_lever_view(p: &ClusterLeverProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let sets = cluster_lever_sets();
    let n = sets.len();
    // A run at a time, each in slices: a cluster of thousands of migrations takes longer
    // than a frame to run once.
    let (runs, current) =
        use_settled_stepped(
            p.cluster.clone(),
            n,
            |c, i, run, over| match cluster_lever_sets().get(i) {
                Some(set) => cluster_lever_step(c, *set, run, over),
                None => Some(None),
            },
        );
    let done = runs.iter().flatten().count();
    let title = lang.pick(
        "Which lever for this cluster?",
        "Welche Stellschraube für diesen Cluster?",
    );
    if p.cluster.operations.is_empty() {
        return panel(
            "cluster-levers",
            title,
            html! {
                <p class="small">{lang.pick(
                    "Add a move or a drain, and every combination of the levers is tried on it.",
                    "Fügen Sie eine Verschiebung oder ein Leeren hinzu, dann wird jede Kombination der Stellschrauben daran ausprobiert.")}</p>
            },
            true,
        );
    }
    if done < n {
        return panel("cluster-levers", title, progress(done, n, lang), true);
    }
    let mut ranked: Vec<ClusterLeverRun> = runs.iter().flatten().flatten().cloned().collect();
    rank(&mut ranked);
    let now_set = LeverSet::of_cluster(&p.cluster);
    let now = ranked.iter().find(|r| r.set == now_set);
    let advice = recommend(&ranked, now_set).map(|pick| cluster_recommendation(pick, now, lang));
    let rows = ranked.iter().enumerate().map(|(i, r)| {
        let cpu = r
            .host_cpu_core_s
            .iter()
            .map(|(h, c)| format!("{h}\u{a0}{}", f.num(*c, 1)))
            .collect::<Vec<_>>()
            .join(" · ");
        let held = r
            .held
            .map(|(l, s)| held_for(l, s, lang))
            .unwrap_or_default();
        let cells = [
            time(r.completed, r.makespan_s, lang),
            f.duration(r.worst_downtime_s),
            cpu,
            held,
        ];
        row(i, r.set, r.set == now_set, cells, lang)
    });
    let headers = [
        lang.pick("all done after", "alles erledigt nach"),
        lang.pick("worst downtime", "längste Ausfallzeit"),
        lang.pick("CPU core\u{2011}s per host", "CPU-Kernsekunden je Host"),
        lang.pick("what limits it", "was begrenzt"),
    ];
    let advice = advice.unwrap_or_else(|| {
        lang.pick(
            "No combination of the levers completes these migrations.",
            "Keine Kombination der Stellschrauben schließt diese Migrationen ab.",
        )
        .to_string()
    });
    panel(
        "cluster-levers",
        title,
        html! {<>
            { updating(current, lang) }
            <p data-testid="cluster-lever-advice">{advice}</p>
            { ranked_table(n, headers, rows.collect(), lang) }
        </>},
        current,
    )
}
