//! The scenario: everything that determines one simulated migration.
//!
//! One versioned serde type serves the UI, the CLI (`--scenario FILE.json`) and permalinks.
//! Every default below names its source; `docs/model.md` explains the model with them.

use serde::{Deserialize, Serialize};

pub(crate) mod json;
mod problem;
mod validate;

pub use json::{describes_cluster, MAX_SCENARIO_FILE_BYTES};
pub(crate) use json::{object_from_value, parse_object};
pub use problem::{fill, Arg, Input, Named, Problem};
pub(crate) use validate::err;
pub use validate::ScenarioError;

use super::units::TIB;

/// Bumped whenever a field changes meaning; older files are rejected with a clear message.
pub const SCENARIO_VERSION: u32 = 1;

/// Largest VM memory accepted. Windows Server 2025 supports 240 TB per generation-2 VM; 256 TiB
/// leaves headroom without letting typos like "1e12 MiB" through.
pub const MAX_MEMORY_BYTES: f64 = 256.0 * TIB;
/// 800 Gbit/s: the fastest Ethernet standardised today. Anything above is a typo.
pub const MAX_LINK_GBPS: f64 = 800.0;
/// 10 TiB/s: above the memory bandwidth of any server, so any faster dirty rate is a typo.
pub const MAX_DIRTY_RATE_MIBPS: f64 = 10.0 * 1024.0 * 1024.0;
/// Fixed costs of a day or more are typos.
pub const MAX_DAY_S: f64 = 86_400.0;
/// A migration may be given up to 30 days before it is cancelled.
pub const MAX_TIMEOUT_S: f64 = 30.0 * MAX_DAY_S;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    /// Seed for everything random (background traffic, which blocks are hot). Same seed → same trace.
    pub seed: u64,
    pub vm: Vm,
    pub network: Network,
    pub transport: Transport,
    pub policy: StopPolicy,
    pub overheads: Overheads,
    /// A migration still running after this long is cancelled (the VM keeps running on the
    /// source). KubeVirt's `completionTimeoutPerGiB` is the management-layer analogue.
    pub timeout_s: f64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            version: SCENARIO_VERSION,
            seed: 1,
            vm: Vm::default(),
            network: Network::default(),
            transport: Transport::default(),
            policy: StopPolicy::default(),
            overheads: Overheads::hyperv(),
            timeout_s: 3600.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Pattern {
    /// Writes land uniformly at random over the working set: unique dirty pages saturate as
    /// W·(1 − e^(−D·t/W)).
    #[default]
    Random,
    /// A sweep through the working set (e.g. a streaming buffer): min(W, D·t). With W ≥ D·t this
    /// is the linear dirtying of the canonical geometric model.
    Sequential,
    /// Random writes, but `hot_share` of them land on the hottest `hot_fraction` of the working
    /// set (a database's index pages, a cache's head).
    HotCold,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Vm {
    pub memory_mib: f64,
    /// The writable working set: the memory the guest keeps writing to. Hyper-V sends it first
    /// in pass 1 ("in-state memory first").
    pub working_set_mib: f64,
    /// Memory the guest never wrote: all-zero pages (free memory of a freshly booted guest).
    pub untouched_mib: f64,
    /// Rate at which the guest writes to memory, in MiB/s of pages.
    pub dirty_rate_mibps: f64,
    pub pattern: Pattern,
    /// Hot/cold pattern: the hot part of the working set, and the share of writes it takes.
    pub hot_fraction: f64,
    pub hot_share: f64,
    /// Share of written pages whose content compresses like text (≈ 3×); the rest is binary or
    /// random data that barely compresses. 0.75 gives the ≈ 2× Microsoft reports. Of the pages
    /// that are neither all-zero nor nearly empty (below).
    pub compressible_fraction: f64,
    /// Share of written pages that hold only zeros when they are sent: memory the guest wrote
    /// zeros to (freed pages it clears, zeroed buffers). QEMU sends each as a 9-byte marker
    /// (`save_zero_page`), as it does memory never written; Hyper-V's TCP/IP sends it whole.
    /// Measured in the lab: a guest writing zeros migrates in milliseconds (`docs/lab.md`).
    pub zero_fraction: f64,
    /// Share of written pages that are nearly empty: a few non-zero bytes in a page of zeros
    /// (counters, flags, sparse tables). They are not zero pages, so they go whole unless
    /// compressed, and any codec shrinks them to a few dozen bytes ([`super::transport::SPARSE_RATIO`]).
    pub sparse_fraction: f64,
    /// Share of one vCPU's time the guest's writes take at its dirty rate: 1 for a guest that
    /// writes as fast as it runs (a memory benchmark), less for one that writes at a pace (a
    /// server writing as requests come). Auto-converge slows a guest by making its vCPUs sleep,
    /// so it slows a paced guest only once the sleeps leave it less time than its writes need.
    /// Measured in the lab: paced guests at 2–24 % of their CPU kept their rates through throttles
    /// of 40–70 % (`docs/lab.md`).
    pub write_cpu_share: f64,
    /// Bytes of a page one write changes: 8 for a word, 64 for a cache line, 4096 when the
    /// guest rewrites whole pages. Only XBZRLE sees it: it sends a page it has sent before as
    /// the runs of bytes that changed (`migration/xbzrle.c`), so a guest that changes a word of
    /// many pages costs it a few bytes each.
    pub write_bytes: f64,
}

impl Default for Vm {
    fn default() -> Self {
        // An 8 GiB application server rewriting a 2 GiB working set: the scale of the
        // 4/8/16/32 GB VMs in IBM, NetApp and Intel's WS2008 R2 SP1 live-migration study
        // ("Evaluating Microsoft Hyper-V Live Migration Performance Using IBM System x and
        // N series", https://1library.net/document/qm650w7y-evaluating-microsoft-hyper-live-migration-performance-using-series.html).
        Vm {
            memory_mib: 8192.0,
            working_set_mib: 2048.0,
            untouched_mib: 2048.0,
            dirty_rate_mibps: 60.0,
            pattern: Pattern::Random,
            hot_fraction: 0.2,
            hot_share: 0.8,
            compressible_fraction: 0.75,
            zero_fraction: 0.0,
            sparse_fraction: 0.0,
            write_cpu_share: 1.0,
            write_bytes: super::transport::PAGE_BYTES,
        }
    }
}

/// The "more buffers" setting: 4096 descriptors, the most Intel's 1–40 GbE drivers allow
/// (`E1000_MAX_RXD`, `IXGBE_MAX_RXD`, `I40E_MAX_NUM_DESCRIPTORS`). Without a setting each
/// link speed gets its driver's default ([`driver_default_descriptors`]).
pub const MAX_DESCRIPTORS: u32 = 4096;
/// The most pre-copy passes (Hyper-V) or rounds (Xen) a policy may allow.
pub const MAX_POLICY_PASSES: u32 = 1000;
/// The longest round-trip time a network may have, ms.
pub const MAX_RTT_MS: f64 = 1000.0;
/// QEMU's `multifd-channels` range is 1 to 255 (`migration/options.c`).
pub const MAX_MULTIFD_CHANNELS: u32 = 255;

/// Receive descriptors per ring that Intel's Linux drivers set by default, by link speed:
/// e1000e 256 (`E1000_DEFAULT_RXD`) for 1 GbE, ixgbe 512 (`IXGBE_DEFAULT_RXD`) and i40e 512
/// (`I40E_DEFAULT_NUM_DESCRIPTORS`) up to 40 GbE, ice 2048 (`ICE_DFLT_NUM_RX_DESC`) for the
/// 100 and 200 GbE E810/E830, taken for faster links too. (NVIDIA's mlx5 defaults to 1024,
/// `MLX5E_PARAMS_DEFAULT_LOG_RQ_SIZE`.)
pub fn driver_default_descriptors(link_gbps: f64) -> u32 {
    if link_gbps <= 1.0 {
        256
    } else if link_gbps <= 40.0 {
        512
    } else {
        2048
    }
}
/// The range a ring size may take: ice and mlx5 allow up to 8160 and 8192.
pub const DESCRIPTOR_RANGE: (u32, u32) = (64, 8192);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    /// NIC line rate in Gbit/s (1, 10, 25, 40, 100 GbE).
    pub link_gbps: f64,
    /// NICs of this speed per host on the migration network. TCP/IP and Compression use one
    /// path; SMB Multichannel spreads one migration over all of them.
    pub nics: u32,
    /// Hyper-V's `Set-SmbBandwidthLimit -Category LiveMigration -BytesPerSecond`: caps what the
    /// SMB performance option sends, and nothing else (TCP/IP and Compression are not SMB
    /// traffic). `None` = no limit. QEMU's own limit is its policy's `max_bandwidth_mibps`.
    #[serde(alias = "max_bandwidth_mibps")]
    pub smb_limit_mibps: Option<f64>,
    /// Both hosts' NICs on this network are RDMA-capable (iWARP, RoCE, InfiniBand). Only the SMB
    /// performance option uses them (SMB Direct); TCP/IP and Compression run over TCP anyway.
    pub rdma: bool,
    /// A network that carries only live-migration traffic. On a shared one, VM, cluster and
    /// backup traffic take a varying share (the guide: a dedicated network makes migration
    /// shorter *and consistent*).
    pub dedicated: bool,
    /// Send/receive descriptors per NIC ring (the NIC's `*ReceiveBuffers` / `*TransmitBuffers`,
    /// `ethtool -G rx/tx`). `None`: the driver's default for the link speed.
    pub buffers: Option<u32>,
    /// Round-trip time between the hosts (0.2 ms: an assumed same-rack LAN; on a
    /// LAN the window rarely limits, loss and CPU do).
    pub rtt_ms: f64,
    /// Largest TCP receive window. Windows autotuning ("Normal", scale factor 8) reaches 16 MiB;
    /// a fixed 64 KiB window caps a 10 ms path at 52 Mbit/s (Microsoft NIC tuning guide).
    pub tcp_window_kib: f64,
}

