//! Exact values for the canvas charts: what a pointer over (or keyboard focus on) a bar, an
//! instant of the link chart or a block of the memory map stands for, as one sentence in the
//! reader's language, and the link chart's data table.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::engine::Trace;
use crate::text::{Fmt, Lang};

use super::timeline::describe_phase;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// Positions across the plot's width; position `i` covers `[i, i + 1) / slots` of it.
    pub slots: usize,
    /// Positions that stand for something (the first `count`); the rest read as nothing.
    pub count: usize,
    pub selected: Option<usize>,
    /// Called with the position under the pointer or chosen by key, and `None` on leaving.
    pub on_select: Callback<Option<usize>>,
    /// What the layer inspects, for screen readers ("Inspect the passes").
    pub label: AttrValue,
    /// The selected position's value in words (the readout), for screen readers.
    pub valuetext: AttrValue,
    /// The stylesheet's class that places the layer over the plot area.
    pub class: AttrValue,
    /// Positions run top to bottom (rows of a Gantt chart) rather than left to right.
    #[prop_or_default]
    pub vertical: bool,
}

/// A transparent layer over a canvas chart's plot area that turns the pointer position, or
/// the arrow keys while it has focus, into a selected position. One tab stop per chart: a
/// slider in ARIA's terms, whose value text is the exact reading.
#[function_component(Inspector)]
pub fn inspector(p: &InspectorProps) -> Html {
    let (slots, count, vertical) = (p.slots.max(1), p.count, p.vertical);
    let at = move |e: &PointerEvent| -> Option<usize> {
        // The layer has no children, so the target is the layer (yew listens on the root).
        let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
        let r = el.get_bounding_client_rect();
        let frac = if vertical {
            (f64::from(e.client_y()) - r.top()) / r.height().max(1.0)
        } else {
            (f64::from(e.client_x()) - r.left()) / r.width().max(1.0)
        };
        let i = (frac * slots as f64).floor();
        (i >= 0.0 && (i as usize) < count).then_some(i as usize)
    };
    let onpointermove = {
        let cb = p.on_select.clone();
        Callback::from(move |e: PointerEvent| cb.emit(at(&e)))
    };
    let onpointerleave = {
        let cb = p.on_select.clone();
        Callback::from(move |_: PointerEvent| cb.emit(None))
    };
    let onfocus = {
        let (cb, sel) = (p.on_select.clone(), p.selected);
        Callback::from(move |_: FocusEvent| {
            cb.emit(Some(sel.unwrap_or(0).min(count.saturating_sub(1))))
        })
    };
    let onblur = {
        let cb = p.on_select.clone();
        Callback::from(move |_: FocusEvent| cb.emit(None))
    };
    let onkeydown = {
        let (cb, sel) = (p.on_select.clone(), p.selected.unwrap_or(0));
        let page = (count / 10).max(1);
        Callback::from(move |e: KeyboardEvent| {
            let last = count.saturating_sub(1);
            let to = match e.key().as_str() {
                "ArrowLeft" | "ArrowDown" => sel.saturating_sub(1),
                "ArrowRight" | "ArrowUp" => (sel + 1).min(last),
                "PageDown" => sel.saturating_sub(page),
                "PageUp" => (sel + page).min(last),
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            cb.emit(Some(to));
        })
    };
    html! {
        <div class={classes!("inspector", p.class.to_string())} tabindex="0" role="slider"
            aria-label={p.label.clone()} aria-valuemin="1"
            aria-orientation={if vertical { "vertical" } else { "horizontal" }} aria-valuemax={count.max(1).to_string()}
            aria-valuenow={(p.selected.unwrap_or(0) + 1).to_string()} aria-valuetext={p.valuetext.clone()}
            {onpointermove} {onpointerleave} {onfocus} {onblur} {onkeydown}>
        </div>
    }
}

/// The position an inspector selects, and the callback that sets it.
#[hook]
pub(crate) fn use_probe() -> (Option<usize>, Callback<Option<usize>>) {
    let probe = use_state_eq(|| None::<usize>);
    let set = {
        let probe = probe.clone();
        Callback::from(move |i| probe.set(i))
    };
    (*probe, set)
}

/// The line under a chart: the reading at the selected position, or how to get one. Hidden
/// from screen readers, which hear the same reading as the inspector's value.
pub(crate) fn readout(testid: &'static str, reading: Option<String>, hint: &str) -> Html {
    html! {
        <p class="readout" aria-hidden="true" data-testid={testid}>{reading.unwrap_or_else(|| hint.to_string())}</p>
    }
}

/// A closed "Data table" disclosure under a chart.
pub(crate) fn data_table(
    lang: Lang,
    testid: &'static str,
    caption: &str,
    heads: &[&str],
    rows: Html,
) -> Html {
    html! {
        <details class="data">
            <summary>{lang.pick("Data table", "Datentabelle")}</summary>
            <table data-testid={testid}>
                <caption>{caption.to_string()}</caption>
                <thead><tr>{ for heads.iter().map(|h| html! { <th>{h.to_string()}</th> }) }</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

/// Bytes/s as the link chart draws them.
fn gbit(f: Fmt, bytes_per_s: f64) -> String {
    format!("{} Gbit/s", f.num(bytes_per_s * 8.0 / 1e9, 2))
}

/// Bar `i` of the pass chart (the passes, then the blackout) in one sentence.
pub(crate) fn pass_bar(trace: &Trace, i: usize, lang: Lang) -> Option<String> {
    let f = Fmt(lang);
    if let Some(p) = trace.passes.get(i) {
        let (moved, wire) = (f.bytes(p.memory_bytes), f.bytes(p.wire_bytes));
        let (took, dirty) = (f.duration(p.duration_s), f.bytes(p.dirty_bytes_at_end));
        let threshold = f.bytes(p.stop_threshold_bytes);
        return Some(lang.pick(
            format!("Pass {}: {moved} of memory moved as {wire} on the wire in {took}; {dirty} dirtied meanwhile; stop threshold {threshold}.", p.index),
            format!("Durchlauf {}: {moved} Arbeitsspeicher als {wire} auf der Leitung in {took} übertragen; währenddessen {dirty} geändert; Stoppschwelle {threshold}.", p.index),
        ));
    }
    let sc = trace
        .stop_copy
        .as_ref()
        .filter(|_| i == trace.passes.len())?;
    let (moved, state) = (f.bytes(sc.memory_bytes), f.bytes(sc.device_state_bytes));
    let (wire, took) = (f.bytes(sc.wire_bytes), f.duration(sc.duration_s));
    Some(lang.pick(
        format!("Blackout: the VM is paused; {moved} of memory and {state} of device state moved as {wire} on the wire; {took} until it runs on the destination."),
        format!("Blackout: die VM ist angehalten; {moved} Arbeitsspeicher und {state} Gerätezustand als {wire} auf der Leitung übertragen; {took}, bis sie auf dem Ziel läuft."),
    ))
}

/// The link chart at time `t`: the phase, migration traffic, other traffic, line rate.
pub(crate) fn link_at(trace: &Trace, t: f64, lang: Lang) -> String {
    let f = Fmt(lang);
    let (phase, _) = describe_phase(trace, t, lang);
    let (mig, other) = trace.segment_at(t).map_or((0.0, 0.0), |s| {
        (s.wire_rate, trace.rates.background_carried(s.background))
    });
    let (at, line) = (f.duration(t), gbit(f, trace.rates.line_rate));
    let (mig, other) = (gbit(f, mig), gbit(f, other));
    lang.pick(
        format!("At {at} ({phase}): migration {mig}, other traffic {other}, line rate {line}."),
        format!("Bei {at} ({phase}): Migration {mig}, übriger Datenverkehr {other}, Leitungsrate {line}."),
    )
}

/// One row of the link chart's table: a pass or the blackout with its mean rates.
pub(crate) struct LinkRow {
    pub what: String,
    pub start_s: f64,
    pub end_s: f64,
    /// Mean migration bytes/s on the wire.
    pub migration: f64,
    /// Mean other traffic carried, bytes/s.
    pub other: f64,
}

/// The link chart as a table: one row per pass and one for the blackout, each with the time
/// it spans and the mean rates over it (a duration-weighted mean of the chart's steps).
pub(crate) fn link_rows(trace: &Trace, lang: Lang) -> Vec<LinkRow> {
    let mean = |(a, b): (usize, usize)| {
        let segs = trace.segments.get(a..b.min(trace.segments.len()))?;
        let span: f64 = segs.iter().map(|s| s.end_s - s.start_s).sum();
        (span > 0.0).then(|| {
            let w = |g: &dyn Fn(&crate::engine::trace::LinkSegment) -> f64| {
                segs.iter()
                    .map(|s| g(s) * (s.end_s - s.start_s))
                    .sum::<f64>()
                    / span
            };
            (
                w(&|s| s.wire_rate),
                w(&|s| trace.rates.background_carried(s.background)),
            )
        })
    };
    let mut rows: Vec<LinkRow> = trace
        .passes
        .iter()
        .map(|p| {
            let (migration, other) = mean(p.segments).unwrap_or((p.wire_rate, 0.0));
            LinkRow {
                what: lang.pick(
                    format!("pass {}", p.index),
                    format!("Durchlauf {}", p.index),
                ),
                start_s: p.start_s,
                end_s: p.end_s,
                migration,
                other,
            }
        })
        .collect();
    if let Some(sc) = &trace.stop_copy {
        let (migration, other) = mean(sc.segments).unwrap_or((0.0, 0.0));
        rows.push(LinkRow {
            what: lang.pick("blackout", "Blackout").to_string(),
            start_s: sc.start_s,
            end_s: sc.start_s + sc.duration_s,
            migration,
            other,
        });
    }
    rows
}

/// The link chart's table cells for one row, formatted: what, from, to, migration, other.
pub(crate) fn link_cells(row: &LinkRow, lang: Lang) -> [String; 5] {
    let f = Fmt(lang);
    [
        row.what.clone(),
        f.duration(row.start_s),
        f.duration(row.end_s),
        gbit(f, row.migration),
        gbit(f, row.other),
    ]
}

/// A cluster migration (a Gantt row) in one sentence: the move, its wait, passes, blackout and
/// end.
pub(crate) fn migration(m: &crate::engine::cluster::MigrationRecord, lang: Lang) -> String {
    use crate::engine::cluster::Stage;
    let f = Fmt(lang);
    let waited = m
        .stages
        .iter()
        .filter(|s| s.stage == Stage::Queued)
        .map(|s| s.end_s - s.start_s)
        .sum::<f64>();
    let (wait, end, sent) = (
        f.duration(waited),
        f.duration(m.end_s),
        f.bytes(m.wire_bytes),
    );
    let (at, down) = (
        m.stages
            .iter()
            .find(|s| s.stage == Stage::Blackout)
            .map_or("—".to_string(), |b| f.duration(b.start_s)),
        f.duration(m.downtime_s),
    );
    let (vm, from, to, passes) = (&m.vm, &m.from, &m.to, m.passes);
    let held = m.main_limit().map_or(String::new(), |(l, share)| {
        format!(" {}.", crate::model::levers::held_for(l, share, lang))
    });
    match lang {
        Lang::En => format!(
            "{vm}, {from} → {to}: {wait} in the queue, {passes} {}, blackout at {at} for {down}, done at {end}, {sent} sent.{held}",
            if passes == 1 { "pass" } else { "passes" }
        ),
        Lang::De => format!(
            "{vm}, {from} → {to}: {wait} in der Warteschlange, {passes} {}, Blackout bei {at} für {down}, fertig bei {end}, {sent} gesendet.{held}",
            if passes == 1 { "Durchlauf" } else { "Durchläufe" }
        ),
    }
}

/// Block `i` of the memory map: its size, where it starts, and its state at the time shown.
pub(crate) fn block(trace: &Trace, i: usize, state: &str, lang: Lang) -> String {
    let f = Fmt(lang);
    let size = trace.layout().block_bytes;
    let (bytes, from) = (f.bytes(size), f.bytes(i as f64 * size));
    let n = i + 1;
    lang.pick(
        format!("Block {n} ({bytes} from {from}): {state}."),
        format!("Block {n} ({bytes} ab {from}): {state}."),
    )
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::engine::{simulate, Scenario};

    #[wasm_bindgen_test]
    fn readouts_state_the_values_the_charts_draw() {
        let t = simulate(&Scenario::default()).unwrap();
        let first = pass_bar(&t, 0, Lang::En).unwrap();
        assert!(first.starts_with("Pass 1: "), "{first}");
        assert!(first.contains("on the wire"), "{first}");
        let stop = pass_bar(&t, t.passes.len(), Lang::De).unwrap();
        assert!(
            stop.starts_with("Blackout: die VM ist angehalten"),
            "{stop}"
        );
        assert_eq!(pass_bar(&t, t.passes.len() + 1, Lang::En), None);
        // The table's rows cover the passes and the blackout, in order, and the mean rate of
        // a pass times its length is the bytes it put on the wire.
        let rows = link_rows(&t, Lang::En);
        assert_eq!(rows.len(), t.passes.len() + 1);
        for (row, p) in rows.iter().zip(&t.passes) {
            let sent = row.migration * (row.end_s - row.start_s);
            assert!(
                (sent - p.wire_bytes).abs() <= 0.01 * p.wire_bytes + 1.0,
                "{} {sent} vs {}",
                row.what,
                p.wire_bytes
            );
        }
        let mid = t.passes[0].start_s + t.passes[0].duration_s / 2.0;
        let at = link_at(&t, mid, Lang::De);
        assert!(
            at.contains("Durchlauf 1 von") && at.contains("Gbit/s"),
            "{at}"
        );
    }
}
