//! The app model, natively: the reducer, the edits' rules, the cluster edits and the studies.
//! Each rule the page, the command line and the JS API share is checked here once.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use migration_lab::engine::cluster::Operation;
use migration_lab::engine::{Scenario, StopPolicy, TransportKind, Vm};
use migration_lab::model::cluster::{
    can_remove_host, free_mib, room_for_vm, ClusterEdit, NEW_VM_MIB,
};
use migration_lab::model::state::preset;
use migration_lab::model::study::{quantile, seeded, sweep_value, Spread};
use migration_lab::model::{
    pick_hypervisor, set_memory, set_share, sweep_values, Action, AppState, Edit, Hypervisor,
    Param, Part, Spacing,
};
use migration_lab::text::Lang;

fn shares(s: &Scenario) -> (f64, f64) {
    (
        s.vm.working_set_mib / s.vm.memory_mib,
        s.vm.untouched_mib / s.vm.memory_mib,
    )
}

#[test]
fn memory_keeps_its_parts_shares_exactly() {
    let mut s = Scenario::default();
    s.vm.memory_mib = 1000.0;
    s.vm.working_set_mib = 333.0;
    s.vm.untouched_mib = 100.0;
    let before = shares(&s);
    set_memory(&mut s, 1.0);
    // Not floored to whole MiB: a third of 1 MiB stays a third.
    assert_eq!(s.vm.memory_mib, 1.0);
    assert!((shares(&s).0 - before.0).abs() < 1e-12);
    assert!((shares(&s).1 - before.1).abs() < 1e-12);
}

#[test]
fn memory_after_invalid_input_takes_the_default_shares() {
    let mut s = Scenario::default();
    s.vm.memory_mib = f64::NAN;
    set_memory(&mut s, 8192.0);
    let d = Vm::default();
    assert_eq!(s.vm.memory_mib, 8192.0);
    assert!((shares(&s).0 - d.working_set_mib / d.memory_mib).abs() < 1e-12);
    assert!((shares(&s).1 - d.untouched_mib / d.memory_mib).abs() < 1e-12);
}

#[test]
fn a_sweep_over_memory_follows_the_same_rule_as_the_field() {
    // The page's sweep, the JS API's and the command line's all go through `Param::set`.
    let s = Scenario::default();
    let mut by_field = s.clone();
    set_memory(&mut by_field, 16384.0);
    assert_eq!(Param::MemoryMib.with(&s, 16384.0), by_field);
    assert_ne!(by_field.vm.working_set_mib, s.vm.working_set_mib);
}

#[test]
fn a_part_grown_takes_room_from_the_other() {
    let mut s = Scenario::default();
    s.vm.memory_mib = 1000.0;
    s.vm.working_set_mib = 200.0;
    s.vm.untouched_mib = 700.0;
    set_share(&mut s, Part::WorkingSet, 50.0);
    assert_eq!((s.vm.working_set_mib, s.vm.untouched_mib), (500.0, 500.0));
    set_share(&mut s, Part::Untouched, 90.0);
    assert_eq!((s.vm.working_set_mib, s.vm.untouched_mib), (100.0, 900.0));
    // A share over 100 % is left for validation to explain; the other part is not wiped.
    set_share(&mut s, Part::WorkingSet, 150.0);
    assert_eq!((s.vm.working_set_mib, s.vm.untouched_mib), (1500.0, 900.0));
}

#[test]
fn choosing_a_hypervisor_brings_its_overheads_and_transport() {
    let mut s = Scenario::default();
    s.vm.memory_mib = 2048.0;
    s.vm.working_set_mib = 512.0;
    pick_hypervisor(&mut s, Hypervisor::Qemu);
    let q = Scenario::qemu_defaults();
    assert_eq!(s.policy, q.policy);
    assert_eq!(s.overheads, q.overheads);
    assert_eq!(s.transport.kind, q.transport.kind);
    assert_eq!(s.vm.memory_mib, 2048.0, "the VM stays");
    // Back to Hyper-V: its compression comes back.
    pick_hypervisor(&mut s, Hypervisor::Hyperv);
    assert_eq!(s.transport.kind, TransportKind::Compression);
    assert_eq!(s.overheads, Scenario::default().overheads);
}

#[test]
fn choosing_the_hypervisor_already_chosen_keeps_its_tuning() {
    let mut s = Scenario::qemu_defaults();
    Param::DowntimeLimitMs.set(&mut s, 50.0);
    pick_hypervisor(&mut s, Hypervisor::Qemu);
    assert_eq!(Param::DowntimeLimitMs.get(&s), Some(50.0));
}

#[test]
fn a_link_that_names_the_policy_restores_only_the_fields_it_names() {
    // Not a choice: a file or a link restores a scenario as it was, so a QEMU policy with
    // Hyper-V's overheads round-trips through `policy.kind`.
    let mut s = Scenario::default();
    s.set_field("policy.kind", "qemu").unwrap();
    assert_eq!(Hypervisor::of(&s), Hypervisor::Qemu);
    assert_eq!(s.overheads, Scenario::default().overheads);
    assert_eq!(s.transport.kind, TransportKind::Compression);
}

#[test]
fn parameters_round_trip_by_name_and_value() {
    for p in Param::ALL {
        assert_eq!(Param::from_name(p.name()), Some(p));
    }
    let s = Scenario::qemu_defaults();
    assert_eq!(
        Param::Buffers.get(&Param::Buffers.with(&s, 4096.4)),
        Some(4096.0)
    );
    assert_eq!(
        Param::LinkGbps.get(&Param::LinkGbps.with(&s, 25.0)),
        Some(25.0)
    );
    // QEMU has no pass limit: setting one changes nothing and says why.
    assert_eq!(Param::MaxPasses.with(&s, 3.0), s);
    assert!(Param::MaxPasses.unavailable(&s).is_some());
    assert!(Param::DowntimeLimitMs
        .unavailable(&Scenario::default())
        .is_some());
    assert!(matches!(
        Param::MaxPasses.with(&Scenario::default(), 7.6).policy,
        StopPolicy::HyperV { max_passes: 8, .. }
    ));
}

#[test]
fn sweeps_space_wide_ranges_on_a_log_scale_and_keep_their_ends_exact() {
    let v = sweep_values(1.0, 100.0, 3, Spacing::Auto);
    assert_eq!(v[0], 1.0);
    assert!((v[1] - 10.0).abs() < 1e-9, "{v:?}");
    assert_eq!(v[2], 100.0);
    // Narrow, or through zero: linear.
    assert_eq!(
        sweep_values(2.0, 10.0, 3, Spacing::Auto),
        vec![2.0, 6.0, 10.0]
    );
    assert_eq!(
        sweep_values(0.0, 1000.0, 3, Spacing::Auto),
        vec![0.0, 500.0, 1000.0]
    );
    // Downwards as upwards.
    assert!((sweep_values(100.0, 1.0, 3, Spacing::Auto)[1] - 10.0).abs() < 1e-9);
    // Forced either way.
    assert_eq!(
        sweep_values(1.0, 100.0, 3, Spacing::Linear),
        vec![1.0, 50.5, 100.0]
    );
    assert!((sweep_values(2.0, 8.0, 3, Spacing::Log)[1] - 4.0).abs() < 1e-12);
    assert!(!Spacing::Log.is_log(0.0, 8.0));
    // Huge finite ends do not overflow.
    assert!(sweep_value(-f64::MAX, f64::MAX, 1, 3, Spacing::Auto).is_finite());
    assert_eq!(sweep_values(5.0, 9.0, 1, Spacing::Auto), vec![5.0]);
}

