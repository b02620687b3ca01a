//! Scenario edits that carry a rule: what else changes when the reader changes one thing.
//! The page, the command line and the JS API all edit through these, so each rule exists once.

use crate::engine::scenario::MAX_DESCRIPTORS;
use crate::engine::{Scenario, StopPolicy, TransportKind, Vm};

/// An edit of the reader's scenario that carries a rule ([`crate::model::Action::Edit`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Edit {
    /// Memory, MiB: its parts keep their shares ([`set_memory`]).
    Memory(f64),
    /// A part of memory as a % of it: the other part makes room ([`set_share`]).
    Share(Part, f64),
    /// A hypervisor chosen: its policy, overheads and transport ([`pick_hypervisor`]).
    Hypervisor(Hypervisor),
    /// A number a sweep varies ([`Param::set`]).
    Param(Param, f64),
    /// One of the tuning guide's levers.
    Lever(Lever),
}

/// The levers of Microsoft's Hyper-V tuning guide, each one setting that nothing else follows:
/// the performance option and the NICs' RDMA capability are separate settings, as in
/// `Set-VMHost -VirtualMachineMigrationPerformanceOption` and the NIC's properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lever {
    /// A network for live migration alone (no other traffic to share it with).
    Dedicated(bool),
    /// The NICs' receive rings at their largest ([`MAX_DESCRIPTORS`]), or at the driver's
    /// default.
    MaxBuffers(bool),
    /// Both hosts have RDMA NICs (SMB Direct, with the SMB option).
    Rdma(bool),
    /// The performance option: TCP/IP, compression or SMB.
    Option(TransportKind),
}

impl Lever {
    pub fn apply(self, s: &mut Scenario) {
        match self {
            Lever::Dedicated(on) => s.network.dedicated = on,
            Lever::MaxBuffers(on) => s.network.buffers = on.then_some(MAX_DESCRIPTORS),
            Lever::Rdma(on) => s.network.rdma = on,
            Lever::Option(kind) => s.transport.kind = kind,
        }
    }
}

impl Edit {
    pub fn apply(self, s: &mut Scenario) {
        match self {
            Edit::Memory(mib) => set_memory(s, mib),
            Edit::Share(part, pct) => set_share(s, part, pct),
            Edit::Hypervisor(h) => pick_hypervisor(s, h),
            Edit::Param(p, v) => p.set(s, v),
            Edit::Lever(l) => l.apply(s),
        }
    }
}

/// A hypervisor: its stop policy, its overheads and its usual transport come together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum Hypervisor {
    Hyperv,
    Qemu,
    Xen,
}

impl Hypervisor {
    pub const ALL: [Hypervisor; 3] = [Hypervisor::Hyperv, Hypervisor::Qemu, Hypervisor::Xen];

    /// The hypervisor whose stop policy `s` runs.
    pub fn of(s: &Scenario) -> Hypervisor {
        Hypervisor::of_policy(&s.policy)
    }

    /// The hypervisor whose stop policy `policy` is.
    pub fn of_policy(policy: &StopPolicy) -> Hypervisor {
        match policy {
            StopPolicy::HyperV { .. } => Hypervisor::Hyperv,
            StopPolicy::Qemu { .. } => Hypervisor::Qemu,
            StopPolicy::Xen { .. } => Hypervisor::Xen,
        }
    }

