//! More settings: round trip, TCP window, SMB limit, the host's CPU and the random seed.

use crate::chapters::Control;
use crate::engine::{Network, Transport};
use crate::model::bounds::to_count;
use yew::prelude::*;

use super::widgets::*;
use super::PanelProps;

/// More settings' panel.
pub(super) fn panel(network: &Network, transport: &Transport, seed: u64, p: &PanelProps) -> Html {
    let (lang, w) = (p.lang, &p.wiring);
    let show = |c: Control| p.shows.has(c);
    let on_rtt = w.editor(|s, v: f64| s.network.rtt_ms = v);
    let on_window = w.editor(|s, v: f64| s.network.tcp_window_kib = v);
    let on_smb_limit = w.editor(|s, v: f64| {
        s.network.smb_limit_mibps = if v.is_finite() && v > 0.0 || v < 0.0 {
            Some(v)
        } else {
            None
        }
    });
    let on_cores = w.editor(|s, v: f64| s.transport.host_cores = to_count(v));
    let on_load = w.editor(|s, v: f64| s.transport.host_load = v / 100.0);
    let on_seed = w.editor(|s, v: f64| {
        if v.is_finite() && v >= 0.0 {
            s.seed = v as u64
        }
    });
    let rtt_g = w.guard("rtt", &on_rtt, &p.errors);
    let window_g = w.guard("window", &on_window, &p.errors);
    let smb_limit_g = w.guard("smb-limit", &on_smb_limit, &p.errors);
    let cores_g = w.guard("cores", &on_cores, &p.errors);
    let load_g = w.guard("load", &on_load, &p.errors);
    let seed_g = w.guard("seed", &on_seed, &p.errors);
    html! {
            <details class="more" open={!p.shows.all}>
                <summary>{lang.pick("More settings", "Weitere Einstellungen")}</summary>
                if show(Control::Rtt) {
                    { number("rtt", lang.pick("Round-trip time", "Umlaufzeit (RTT)"), "ms", network.rtt_ms,
                        lang.pick("0.2 ms in one rack; more across a campus.", "0,2 ms in einem Rack; mehr über einen Campus."), rtt_g) }
                }
                if show(Control::Window) {
                    { number("window", lang.pick("TCP window", "TCP-Fenster"), "KiB", network.tcp_window_kib,
                        lang.pick("Autotuning reaches 16 MiB; a fixed 64 KiB caps long paths.", "Die automatische Optimierung erreicht 16 MiB; feste 64 KiB begrenzen lange Wege."), window_g) }
                }
                if show(Control::SmbLimit) {
                    { number("smb-limit", lang.pick("SMB bandwidth limit (0 = none)", "SMB-Bandbreitenlimit (0 = keins)"), "MiB/s", network.smb_limit_mibps.unwrap_or(0.0),
                        lang.pick("Set-SmbBandwidthLimit -Category LiveMigration: limits the SMB option only.",
                            "Set-SmbBandwidthLimit -Category LiveMigration: begrenzt nur die SMB-Option."), smb_limit_g) }
                }
                if show(Control::Cores) {
                    { number("cores", lang.pick("Host CPU cores", "CPU-Kerne des Hosts"), lang.pick("cores", "Kerne"), f64::from(transport.host_cores), "", cores_g) }
                }
                if show(Control::Load) {
                    { number("load", lang.pick("Host CPU load", "CPU-Last des Hosts"), "%", transport.host_load * 100.0,
                        lang.pick("Compression only uses idle cores.", "Komprimierung nutzt nur freie Kerne."), load_g) }
                }
                if show(Control::Seed) {
                    { number("seed", lang.pick("Random seed", "Zufallsstartwert"), "", seed as f64,
                        lang.pick("Background bursts and which pages are hot.", "Lastspitzen im Hintergrund und welche Seiten heiß sind."), seed_g) }
                }
            </details>
    }
}
