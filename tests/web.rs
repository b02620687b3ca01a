//! Components mounted into a real DOM in headless Chromium and asserted on.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use migration_lab::engine::Scenario;
use migration_lab::ui::{App, AppProps};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    CanvasRenderingContext2d, Element, Event, EventInit, HtmlCanvasElement, HtmlElement,
    HtmlInputElement,
};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function count_frames() {
  if (!window.__frames) {
    window.__frames = 0;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) => { window.__frames += 1; return raf(cb); };
  }
}
export function frames() { return window.__frames || 0; }
"#)]
extern "C" {
    fn count_frames();
    fn frames() -> u32;
}

async fn sleep(d: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, d.as_millis() as i32)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

struct Mounted {
    root: Element,
    handle: Option<yew::AppHandle<App>>,
}

impl Mounted {
    async fn new(props: AppProps) -> Mounted {
        let doc = web_sys::window().unwrap().document().unwrap();
        let root = doc.create_element("div").unwrap();
        root.set_attribute("style", "width: 1100px").unwrap();
        doc.body().unwrap().append_child(&root).unwrap();
        let handle = yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
        yew::scheduler::flush().await;
        Mounted {
            root,
            handle: Some(handle),
        }
    }

    fn q(&self, sel: &str) -> Element {
        self.root
            .query_selector(sel)
            .unwrap()
            .unwrap_or_else(|| panic!("no element {sel}"))
    }

    fn query(&self, sel: &str) -> Option<Element> {
        self.root.query_selector(sel).unwrap()
    }

    fn text(&self, testid: &str) -> String {
        self.q(&format!("[data-testid={testid}]"))
            .text_content()
            .unwrap_or_default()
    }

    async fn click(&self, sel: &str) {
        self.q(sel).unchecked_into::<HtmlElement>().click();
        yew::scheduler::flush().await;
    }

    /// Types a value into an input and fires the event the component listens to.
    async fn set(&self, sel: &str, value: &str, event: &str) {
        let input: HtmlInputElement = self.q(sel).unchecked_into();
        input.set_value(value);
        let init = EventInit::new();
        init.set_bubbles(true);
        input
            .dispatch_event(&Event::new_with_event_init_dict(event, &init).unwrap())
            .unwrap();
        yew::scheduler::flush().await;
    }

    /// Picks an option of a drop-down and fires its change event.
    async fn choose(&self, sel: &str, value: &str) {
        let select: web_sys::HtmlSelectElement = self.q(sel).unchecked_into();
        select.set_value(value);
        let init = EventInit::new();
        init.set_bubbles(true);
        select
            .dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap())
            .unwrap();
        yew::scheduler::flush().await;
    }

    /// Pixels of the canvas close to an RGB colour.
    fn pixels_like(&self, id: &str, rgb: (u8, u8, u8)) -> usize {
        let canvas: HtmlCanvasElement = self.q(id).unchecked_into();
        let ctx: CanvasRenderingContext2d =
            canvas.get_context("2d").unwrap().unwrap().unchecked_into();
        let data = ctx
            .get_image_data(0.0, 0.0, canvas.width() as f64, canvas.height() as f64)
            .unwrap()
            .data();
        data.chunks(4)
            .filter(|p| {
                (p[0] as i32 - rgb.0 as i32).abs() < 12
                    && (p[1] as i32 - rgb.1 as i32).abs() < 12
                    && (p[2] as i32 - rgb.2 as i32).abs() < 12
            })
            .count()
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
        self.root.remove();
    }
}

/// The playground (every control) in English, not playing.
fn paused() -> AppProps {
    AppProps {
        scenario: None,
        autoplay: Some(false),
        chapter: Some("playground".into()),
        ..AppProps::default()
    }
}

/// The memory map's light colours, as the stylesheet sets them (`palette`).
fn map_colour(var: &str) -> (u8, u8, u8) {
    migration_lab::palette::light(var).expect("the stylesheet sets the map's colours")
}

