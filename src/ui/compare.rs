//! Configurations side by side on one clock: two or three each with its memory map, its phase
//! and its numbers; four or five as the rows of a table (total time, blackout, how much the
//! guest was slowed, CPU, and what each risks); and a sentence saying how they differ.

use std::rc::Rc;

use yew::prelude::*;

use super::memory_map::MemoryMap;
use super::timeline::PhaseBar;
use crate::chapters::chapters;
use crate::engine::units::MIB;
use crate::engine::Trace;
use crate::text::{risk, Fmt, Lang};

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub chapter: usize,
    pub traces: Rc<Vec<Rc<Trace>>>,
    pub t: f64,
    /// Seconds of simulated time that count as "in flight" on the memory maps.
    pub window: f64,
    #[prop_or_default]
    pub lang: Lang,
}

/// "B finishes in 8.7 s, 7.5× sooner than A (65.5 s) …": the fastest against the slowest,
/// and the shortest blackout against the longest.
pub fn differences(labels: &[String], traces: &[Rc<Trace>], lang: Lang) -> String {
    let f = Fmt(lang);
    let done: Vec<(usize, &Rc<Trace>)> = traces
        .iter()
        .enumerate()
        .filter(|(_, t)| t.outcome.completed())
        .collect();
    let mut out = Vec::new();
    for (i, t) in traces.iter().enumerate() {
        if !t.outcome.completed() {
            out.push(lang.pick(
                format!("{} does not complete.", labels[i]),
                format!("{} wird nicht fertig.", labels[i]),
            ));
        }
    }
    if done.len() >= 2 {
        let by = |key: fn(&Trace) -> f64| {
            let lo = done
                .iter()
                .min_by(|a, b| key(a.1).total_cmp(&key(b.1)))
                .copied();
            let hi = done
                .iter()
                .max_by(|a, b| key(a.1).total_cmp(&key(b.1)))
                .copied();
            lo.zip(hi)
        };
        if let Some(((a, fast), (b, slow))) = by(|t| t.total_time_s) {
            if a != b && fast.total_time_s > 0.0 {
                let x = f.num(slow.total_time_s / fast.total_time_s, 1);
                let (la, lb) = (&labels[a], &labels[b]);
                let (ta, tb) = (f.duration(fast.total_time_s), f.duration(slow.total_time_s));
                out.push(lang.pick(
                    format!("{la} finishes first, in {ta}: {x}× sooner than {lb} ({tb})."),
                    format!(
                        "{la} ist zuerst fertig, nach {ta}: {x}-mal schneller als {lb} ({tb})."
                    ),
                ));
            }
        }
        if let Some(((a, short), (b, long))) = by(|t| t.downtime_s) {
            if a != b {
                let (la, lb) = (&labels[a], &labels[b]);
                let (da, db) = (f.duration(short.downtime_s), f.duration(long.downtime_s));
                out.push(lang.pick(
                    format!("The shortest blackout is {la}'s ({da}), the longest {lb}'s ({db})."),
                    format!("Die kürzeste Ausfallzeit hat {la} ({da}), die längste {lb} ({db})."),
                ));
            }
        }
        if let Some(((a, thrifty), (b, hungry))) = by(|t| t.cpu_source_core_s + t.cpu_dest_core_s) {
            let cpu = |t: &Trace| t.cpu_source_core_s + t.cpu_dest_core_s;
            if a != b && cpu(hungry) > 2.0 * cpu(thrifty) {
                let (la, lb) = (&labels[a], &labels[b]);
                let (ca, cb) = (f.num(cpu(thrifty), 1), f.num(cpu(hungry), 1));
                out.push(lang.pick(
                    format!("{la} needs the least CPU ({ca}\u{a0}core\u{2011}s), {lb} the most ({cb}\u{a0}core\u{2011}s)."),
                    format!("{la} braucht am wenigsten CPU ({ca}\u{a0}Kern\u{2011}s), {lb} am meisten ({cb}\u{a0}Kern\u{2011}s)."),
                ));
            }
        }
    }
    out.join(" ")
}

