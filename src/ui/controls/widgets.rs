//! The controls' widgets: a slider with its number box, a checkbox, a choice and a number
//! field, each with its hint and, for a refused value, why.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// A slider's props leave its callbacks out of their equality: the controls make the
/// callbacks anew on every render, each reading the current scenario when it runs (see
/// `Now` in the controls), so an old one does what a new one would, and a slider whose value,
/// label and refusal did not change is not rendered again.
#[derive(Properties)]
pub(super) struct SliderProps {
    pub(super) id: AttrValue,
    pub(super) label: AttrValue,
    pub(super) unit: AttrValue,
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) step: f64,
    /// Slider position (may be on a transformed scale).
    pub(super) position: f64,
    /// The value in `unit`, shown and editable in the number box.
    pub(super) value: f64,
    pub(super) on_slide: Callback<f64>,
    pub(super) on_value: Callback<Typed>,
    #[prop_or_default]
    pub(super) hint: Option<AttrValue>,
    /// Why the last typed value was refused, and what was typed, shown in and next to the field.
    #[prop_or_default]
    pub(super) error: Option<(AttrValue, AttrValue)>,
}

impl PartialEq for SliderProps {
    fn eq(&self, o: &Self) -> bool {
        (&self.id, &self.label, &self.unit, &self.hint, &self.error)
            == (&o.id, &o.label, &o.unit, &o.hint, &o.error)
            && [self.min, self.max, self.step, self.position, self.value].map(f64::to_bits)
                == [o.min, o.max, o.step, o.position, o.value].map(f64::to_bits)
    }
}

/// A typed value: the number read from it and the text as typed.
pub type Typed = (f64, String);

pub(super) fn typed(e: &Event) -> Typed {
    let input: HtmlInputElement = e.target_unchecked_into();
    let text = input.value();
    (parse_number(text.trim()).unwrap_or(f64::NAN), text)
}

pub(super) fn input_value(e: &Event) -> f64 {
    let input: HtmlInputElement = e.target_unchecked_into();
    parse_number(input.value().trim()).unwrap_or(f64::NAN)
}

/// A number as `str::parse::<f64>` reads it (`"1.5"`, `"-2e3"`, `".5"`, `"inf"`; None for
/// `""`, `"0x10"`, `"1,5"` or `" 1"`), but with the browser's own parser doing the digits:
/// Rust's would add its tables to the bundle. On these characters the two grammars agree and
/// both round correctly.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let negative = text.starts_with('-');
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if body.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    let plain = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !plain {
        return None;
    }
    // JS `+text`; NaN where the text is not a number.
    let v = wasm_bindgen::JsValue::from_str(text).unchecked_into_f64();
    (!v.is_nan()).then_some(v)
}

pub(super) fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{}", (v * 1000.0).round() / 1000.0)
    }
}

#[function_component(Slider)]
pub(super) fn slider(p: &SliderProps) -> Html {
    let on_slide = {
        let cb = p.on_slide.clone();
        Callback::from(move |e: InputEvent| {
            crate::ui::held::drag_step();
            cb.emit(input_value(&e.into()))
        })
    };
    let on_value = {
        let cb = p.on_value.clone();
        Callback::from(move |e: Event| cb.emit(typed(&e)))
    };
    let num_id = format!("{}-value", p.id);
    let shown = match &p.error {
        Some((_, text)) => text.to_string(),
        None => fmt_value(p.value),
    };
    let err_id = format!("{}-error", p.id);
    html! {
        <div class={classes!("field", p.error.is_some().then_some("invalid"))}>
            <label for={p.id.clone()}>{p.label.clone()}</label>
            <div class="field-row">
                <input type="range" id={p.id.clone()} min={p.min.to_string()} max={p.max.to_string()}
                    step={p.step.to_string()} value={p.position.to_string()} oninput={on_slide} />
                <input type="number" id={num_id} class="num" value={shown} onchange={on_value}
                    aria-label={format!("{} in {}", p.label, p.unit)} step="any"
                    aria-invalid={p.error.is_some().then_some("true")}
                    aria-describedby={p.error.is_some().then(|| err_id.clone())} />
                <span class="unit">{p.unit.clone()}</span>
            </div>
            if let Some((e, _)) = &p.error { <p class="field-error" id={err_id} role="alert">{e.clone()}</p> }
            if let Some(h) = &p.hint { <p class="hint">{h.clone()}</p> }
        </div>
    }
}

pub(super) fn checkbox(
    id: &'static str,
    label: &'static str,
    hint: String,
    checked: bool,
    cb: Callback<bool>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        cb.emit(input.checked());
    });
    html! {
        <div class="lever">
            <input type="checkbox" {id} {checked} {onchange} />
            <label for={id}>{label}<span class="hint">{hint}</span></label>
        </div>
    }
}

/// A labelled drop-down; emits the chosen option's value.
pub(super) fn choice(
    id: &'static str,
    label: &'static str,
    options: &[(&str, &str)],
    selected: &str,
    cb: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let sel: HtmlSelectElement = e.target_unchecked_into();
        cb.emit(sel.value())
    });
    let opts = options.iter().map(|(value, text)| {
        html! { <option value={value.to_string()} selected={*value == selected}>{*text}</option> }
    });
    html! {
        <div class="field">
            <label for={id}>{label}</label>
            <select {id} {onchange}>{ for opts }</select>
        </div>
    }
}

/// A labelled number box with its unit and an optional hint.
pub(super) fn number(
    id: &'static str,
    label: &str,
    unit: &str,
    value: f64,
    hint: &str,
    cb: (Callback<Typed>, Option<(String, String)>),
) -> Html {
    let (cb, error) = cb;
    let onchange = Callback::from(move |e: Event| cb.emit(typed(&e)));
    let shown = match &error {
        Some((_, text)) => text.clone(),
        None => fmt_value(value),
    };
    let err_id = format!("{id}-error");
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id}>{label.to_string()}</label>
            <div class="field-row">
                <input type="number" {id} class="num" value={shown} {onchange} step="any"
                    aria-invalid={error.is_some().then_some("true")}
                    aria-describedby={error.is_some().then(|| err_id.clone())} />
                <span class="unit">{unit.to_string()}</span>
            </div>
            if let Some((e, _)) = error { <p class="field-error" id={err_id} role="alert">{e}</p> }
            if !hint.is_empty() { <p class="hint">{hint.to_string()}</p> }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn numbers_read_as_rust_reads_them() {
        for text in [
            "0",
            "64",
            "-8",
            "+4",
            "1.5",
            ".5",
            "5.",
            "-.25",
            "1e3",
            "2E-3",
            "1e+2",
            "1e400",
            "-0",
            "0.1",
            "123456789.123456789",
            "00012",
            "inf",
            "-Infinity",
            "NaN",
            "",
            " ",
            " 1",
            "1 ",
            "banana",
            "0x10",
            "0b1",
            "1,5",
            "1_000",
            "1e",
            "e5",
            ".",
            "-",
            "+-1",
            "1.5.2",
            "--1",
            "Infinity1",
            "١",
        ] {
            let ours = parse_number(text);
            let rust = text.parse::<f64>().ok();
            let same = match (ours, rust) {
                (Some(a), Some(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                (a, b) => a.is_none() && b.is_none(),
            };
            assert!(same, "{text:?}: {ours:?} against {rust:?}");
        }
    }
}