#[wasm_bindgen_test]
async fn renders_hosts_numbers_and_verdict() {
    let m = Mounted::new(paused()).await;
    assert_eq!(m.text("phase"), "Setup");
    assert!(
        m.text("verdict").starts_with("Converged after"),
        "{}",
        m.text("verdict")
    );
    assert!(m.text("total-time").ends_with(" s"));
    assert!(m.text("downtime").ends_with(" ms"));
    assert!(m.text("data-sent").contains("GiB"));
    assert!(m.text("stage").contains("Host A"));
    assert_eq!(m.text("play").trim(), "▶ Play");
    // Before anything is sent the memory map is all grey.
    assert!(m.pixels_like("#memory-map", map_colour("--map-unsent")) > 1000);
    assert_eq!(m.pixels_like("#memory-map", map_colour("--map-clean")), 0);
    // The plotters chart drew its bars.
    assert!(m.pixels_like("#pass-chart", (0x1a, 0x66, 0xd6)) > 500);
}

#[wasm_bindgen_test]
async fn scrubbing_moves_phase_and_memory_map_both_ways() {
    let m = Mounted::new(paused()).await;
    let end: f64 = m
        .q("[data-testid=timeline]")
        .get_attribute("max")
        .unwrap()
        .parse()
        .unwrap();
    m.set("[data-testid=timeline]", &format!("{}", end * 0.4), "input")
        .await;
    assert!(
        m.text("phase").starts_with("Pass 1 of"),
        "{}",
        m.text("phase")
    );
    let green = m.pixels_like("#memory-map", map_colour("--map-clean"));
    assert!(green > 500, "{green}");
    assert!(
        m.pixels_like("#memory-map", map_colour("--map-dirty")) > 0,
        "pages dirtied after sending"
    );
    m.set("[data-testid=timeline]", &format!("{end}"), "input")
        .await;
    assert_eq!(m.text("phase"), "Running on B");
    assert_eq!(m.pixels_like("#memory-map", map_colour("--map-unsent")), 0);
    m.set("[data-testid=timeline]", "0", "input").await;
    assert_eq!(m.text("phase"), "Setup");
    assert_eq!(m.pixels_like("#memory-map", map_colour("--map-clean")), 0);
}

#[wasm_bindgen_test]
async fn levers_change_the_result_and_the_explanation() {
    let m = Mounted::new(paused()).await;
    let before = m.text("total-time");
    assert!(m.text("why").contains("Shared network"));
    m.click("#lever-dedicated").await;
    assert!(!m.text("why").contains("Shared network"));
    m.click("#lever-buffers").await;
    assert!(!m.text("why").contains("Packet loss"));
    // RDMA is a property of the NICs: ticking it leaves the performance option as it was.
    m.click("#lever-rdma").await;
    assert_eq!(
        m.text("performance-option"),
        "Performance option: Compression"
    );
    let compressed = m.text("total-time");
    m.choose("#lever-option", "smb").await;
    assert!(m.text("performance-option").contains("SMB Direct"));
    assert!(m.text("why").contains("SMB Direct (RDMA)"));
    assert_ne!(m.text("total-time"), compressed);
    assert_ne!(m.text("total-time"), before);
    m.choose("#lever-option", "compression").await;
    assert_eq!(
        m.text("performance-option"),
        "Performance option: Compression"
    );
    assert_eq!(m.text("total-time"), compressed);
}

