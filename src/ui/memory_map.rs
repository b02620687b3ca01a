//! The VM's memory as a canvas of blocks coloured by state. Redraws only the blocks whose state
//! changed since the last frame; sized to the device pixel ratio so it stays sharp.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::engine::units::fmt_bytes;
use crate::engine::{BlockState, Trace};

pub const COLS: usize = 128;
/// Fill colours per state, indexed by `BlockState as usize`. Chosen to stay distinct for the
/// common colour-vision deficiencies (blue/orange contrast, grey and green differ in lightness).
pub const COLOURS: [&str; 5] = ["#c9ced6", "#2f7d4f", "#e8710a", "#1a66d6", "#e9ebef"];
pub const LABELS: [&str; 5] = [
    "not yet sent",
    "copied, clean",
    "dirtied: must be re-sent",
    "in flight",
    "never written (zero pages), not yet sent",
];

#[derive(Properties, PartialEq)]
pub struct MemoryMapProps {
    pub trace: Rc<Trace>,
    pub t: f64,
    /// Seconds of simulated time that count as "in flight".
    pub window: f64,
    /// A small multiple: no caption or legend, and an id of its own.
    #[prop_or_default]
    pub compact: Option<AttrValue>,
}

#[derive(Default)]
struct Painted {
    states: Vec<BlockState>,
    trace: Option<Rc<Trace>>,
    width: u32,
    height: u32,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

fn paint(
    canvas: &HtmlCanvasElement,
    states: &[BlockState],
    painted: &mut Painted,
    trace: &Rc<Trace>,
) {
    let Some(ctx) = context(canvas) else { return };
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let css_w = match canvas.client_width() {
        w if w > 0 => f64::from(w),
        _ => 512.0,
    };
    let rows = states.len().div_ceil(COLS).max(1);
    let cell = ((css_w * dpr) / COLS as f64).floor().max(1.0);
    let width = (cell * COLS as f64) as u32;
    let height = (cell * rows as f64) as u32;
    let mut full = painted.width != width
        || painted.height != height
        || painted.states.len() != states.len()
        || !painted.trace.as_ref().is_some_and(|p| Rc::ptr_eq(p, trace));
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
        full = true;
    }
    let gap = if cell >= 4.0 {
        dpr.round().max(1.0)
    } else {
        0.0
    };
    if full {
        ctx.clear_rect(0.0, 0.0, f64::from(width), f64::from(height));
    }
    // Batch by colour: one fill_style change per state.
    for (state_idx, colour) in COLOURS.iter().enumerate() {
        let mut styled = false;
        for (i, s) in states.iter().enumerate() {
            if *s as usize != state_idx || (!full && painted.states.get(i) == Some(s)) {
                continue;
            }
            if !styled {
                ctx.set_fill_style_str(colour);
                styled = true;
            }
            let (c, r) = ((i % COLS) as f64, (i / COLS) as f64);
            ctx.fill_rect(c * cell, r * cell, cell - gap, cell - gap);
        }
    }
    painted.states.clear();
    painted.states.extend_from_slice(states);
    painted.trace = Some(trace.clone());
    painted.width = width;
    painted.height = height;
}

#[function_component(MemoryMap)]
pub fn memory_map(props: &MemoryMapProps) -> Html {
    let canvas_ref = use_node_ref();
    let painted = use_mut_ref(Painted::default);
    let scratch = use_mut_ref(Vec::<BlockState>::new);
    let counts = {
        let mut states = scratch.borrow_mut();
        props
            .trace
            .sample_memory(props.t, props.window, &mut states);
        Trace::count_states(&states)
    };
    {
        let canvas_ref = canvas_ref.clone();
        let painted: Rc<RefCell<Painted>> = painted.clone();
        let scratch = scratch.clone();
        let trace = props.trace.clone();
        use_effect(move || {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                paint(
                    &canvas,
                    &scratch.borrow(),
                    &mut painted.borrow_mut(),
                    &trace,
                );
            }
        });
    }
    let layout = &props.trace.layout;
    let aria = format!(
        "Memory map of {} blocks of {} each: {} not yet sent, {} clean, {} dirty, {} in flight, {} never-written blocks not yet sent.",
        layout.blocks,
        fmt_bytes(layout.block_bytes),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4]
    );
    let legend = (0..COLOURS.len()).map(|i| {
        html! {
            <li>
                <span class="swatch" style={format!("background:{}", COLOURS[i])}></span>
                {LABELS[i]}{" "}
                <span class="count" data-testid={format!("blocks-{i}")}>{counts[i]}</span>
            </li>
        }
    });
    if let Some(id) = &props.compact {
        return html! {
            <canvas id={id.clone()} class="mini-map" ref={canvas_ref} role="img" aria-label={aria}></canvas>
        };
    }
    html! {
        <div class="memory-map">
            <canvas id="memory-map" ref={canvas_ref} role="img" aria-label={aria}></canvas>
            <p class="caption">{format!("{} blocks of {} · working set {} blocks, sent first in pass 1 · {} never-written blocks at the top", layout.blocks, fmt_bytes(layout.block_bytes), layout.ws_blocks, layout.zero_blocks)}</p>
            <ul class="legend">{ for legend }</ul>
        </div>
    }
}