    /// The name the page, links and files use (`policy.kind`, the engine's; `Hypervisor`'s
    /// variants are in `StopPolicy`'s order).
    pub fn name(self) -> &'static str {
        StopPolicy::KINDS[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Hypervisor> {
        Hypervisor::ALL.into_iter().find(|h| h.name() == name)
    }

    /// The scenario a reader starts from with this hypervisor.
    pub fn defaults(self) -> Scenario {
        match self {
            Hypervisor::Hyperv => Scenario::default(),
            Hypervisor::Qemu => Scenario::qemu_defaults(),
            Hypervisor::Xen => Scenario::xen_defaults(),
        }
    }
}

/// Choosing a hypervisor brings its stop policy, its overheads and its usual transport (Hyper-V
/// compresses by default, QEMU and Xen send over plain TCP); the VM, the network and the host
/// stay. Choosing the one `s` already runs changes nothing, so its tuned policy stays.
///
/// A file or a link that writes `policy.kind` is not a choice: it restores exactly the fields
/// it names (`engine::fields`), so a scenario with one hypervisor's policy and another's
/// overheads round-trips.
pub fn pick_hypervisor(s: &mut Scenario, h: Hypervisor) {
    if Hypervisor::of(s) == h {
        return;
    }
    let base = h.defaults();
    s.policy = base.policy;
    s.overheads = base.overheads;
    s.transport.kind = base.transport.kind;
}

/// Sets memory to `mib`. The working set and never-written memory keep their shares of it
/// (the defaults' shares after invalid input, so a typo does not wipe them out); shares are
/// not rounded to whole MiB, so they survive a tiny memory.
pub fn set_memory(s: &mut Scenario, mib: f64) {
    let valid = s.vm.memory_mib.is_finite() && s.vm.memory_mib > 0.0;
    let share = |part: f64, default: f64| {
        let v = part / s.vm.memory_mib;
        if valid && v.is_finite() {
            v.clamp(0.0, 1.0)
        } else {
            default
        }
    };
    let d = Vm::default();
    let ws = share(s.vm.working_set_mib, d.working_set_mib / d.memory_mib);
    let free = share(s.vm.untouched_mib, d.untouched_mib / d.memory_mib);
    s.vm.memory_mib = mib;
    s.vm.working_set_mib = mib * ws;
    s.vm.untouched_mib = (mib * free).min(mib - s.vm.working_set_mib);
}

/// One of memory's two parts: the working set (the guest writes it) and never-written memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    WorkingSet,
    Untouched,
}

/// Sets `part` to `pct` % of memory and shrinks the other part so that together they still
/// fit. Not rounded to whole MiB: the share stays exactly as typed.
pub fn set_share(s: &mut Scenario, part: Part, pct: f64) {
    let memory = s.vm.memory_mib;
    let (this, other) = match part {
        Part::WorkingSet => (&mut s.vm.working_set_mib, &mut s.vm.untouched_mib),
        Part::Untouched => (&mut s.vm.untouched_mib, &mut s.vm.working_set_mib),
    };
    *this = memory * pct / 100.0;
    if this.is_finite() && *this <= memory {
        *other = other.min(memory - *this);
    }
}

/// A number a sweep varies, named as the command line and the page's chapters name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
pub enum Param {
    MemoryMib,
    WorkingSetMib,
    DirtyRateMibps,
    LinkGbps,
    MaxBandwidthMibps,
    SmbLimitMibps,
    Buffers,
    DowntimeLimitMs,
    MaxPasses,
    Seed,
}

