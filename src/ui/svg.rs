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

/// A round step for an axis over `span` with at most `most` steps: 1, 2 or 5 × 10ⁿ.
pub fn round_step(span: f64, most: usize) -> f64 {
    let raw = span / most.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0]
        .into_iter()
        .map(|k| k * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

/// A horizontal axis at `y` over the values `lo..hi` (drawn from `x(lo)` to `x(hi)`), with a
/// tick at every multiple of a round step, at most `most` of them, labelled `label(value,
/// step)` below it; a tick too near an end for its label to fit is left unlabelled.
pub fn value_axis(
    lo: f64,
    hi: f64,
    most: usize,
    y: f64,
    x: impl Fn(f64) -> f64,
    label: impl Fn(f64, f64) -> String,
) -> Html {
    let step = round_step(hi - lo, most);
    let (x0, x1) = (x(lo), x(hi));
    let ticks = (((lo / step).ceil() as i64)..=((hi / step).floor() as i64)).map(|k| {
        let v = k as f64 * step;
        let at_x = x(v);
        let room = (at_x - x0).min(x1 - at_x) >= 26.0;
        html! {
            <>
                <line class="axis" x1={at(at_x)} x2={at(at_x)} y1={at(y)} y2={at(y + 4.0)} />
                if room { { tick(at_x, y + 17.0, Anchor::Middle, label(v, step)) } }
            </>
        }
    });
    html! {
        <>
            <line class="axis" x1={at(x0)} x2={at(x1)} y1={at(y)} y2={at(y)} />
            { for ticks }
        </>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn round_steps_are_1_2_or_5_times_a_power_of_ten() {
        assert_eq!(round_step(450.0, 5), 100.0);
        assert_eq!(round_step(450.0, 3), 200.0);
        assert!((round_step(0.45, 5) - 0.1).abs() < 1e-12);
        assert_eq!(round_step(30.0, 4), 10.0);
        assert_eq!(round_step(1000.0, 2), 500.0);
    }
}
