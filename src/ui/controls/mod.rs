//! The knobs: VM, network, stop policy and the four levers of the tuning guide. Every change
//! sends a new scenario or a model edit, which is re-simulated at once.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use super::handover::FULL;
use crate::chapters::{chapters, Control, Panel};
use crate::engine::scenario::driver_default_descriptors;
use crate::engine::scenario::{MAX_DESCRIPTORS, QEMU_MAX_BANDWIDTH_MIBPS};
use crate::engine::transport::PAGE_BYTES;
use crate::engine::units::MIB;
use crate::engine::{Multifd, MultifdCompression, Pattern, Scenario, StopPolicy, TransportKind};
use crate::model::bounds::{check, to_count};
use crate::model::edits::{on_lab_host, set_lab_host};
use crate::model::levers::LeverSet;
use crate::model::scale::DIRTY_RATE;
use crate::model::{Edit, Hypervisor, Lever, Part};
use crate::text::Lang;

mod widgets;

pub(crate) use widgets::parse_number;
use widgets::*;

/// Link speeds offered by the slider, Gbit/s (0 shows what happens without a link).
pub const LINKS: [f64; 8] = [0.0, 1.0, 2.5, 5.0, 10.0, 25.0, 40.0, 100.0];

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub scenario: Rc<Scenario>,
    /// An edit with a rule (memory, shares, hypervisor).
    pub on_edit: Callback<Edit>,
    /// The scenario with one plain field changed.
    pub on_scenario: Callback<Scenario>,
    /// The chapter whose controls to show; all of them without one.
    #[prop_or_default]
    pub chapter: Option<usize>,
    /// Only these controls (by id), overriding the chapter's choice (an embed's `controls=`).
    #[prop_or_default]
    pub only: Option<Vec<String>>,
    #[prop_or_default]
    pub lang: Lang,
}

/// What the controls' callbacks read when they run: the scenario, the refused fields and the
/// language of the controls' last render. The callbacks are made anew on every render, but as
/// each reads these when it runs (and emits to the app's intents, which never change), an old
/// one does what a new one would: the sliders leave their callbacks out of their props'
/// equality, so a slider step renders the slider that moved, not every slider of the panel.
struct Now {
    scenario: Rc<Scenario>,
    errors: Errors,
    lang: Lang,
}

type Latest = Rc<RefCell<Now>>;

/// A callback that applies `edit(scenario, value)` to a copy of the current scenario.
fn editor<T: 'static>(
    latest: &Latest,
    on_scenario: &Callback<Scenario>,
    edit: impl Fn(&mut Scenario, T) + 'static,
) -> Callback<T> {
    let (latest, on_scenario) = (latest.clone(), on_scenario.clone());
    Callback::from(move |v: T| {
        let mut next = (*latest.borrow().scenario).clone();
        edit(&mut next, v);
        on_scenario.emit(next);
    })
}

/// Dispatches the model's edit for a value the reader gave.
fn intent<T: 'static>(on_edit: &Callback<Edit>, edit: impl Fn(T) -> Edit + 'static) -> Callback<T> {
    on_edit.reform(edit)
}