#[test]
fn a_spread_counts_the_unfinished_and_takes_the_median_between_ranks() {
    let s = Spread::of(&[Some(4.0), None, Some(1.0), Some(3.0), Some(2.0)]);
    assert_eq!((s.runs, s.unfinished), (5, 1));
    assert_eq!((s.lo, s.hi), (1.0, 4.0));
    // An even count: halfway between the middle two, not the upper one.
    assert_eq!(s.median, 2.5);
    assert!((s.p90 - 3.7).abs() < 1e-12);
    assert!(!s.consistent());
    assert!(Spread::of(&[Some(2.0), Some(2.0)]).consistent());
    assert!(quantile(Vec::new(), 0.5).is_nan());
}

#[test]
fn a_spreads_runs_differ_only_in_their_seed() {
    let s = Scenario::default();
    let r = seeded(&s, 3);
    assert_eq!(r.seed, s.seed + 3);
    assert_eq!(Scenario { seed: s.seed, ..r }, s);
}

#[test]
fn removing_a_host_takes_its_vms_and_the_operations_that_name_them() {
    let mut c = preset(1);
    assert!(c.hosts.len() > 2, "the preset has hosts to spare");
    let host = c.hosts[0].name.clone();
    let other = c.hosts[1].name.clone();
    let gone: Vec<String> = c
        .vms
        .iter()
        .filter(|v| v.host == host)
        .map(|v| v.name.clone())
        .collect();
    let kept = c.vms.iter().find(|v| v.host != host).unwrap().name.clone();
    assert!(!gone.is_empty());
    c.operations = vec![
        Operation::Move {
            vm: gone[0].clone(),
            to: other.clone(),
        },
        Operation::Move {
            vm: kept.clone(),
            to: host.clone(),
        },
        Operation::Drain { host: host.clone() },
        Operation::Drain {
            host: other.clone(),
        },
    ];
    ClusterEdit::RemoveHost(host.clone()).apply(&mut c);
    assert!(c.hosts.iter().all(|h| h.name != host));
    assert!(c.vms.iter().all(|v| v.host != host));
    assert_eq!(c.operations, vec![Operation::Drain { host: other }]);
}

#[test]
fn draining_a_host_twice_lists_the_drain_once() {
    let mut c = preset(0);
    c.operations.clear();
    let host = c.hosts[0].name.clone();
    ClusterEdit::Drain { host: host.clone() }.apply(&mut c);
    ClusterEdit::Drain { host: host.clone() }.apply(&mut c);
    assert_eq!(c.operations, vec![Operation::Drain { host }]);
}

#[test]
fn a_cluster_keeps_two_hosts() {
    let mut c = preset(0);
    while can_remove_host(&c) {
        let name = c.hosts.last().unwrap().name.clone();
        ClusterEdit::RemoveHost(name).apply(&mut c);
    }
    assert_eq!(c.hosts.len(), 2);
    let before = c.clone();
    ClusterEdit::RemoveHost(c.hosts[0].name.clone()).apply(&mut c);
    assert_eq!(c, before);
}

#[test]
fn a_vm_is_added_only_where_there_is_room() {
    let mut c = preset(0);
    let host = c.hosts[0].name.clone();
    let mut added = 0;
    while room_for_vm(&c, &host) {
        ClusterEdit::AddVm { host: host.clone() }.apply(&mut c);
        added += 1;
        assert!(added < 10_000);
    }
    let free = free_mib(&c, &host).unwrap();
    assert!((0.0..NEW_VM_MIB).contains(&free), "{free} MiB left");
    assert!(added > 0, "the preset's first host had room");
    let before = c.vms.len();
    ClusterEdit::AddVm { host: host.clone() }.apply(&mut c);
    assert_eq!(c.vms.len(), before, "a full host takes no VM");
    // Names stay unique.
    let mut names: Vec<&str> = c.vms.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), c.vms.len());
}

#[test]
fn a_new_host_copies_the_last_under_a_free_name() {
    let mut c = preset(0);
    let n = c.hosts.len();
    ClusterEdit::AddHost.apply(&mut c);
    assert_eq!(c.hosts.len(), n + 1);
    let new = &c.hosts[n];
    assert!(c.hosts[..n].iter().all(|h| h.name != new.name));
    assert_eq!(new.memory_gib, c.hosts[n - 1].memory_gib);
}

fn state() -> Rc<AppState> {
    Rc::new(AppState::new(Scenario::default(), false))
}

#[test]
fn an_edit_re_simulates_the_scenario() {
    let s = state();
    let next = s.clone().apply(Action::Edit(Edit::Memory(2048.0)));
    assert_eq!(next.scenario.vm.memory_mib, 2048.0);
    assert!(next.error.is_none());
    assert_ne!(next.trace.total_time_s, s.trace.total_time_s);
    assert_eq!(
        next.clock.duration,
        next.trace.duration_s(),
        "the clock spans the new run"
    );
}

#[test]
fn an_invalid_edit_keeps_the_last_run_and_says_why() {
    let s = state();
    let next = s
        .clone()
        .apply(Action::Edit(Edit::Param(Param::LinkGbps, -1.0)));
    assert_eq!(
        next.scenario.network.link_gbps, -1.0,
        "what the reader typed stays"
    );
    assert!(next
        .error
        .as_ref()
        .is_some_and(|e| e.to_string().contains("link")));
    assert_eq!(next.trace, s.trace);
}

#[test]
fn a_cluster_edit_re_runs_the_cluster() {
    let s = state();
    let host = s.cluster.hosts[0].name.clone();
    let next = s
        .clone()
        .apply(Action::EditCluster(ClusterEdit::Drain { host }));
    assert_eq!(
        next.cluster.operations.len(),
        s.cluster.operations.len() + 1
    );
    assert!(next.cluster_error.is_none());
    assert_ne!(next.cluster_trace, s.cluster_trace);
}

#[test]
fn the_clock_moves_only_while_playing() {
    let s = state();
    assert!(!s.clock.playing);
    let paused = s.clone().apply(Action::Tick(0.5));
    assert_eq!(paused.clock.t, 0.0);
    let playing = s.apply(Action::Play).apply(Action::Tick(0.5));
    assert!(playing.clock.t > 0.0);
}

