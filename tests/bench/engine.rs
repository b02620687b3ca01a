//! Engine speed: whole migrations simulated end to end, and one memory-map sample.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion};
    use migration_lab::engine::{simulate, Scenario};
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
        qemu.policy = migration_lab::engine::StopPolicy::Qemu {
            downtime_limit_ms: 300.0,
            auto_converge: false,
        };
        c.bench_function(
            "simulate a QEMU run that never converges (1 h timeout)",
            |b| b.iter(|| simulate(black_box(&qemu)).unwrap()),
        );
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