#[function_component(CompareView)]
pub fn compare_view(p: &CompareProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let Some(chapter) = chapters().get(p.chapter) else {
        return html! {};
    };
    let labels: Vec<String> = chapter
        .compare
        .iter()
        .map(|v| v.label.get(lang).to_string())
        .collect();
    if p.traces.len() != labels.len() {
        return html! {};
    }
    let outcome = |t: &Trace| {
        if t.outcome.completed() {
            (f.duration(t.total_time_s), f.duration(t.downtime_s))
        } else {
            (
                lang.pick("does not complete", "wird nicht fertig")
                    .to_string(),
                "—".to_string(),
            )
        }
    };
    let slowed = |t: &Trace| match t.guest_slowdown() {
        Some((lost, over)) => lang.pick(
            format!(
                "{} % for {}",
                f.num(100.0 * lost / over.max(f64::MIN_POSITIVE), 0),
                f.duration(over)
            ),
            format!(
                "{} % für {}",
                f.num(100.0 * lost / over.max(f64::MIN_POSITIVE), 0),
                f.duration(over)
            ),
        ),
        None => lang.pick("no", "nein").to_string(),
    };
    let cpu = |t: &Trace| {
        format!(
            "{}\u{a0}{}",
            f.num(t.cpu_source_core_s + t.cpu_dest_core_s, 1),
            lang.pick("core\u{2011}s", "Kern\u{2011}s")
        )
    };
    let text = differences(&labels, &p.traces, lang);
    if p.traces.len() > 3 {
        let rows = p.traces.iter().enumerate().map(|(i, t)| {
            let (total, down) = outcome(t);
            html! {
                <tr data-testid={format!("compare-{i}")}>
                    <th scope="row">{&labels[i]}</th>
                    <td data-testid={format!("compare-total-{i}")}>{total}</td>
                    <td>{down}</td>
                    <td>{slowed(t)}</td>
                    <td>{cpu(t)}</td>
                    <td class="risk">{risk(t, lang)}</td>
                </tr>
            }
        });
        return html! {
            <section class="panel compare table" data-testid="compare" aria-label={lang.pick("Side by side", "Im Vergleich")}>
                <h2>{lang.pick("Side by side", "Im Vergleich")}</h2>
                <p data-testid="compare-text">{text}</p>
                <div class="table-scroll" tabindex="0" role="region"
                    aria-label={lang.pick("The configurations compared", "Die verglichenen Konfigurationen")}>
                    <table class="compare-table">
                        <thead><tr>
                            <th scope="col">{lang.pick("Configuration", "Konfiguration")}</th>
                            <th scope="col">{lang.pick("Total time", "Gesamtdauer")}</th>
                            <th scope="col">{lang.pick("Blackout", "Ausfallzeit")}</th>
                            <th scope="col">{lang.pick("Guest slowed", "Gast gebremst")}</th>
                            <th scope="col">{lang.pick("CPU, both hosts", "CPU, beide Hosts")}</th>
                            <th scope="col">{lang.pick("Risk", "Risiko")}</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            </section>
        };
    }
    let columns = p.traces.iter().enumerate().map(|(i, t)| {
        let memory = t.scenario.vm.memory_mib * MIB;
        let at = p.t.min(t.total_time_s);
        let (total, down) = outcome(t);
        html! {
            <div class="compare-col" data-testid={format!("compare-{i}")}>
                <h3>{&labels[i]}</h3>
                <PhaseBar trace={t.clone()} t={at} lang={lang} />
                <MemoryMap trace={t.clone()} t={at} window={p.window} lang={lang}
                    compact={Some(AttrValue::from(format!("compare-map-{i}")))} />
                <dl class="numbers compact">
                    <div><dt>{lang.pick("Total time", "Gesamtdauer")}</dt><dd data-testid={format!("compare-total-{i}")}>{total}</dd></div>
                    <div><dt>{lang.pick("Downtime", "Ausfallzeit")}</dt><dd>{down}</dd></div>
                    <div><dt>{lang.pick("Memory moved", "Übertragener Speicher")}</dt><dd>{f.bytes(t.memory_bytes)}</dd></div>
                    <div><dt>{lang.pick("Bytes on the wire", "Bytes auf der Leitung")}</dt><dd>{f.bytes(t.wire_bytes)}</dd>
                        <dd class="note">{format!("{}×", f.num(t.wire_bytes / memory.max(1.0), 2))}</dd></div>
                    <div><dt>{lang.pick("CPU, both hosts", "CPU, beide Hosts")}</dt>
                        <dd>{cpu(t)}</dd></div>
                    <div><dt>{lang.pick("Guest slowed", "Gast gebremst")}</dt><dd>{slowed(t)}</dd></div>
                </dl>
            </div>
        }
    });
    html! {
        <section class="panel compare" data-testid="compare" aria-label={lang.pick("Side by side", "Im Vergleich")}>
            <h2>{lang.pick("Side by side, on one clock", "Im Vergleich, auf einer Uhr")}</h2>
            <p data-testid="compare-text">{text}</p>
            <div class="compare-cols">{ for columns }</div>
        </section>
    }
}
