//! The knobs: VM, network, stop policy and the four levers of the tuning guide. Every change
//! dispatches a new scenario, which is re-simulated at once.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::state::{Action, AppState};
use crate::engine::scenario::{DEFAULT_DESCRIPTORS, MAX_DESCRIPTORS};
use crate::engine::{Overheads, Pattern, Scenario, StopPolicy, TransportKind};

/// Link speeds offered by the slider, Gbit/s (0 shows what happens without a link).
pub const LINKS: [f64; 8] = [0.0, 1.0, 2.5, 5.0, 10.0, 25.0, 40.0, 100.0];
pub const MAX_DIRTY_SLIDER: f64 = 4000.0;

#[derive(Properties, PartialEq)]
struct SliderProps {
    id: AttrValue,
    label: AttrValue,
    unit: AttrValue,
    min: f64,
    max: f64,
    step: f64,
    /// Slider position (may be on a transformed scale).
    position: f64,
    /// The value in `unit`, shown and editable in the number box.
    value: f64,
    on_slide: Callback<f64>,
    on_value: Callback<f64>,
    #[prop_or_default]
    hint: Option<AttrValue>,
}

fn input_value(e: &Event) -> f64 {
    let input: HtmlInputElement = e.target_unchecked_into();
    input.value().trim().parse::<f64>().unwrap_or(f64::NAN)
}

fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{}", (v * 1000.0).round() / 1000.0)
    }
}