impl Network {
    /// Receive descriptors per ring: the setting, or the driver's default for the link speed.
    pub fn ring_descriptors(&self) -> u32 {
        self.buffers
            .unwrap_or_else(|| driver_default_descriptors(self.link_gbps))
    }
}

impl Default for Network {
    fn default() -> Self {
        Network {
            link_gbps: 10.0,
            nics: 1,
            smb_limit_mibps: None,
            rdma: false,
            dedicated: false,
            buffers: None,
            rtt_ms: 0.2,
            tcp_window_kib: 16384.0,
        }
    }
}

/// Hyper-V's `-VirtualMachineMigrationPerformanceOption`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// Memory copied over one TCP connection.
    Tcp,
    /// Memory compressed with idle host CPU, then sent over TCP. Default since WS2012 R2.
    #[default]
    Compression,
    /// SMB 3: Multichannel, and SMB Direct when both hosts have RDMA NICs.
    Smb,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Transport {
    pub kind: TransportKind,
    /// Host CPU cores and their load (0..1); compression may only use idle cores.
    pub host_cores: u32,
    pub host_load: f64,
    /// Clock of one core. One TCP flow is processed on one core at ≈ 1 GHz per Gbit/s
    /// (Foong et al., ISPASS 2003), so one 2.5 GHz core carries ≈ 2.5 Gbit/s.
    pub core_ghz: f64,
    /// Compression threads: 0 = every idle core (Hyper-V); QEMU's legacy multi-thread
    /// compression used 8.
    pub compress_threads: u32,
    /// Page-at-a-time compression speed of one thread on compressible pages (input MiB/s).
    pub compress_mibps_per_thread: f64,
    /// Multifd's codecs at level 1, MiB/s of text-like pages one thread compresses. zlib: 31.5
    /// (QEMU's 2015 measurement, `QEMU_ZLIB_MIBPS_PER_THREAD`); zstd 5.6× that (lzbench on
    /// the Silesia corpus: 530 against 95 MB/s). The lab's host: 48 and 120 (`docs/lab.md`).
    pub zlib_mibps_per_thread: f64,
    pub zstd_mibps_per_thread: f64,
    /// How fast one thread checks pages for zeros (QEMU's `buffer_is_zero`), GiB/s. The lab's
    /// host scans at 4.9 GiB/s (`docs/lab.md`).
    pub zero_scan_gibps: f64,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            kind: TransportKind::Compression,
            host_cores: 16,
            host_load: 0.5,
            core_ghz: 2.5,
            compress_threads: 0,
            compress_mibps_per_thread: 250.0,
            zlib_mibps_per_thread: super::transport::QEMU_ZLIB_MIBPS_PER_THREAD,
            zstd_mibps_per_thread: super::transport::QEMU_ZLIB_MIBPS_PER_THREAD
                * super::transport::ZSTD_OVER_ZLIB_SPEED,
            zero_scan_gibps: super::transport::ZERO_SCAN_BYTES_PER_S / super::units::GIB,
        }
    }
}

