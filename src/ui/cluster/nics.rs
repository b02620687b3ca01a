//! The networks and NICs of every host, and the cluster's migration settings.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::edit::{editor, EditProps};
use crate::engine::cluster::{ClusterScenario, Nic};
use crate::engine::scenario::MAX_DESCRIPTORS;
use crate::engine::TransportKind;
use crate::model::bounds::to_count;
use crate::text::{localize, Lang};
use crate::ui::controls::parse_number;

/// NIC configurations offered per host and network: (count, Gbit/s).
const NIC_CHOICES: [(u32, f64); 8] = [
    (0, 0.0),
    (1, 1.0),
    (1, 10.0),
    (2, 10.0),
    (1, 25.0),
    (2, 25.0),
    (1, 40.0),
    (1, 100.0),
];

pub(super) fn nic_label(c: (u32, f64), lang: Lang) -> String {
    if c.0 == 0 {
        lang.pick("none", "keine").into()
    } else {
        localize(&format!("{} × {} GbE", c.0, c.1), lang)
    }
}

/// "1 migration", "3 migrations" / "1 Migration", "3 Migrationen".

#[function_component(NicPanel)]
pub(super) fn nic_panel(p: &EditProps) -> Html {
    let lang = p.lang;
    let c = &*p.cluster;
    let edit = editor(p);

    let number = |id: &'static str,
                  label: &'static str,
                  value: u32,
                  f: fn(&mut ClusterScenario, u32)| {
        let edit = edit.clone();
        let onchange = Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let v = parse_number(input.value().trim()).unwrap_or(-1.0);
            let v = to_count(v);
            edit(Box::new(move |c| f(c, v)))
        });
        html! {
            <label class="inline">{label}
                <input type="number" {id} class="num" min="1" value={value.to_string()} {onchange} />
            </label>
        }
    };
    // The buffers lever: every NIC at the most the drivers allow.
    let more_buffers = c
        .hosts
        .iter()
        .flat_map(|h| &h.nics)
        .all(|n| n.buffers.is_some_and(|b| b >= MAX_DESCRIPTORS));
    let check = |id: &'static str,
                 label: &'static str,
                 value: bool,
                 f: fn(&mut ClusterScenario, bool)| {
        let edit = edit.clone();
        let onchange = Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let v = input.checked();
            edit(Box::new(move |c| f(c, v)))
        });
        html! {
            <label class="inline"><input type="checkbox" {id} checked={value} {onchange} />{label}</label>
        }
    };
    let on_transport = {
        let edit = edit.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            let kind = TransportKind::from_name(&sel.value()).unwrap_or_default();
            edit(Box::new(move |c| c.settings.transport = kind))
        })
    };

    // The NIC matrix: hosts × networks.
    let nic_cell = |h: usize, n: usize| {
        let host = &c.hosts[h];
        let net = &c.networks[n].name;
        let nics: Vec<&Nic> = host.nics.iter().filter(|x| &x.network == net).collect();
        let current = (nics.len() as u32, nics.first().map_or(0.0, |x| x.gbps));
        let edit = edit.clone();
        let net_name = net.clone();
        let onchange = Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            let Ok(i) = sel.value().parse::<usize>() else {
                return;
            };
            let (count, gbps) = NIC_CHOICES[i.min(NIC_CHOICES.len() - 1)];
            let net_name = net_name.clone();
            edit(Box::new(move |c| {
                let host = &mut c.hosts[h];
                let template = host.nics.iter().find(|x| x.network == net_name).cloned();
                host.nics.retain(|x| x.network != net_name);
                for _ in 0..count {
                    let mut nic = template.clone().unwrap_or(Nic {
                        network: net_name.clone(),
                        gbps,
                        rdma: false,
                        buffers: None,
                    });
                    nic.gbps = gbps;
                    host.nics.push(nic);
                }
            }))
        });
        let options = NIC_CHOICES.iter().enumerate().map(|(i, &ch)| {
            let selected = ch.0 == current.0 && (ch.0 == 0 || ch.1 == current.1);
            html! { <option value={i.to_string()} {selected}>{nic_label(ch, lang)}</option> }
        });
        html! {
            <td><select aria-label={lang.pick(format!("{} NICs on {}", host.name, net), format!("Netzwerkadapter von {} im Netzwerk {}", host.name, net))} id={format!("nic-{h}-{n}")} {onchange}>{ for options }</select></td>
        }
    };
    let net_flags = |n: usize| {
        let net = &c.networks[n];
        let edit1 = edit.clone();
        let on_dedicated = Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().checked();
            edit1(Box::new(move |c| c.networks[n].dedicated = v))
        });
        let rdma = c
            .hosts
            .iter()
            .flat_map(|h| &h.nics)
            .filter(|x| x.network == net.name)
            .all(|x| x.rdma);
        let edit2 = edit.clone();
        let name = net.name.clone();
        let on_rdma = Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().checked();
            let name = name.clone();
            edit2(Box::new(move |c| {
                for nic in c.hosts.iter_mut().flat_map(|h| h.nics.iter_mut()) {
                    if nic.network == name {
                        nic.rdma = v;
                    }
                }
            }))
        });
        html! {
            <th>
                {net.name.clone()}
                <label class="tiny"><input type="checkbox" checked={net.dedicated} onchange={on_dedicated} />{lang.pick("dedicated", "dediziert")}</label>
                <label class="tiny"><input type="checkbox" checked={rdma} onchange={on_rdma} />{"RDMA"}</label>
            </th>
        }
    };

    html! {
        <>
            <div class="scroll-x"><table class="nics">
                <thead><tr><th>{lang.pick("host", "Host")}</th>{ for (0..c.networks.len()).map(net_flags) }</tr></thead>
                <tbody>{ for (0..c.hosts.len()).map(|h| html! {
                    <tr><th>{c.hosts[h].name.clone()}</th>{ for (0..c.networks.len()).map(|n| nic_cell(h, n)) }</tr>
                }) }</tbody>
            </table></div>
            <div class="toolbar">
                { number("per-host-limit", lang.pick("Simultaneous per host ", "Gleichzeitig je Host "), c.settings.per_host_limit, |c, v| c.settings.per_host_limit = v) }
                { number("cluster-limit", lang.pick("In the cluster ", "Im Cluster "), c.settings.cluster_limit, |c, v| c.settings.cluster_limit = v) }
                <label class="inline">{lang.pick("Performance option ", "Leistungsoption ")}
                    <select id="cluster-transport" onchange={on_transport}>
                        { for [
                            (TransportKind::Tcp, "TCP/IP"),
                            (TransportKind::Compression, lang.pick("Compression", "Komprimierung")),
                            (TransportKind::Smb, "SMB"),
                        ].into_iter().map(|(kind, label)| html! {
                            <option value={kind.name()} selected={c.settings.transport == kind}>{label}</option>
                        }) }
                    </select>
                </label>
                { check("shared-storage", lang.pick(" shared storage (CSV)", " freigegebener Speicher (CSV)"), c.shared_storage, |c, v| c.shared_storage = v) }
                { check("shared-nothing", lang.pick(" allow shared-nothing (copy disks)", " Shared-Nothing-Migration zulassen (Datenträger kopieren)"), c.settings.shared_nothing, |c, v| c.settings.shared_nothing = v) }
                { check("smb-limit", lang.pick(" SMB limit: 25 % of a node's NIC speed (the cluster default since 2022-09)",
                    " SMB-Limit: 25 % der Geschwindigkeit der Netzwerkadapter eines Knotens (Clusterstandard seit September 2022)"),
                    c.settings.smb_limit_pct.is_some(), |c, v| c.settings.smb_limit_pct = v.then_some(25.0)) }
                { check("cluster-buffers", lang.pick(" more send/receive buffers: 4096 descriptors on every NIC",
                    " mehr Sende- und Empfangspuffer: 4096 Deskriptoren auf jedem Netzwerkadapter"),
                    more_buffers, |c, v| {
                        for h in &mut c.hosts {
                            for n in &mut h.nics {
                                n.buffers = v.then_some(MAX_DESCRIPTORS);
                            }
                        }
                    }) }
            </div>
        </>
    }
}