#[function_component(Slider)]
fn slider(p: &SliderProps) -> Html {
    let on_slide = {
        let cb = p.on_slide.clone();
        Callback::from(move |e: InputEvent| cb.emit(input_value(&e.into())))
    };
    let on_value = {
        let cb = p.on_value.clone();
        Callback::from(move |e: Event| cb.emit(input_value(&e)))
    };
    let num_id = format!("{}-value", p.id);
    html! {
        <div class="field">
            <label for={p.id.clone()}>{p.label.clone()}</label>
            <div class="field-row">
                <input type="range" id={p.id.clone()} min={p.min.to_string()} max={p.max.to_string()}
                    step={p.step.to_string()} value={p.position.to_string()} oninput={on_slide} />
                <input type="number" id={num_id} class="num" value={fmt_value(p.value)} onchange={on_value}
                    aria-label={format!("{} in {}", p.label, p.unit)} step="any" />
                <span class="unit">{p.unit.clone()}</span>
            </div>
            if let Some(h) = &p.hint { <p class="hint">{h.clone()}</p> }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub scenario: Rc<Scenario>,
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// A callback that applies `edit(scenario, value)` to a copy of the current scenario.
fn editor<T: 'static>(p: &ControlsProps, edit: impl Fn(&mut Scenario, T) + 'static) -> Callback<T> {
    let s = p.scenario.clone();
    let d = p.dispatch.clone();
    Callback::from(move |v: T| {
        let mut next = (*s).clone();
        edit(&mut next, v);
        d.dispatch(Action::SetScenario(next));
    })
}

fn checkbox(
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

/// Nice rounding for log-scale memory: 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8 … GiB.
fn memory_from_position(pos: f64) -> f64 {
    let gib = 2f64.powf(pos);
    let mag = 2f64.powf(gib.log2().floor());
    (gib / mag * 4.0).round() / 4.0 * mag
}

#[function_component(Controls)]
pub fn controls(p: &ControlsProps) -> Html {
    let s = &*p.scenario;
    let memory_gib = s.vm.memory_mib / 1024.0;
    let ws_pct = if s.vm.memory_mib > 0.0 {
        s.vm.working_set_mib / s.vm.memory_mib * 100.0
    } else {
        0.0
    };
    let link_pos = LINKS
        .iter()
        .position(|&l| l >= s.network.link_gbps)
        .unwrap_or(LINKS.len() - 1);

    let set_memory = |s: &mut Scenario, gib: f64| {
        let ratio = if s.vm.memory_mib > 0.0 {
            s.vm.working_set_mib / s.vm.memory_mib
        } else {
            0.25
        };
        s.vm.memory_mib = gib * 1024.0;
        s.vm.working_set_mib = (s.vm.memory_mib * ratio.clamp(0.0, 1.0)).round();
    };
    let on_memory_slide = editor(p, move |s, pos: f64| {
        set_memory(s, memory_from_position(pos))
    });
    let on_memory_value = editor(p, set_memory);
    let on_ws = editor(p, |s, pct: f64| {
        s.vm.working_set_mib = (s.vm.memory_mib * pct / 100.0).round()
    });
    let on_dirty = editor(p, |s, v: f64| s.vm.dirty_rate_mibps = v);
    let on_link_slide = editor(p, |s, pos: f64| {
        s.network.link_gbps = LINKS[(pos.max(0.0) as usize).min(LINKS.len() - 1)]
    });
    let on_link_value = editor(p, |s, v: f64| s.network.link_gbps = v);
    let on_pattern = {
        let cb = editor(p, |s, v: String| {
            s.vm.pattern = if v == "sequential" {
                Pattern::Sequential
            } else {
                Pattern::Random
            }
        });
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            cb.emit(sel.value())
        })
    };
    let on_policy = {
        let cb = editor(p, |s, v: String| {
            if v == "qemu" {
                s.policy = StopPolicy::qemu();
                s.overheads = Overheads::qemu();
            } else {
                s.policy = StopPolicy::hyperv();
                s.overheads = Overheads::hyperv();
            }
        });
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            cb.emit(sel.value())
        })
    };
    let on_policy_param = {
        let cb = editor(p, |s, v: f64| match &mut s.policy {
            StopPolicy::HyperV { max_passes, .. } => {
                *max_passes = if v.is_finite() && v >= 0.0 {
                    v.round() as u32
                } else {
                    0
                }
            }
            StopPolicy::Qemu { downtime_limit_ms } => *downtime_limit_ms = v,
        });
        Callback::from(move |e: Event| cb.emit(input_value(&e)))
    };
    let (param_label, param_value, param_hint) = match s.policy {
        StopPolicy::HyperV { max_passes, .. } => (
            "Maximum pre-copy passes",
            f64::from(max_passes),
            "Hyper-V pauses the VM after 5 passes (WS2012 R2 and later) even if much is still dirty.",
        ),
        StopPolicy::Qemu { downtime_limit_ms } => (
            "Downtime limit (ms)",
            downtime_limit_ms,
            "QEMU pauses the VM once what is left fits in this many ms at the measured bandwidth (default 300).",
        ),
    };

    let on_dedicated = editor(p, |s, v: bool| s.network.dedicated = v);
    let on_buffers = editor(p, |s, v: bool| {
        s.network.buffers = if v {
            MAX_DESCRIPTORS
        } else {
            DEFAULT_DESCRIPTORS
        }
    });
    let on_compression = editor(p, |s, v: bool| {
        s.transport.kind = if v {
            TransportKind::Compression
        } else {
            TransportKind::Tcp
        };
        if v {
            s.transport.rdma = false;
        }
    });
    let on_rdma = editor(p, |s, v: bool| {
        s.transport.rdma = v;
        s.transport.kind = if v {
            TransportKind::Smb
        } else {
            TransportKind::Tcp
        };
    });
    let option = match (s.transport.kind, s.transport.rdma) {
        (TransportKind::Tcp, _) => "TCP/IP",
        (TransportKind::Compression, _) => "Compression",
        (TransportKind::Smb, true) => "SMB (SMB Direct over RDMA)",
        (TransportKind::Smb, false) => "SMB",
    };

    html! {
        <section class="panel controls" aria-label="Scenario">
            <h2>{"The VM"}</h2>
            <Slider id="memory" label="Memory" unit="GiB" min={-1.0} max={10.0} step={0.25}
                position={memory_gib.max(0.5).log2()} value={memory_gib}
                on_slide={on_memory_slide} on_value={on_memory_value} />
            <Slider id="working-set" label="Working set (share of memory the guest writes to)" unit="%" min={0.0} max={100.0} step={1.0}
                position={ws_pct} value={ws_pct} on_slide={on_ws.clone()} on_value={on_ws} />
            <Slider id="dirty-rate" label="Dirty rate (how fast the guest writes memory)" unit="MiB/s" min={0.0} max={MAX_DIRTY_SLIDER} step={10.0}
                position={s.vm.dirty_rate_mibps.min(MAX_DIRTY_SLIDER)} value={s.vm.dirty_rate_mibps}
                on_slide={on_dirty.clone()} on_value={on_dirty} />
            <div class="field">
                <label for="pattern">{"Write pattern"}</label>
                <select id="pattern" onchange={on_pattern}>
                    <option value="random" selected={s.vm.pattern == Pattern::Random}>{"random over the working set"}</option>
                    <option value="sequential" selected={s.vm.pattern == Pattern::Sequential}>{"sequential sweep"}</option>
                </select>
            </div>
            <h2>{"Network and policy"}</h2>
            <Slider id="link" label="Link speed" unit="Gbit/s" min={0.0} max={(LINKS.len() - 1) as f64} step={1.0}
                position={link_pos as f64} value={s.network.link_gbps}
                on_slide={on_link_slide} on_value={on_link_value} />
            <div class="field">
                <label for="policy">{"Stop policy"}</label>
                <select id="policy" onchange={on_policy}>
                    <option value="hyperv" selected={matches!(s.policy, StopPolicy::HyperV{..})}>{"Hyper-V: pass cap, then pause"}</option>
                    <option value="qemu" selected={matches!(s.policy, StopPolicy::Qemu{..})}>{"QEMU/KVM: pause when it fits the downtime limit"}</option>
                </select>
            </div>
            <div class="field">
                <label for="policy-param">{param_label}</label>
                <input type="number" id="policy-param" class="num" value={fmt_value(param_value)} onchange={on_policy_param} step="any" />
                <p class="hint">{param_hint}</p>
            </div>
            <fieldset class="levers">
                <legend>{"The tuning guide's levers"}</legend>
                { checkbox("lever-dedicated", "Dedicated migration network",
                    " no VM, cluster or backup traffic on the link: shorter and consistent".into(),
                    s.network.dedicated, on_dedicated) }
                { checkbox("lever-buffers", "More send/receive buffers",
                    format!(" {} NIC descriptors instead of {}", MAX_DESCRIPTORS, DEFAULT_DESCRIPTORS),
                    s.network.buffers >= MAX_DESCRIPTORS, on_buffers) }
                { checkbox("lever-compression", "Compression",
                    " compress memory with idle CPU before sending (Hyper-V's default)".into(),
                    s.transport.kind == TransportKind::Compression, on_compression) }
                { checkbox("lever-rdma", "RDMA (SMB Direct)",
                    " RDMA NICs on both hosts, SMB performance option".into(),
                    s.transport.kind == TransportKind::Smb && s.transport.rdma, on_rdma) }
                <p class="hint" data-testid="performance-option">{format!("Performance option: {option}")}</p>
            </fieldset>
        </section>
    }
}