/// When to stop copying while the VM runs and pause it for the final copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StopPolicy {
    /// Hyper-V: at most `max_passes` pre-copy passes (5 since WS2012 R2, Savill, *Mastering
    /// Hyper-V 2012 R2*; 10 in WS2008 R2), or earlier once what is left could be sent within
    /// `remainder_ms` ("few" pages; Microsoft publishes no threshold).
    /// Pass counts: Directions on Microsoft, "Live Migration switch-over"; Savill.
    #[serde(rename = "hyperv")]
    HyperV { max_passes: u32, remainder_ms: f64 },
    /// QEMU: stop when the remaining bytes fit in `downtime_limit_ms` at the measured bandwidth
    /// (`downtime-limit`, default 300 ms, qemu `migration/options.c`). No pass cap.
    Qemu {
        downtime_limit_ms: f64,
        /// Auto-converge: throttle the vCPUs 20 %, then 10 % more, up to 99 %, while the guest
        /// dirties more than half of what each pass sends (qemu `migration/ram.c`).
        #[serde(default)]
        auto_converge: bool,
        /// `max-bandwidth`: QEMU's own default is 128 MiB/s (`MAX_THROTTLE (128 << 20)` in
        /// `migration/migration.c` since 5.2; 32 MiB/s before); libvirt sets it to unlimited
        /// (`None`) unless told otherwise. QEMU lifts it for the stop-and-copy.
        #[serde(default = "qemu_max_bandwidth")]
        max_bandwidth_mibps: Option<f64>,
        /// The dirty log is cleared lazily, chunk by chunk just before the chunk's pages are
        /// sent (KVM_CLEAR_DIRTY_LOG with `clear-bitmap-shift`, QEMU 4.0 and later), so a page
        /// written while it waits to be sent is sent once. `false`: each bitmap sync clears the
        /// whole log, as QEMU did before 4.0.
        #[serde(default = "lazy_clear")]
        lazy_dirty_clear: bool,
        /// The `multifd` capability: pages over several connections, each with a thread that
        /// finds zero pages and compresses. `None`: off, QEMU's default (one migration thread
        /// and connection).
        #[serde(default)]
        multifd: Option<Multifd>,
        /// XBZRLE (the `xbzrle` capability) with a cache of this many MiB
        /// (`xbzrle-cache-size`, 64 MiB by default, a power of two of pages,
        /// `migration/page_cache.c`); `None`: off, QEMU's default. From pass 2 on, a page sent
        /// before goes as the XOR runs against the copy in the cache, whole when that is no
        /// smaller (`migration/ram.c`, `save_xbzrle_page`).
        #[serde(default)]
        xbzrle_cache_mib: Option<f64>,
        /// Post-copy (`postcopy-ram`, then `migrate-start-postcopy`): after this many pre-copy
        /// passes (0: at once) the VM moves to the destination and the pages it has not got
        /// follow, fetched when it touches them and pushed in the background
        /// (`docs/devel/migration/postcopy.rst`). `None`: pre-copy to the end.
        #[serde(default)]
        postcopy_after_passes: Option<u32>,
        /// Switch to post-copy as soon as a pass leaves no less to send than the one before
        /// (pre-copy has stalled), as KubeVirt's `allowPostCopy` does after its timeout.
        #[serde(default)]
        postcopy_when_stalled: bool,
        /// `postcopy-preempt` (QEMU 8.0+): a page the destination faults on goes at once on a
        /// channel of its own, not behind the background push already in flight.
        #[serde(default)]
        postcopy_preempt: bool,
    },
    /// Xen: stop when fewer than `min_dirty_pages` are dirty or after `max_iterations` rounds
    /// (today's `xg_sr_save.c`: 50 pages, 5 rounds), or once `max_factor` × memory has been sent
    /// (the older `xc_domain_save.c`: 30 rounds, 3×). `rate_adaptive` restores the 2005 paper's
    /// rate-limited rounds (100 Mbit/s at first, then 50 Mbit/s above the dirty rate, at most
    /// 500 Mbit/s), which later Xen compiled out.
    Xen {
        max_iterations: u32,
        min_dirty_pages: u32,
        max_factor: f64,
        #[serde(default)]
        rate_adaptive: bool,
    },
}

