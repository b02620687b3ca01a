//! The JavaScript API for pages that place the simulator themselves:
//!
//! ```js
//! import init, { mount } from './app.js';
//! await init();
//! const lab = mount(document.querySelector('#demo'), { chapter: 'precopy', lang: 'de' });
//! lab.on_change((e) => console.log(e.result.total_time_s));
//! lab.set_scenario({ vm: { memory_mib: 16384 } });
//! lab.play(); lab.pause();
//! lab.destroy();
//! ```
//!
//! Options (all optional): `chapter` (an id), `lang` (`"en"`, `"de"`), `theme` (`"light"`,
//! `"dark"`, `"system"`), `embed` (`true`: the compact widget), `controls` and `views` (ids
//! of the controls and views to show, with `embed`), `scenario` and `cluster` (objects in the scenario-file format, missing fields at
//! their defaults), `autoplay` (`true`/`false`), `speed` (one of the playback speeds, 0.1 to 200
//! simulated seconds per second). Each mounted instance runs on its own: its own state,
//! animation loop and listeners, all released by `destroy`. `set_theme` changes the colours
//! of a mounted instance (the `<migration-lab>` element of `www/migration-lab.js` follows the
//! host page's with it).

#[cfg(feature = "full")]
pub use js::{mount, Handle};

/// What the module exports to JavaScript: only the full bundle has it.
#[cfg(feature = "full")]
mod js {
    use wasm_bindgen::prelude::*;
    use web_sys::Element;

    use super::super::app::{App, AppProps};
    use super::super::bridge::Bridge;
    use super::super::state::{Action, Theme};
    use crate::engine::{ClusterScenario, Scenario};
    use crate::permalink::Embed;
    use crate::text::Lang;

    /// A mounted simulator.
    #[wasm_bindgen]
    pub struct Handle {
        app: Option<yew::AppHandle<App>>,
        bridge: Bridge,
        element: Element,
    }

    /// A string option, if given.
    fn string(options: &JsValue, key: &str) -> Result<Option<String>, JsError> {
        let v = js_sys::Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_string()
            .map(Some)
            .ok_or_else(|| JsError::new(&format!("option {key} must be a string")))
    }