#[test]
fn a_field_refuses_what_a_reader_cannot_mean_and_says_why_in_its_unit() {
    use migration_lab::model::bounds::{check, field_bounds, to_count};
    assert_eq!(check("memory", 8.0, Lang::En), Ok(8.0));
    assert_eq!(
        check("memory", 0.001, Lang::En),
        Err("Memory must be at least 0.0625 GiB".to_string())
    );
    assert_eq!(
        check("nics", 2.5, Lang::De),
        Err("Netzwerkadapter je Host muss eine ganze Zahl sein".to_string())
    );
    assert_eq!(
        check("link", 900.0, Lang::En),
        Err("Link speed must be at most 800 Gbit/s".to_string())
    );
    assert!(check("seed", f64::NAN, Lang::En).is_err());
    // A field without bounds takes anything; the engine's validation explains the rest.
    assert_eq!(check("no-such-field", -1.0, Lang::En), Ok(-1.0));
    // The link's and the seed's limits are the engine's and the sweep's.
    assert_eq!(
        field_bounds("link").unwrap().max,
        migration_lab::engine::scenario::MAX_LINK_GBPS
    );
    assert_eq!(
        field_bounds("seed").unwrap().max,
        migration_lab::model::edits::MAX_SEED
    );
    use migration_lab::engine::scenario::{MAX_MULTIFD_CHANNELS, MAX_POLICY_PASSES, MAX_RTT_MS};
    assert_eq!(field_bounds("rtt").unwrap().max, MAX_RTT_MS);
    assert_eq!(
        field_bounds("policy-param-passes").unwrap().max,
        f64::from(MAX_POLICY_PASSES)
    );
    assert_eq!(
        field_bounds("multifd-channels").unwrap().max,
        f64::from(MAX_MULTIFD_CHANNELS)
    );
    assert_eq!(
        (to_count(2.6), to_count(-3.0), to_count(f64::NAN)),
        (3, 0, 0)
    );
}

#[test]
fn the_lab_host_is_a_choice_that_goes_back_to_the_data_centre() {
    use migration_lab::model::edits::{on_lab_host, set_lab_host};
    let mut s = Scenario::qemu_defaults();
    assert!(!on_lab_host(&s));
    set_lab_host(&mut s, true);
    assert!(on_lab_host(&s));
    set_lab_host(&mut s, false);
    assert!(!on_lab_host(&s));
}

#[test]
fn every_chart_colour_comes_from_the_stylesheet() {
    use migration_lab::charts::Colours;
    use migration_lab::palette;
    use std::cell::RefCell;
    let asked = RefCell::new(Vec::new());
    let _ = Colours::from_properties(|name| {
        asked.borrow_mut().push(name.to_string());
        None
    });
    let asked = asked.into_inner();
    assert!(asked.len() >= 18, "{asked:?}");
    for name in &asked {
        assert!(
            palette::light(name).is_some(),
            "www/style.css's :root sets no {name}"
        );
    }
    // The light colours are the stylesheet's, not a copy.
    let ink = palette::light("--ink").unwrap();
    assert_eq!(
        Colours::light().ink,
        plotters::style::RGBColor(ink.0, ink.1, ink.2)
    );
    assert_eq!(
        palette::light_hex("--map-dirty").as_deref(),
        Some("#e8710a")
    );
}

#[test]
fn names_are_one_table_for_files_links_the_page_and_the_command_line() {
    use clap::ValueEnum;
    use migration_lab::chapters::Control;
    use migration_lab::engine::{MultifdCompression, Pattern};
    // The command line's derived names are the model's.
    for h in Hypervisor::ALL {
        assert_eq!(h.to_possible_value().unwrap().get_name(), h.name());
        assert_eq!(Hypervisor::from_name(h.name()), Some(h));
    }
    for p in Param::ALL {
        assert_eq!(p.to_possible_value().unwrap().get_name(), p.name());
    }
    // The engine's enums round-trip through their names, which are serde's.
    for name in Pattern::NAMES {
        let p = Pattern::from_name(name).unwrap();
        assert_eq!(p.name(), *name);
        assert_eq!(serde_json::to_value(p).unwrap(), *name);
    }
    for name in MultifdCompression::NAMES.iter().chain(TransportKind::NAMES) {
        let known = MultifdCompression::from_name(name)
            .map(|c| c.name())
            .or_else(|| TransportKind::from_name(name).map(|t| t.name()));
        assert_eq!(known, Some(*name));
    }
    // What a chapter may sweep is a parameter the model knows.
    for name in migration_lab::chapters::SWEEP_PARAMS {
        assert!(
            migration_lab::model::study::sweep_param(name).is_some(),
            "{name}"
        );
    }
    assert!(migration_lab::model::study::sweep_param("seed").is_none());
    // Controls by id, both ways.
    for c in Control::ALL {
        assert_eq!(Control::from_id(c.id()), Some(c));
    }
    assert_eq!(Control::from_id("no-such-control"), None);
}

#[test]
fn each_lever_sets_its_one_setting() {
    use migration_lab::engine::scenario::MAX_DESCRIPTORS;
    use migration_lab::model::Lever;
    let base = Scenario::default();
    let with = |l: Lever| {
        let mut s = base.clone();
        Edit::Lever(l).apply(&mut s);
        s
    };
    let rdma = with(Lever::Rdma(true));
    assert!(rdma.network.rdma);
    // RDMA never changes the performance option, nor the option RDMA.
    assert_eq!(rdma.transport.kind, base.transport.kind);
    let smb = with(Lever::Option(TransportKind::Smb));
    assert_eq!(smb.transport.kind, TransportKind::Smb);
    assert_eq!(smb.network.rdma, base.network.rdma);
    assert_eq!(
        with(Lever::MaxBuffers(true)).network.buffers,
        Some(MAX_DESCRIPTORS)
    );
    assert_eq!(with(Lever::MaxBuffers(false)).network.buffers, None);
    let dedicated = with(Lever::Dedicated(!base.network.dedicated));
    assert_ne!(dedicated.network.dedicated, base.network.dedicated);
    assert_eq!(
        Scenario {
            network: base.network.clone(),
            ..dedicated
        },
        base
    );
}

mod which_lever {
    use migration_lab::engine::{Scenario, TransportKind};
    use migration_lab::model::levers::{
        lever_run, lever_sets, rank, recommend, speed_rows, study_points, study_run, LeverRun,
        LeverSet, Limit, LINK_SPEEDS,
    };

    mod cluster {
        use super::*;
        use migration_lab::engine::cluster::{ClusterLimit, Operation};
        use migration_lab::model::levers::{
            cluster_lever_run, cluster_lever_sets, ClusterLeverRun,
        };
        use migration_lab::model::state::preset;

        /// The admin's two nodes on 10 GbE, NODE1 drained, the cluster's 25 % SMB limit on.
        fn admins() -> migration_lab::engine::cluster::ClusterScenario {
            let mut c = preset(0);
            c.operations = vec![Operation::Drain {
                host: "NODE1".into(),
            }];
            c
        }

        #[test]
        fn each_combination_is_set_on_the_migration_network_and_read_back() {
            let c = admins();
            for set in cluster_lever_sets() {
                let applied = set.apply_cluster(&c);
                assert_eq!(LeverSet::of_cluster(&applied), set);
                // The management network is not the migration network: it keeps its NICs.
                for (h, before) in applied.hosts.iter().zip(&c.hosts) {
                    let mgmt = |h: &migration_lab::engine::cluster::Host| {
                        h.nics.iter().find(|n| n.network == "Management").cloned()
                    };
                    assert_eq!(mgmt(h), mgmt(before));
                }
            }
        }