/// QEMU's multifd: RAM pages travel over `channels` parallel connections, each served by its
/// own thread that detects zero pages (`zero-page-detection=multifd`, QEMU 9.0) and, with
/// `compression`, compresses packets of pages (`multifd-compression`, `migration/multifd-zlib.c`,
/// `multifd-zstd.c`). It replaced the legacy compression threads, removed in QEMU 9.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multifd {
    /// `multifd-channels`: 2 by default, 1 to 255.
    pub channels: u32,
    #[serde(default)]
    pub compression: MultifdCompression,
}

/// `multifd-compression`, at QEMU's default level 1 for both codecs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MultifdCompression {
    #[default]
    None,
    Zlib,
    Zstd,
}

/// The names an enum's values take in files, links, the page's choices and the command
/// line (serde's lowercase names, so one table for all of them).
macro_rules! names {
    ($t:ty: $($v:path = $n:literal),+) => {
        impl $t {
            pub const NAMES: &'static [&'static str] = &[$($n),+];

            pub fn name(self) -> &'static str {
                match self { $($v => $n,)+ }
            }

            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($n => Some($v),)+
                    _ => None,
                }
            }
        }
    };
}

names!(Pattern: Pattern::Random = "random", Pattern::Sequential = "sequential", Pattern::HotCold = "hotcold");
names!(TransportKind: TransportKind::Tcp = "tcp", TransportKind::Compression = "compression", TransportKind::Smb = "smb");
names!(MultifdCompression: MultifdCompression::None = "none", MultifdCompression::Zlib = "zlib", MultifdCompression::Zstd = "zstd");