#[wasm_bindgen_test]
async fn bad_values_get_a_verdict_not_a_crash() {
    let m = Mounted::new(paused()).await;
    m.set("#link-value", "0", "change").await;
    assert!(
        m.text("verdict").contains("link speed is 0"),
        "{}",
        m.text("verdict")
    );
    m.set("#link-value", "1", "change").await;
    m.set("#dirty-rate-value", "500", "change").await;
    assert!(
        m.text("verdict").contains("Does not converge: dirty rate"),
        "{}",
        m.text("verdict")
    );
    // Values the field does not accept are refused next to it, in its own words and unit,
    // and the last valid run stays.
    let total = m.text("total-time");
    for (typed, says) in [
        ("-4", "Memory must be at least 0.0625 GiB"),
        ("banana", "Memory needs a number"),
        ("1048576", "Memory must be at most 24576 GiB"),
    ] {
        m.set("#memory-value", typed, "change").await;
        assert_eq!(m.q("#memory-error").text_content().unwrap(), says);
        assert_eq!(
            m.q("#memory-value")
                .get_attribute("aria-invalid")
                .as_deref(),
            Some("true")
        );
        assert_eq!(m.text("total-time"), total, "the last valid run stays");
    }
    m.set("#seed", "1.5", "change").await;
    assert_eq!(
        m.q("#seed-error").text_content().unwrap(),
        "Random seed must be a whole number"
    );
    m.set("#memory-value", "64", "change").await;
    assert!(
        m.query("#memory-error").is_none(),
        "a valid value clears the error"
    );
    assert!(
        !m.text("verdict").contains("Cannot simulate"),
        "{}",
        m.text("verdict")
    );
    assert!(!m.text("total-time").contains("NaN"));
}

#[wasm_bindgen_test]
async fn playing_advances_and_unmount_stops_the_frame_loop() {
    count_frames();
    let mut s = Scenario::default();
    s.vm.memory_mib = 1024.0;
    let mut m = Mounted::new(AppProps {
        scenario: Some(s),
        autoplay: Some(false),
        ..AppProps::default()
    })
    .await;
    // Views that compute between frames (the sweep, the spread) and the canvases' size
    // watchers settle first: they ask for a frame when something changed, never in a loop.
    for _ in 0..100 {
        sleep(Duration::from_millis(100)).await;
        yew::scheduler::flush().await;
        if !m
            .root
            .text_content()
            .unwrap_or_default()
            .contains("Computing")
        {
            break;
        }
    }
    sleep(Duration::from_millis(200)).await;
    let idle = frames();
    sleep(Duration::from_millis(300)).await;
    assert_eq!(frames(), idle, "no frame loop while paused");
    m.click("[data-testid=play]").await;
    sleep(Duration::from_millis(300)).await;
    yew::scheduler::flush().await;
    assert!(frames() > idle + 3, "the loop runs while playing");
    assert_ne!(m.text("time").split(" / ").next().unwrap(), "0 ms");
    m.handle.take().unwrap().destroy();
    sleep(Duration::from_millis(50)).await;
    let after = frames();
    sleep(Duration::from_millis(300)).await;
    assert_eq!(frames(), after, "the loop stopped with the app");
}

#[wasm_bindgen_test]
async fn shrinking_memory_keeps_the_vm_consistent() {
    let m = Mounted::new(paused()).await;
    // Down to 1 GiB: the working set and never-written memory shrink with it.
    m.set("#memory", "0", "input").await;
    assert!(
        !m.text("verdict").contains("Cannot simulate"),
        "{}",
        m.text("verdict")
    );
    assert_eq!(
        m.q("#memory-value")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "1"
    );
    // Raising the working set to 90 % takes room from never-written memory.
    m.set("#working-set", "90", "input").await;
    assert!(
        !m.text("verdict").contains("Cannot simulate"),
        "{}",
        m.text("verdict")
    );
    let free: f64 = m
        .q("#free-value")
        .unchecked_into::<HtmlInputElement>()
        .value()
        .parse()
        .unwrap();
    assert!((9.9..=10.0).contains(&free), "{free}");
}

#[wasm_bindgen_test]
async fn typed_values_stay_as_typed_and_shares_survive_a_tiny_memory() {
    let m = Mounted::new(paused()).await;
    let value = |sel: &str| m.q(sel).unchecked_into::<HtmlInputElement>().value();
    m.set("#free-value", "7", "change").await;
    assert_eq!(value("#free-value"), "7");
    m.set("#working-set-value", "33", "change").await;
    assert_eq!(value("#working-set-value"), "33");
    m.set("#memory-value", "0.0625", "change").await;
    m.set("#memory-value", "8", "change").await;
    assert_eq!(value("#memory-value"), "8");
    assert_eq!(value("#working-set-value"), "33");
    assert_eq!(value("#free-value"), "7");
    assert!(!m.text("verdict").contains("Cannot simulate"));
}
