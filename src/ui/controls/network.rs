//! The network and stop policy's panel: the link, the NICs, the hypervisor and its limits.

use crate::chapters::Control;
use crate::engine::scenario::QEMU_MAX_BANDWIDTH_MIBPS;
use crate::engine::units::MIB;
use crate::engine::{Network, Scenario, StopPolicy};
use crate::model::bounds::to_count;
use crate::model::edits::set_lab_host;
use crate::model::{Edit, Hypervisor};
use crate::ui::handover::FULL;
use yew::prelude::*;

use super::widgets::*;
use super::{PanelProps, LINKS};

/// The network and policy's panel.
pub(super) fn panel(network: &Network, policy: &StopPolicy, on_lab: bool, p: &PanelProps) -> Html {
    let (lang, w) = (p.lang, &p.wiring);
    let show = |c: Control| p.shows.has(c);
    let link_pos = LINKS
        .iter()
        .position(|&l| l >= network.link_gbps)
        .unwrap_or(LINKS.len() - 1);
    let on_link_slide = w.editor(|s, pos: f64| {
        s.network.link_gbps = LINKS[(pos.max(0.0) as usize).min(LINKS.len() - 1)]
    });
    let on_link_value = w.editor(|s, v: f64| s.network.link_gbps = v);
    let on_nics = w.editor(|s, v: f64| s.network.nics = to_count(v));
    // A hypervisor comes with its overheads and its usual transport (`pick_hypervisor`).
    let on_policy = w.intent(|v: String| {
        Edit::Hypervisor(Hypervisor::from_name(&v).unwrap_or(Hypervisor::Hyperv))
    });
    let on_host = w.editor(|s, v: String| set_lab_host(s, v == "lab"));
    let host = if on_lab { "lab" } else { "datacentre" };
    let policy_name = Hypervisor::of_policy(policy).name();
    let on_policy_param = w.editor(|s, v: f64| {
        let count = to_count(v);
        match &mut s.policy {
            StopPolicy::HyperV { max_passes, .. } => *max_passes = count,
            StopPolicy::Xen { max_iterations, .. } => *max_iterations = count,
            StopPolicy::Qemu {
                downtime_limit_ms, ..
            } => *downtime_limit_ms = v,
        }
    });
    let (param_label, param_unit, param_value, param_hint) = match *policy {
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
        policy,
        StopPolicy::Qemu {
            auto_converge: true,
            ..
        }
    );
    let on_auto_converge = w.editor(|s, v: bool| {
        if let StopPolicy::Qemu { auto_converge, .. } = &mut s.policy {
            *auto_converge = v;
        }
    });
    let qemu_bandwidth = match *policy {
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
    let on_bandwidth_choice = w.editor(move |s, v: String| {
        let limit = match v.as_str() {
            "unlimited" => None,
            "custom" => Some(s.policy.max_bandwidth().map_or(1000.0, |b| b / MIB)),
            _ => Some(QEMU_MAX_BANDWIDTH_MIBPS),
        };
        set_qemu_bandwidth(s, limit);
    });
    let on_bandwidth = w.editor(move |s, v: f64| set_qemu_bandwidth(s, Some(v)));
    let policy_param_id = if matches!(policy, StopPolicy::Qemu { .. }) {
        "policy-param-ms"
    } else {
        "policy-param-passes"
    };
    let link_g = w.guard("link", &on_link_value, &p.errors);
    let nics_g = w.guard("nics", &on_nics, &p.errors);
    let policy_param_g = w.guard(policy_param_id, &on_policy_param, &p.errors);
    let bandwidth_g = w.guard("max-bandwidth", &on_bandwidth, &p.errors);
    html! {
        <>
            <h2>{lang.pick("Network and policy", "Netzwerk und Richtlinie")}</h2>
            if show(Control::Link) {
                <Slider id="link" label={lang.pick("Link speed", "Verbindungsgeschwindigkeit")} unit="Gbit/s" min={0.0} max={(LINKS.len() - 1) as f64} step={1.0}
                    position={link_pos as f64} value={network.link_gbps}
                    on_slide={on_link_slide} on_value={link_g.0} error={link_g.1.map(|(m, t)| (AttrValue::from(m), AttrValue::from(t)))} />
            }
            if show(Control::Nics) {
                { number("nics", lang.pick("NICs per host", "Netzwerkadapter je Host"), lang.pick("NICs", "Adapter"), f64::from(network.nics),
                    lang.pick("SMB Multichannel spreads one migration over all of them; TCP/IP uses one.",
                        "SMB Multichannel verteilt eine Migration auf alle; TCP/IP nutzt einen."), nics_g) }
            }
            if show(Control::Policy) {
                { choice("policy", lang.pick("Stop policy", "Stopp-Richtlinie"), &[
                    (Hypervisor::Hyperv.name(), lang.pick("Hyper-V: pass cap, then pause", "Hyper-V: Durchlaufgrenze, dann anhalten")),
                    (Hypervisor::Qemu.name(), lang.pick("QEMU/KVM: pause when it fits the downtime limit", "QEMU/KVM: anhalten, wenn der Rest in die Ausfallzeit-Grenze passt")),
                    (Hypervisor::Xen.name(), lang.pick("Xen: 5 rounds or under 50 dirty pages", "Xen: 5 Runden oder unter 50 geänderte Seiten")),
                ], policy_name, on_policy) }
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
            if matches!(policy, StopPolicy::Qemu { .. }) && show(Control::AutoConverge) {
                { checkbox("auto-converge", lang.pick("Auto-converge", "auto-converge"),
                    lang.pick(" throttle the guest's vCPUs (20 %, then +10 %) while it dirties faster than pages are sent",
                        " drosselt die vCPUs des Gasts (20 %, dann +10 %), solange er schneller ändert, als Seiten gesendet werden").into(),
                    auto_converge, on_auto_converge) }
            }
        </>
    }
}