/// QEMU's default `max-bandwidth`, MiB/s.
pub const QEMU_MAX_BANDWIDTH_MIBPS: f64 = 128.0;

fn qemu_max_bandwidth() -> Option<f64> {
    Some(QEMU_MAX_BANDWIDTH_MIBPS)
}

fn lazy_clear() -> bool {
    true
}

impl Default for StopPolicy {
    fn default() -> Self {
        StopPolicy::hyperv()
    }
}

impl StopPolicy {
    pub fn hyperv() -> Self {
        StopPolicy::HyperV {
            max_passes: 5,
            remainder_ms: 50.0,
        }
    }
    pub fn qemu() -> Self {
        StopPolicy::Qemu {
            downtime_limit_ms: 300.0,
            auto_converge: false,
            max_bandwidth_mibps: qemu_max_bandwidth(),
            lazy_dirty_clear: true,
            multifd: None,
            xbzrle_cache_mib: None,
            postcopy_after_passes: None,
            postcopy_when_stalled: false,
            postcopy_preempt: false,
        }
    }
    /// QEMU as libvirt drives it: no bandwidth limit.
    pub fn qemu_libvirt() -> Self {
        StopPolicy::Qemu {
            downtime_limit_ms: 300.0,
            auto_converge: false,
            max_bandwidth_mibps: None,
            lazy_dirty_clear: true,
            multifd: None,
            xbzrle_cache_mib: None,
            postcopy_after_passes: None,
            postcopy_when_stalled: false,
            postcopy_preempt: false,
        }
    }
    /// The same QEMU with one setting changed: auto-converge, and lazy dirty-log clearing.
    pub fn with_qemu_options(mut self, auto: bool, lazy: bool) -> Self {
        if let StopPolicy::Qemu {
            auto_converge,
            lazy_dirty_clear,
            ..
        } = &mut self
        {
            *auto_converge = auto;
            *lazy_dirty_clear = lazy;
        }
        self
    }
    pub fn xen() -> Self {
        StopPolicy::Xen {
            max_iterations: 5,
            min_dirty_pages: 50,
            max_factor: 3.0,
            rate_adaptive: false,
        }
    }
    /// The kinds' names as files, links, the page's choice and the command line write them, in
    /// the order of the variants.
    pub const KINDS: [&'static str; 3] = ["hyperv", "qemu", "xen"];

    /// The policy's `kind` (one of [`StopPolicy::KINDS`]).
    pub fn kind(&self) -> &'static str {
        Self::KINDS[match self {
            StopPolicy::HyperV { .. } => 0,
            StopPolicy::Qemu { .. } => 1,
            StopPolicy::Xen { .. } => 2,
        }]
    }
    /// Every policy at its defaults, one of each kind.
    pub fn kinds() -> [StopPolicy; 3] {
        [StopPolicy::hyperv(), StopPolicy::qemu(), StopPolicy::xen()]
    }
    pub fn name(&self) -> &'static str {
        match self {
            StopPolicy::HyperV { .. } => "Hyper-V",
            StopPolicy::Qemu { .. } => "QEMU",
            StopPolicy::Xen { .. } => "Xen",
        }
    }
    /// QEMU sends all-zero pages as a few header bytes; Hyper-V and Xen send them in full
    /// (unless Hyper-V's compression squeezes them).
    pub fn zero_pages_as_markers(&self) -> bool {
        matches!(self, StopPolicy::Qemu { .. })
    }

    /// QEMU's multifd setting, when on.
    pub fn multifd(&self) -> Option<Multifd> {
        match *self {
            StopPolicy::Qemu { multifd, .. } => multifd,
            _ => None,
        }
    }

    /// XBZRLE's cache in bytes, when XBZRLE is on.
    pub fn xbzrle_cache(&self) -> Option<f64> {
        match *self {
            StopPolicy::Qemu {
                xbzrle_cache_mib, ..
            } => xbzrle_cache_mib.map(|m| m * super::units::MIB),
            _ => None,
        }
    }

    /// When post-copy takes over, if it is on: after how many passes (if set), whether when
    /// pre-copy stalls, and whether faulted pages preempt the background push.
    pub fn postcopy(&self) -> Option<PostcopySwitch> {
        match *self {
            StopPolicy::Qemu {
                postcopy_after_passes,
                postcopy_when_stalled,
                postcopy_preempt,
                ..
            } if postcopy_after_passes.is_some() || postcopy_when_stalled => Some(PostcopySwitch {
                after_passes: postcopy_after_passes,
                when_stalled: postcopy_when_stalled,
                preempt: postcopy_preempt,
            }),
            _ => None,
        }
    }

    /// Whether a page written before it was sent in a pass is sent only once.
    pub fn lazy_dirty_clear(&self) -> bool {
        matches!(
            self,
            StopPolicy::Qemu {
                lazy_dirty_clear: true,
                ..
            }
        )
    }

    /// QEMU's `max-bandwidth` in bytes/s, if it is limited.
    pub fn max_bandwidth(&self) -> Option<f64> {
        match *self {
            StopPolicy::Qemu {
                max_bandwidth_mibps,
                ..
            } => max_bandwidth_mibps.map(|m| m * super::units::MIB),
            _ => None,
        }
    }
}