/// Each refused field's id with its message and what was typed.
type Errors = Vec<(&'static str, (String, String))>;
/// A typed value's callback, and the field's refusal if it has one.
type Guarded = (Callback<Typed>, Option<(String, String)>);

/// A typed value goes to the scenario only when its field accepts it; otherwise the field
/// says why and keeps what was typed.
fn guard(
    id: &'static str,
    cb: &Callback<f64>,
    latest: &Latest,
    errors: UseStateSetter<Errors>,
) -> Guarded {
    let current = latest
        .borrow()
        .errors
        .iter()
        .find(|(k, _)| *k == id)
        .map(|(_, e)| e.clone());
    let (cb, latest) = (cb.clone(), latest.clone());
    let checked = Callback::from(move |(v, text): Typed| {
        let (mut e, lang) = {
            let now = latest.borrow();
            (now.errors.clone(), now.lang)
        };
        let before = e.len();
        e.retain(|(k, _)| *k != id);
        match check(id, v, lang) {
            Ok(v) => {
                if e.len() < before {
                    errors.set(e);
                }
                cb.emit(v);
            }
            Err(msg) => {
                e.push((id, (msg, text)));
                errors.set(e);
            }
        }
    });
    (checked, current)
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
    let errors = use_state(Errors::new);
    let lang = p.lang;
    let now = || Now {
        scenario: p.scenario.clone(),
        errors: (*errors).clone(),
        lang,
    };
    let latest: Latest = use_mut_ref(now);
    *latest.borrow_mut() = now();
    let (on_edit, on_scenario) = (&p.on_edit, &p.on_scenario);
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

    // Memory's parts keep their shares of it; raising one part takes room from the other.
    let on_memory_slide = intent(on_edit, |pos: f64| {
        Edit::Memory(memory_from_position(pos) * 1024.0)
    });
    let on_memory_value = intent(on_edit, |gib: f64| Edit::Memory(gib * 1024.0));
    let on_ws = intent(on_edit, |pct: f64| Edit::Share(Part::WorkingSet, pct));
    let on_dirty = editor(&latest, on_scenario, |s, v: f64| s.vm.dirty_rate_mibps = v);
    let on_dirty_slide = editor(&latest, on_scenario, |s, pos: f64| {
        s.vm.dirty_rate_mibps = DIRTY_RATE.value(pos)
    });
    let on_link_slide = editor(&latest, on_scenario, |s, pos: f64| {
        s.network.link_gbps = LINKS[(pos.max(0.0) as usize).min(LINKS.len() - 1)]
    });
    let on_link_value = editor(&latest, on_scenario, |s, v: f64| s.network.link_gbps = v);
    let on_pattern = editor(&latest, on_scenario, |s, v: String| {
        s.vm.pattern = Pattern::from_name(&v).unwrap_or_default()
    });
    let pattern = s.vm.pattern.name();
    let free_pct = if s.vm.memory_mib > 0.0 {
        s.vm.untouched_mib / s.vm.memory_mib * 100.0
    } else {
        0.0
    };
    let on_free = intent(on_edit, |pct: f64| Edit::Share(Part::Untouched, pct));
    let on_content = editor(&latest, on_scenario, |s, pct: f64| {
        s.vm.compressible_fraction = pct / 100.0
    });
    // A hypervisor comes with its overheads and its usual transport (`pick_hypervisor`).
    let on_policy = intent(on_edit, |v: String| {
        Edit::Hypervisor(Hypervisor::from_name(&v).unwrap_or(Hypervisor::Hyperv))
    });
    // The lab's host is only in the full bundle: its profile is fitted on the lab's runs.
    let on_host = editor(&latest, on_scenario, |s, v: String| {
        set_lab_host(s, v == "lab")
    });
    let host = if on_lab_host(s) { "lab" } else { "datacentre" };
    let policy = Hypervisor::of(s).name();
    let on_policy_param = editor(&latest, on_scenario, |s, v: f64| {
        let count = to_count(v);
        match &mut s.policy {
            StopPolicy::HyperV { max_passes, .. } => *max_passes = count,
            StopPolicy::Xen { max_iterations, .. } => *max_iterations = count,
            StopPolicy::Qemu {
                downtime_limit_ms, ..
            } => *downtime_limit_ms = v,
        }
    });
    let (param_label, param_unit, param_value, param_hint) = match s.policy {
        StopPolicy::HyperV { max_passes, .. } => (
            lang.pick("Maximum pre-copy passes", "Höchstzahl der Kopierdurchläufe"),
            lang.pick("passes", "Durchläufe"),
            f64::from(max_passes),
            lang.pick(
                "Hyper-V pauses the VM after 5 passes (WS2012 R2 and later) even if much is still dirty.",
                "Hyper-V hält den Computer nach 5 Durchläufen an (ab WS2012 R2), auch wenn noch viel geändert ist.",
            ),
        ),
        StopPolicy::Qemu {
            downtime_limit_ms, ..
        } => (
            lang.pick("Downtime limit", "Ausfallzeit-Grenze (downtime-limit)"),
            "ms",
            downtime_limit_ms,
            lang.pick(
                "QEMU pauses the VM once what is left fits in this many ms at the measured bandwidth (default 300).",
                "QEMU hält den Computer an, sobald der Rest bei der gemessenen Bandbreite in so vielen ms übertragen werden kann (Standard 300).",
            ),
        ),
        StopPolicy::Xen { max_iterations, .. } => (
            lang.pick("Maximum rounds", "Höchstzahl der Runden"),
            lang.pick("rounds", "Runden"),
            f64::from(max_iterations),
            lang.pick(
                "Xen pauses the VM after 5 rounds or when fewer than 50 pages are dirty.",
                "Xen hält den Computer nach 5 Runden an oder wenn weniger als 50 Seiten geändert sind.",
            ),
        ),
    };
    let auto_converge = matches!(
        s.policy,
        StopPolicy::Qemu {
            auto_converge: true,
            ..
        }
    );
    let on_auto_converge = editor(&latest, on_scenario, |s, v: bool| {
        if let StopPolicy::Qemu { auto_converge, .. } = &mut s.policy {
            *auto_converge = v;
        }
    });
    let on_nics = editor(&latest, on_scenario, |s, v: f64| {
        s.network.nics = to_count(v)
    });
    let on_rtt = editor(&latest, on_scenario, |s, v: f64| s.network.rtt_ms = v);
    let on_window = editor(&latest, on_scenario, |s, v: f64| {
        s.network.tcp_window_kib = v
    });
    let on_smb_limit = editor(&latest, on_scenario, |s, v: f64| {
        s.network.smb_limit_mibps = if v.is_finite() && v > 0.0 || v < 0.0 {
            Some(v)
        } else {
            None
        }
    });
    let qemu_bandwidth = match s.policy {
        StopPolicy::Qemu {
            max_bandwidth_mibps,
            ..
        } => Some(max_bandwidth_mibps),
        _ => None,
    };
    let bandwidth_choice = match qemu_bandwidth {
        Some(None) => "unlimited",
        Some(Some(v)) if v == QEMU_MAX_BANDWIDTH_MIBPS => "default",
        _ => "custom",
    };
    let set_qemu_bandwidth = |s: &mut Scenario, v: Option<f64>| {
        if let StopPolicy::Qemu {
            max_bandwidth_mibps,
            ..
        } = &mut s.policy
        {
            *max_bandwidth_mibps = v;
        }
    };
    let on_bandwidth_choice = editor(&latest, on_scenario, move |s, v: String| {
        let limit = match v.as_str() {
            "unlimited" => None,
            "custom" => Some(s.policy.max_bandwidth().map_or(1000.0, |b| b / MIB)),
            _ => Some(QEMU_MAX_BANDWIDTH_MIBPS),
        };
        set_qemu_bandwidth(s, limit);
    });
    let on_bandwidth = editor(&latest, on_scenario, move |s, v: f64| {
        set_qemu_bandwidth(s, Some(v))
    });
    let on_cores = editor(&latest, on_scenario, |s, v: f64| {
        s.transport.host_cores = to_count(v)
    });
    let on_load = editor(&latest, on_scenario, |s, v: f64| {
        s.transport.host_load = v / 100.0
    });
    let on_seed = editor(&latest, on_scenario, |s, v: f64| {
        if v.is_finite() && v >= 0.0 {
            s.seed = v as u64
        }
    });

    // The levers: each sets its one setting (`model::Lever`); the performance option and the
    // NICs' RDMA capability never change each other.
    let on_dedicated = intent(on_edit, |v: bool| Edit::Lever(Lever::Dedicated(v)));
    let on_buffers = intent(on_edit, |v: bool| Edit::Lever(Lever::MaxBuffers(v)));
    let on_option = intent(on_edit, |v: String| {
        Edit::Lever(Lever::Option(
            TransportKind::from_name(&v).unwrap_or_default(),
        ))
    });
    let on_rdma = intent(on_edit, |v: bool| Edit::Lever(Lever::Rdma(v)));
    let multifd = s.policy.multifd();
    let set_multifd = |s: &mut Scenario, v: Option<Multifd>| {
        if let StopPolicy::Qemu { multifd, .. } = &mut s.policy {
            *multifd = v;
        }
    };
    let on_channels = editor(&latest, on_scenario, move |s, v: f64| {
        let compression = s
            .policy
            .multifd()
            .map(|m| m.compression)
            .unwrap_or_default();
        let channels = to_count(v);
        set_multifd(
            s,
            (channels > 0).then_some(Multifd {
                channels,
                compression,
            }),
        );
    });
    let on_codec = editor(&latest, on_scenario, move |s, v: String| {
        let compression = MultifdCompression::from_name(&v).unwrap_or_default();
        let channels = s.policy.multifd().map_or(2, |m| m.channels);
        set_multifd(
            s,
            Some(Multifd {
                channels,
                compression,
            }),
        );
    });
    let codec = multifd.map(|m| m.compression).unwrap_or_default().name();
    let option_value = s.transport.kind.name();
    let option = match (s.transport.kind, s.network.rdma) {
        (TransportKind::Tcp, _) => "TCP/IP",
        (TransportKind::Compression, _) => "Compression",
        (TransportKind::Smb, true) => "SMB (SMB Direct over RDMA)",
        (TransportKind::Smb, false) => "SMB",
    };
    let qemu = matches!(s.policy, StopPolicy::Qemu { .. });
    // QEMU's answers to a guest that outruns the link (the full bundle only: the lite one hands
    // a scenario that uses them over).
    let xbzrle_value = match s.policy.xbzrle_cache() {
        Some(bytes) => (bytes / MIB).to_string(),
        None => "off".to_string(),
    };
    let on_xbzrle = editor(&latest, on_scenario, |s, v: String| {
        if let StopPolicy::Qemu {
            xbzrle_cache_mib, ..
        } = &mut s.policy
        {
            *xbzrle_cache_mib = v.parse().ok();
        }
    });
    let postcopy_value = match s.policy.postcopy() {
        Some(sw) => sw
            .after_passes
            .map_or("stalled".to_string(), |n| n.to_string()),
        None => "off".to_string(),
    };
    let on_postcopy = editor(&latest, on_scenario, |s, v: String| {
        if let StopPolicy::Qemu {
            postcopy_after_passes,
            postcopy_when_stalled,
            ..
        } = &mut s.policy
        {
            *postcopy_after_passes = v.parse().ok();
            *postcopy_when_stalled = v == "stalled";
        }
    });
    let preempt = s.policy.postcopy().is_some_and(|sw| sw.preempt);
    let on_preempt = editor(&latest, on_scenario, |s, v: bool| {
        if let StopPolicy::Qemu {
            postcopy_preempt, ..
        } = &mut s.policy
        {
            *postcopy_preempt = v;
        }
    });
    let write_value = s.vm.write_bytes.to_string();
    let on_write = editor(&latest, on_scenario, |s, v: String| {
        s.vm.write_bytes = v.parse().unwrap_or(PAGE_BYTES);
    });
    let option = match (qemu, multifd) {
        (false, _) => format!(
            "{}: {}",
            lang.pick("Performance option", "Leistungsoption"),
            match (option, lang) {
                ("Compression", Lang::De) => "Komprimierung",
                (o, _) => o,
            }
        ),
        (true, None) => lang
            .pick(
                "QEMU: one migration connection",
                "QEMU: eine Migrationsverbindung",
            )
            .to_string(),
        (true, Some(m)) => {
            let codec = match m.compression {
                MultifdCompression::None => lang.pick("no compression", "keine Komprimierung"),
                MultifdCompression::Zlib => "zlib",
                MultifdCompression::Zstd => "zstd",
            };
            match lang {
                Lang::En => format!(
                    "QEMU: multifd, {} channel{}, {codec}",
                    m.channels,
                    if m.channels == 1 { "" } else { "s" }
                ),
                Lang::De => format!(
                    "QEMU: multifd, {} Kanal{}, {codec}",
                    m.channels,
                    if m.channels == 1 { "" } else { "e" }
                ),
            }
        }
    };
    // Which controls this chapter shows: every one in the playground.
    let chapter = p.chapter.and_then(|i| chapters().get(i));
    let show = |c: Control| match &p.only {
        Some(only) => only.iter().any(|o| o == c.id()),
        None => chapter.is_none_or(|ch| ch.shows_control(c)),
    };
    let shows_panel = |panel: Panel| {
        Control::ALL
            .into_iter()
            .any(|c| c.panel() == Some(panel) && show(c))
    };
    let (show_vm, show_net, show_levers, show_more) = (
        shows_panel(Panel::Vm),
        shows_panel(Panel::Network),
        shows_panel(Panel::Levers),
        shows_panel(Panel::More),
    );
    let all = p.only.is_none() && chapter.is_none_or(|c| c.shows_control(Control::All));

    let policy_param_id = if matches!(s.policy, StopPolicy::Qemu { .. }) {
        "policy-param-ms"
    } else {
        "policy-param-passes"
    };
    let mem_g = guard("memory", &on_memory_value, &latest, errors.setter());
    let ws_g = guard("working-set", &on_ws, &latest, errors.setter());
    let dirty_g = guard("dirty-rate", &on_dirty, &latest, errors.setter());
    let free_g = guard("free", &on_free, &latest, errors.setter());
    let content_g = guard("content", &on_content, &latest, errors.setter());
    let link_g = guard("link", &on_link_value, &latest, errors.setter());
    let nics_g = guard("nics", &on_nics, &latest, errors.setter());
    let policy_param_g = guard(policy_param_id, &on_policy_param, &latest, errors.setter());
    let bandwidth_g = guard("max-bandwidth", &on_bandwidth, &latest, errors.setter());
    let channels_g = guard("multifd-channels", &on_channels, &latest, errors.setter());
    let rtt_g = guard("rtt", &on_rtt, &latest, errors.setter());
    let window_g = guard("window", &on_window, &latest, errors.setter());
    let smb_limit_g = guard("smb-limit", &on_smb_limit, &latest, errors.setter());
    let cores_g = guard("cores", &on_cores, &latest, errors.setter());
    let load_g = guard("load", &on_load, &latest, errors.setter());
    let seed_g = guard("seed", &on_seed, &latest, errors.setter());
    html! {
        <section class="panel controls" aria-label={lang.pick("Scenario", "Szenario")}>
            if show_vm {
                <h2>{lang.pick("The VM", "Der virtuelle Computer")}</h2>
            }
            if show(Control::Memory) {
                <Slider id="memory" label={lang.pick("Memory", "Arbeitsspeicher")} unit="GiB" min={-1.0} max={10.0} step={0.25}
                    position={memory_gib.max(0.5).log2()} value={memory_gib}
                    on_slide={on_memory_slide} on_value={mem_g.0} error={mem_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if show(Control::WorkingSet) {
                <Slider id="working-set" label={lang.pick("Working set (share of memory the guest writes to)", "Arbeitssatz (Anteil des Speichers, in den der Gast schreibt)")} unit="%" min={0.0} max={100.0} step={1.0}
                    position={ws_pct} value={ws_pct} on_slide={on_ws.clone()} on_value={ws_g.0} error={ws_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if show(Control::DirtyRate) {
                <Slider id="dirty-rate" label={lang.pick("Dirty rate (how fast the guest writes memory)", "Änderungsrate (wie schnell der Gast in den Speicher schreibt)")} unit="MiB/s" min={0.0} max={f64::from(DIRTY_RATE.steps())} step={1.0}
                    position={DIRTY_RATE.position(s.vm.dirty_rate_mibps)} value={s.vm.dirty_rate_mibps}
                    on_slide={on_dirty_slide} on_value={dirty_g.0} error={dirty_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if show(Control::Pattern) {
                { choice("pattern", lang.pick("Write pattern", "Schreibmuster"), &[
                    (Pattern::Random.name(), lang.pick("random over the working set", "zufällig über den Arbeitssatz")),
                    (Pattern::Sequential.name(), lang.pick("sequential sweep", "fortlaufend")),
                    (Pattern::HotCold.name(), lang.pick("hot/cold: 80 % of writes to 20 % of the set", "heiß/kalt: 80 % der Schreibzugriffe auf 20 % der Menge")),
                ], pattern, on_pattern) }
            }
            if show(Control::Free) {
                <Slider id="free" label={lang.pick("Never written (all-zero pages)", "Nie beschrieben (Nullseiten)")} unit="%" min={0.0} max={100.0} step={1.0}
                    position={free_pct} value={free_pct} on_slide={on_free.clone()} on_value={free_g.0} error={free_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))}
                    hint={lang.pick("Free memory the guest never touched: QEMU sends it as tiny markers, compression squeezes it.",
                        "Freier Speicher, den der Gast nie berührt hat: QEMU sendet ihn als winzige Markierungen, Komprimierung presst ihn zusammen.")} />
            }
            if show(Control::Content) {
                <Slider id="content" label={lang.pick("Compressible pages (text-like content)", "Komprimierbare Seiten (textartiger Inhalt)")} unit="%" min={0.0} max={100.0} step={5.0}
                    position={s.vm.compressible_fraction * 100.0} value={s.vm.compressible_fraction * 100.0}
                    on_slide={on_content.clone()} on_value={content_g.0} error={content_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if FULL && show(Control::WriteSize) {
                { choice("write-size", lang.pick("Each write changes", "Jeder Schreibzugriff ändert"), &[
                    ("8", lang.pick("a word (8 bytes)", "ein Wort (8 Bytes)")),
                    ("64", lang.pick("a cache line (64 bytes)", "eine Cache-Zeile (64 Bytes)")),
                    ("4096", lang.pick("the whole page (4 KiB)", "die ganze Seite (4 KiB)")),
                ], &write_value, on_write) }
            }
            if show_net {
                <h2>{lang.pick("Network and policy", "Netzwerk und Richtlinie")}</h2>
            }
            if show(Control::Link) {
                <Slider id="link" label={lang.pick("Link speed", "Verbindungsgeschwindigkeit")} unit="Gbit/s" min={0.0} max={(LINKS.len() - 1) as f64} step={1.0}
                    position={link_pos as f64} value={s.network.link_gbps}
                    on_slide={on_link_slide} on_value={link_g.0} error={link_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if show(Control::Nics) {
                { number("nics", lang.pick("NICs per host", "Netzwerkadapter je Host"), lang.pick("NICs", "Adapter"), f64::from(s.network.nics),
                    lang.pick("SMB Multichannel spreads one migration over all of them; TCP/IP uses one.",
                        "SMB Multichannel verteilt eine Migration auf alle; TCP/IP nutzt einen."), nics_g) }
            }
            if show(Control::Policy) {
                { choice("policy", lang.pick("Stop policy", "Stopp-Richtlinie"), &[
                    (Hypervisor::Hyperv.name(), lang.pick("Hyper-V: pass cap, then pause", "Hyper-V: Durchlaufgrenze, dann anhalten")),
                    (Hypervisor::Qemu.name(), lang.pick("QEMU/KVM: pause when it fits the downtime limit", "QEMU/KVM: anhalten, wenn der Rest in die Ausfallzeit-Grenze passt")),
                    (Hypervisor::Xen.name(), lang.pick("Xen: 5 rounds or under 50 dirty pages", "Xen: 5 Runden oder unter 50 geänderte Seiten")),
                ], policy, on_policy) }
            }
            if FULL && show(Control::Host) {
                { choice("host", lang.pick("Host", "Host"), &[
                    ("datacentre", lang.pick("a data centre's (the hypervisor's defaults)", "eines Rechenzentrums (Standardwerte des Hypervisors)")),
                    ("lab", lang.pick("the lab's: QEMU 10 under TCG, loopback, 2 cores", "der des Labors: QEMU 10 unter TCG, Loopback, 2 Kerne")),
                ], host, on_host) }
            }
            if show(Control::PolicyParam) {
                { number("policy-param", param_label, param_unit, param_value, param_hint, policy_param_g) }
            }
            if let Some(limit) = qemu_bandwidth.filter(|_| show(Control::MaxBandwidthChoice)) {
                { choice("max-bandwidth-choice", lang.pick("QEMU max-bandwidth", "QEMU max-bandwidth"), &[
                    ("default", lang.pick("128 MiB/s (QEMU's default)", "128 MiB/s (QEMU-Standard)")),
                    ("unlimited", lang.pick("unlimited (as libvirt sets it)", "unbegrenzt (wie libvirt es setzt)")),
                    ("custom", lang.pick("custom", "eigener Wert")),
                ], bandwidth_choice, on_bandwidth_choice) }
                if let Some(v) = limit.filter(|_| bandwidth_choice == "custom") {
                    { number("max-bandwidth", "max-bandwidth", "MiB/s", v,
                        lang.pick("QEMU's rate limit for pre-copy; it is lifted for the final copy.",
                            "QEMUs Ratenbegrenzung für das Vorab-Kopieren; für die letzte Kopie wird sie aufgehoben."), bandwidth_g) }
                }
            }
            if matches!(s.policy, StopPolicy::Qemu { .. }) && show(Control::AutoConverge) {
                { checkbox("auto-converge", lang.pick("Auto-converge", "auto-converge"),
                    lang.pick(" throttle the guest's vCPUs (20 %, then +10 %) while it dirties faster than pages are sent",
                        " drosselt die vCPUs des Gasts (20 %, dann +10 %), solange er schneller ändert, als Seiten gesendet werden").into(),
                    auto_converge, on_auto_converge) }
            }
            if show_levers {
                <fieldset class="levers">
                    // Under QEMU the levers are QEMU's (multifd, XBZRLE, post-copy), not the
                    // Hyper-V tuning guide's.
                    <legend>{if qemu { lang.pick("The levers", "Die Stellschrauben") } else { lang.pick("The tuning guide's levers", "Die Stellschrauben des Leitfadens") }}</legend>
                    if show(Control::LeverDedicated) {
                        { checkbox("lever-dedicated", lang.pick("Dedicated migration network", "Dediziertes Migrationsnetzwerk"),
                            lang.pick(" no VM, cluster or backup traffic on the link: shorter and consistent",
                                " kein VM-, Cluster- oder Sicherungsverkehr auf der Verbindung: kürzer und gleichmäßig").into(),
                            s.network.dedicated, on_dedicated) }
                    }
                    if show(Control::LeverBuffers) {
                        { checkbox("lever-buffers", lang.pick("More send/receive buffers", "Mehr Sende- und Empfangspuffer"),
                            match lang {
                                Lang::En => format!(" {} NIC descriptors instead of the driver's {}", MAX_DESCRIPTORS,
                                    driver_default_descriptors(s.network.link_gbps)),
                                Lang::De => format!(" {} Deskriptoren je Adapter statt der {} des Treibers", MAX_DESCRIPTORS,
                                    driver_default_descriptors(s.network.link_gbps)),
                            },
                            LeverSet::of(s).max_buffers, on_buffers) }
                    }
                    if qemu {
                        if show(Control::MultifdChannels) || all {
                            { number("multifd-channels", lang.pick("multifd channels (0 = off)", "multifd-Kanäle (0 = aus)"), lang.pick("channels", "Kanäle"),
                                f64::from(multifd.map_or(0, |m| m.channels)),
                                lang.pick("Parallel connections, each with a thread that finds zero pages and compresses (QEMU's default: off; 2 when on).",
                                    "Parallele Verbindungen, jede mit einem Thread, der Nullseiten findet und komprimiert (QEMU-Standard: aus; eingeschaltet 2)."),
                                channels_g) }
                        }
                        if show(Control::MultifdCompression) || all {
                            { choice("multifd-compression", lang.pick("multifd compression", "multifd-Komprimierung"), &[
                                (MultifdCompression::None.name(), lang.pick("none", "keine")),
                                (MultifdCompression::Zlib.name(), lang.pick("zlib level 1", "zlib Stufe 1")),
                                (MultifdCompression::Zstd.name(), lang.pick("zstd level 1 (5.6× faster per core)", "zstd Stufe 1 (5,6-mal schneller je Kern)")),
                            ], codec, on_codec) }
                        }
                        if FULL && (show(Control::Xbzrle) || all) {
                            { choice("xbzrle", lang.pick("XBZRLE cache (xbzrle-cache-size)", "XBZRLE-Cache (xbzrle-cache-size)"), &[
                                ("off", lang.pick("off (QEMU's default)", "aus (QEMU-Standard)")),
                                ("64", lang.pick("64 MiB (QEMU's size when on)", "64 MiB (QEMUs Größe, wenn an)")),
                                ("256", "256 MiB"),
                                ("1024", "1 GiB"),
                                ("2048", "2 GiB"),
                                ("4096", "4 GiB"),
                            ], &xbzrle_value, on_xbzrle) }
                        }
                        if FULL && (show(Control::Postcopy) || all) {
                            { choice("postcopy", lang.pick("Post-copy (migrate-start-postcopy)", "Post-Copy (migrate-start-postcopy)"), &[
                                ("off", lang.pick("off: pre-copy to the end", "aus: Pre-Copy bis zum Ende")),
                                ("0", lang.pick("at once", "sofort")),
                                ("1", lang.pick("after 1 pass (as libvirt)", "nach 1 Durchlauf (wie libvirt)")),
                                ("3", lang.pick("after 3 passes", "nach 3 Durchläufen")),
                                ("stalled", lang.pick("when pre-copy stalls", "wenn Pre-Copy stockt")),
                            ], &postcopy_value, on_postcopy) }
                        }
                        if FULL && (show(Control::PostcopyPreempt) || all) {
                            { checkbox("postcopy-preempt", lang.pick("postcopy-preempt", "postcopy-preempt"),
                                lang.pick(" a page the guest waits for overtakes the background push",
                                    " eine Seite, auf die der Gast wartet, überholt das Schieben im Hintergrund").into(),
                                preempt, on_preempt) }
                        }
                    } else if show(Control::LeverOption) {
                        { choice("lever-option", lang.pick("Performance option", "Leistungsoption"), &[
                            (TransportKind::Tcp.name(), "TCP/IP"),
                            (TransportKind::Compression.name(), lang.pick("Compression (Hyper-V's default)", "Komprimierung (Hyper-V-Standard)")),
                            (TransportKind::Smb.name(), lang.pick("SMB (Multichannel; SMB Direct on RDMA NICs)", "SMB (Multichannel; SMB Direct auf RDMA-Adaptern)")),
                        ], option_value, on_option) }
                    }
                    if show(Control::LeverRdma) {
                        { checkbox("lever-rdma", lang.pick("RDMA-capable NICs", "RDMA-fähige Netzwerkadapter"),
                            lang.pick(" on both hosts (iWARP, RoCE, InfiniBand); only the SMB option uses them",
                                " auf beiden Hosts (iWARP, RoCE, InfiniBand); nur die SMB-Option nutzt sie").into(),
                            s.network.rdma, on_rdma) }
                    }
                    <p class="hint" data-testid="performance-option">{option}</p>
                </fieldset>
            }
            if show_more {
                <details class="more" open={!all}>
                    <summary>{lang.pick("More settings", "Weitere Einstellungen")}</summary>
                    if show(Control::Rtt) {
                        { number("rtt", lang.pick("Round-trip time", "Umlaufzeit (RTT)"), "ms", s.network.rtt_ms,
                            lang.pick("0.2 ms in one rack; more across a campus.", "0,2 ms in einem Rack; mehr über einen Campus."), rtt_g) }
                    }
                    if show(Control::Window) {
                        { number("window", lang.pick("TCP window", "TCP-Fenster"), "KiB", s.network.tcp_window_kib,
                            lang.pick("Autotuning reaches 16 MiB; a fixed 64 KiB caps long paths.", "Die automatische Optimierung erreicht 16 MiB; feste 64 KiB begrenzen lange Wege."), window_g) }
                    }
                    if show(Control::SmbLimit) {
                        { number("smb-limit", lang.pick("SMB bandwidth limit (0 = none)", "SMB-Bandbreitenlimit (0 = keins)"), "MiB/s", s.network.smb_limit_mibps.unwrap_or(0.0),
                            lang.pick("Set-SmbBandwidthLimit -Category LiveMigration: limits the SMB option only.",
                                "Set-SmbBandwidthLimit -Category LiveMigration: begrenzt nur die SMB-Option."), smb_limit_g) }
                    }
                    if show(Control::Cores) {
                        { number("cores", lang.pick("Host CPU cores", "CPU-Kerne des Hosts"), lang.pick("cores", "Kerne"), f64::from(s.transport.host_cores), "", cores_g) }
                    }
                    if show(Control::Load) {
                        { number("load", lang.pick("Host CPU load", "CPU-Last des Hosts"), "%", s.transport.host_load * 100.0,
                            lang.pick("Compression only uses idle cores.", "Komprimierung nutzt nur freie Kerne."), load_g) }
                    }
                    if show(Control::Seed) {
                        { number("seed", lang.pick("Random seed", "Zufallsstartwert"), "", s.seed as f64,
                            lang.pick("Background bursts and which pages are hot.", "Lastspitzen im Hintergrund und welche Seiten heiß sind."), seed_g) }
                    }
                </details>
            }
        </section>
    }
}