        #[test]
        fn the_admins_drain_rdma_buys_nothing_under_the_smb_limit() {
            let c = admins();
            let mut runs: Vec<ClusterLeverRun> = cluster_lever_sets()
                .into_iter()
                .filter_map(|set| cluster_lever_run(&c, set))
                .collect();
            assert_eq!(runs.len(), 24);
            rank(&mut runs);
            let smb = |rdma| {
                runs.iter()
                    .find(|r| {
                        r.set.option == TransportKind::Smb
                            && r.set.rdma == rdma
                            && r.set.dedicated
                            && !r.set.max_buffers
                    })
                    .unwrap()
            };
            assert_eq!(smb(true).held.unwrap().0, ClusterLimit::SmbLimit);
            assert!(
                (smb(true).makespan_s - smb(false).makespan_s).abs() < 0.02 * smb(false).makespan_s,
                "{} vs {}",
                smb(true).makespan_s,
                smb(false).makespan_s
            );
            let cpu = |r: &ClusterLeverRun| r.host_cpu_core_s.iter().map(|(_, c)| c).sum::<f64>();
            assert!(
                cpu(smb(true)) < cpu(smb(false)) / 5.0,
                "RDMA spares the CPU"
            );
            let pick = recommend(&runs, LeverSet::of_cluster(&c)).unwrap();
            assert!(!pick.set.rdma, "{:?}", pick.set);
            assert!(runs
                .windows(2)
                .all(|w| !w[1].completed || w[0].makespan_s <= w[1].makespan_s));
        }
    }

    fn chapter_scenario() -> Scenario {
        use migration_lab::chapters::{chapter_index, chapters};
        let i = chapter_index("which-lever").expect("the chapter");
        assert_eq!(
            chapters()[i - 1].id,
            "smb-rdma",
            "it follows the chapter on SMB and RDMA"
        );
        chapters()[i].scenario().unwrap()
    }

    #[test]
    fn the_chapters_admin_learns_rdma_buys_no_time_under_the_smb_limit_but_saves_cpu() {
        let s = chapter_scenario();
        let runs = ranked(&s);
        let smb = |rdma| {
            *runs
                .iter()
                .find(|r| {
                    r.set.option == TransportKind::Smb
                        && r.set.rdma == rdma
                        && !r.set.dedicated
                        && !r.set.max_buffers
                })
                .unwrap()
        };
        assert_eq!(smb(true).limit, Limit::Cap);
        assert_eq!(smb(true).total_s, smb(false).total_s);
        assert!(smb(true).cpu_source_core_s < smb(false).cpu_source_core_s / 10.0);
        let pick = recommend(&runs, LeverSet::of(&s)).unwrap();
        assert_eq!(pick.set.option, TransportKind::Compression);
        assert!(!pick.set.rdma, "no RDMA NICs to buy");
    }

    #[test]
    fn the_link_speed_table_changes_only_the_link() {
        let s = chapter_scenario();
        let points = study_points(&s);
        let per = lever_sets(&s).len();
        assert_eq!(points.len(), per * (1 + LINK_SPEEDS.len()));
        let runs: Vec<Option<LeverRun>> = points.iter().map(|p| study_run(&s, *p)).collect();
        let rows = speed_rows(&runs, per, LeverSet::of(&s));
        assert_eq!(
            rows.iter().map(|r| r.gbps).collect::<Vec<_>>(),
            LINK_SPEEDS.to_vec()
        );
        for row in &rows {
            let mut at = s.clone();
            at.network.link_gbps = row.gbps;
            let now = lever_run(&at, LeverSet::of(&s)).unwrap();
            assert_eq!(row.now, Some(now), "{} GbE", row.gbps);
            let pick = row.pick.unwrap();
            assert!(pick.total_s <= now.total_s, "{} GbE", row.gbps);
        }
        // The reader's group is the study at the reader's own speed.
        assert_eq!(runs[0], lever_run(&s, points[0].1));
        // A slower link never makes the recommendation faster.
        for w in rows.windows(2) {
            assert!(w[0].pick.unwrap().total_s >= w[1].pick.unwrap().total_s);
        }
    }

    fn ranked(s: &Scenario) -> Vec<LeverRun> {
        let mut runs: Vec<LeverRun> = lever_sets(s)
            .into_iter()
            .filter_map(|l| lever_run(s, l))
            .collect();
        rank(&mut runs);
        runs
    }

    #[test]
    fn every_combination_of_the_guides_levers_is_tried_once() {
        let hyperv = lever_sets(&Scenario::default());
        assert_eq!(hyperv.len(), 3 * 2 * 2 * 2);
        for (i, a) in hyperv.iter().enumerate() {
            assert!(!hyperv[i + 1..].contains(a), "{a:?} twice");
        }
        // QEMU has no performance option: its own transport stays.
        let qemu = lever_sets(&Scenario::qemu_defaults());
        assert_eq!(qemu.len(), 8);
        assert!(qemu.iter().all(|l| l.option == TransportKind::Tcp));
        // A combination changes only its levers.
        let s = Scenario::default();
        let set = LeverSet {
            option: TransportKind::Smb,
            rdma: true,
            dedicated: true,
            max_buffers: true,
        };
        let applied = set.apply(&s);
        assert_eq!(LeverSet::of(&applied), set);
        assert_eq!(applied.vm, s.vm);
        assert_eq!(applied.policy, s.policy);
    }

    #[test]
    fn the_ranking_is_fastest_first_and_names_each_runs_limit() {
        let runs = ranked(&Scenario::default());
        for w in runs.windows(2) {
            assert!(
                !w[1].completed || (w[0].completed && w[0].total_s <= w[1].total_s),
                "{:?} before {:?}",
                w[0],
                w[1]
            );
        }
        // On 10 GbE with idle cores, compression is CPU-bound, SMB with RDMA is the link's.
        let find = |option, rdma, dedicated| {
            runs.iter()
                .find(|r| {
                    r.set.option == option && r.set.rdma == rdma && r.set.dedicated == dedicated
                })
                .unwrap()
        };
        assert_eq!(
            find(TransportKind::Compression, false, true).limit,
            Limit::Cpu
        );
        assert_eq!(find(TransportKind::Smb, true, true).limit, Limit::Link);
        // RDMA takes SMB's CPU away.
        assert!(
            find(TransportKind::Smb, true, true).cpu_source_core_s
                < find(TransportKind::Smb, false, true).cpu_source_core_s / 4.0
        );
    }

    #[test]
    fn under_the_smb_limit_rdma_changes_nothing_and_the_study_says_why() {
        // The admin's question: RDMA NICs or Compression? With SMB held to 100 MiB/s, RDMA buys
        // no time and the limit is the cap.
        let mut s = Scenario::default();
        s.network.smb_limit_mibps = Some(100.0);
        let runs = ranked(&s);
        let smb = |rdma| {
            runs.iter()
                .find(|r| {
                    r.set.option == TransportKind::Smb && r.set.rdma == rdma && r.set.dedicated
                })
                .unwrap()
        };
        assert_eq!(smb(true).limit, Limit::Cap);
        assert_eq!(smb(true).total_s, smb(false).total_s);
        let pick = recommend(&runs, LeverSet::of(&s)).unwrap();
        assert_ne!(pick.set.option, TransportKind::Smb);
        // Without the limit, SMB over RDMA is not held back by a cap.
        s.network.smb_limit_mibps = None;
        let free = ranked(&s);
        let rdma = free
            .iter()
            .find(|r| r.set.option == TransportKind::Smb && r.set.rdma && r.set.dedicated)
            .unwrap();
        assert_ne!(rdma.limit, Limit::Cap);
        assert!(rdma.total_s < smb(true).total_s / 2.0);
    }

