//! The cluster view: hosts, NICs and networks, VMs on hosts; moves and drains; concurrent
//! flows on the links, a Gantt chart of every migration, and the totals — all on the shared
//! playback clock.

use std::rc::Rc;

use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::chart::{prepare, time_cursor, use_drawn_canvas, use_view_env, Surface};
use super::controls::{parse_number, to_count};
use super::files::SaveDrawing;
use super::inspect::{self, Inspector};
use super::memory_map::{labels, MemoryMap, COLOURS};
use super::state::{preset, Action, AppState, PRESETS};
use super::ByPtr;
use crate::charts;
use crate::engine::cluster::{
    ClusterScenario, ClusterTrace, ClusterVm, MigrationRecord, Nic, Operation, Stage,
};
use crate::engine::scenario::MAX_DESCRIPTORS;
use crate::engine::units::localize;
use crate::engine::{Fmt, Lang, TransportKind};
use crate::model::cluster::{can_add_host, can_remove_host, room_for_vm, ClusterEdit};

/// One colour per migration (cycled), distinct from the stage colours' meanings: the
/// stylesheet's `mig-0` … `mig-7` classes, per theme.
const MIG_COLOURS: usize = 8;

/// The topology drawing's geometry: up to four hosts a row or, in a narrow box (a phone), two
/// a row with fewer and larger VM chips so that the text stays readable.
#[derive(Clone, Copy, PartialEq)]
struct Layout {
    cols: usize,
    /// Room above the first row for the arcs between hosts of a row.
    top: f64,
    margin: f64,
    bw: f64,
    bh: f64,
    gap: f64,
    name_y: f64,
    used_y: f64,
    chips_per_row: usize,
    max_chips: usize,
    chip_y: f64,
    chip_w: f64,
    chip_h: f64,
    chip_pitch: f64,
    chip_dy: f64,
    text_dx: f64,
    text_dy: f64,
}

impl Layout {
    fn new(hosts: usize, narrow: bool) -> Layout {
        if narrow {
            Layout {
                cols: hosts.clamp(1, 2),
                top: 80.0,
                margin: 10.0,
                bw: 170.0,
                bh: 180.0,
                gap: 24.0,
                name_y: 24.0,
                used_y: 46.0,
                chips_per_row: 2,
                max_chips: 8,
                chip_y: 58.0,
                chip_w: 74.0,
                chip_h: 22.0,
                chip_pitch: 78.0,
                chip_dy: 26.0,
                text_dx: 5.0,
                text_dy: 16.0,
            }
        } else {
            Layout {
                cols: hosts.clamp(1, 4),
                top: 110.0,
                margin: 20.0,
                bw: 190.0,
                bh: 130.0,
                gap: 40.0,
                name_y: 18.0,
                used_y: 34.0,
                chips_per_row: 3,
                max_chips: 12,
                chip_y: 48.0,
                chip_w: 56.0,
                chip_h: 15.0,
                chip_pitch: 60.0,
                chip_dy: 18.0,
                text_dx: 4.0,
                text_dy: 11.0,
            }
        }
    }
}

/// Below this width (CSS pixels) the topology uses its narrow layout.
const NARROW_PX: f64 = 600.0;

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

fn nic_label(c: (u32, f64), lang: Lang) -> String {
    if c.0 == 0 {
        lang.pick("none", "keine").into()
    } else {
        localize(&format!("{} × {} GbE", c.0, c.1), lang)
    }
}

/// "1 migration", "3 migrations" / "1 Migration", "3 Migrationen".
fn migrations(n: usize, lang: Lang) -> String {
    match (lang, n) {
        (Lang::En, 1) => "1 migration".into(),
        (Lang::En, n) => format!("{n} migrations"),
        (Lang::De, 1) => "1 Migration".into(),
        (Lang::De, n) => format!("{n} Migrationen"),
    }
}

/// The topology's description for screen readers: hosts, and migrations running and queued.
fn topology_label(hosts: usize, running: usize, queued: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{}; {} running and {queued} queued at this moment.",
            if hosts == 1 {
                "1 host".to_string()
            } else {
                format!("{hosts} hosts")
            },
            migrations(running, lang)
        ),
        Lang::De => format!(
            "{}; im Moment {} {}, {queued} {} in der Warteschlange.",
            if hosts == 1 {
                "1 Host".to_string()
            } else {
                format!("{hosts} Hosts")
            },
            if running == 1 { "läuft" } else { "laufen" },
            migrations(running, lang),
            if queued == 1 { "wartet" } else { "warten" }
        ),
    }
}