    /// An object option as JSON text, if given.
    fn json(options: &JsValue, key: &str) -> Result<Option<String>, JsError> {
        json_of(
            &js_sys::Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED),
            key,
        )
    }

    /// `v` as JSON text (`JSON.stringify` of an object, or a string as it is); `None` when
    /// undefined or null.
    fn json_of(v: &JsValue, key: &str) -> Result<Option<String>, JsError> {
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        if let Some(s) = v.as_string() {
            return Ok(Some(s));
        }
        js_sys::JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .map(Some)
            .ok_or_else(|| JsError::new(&format!("option {key} must be an object")))
    }

    /// A scenario from an option value: the scenario-file format (its `version` may be left
    /// out), validated, with field-named errors.
    fn scenario_from(text: &str) -> Result<Scenario, JsError> {
        Scenario::from_json(text).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Mounts a simulator into `element` (its contents are replaced). Throws with a message that
    /// names the option or scenario field when an option is not valid.
    #[wasm_bindgen]
    pub fn mount(element: Element, options: JsValue) -> Result<Handle, JsError> {
        use crate::chapters::Chapter;
        let flag = |key: &str| {
            js_sys::Reflect::get(&options, &key.into())
                .ok()
                .and_then(|v| v.as_bool())
        };
        let lang = match string(&options, "lang")? {
            Some(code) => Some(
                Lang::from_code(&code)
                    .ok_or_else(|| JsError::new(&format!("lang {code:?} is not en or de")))?,
            ),
            None => None,
        };
        let theme = string(&options, "theme")?
            .map(|code| theme_of(&code))
            .transpose()?;
        let speed = match js_sys::Reflect::get(&options, &"speed".into()) {
            Ok(v) if !v.is_undefined() && !v.is_null() => Some(speed_of(&v)?),
            _ => None,
        };
        let chapter = string(&options, "chapter")?;
        if let Some(c) = &chapter {
            if crate::chapters::chapter_index(c).is_none() {
                return Err(JsError::new(&format!("there is no chapter {c:?}")));
            }
        }
        let scenario = json(&options, "scenario")?
            .map(|t| scenario_from(&t))
            .transpose()?;
        let cluster = json(&options, "cluster")?
            .map(|t| ClusterScenario::from_json(&t))
            .transpose()
            .map_err(|e| JsError::new(&e.to_string()))?;
        let strings = |key: &str| {
            js_sys::Reflect::get(&options, &key.into())
                .ok()
                .filter(js_sys::Array::is_array)
                .map(|v| {
                    js_sys::Array::from(&v)
                        .iter()
                        .filter_map(|c| c.as_string())
                        .collect::<Vec<_>>()
                })
        };
        let (controls, views) = (strings("controls"), strings("views"));
        // A control or view the chapter cannot show is an error naming it, not a silent drop.
        let shown = &crate::chapters::chapters()[chapter
            .as_deref()
            .and_then(crate::chapters::chapter_index)
            .unwrap_or(0)];
        for (key, list, ok) in [
            (
                "controls",
                &controls,
                Chapter::offers_control as fn(&Chapter, &str) -> bool,
            ),
            ("views", &views, Chapter::offers_view),
        ] {
            if let Some(bad) = list.iter().flatten().find(|n| !ok(shown, n)) {
                return Err(JsError::new(&format!(
                    "option {key}: chapter {:?} has no {bad:?}",
                    shown.id
                )));
            }
        }
        let embed = flag("embed")
            .unwrap_or(false)
            .then_some(Embed { controls, views });
        let bridge = Bridge::default();
        element.set_inner_html("");
        super::super::fatal::register(element.clone(), Some(bridge.0.query.clone()));
        let props = AppProps {
            scenario,
            cluster,
            chapter,
            lang,
            theme,
            embed,
            autoplay: flag("autoplay"),
            speed,
            bridge: Some(bridge.clone()),
            ..AppProps::default()
        };
        let app = yew::Renderer::<App>::with_root_and_props(element.clone(), props).render();
        Ok(Handle {
            app: Some(app),
            bridge,
            element,
        })
    }

    /// A theme option by its name.
    fn theme_of(code: &str) -> Result<Theme, JsError> {
        Theme::from_code(code)
            .ok_or_else(|| JsError::new(&format!("theme {code:?} is not light, dark or system")))
    }

    /// A playback speed option: one of the speeds the page offers.
    fn speed_of(v: &JsValue) -> Result<f64, JsError> {
        use crate::playback::SPEEDS;
        v.as_f64().filter(|s| SPEEDS.contains(s)).ok_or_else(|| {
            let speeds = SPEEDS.map(|s| s.to_string()).join(", ");
            JsError::new(&format!(
                "speed {} is not one of {speeds}",
                js_sys::JSON::stringify(v).map_or_else(|_| "?".into(), String::from)
            ))
        })
    }

    /// The most points a `sweep` runs (a few seconds of simulation at most).
    const MAX_SWEEP_POINTS: usize = 2000;

    /// Simulates `scenario` (the default one when not given) with `param` (`link-gbps`,
    /// `dirty-rate-mibps`, `memory-mib` or `buffers`) at `points` values from `from` to `to`,
    /// spaced as the page's sweep chart spaces them (on a log scale across a factor of ten
    /// or more). Returns a row per value: `{ x, …export::Headline }` (`completed`,
    /// `total_time_ms`, `downtime_ms`, …).
    /// Throws, naming the option, when one is not valid.
    #[wasm_bindgen]
    pub fn sweep(options: JsValue) -> Result<js_sys::Array, JsError> {
        use crate::chapters::SWEEP_PARAMS;
        use crate::model::study::sweep_param;
        use crate::model::{sweep_values, Spacing};
        let scenario = match json(&options, "scenario")? {
            Some(text) => scenario_from(&text)?,
            None => Scenario::default(),
        };
        let name = string(&options, "param")?.unwrap_or_default();
        let Some(param) = sweep_param(&name) else {
            return Err(JsError::new(&format!(
                "param \"{name}\" is not one of {}",
                SWEEP_PARAMS.join(", ")
            )));
        };
        let number = |key: &str| {
            js_sys::Reflect::get(&options, &key.into())
                .ok()
                .and_then(|v| v.as_f64())
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| JsError::new(&format!("{key} must be a number, 0 or more")))
        };
        let (from, to, points) = (number("from")?, number("to")?, number("points")?);
        if !(2.0..=MAX_SWEEP_POINTS as f64).contains(&points) {
            return Err(JsError::new(&format!(
                "points must be from 2 to {MAX_SWEEP_POINTS}"
            )));
        }
        let mut rows = Vec::new();
        for x in sweep_values(from, to, points as usize, Spacing::Auto) {
            let run = crate::engine::simulate(&param.with(&scenario, x))
                .map_err(|e| JsError::new(&format!("{name} = {x}: {e}")))?;
            let mut row = serde_json::json!(crate::export::Headline::new(&run));
            row["x"] = x.into();
            rows.push(row);
        }
        let text = serde_json::Value::Array(rows).to_string();
        js_sys::JSON::parse(&text)
            .map(|v| v.unchecked_into())
            .map_err(|_| JsError::new("the sweep's rows could not be handed over"))
    }

    #[wasm_bindgen]
    impl Handle {
        /// Replaces the scenario (the scenario-file format; missing fields at their defaults).
        /// Throws, naming the field, when it is not valid; the shown scenario stays.
        pub fn set_scenario(&self, scenario: JsValue) -> Result<(), JsError> {
            let text = json_of(&scenario, "scenario")?
                .ok_or_else(|| JsError::new("scenario must be an object"))?;
            let s = scenario_from(&text)?;
            self.bridge.dispatch(Action::SetScenario(Box::new(s)));
            Ok(())
        }

        pub fn play(&self) {
            self.bridge.dispatch(Action::Play);
        }

        pub fn pause(&self) {
            self.bridge.dispatch(Action::Pause);
        }

        /// The colours: `"light"`, `"dark"` or `"system"` (the reader's system setting). Throws
        /// for any other value; the colours shown stay.
        pub fn set_theme(&self, theme: &str) -> Result<(), JsError> {
            self.bridge.dispatch(Action::SetTheme(theme_of(theme)?));
            Ok(())
        }

        /// Calls `listener(event)` whenever what is shown changes: `event.query` (its permalink),
        /// `chapter`, `lang`, `scenario` and `result` (`outcome`, `completed`, `total_time_s`,
        /// `downtime_s`, `passes`, `wire_bytes`).
        pub fn on_change(&self, listener: js_sys::Function) {
            self.bridge.0.listeners.borrow_mut().push(listener);
        }

        /// Unmounts the simulator: its animation loop, listeners and closures are released and
        /// the element is left empty. Calling it again does nothing.
        pub fn destroy(&mut self) {
            self.bridge.0.listeners.borrow_mut().clear();
            self.bridge.0.dispatch.borrow_mut().take();
            if let Some(app) = self.app.take() {
                super::super::fatal::unregister(&self.element);
                app.destroy();
            }
        }
    }
}
