//! The VM's memory as a canvas of blocks coloured by state. Redraws only the blocks whose state
//! changed since the last frame; sized to the device pixel ratio so it stays sharp, redrawn
//! whole when its width, the ratio or the colour theme changes.

use crate::palette::hex;
use crate::text::{Fmt, Lang};
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use super::chart::{use_view_env_measured, Measured, ViewEnv};
use super::inspect;
use crate::engine::{BlockState, Trace};

/// Blocks per row where they fit at `MIN_BLOCK_PX` or more; a narrower map has fewer.
pub const COLS: usize = 128;
/// The least a block shows as (CSS pixels), so that one can be seen and pointed at on a phone.
const MIN_BLOCK_PX: f64 = 3.0;
/// Fill colours per state, indexed by `BlockState as usize`. Chosen to stay distinct for the
/// common colour-vision deficiencies (blue/orange contrast, grey and green differ in lightness).
/// The page's stylesheet sets them per theme as `COLOUR_VARS`; the light theme's
/// (`palette::hex`, read from the stylesheet) are used where a property cannot be read.
pub const COLOURS: [&str; 7] = [
    hex::MAP_UNSENT,
    hex::MAP_CLEAN,
    hex::MAP_DIRTY,
    hex::MAP_FLIGHT,
    hex::MAP_ZERO,
    hex::MAP_FETCHED,
    hex::MAP_DELTA,
];
/// The CSS custom properties holding the colour of each state; the legend's swatches are
/// `swatch block-{i}`.
pub const COLOUR_VARS: [&str; 7] = [
    "--map-unsent",
    "--map-clean",
    "--map-dirty",
    "--map-flight",
    "--map-zero",
    "--map-fetched",
    "--map-delta",
];
pub const LABELS: [&str; 7] = [
    "not yet sent",
    "copied, clean",
    "dirtied: must be re-sent",
    "in flight",
    "never written (zero pages), not yet sent",
    "post-copy: fetched when the guest touched it",
    "XBZRLE: sent as its changes",
];
/// `LABELS` in German.
pub const LABELS_DE: [&str; 7] = [
    "noch nicht gesendet",
    "kopiert, unverändert",
    "geändert: muss erneut gesendet werden",
    "in Übertragung",
    "nie beschrieben (Nullseiten), noch nicht gesendet",
    "Post-Copy: abgerufen, als der Gast sie berührte",
    "XBZRLE: als ihre Änderungen gesendet",
];

/// The legend's labels per state in `lang`.
pub fn labels(lang: Lang) -> &'static [&'static str; 7] {
    lang.pick(&LABELS, &LABELS_DE)
}

/// "1 block", "4096 blocks"; German in the case the sentence needs ("Blöcke" or "Blöcken").
fn blocks(n: usize, lang: Lang, dative: bool) -> String {
    match (lang, n, dative) {
        (Lang::En, 1, _) => "1 block".to_string(),
        (Lang::En, n, _) => format!("{n} blocks"),
        (Lang::De, 1, _) => "1 Block".to_string(),
        (Lang::De, n, false) => format!("{n} Blöcke"),
        (Lang::De, n, true) => format!("{n} Blöcken"),
    }
}

/// The map's description for screen readers: how many blocks are in each state.
fn aria_label(blocks_total: usize, block: &str, counts: &[usize; 7], lang: Lang) -> String {
    let [unsent, clean, dirty, flight, zero, fetched, delta] = *counts;
    let extra = match (fetched + delta, lang) {
        (0, _) => String::new(),
        (_, Lang::En) => format!(" {fetched} fetched on a fault, {delta} sent as XBZRLE changes."),
        (_, Lang::De) => format!(
            " {fetched} bei einem Seitenfehler abgerufen, {delta} als XBZRLE-Änderungen gesendet."
        ),
    };
    match lang {
        Lang::En => format!(
            "Memory map of {} of {block} each: {unsent} not yet sent, {clean} clean, {dirty} dirty, {flight} in flight, {} not yet sent.{extra}",
            blocks(blocks_total, lang, false),
            match zero {
                1 => "1 never-written block".to_string(),
                n => format!("{n} never-written blocks"),
            }
        ),
        Lang::De => format!(
            "Speicherkarte aus {} zu je {block}: {unsent} noch nicht gesendet, {clean} kopiert und unverändert, {dirty} geändert, {flight} in Übertragung, {} noch nicht gesendet.{extra}",
            blocks(blocks_total, lang, true),
            match zero {
                1 => "1 nie beschriebener Block".to_string(),
                n => format!("{n} nie beschriebene Blöcke"),
            }
        ),
    }
}