/// What a migration is doing now, as shown beside its progress bar; the English word also
/// names its CSS class ("st-pass-2", "st-blackout").
fn stage_label(stage: Stage, pass: u32, lang: Lang) -> (String, String) {
    let en = match stage {
        Stage::Precopy => format!("pass {pass}"),
        Stage::Queued => "queued".into(),
        Stage::Setup => "setup".into(),
        Stage::Storage => "storage".into(),
        Stage::Blackout => "blackout".into(),
        Stage::Switchover => "switchover".into(),
        Stage::Cleanup => "cleanup".into(),
        Stage::Done => "done".into(),
    };
    let shown = match (lang, stage) {
        (Lang::En, _) => en.clone(),
        (Lang::De, Stage::Queued) => "in der Warteschlange".into(),
        (Lang::De, Stage::Setup) => "Einrichtung".into(),
        (Lang::De, Stage::Storage) => "Datenträgerkopie".into(),
        (Lang::De, Stage::Precopy) => format!("Durchlauf {pass}"),
        (Lang::De, Stage::Blackout) => "Blackout".into(),
        (Lang::De, Stage::Switchover) => "Umschaltung".into(),
        (Lang::De, Stage::Cleanup) => "Bereinigung".into(),
        (Lang::De, Stage::Done) => "fertig".into(),
    };
    (format!("st-{en}").replace(' ', "-"), shown)
}

#[derive(Properties)]
pub struct ClusterProps {
    pub cluster: Rc<ClusterScenario>,
    pub trace: Rc<ClusterTrace>,
    pub error: Option<String>,
    pub t: f64,
    pub dispatch: UseReducerDispatcher<AppState>,
    /// The language of the labels and numbers; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

impl PartialEq for ClusterProps {
    /// The scenario and the trace by identity: the app hands down the same `Rc`s until they
    /// change, and comparing a trace of many migrations field by field every frame costs more
    /// than a render it could save.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.cluster, &other.cluster)
            && Rc::ptr_eq(&self.trace, &other.trace)
            && self.error == other.error
            && self.t == other.t
            && self.dispatch == other.dispatch
            && self.lang == other.lang
    }
}

/// The moves of each VM of `trace.scenario.vms`: for each of its migrations that has a
/// switchover, in the run's order, when the switchover ends and the migration's index.
fn moves_of(trace: &ClusterTrace) -> Vec<Vec<(f64, usize)>> {
    trace
        .scenario
        .vms
        .iter()
        .map(|v| {
            trace
                .migrations
                .iter()
                .enumerate()
                .filter(|(_, m)| m.vm == v.name && m.refused.is_none())
                .filter_map(|(i, m)| {
                    let s = m.stages.iter().find(|s| s.stage == Stage::Switchover)?;
                    Some((s.end_s, i))
                })
                .collect()
        })
        .collect()
}

/// Where each VM runs at time t, as (VM, host): a migration moves it once its switchover
/// ends. `moves` is `moves_of(trace)`.
fn hosts_at<'a>(
    trace: &'a ClusterTrace,
    moves: &[Vec<(f64, usize)>],
    t: f64,
) -> Vec<(&'a str, &'a str)> {
    trace
        .scenario
        .vms
        .iter()
        .zip(moves)
        .map(|(v, moves)| {
            let host = moves
                .iter()
                .rfind(|(end, _)| *end <= t)
                .map_or(v.host.as_str(), |&(_, i)| trace.migrations[i].to.as_str());
            (v.name.as_str(), host)
        })
        .collect()
}

/// The host of VM `name` in `now` (from `hosts_at`), looked for at index `k` first.
fn host_of<'a>(now: &[(&str, &'a str)], k: usize, name: &str) -> Option<&'a str> {
    let at = |&(n, host): &(&str, &'a str)| (n == name).then_some(host);
    now.get(k).and_then(at).or_else(|| now.iter().find_map(at))
}

fn stage_at(m: &MigrationRecord, t: f64) -> Option<(Stage, u32)> {
    m.stages
        .iter()
        .find(|s| s.start_s <= t && t < s.end_s)
        .map(|s| (s.stage, s.pass))
}

fn rate_at(m: &MigrationRecord, t: f64) -> f64 {
    m.segments
        .iter()
        .find(|s| s.start_s <= t && t < s.end_s)
        .map_or(0.0, |s| s.wire_rate)
}

/// The totals' line about this moment: migrations running and queued, and the data moved.
fn now_line(running: usize, queued: usize, moved: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Now: {running} running, {queued} queued. Data moved: {moved}."),
        Lang::De => format!(
            "Jetzt: {running} {}, {queued} in der Warteschlange. Übertragene Daten: {moved}.",
            if running == 1 { "läuft" } else { "laufen" }
        ),
    }
}

/// What the cluster's editing panels show. None of it changes while the run plays, so they
/// render again only when the cluster, the selected host or the language changes, not every
/// frame as the run's views do.
#[derive(Properties, Clone)]
struct EditProps {
    cluster: Rc<ClusterScenario>,
    host_ix: usize,
    select_host: UseStateSetter<usize>,
    dispatch: UseReducerDispatcher<AppState>,
    lang: Lang,
}

impl PartialEq for EditProps {
    /// The cluster by identity, as in `ClusterProps`.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.cluster, &other.cluster)
            && self.host_ix == other.host_ix
            && self.select_host == other.select_host
            && self.dispatch == other.dispatch
            && self.lang == other.lang
    }
}

