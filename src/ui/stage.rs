//! The two hosts and the link, with data moving along it while memory is copied. Side by side
//! on a wide screen; on a narrow one (a phone) stacked, host A above host B, so the labels
//! keep a readable size.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::use_view_env;
use crate::engine::units::MIB;
use crate::engine::{PhaseKind, Trace, TransportKind};
use crate::text::{localize, Fmt, Lang};

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub trace: Rc<Trace>,
    pub t: f64,
    pub speed: f64,
    /// The language of the labels; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

const LINK_X0: f64 = 250.0;
const LINK_X1: f64 = 550.0;
const LINK_Y: f64 = 100.0;
/// Below this width (CSS pixels) the stacked drawing is used.
const NARROW_PX: f64 = 600.0;
/// The stacked drawing: 400 units wide; the link runs down at `V_LINK_X` from `V_LINK_Y0`.
const V_W: f64 = 400.0;
const V_LINK_X: f64 = 60.0;
const V_LINK_Y0: f64 = 114.0;
const V_LINK_Y1: f64 = 236.0;
const V_H: f64 = 350.0;
/// Packets on the link when it runs at full line rate.
const MAX_PACKETS: usize = 14;
/// Wall-clock seconds a packet takes to cross the drawing, whatever the playback speed.
const CROSSING_S: f64 = 1.2;

fn transport_label(trace: &Trace, lang: Lang) -> &'static str {
    let r = &trace.rates;
    match trace.scenario.transport.kind {
        TransportKind::Smb if r.rdma_active => "SMB Direct (RDMA)",
        TransportKind::Smb => "SMB",
        TransportKind::Compression if r.compression_active => {
            lang.pick("Compression", "Komprimierung")
        }
        _ => "TCP/IP",
    }
}

/// Where the VM is and what it is doing, as a clause of the stage's description.
fn vm_clause(phase: PhaseKind, host: &str, lang: Lang) -> String {
    match (phase, lang) {
        (PhaseKind::StopCopy | PhaseKind::Switchover, Lang::En) => {
            format!("the VM is paused on host {host}")
        }
        (PhaseKind::StopCopy | PhaseKind::Switchover, Lang::De) => {
            format!("die VM ist auf Host {host} angehalten")
        }
        (PhaseKind::Cancelled, Lang::En) => {
            format!("the VM is running (migration cancelled) on host {host}")
        }
        (PhaseKind::Cancelled, Lang::De) => {
            format!(
                "die Migration wurde abgebrochen, die VM wird weiter auf Host {host} ausgeführt"
            )
        }
        (_, Lang::En) => format!("the VM is running on host {host}"),
        (_, Lang::De) => format!("die VM wird auf Host {host} ausgeführt"),
    }
}

