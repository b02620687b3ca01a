//! The pieces the page's small SVG charts share (the sweep, both run-to-run spreads and the
//! blackout): coordinates at a tenth of a unit, tick labels, vertical marks and a horizontal
//! axis with its two end labels.

use yew::prelude::*;

/// A coordinate as SVG text, to a tenth of a unit.
pub fn at(v: f64) -> String {
    format!("{v:.1}")
}

/// Where a tick's text sits against its x.
#[derive(Clone, Copy)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A tick label at (x, y).
pub fn tick(x: f64, y: f64, anchor: Anchor, text: impl Into<Html>) -> Html {
    html! { <text class="tick" x={at(x)} y={at(y)} text-anchor={anchor.name()}>{text.into()}</text> }
}

/// A vertical mark from y0 to y1 at x (the time cursor, the current value, a reference run).
pub fn vline(class: &'static str, x: f64, y0: f64, y1: f64) -> Html {
    html! { <line class={class} x1={at(x)} x2={at(x)} y1={at(y0)} y2={at(y1)} /> }
}

/// A horizontal axis from x0 to x1 at y, labelled at both ends `label_dy` below it.
pub fn range_axis(x0: f64, x1: f64, y: f64, label_dy: f64, lo: String, hi: String) -> Html {
    html! {
        <>
            <line class="axis" x1={at(x0)} x2={at(x1)} y1={at(y)} y2={at(y)} />
            { tick(x0, y + label_dy, Anchor::Start, lo) }
            { tick(x1, y + label_dy, Anchor::End, hi) }
        </>
    }
}