/// An edit of the cluster.
type Change = Box<dyn Fn(&mut ClusterScenario)>;

/// Makes a change to the cluster: applied to a copy, which becomes the cluster shown.
fn editor(p: &EditProps) -> impl Fn(Change) + Clone + 'static {
    let cluster = p.cluster.clone();
    let d = p.dispatch.clone();
    move |f: Change| {
        let mut next = (*cluster).clone();
        f(&mut next);
        d.dispatch(Action::SetCluster(Box::new(next)));
    }
}

/// A button that makes the model's cluster edit `e`.
fn intent(p: &EditProps, e: ClusterEdit) -> Callback<MouseEvent> {
    let d = p.dispatch.clone();
    Callback::from(move |_: MouseEvent| d.dispatch(Action::EditCluster(e.clone())))
}

/// The cluster's toolbar above the topology: a preset, the selected host, hosts and VMs added
/// or removed, the drain.
#[function_component(HostBar)]
fn host_bar(p: &EditProps) -> Html {
    let lang = p.lang;
    let c = &*p.cluster;
    let host_ix = p.host_ix;

    let on_preset = {
        let d = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = sel.value().parse::<usize>() {
                d.dispatch(Action::SetCluster(Box::new(preset(i))));
            }
        })
    };
    // Hosts can be picked by clicking their box or, from the keyboard, with this list.
    let on_select_host = {
        let sel = p.select_host.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = s.value().parse::<usize>() {
                sel.set(i);
            }
        })
    };
    let sel_host_name = c
        .hosts
        .get(host_ix)
        .map(|h| h.name.clone())
        .unwrap_or_default();
    let add_host = intent(p, ClusterEdit::AddHost);
    let remove_host = intent(p, ClusterEdit::RemoveHost(sel_host_name.clone()));
    let add_vm = intent(
        p,
        ClusterEdit::AddVm {
            host: sel_host_name.clone(),
        },
    );
    let drain = intent(
        p,
        ClusterEdit::Drain {
            host: sel_host_name.clone(),
        },
    );
    let room_for_vm = room_for_vm(c, &sel_host_name);
    // The remembered choices count only while they still fit the selected host.
    html! {
        <div class="toolbar">
            <label class="inline">{lang.pick("Preset ", "Vorlage ")}
                <select id="preset" onchange={on_preset}>
                    <option value="" selected=true disabled=true>{lang.pick("choose…", "auswählen …")}</option>
                    { for PRESETS.iter().enumerate().map(|(i, (en, de, _))| html! { <option value={i.to_string()}>{lang.pick(*en, *de)}</option> }) }
                </select>
            </label>
            <label class="inline">{"Host "}
                <select id="select-host" onchange={on_select_host} aria-label={lang.pick("Selected host", "Ausgewählter Host")}>
                    { for c.hosts.iter().enumerate().map(|(i, h)| html! { <option value={i.to_string()} selected={i == host_ix}>{h.name.clone()}</option> }) }
                </select>
            </label>
            <button id="add-host" onclick={add_host} disabled={!can_add_host(c)}>{"+ Host"}</button>
            <button id="remove-host" onclick={remove_host} disabled={!can_remove_host(c)}>{format!("− {sel_host_name}")}</button>
            <button id="add-vm" onclick={add_vm} disabled={!room_for_vm}
                title={if room_for_vm { String::new() } else { lang.pick(
                    format!("{sel_host_name} has less than 4 GiB free for another VM"),
                    format!("Auf {sel_host_name} sind für eine weitere VM keine 4 GiB frei")) }}>
                {lang.pick(format!("+ VM on {sel_host_name}"), format!("+ VM auf {sel_host_name}"))}</button>
            <button id="drain" onclick={drain} class="primary">{lang.pick(format!("Drain {sel_host_name}"), format!("{sel_host_name} leeren"))}</button>
            <SaveDrawing name="topology" {lang} />
        </div>
    }
}

