//! Engine speed: whole migrations simulated end to end, and one memory-map sample.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion};
    use migration_lab::engine::cluster::{
        ClusterNetwork, ClusterScenario, ClusterVm, Host, MigrationSettings, NetworkRole, Nic,
        Operation,
    };
    use migration_lab::engine::{simulate, simulate_cluster, Pattern, Scenario};
    use migration_lab::model::{sweep_values, Param, Spacing};
    use std::hint::black_box;

    fn scenario(memory_gib: f64, dedicated: bool) -> Scenario {
        let mut s = Scenario::default();
        s.vm.memory_mib = memory_gib * 1024.0;
        s.vm.working_set_mib = memory_gib * 256.0;
        s.vm.untouched_mib = memory_gib * 128.0;
        s.vm.dirty_rate_mibps = 300.0;
        s.network.link_gbps = 10.0;
        s.network.dedicated = dedicated;
        s
    }

    /// 16 hosts on shared converged 2 × 10 GbE; the first runs 128 VMs and is drained onto the
    /// other 15, four migrations at a time.
    fn big_drain() -> ClusterScenario {
        drain(128, 1, 2, 4)
    }

    /// `vms` VMs spread over 16 hosts; the first `drained` hosts are drained, with the given
    /// per-host and cluster limits.
    fn drain(vms: u32, drained: usize, per_host: u32, cluster: u32) -> ClusterScenario {
        let hosts: Vec<Host> = (0..16)
            .map(|i| Host {
                name: format!("H{i}"),
                cores: 32,
                load: 0.4,
                memory_gib: 1024.0,
                nics: vec![
                    Nic {
                        network: "conv".into(),
                        gbps: 10.0,
                        rdma: false,
                        buffers: Some(1024)
                    };
                    2
                ],
            })
            .collect();
        let spread = if drained > 1 { 16 } else { 1 };
        let vms: Vec<ClusterVm> = (0..vms)
            .map(|i: u32| ClusterVm {
                name: format!("vm{i}"),
                host: format!("H{}", i % spread),
                memory_mib: 2048.0 + 64.0 * f64::from(i % 8),
                working_set_mib: 512.0,
                untouched_mib: 512.0,
                dirty_rate_mibps: 40.0,
                pattern: Pattern::HotCold,
                disk_gib: 40.0,
            })
            .collect();
        ClusterScenario {
            version: 1,
            seed: 1,
            networks: vec![ClusterNetwork {
                name: "conv".into(),
                role: NetworkRole::VmTraffic,
                dedicated: false,
            }],
            hosts,
            vms,
            shared_storage: true,
            settings: MigrationSettings {
                per_host_limit: per_host,
                cluster_limit: cluster,
                ..MigrationSettings::default()
            },
            operations: (0..16)
                .map(|h| Operation::Drain {
                    host: format!("H{h}"),
                })
                .take(drained)
                .collect(),
            timeout_s: 3600.0,
        }
    }

    /// Every host of 16 drained at once, no limits, 2000 VMs of varied sizes and dirty rates
    /// (1 to 2 GiB, 10 to 39 MiB/s), on the shared converged network or a dedicated one: the
    /// varied sizes end migrations at different moments, so every one is an event of its own.
    fn varied_drain(dedicated: bool) -> ClusterScenario {
        let mut sc = drain(2000, 16, u32::MAX, u32::MAX);
        for (i, vm) in sc.vms.iter_mut().enumerate() {
            vm.memory_mib = 1024.0 + (i * 37 % 1025) as f64;
            vm.working_set_mib = 256.0;
            vm.untouched_mib = 256.0;
            vm.dirty_rate_mibps = 10.0 + (i * 7 % 30) as f64;
        }
        sc.networks[0].dedicated = dedicated;
        sc
    }

    fn bench(c: &mut Criterion) {
        for gib in [64.0, 1024.0] {
            for dedicated in [true, false] {
                let s = scenario(gib, dedicated);
                let net = if dedicated { "dedicated" } else { "shared" };
                c.bench_function(&format!("simulate {gib} GiB on 10 GbE {net}"), |b| {
                    b.iter(|| simulate(black_box(&s)).unwrap())
                });
            }
        }
        let mut qemu = Scenario::qemu_defaults();
        qemu.vm.dirty_rate_mibps = 2000.0;
        qemu.policy = migration_lab::engine::StopPolicy::qemu_libvirt();
        c.bench_function(
            "simulate a QEMU run that never converges (1 h timeout)",
            |b| b.iter(|| simulate(black_box(&qemu)).unwrap()),
        );
        let one = big_drain();
        c.bench_function("drain a host: 16 hosts, 128 VMs", |b| {
            b.iter(|| simulate_cluster(black_box(&one)).unwrap())
        });
        let all = drain(2000, 16, u32::MAX, u32::MAX);
        c.bench_function("drain every host: 16 hosts, 2000 VMs, no limits", |b| {
            b.iter(|| simulate_cluster(black_box(&all)).unwrap())
        });
        for dedicated in [false, true] {
            let varied = varied_drain(dedicated);
            let net = if dedicated { "dedicated" } else { "shared" };
            c.bench_function(
                &format!("drain every host: 16 hosts, 2000 varied VMs, no limits, {net}"),
                |b| b.iter(|| simulate_cluster(black_box(&varied)).unwrap()),
            );
        }
        // The playground's sweep (link speed, 1 to 100 Gbit/s) at 200 points instead of its 24:
        // what a 200-point sweep costs to compute, spread over frames by the page.
        let base = Scenario::default();
        let links = sweep_values(1.0, 100.0, 200, Spacing::Auto);
        c.bench_function("sweep 200 link speeds of the default VM", |b| {
            b.iter(|| {
                for &v in &links {
                    black_box(simulate(&Param::LinkGbps.with(&base, v)).unwrap());
                }
            })
        });
        let trace = simulate(&scenario(64.0, false)).unwrap();
        let mid = trace.duration_s() / 2.0;
        let mut out = Vec::new();
        c.bench_function("sample 4096-block memory map", |b| {
            b.iter(|| trace.sample_memory(black_box(mid), 0.1, &mut out))
        });
    }

    criterion_group!(benches, bench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