#[derive(Properties, PartialEq)]
pub struct MemoryMapProps {
    pub trace: Rc<Trace>,
    pub t: f64,
    /// Seconds of simulated time that count as "in flight".
    pub window: f64,
    /// A small multiple: no caption or legend, and an id of its own.
    #[prop_or_default]
    pub compact: Option<AttrValue>,
    /// The language of the labels; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

/// What the map shows, under it: block count and size, the working set, never-written memory.
fn caption(total: usize, block: &str, ws: usize, zero: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} of {block} · working set {}, sent first in pass 1 · {} at the bottom (the top of the address space)",
            blocks(total, lang, false),
            blocks(ws, lang, false),
            match zero {
                1 => "1 never-written block".to_string(),
                n => format!("{n} never-written blocks"),
            }
        ),
        Lang::De => format!(
            "{} zu je {block} · Arbeitssatz {}, zuerst gesendet in Durchlauf 1 · {} unten (das obere Ende des Adressraums)",
            blocks(total, lang, false),
            blocks(ws, lang, false),
            match zero {
                1 => "1 nie beschriebener Block".to_string(),
                n => format!("{n} nie beschriebene Blöcke"),
            }
        ),
    }
}

/// The map's grid in a box `css_w` CSS pixels wide at `dpr`: the columns, the pitch of a block
/// and the gap between blocks (device pixels), and the size a block shows as (CSS pixels; the
/// canvas is stretched to its box). `COLS` columns, or as many fewer as it takes for a block
/// to show at `MIN_BLOCK_PX`; a small multiple keeps `COLS`.
fn grid(css_w: f64, dpr: f64, small: bool) -> (usize, f64, f64, f64) {
    let mut cols = COLS;
    loop {
        let cell = ((css_w * dpr) / cols as f64).floor().max(1.0);
        let gap = if cell >= 4.0 {
            dpr.round().max(1.0)
        } else {
            0.0
        };
        let shown = (cell - gap) * css_w / (cell * cols as f64);
        if small || shown >= MIN_BLOCK_PX || cols <= 8 {
            return (cols, cell, gap, shown);
        }
        cols -= 1;
    }
}