/// The toolbar below the topology: a VM of the selected host live-migrated to another host;
/// the operations so far.
#[function_component(MoveBar)]
fn move_bar(p: &EditProps) -> Html {
    let lang = p.lang;
    let c = &*p.cluster;
    let host_ix = p.host_ix;
    let selected_vm = use_state(|| None::<String>);
    let target = use_state(|| None::<String>);

    let sel_host_name = c
        .hosts
        .get(host_ix)
        .map(|h| h.name.clone())
        .unwrap_or_default();
    let vm_on_host: Vec<&ClusterVm> = c.vms.iter().filter(|v| v.host == sel_host_name).collect();
    let chosen_vm = (*selected_vm)
        .clone()
        .filter(|v| vm_on_host.iter().any(|x| &x.name == v))
        .or_else(|| vm_on_host.first().map(|v| v.name.clone()));
    let chosen_to = (*target)
        .clone()
        .filter(|h| h != &sel_host_name && c.hosts.iter().any(|x| &x.name == h))
        .or_else(|| {
            c.hosts
                .iter()
                .find(|h| h.name != sel_host_name)
                .map(|h| h.name.clone())
        });
    let move_vm = match (chosen_vm.clone(), chosen_to.clone()) {
        (Some(vm), Some(to)) => intent(p, ClusterEdit::Move { vm, to }),
        _ => Callback::noop(),
    };
    let clear_ops = intent(p, ClusterEdit::ClearOperations);
    let select_vm = {
        let s = selected_vm.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            s.set(Some(sel.value()));
        })
    };
    let select_target = {
        let s = target.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            s.set(Some(sel.value()));
        })
    };
    let ops = c.operations.iter().map(|o| match o {
        Operation::Move { vm, to } => html! { <li>{lang.pick(format!("move {vm} to {to}"), format!("{vm} nach {to} verschieben"))}</li> },
        Operation::Drain { host } => html! { <li>{lang.pick(format!("drain {host}"), format!("{host} leeren"))}</li> },
    });
    html! {
        <>
            <div class="toolbar">
                <label class="inline">{lang.pick("Move ", "Verschieben ")}
                    <select id="move-vm" onchange={select_vm}>
                        { for vm_on_host.iter().map(|v| html! { <option value={v.name.clone()} selected={Some(&v.name) == chosen_vm.as_ref()}>{v.name.clone()}</option> }) }
                    </select>
                </label>
                <label class="inline">{lang.pick(" to ", " nach ")}
                    <select id="move-to" onchange={select_target}>
                        { for c.hosts.iter().filter(|h| h.name != sel_host_name).map(|h| html! { <option value={h.name.clone()} selected={Some(&h.name) == chosen_to.as_ref()}>{h.name.clone()}</option> }) }
                    </select>
                </label>
                <button id="migrate" onclick={move_vm} disabled={vm_on_host.is_empty()}>{lang.pick("Live-migrate", "Live migrieren")}</button>
                <button id="clear-ops" onclick={clear_ops}>{lang.pick("Clear operations", "Vorgänge löschen")}</button>
            </div>
            <p class="small">{lang.pick("Operations: ", "Vorgänge: ")}</p>
            <ol class="ops" data-testid="operations">{ for ops }</ol>
        </>
    }
}

