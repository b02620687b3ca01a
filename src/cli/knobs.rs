//! Scenario settings from flags: each overrides the file given with --scenario (or the
//! defaults).

use clap::Args;

use super::args::{named, parse_limit, HostArg, Limit};
use super::error::CliError;
use crate::engine::scenario::{describes_cluster, MAX_SCENARIO_FILE_BYTES};
use crate::engine::{
    ClusterScenario, Multifd, MultifdCompression, Pattern, Scenario, StopPolicy, TransportKind,
};
use crate::model::{pick_hypervisor, Hypervisor};

/// Scenario settings; each overrides the file given with --scenario (or the defaults).
#[derive(Args, Debug, Default)]
pub(super) struct Knobs {
    /// Start from this scenario file (JSON, see `migration-lab scenario`).
    #[arg(long, value_name = "FILE")]
    scenario: Option<std::path::PathBuf>,
    /// The file's text, read once.
    #[arg(skip)]
    text: std::cell::OnceCell<String>,
    #[arg(long, allow_negative_numbers = true)]
    memory_mib: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    working_set_mib: Option<f64>,
    /// Memory the guest never wrote (all-zero pages).
    #[arg(long, allow_negative_numbers = true)]
    untouched_mib: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    dirty_rate_mibps: Option<f64>,
    #[arg(long, value_parser = named(Pattern::NAMES, Pattern::from_name))]
    pattern: Option<Pattern>,
    /// Share of written pages that compress like text (0..1).
    #[arg(long, allow_negative_numbers = true)]
    compressible_fraction: Option<f64>,
    /// Share of written pages that are all zeros when sent (0..1).
    #[arg(long, allow_negative_numbers = true)]
    zero_fraction: Option<f64>,
    /// Share of written pages that are nearly empty: a few non-zero bytes (0..1).
    #[arg(long, allow_negative_numbers = true)]
    sparse_fraction: Option<f64>,
    /// Put the migration on a measured host: `lab` is the lab's (QEMU 10 under TCG, two
    /// processes on one 2-core machine over loopback; `docs/lab.md`). Other flags still apply.
    #[arg(long, value_enum)]
    host_profile: Option<HostArg>,
    /// Share of a vCPU's time the guest's writes take (1: it writes flat out; less: at a pace,
    /// which auto-converge's throttle slows only once the sleeps leave too little time).
    #[arg(long, allow_negative_numbers = true)]
    write_cpu_share: Option<f64>,
    /// Bytes of a page one write changes: 8 a word, 64 a cache line, 4096 the whole page (only
    /// XBZRLE sees it).
    #[arg(long, allow_negative_numbers = true)]
    write_bytes: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    link_gbps: Option<f64>,
    /// QEMU's max-bandwidth in MiB/s, or "unlimited" as libvirt sets it (QEMU's default: 128).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_limit)]
    max_bandwidth_mibps: Option<Limit>,
    /// Set-SmbBandwidthLimit -Category LiveMigration in MiB/s: caps the SMB option only.
    #[arg(long, allow_negative_numbers = true)]
    smb_limit_mibps: Option<f64>,
    #[arg(long, value_enum)]
    policy: Option<Hypervisor>,
    /// Hyper-V's pass cap, or Xen's round limit.
    #[arg(long)]
    max_passes: Option<u32>,
    /// QEMU downtime limit.
    #[arg(long, allow_negative_numbers = true)]
    downtime_limit_ms: Option<f64>,
    /// QEMU auto-converge: throttle the guest when it dirties faster than pages are sent.
    #[arg(long)]
    auto_converge: bool,
    /// QEMU multifd: parallel connections (0 = off, QEMU's default).
    #[arg(long)]
    multifd_channels: Option<u32>,
    /// QEMU multifd compression (level 1); turns multifd on with 2 channels if it is off.
    #[arg(long, value_parser = named(MultifdCompression::NAMES, MultifdCompression::from_name))]
    multifd_compression: Option<MultifdCompression>,
    /// QEMU XBZRLE with a cache of this many MiB (xbzrle-cache-size; QEMU's default 64).
    #[arg(long, allow_negative_numbers = true)]
    xbzrle_cache_mib: Option<f64>,
    /// QEMU post-copy after this many pre-copy passes (0: at once).
    #[arg(long)]
    postcopy_after_passes: Option<u32>,
    /// QEMU post-copy as soon as pre-copy stalls (a pass leaves no less than the one before).
    #[arg(long)]
    postcopy_when_stalled: bool,
    /// QEMU postcopy-preempt: faulted pages overtake the background push.
    #[arg(long)]
    postcopy_preempt: bool,
    #[arg(long, allow_negative_numbers = true)]
    timeout_s: Option<f64>,
    #[arg(long, value_parser = named(TransportKind::NAMES, TransportKind::from_name))]
    transport: Option<TransportKind>,
    /// Both hosts have RDMA NICs (SMB Direct with --transport smb).
    #[arg(long)]
    rdma: bool,
    /// A network only for live migration.
    #[arg(long, conflicts_with = "shared")]
    dedicated: bool,
    /// A network shared with VM, cluster and backup traffic.
    #[arg(long)]
    shared: bool,
    /// NIC send/receive descriptors.
    #[arg(long)]
    buffers: Option<u32>,
    /// NICs per host on the migration network (SMB Multichannel uses them all).
    #[arg(long)]
    nics: Option<u32>,
    #[arg(long, allow_negative_numbers = true)]
    rtt_ms: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    tcp_window_kib: Option<f64>,
    #[arg(long)]
    host_cores: Option<u32>,
    /// Host CPU load, 0..1.
    #[arg(long, allow_negative_numbers = true)]
    host_load: Option<f64>,
    #[arg(long)]
    seed: Option<u64>,
}

