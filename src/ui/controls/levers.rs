//! The levers' panel: the tuning guide's four under Hyper-V and Xen, QEMU's own under QEMU.

use crate::chapters::Control;
use crate::engine::scenario::{driver_default_descriptors, MAX_DESCRIPTORS};
use crate::engine::units::MIB;
use crate::engine::{Multifd, MultifdCompression, Scenario, StopPolicy, TransportKind};
use crate::model::bounds::to_count;
use crate::model::levers::LeverSet;
use crate::model::{Edit, Lever};
use crate::text::Lang;
use crate::ui::handover::FULL;
use yew::prelude::*;

use super::widgets::*;
use super::PanelProps;

/// The levers' panel.
pub(super) fn panel(
    link_gbps: f64,
    policy: &StopPolicy,
    levers: &LeverSet,
    p: &PanelProps,
) -> Html {
    let (lang, w) = (p.lang, &p.wiring);
    let show = |c: Control| p.shows.has(c);
    // The levers: each sets its one setting (`model::Lever`); the performance option and the
    // NICs' RDMA capability never change each other.
    let on_dedicated = w.intent(|v: bool| Edit::Lever(Lever::Dedicated(v)));
    let on_buffers = w.intent(|v: bool| Edit::Lever(Lever::MaxBuffers(v)));
    let on_option = w.intent(|v: String| {
        Edit::Lever(Lever::Option(
            TransportKind::from_name(&v).unwrap_or_default(),
        ))
    });
    let on_rdma = w.intent(|v: bool| Edit::Lever(Lever::Rdma(v)));
    let multifd = policy.multifd();
    let set_multifd = |s: &mut Scenario, v: Option<Multifd>| {
        if let StopPolicy::Qemu { multifd, .. } = &mut s.policy {
            *multifd = v;
        }
    };
    let on_channels = w.editor(move |s, v: f64| {
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
    let on_codec = w.editor(move |s, v: String| {
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
    let option_value = levers.option.name();
    let option = match (levers.option, levers.rdma) {
        (TransportKind::Tcp, _) => "TCP/IP",
        (TransportKind::Compression, _) => "Compression",
        (TransportKind::Smb, true) => "SMB (SMB Direct over RDMA)",
        (TransportKind::Smb, false) => "SMB",
    };
    let qemu = matches!(policy, StopPolicy::Qemu { .. });
    // QEMU's answers to a guest that outruns the link (the full bundle only: the lite one hands
    // a scenario that uses them over).
    let xbzrle_value = match policy.xbzrle_cache() {
        Some(bytes) => (bytes / MIB).to_string(),
        None => "off".to_string(),
    };
    let on_xbzrle = w.editor(|s, v: String| {
        if let StopPolicy::Qemu {
            xbzrle_cache_mib, ..
        } = &mut s.policy
        {
            *xbzrle_cache_mib = v.parse().ok();
        }
    });
    let postcopy_value = match policy.postcopy() {
        Some(sw) => sw
            .after_passes
            .map_or("stalled".to_string(), |n| n.to_string()),
        None => "off".to_string(),
    };
    let on_postcopy = w.editor(|s, v: String| {
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
    let preempt = policy.postcopy().is_some_and(|sw| sw.preempt);
    let on_preempt = w.editor(|s, v: bool| {
        if let StopPolicy::Qemu {
            postcopy_preempt, ..
        } = &mut s.policy
        {
            *postcopy_preempt = v;
        }
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
    let channels_g = w.guard("multifd-channels", &on_channels, &p.errors);
    html! {
            <fieldset class="levers">
                // Under QEMU the levers are QEMU's (multifd, XBZRLE, post-copy), not the
                // Hyper-V tuning guide's.
                <legend>{if qemu { lang.pick("The levers", "Die Stellschrauben") } else { lang.pick("The tuning guide's levers", "Die Stellschrauben des Leitfadens") }}</legend>
                if show(Control::LeverDedicated) {
                    { checkbox("lever-dedicated", lang.pick("Dedicated migration network", "Dediziertes Migrationsnetzwerk"),
                        lang.pick(" no VM, cluster or backup traffic on the link: shorter and consistent",
                            " kein VM-, Cluster- oder Sicherungsverkehr auf der Verbindung: kürzer und gleichmäßig").into(),
                        levers.dedicated, on_dedicated) }
                }
                if show(Control::LeverBuffers) {
                    { checkbox("lever-buffers", lang.pick("More send/receive buffers", "Mehr Sende- und Empfangspuffer"),
                        match lang {
                            Lang::En => format!(" {} NIC descriptors instead of the driver's {}", MAX_DESCRIPTORS,
                                driver_default_descriptors(link_gbps)),
                            Lang::De => format!(" {} Deskriptoren je Adapter statt der {} des Treibers", MAX_DESCRIPTORS,
                                driver_default_descriptors(link_gbps)),
                        },
                        levers.max_buffers, on_buffers) }
                }
                if qemu {
                    if show(Control::MultifdChannels) || p.shows.all {
                        { number("multifd-channels", lang.pick("multifd channels (0 = off)", "multifd-Kanäle (0 = aus)"), lang.pick("channels", "Kanäle"),
                            f64::from(multifd.map_or(0, |m| m.channels)),
                            lang.pick("Parallel connections, each with a thread that finds zero pages and compresses (QEMU's default: off; 2 when on).",
                                "Parallele Verbindungen, jede mit einem Thread, der Nullseiten findet und komprimiert (QEMU-Standard: aus; eingeschaltet 2)."),
                            channels_g) }
                    }
                    if show(Control::MultifdCompression) || p.shows.all {
                        { choice("multifd-compression", lang.pick("multifd compression", "multifd-Komprimierung"), &[
                            (MultifdCompression::None.name(), lang.pick("none", "keine")),
                            (MultifdCompression::Zlib.name(), lang.pick("zlib level 1", "zlib Stufe 1")),
                            (MultifdCompression::Zstd.name(), lang.pick("zstd level 1 (5.6× faster per core)", "zstd Stufe 1 (5,6-mal schneller je Kern)")),
                        ], codec, on_codec) }
                    }
                    if FULL && (show(Control::Xbzrle) || p.shows.all) {
                        { choice("xbzrle", lang.pick("XBZRLE cache (xbzrle-cache-size)", "XBZRLE-Cache (xbzrle-cache-size)"), &[
                            ("off", lang.pick("off (QEMU's default)", "aus (QEMU-Standard)")),
                            ("64", lang.pick("64 MiB (QEMU's size when on)", "64 MiB (QEMUs Größe, wenn an)")),
                            ("256", "256 MiB"),
                            ("1024", "1 GiB"),
                            ("2048", "2 GiB"),
                            ("4096", "4 GiB"),
                        ], &xbzrle_value, on_xbzrle) }
                    }
                    if FULL && (show(Control::Postcopy) || p.shows.all) {
                        { choice("postcopy", lang.pick("Post-copy (migrate-start-postcopy)", "Post-Copy (migrate-start-postcopy)"), &[
                            ("off", lang.pick("off: pre-copy to the end", "aus: Pre-Copy bis zum Ende")),
                            ("0", lang.pick("at once", "sofort")),
                            ("1", lang.pick("after 1 pass (as libvirt)", "nach 1 Durchlauf (wie libvirt)")),
                            ("3", lang.pick("after 3 passes", "nach 3 Durchläufen")),
                            ("stalled", lang.pick("when pre-copy stalls", "wenn Pre-Copy stockt")),
                        ], &postcopy_value, on_postcopy) }
                    }
                    if FULL && (show(Control::PostcopyPreempt) || p.shows.all) {
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
                        levers.rdma, on_rdma) }
                }
                <p class="hint" data-testid="performance-option">{option}</p>
            </fieldset>
    }
}