/// The networks and NICs of every host, and the cluster's migration settings.
#[function_component(NicPanel)]
fn nic_panel(p: &EditProps) -> Html {
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
            let kind = match sel.value().as_str() {
                "tcp" => TransportKind::Tcp,
                "smb" => TransportKind::Smb,
                _ => TransportKind::Compression,
            };
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
                        <option value="tcp" selected={c.settings.transport == TransportKind::Tcp}>{"TCP/IP"}</option>
                        <option value="compression" selected={c.settings.transport == TransportKind::Compression}>{lang.pick("Compression", "Komprimierung")}</option>
                        <option value="smb" selected={c.settings.transport == TransportKind::Smb}>{"SMB"}</option>
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

#[derive(Properties, PartialEq)]
struct HostBoxProps {
    index: usize,
    name: String,
    memory_gib: f64,
    /// The memory of the VMs on it now, MiB.
    used: f64,
    /// The VMs on it now, and whether each is being migrated away.
    vms: Vec<String>,
    moving: Vec<bool>,
    x: f64,
    y: f64,
    lay: Layout,
    selected: bool,
    select: UseStateSetter<usize>,
    lang: Lang,
}

/// A host in the topology drawing with its VMs: drawn again only when they change (a VM
/// arrives, leaves or starts moving), not every frame.
#[function_component(HostBox)]
fn host_box(p: &HostBoxProps) -> Html {
    let (lay, lang, x, y) = (p.lay, p.lang, p.x, p.y);
    let (bw, bh) = (lay.bw, lay.bh);
    let onclick = {
        let (select, i) = (p.select.clone(), p.index);
        Callback::from(move |_: MouseEvent| select.set(i))
    };
    let per_row = lay.chips_per_row;
    let chips = p.vms.iter().zip(&p.moving).take(lay.max_chips).enumerate().map(|(j, (v, moving))| {
        let (cx, cy) = (
            x + 8.0 + (j % per_row) as f64 * lay.chip_pitch,
            y + lay.chip_y + (j / per_row) as f64 * lay.chip_dy,
        );
        let class = if *moving { "chip moving" } else { "chip" };
        html! {
            <g class={class}>
                <rect x={format!("{cx}")} y={format!("{cy}")} width={format!("{}", lay.chip_w)} height={format!("{}", lay.chip_h)} rx="3" />
                <text x={format!("{}", cx + lay.text_dx)} y={format!("{}", cy + lay.text_dy)}>{v.chars().take(8).collect::<String>()}</text>
            </g>
        }
    });
    let (used, gib) = (
        (p.used / 1024.0).round(),
        localize(&p.memory_gib.to_string(), lang),
    );
    let more = p.vms.len().saturating_sub(lay.max_chips);
    html! {
        <g class={classes!("chost", p.selected.then_some("selected"))} {onclick} data-testid={format!("chost-{}", p.name)}>
            <rect x={format!("{x}")} y={format!("{y}")} width={format!("{bw}")} height={format!("{bh}")} rx="8" />
            <text x={format!("{}", x + 8.0)} y={format!("{}", y + lay.name_y)} class="host-name">{p.name.clone()}</text>
            <text x={format!("{}", x + 8.0)} y={format!("{}", y + lay.used_y)} class="small">{lang.pick(
                format!("{used} of {gib} GiB used"),
                format!("{used} von {gib} GiB belegt"))}</text>
            { for chips }
            if more > 0 { <text x={format!("{}", x + 8.0)} y={format!("{}", y + bh - 8.0)} class="small">{lang.pick(format!("+{more} more"), format!("+{more} weitere"))}</text> }
        </g>
    }
}

#[function_component(ClusterView)]
pub fn cluster_view(p: &ClusterProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let selected_host = use_state(|| 0usize);
    let topology_ref = use_node_ref();
    let topology_env = use_view_env(topology_ref.clone());
    let narrow = topology_env.width > 0.0 && topology_env.width < NARROW_PX;
    let c = &*p.cluster;
    let host_ix = (*selected_host).min(c.hosts.len().saturating_sub(1));

    // The editing panels, which render again only when what they show changes.
    let edit_props = EditProps {
        cluster: p.cluster.clone(),
        host_ix,
        select_host: selected_host.setter(),
        dispatch: p.dispatch.clone(),
        lang,
    };
    let trace = &p.trace;
    // Per trace: where the VMs move, and the memory maps of the migrations (the small
    // multiples below).
    let per_trace = use_memo(ByPtr(p.trace.clone()), |ByPtr(t)| {
        let maps = (0..t.migrations.len())
            .map(|i| t.migration_trace(i).map(Rc::new))
            .collect::<Vec<_>>();
        (moves_of(t), maps)
    });
    let (moves, traces) = &*per_trace;
    let now = hosts_at(trace, moves, p.t);
    let lay = Layout::new(c.hosts.len(), narrow);
    let (cols, bw, bh, gap) = (lay.cols, lay.bw, lay.bh, lay.gap);
    let pos = |i: usize| {
        let (col, row) = (i % cols, i / cols);
        (
            lay.margin + col as f64 * (bw + gap),
            lay.top + row as f64 * (bh + gap + 90.0),
        )
    };
    let rows = c.hosts.len().div_ceil(cols);
    let view_w = lay.margin * 2.0 + cols as f64 * bw + (cols as f64 - 1.0) * gap;
    let view_h = lay.top + 20.0 + rows as f64 * bh + (rows as f64 - 1.0) * (gap + 90.0);
    let peak = trace
        .migrations
        .iter()
        .flat_map(|m| m.segments.iter().map(|s| s.wire_rate))
        .fold(1.0, f64::max);
    let flows = trace.migrations.iter().enumerate().filter_map(|(k, m)| {
        let rate = rate_at(m, p.t);
        if rate <= 0.0 {
            return None;
        }
        let a = c.hosts.iter().position(|h| h.name == m.from)?;
        let b = c.hosts.iter().position(|h| h.name == m.to)?;
        let ((ax, ay), (bx, by)) = (pos(a), pos(b));
        let width = 2.0 + 12.0 * rate / peak;
        let d = if a / cols == b / cols {
            // Within a row: an arc from the top edge of one host to the other's, bowed upwards
            // so it never runs across the hosts in between; one arc per migration, offset by
            // its index.
            let (x1, y1, x2, y2) = (ax + bw / 2.0, ay + 8.0, bx + bw / 2.0, by + 8.0);
            let lift = 30.0 + 0.25 * (x2 - x1).abs() + 6.0 * (k % 4) as f64;
            format!(
                "M {x1:.0} {y1:.0} Q {:.0} {:.0} {x2:.0} {y2:.0}",
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 - lift
            )
        } else {
            // Between rows: from the bottom edge of the upper host to the top edge of the
            // lower one, through the gap between the rows, bowed sideways by its index.
            let ((ux, uy), (lx, ly)) = if ay < by {
                ((ax, ay), (bx, by))
            } else {
                ((bx, by), (ax, ay))
            };
            let (x1, y1, x2, y2) = (ux + bw / 2.0, uy + bh - 8.0, lx + bw / 2.0, ly + 8.0);
            let bow = 16.0 * (k % 4) as f64 - 24.0;
            format!(
                "M {x1:.0} {y1:.0} Q {:.0} {:.0} {x2:.0} {y2:.0}",
                (x1 + x2) / 2.0 + bow,
                (y1 + y2) / 2.0
            )
        };
        Some(html! {
            <path class={format!("flow mig-{}", k % MIG_COLOURS)} d={d} fill="none"
                stroke-width={format!("{width:.1}")}>
                <title>{format!("{} → {}: {}/s", m.vm, m.to, f.bytes(rate))}</title>
            </path>
        })
    });
    // Where the run has each VM of the scenario now. VM names are unique in the run's
    // scenario, and it is the scenario shown unless that one cannot be simulated: then the
    // VMs are looked up by name.
    let placed: Vec<Option<&str>> = c
        .vms
        .iter()
        .enumerate()
        .map(|(k, v)| host_of(&now, k, &v.name))
        .collect();
    // The migrations under way now, as (from host, VM): a few, found once per frame.
    let under_way: Vec<(&str, &str)> = trace
        .migrations
        .iter()
        .filter(|m| stage_at(m, p.t).is_some_and(|s| s.0 != Stage::Queued))
        .map(|m| (m.from.as_str(), m.vm.as_str()))
        .collect();
    let host_boxes = c.hosts.iter().enumerate().map(|(i, h)| {
        let (x, y) = pos(i);
        let vms: Vec<String> = now
            .iter()
            .filter(|(_, host)| *host == h.name)
            .map(|(v, _)| v.to_string())
            .collect();
        let moving: Vec<bool> = vms
            .iter()
            .map(|v| under_way.contains(&(h.name.as_str(), v.as_str())))
            .collect();
        let used = c
            .vms
            .iter()
            .zip(&placed)
            .filter(|(_, host)| **host == Some(h.name.as_str()))
            .map(|(v, _)| v.memory_mib)
            .sum::<f64>()
            + 0.0;
        html! {
            <HostBox index={i} name={h.name.clone()} memory_gib={h.memory_gib} {used} {vms} {moving}
                {x} {y} {lay} selected={i == host_ix} select={selected_host.setter()} {lang} />
        }
    });

    let ok: Vec<&MigrationRecord> = trace
        .migrations
        .iter()
        .filter(|m| m.refused.is_none())
        .collect();
    let refused = trace.migrations.iter().filter_map(|m| {
        m.refused
            .as_ref()
            .map(|why| html! { <li>{format!("{} ({} → {}): {}", m.vm, m.from, m.to, why.text(lang))}</li> })
    });
    // Memory maps of the migrations under way (small multiples).
    let minis = trace
        .migrations
        .iter()
        .enumerate()
        .filter(|(_, m)| stage_at(m, p.t).is_some_and(|s| !matches!(s.0, Stage::Queued | Stage::Cleanup)))
        .filter_map(|(i, m)| traces.get(i).cloned().flatten().map(|tr| (i, m, tr)))
        .take(8)
        .map(|(i, m, tr)| {
            html! {
                <figure class="mini">
                    <MemoryMap trace={tr} t={p.t} window={0.5} compact={AttrValue::from(format!("mini-{i}"))} {lang} />
                    <figcaption class={format!("mig-{}", i % MIG_COLOURS)}>{format!("{} → {}", m.vm, m.to)}</figcaption>
                </figure>
            }
        })
        .collect::<Html>();
    let state_names = labels(lang);
    let mini_legend = (0..COLOURS.len()).map(|i| {
        html! {
            <li><span class={format!("swatch block-{i}")}></span>{state_names[i]}</li>
        }
    });
    let active_now = ok
        .iter()
        .filter(|m| stage_at(m, p.t).is_some_and(|s| s.0 != Stage::Queued))
        .count();
    let queued_now = ok
        .iter()
        .filter(|m| stage_at(m, p.t).is_some_and(|s| s.0 == Stage::Queued))
        .count();
    let progress = ok.iter().filter_map(|m| {
        let (stage, pass) = stage_at(m, p.t)?;
        if stage == Stage::Queued {
            return None;
        }
        let (class, label) = stage_label(stage, pass, lang);
        let frac = ((p.t - m.start_s) / (m.end_s - m.start_s).max(1e-9)).clamp(0.0, 1.0);
        Some(html! {
            <li>
                <span class="vmname">{m.vm.clone()}</span>
                <span class="bar"><svg focusable="false" aria-hidden="true">
                    <rect class={classes!("fill", class)} width={format!("{:.1}%", frac * 100.0)} height="100%" />
                </svg></span>
                <span class="small">{format!("{label} · {}/s", f.bytes(rate_at(m, p.t)))}</span>
            </li>
        })
    });

    html! {
        <div class="cluster">
            if let Some(e) = &p.error {
                <div class="verdict bad" role="alert" data-testid="cluster-error">{lang.pick(format!("Cannot simulate this cluster — {e}. Showing the last valid run."),
                    format!("Dieser Cluster lässt sich nicht simulieren — {e}. Gezeigt wird der letzte gültige Lauf."))}</div>
            }
            <section class="panel">
                <HostBar ..edit_props.clone() />
                <svg class={classes!("topology", narrow.then_some("narrow"))} ref={topology_ref} viewBox={format!("0 0 {view_w} {view_h}")} role="img"
                    aria-label={topology_label(c.hosts.len(), active_now, queued_now, lang)}>
                    // Each list in its own group: yew matches a parent's unkeyed children
                    // from the end, so with the two lists side by side a flow starting or
                    // ending would hand every host box's elements to its neighbour (a frame
                    // of 3 ms of DOM writes instead of 0.1).
                    <g>{ for host_boxes }</g>
                    <g>{ for flows }</g>
                </svg>
                <MoveBar ..edit_props.clone() />
            </section>
            <div class="panels">
                <section class="panel">
                    <h2>{lang.pick("Networks and NICs", "Netzwerke und Netzwerkadapter")}</h2>
                    <NicPanel ..edit_props />
                </section>
                <section class="panel">
                    <h2>{lang.pick("Totals", "Gesamtwerte")}</h2>
                    <dl class="numbers">
                        <div><dt>{lang.pick("All done after", "Alles erledigt nach")}</dt><dd data-testid="makespan">{f.duration(trace.makespan_s)}</dd></div>
                        <div><dt>{lang.pick("Worst blackout", "Längster Blackout")}</dt><dd data-testid="worst-blackout">{f.duration(trace.worst_blackout_s)}</dd></div>
                        <div><dt>{lang.pick("Migrations", "Migrationen")}</dt><dd data-testid="migration-count">{lang.pick(
                            format!("{} of {}", ok.len(), trace.migrations.len()),
                            format!("{} von {}", ok.len(), trace.migrations.len()))}</dd></div>
                        <div><dt>{lang.pick("Peak link use", "Höchste Verbindungsauslastung")}</dt><dd data-testid="peak-link">{format!("{} Gbit/s", f.num(trace.peak_link_gbps, 2))}</dd></div>
                    </dl>
                    <p class="small">{now_line(active_now, queued_now, &f.bytes(ok.iter().map(|m| m.wire_bytes).sum()), lang)}</p>
                    <ul class="progress" data-testid="running">{ for progress }</ul>
                    <ul class="refused" data-testid="refused">{ for refused }</ul>
                </section>
            </div>
            <section class="panel">
                <h2>{lang.pick("Memory of the VMs migrating now", "Arbeitsspeicher der VMs, die gerade migriert werden")}</h2>
                <div class="minis" data-testid="minis">{ minis }</div>
                <ul class="legend">{ for mini_legend }</ul>
            </section>
            <section class="panel">
                <h2>{lang.pick("Every migration over time", "Alle Migrationen im Zeitverlauf")}</h2>
                <Gantt trace={p.trace.clone()} t={p.t} {lang} />
            </section>
        </div>
    }
}

#[derive(Properties)]
pub struct GanttProps {
    pub trace: Rc<ClusterTrace>,
    pub t: f64,
    /// The language of the labels and numbers; English when not given.
    #[prop_or_default]
    pub lang: Lang,
}

impl PartialEq for GanttProps {
    /// The trace by identity, as in `ClusterProps`.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace) && self.t == other.t && self.lang == other.lang
    }
}