    #[test]
    fn the_study_speaks_both_languages() {
        use migration_lab::model::levers::{describe_limit, describe_set, recommendation};
        use migration_lab::text::Lang;
        let mut s = Scenario::default();
        s.network.smb_limit_mibps = Some(100.0);
        let runs = ranked(&s);
        let now_set = LeverSet::of(&s);
        let now = runs.iter().find(|r| r.set == now_set);
        let pick = recommend(&runs, now_set).unwrap();
        let en = recommendation(pick, now, Lang::En);
        let de = recommendation(pick, now, Lang::De);
        if pick.set == now_set {
            assert!(
                en.starts_with("Keep") && de.starts_with("Behalten"),
                "{en} / {de}"
            );
        } else {
            assert!(
                en.starts_with("Use ") && de.starts_with("Verwenden Sie"),
                "{en} / {de}"
            );
            assert!(en.contains(" instead of "), "{en}");
        }
        let capped = runs
            .iter()
            .find(|r| r.set.option == TransportKind::Smb)
            .unwrap();
        assert!(describe_limit(capped, Lang::En).contains("bandwidth limit"));
        assert!(describe_limit(capped, Lang::De).contains("Bandbreitengrenze"));
        let all = LeverSet {
            option: TransportKind::Compression,
            rdma: true,
            dedicated: true,
            max_buffers: true,
        };
        assert_eq!(
            describe_set(all, Lang::De),
            "Komprimierung, RDMA-Adapter, dediziertes Netzwerk, größte Adapterpuffer"
        );
    }

    #[test]
    fn the_recommendation_changes_the_fewest_levers_among_the_nearly_fastest() {
        let s = Scenario::default();
        let runs = ranked(&s);
        let now = LeverSet::of(&s);
        let pick = recommend(&runs, now).unwrap();
        let best = runs[0].total_s;
        assert!(pick.completed && pick.total_s <= best * 1.05);
        // Nothing as fast changes fewer levers.
        for r in runs
            .iter()
            .filter(|r| r.completed && r.total_s <= best * 1.05)
        {
            assert!(
                r.set.changes_from(now) >= pick.set.changes_from(now),
                "{r:?}"
            );
        }
        assert!(recommend::<LeverRun>(&[], now).is_none());
    }
}

mod chapters {
    use super::*;
    use migration_lab::chapters::{chapter_index, chapters};
    use migration_lab::model::state::Theme;
    use migration_lab::permalink::{decode, encode};

    fn at(id: &str) -> Rc<AppState> {
        let i = chapter_index(id).expect("a chapter");
        state().apply(Action::Chapter(i))
    }

    #[test]
    fn next_carries_only_language_theme_and_speed() {
        let s = at("smb-rdma")
            .apply(Action::Edit(Edit::Memory(4096.0)))
            .apply(Action::SetLang(Lang::De))
            .apply(Action::SetTheme(Theme::Dark))
            .apply(Action::Speed(4.0))
            .apply(Action::EditCluster(ClusterEdit::Drain {
                host: state().cluster.hosts[0].name.clone(),
            }));
        let playground = chapter_index("playground").unwrap();
        let next = s.clone().apply(Action::Chapter(playground));
        assert_eq!(
            *next.scenario,
            Scenario::default(),
            "the playground starts from Hyper-V's defaults, as its text says"
        );
        assert_eq!(
            *next.cluster,
            preset(0),
            "the cluster starts from its preset"
        );
        assert_eq!(next.lang, Lang::De);
        assert_eq!(next.theme, Theme::Dark);
        assert_eq!(next.clock.speed, 4.0);
        assert_eq!(next.clock.t, 0.0);
    }

    #[test]
    fn at_the_default_speed_every_chapter_shows_pass_2_within_10_seconds() {
        use migration_lab::playback::FIRST_PASS_WALL_S;
        // Read in order, as a reader who never touches the speed.
        let mut s = state();
        for (i, c) in chapters().iter().enumerate() {
            s = s.apply(Action::Chapter(i));
            if s.mode != migration_lab::model::Mode::Single {
                continue;
            }
            if let Some(second) = s.trace.passes.get(1) {
                let wall = second.start_s / s.clock.speed;
                assert!(
                    wall <= FIRST_PASS_WALL_S,
                    "{}: pass 2 after {wall:.1} s at {}×",
                    c.id,
                    s.clock.speed
                );
            }
            // Nor so fast that the whole timeline flashes by.
            assert!(
                s.clock.duration / s.clock.speed >= 2.0,
                "{}: {} s at {}×",
                c.id,
                s.clock.duration,
                s.clock.speed
            );
        }
        // A speed the reader chose stays.
        let chosen = state().apply(Action::Speed(0.25)).apply(Action::Chapter(1));
        assert_eq!(chosen.clock.speed, 0.25);
    }

    #[test]
    fn the_timeline_spans_only_what_is_shown() {
        use migration_lab::permalink::decode;
        let open = |query: &str| {
            let d = decode(query);
            AppState::from_link(&d.link, d.notices, Lang::En, false)
        };
        let full = open("chapter=convergence");
        assert!(!full.compare.is_empty());
        let longest = full
            .compare
            .iter()
            .map(|t| t.duration_s())
            .fold(full.trace.duration_s(), f64::max);
        assert!(
            longest > full.trace.duration_s(),
            "a compared run is longer"
        );
        assert_eq!(full.clock.duration, longest);
        // The embed shows no comparison: none is run, and the timeline is its run's.
        let embed = open("chapter=convergence&embed=1&views=stage,passes,result");
        assert!(embed.compare.is_empty());
        assert_eq!(embed.clock.duration, embed.trace.duration_s());
        let with = open("chapter=convergence&embed=1&views=passes,compare");
        assert_eq!(with.compare.len(), full.compare.len());
        // The cluster chapter's timeline is its cluster's run, embedded or not, and not the
        // single VM's that it keeps in the background.
        for query in ["chapter=cluster", "chapter=cluster&embed=1"] {
            let cluster = open(query);
            assert_eq!(cluster.mode, migration_lab::model::Mode::Cluster, "{query}");
            assert_ne!(
                cluster.cluster_trace.makespan_s,
                cluster.trace.duration_s(),
                "{query}"
            );
            assert_eq!(
                cluster.clock.duration, cluster.cluster_trace.makespan_s,
                "{query}"
            );
        }
    }