#[function_component(Stage)]
pub fn stage(props: &StageProps) -> Html {
    let figure = use_node_ref();
    let env = use_view_env(figure.clone());
    let narrow = env.width > 0.0 && env.width < NARROW_PX;
    let lang = props.lang;
    let f = Fmt(lang);
    let trace = &props.trace;
    let phase = trace.phase_at(props.t).kind;
    let on_b = phase.vm_on_destination();
    let paused = phase.vm_paused();
    let rate = trace.wire_rate_at(props.t);
    let util = if trace.rates.line_rate > 0.0 {
        (rate / trace.rates.line_rate).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let n = if rate > 0.0 {
        ((MAX_PACKETS as f64 * util).ceil() as usize).max(1)
    } else {
        0
    };
    // Packets advance with simulated time scaled by speed, so they cross in CROSSING_S of wall time.
    let phase_pos = (props.t / (props.speed.max(1e-9) * CROSSING_S)).fract();
    let packet_class = if phase == PhaseKind::StopCopy {
        "packet state"
    } else {
        "packet"
    };
    let packets = (0..n).map(|i| {
        let f = (phase_pos + i as f64 / n as f64).fract();
        let side = if i % 2 == 0 { -5.0 } else { 5.0 };
        if narrow {
            let y = V_LINK_Y0 + 12.0 + f * (V_LINK_Y1 - V_LINK_Y0 - 24.0);
            let x = V_LINK_X + side;
            html! { <rect class={packet_class} x={format!("{:.1}", x - 3.0)} y={format!("{:.1}", y - 6.0)} width="6" height="12" rx="1.5" /> }
        } else {
            let x = LINK_X0 + 12.0 + f * (LINK_X1 - LINK_X0 - 24.0);
            let y = LINK_Y + side;
            html! { <rect class={packet_class} x={format!("{:.1}", x - 6.0)} y={format!("{:.1}", y - 3.0)} width="12" height="6" rx="1.5" /> }
        }
    });
    let vm_x = if on_b { 580.0 } else { 40.0 };
    // Post-copy: the guest runs on B but waits for each page it lacks.
    let waiting = trace
        .postcopy
        .as_ref()
        .filter(|_| phase == PhaseKind::Postcopy)
        .map(|pc| 1.0 - pc.running_at(props.t));
    let waiting_status = waiting.map(|w| {
        let pct = f.num(100.0 * w, 0);
        // Short enough for the VM's box.
        lang.pick(
            format!("waits {pct} % for pages"),
            format!("wartet {pct} % auf Seiten"),
        )
    });
    let vm_status = match phase {
        _ if waiting_status.is_some() => waiting_status.as_deref().unwrap_or_default(),
        PhaseKind::StopCopy | PhaseKind::Switchover => lang.pick("paused", "angehalten"),
        PhaseKind::Cancelled => lang.pick(
            "running (migration cancelled)",
            "wird ausgeführt (Migration abgebrochen)",
        ),
        _ => lang.pick("running", "wird ausgeführt"),
    };
    let net = &trace.scenario.network;
    let link_speed = format!(
        "{} Gbit/s · {}",
        localize(&net.link_gbps.to_string(), lang),
        if net.dedicated {
            lang.pick("dedicated", "dediziert")
        } else {
            lang.pick("shared", "gemeinsam genutzt")
        },
    );
    let transport = transport_label(trace, lang);
    let link_label = format!("{link_speed} · {transport}");
    let rate_label = if rate > 0.0 {
        f.rate(rate)
    } else {
        lang.pick("idle", "im Leerlauf").to_string()
    };
    let memory = f.bytes(trace.scenario.vm.memory_mib * MIB);
    let vm = vm_clause(phase, if on_b { "B" } else { "A" }, lang);
    let aria = match lang {
        Lang::En => format!(
            "Host A and host B joined by a {link_label} link; {vm}; {}.",
            if rate > 0.0 {
                format!("the link carries {rate_label}")
            } else {
                "the link is idle".to_string()
            }
        ),
        Lang::De => format!(
            "Host A und Host B sind über eine Netzwerkverbindung gekoppelt ({link_label}); {vm}; {}.",
            if rate > 0.0 {
                format!("die Verbindung überträgt {rate_label}")
            } else {
                "die Verbindung ist im Leerlauf".to_string()
            }
        ),
    };

    let host_a = lang.pick("Host A · source", "Host A · Quelle");
    let host_b = lang.pick("Host B · destination", "Host B · Ziel");
    if narrow {
        // Stacked: host A on top, the link running down its left, host B below.
        let host_y = |b: bool| if b { V_LINK_Y1 } else { 10.0 };
        let vm_y = host_y(on_b) + 42.0;
        return html! {
            <figure class="stage narrow" ref={figure}>
                <svg viewBox={format!("0 0 {V_W} {V_H}")} role="img" aria-label={aria} data-testid="stage">
                    <g data-testid="host-a" class={classes!("host", (!on_b).then_some("active"))}>
                        <rect x="10" y={host_y(false).to_string()} width="380" height="104" rx="10" />
                        <text x="24" y={(host_y(false) + 28.0).to_string()} class="host-name">{host_a}</text>
                    </g>
                    <g data-testid="host-b" class={classes!("host", on_b.then_some("active"))}>
                        <rect x="10" y={host_y(true).to_string()} width="380" height="104" rx="10" />
                        <text x="24" y={(host_y(true) + 28.0).to_string()} class="host-name">{host_b}</text>
                    </g>
                    <g data-testid="link" class={classes!("link", (rate > 0.0).then_some("busy"))}>
                        <line x1={V_LINK_X.to_string()} y1={V_LINK_Y0.to_string()} x2={V_LINK_X.to_string()} y2={V_LINK_Y1.to_string()} />
                        <text x="86" y="150" class="link-label">{link_speed}</text>
                        <text x="86" y="172" class="link-label">{transport}</text>
                        <text x="86" y="202" class="link-rate" data-testid="link-rate">{rate_label}</text>
                        { for packets }
                    </g>
                    <g class={classes!("vm", paused.then_some("paused"))} data-testid="vm">
                        <rect x="24" y={vm_y.to_string()} width="352" height="54" rx="8" />
                        <text x="38" y={(vm_y + 23.0).to_string()} class="vm-name">{format!("VM · {memory}")}</text>
                        <text x="38" y={(vm_y + 45.0).to_string()} class="vm-status">{vm_status}</text>
                    </g>
                </svg>
            </figure>
        };
    }
    html! {
        <figure class="stage" ref={figure}>
            <svg viewBox="0 0 800 190" role="img" aria-label={aria} data-testid="stage">
                <g data-testid="host-a" class={classes!("host", (!on_b).then_some("active"))}>
                    <rect x="20" y="20" width="230" height="150" rx="10" />
                    <text x="35" y="45" class="host-name">{host_a}</text>
                </g>
                <g data-testid="host-b" class={classes!("host", on_b.then_some("active"))}>
                    <rect x="550" y="20" width="230" height="150" rx="10" />
                    <text x="565" y="45" class="host-name">{host_b}</text>
                </g>
                <g data-testid="link" class={classes!("link", (rate > 0.0).then_some("busy"))}>
                    <line x1={LINK_X0.to_string()} y1={LINK_Y.to_string()} x2={LINK_X1.to_string()} y2={LINK_Y.to_string()} />
                    <text x="400" y="78" text-anchor="middle" class="link-label">{link_label}</text>
                    <text x="400" y="132" text-anchor="middle" class="link-rate" data-testid="link-rate">{rate_label}</text>
                    { for packets }
                </g>
                <g class={classes!("vm", paused.then_some("paused"))} data-testid="vm">
                    <rect x={vm_x.to_string()} y="65" width="180" height="80" rx="8" />
                    <text x={(vm_x + 14.0).to_string()} y="95" class="vm-name">{format!("VM · {memory}")}</text>
                    <text x={(vm_x + 14.0).to_string()} y="122" class="vm-status">{vm_status}</text>
                </g>
            </svg>
        </figure>
    }
}