fn draw_gantt(
    canvas: HtmlCanvasElement,
    surface: &Surface,
    trace: &ClusterTrace,
    lang: Lang,
) -> Result<(), String> {
    let rows = charts::gantt_rows(trace).len();
    let (root, dpr, palette) = prepare(canvas, surface, |_| charts::gantt_height(rows))?;
    charts::draw_gantt(&root, trace, lang, &palette.colours(), dpr)
}

/// The Gantt chart's description for screen readers; it counts the migrations drawn (refused
/// ones have no row).
fn gantt_label(drawn: usize, over: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Gantt chart of {} over {over}: queued, setup, memory passes, blackout, handoff. The table below lists {}.",
            migrations(drawn, lang),
            if drawn == 1 { "it" } else { "them" }
        ),
        Lang::De => format!(
            "Gantt-Diagramm mit {} über einen Zeitraum von {over}: Warteschlange, Einrichtung, Speicherdurchläufe, Blackout, Übergabe. Die Tabelle darunter listet sie auf.",
            migrations(drawn, lang)
        ),
    }
}

#[derive(Properties)]
struct GanttTableProps {
    trace: Rc<ClusterTrace>,
    lang: Lang,
}

impl PartialEq for GanttTableProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace) && self.lang == other.lang
    }
}