    #[test]
    fn an_embed_that_names_no_views_shows_its_chapters_compact_few() {
        use migration_lab::model::{embed_controls, Shown};
        use migration_lab::permalink::decode;
        let open = |query: &str| {
            let d = decode(query);
            (
                AppState::from_link(&d.link, d.notices, Lang::En, false),
                d.link.embed,
            )
        };
        let (page, none) = open("chapter=compression");
        assert_eq!(page.shown, Shown::Chapter);
        assert_eq!(
            embed_controls(none.as_ref(), chapters().get(page.chapter)),
            None
        );
        let (embed, e) = open("chapter=compression&embed=1");
        let c = &chapters()[embed.chapter];
        assert_eq!(embed.shown, Shown::EmbedDefault);
        // The stage and a line of result; the comparison is neither shown nor run.
        assert!(embed.shown.shows(Some(c), "stage"));
        assert!(!embed.shown.shows(Some(c), "result"));
        assert!(!embed.shown.names(Some(c), "compare"));
        assert!(embed.shown.result_line(Some(c)));
        assert!(embed.compare.is_empty());
        assert_eq!(embed.clock.duration, embed.trace.duration_s());
        // At most two controls, the chapter's own.
        let controls = embed_controls(e.as_ref(), Some(c)).unwrap();
        assert_eq!(controls, ["lever-option", "content"]);
        // The page shows everything and no line.
        assert!(page.shown.names(Some(c), "compare"));
        assert!(!page.shown.result_line(Some(c)));
        // Named controls and views win; a shown result panel needs no line.
        let (named, e) = open("chapter=compression&embed=1&controls=link&views=stage,result");
        assert!(!named.shown.result_line(Some(c)));
        assert_eq!(embed_controls(e.as_ref(), Some(c)).unwrap(), ["link"]);
        // The compact default follows the reader to the next chapter.
        let next =
            std::rc::Rc::new(embed).apply(Action::Chapter(chapter_index("smb-rdma").unwrap()));
        let smb = &chapters()[next.chapter];
        assert!(
            next.compare.is_empty(),
            "no comparison in the next chapter's compact embed"
        );
        assert_eq!(embed_controls(e.as_ref(), Some(smb)).unwrap(), ["link"]);
        let bare = migration_lab::permalink::Embed::default();
        assert_eq!(
            embed_controls(Some(&bare), Some(smb)).unwrap(),
            ["lever-option", "lever-rdma"]
        );
    }

    #[test]
    fn every_chapter_has_a_compact_embed_of_its_own_controls_and_views() {
        for c in chapters() {
            assert!(!c.embed_views.is_empty(), "{}: no view", c.id);
            assert!(
                c.embed_controls.len() <= 2,
                "{}: more than two controls",
                c.id
            );
            for v in c.embed_views {
                assert!(
                    c.views.iter().any(|w| w.0 == v.0),
                    "{}: {} is not its view",
                    c.id,
                    v.0
                );
            }
            let any = c.controls.iter().any(|w| w.0 == "*");
            for k in c.embed_controls {
                assert!(
                    any || c.controls.iter().any(|w| w.0 == k.0),
                    "{}: {}",
                    c.id,
                    k.0
                );
            }
        }
    }

    #[test]
    fn the_free_views_keep_the_readers_work_between_them() {
        let playground = chapter_index("playground").unwrap();
        let cluster = chapter_index("cluster").unwrap();
        let s = at("playground").apply(Action::Edit(Edit::Param(Param::LinkGbps, 40.0)));
        let host = s.cluster.hosts[0].name.clone();
        let s = s
            .apply(Action::Chapter(cluster))
            .apply(Action::EditCluster(ClusterEdit::Drain { host }));
        let back = s.clone().apply(Action::Chapter(playground));
        assert_eq!(back.scenario.network.link_gbps, 40.0);
        assert_eq!(back.cluster, s.cluster);
        // Reset, or a guided chapter, starts over.
        assert_eq!(
            *back.clone().apply(Action::Reset).scenario,
            Scenario::default()
        );
        let guided = back
            .apply(Action::Chapter(0))
            .apply(Action::Chapter(playground));
        assert_eq!(*guided.scenario, Scenario::default());
    }

    #[test]
    fn reset_returns_to_the_chapters_start_and_closes_nothing_else() {
        for (i, c) in chapters().iter().enumerate() {
            let start = state().apply(Action::Chapter(i));
            let host = start.cluster.hosts[0].name.clone();
            let changed = start
                .clone()
                .apply(Action::Edit(Edit::Memory(3000.0)))
                .apply(Action::EditCluster(ClusterEdit::Drain { host }))
                .apply(Action::Speed(2.0))
                .apply(Action::Seek(1.0));
            assert_ne!(*changed.scenario, *start.scenario, "{}", c.id);
            let reset = changed.apply(Action::Reset);
            assert_eq!(reset.chapter, i);
            assert_eq!(*reset.scenario, *start.scenario, "{}", c.id);
            assert_eq!(*reset.cluster, *start.cluster, "{}", c.id);
            assert_eq!(reset.mode, start.mode);
            assert_eq!(reset.clock.t, 0.0);
            assert_eq!(reset.clock.speed, 2.0, "the speed is the reader's");
        }
    }

    #[test]
    fn a_link_holds_only_what_differs_from_what_the_chapter_shows() {
        // A reader who drained a host in chapter 9, then went on to the playground and
        // changed one thing: the link names that one thing.
        let sim = at("simultaneous");
        let host = sim.cluster.hosts[0].name.clone();
        let sim = sim.apply(Action::EditCluster(ClusterEdit::Drain { host }));
        let playground = chapter_index("playground").unwrap();
        let s = sim
            .apply(Action::Chapter(playground))
            .apply(Action::Edit(Edit::Param(Param::LinkGbps, 40.0)));
        let pairs = s.state_pairs();
        assert_eq!(
            pairs,
            vec![("s.network.link_gbps".to_string(), "40".to_string())]
        );
        let query = encode(&s.link(None));
        assert!(query.len() < 100, "{query}");
        assert!(!query.contains("c."), "{query}");
        // It opens the same scenario.
        let back = decode(&query);
        assert_eq!(back.link.scenario.as_ref(), Some(&*s.scenario));

        // The cluster view's link holds the cluster and no scenario.
        let cluster = at("cluster").apply(Action::Edit(Edit::Memory(4096.0)));
        let (scenario, shown) = cluster.shown();
        assert!(scenario.is_none());
        assert_eq!(shown, Some(&*cluster.cluster));
        assert!(cluster
            .state_pairs()
            .iter()
            .all(|(k, _)| k.starts_with("c.")));
    }
}

mod scales {
    use migration_lab::chapters::chapters;
    use migration_lab::model::scale::DIRTY_RATE;

    #[test]
    fn the_dirty_rate_slider_reaches_every_rate_a_chapter_names() {
        let s = DIRTY_RATE;
        // The chapters' own rates, and the round numbers their texts ask for.
        let mut targets: Vec<f64> = chapters()
            .iter()
            .filter_map(|c| c.scenario().ok())
            .map(|sc| sc.vm.dirty_rate_mibps)
            .collect();
        targets.extend([
            0.0, 1.0, 2.0, 5.0, 250.0, 300.0, 400.0, 500.0, 1000.0, 2000.0, 4000.0,
        ]);
        targets.extend((10..=45).map(f64::from));
        targets.extend((5..=20).map(|k| f64::from(k) * 10.0));
        for v in targets {
            assert_eq!(s.value(s.position(v)), v, "{v} MiB/s");
        }
    }