/// When a QEMU migration switches to post-copy ([`StopPolicy::postcopy`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PostcopySwitch {
    pub after_passes: Option<u32>,
    pub when_stalled: bool,
    pub preempt: bool,
}

/// Costs that do not depend on memory size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Overheads {
    /// Connection, configuration transfer, skeleton VM and memory reservation on the destination.
    pub setup_s: f64,
    /// Device and vCPU state sent during the blackout, after the last dirty pages.
    pub device_state_mib: f64,
    /// Fixed stop-time work: stopping dirty logging, storage handle move, resume on the destination.
    pub switchover_ms: f64,
    /// After the VM runs on the destination: unsolicited ARP, source clean-up.
    pub cleanup_s: f64,
}

impl Default for Overheads {
    fn default() -> Self {
        Overheads::hyperv()
    }
}

impl Overheads {
    /// Hyper-V spends ≈ 2.7–3.5 s per migration outside the memory copy (7 s for a 512 MB VM at
    /// 119.5 MB/s, 5 s at 338 MB/s; Aidan Finn's WS2012 measurements,
    /// https://aidanfinn.com/?p=12228).
    /// The switchover (storage hand-off, resume) is milliseconds to hundreds of ms (Savill; Microsoft,
    /// "Optimizing Hyper-V Live Migrations on an Hyperconverged Infrastructure"); the device
    /// state of tens of MiB is an assumption.
    pub fn hyperv() -> Self {
        Overheads {
            setup_s: 2.5,
            device_state_mib: 20.0,
            switchover_ms: 100.0,
            cleanup_s: 0.2,
        }
    }
    /// QEMU: ≈ 20 ms of irreducible stop-time work (OPNFV measured 26–29 ms downtime at a 10 ms
    /// target, opnfv/kvmfornfv `docs/userguide/live_migration.userguide.rst`); setup is tens of ms; device state a few MiB.
    pub fn qemu() -> Self {
        Overheads {
            setup_s: 0.05,
            device_state_mib: 4.0,
            switchover_ms: 20.0,
            cleanup_s: 0.05,
        }
    }
    /// Xen: SPECweb's 210 ms downtime was ≈ 201 ms of final copy plus ≈ 9 ms to resume
    /// (Clark et al. 2005).
    pub fn xen() -> Self {
        Overheads {
            setup_s: 0.1,
            device_state_mib: 1.0,
            switchover_ms: 9.0,
            cleanup_s: 0.05,
        }
    }
    pub fn zero() -> Self {
        Overheads {
            setup_s: 0.0,
            device_state_mib: 0.0,
            switchover_ms: 0.0,
            cleanup_s: 0.0,
        }
    }
}