impl Param {
    pub const ALL: [Param; 10] = [
        Param::MemoryMib,
        Param::WorkingSetMib,
        Param::DirtyRateMibps,
        Param::LinkGbps,
        Param::MaxBandwidthMibps,
        Param::SmbLimitMibps,
        Param::Buffers,
        Param::DowntimeLimitMs,
        Param::MaxPasses,
        Param::Seed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Param::MemoryMib => "memory-mib",
            Param::WorkingSetMib => "working-set-mib",
            Param::DirtyRateMibps => "dirty-rate-mibps",
            Param::LinkGbps => "link-gbps",
            Param::MaxBandwidthMibps => "max-bandwidth-mibps",
            Param::SmbLimitMibps => "smb-limit-mibps",
            Param::Buffers => "buffers",
            Param::DowntimeLimitMs => "downtime-limit-ms",
            Param::MaxPasses => "max-passes",
            Param::Seed => "seed",
        }
    }

    pub fn from_name(name: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The whole numbers it takes, inclusive; `None` when it takes any real.
    pub fn whole_range(self) -> Option<(f64, f64)> {
        match self {
            Param::Seed => Some((0.0, MAX_SEED)),
            Param::Buffers | Param::MaxPasses => Some((0.0, f64::from(u32::MAX))),
            _ => None,
        }
    }

    /// Why `s` has no such number (a policy it does not run), if so.
    pub fn unavailable(self, s: &Scenario) -> Option<&'static str> {
        match (self, Hypervisor::of(s)) {
            (Param::DowntimeLimitMs | Param::MaxBandwidthMibps, h) if h != Hypervisor::Qemu => {
                Some("needs the qemu policy")
            }
            (Param::MaxPasses, Hypervisor::Qemu) => Some("needs the hyperv or xen policy"),
            _ => None,
        }
    }

    /// Its value in `s`; `None` where `s` has no such number or leaves it to a default.
    pub fn get(self, s: &Scenario) -> Option<f64> {
        Some(match (self, &s.policy) {
            (Param::MemoryMib, _) => s.vm.memory_mib,
            (Param::WorkingSetMib, _) => s.vm.working_set_mib,
            (Param::DirtyRateMibps, _) => s.vm.dirty_rate_mibps,
            (Param::LinkGbps, _) => s.network.link_gbps,
            (
                Param::MaxBandwidthMibps,
                StopPolicy::Qemu {
                    max_bandwidth_mibps,
                    ..
                },
            ) => (*max_bandwidth_mibps)?,
            (Param::SmbLimitMibps, _) => s.network.smb_limit_mibps?,
            (Param::Buffers, _) => f64::from(s.network.ring_descriptors()),
            (
                Param::DowntimeLimitMs,
                StopPolicy::Qemu {
                    downtime_limit_ms, ..
                },
            ) => *downtime_limit_ms,
            (Param::MaxPasses, StopPolicy::HyperV { max_passes, .. }) => f64::from(*max_passes),
            (Param::MaxPasses, StopPolicy::Xen { max_iterations, .. }) => {
                f64::from(*max_iterations)
            }
            (Param::Seed, _) => s.seed as f64,
            _ => return None,
        })
    }

    /// Sets it to `v` in `s`. Memory keeps its parts' shares ([`set_memory`]); whole-number
    /// parameters take the nearest whole number in their range. A parameter `s` has no such
    /// number for ([`Param::unavailable`]) changes nothing.
    pub fn set(self, s: &mut Scenario, v: f64) {
        let whole = |v: f64, (lo, hi): (f64, f64)| v.round().clamp(lo, hi);
        match self {
            Param::MemoryMib => set_memory(s, v),
            Param::WorkingSetMib => s.vm.working_set_mib = v,
            Param::DirtyRateMibps => s.vm.dirty_rate_mibps = v,
            Param::LinkGbps => s.network.link_gbps = v,
            Param::SmbLimitMibps => s.network.smb_limit_mibps = Some(v),
            Param::Buffers => s.network.buffers = Some(whole(v, (0.0, f64::from(u32::MAX))) as u32),
            Param::MaxBandwidthMibps => {
                if let StopPolicy::Qemu {
                    max_bandwidth_mibps,
                    ..
                } = &mut s.policy
                {
                    *max_bandwidth_mibps = Some(v)
                }
            }
            Param::DowntimeLimitMs => {
                if let StopPolicy::Qemu {
                    downtime_limit_ms, ..
                } = &mut s.policy
                {
                    *downtime_limit_ms = v
                }
            }
            Param::MaxPasses => {
                let n = whole(v, (0.0, f64::from(u32::MAX))) as u32;
                match &mut s.policy {
                    StopPolicy::HyperV { max_passes, .. } => *max_passes = n,
                    StopPolicy::Xen { max_iterations, .. } => *max_iterations = n,
                    StopPolicy::Qemu { .. } => {}
                }
            }
            Param::Seed => s.seed = whole(v, (0.0, MAX_SEED)) as u64,
        }
    }

    /// `s` with this parameter set to `v`.
    pub fn with(self, s: &Scenario, v: f64) -> Scenario {
        let mut s = s.clone();
        self.set(&mut s, v);
        s
    }
}

/// Whether `s` is on the lab's host (`lab::compare::HostProfile`). Only the full bundle
/// carries the lab's runs, which the profile is fitted on.
#[cfg(feature = "full")]
pub fn on_lab_host(s: &Scenario) -> bool {
    crate::lab::compare::HostProfile::lab().is_ok_and(|h| h.is_on(s))
}

#[cfg(not(feature = "full"))]
pub fn on_lab_host(_: &Scenario) -> bool {
    false
}

/// Puts `s` on the lab's host, or back on a data centre's.
#[cfg(feature = "full")]
pub fn set_lab_host(s: &mut Scenario, lab: bool) {
    use crate::lab::compare::HostProfile;
    match HostProfile::lab() {
        Ok(h) if lab => h.apply(s),
        _ => HostProfile::data_centre(s),
    }
}

#[cfg(not(feature = "full"))]
pub fn set_lab_host(_: &mut Scenario, _: bool) {}

/// The largest seed a sweep takes: every whole number up to 2^53 is exact in an `f64`.
pub const MAX_SEED: f64 = 9_007_199_254_740_992.0;