    #[test]
    fn the_dirty_rate_slider_rises_by_at_most_5_percent_a_step_beyond_whole_numbers() {
        let s = DIRTY_RATE;
        assert_eq!(s.value(0.0), 0.0);
        assert_eq!(s.value(f64::from(s.steps())), s.high);
        let mut last = 0.0;
        for p in 1..=s.steps() {
            let v = s.value(f64::from(p));
            assert!(v > last, "{p}: {v} after {last}");
            // Whole MiB/s while small, never more than 5 % a step beyond.
            assert!(v - last <= 1.0 || v <= last * 1.05, "{p}: {v} after {last}");
            assert_eq!(s.position(v), f64::from(p), "{v} MiB/s");
            last = v;
        }
        // Fine enough to drag: fewer than 200 positions, so about a pixel each.
        assert!(s.steps() < 200, "{}", s.steps());
        // A typed rate beyond the slider sits at its end, a fraction at the nearest value.
        assert_eq!(s.position(100_000.0), f64::from(s.steps()));
        assert_eq!(s.value(s.position(40.3)), 40.0);
    }
}

mod embeds {
    use migration_lab::permalink::{decode, Notice};

    #[test]
    fn an_embed_names_the_controls_and_views_it_cannot_show() {
        let d = decode("embed=1&chapter=precopy&controls=memory,nope,dirty-rate&views=stage,compare,bogus,passes");
        let embed = d.link.embed.expect("an embed");
        assert_eq!(
            embed.controls,
            Some(vec!["memory".to_string(), "dirty-rate".to_string()])
        );
        assert_eq!(
            embed.views,
            Some(vec!["stage".to_string(), "passes".to_string()])
        );
        let ignored: Vec<(String, String)> = d
            .notices
            .iter()
            .filter_map(|n| match n {
                Notice::Ignored { key, value } => Some((key.clone(), value.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            ignored,
            vec![
                ("controls".into(), "nope".into()),
                ("views".into(), "compare".into()),
                ("views".into(), "bogus".into()),
            ]
        );
        // A chapter with a comparison offers it.
        let d = decode("embed=1&chapter=convergence&views=compare");
        assert!(d.notices.is_empty());
    }
}

mod sliced_cluster {
    use std::cell::Cell;
    use std::rc::Rc;

    use migration_lab::engine::cluster::ClusterScenario;
    use migration_lab::engine::simulate_cluster;
    use migration_lab::model::sliced::Slicing;
    use migration_lab::model::{Action, AppState, Mode};

    thread_local! {
        static CLOCK: Cell<f64> = const { Cell::new(0.0) };
    }

    /// A clock that moves 1 ms each time it is read: a slice of 8 ms runs a few events.
    fn ticking() -> f64 {
        CLOCK.with(|c| {
            c.set(c.get() + 1.0);
            c.get()
        })
    }

    /// A clock that never moves: every run fits in its first slice.
    fn stopped() -> f64 {
        0.0
    }

    /// 16 hosts, 400 VMs on the first, drained with no limits on how many migrate at once.
    fn large() -> ClusterScenario {
        let hosts: Vec<String> = (0..16)
            .map(|i| {
                format!(
                    r#"{{"name":"H{i}","cores":32,"load":0.4,"memory_gib":1024,"nics":[{{"network":"conv","gbps":10,"buffers":1024}}]}}"#
                )
            })
            .collect();
        let vms: Vec<String> = (0..400)
            .map(|i| {
                format!(
                    r#"{{"name":"vm{i}","host":"H0","memory_mib":{},"working_set_mib":256,"untouched_mib":256,"dirty_rate_mibps":{},"pattern":"hotcold","disk_gib":40}}"#,
                    1024 + i % 7 * 100,
                    10 + i % 30
                )
            })
            .collect();
        let json = format!(
            r#"{{"version":1,"seed":1,"networks":[{{"name":"conv","role":"vm_traffic"}}],"hosts":[{}],"vms":[{}],"shared_storage":true,"settings":{{"per_host_limit":4294967295,"cluster_limit":4294967295}},"operations":[{{"kind":"drain","host":"H0"}}]}}"#,
            hosts.join(","),
            vms.join(",")
        );
        ClusterScenario::from_json(&json).expect("a valid cluster")
    }

    fn in_cluster_view(slicing: Slicing, playing: bool) -> Rc<AppState> {
        let s = Rc::new(AppState::new(Default::default(), playing));
        let s = s.apply(Action::SetMode(Mode::Cluster));
        let s = if playing { s.apply(Action::Play) } else { s };
        Rc::new(AppState {
            slicing: Some(slicing),
            ..(*s).clone()
        })
    }

    fn page(now: fn() -> f64) -> Slicing {
        Slicing::page(now)
    }

    #[test]
    fn a_large_cluster_runs_in_slices_shows_what_has_ended_and_ends_as_a_whole_run() {
        let whole = simulate_cluster(&large()).unwrap();
        let mut s = in_cluster_view(page(ticking), true);
        let before = s.cluster_trace.clone();
        s = s.apply(Action::SetCluster(Box::new(large())));
        let first = s
            .cluster_run
            .clone()
            .expect("still running after one slice");
        assert!(first.progress.ended < first.progress.total);
        assert_eq!(first.progress.total, 400);
        assert_eq!(*s.cluster, large(), "the new cluster is the one shown");
        assert!(!s.clock.playing, "the clock waits for the run");
        let mut slices = 1;
        let mut partial_seen = false;
        while s.cluster_run.is_some() {
            s = s.apply(Action::ClusterSlice);
            slices += 1;
            if s.cluster_run.is_some() {
                // What is shown meanwhile: only migrations that have ended, as they end.
                let t = &s.cluster_trace;
                partial_seen |= !t.migrations.is_empty() && !Rc::ptr_eq(t, &before);
                assert!(t
                    .migrations
                    .iter()
                    .all(|m| m.refused.is_some() || m.outcome.is_some()));
                // As they are in the whole run, without their rates over time and passes.
                assert!(t
                    .migrations
                    .iter()
                    .all(|m| whole.migrations.iter().any(|w| {
                        (&w.vm, &w.to, &w.stages, w.end_s, &w.refused)
                            == (&m.vm, &m.to, &m.stages, m.end_s, &m.refused)
                            && m.segments.is_empty()
                    })));
            }
            assert!(slices < 100_000, "the run ends");
        }
        assert!(slices > 10, "{slices} slices");
        assert!(
            partial_seen,
            "migrations were shown before the run was done"
        );
        assert_eq!(*s.cluster_trace, whole, "the same trace as a whole run");
        assert_eq!(s.clock.duration, whole.makespan_s);
        assert!(s.clock.playing, "it plays again, as it did before the run");
        // Another slice has nothing to do.
        let after = s.clone().apply(Action::ClusterSlice);
        assert!(Rc::ptr_eq(&after, &s));
    }

    #[test]
    fn a_slice_with_nothing_new_to_show_leaves_the_state_as_it_was() {
        use migration_lab::model::sliced::PROGRESS_MS;
        let start = CLOCK.with(Cell::get);
        let mut s =
            in_cluster_view(page(ticking), false).apply(Action::SetCluster(Box::new(large())));
        let (mut quiet, mut shown) = (0, 0);
        while s.cluster_run.is_some() {
            let next = s.clone().apply(Action::ClusterSlice);
            if Rc::ptr_eq(&next, &s) {
                // The run went on; the page has nothing to render.
                quiet += 1;
                continue;
            }
            if let (Some(before), Some(now)) = (&s.cluster_run, &next.cluster_run) {
                assert!(now.progress.events > before.progress.events);
            }
            shown += 1;
            s = next;
        }
        let elapsed = CLOCK.with(Cell::get) - start;
        // The progress is shown at most every PROGRESS_MS, and the end once.
        assert!(
            f64::from(shown) <= elapsed / PROGRESS_MS + 2.0,
            "{shown} states in {elapsed} ms"
        );
        assert!(quiet > 2 * shown, "{quiet} quiet slices, {shown} shown");
        assert_eq!(*s.cluster_trace, simulate_cluster(&large()).unwrap());
    }

    /// `large()` with `n` VMs, spread over its 16 hosts, every host drained.
    fn larger(n: usize) -> ClusterScenario {
        let mut c = large();
        let vm = c.vms[0].clone();
        c.vms = (0..n)
            .map(|i| {
                let mut v = vm.clone();
                v.name = format!("vm{i}");
                v.host = c.hosts[i % c.hosts.len()].name.clone();
                v
            })
            .collect();
        c.operations = c
            .hosts
            .iter()
            .map(|h| migration_lab::engine::cluster::Operation::Drain {
                host: h.name.clone(),
            })
            .collect();
        c
    }

    #[test]
    fn a_large_cluster_is_shown_first_and_planned_in_its_first_slice() {
        use migration_lab::model::sliced::PLAN_AT_ONCE_MAX_VMS;
        let c = larger(PLAN_AT_ONCE_MAX_VMS + 1);
        // A clock that never moves: a cluster planned at once would run through at once.
        let s =
            in_cluster_view(page(stopped), false).apply(Action::SetCluster(Box::new(c.clone())));
        let pending = s.cluster_run.clone().expect("not planned yet");
        assert_eq!((pending.progress.total, pending.progress.events), (0, 0));
        assert_eq!(*s.cluster, c, "shown at once");
        assert!(s.cluster_trace.migrations.is_empty());
        assert!(s.cluster_error.is_none());
        // Its first slice plans it (and runs nothing), the next ones run it.
        let s = s.apply(Action::ClusterSlice);
        let pending = s.cluster_run.clone().expect("planned, not run");
        assert!(pending.progress.total > PLAN_AT_ONCE_MAX_VMS);
        assert_eq!(pending.progress.events, 0);
        let s = s.apply(Action::ClusterSlice);
        assert!(s.cluster_run.is_none(), "the stopped clock runs it through");
        assert_eq!(*s.cluster_trace, simulate_cluster(&c).unwrap());
        // One VM fewer: planned and run as it is set.
        let mut smaller = c.clone();
        smaller.vms.pop();
        let s = in_cluster_view(page(stopped), false)
            .apply(Action::SetCluster(Box::new(smaller.clone())));
        assert!(s.cluster_run.is_none());
        assert_eq!(*s.cluster_trace, simulate_cluster(&smaller).unwrap());
    }

    #[test]
    fn a_large_cluster_that_cannot_run_says_why_when_its_first_slice_plans_it() {
        let s = in_cluster_view(page(stopped), true);
        let trace = s.cluster_trace.clone();
        let mut bad = larger(600);
        bad.hosts[0].memory_gib = 1.0;
        let s = s.apply(Action::SetCluster(Box::new(bad.clone())));
        assert!(s.cluster_error.is_none(), "not checked yet");
        assert!(!s.clock.playing);
        let s = s.apply(Action::ClusterSlice);
        assert!(s.cluster_run.is_none());
        assert!(s.cluster_error.is_some());
        assert_eq!(*s.cluster, bad);
        assert_eq!(s.cluster_trace, trace, "the trace before it");
        assert!(s.clock.playing, "it plays again, as it did before");
        assert_eq!(
            s.cluster_error,
            migration_lab::engine::cluster::ClusterRun::new(bad).err()
        );
    }

    /// A clock that moves 5 ms each time it is read: planning the cluster takes most of a
    /// slice.
    fn slow() -> f64 {
        CLOCK.with(|c| {
            c.set(c.get() + 5.0);
            c.get()
        })
    }

    #[test]
    fn a_cluster_whose_planning_takes_half_a_slice_runs_from_the_next_turn() {
        let s = in_cluster_view(page(slow), false).apply(Action::SetCluster(Box::new(large())));
        let pending = s.cluster_run.clone().expect("waiting for its first slice");
        assert_eq!(pending.progress.events, 0, "nothing has run yet");
        assert!(s.cluster_trace.migrations.is_empty());
        assert_eq!(s.cluster_trace.scenario, large());
        let mut s = s.apply(Action::ClusterSlice);
        assert!(s
            .cluster_run
            .as_ref()
            .is_some_and(|p| p.progress.events > 0));
        while s.cluster_run.is_some() {
            s = s.apply(Action::ClusterSlice);
        }
        assert_eq!(*s.cluster_trace, simulate_cluster(&large()).unwrap());
    }

    #[test]
    fn cancel_goes_back_to_the_cluster_before() {
        let s = in_cluster_view(page(ticking), false);
        let (cluster, trace) = (s.cluster.clone(), s.cluster_trace.clone());
        let running = s
            .apply(Action::SetCluster(Box::new(large())))
            .apply(Action::ClusterSlice);
        assert!(running.cluster_run.is_some());
        // An edit while it runs starts the edited cluster; cancel still goes back to the one
        // that ran through.
        let mut edited = large();
        edited.vms.pop();
        let running = running.apply(Action::SetCluster(Box::new(edited.clone())));
        assert_eq!(*running.cluster, edited);
        let back = running.apply(Action::CancelCluster);
        assert!(back.cluster_run.is_none());
        assert_eq!(back.cluster, cluster);
        assert_eq!(back.cluster_trace, trace);
        assert_eq!(back.clock.duration, trace.makespan_s);
        assert!(back.cluster_error.is_none());
    }

    #[test]
    fn a_cluster_done_within_its_first_slice_shows_at_once() {
        let sliced =
            in_cluster_view(page(stopped), false).apply(Action::SetCluster(Box::new(large())));
        assert!(sliced.cluster_run.is_none());
        let whole = Rc::new(AppState {
            slicing: None,
            ..(*in_cluster_view(page(stopped), false)).clone()
        })
        .apply(Action::SetCluster(Box::new(large())));
        assert_eq!(sliced.cluster_trace, whole.cluster_trace);
        assert_eq!(sliced.clock, whole.clock);
    }

    #[test]
    fn a_cluster_that_cannot_run_says_why_and_starts_nothing() {
        let s = in_cluster_view(page(ticking), false);
        let mut bad = large();
        bad.hosts.clear();
        let next = s.clone().apply(Action::SetCluster(Box::new(bad)));
        assert!(next.cluster_run.is_none());
        assert!(next.cluster_error.is_some());
        assert_eq!(next.cluster_trace, s.cluster_trace);
    }
}