impl Scenario {
    /// A Xen-style scenario with Xen's overheads.
    pub fn xen_defaults() -> Self {
        Scenario {
            policy: StopPolicy::xen(),
            overheads: Overheads::xen(),
            transport: Transport {
                kind: TransportKind::Tcp,
                ..Transport::default()
            },
            ..Scenario::default()
        }
    }

    /// A QEMU-style scenario with QEMU's overheads.
    pub fn qemu_defaults() -> Self {
        Scenario {
            policy: StopPolicy::qemu(),
            overheads: Overheads::qemu(),
            transport: Transport {
                kind: TransportKind::Tcp,
                ..Transport::default()
            },
            ..Scenario::default()
        }
    }

    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = parse_object(text, Input::ScenarioFile)?;
        s.validate()?;
        Ok(s)
    }

    /// [`Scenario::from_json`] for JSON already parsed (a scenario edited as a JSON value).
    pub fn from_value(value: serde_json::Value) -> Result<Scenario, ScenarioError> {
        let s: Scenario = object_from_value(value, Input::ScenarioFile)?;
        s.validate()?;
        Ok(s)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::json::json_path_at;
    use super::*;

    #[test]
    fn defaults_validate_and_round_trip() {
        let s = Scenario::default();
        s.validate().unwrap();
        assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s);
        Scenario::qemu_defaults().validate().unwrap();
    }

    #[test]
    fn paths_are_found_at_positions() {
        let text = r#"{"a": [1, {"b": "x\"]", "c": [5, 6]}], "d": 1}"#;
        let at = |needle: &str| {
            let col = text.find(needle).unwrap() + needle.len();
            json_path_at(text, 1, col).concat()
        };
        assert_eq!(at("[1"), ".a[0]");
        assert_eq!(at(r#""x\"]""#), ".a[1].b");
        assert_eq!(at("[5, 6"), ".a[1].c[1]");
        assert_eq!(at(r#""d": 1"#), ".d");
    }

    #[test]
    fn partial_json_fills_defaults() {
        let s = Scenario::from_json(r#"{"version":1,"vm":{"memory_mib":4096}}"#).unwrap();
        assert_eq!(s.vm.memory_mib, 4096.0);
        assert_eq!(s.vm.dirty_rate_mibps, Vm::default().dirty_rate_mibps);
    }

    #[test]
    fn bad_input_names_the_field() {
        let e = Scenario::from_json(r#"{"vm":{"memory_mib":-1}}"#).unwrap_err();
        assert_eq!(e.field, "vm.memory_mib");
        let e = Scenario::from_json(r#"{"vm":{"memroy_mib":1}}"#).unwrap_err();
        assert!(e.message().contains("memroy_mib"), "{e}");
        // A value of the wrong type is named by its path, on one line or many.
        let e = Scenario::from_json(r#"{"network":{"link_gbps":"fast"}}"#).unwrap_err();
        assert!(
            e.message().contains("network.link_gbps: invalid type"),
            "{e}"
        );
        let e = Scenario::from_json(
            "{\n \"vm\": {\"pattern\": \"random\"},\n \"network\": {\n  \"nics\": -2\n }\n}",
        )
        .unwrap_err();
        assert!(e.message().contains("network.nics: invalid value"), "{e}");
        let e = Scenario::from_json(r#"{"vm":{"pattern":"spiral"}}"#).unwrap_err();
        assert!(e.message().contains("vm.pattern: unknown variant"), "{e}");
        let e = Scenario::from_json(r#"{"vm":{"nope":1}}"#).unwrap_err();
        assert!(e.message().contains(": vm: unknown field `nope`"), "{e}");
        let e = Scenario::from_json(r#"{"version":99}"#).unwrap_err();
        assert!(e.message().contains("version 99"), "{e}");
        let e = Scenario::from_json("{not json").unwrap_err();
        assert_eq!(e.field, "scenario");
        let mut s = Scenario::default();
        s.vm.working_set_mib = s.vm.memory_mib * 2.0;
        assert_eq!(s.validate().unwrap_err().field, "vm.working_set_mib");
        s = Scenario::default();
        s.vm.memory_mib = f64::NAN;
        assert!(s.validate().unwrap_err().message().contains("finite"));
        s = Scenario::default();
        s.vm.memory_mib = 1e12;
        assert!(s.validate().unwrap_err().message().contains("more memory"));
    }

    #[test]
    fn policies_serialise_with_a_kind_tag() {
        let json = serde_json::to_string(&StopPolicy::qemu()).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"qemu","downtime_limit_ms":300.0,"auto_converge":false,"max_bandwidth_mibps":128.0,"lazy_dirty_clear":true,"multifd":null,"xbzrle_cache_mib":null,"postcopy_after_passes":null,"postcopy_when_stalled":false,"postcopy_preempt":false}"#
        );
        let p: StopPolicy =
            serde_json::from_str(r#"{"kind":"qemu","downtime_limit_ms":30}"#).unwrap();
        assert_eq!(
            p,
            StopPolicy::Qemu {
                downtime_limit_ms: 30.0,
                auto_converge: false,
                max_bandwidth_mibps: Some(QEMU_MAX_BANDWIDTH_MIBPS),
                lazy_dirty_clear: true,
                multifd: None,
                xbzrle_cache_mib: None,
                postcopy_after_passes: None,
                postcopy_when_stalled: false,
                postcopy_preempt: false,
            },
            "QEMU's default max-bandwidth when the file does not set one"
        );
        let p: StopPolicy = serde_json::from_str(
            r#"{"kind":"qemu","downtime_limit_ms":30,"max_bandwidth_mibps":null}"#,
        )
        .unwrap();
        assert_eq!(
            p.max_bandwidth(),
            None,
            "null: unlimited, as libvirt sets it"
        );
    }
}
