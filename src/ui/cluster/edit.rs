//! The cluster's toolbars: a preset, hosts and VMs added or removed, moves and drains.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::engine::cluster::{ClusterScenario, ClusterVm, Operation};
use crate::model::cluster::{can_add_host, can_remove_host, room_for_vm, ClusterEdit};
use crate::text::Lang;
use crate::ui::files::SaveDrawing;
use crate::ui::state::{preset, PRESETS};
use crate::ui::ByPtr;

/// What the cluster's editing panels show. None of it changes while the run plays, so they
/// render again only when the cluster, the selected host or the language changes, not every
/// frame as the run's views do.
#[derive(Properties, Clone, PartialEq)]
pub(super) struct EditProps {
    pub(super) cluster: ByPtr<ClusterScenario>,
    pub(super) host_ix: usize,
    pub(super) select_host: UseStateSetter<usize>,
    pub(super) on_edit: Callback<ClusterEdit>,
    pub(super) on_cluster: Callback<ClusterScenario>,
    pub(super) lang: Lang,
}

/// An edit of the cluster.
pub(super) type Change = Box<dyn Fn(&mut ClusterScenario)>;

/// Makes a change to the cluster: applied to a copy, which becomes the cluster shown.
pub(super) fn editor(p: &EditProps) -> impl Fn(Change) + Clone + 'static {
    let cluster = p.cluster.clone();
    let d = p.on_cluster.clone();
    move |f: Change| {
        let mut next = (*cluster).clone();
        f(&mut next);
        d.emit(next);
    }
}

/// A button that makes the model's cluster edit `e`.
fn intent(p: &EditProps, e: ClusterEdit) -> Callback<MouseEvent> {
    p.on_edit.reform(move |_: MouseEvent| e.clone())
}

/// The cluster's toolbar above the topology: a preset, the selected host, hosts and VMs added
/// or removed, the drain.
#[function_component(HostBar)]
pub(super) fn host_bar(p: &EditProps) -> Html {
    let lang = p.lang;
    let c = &*p.cluster;
    let host_ix = p.host_ix;

    let on_preset = {
        let d = p.on_cluster.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = sel.value().parse::<usize>() {
                d.emit(preset(i));
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
pub(super) fn move_bar(p: &EditProps) -> Html {
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