impl Knobs {
    /// The --scenario file's text, read once and at most [`MAX_SCENARIO_FILE_BYTES`] long.
    fn file_text(&self, path: &std::path::Path) -> Result<&str, CliError> {
        if let Some(t) = self.text.get() {
            return Ok(t);
        }
        use std::io::Read;
        let unreadable = |error| CliError::File {
            path: path.to_path_buf(),
            reading: true,
            error,
        };
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let mut text = String::new();
        file.take(MAX_SCENARIO_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(unreadable)?;
        if text.len() as u64 > MAX_SCENARIO_FILE_BYTES {
            return Err(CliError::TooLarge {
                path: path.to_path_buf(),
                max_mib: MAX_SCENARIO_FILE_BYTES >> 20,
            });
        }
        Ok(self.text.get_or_init(|| text))
    }

    /// The --scenario file as a cluster scenario, if it describes one (it has "hosts"). Only
    /// --seed applies to a cluster; other flags describe a single VM.
    pub(super) fn cluster(&self) -> Result<Option<ClusterScenario>, CliError> {
        let Some(path) = &self.scenario else {
            return Ok(None);
        };
        let text = self.file_text(path)?;
        if !describes_cluster(text) {
            return Ok(None);
        }
        let mut c = ClusterScenario::from_json(text).map_err(|e| content(path, e))?;
        if self.describes_a_vm() {
            return Err(CliError::Flag("a cluster scenario takes only --seed and --json; describe hosts, NICs and VMs in the file".into()));
        }
        set(&mut c.seed, self.seed);
        Ok(Some(c))
    }

    /// Any flag that describes a single VM's migration (everything but --scenario and --seed).
    fn describes_a_vm(&self) -> bool {
        [
            self.memory_mib,
            self.working_set_mib,
            self.untouched_mib,
            self.compressible_fraction,
            self.zero_fraction,
            self.sparse_fraction,
            self.write_cpu_share,
            self.dirty_rate_mibps,
            self.link_gbps,
            self.smb_limit_mibps,
            self.downtime_limit_ms,
            self.timeout_s,
            self.rtt_ms,
            self.tcp_window_kib,
            self.host_load,
        ]
        .iter()
        .any(Option::is_some)
            || [self.max_passes, self.buffers, self.nics, self.host_cores]
                .iter()
                .any(Option::is_some)
            || self.pattern.is_some()
            || self.host_profile.is_some()
            || self.max_bandwidth_mibps.is_some()
            || self.policy.is_some()
            || self.transport.is_some()
            || self.auto_converge
            || self.multifd_channels.is_some()
            || self.multifd_compression.is_some()
            || self.xbzrle_cache_mib.is_some()
            || self.postcopy_after_passes.is_some()
            || self.postcopy_when_stalled
            || self.postcopy_preempt
            || self.write_bytes.is_some()
            || self.rdma
            || self.dedicated
            || self.shared
    }

    pub(super) fn scenario(&self) -> Result<Scenario, CliError> {
        let mut s = match &self.scenario {
            Some(path) => {
                let text = self.file_text(path)?;
                Scenario::from_json(text).map_err(|e| content(path, e))?
            }
            None => Scenario::default(),
        };
        if let Some(h) = self.policy {
            pick_hypervisor(&mut s, h);
        }
        if self.host_profile == Some(HostArg::Lab) {
            crate::lab::compare::HostProfile::lab()
                .map_err(CliError::Lab)?
                .apply(&mut s);
        }
        set(&mut s.vm.memory_mib, self.memory_mib);
        set(&mut s.vm.working_set_mib, self.working_set_mib);
        set(&mut s.vm.untouched_mib, self.untouched_mib);
        set(&mut s.vm.compressible_fraction, self.compressible_fraction);
        set(&mut s.vm.zero_fraction, self.zero_fraction);
        set(&mut s.vm.sparse_fraction, self.sparse_fraction);
        set(&mut s.vm.write_cpu_share, self.write_cpu_share);
        set(&mut s.vm.write_bytes, self.write_bytes);
        set(&mut s.vm.dirty_rate_mibps, self.dirty_rate_mibps);
        set(&mut s.vm.pattern, self.pattern);
        set(&mut s.network.link_gbps, self.link_gbps);
        if self.smb_limit_mibps.is_some() {
            s.network.smb_limit_mibps = self.smb_limit_mibps;
        }
        if self.buffers.is_some() {
            s.network.buffers = self.buffers;
        }
        set(&mut s.network.nics, self.nics);
        set(&mut s.network.rtt_ms, self.rtt_ms);
        set(&mut s.network.tcp_window_kib, self.tcp_window_kib);
        set(&mut s.transport.host_cores, self.host_cores);
        set(&mut s.transport.host_load, self.host_load);
        if self.dedicated {
            s.network.dedicated = true;
        }
        if self.shared {
            s.network.dedicated = false;
        }
        set(&mut s.transport.kind, self.transport);
        if self.rdma {
            s.network.rdma = true;
        }
        let other = |flag: &str, policy: &str| {
            Err(CliError::Flag(format!(
                "{flag} applies to --policy {policy}"
            )))
        };
        let qemu_only = [
            ("--downtime-limit-ms", self.downtime_limit_ms.is_some()),
            ("--auto-converge", self.auto_converge),
            ("--max-bandwidth-mibps", self.max_bandwidth_mibps.is_some()),
            ("--multifd-channels", self.multifd_channels.is_some()),
            ("--multifd-compression", self.multifd_compression.is_some()),
            ("--xbzrle-cache-mib", self.xbzrle_cache_mib.is_some()),
            (
                "--postcopy-after-passes",
                self.postcopy_after_passes.is_some(),
            ),
            ("--postcopy-when-stalled", self.postcopy_when_stalled),
            ("--postcopy-preempt", self.postcopy_preempt),
        ];
        if !matches!(s.policy, StopPolicy::Qemu { .. }) {
            if let Some((flag, _)) = qemu_only.iter().find(|(_, given)| *given) {
                return other(flag, "qemu");
            }
        }
        match &mut s.policy {
            StopPolicy::HyperV { max_passes, .. } => set(max_passes, self.max_passes),
            StopPolicy::Qemu {
                downtime_limit_ms,
                auto_converge,
                max_bandwidth_mibps,
                multifd,
                xbzrle_cache_mib,
                postcopy_after_passes,
                postcopy_when_stalled,
                postcopy_preempt,
                ..
            } => {
                set(downtime_limit_ms, self.downtime_limit_ms);
                if self.xbzrle_cache_mib.is_some() {
                    *xbzrle_cache_mib = self.xbzrle_cache_mib;
                }
                if self.postcopy_after_passes.is_some() {
                    *postcopy_after_passes = self.postcopy_after_passes;
                }
                *postcopy_when_stalled |= self.postcopy_when_stalled;
                *postcopy_preempt |= self.postcopy_preempt;
                *auto_converge |= self.auto_converge;
                if let Some(Limit(limit)) = self.max_bandwidth_mibps {
                    *max_bandwidth_mibps = limit;
                }
                if let Some(channels) = self.multifd_channels {
                    let compression = multifd.map(|m| m.compression).unwrap_or_default();
                    *multifd = (channels > 0).then_some(Multifd {
                        channels,
                        compression,
                    });
                }
                if let Some(codec) = self.multifd_compression {
                    let channels = multifd.map_or(2, |m| m.channels);
                    *multifd = Some(Multifd {
                        channels,
                        compression: codec,
                    });
                }
                if self.max_passes.is_some() {
                    return other("--max-passes", "hyperv or xen");
                }
            }
            StopPolicy::Xen { max_iterations, .. } => set(max_iterations, self.max_passes),
        }
        set(&mut s.timeout_s, self.timeout_s);
        set(&mut s.seed, self.seed);
        s.validate()
            .map_err(|e| CliError::Scenario(e.to_string()))?;
        Ok(s)
    }
}

fn set<T>(slot: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *slot = v;
    }
}

/// A file's content that is not a scenario, with the parser's message.
fn content(path: &std::path::Path, e: impl std::fmt::Display) -> CliError {
    CliError::Content {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