#[derive(Default)]
struct Painted {
    /// Columns of the grid painted.
    cols: usize,
    states: Vec<BlockState>,
    width: u32,
    height: u32,
    /// The environment the colours were read in; another one (a theme switch) repaints all.
    env: Option<ViewEnv>,
    colours: Vec<String>,
    measured: Measured,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

fn paint(
    canvas: &HtmlCanvasElement,
    states: &[BlockState],
    painted: &mut Painted,
    env: ViewEnv,
    small: bool,
) {
    let Some(ctx) = context(canvas) else { return };
    let surface = painted.measured.of(canvas, env, 512.0);
    let mut full = painted.env != Some(env) || painted.colours.len() != COLOUR_VARS.len();
    if full {
        painted.colours = COLOUR_VARS
            .iter()
            .zip(COLOURS)
            .map(|(var, fallback)| surface.palette.css(var, fallback))
            .collect();
        painted.env = Some(env);
    }
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let css_w = surface.width;
    let (cols, cell, gap, shown) = grid(css_w, dpr, small);
    let rows = states.len().div_ceil(cols).max(1);
    let width = (cell * cols as f64) as u32;
    let height = (cell * rows as f64) as u32;
    // Another trace of the same size is painted by difference too: `painted.states` is what
    // the canvas shows, whichever trace it came from (a slider drag changes the trace on
    // every step).
    full |=
        painted.width != width || painted.height != height || painted.states.len() != states.len();
    if canvas.width() != width || canvas.height() != height || painted.cols != cols {
        canvas.set_width(width);
        canvas.set_height(height);
        // The grid as painted, for the pointer and the browser tests.
        canvas.set_attribute("data-cols", &cols.to_string()).ok();
        canvas
            .set_attribute("data-block-px", &format!("{shown:.2}"))
            .ok();
        painted.cols = cols;
        full = true;
    }
    if full {
        ctx.clear_rect(0.0, 0.0, f64::from(width), f64::from(height));
    }
    // Batch by colour: one fill_style change per state.
    for (state_idx, colour) in painted.colours.iter().enumerate() {
        let mut styled = false;
        for (i, s) in states.iter().enumerate() {
            if *s as usize != state_idx || (!full && painted.states.get(i) == Some(s)) {
                continue;
            }
            if !styled {
                ctx.set_fill_style_str(colour);
                styled = true;
            }
            let (c, r) = ((i % cols) as f64, (i / cols) as f64);
            ctx.fill_rect(c * cell, r * cell, cell - gap, cell - gap);
        }
    }
    painted.states.clear();
    painted.states.extend_from_slice(states);
    painted.width = width;
    painted.height = height;
}

#[function_component(MemoryMap)]
pub fn memory_map(props: &MemoryMapProps) -> Html {
    let canvas_ref = use_node_ref();
    // A small multiple is measured (and first painted) a frame after it appears.
    let small = props.compact.is_some();
    let env = use_view_env_measured(canvas_ref.clone(), !small);
    let painted = use_mut_ref(Painted::default);
    let scratch = use_mut_ref(Vec::<BlockState>::new);
    let hover = use_state_eq(|| None::<usize>);
    let (counts, hovered) = {
        let mut states = scratch.borrow_mut();
        props
            .trace
            .sample_memory(props.t, props.window, &mut states);
        let hovered = hover.and_then(|i| Some((i, *states.get(i)?)));
        (Trace::count_states(&states), hovered)
    };
    {
        let canvas_ref = canvas_ref.clone();
        let painted: Rc<RefCell<Painted>> = painted.clone();
        let scratch = scratch.clone();
        use_effect(move || {
            // Not before the box is measured: that happens in this same flush (see
            // `ViewEnv::measured`), or a frame later for a small multiple, and painting
            // before it would paint twice.
            if !env.measured() {
                return;
            }
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                paint(
                    &canvas,
                    &scratch.borrow(),
                    &mut painted.borrow_mut(),
                    env,
                    small,
                );
            }
        });
    }
    let lang = props.lang;
    let layout = props.trace.layout();
    let block = Fmt(lang).bytes(layout.block_bytes);
    let aria = aria_label(layout.blocks, &block, &counts, lang);
    let names = labels(lang);
    // Fetched and delta blocks only where post-copy or XBZRLE runs.
    let trace = &props.trace;
    let shown = |i: usize| {
        i < 5
            || i == 5 && trace.postcopy.is_some()
            || i == 6 && trace.passes.iter().any(|p| p.xbzrle.is_some())
    };
    let legend = (0..COLOUR_VARS.len()).filter(|&i| shown(i)).map(|i| {
        html! {
            <li>
                <span class={format!("swatch block-{i}")}></span>
                {names[i]}{" "}
                <span class="count" data-testid={format!("blocks-{i}")}>{counts[i]}</span>
            </li>
        }
    });
    if let Some(id) = &props.compact {
        return html! {
            <canvas id={id.clone()} class="mini-map" ref={canvas_ref} role="img" aria-label={aria}></canvas>
        };
    }
    let total = layout.blocks;
    let onpointermove = {
        let hover = hover.clone();
        let painted = painted.clone();
        Callback::from(move |e: PointerEvent| {
            // The target, not the current target: yew listens on the app's root.
            let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let r = el.get_bounding_client_rect();
            let cols = painted.borrow().cols.max(1);
            let rows = total.div_ceil(cols).max(1);
            let col =
                ((f64::from(e.client_x()) - r.left()) / r.width().max(1.0) * cols as f64).floor();
            let row =
                ((f64::from(e.client_y()) - r.top()) / r.height().max(1.0) * rows as f64).floor();
            let i = row * cols as f64 + col;
            let inside = (0.0..cols as f64).contains(&col) && row >= 0.0 && i < total as f64;
            hover.set(inside.then_some(i as usize));
        })
    };
    let onpointerleave = {
        let hover = hover.clone();
        Callback::from(move |_: PointerEvent| hover.set(None))
    };
    let reading =
        hovered.map(|(i, state)| inspect::block(&props.trace, i, names[state as usize], lang));
    let f = Fmt(lang);
    let rows = (0..COLOUR_VARS.len()).filter(|&i| shown(i)).map(|i| {
        html! {
            <tr><td>{names[i]}</td><td>{counts[i]}</td><td>{f.bytes(counts[i] as f64 * layout.block_bytes)}</td></tr>
        }
    });
    html! {
        <div class="memory-map">
            <canvas id="memory-map" ref={canvas_ref} role="img" aria-label={aria} {onpointermove} {onpointerleave}></canvas>
            <p class="caption">{caption(layout.blocks, &block, layout.ws_blocks, layout.zero_blocks, lang)}</p>
            { inspect::readout("map-readout", reading, lang.pick(
                "Point at a block for its addresses and state.",
                "Zeigen Sie auf einen Block, um Adressen und Zustand zu sehen.")) }
            <ul class="legend">{ for legend }</ul>
            { inspect::data_table(lang, "map-table",
                lang.pick("Memory by state at the time shown", "Arbeitsspeicher nach Zustand zum gezeigten Zeitpunkt"),
                &[lang.pick("state", "Zustand"), lang.pick("blocks", "Blöcke"), lang.pick("memory", "Arbeitsspeicher")],
                rows.collect::<Html>()) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn fallback_colours_are_their_properties_light_values() {
        for (var, hex) in COLOUR_VARS.iter().zip(COLOURS) {
            assert_eq!(
                crate::palette::light_hex(var).as_deref(),
                Some(hex),
                "{var}"
            );
        }
    }

    #[wasm_bindgen_test]
    fn blocks_show_at_3_px_or_more_where_there_is_room() {
        // A desktop's map: all the columns, blocks of 4 px and more.
        let (cols, _, _, shown) = grid(700.0, 1.0, false);
        assert_eq!(cols, COLS);
        assert!(shown >= 4.0, "{shown}");
        // A phone's, at any pixel ratio: fewer columns, blocks of at least 3 px, the grid
        // within the box.
        for dpr in [1.0, 2.0, 2.625, 3.0] {
            let (cols, cell, gap, shown) = grid(333.0, dpr, false);
            assert!(
                cols < COLS && shown >= MIN_BLOCK_PX,
                "{dpr}: {cols} columns of {shown}"
            );
            assert!(cell * cols as f64 <= 333.0 * dpr && gap < cell, "{dpr}");
        }
        // A small multiple keeps its columns.
        assert_eq!(grid(200.0, 3.0, true).0, COLS);
    }

    #[wasm_bindgen_test]
    fn counts_read_as_sentences() {
        assert_eq!(
            aria_label(4096, "2 MiB", &[3, 1, 2, 0, 5, 0, 0], Lang::En),
            "Memory map of 4096 blocks of 2 MiB each: 3 not yet sent, 1 clean, 2 dirty, 0 in flight, 5 never-written blocks not yet sent."
        );
        assert_eq!(
            aria_label(1, "2 MiB", &[0, 0, 0, 0, 1, 0, 0], Lang::En),
            "Memory map of 1 block of 2 MiB each: 0 not yet sent, 0 clean, 0 dirty, 0 in flight, 1 never-written block not yet sent."
        );
        assert_eq!(
            aria_label(4096, "2 MiB", &[3, 1, 2, 0, 1, 0, 0], Lang::De),
            "Speicherkarte aus 4096 Blöcken zu je 2 MiB: 3 noch nicht gesendet, 1 kopiert und unverändert, 2 geändert, 0 in Übertragung, 1 nie beschriebener Block noch nicht gesendet."
        );
        assert_eq!(
            caption(4096, "2 MiB", 1, 2, Lang::De),
            "4096 Blöcke zu je 2 MiB · Arbeitssatz 1 Block, zuerst gesendet in Durchlauf 1 · 2 nie beschriebene Blöcke unten (das obere Ende des Adressraums)"
        );
        assert_eq!(
            caption(4096, "2 MiB", 1024, 512, Lang::En),
            "4096 blocks of 2 MiB · working set 1024 blocks, sent first in pass 1 · 512 never-written blocks at the bottom (the top of the address space)"
        );
        assert_eq!(labels(Lang::De)[2], "geändert: muss erneut gesendet werden");
    }
}
