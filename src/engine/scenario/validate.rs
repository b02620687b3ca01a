//! What a scenario must satisfy to describe a real migration, and the error that says which
//! field does not and why.

use super::problem::Problem;
use super::*;
use crate::engine::transport::PAGE_BYTES;
use crate::engine::units::MIB;

/// Input that cannot describe a real migration: which field, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    pub field: &'static str,
    pub problem: Problem,
}

impl ScenarioError {
    /// Why, in English.
    pub fn message(&self) -> String {
        self.problem.to_string()
    }

    /// The problem, with the field as the place it is in.
    pub fn located(self) -> Problem {
        Problem::In {
            at: self.field.into(),
            problem: Box::new(self.problem),
        }
    }
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for ScenarioError {}

pub(crate) fn err(field: &'static str, problem: Problem) -> Result<(), ScenarioError> {
    Err(ScenarioError { field, problem })
}

fn finite_non_negative(field: &'static str, v: f64) -> Result<(), ScenarioError> {
    if !v.is_finite() {
        return err(field, Problem::NotFinite);
    }
    if v < 0.0 {
        return err(field, Problem::Negative(v));
    }
    Ok(())
}

impl Scenario {
    /// Rejects values no migration can have. Values that are merely hopeless (a 0 Gbit/s link,
    /// a dirty rate above the bandwidth) are *not* errors: the simulation explains them.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != SCENARIO_VERSION {
            return err(
                "version",
                Problem::UnsupportedVersion {
                    got: self.version,
                    reads: Some(SCENARIO_VERSION),
                },
            );
        }
        let vm = &self.vm;
        finite_non_negative("vm.memory_mib", vm.memory_mib)?;
        if vm.memory_mib == 0.0 {
            return err("vm.memory_mib", Problem::NoMemory);
        }
        if vm.memory_mib * MIB > MAX_MEMORY_BYTES {
            return err(
                "vm.memory_mib",
                Problem::TooMuchMemory {
                    mib: vm.memory_mib,
                    max_bytes: MAX_MEMORY_BYTES,
                },
            );
        }
        finite_non_negative("vm.working_set_mib", vm.working_set_mib)?;
        if vm.working_set_mib > vm.memory_mib {
            return err(
                "vm.working_set_mib",
                Problem::WorkingSetAboveMemory {
                    working_set_mib: vm.working_set_mib,
                    memory_mib: vm.memory_mib,
                },
            );
        }
        finite_non_negative("vm.untouched_mib", vm.untouched_mib)?;
        if vm.working_set_mib + vm.untouched_mib > vm.memory_mib * (1.0 + 1e-9) {
            return err(
                "vm.untouched_mib",
                Problem::UntouchedDoesNotFit {
                    working_set_mib: vm.working_set_mib,
                    untouched_mib: vm.untouched_mib,
                    memory_mib: vm.memory_mib,
                },
            );
        }
        for (field, v) in [
            ("vm.hot_fraction", vm.hot_fraction),
            ("vm.hot_share", vm.hot_share),
            ("vm.compressible_fraction", vm.compressible_fraction),
            ("vm.zero_fraction", vm.zero_fraction),
            ("vm.sparse_fraction", vm.sparse_fraction),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return err(field, Problem::Fraction(v));
            }
        }
        if !(vm.write_cpu_share > 0.0 && vm.write_cpu_share <= 1.0) {
            return err(
                "vm.write_cpu_share",
                Problem::WriteCpuShare(vm.write_cpu_share),
            );
        }
        if !(vm.write_bytes >= 1.0 && vm.write_bytes <= PAGE_BYTES) {
            return err("vm.write_bytes", Problem::WriteBytes(vm.write_bytes));
        }
        if vm.zero_fraction + vm.sparse_fraction > 1.0 + 1e-9 {
            return err(
                "vm.sparse_fraction",
                Problem::ZeroAndSparse {
                    zero: vm.zero_fraction,
                    sparse: vm.sparse_fraction,
                },
            );
        }
        if vm.pattern == Pattern::HotCold && (vm.hot_fraction == 0.0 || vm.hot_fraction == 1.0) {
            return err("vm.hot_fraction", Problem::HotColdNeedsHotPart);
        }
        finite_non_negative("vm.dirty_rate_mibps", vm.dirty_rate_mibps)?;
        if vm.dirty_rate_mibps > MAX_DIRTY_RATE_MIBPS {
            return err(
                "vm.dirty_rate_mibps",
                Problem::DirtyRateTooHigh {
                    mibps: vm.dirty_rate_mibps,
                    max_mibps: MAX_DIRTY_RATE_MIBPS,
                },
            );
        }
        if vm.dirty_rate_mibps > 0.0 && vm.working_set_mib == 0.0 {
            return err("vm.working_set_mib", Problem::WritesNeedWorkingSet);
        }
        let net = &self.network;
        finite_non_negative("network.link_gbps", net.link_gbps)?;
        if net.link_gbps > MAX_LINK_GBPS {
            return err(
                "network.link_gbps",
                Problem::LinkTooFast {
                    gbps: net.link_gbps,
                    max_gbps: MAX_LINK_GBPS,
                },
            );
        }
        if net.nics == 0 || net.nics > 16 {
            return err("network.nics", Problem::NicCount { max: 16 });
        }
        finite_non_negative("network.tcp_window_kib", net.tcp_window_kib)?;
        if net.tcp_window_kib < 1.0 {
            return err("network.tcp_window_kib", Problem::TcpWindow);
        }
        if let Some(cap) = net.smb_limit_mibps {
            finite_non_negative("network.smb_limit_mibps", cap)?;
        }
        if let StopPolicy::Qemu {
            max_bandwidth_mibps: Some(cap),
            ..
        } = self.policy
        {
            finite_non_negative("policy.max_bandwidth_mibps", cap)?;
        }
        if let Some(m) = self.policy.multifd() {
            if !(1..=MAX_MULTIFD_CHANNELS).contains(&m.channels) {
                return err(
                    "policy.multifd.channels",
                    Problem::MultifdChannels {
                        got: m.channels,
                        max: MAX_MULTIFD_CHANNELS,
                    },
                );
            }
        }
        if let StopPolicy::Qemu {
            xbzrle_cache_mib,
            multifd,
            ..
        } = self.policy
        {
            if let Some(mib) = xbzrle_cache_mib {
                let pages = mib * MIB / PAGE_BYTES;
                // QEMU: "expects a power of two no less than the target page size".
                let power_of_two = pages >= 1.0
                    && pages <= (1u64 << 28) as f64
                    && pages.fract() == 0.0
                    && (pages as u64).is_power_of_two();
                if !power_of_two {
                    return err("policy.xbzrle_cache_mib", Problem::XbzrleCache(mib));
                }
                if multifd.is_some() {
                    return err("policy.xbzrle_cache_mib", Problem::XbzrleWithMultifd);
                }
            }
            if self.policy.postcopy().is_some() && multifd.is_some() {
                return err("policy.postcopy_after_passes", Problem::PostcopyWithMultifd);
            }
        }
        if let Some(b) = net.buffers {
            let (lo, hi) = DESCRIPTOR_RANGE;
            if !(lo..=hi).contains(&b) {
                return err("network.buffers", Problem::Descriptors { lo, hi, got: b });
            }
        }
        finite_non_negative("network.rtt_ms", net.rtt_ms)?;
        if net.rtt_ms == 0.0 || net.rtt_ms > MAX_RTT_MS {
            return err("network.rtt_ms", Problem::Rtt { max_ms: MAX_RTT_MS });
        }
        let tr = &self.transport;
        if tr.host_cores == 0 || tr.host_cores > 1024 {
            return err("transport.host_cores", Problem::Cores { max: 1024 });
        }
        if !(0.0..=1.0).contains(&tr.host_load) {
            return err("transport.host_load", Problem::HostLoad);
        }
        finite_non_negative("transport.core_ghz", tr.core_ghz)?;
        if tr.core_ghz < 0.1 || tr.core_ghz > 10.0 {
            return err("transport.core_ghz", Problem::CoreGhz { lo: 0.1, hi: 10.0 });
        }
        if tr.compress_threads > 1024 {
            return err(
                "transport.compress_threads",
                Problem::CompressThreads { max: 1024 },
            );
        }
        finite_non_negative(
            "transport.compress_mibps_per_thread",
            tr.compress_mibps_per_thread,
        )?;
        if tr.compress_mibps_per_thread == 0.0 {
            return err(
                "transport.compress_mibps_per_thread",
                Problem::NoCompressionProgress,
            );
        }
        for (field, v) in [
            ("transport.zlib_mibps_per_thread", tr.zlib_mibps_per_thread),
            ("transport.zstd_mibps_per_thread", tr.zstd_mibps_per_thread),
        ] {
            finite_non_negative(field, v)?;
            if !(0.01..=1e5).contains(&v) {
                return err(field, Problem::CodecRate(v));
            }
        }
        finite_non_negative("transport.zero_scan_gibps", tr.zero_scan_gibps)?;
        if !(0.01..=1024.0).contains(&tr.zero_scan_gibps) {
            return err(
                "transport.zero_scan_gibps",
                Problem::ZeroScan(tr.zero_scan_gibps),
            );
        }
        match self.policy {
            StopPolicy::HyperV {
                max_passes,
                remainder_ms,
            } => {
                if max_passes == 0 || max_passes > MAX_POLICY_PASSES {
                    return err(
                        "policy.max_passes",
                        Problem::Passes {
                            max: MAX_POLICY_PASSES,
                        },
                    );
                }
                finite_non_negative("policy.remainder_ms", remainder_ms)?;
            }
            StopPolicy::Xen {
                max_iterations,
                max_factor,
                ..
            } => {
                if max_iterations == 0 || max_iterations > MAX_POLICY_PASSES {
                    return err(
                        "policy.max_iterations",
                        Problem::Iterations {
                            max: MAX_POLICY_PASSES,
                        },
                    );
                }
                finite_non_negative("policy.max_factor", max_factor)?;
                if max_factor < 1.0 {
                    return err("policy.max_factor", Problem::MaxFactor);
                }
            }
            StopPolicy::Qemu {
                downtime_limit_ms, ..
            } => {
                finite_non_negative("policy.downtime_limit_ms", downtime_limit_ms)?;
                // QEMU accepts at most 2000 s (`MAX_MIGRATE_DOWNTIME_SECONDS`).
                if downtime_limit_ms > 2_000_000.0 {
                    return err(
                        "policy.downtime_limit_ms",
                        Problem::DowntimeLimit { max_s: 2000.0 },
                    );
                }
            }
        }
        let o = &self.overheads;
        for (field, v, max, unit) in [
            ("overheads.setup_s", o.setup_s, MAX_DAY_S, "s"),
            (
                "overheads.device_state_mib",
                o.device_state_mib,
                1024.0 * 1024.0,
                "MiB",
            ),
            (
                "overheads.switchover_ms",
                o.switchover_ms,
                MAX_DAY_S * 1e3,
                "ms",
            ),
            ("overheads.cleanup_s", o.cleanup_s, MAX_DAY_S, "s"),
            ("timeout_s", self.timeout_s, MAX_TIMEOUT_S, "s"),
        ] {
            finite_non_negative(field, v)?;
            if v > max {
                return err(field, Problem::AtMost { max, unit, got: v });
            }
        }
        if self.timeout_s == 0.0 {
            return err("timeout_s", Problem::NoTimeout);
        }
        Ok(())
    }
}