/// The Gantt chart's figures as a table for screen readers: a row per migration, rendered
/// again only for another trace (not every frame, with the chart's time cursor).
#[function_component(GanttTable)]
fn gantt_table(p: &GanttTableProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let rows = charts::gantt_rows(&p.trace).into_iter().map(|m| {
        let blackout = m.stages.iter().find(|s| s.stage == Stage::Blackout);
        html! {
            <tr>
                <td>{m.vm.clone()}</td><td>{format!("{} → {}", m.from, m.to)}</td>
                <td>{f.duration(m.stages.first().map_or(0.0, |s| s.end_s - s.start_s))}</td>
                <td>{m.passes}</td>
                <td>{blackout.map_or("—".into(), |b| f.duration(b.start_s))}</td>
                <td>{f.duration(m.downtime_s)}</td>
                <td>{f.duration(m.end_s)}</td>
                <td>{f.bytes(m.wire_bytes)}</td>
            </tr>
        }
    });
    html! {
        <div class="sr-only"><table data-testid="gantt-table">
            <thead><tr>
                <th>{"VM"}</th>
                <th>{lang.pick("move", "Verschiebung")}</th>
                <th>{lang.pick("queued", "in der Warteschlange")}</th>
                <th>{lang.pick("passes", "Durchläufe")}</th>
                <th>{lang.pick("blackout at", "Blackout bei")}</th>
                <th>{lang.pick("downtime", "Ausfallzeit")}</th>
                <th>{lang.pick("done at", "fertig bei")}</th>
                <th>{lang.pick("sent", "gesendet")}</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table></div>
    }
}

#[function_component(Gantt)]
pub fn gantt(p: &GanttProps) -> Html {
    let lang = p.lang;
    let f = Fmt(lang);
    let (probe, on_select) = inspect::use_probe();
    let canvas_ref = use_drawn_canvas(
        "gantt",
        (ByPtr(p.trace.clone()), lang),
        |canvas, surface, (ByPtr(trace), lang)| draw_gantt(canvas, surface, trace, *lang),
    );
    let rows = charts::gantt_rows(&p.trace);
    let drawn = rows.len();
    let reading = probe.and_then(|i| Some(inspect::migration(rows.get(i)?, lang)));
    html! {
        <div class="gantt">
            <div class="chart-wrap plot-gantt">
                <canvas id="gantt" ref={canvas_ref} role="img"
                    aria-label={gantt_label(drawn, &f.duration(p.trace.makespan_s), lang)}>
                </canvas>
                { time_cursor(p.t, p.trace.makespan_s) }
                if drawn > 0 {
                    <Inspector class="gantt-hits" vertical=true slots={drawn} count={drawn} selected={probe} {on_select}
                        label={lang.pick("Inspect the migrations", "Migrationen ablesen")}
                        valuetext={reading.clone().unwrap_or_default()} />
                }
            </div>
            { inspect::readout("gantt-readout", reading, lang.pick(
                "Point at a row, or focus the chart and use the arrow keys, for that migration's figures.",
                "Zeigen Sie auf eine Zeile oder fokussieren Sie das Diagramm und nutzen Sie die Pfeiltasten, um die Werte dieser Migration zu sehen.")) }
            <ul class="legend">
                <li><span class="swatch ph-queued"></span>{lang.pick("queued", "in der Warteschlange")}</li>
                <li><span class="swatch ph-setup"></span>{lang.pick("setup", "Einrichtung")}</li>
                <li><span class="swatch ph-storage"></span>{lang.pick("disk copy (shared-nothing)", "Datenträgerkopie (Shared Nothing)")}</li>
                <li><span class="swatch ph-pass"></span>{lang.pick("memory passes", "Speicherdurchläufe")}</li>
                <li><span class="swatch ph-blackout"></span>{lang.pick("blackout and switchover", "Blackout und Umschaltung")}</li>
                <li><span class="swatch ph-cleanup"></span>{lang.pick("handoff: ARP, clean-up", "Übergabe: ARP, Bereinigung")}</li>
            </ul>
            <GanttTable trace={p.trace.clone()} {lang} />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn counts_read_as_sentences() {
        assert_eq!(
            topology_label(4, 1, 2, Lang::En),
            "4 hosts; 1 migration running and 2 queued at this moment."
        );
        assert_eq!(
            topology_label(2, 3, 0, Lang::En),
            "2 hosts; 3 migrations running and 0 queued at this moment."
        );
        assert_eq!(
            topology_label(4, 1, 1, Lang::De),
            "4 Hosts; im Moment läuft 1 Migration, 1 wartet in der Warteschlange."
        );
        assert_eq!(
            topology_label(4, 2, 3, Lang::De),
            "4 Hosts; im Moment laufen 2 Migrationen, 3 warten in der Warteschlange."
        );
        assert!(
            gantt_label(1, "12 s", Lang::En).starts_with("Gantt chart of 1 migration over 12 s:")
        );
        assert!(gantt_label(1, "12 s", Lang::En).ends_with("lists it."));
        assert!(
            gantt_label(4, "1,50 s", Lang::De).starts_with("Gantt-Diagramm mit 4 Migrationen über")
        );
        assert_eq!(
            now_line(1, 0, "8,50 GiB", Lang::De),
            "Jetzt: 1 läuft, 0 in der Warteschlange. Übertragene Daten: 8,50 GiB."
        );
    }

    #[wasm_bindgen_test]
    fn stages_keep_english_classes() {
        assert_eq!(
            stage_label(Stage::Precopy, 2, Lang::De),
            ("st-pass-2".to_string(), "Durchlauf 2".to_string())
        );
        assert_eq!(
            stage_label(Stage::Switchover, 0, Lang::En),
            ("st-switchover".to_string(), "switchover".to_string())
        );
        assert_eq!(nic_label((2, 2.5), Lang::De), "2 × 2,5 GbE");
        assert_eq!(nic_label((0, 0.0), Lang::De), "keine");
    }
}
