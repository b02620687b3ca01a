//! How fast memory moves from host A to host B.
//!
//! The network path gives a wire rate that depends on the other traffic offered to the link at
//! that moment: line rate × NICs, framing overhead, TCP's window and loss ceilings, the CPU that
//! TCP needs, and a bandwidth cap. Loss comes from receive-ring overflow: while the core that
//! serves the migration's receive queue is busy elsewhere, the packets that really arrive on that
//! queue (the migration's own, plus other host traffic on a shared, converged network) fill the
//! ring, and what does not fit is dropped. The encoder decides how many wire bytes and how much
//! CPU a batch of pages costs: zero pages as markers (QEMU), compression by content, or raw
//! pages. Compression and TCP draw on one budget: the host's idle cores.

use serde::Serialize;

#[cfg(test)]
use super::scenario::driver_default_descriptors;
use super::scenario::{MultifdCompression, Scenario, StopPolicy, TransportKind};
use super::units::{gbps_to_bytes_per_s, GIB, MIB};

/// Ethernet frame on the wire for a 1500-byte MTU: 1500 + 14 header + 4 FCS + 8 preamble +
/// 12 inter-frame gap = 1538 bytes (IEEE 802.3 framing).
pub const WIRE_FRAME_BYTES: f64 = 1538.0;
/// TCP payload per frame (MSS 1460: 1500 − 20 IP − 20 TCP). 1460/1538 = 94.9 % of line rate,
/// which matches the 119.5 MB/s (95 %) a Hyper-V migration reached on 1 GbE (Aidan Finn,
/// "Windows Server 2012 Hyper-V Live Migration", aidanfinn.com/?p=12228).
pub const TCP_MSS_BYTES: f64 = 1460.0;
/// Delayed ACKs: one ACK per two segments (Padhye et al.'s b = 2).
pub const ACKED_PER_ACK: f64 = 2.0;
/// Retransmission timeout after a loss TCP cannot repair by fast retransmit. RFC 6298 allows
/// 1 s; Linux uses a 200 ms minimum (`TCP_RTO_MIN`), which we take for a LAN.
pub const RTO_S: f64 = 0.2;
/// SMB Direct goodput as a share of line rate: RDMA write benchmarks reach 93–97 %
/// (`ib_write_bw` 96.6 Gbit/s on 100 Gbit/s EDR InfiniBand).
pub const RDMA_EFFICIENCY: f64 = 0.95;
/// SMB Multichannel opens 4 connections per RSS-capable NIC (`ConnectionCountPerRssNetworkInterface`,
/// Microsoft, "Performance tuning for SMB file servers").
pub const SMB_CONNECTIONS_PER_NIC: f64 = 4.0;
/// Host CPU that TCP costs, in GHz per Gbit/s (cycles per bit), counted on each end.
///
/// Calibration: a Hyper-V host moving ≈ 17 Gbit/s of live-migration TCP spent ≈ 22 % of its 16
/// cores (D. Hayes, "High performance live migration done right means using SMB Direct",
/// workinghardinit 2015): 0.22 × 16 × 2.5 GHz / 17 Gbit/s = 0.52 at this engine's default clock.
/// The classic "1 GHz per Gbit/s" (Foong et al., ISPASS 2003) predates checksum and segmentation
/// offloads, which every server NIC now has.
pub const TCP_GHZ_PER_GBPS: f64 = 0.52;
/// RDMA moves data without the host CPU ("practically zero CPU", Ben Armstrong, "Faster Live
/// Migration with RDMA in Windows Server 2012 R2").
pub const RDMA_GHZ_PER_GBPS: f64 = 0.02;
/// The host keeps at least one core for its own networking however busy its VMs are.
pub const MIN_NETWORK_CORES: f64 = 1.0;

/// Host service gaps that a receive ring must absorb (interrupt moderation, DPC latency, SMIs of
/// ≥ 100 µs per Microsoft's NIC tuning guide): `STALLS_PER_S` a second, exponentially distributed.
/// On an idle core a gap lasts `STALL_SERVICE_S` on average; on a core that is busy a fraction ρ of
/// the time, a packet waits out a busy period of mean S/(1 − ρ) (M/M/1). Modelling assumptions
/// with no published calibration: the trends (more descriptors, fewer drops; busier hosts, more
/// drops) are what they are for.
pub const STALLS_PER_S: f64 = 100.0;
pub const STALL_SERVICE_S: f64 = 0.000_1;
/// The busiest a core is taken to be when sizing stalls (keeps S/(1 − ρ) finite at 100 % load).
pub const MAX_STALL_LOAD: f64 = 0.99;

/// On a shared network other traffic takes at most this share of a link: the migration's TCP
/// flows keep a sliver even in the worst burst.
pub const MAX_BACKGROUND_SHARE: f64 = 0.9;

/// Compression ratios by page content: text-like pages ≈ 3× (zstd/zlib level 1 on the Silesia
/// corpus: 2.7–2.9×, lzbench), random or already-compressed data 1×, zero pages nearly nothing.
pub const TEXT_RATIO: f64 = 3.0;
pub const ZERO_RATIO: f64 = 512.0;
/// A nearly empty page (one non-zero word in 4 KiB) through multifd's zlib-1 stream: 71 bytes
/// a page on the wire with its share of the packet header, 57.5× (*calibrated* on the lab run
/// `m512-ws32768-r0-seq-word-bwunl-dl300-mf4zlib`; zstd-1's 52–54 bytes in the held-out runs
/// are a prediction). Each codec gets through such pages faster than through text
/// (`ZLIB_SPARSE_SPEEDUP`, `ZSTD_SPARSE_SPEEDUP`).
pub const SPARSE_RATIO: f64 = 57.5;
/// LZ compressors pass incompressible data through about 2.5× faster than they compress text,
/// and skim zero pages at memory speed (the default of `Transport::zero_scan_gibps`).
pub const INCOMPRESSIBLE_SPEEDUP: f64 = 2.5;
pub const ZERO_SCAN_BYTES_PER_S: f64 = 4096.0 * MIB;
/// Decompression is ≥ 4× faster than compression (QEMU, `docs/multi-thread-compression.txt`).
pub const DECOMPRESS_SPEEDUP: f64 = 4.0;
/// QEMU's zlib level 1 on guest pages: 31.5 MiB/s per thread, calibrated on QEMU's own 2015
/// measurement (8 threads, `docs/multi-thread-compression.txt`; validation point V3). Multifd's
/// zlib channels run the same codec at the same level.
pub const QEMU_ZLIB_MIBPS_PER_THREAD: f64 = 31.5;
/// zstd level 1 compresses 530 MB/s and decompresses 1700 MB/s where zlib level 1 manages 95
/// and 400 MB/s on the same core (lzbench on the Silesia corpus, zstd's README): 5.6× faster,
/// and it decompresses 3.2× faster than it compresses. Ratios are alike (2.89 vs 2.74).
pub const ZSTD_OVER_ZLIB_SPEED: f64 = 530.0 / 95.0;
pub const ZSTD_DECOMPRESS_SPEEDUP: f64 = 1700.0 / 530.0;
/// How much faster than text-like pages each multifd codec gets through random pages and
/// nearly empty ones, per thread. *Calibrated* on the lab's calibration runs (`docs/lab.md`):
/// zlib-1 is slower on random data (42 against 61 MiB/s a thread:
/// `m512-ws65536-r0-rnd-{random,text}-bwunl-dl300-mf2zlib`) and 4.9× faster on nearly empty
/// pages (`m512-ws32768-r0-seq-word-bwunl-dl300-mf4zlib`); zstd-1 passes random data 4.8×
/// faster (`…-mf2zstd`). Set on the lab's first data set; the same runs measured again (with
/// preallocated guest RAM) give 0.74, 5.7 and 6.1. No calibration run has zstd on nearly empty
/// pages: taken as its random speed-up (an assumption).
pub const ZLIB_RANDOM_SPEEDUP: f64 = 0.69;
pub const ZLIB_SPARSE_SPEEDUP: f64 = 4.9;
pub const ZSTD_RANDOM_SPEEDUP: f64 = 4.8;
pub const ZSTD_SPARSE_SPEEDUP: f64 = 4.8;
/// Every page QEMU sends carries an 8-byte header (offset and flags: `save_page_header` in
/// `migration/ram.c`; multifd packets list an 8-byte offset per page).
pub const PAGE_HEADER_BYTES: f64 = 8.0;
/// Below one idle core Hyper-V stops compressing and falls back to TCP/IP (Ben Armstrong,
/// "Faster Live Migration with Compression in Windows Server 2012 R2").
pub const MIN_IDLE_CORES_FOR_COMPRESSION: f64 = 1.0;
/// A QEMU zero page costs its 8-byte page header plus one byte on the wire
/// (`save_zero_page` in QEMU's `migration/ram.c`).
pub const ZERO_MARKER_BYTES: f64 = 9.0;
pub const PAGE_BYTES: f64 = 4096.0;

/// Payload of one multifd packet: 128 pages of 4 KiB (`MULTIFD_PACKET_SIZE`, 512 KiB, in
/// QEMU's `migration/multifd.h`).
pub const MULTIFD_PACKET_BYTES: f64 = 512.0 * 1024.0;

/// What QEMU's `max-bandwidth` lets through, bytes/s. It budgets `max-bandwidth` / 10 per
/// 100 ms window and sleeps out the window once the bytes counted pass it
/// (`migration_rate_exceeded`, `migration_rate_limit` in `migration/migration.c`). Multifd's
/// bytes are counted only once a channel has written its packet, and the migration thread
/// keeps handing packets out until then, so each window lets through up to a packet per
/// channel, and the one being filled, more than its budget; the next window does not take the
/// excess back (`migration_rate_reset` starts from the current count).
pub fn qemu_cap(s: &Scenario) -> Option<f64> {
    let cap = s.policy.max_bandwidth()?;
    let in_flight = s
        .policy
        .multifd()
        .map_or(0.0, |m| f64::from(m.channels + 1) * MULTIFD_PACKET_BYTES);
    Some(cap + in_flight / super::migration::BANDWIDTH_WINDOW_S)
}

/// What limits the transfer rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bottleneck {
    NoLink,
    LineRate,
    TcpWindow,
    PacketLoss,
    TransportCpu,
    BandwidthCap,
    CompressionCpu,
    /// Xen's adaptive rounds hold pre-copy to 100–500 Mbit/s.
    RoundLimit,
}

/// The network path's fixed properties and the ceilings derived from them. Functions that
/// depend on other traffic take `background`: the wire bytes/s other senders offer to the link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateBreakdown {
    /// Line rate of the NICs the migration uses, bytes/s.
    pub line_rate: f64,
    pub nics_used: u32,
    /// Share of line rate left after framing and protocol headers.
    pub protocol_efficiency: f64,
    /// Receive descriptors per ring.
    pub descriptors: f64,
    /// Mean length of a service gap on the receiving core.
    pub stall_mean_s: f64,
    pub rtt_s: f64,
    /// Parallel transport flows (1 for TCP/IP and Compression; 4 per NIC for SMB).
    pub flows: f64,
    /// Window / RTT for all flows together, bytes/s.
    pub window_ceiling: f64,
    /// Each flow is processed by one core at a time on each end (receive-side scaling hashes a
    /// flow to one queue): flows × core clock / cost, bytes/s.
    pub flow_cpu_ceiling: f64,
    /// What the host's idle cores (at least one) can carry for transport alone, bytes/s.
    pub cpu_ceiling: f64,
    /// Core-seconds one wire byte costs the transport on each end.
    pub transport_core_s_per_byte: f64,
    pub rdma_active: bool,
    pub dedicated: bool,
    /// The tightest bandwidth limit in force, bytes/s: QEMU's `max-bandwidth`, and Hyper-V's
    /// SMB limit when the SMB option is used.
    pub cap: Option<f64>,
    /// The SMB limit alone: what still holds once QEMU lifts its own for the stop-and-copy.
    pub smb_cap: Option<f64>,
    pub compression_active: bool,
    /// Compression threads when fixed (QEMU's legacy 8); `None`: any idle core (Hyper-V).
    pub compress_threads: Option<f64>,
    pub compress_bytes_per_thread: f64,
    /// How much faster a thread gets through incompressible pages, and nearly empty ones, than
    /// through text-like pages.
    pub random_speedup: f64,
    pub sparse_speedup: f64,
    /// How much faster the destination decompresses than the source compresses.
    pub decompress_speedup: f64,
    pub compressible_fraction: f64,
    /// Written pages all-zero when sent, and nearly empty ones (`Vm::zero_fraction`,
    /// `Vm::sparse_fraction`).
    pub zero_fraction: f64,
    pub sparse_fraction: f64,
    /// Bytes/s one thread checks for zeros (`Transport::zero_scan_gibps`).
    pub zero_scan_bytes_per_s: f64,
    pub idle_cores: f64,
    pub zero_markers: bool,
}

/// What a batch of pages costs to send.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Encoded {
    /// Memory covered (data + zero pages).
    pub memory: f64,
    /// Bytes on the wire.
    pub wire: f64,
    /// Core-seconds of compression (or of QEMU's zero-page scan) on the source and of
    /// decompression on the destination.
    pub compress_core_s: f64,
    pub decompress_core_s: f64,
}

impl RateBreakdown {
    pub fn new(s: &Scenario) -> RateBreakdown {
        let net = &s.network;
        let tr = &s.transport;
        let smb = tr.kind == TransportKind::Smb;
        let rdma_active = smb && net.rdma;
        let nics_used = if smb { net.nics } else { 1 };
        let multifd = s.policy.multifd();
        let codec = multifd.map_or(MultifdCompression::None, |m| m.compression);
        let line_rate = gbps_to_bytes_per_s(net.link_gbps) * f64::from(nics_used);
        let idle_cores = f64::from(tr.host_cores) * (1.0 - tr.host_load);
        // Multifd compresses when told to, whatever the host's load; Hyper-V only with idle
        // cores; QEMU's legacy threads (the Compression option under QEMU) likewise.
        let compression_active = match multifd {
            Some(_) => codec != MultifdCompression::None,
            None => {
                tr.kind == TransportKind::Compression
                    && idle_cores >= MIN_IDLE_CORES_FOR_COMPRESSION
            }
        };
        // Hyper-V's compression runs on idle CPU only: it monitors CPU use and throttles the
        // compression engine (Ben Armstrong, as above), and when compression contends for the
        // CPU the migration switches to TCP/IP (Aidan Finn, https://aidanfinn.com/?p=15421).
        // Modelled as: on whatever cores are idle (no fixed thread count), compression is used
        // only where it is faster than plain TCP/IP on the same cores; with few idle cores on a
        // fast link, or pages that barely compress, the pages go uncompressed. So an extra idle
        // core never makes a Hyper-V migration slower. QEMU's fixed compression threads and
        // multifd compress as configured, faster or not.
        let opportunistic = multifd.is_none() && tr.compress_threads == 0;
        let flows = match multifd {
            Some(m) => f64::from(m.channels.max(1)),
            None if smb => SMB_CONNECTIONS_PER_NIC * f64::from(nics_used),
            None => 1.0,
        };
        let rtt_s = net.rtt_ms / 1000.0;
        let ghz_per_gbps = if rdma_active {
            RDMA_GHZ_PER_GBPS
        } else {
            TCP_GHZ_PER_GBPS
        };
        let per_core = gbps_to_bytes_per_s(tr.core_ghz / ghz_per_gbps);
        let zero_markers = s.policy.zero_pages_as_markers() && !rdma_active;
        // Set-SmbBandwidthLimit -Category LiveMigration throttles SMB traffic only.
        let smb_cap = net.smb_limit_mibps.filter(|_| smb).map(|m| m * MIB);
        let make = |compression_active: bool| {
            RateBreakdown {
                line_rate,
                nics_used,
                protocol_efficiency: if rdma_active {
                    RDMA_EFFICIENCY
                } else {
                    TCP_MSS_BYTES / WIRE_FRAME_BYTES
                },
                descriptors: f64::from(net.ring_descriptors()),
                stall_mean_s: STALL_SERVICE_S / (1.0 - tr.host_load.min(MAX_STALL_LOAD)),
                rtt_s,
                flows,
                window_ceiling: if rdma_active {
                    f64::INFINITY
                } else {
                    flows * net.tcp_window_kib * 1024.0 / rtt_s
                },
                flow_cpu_ceiling: flows * per_core,
                cpu_ceiling: idle_cores.max(MIN_NETWORK_CORES) * per_core,
                transport_core_s_per_byte: 1.0 / per_core,
                rdma_active,
                dedicated: net.dedicated,
                cap: match (smb_cap, qemu_cap(s)) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                },
                smb_cap,
                compression_active,
                compress_threads: match multifd {
                    // Each channel's thread finds zero pages and compresses its packets.
                    Some(m) => Some(f64::from(m.channels.max(1))),
                    // QEMU checks pages for zeros in its one migration thread.
                    None if zero_markers && !compression_active => Some(1.0),
                    None => (tr.compress_threads > 0).then(|| f64::from(tr.compress_threads)),
                },
                compress_bytes_per_thread: match codec {
                    MultifdCompression::Zlib => tr.zlib_mibps_per_thread * MIB,
                    MultifdCompression::Zstd => tr.zstd_mibps_per_thread * MIB,
                    MultifdCompression::None => tr.compress_mibps_per_thread * MIB,
                },
                random_speedup: match codec {
                    MultifdCompression::Zlib => ZLIB_RANDOM_SPEEDUP,
                    MultifdCompression::Zstd => ZSTD_RANDOM_SPEEDUP,
                    MultifdCompression::None => INCOMPRESSIBLE_SPEEDUP,
                },
                sparse_speedup: match codec {
                    MultifdCompression::Zlib => ZLIB_SPARSE_SPEEDUP,
                    MultifdCompression::Zstd => ZSTD_SPARSE_SPEEDUP,
                    MultifdCompression::None => INCOMPRESSIBLE_SPEEDUP,
                },
                decompress_speedup: if codec == MultifdCompression::Zstd {
                    ZSTD_DECOMPRESS_SPEEDUP
                } else {
                    DECOMPRESS_SPEEDUP
                },
                compressible_fraction: s.vm.compressible_fraction,
                zero_fraction: s.vm.zero_fraction,
                sparse_fraction: s.vm.sparse_fraction,
                zero_scan_bytes_per_s: tr.zero_scan_gibps * GIB,
                idle_cores,
                // QEMU's RDMA transport registers and sends whole chunks: no per-page zero check.
                zero_markers,
            }
        };
        let r = make(compression_active);
        if compression_active && opportunistic {
            let plain = make(false);
            if plain.memory_rate(0.0) > r.memory_rate(0.0) {
                return plain;
            }
        }
        r
    }

    /// The path during the stop-and-copy: QEMU lifts max-bandwidth once the VM is stopped
    /// (`migration_completion_precopy` sets RATE_LIMIT_DISABLED); Hyper-V's SMB limit stays.
    pub fn for_stop_copy(&self) -> RateBreakdown {
        RateBreakdown {
            cap: self.smb_cap,
            ..self.clone()
        }
    }

    /// Memory bytes/s of written pages when the wire carries `wire_rate` bytes/s.
    pub fn memory_rate_at_wire(&self, wire_rate: f64) -> f64 {
        let e = self.encode(1.0, 0.0);
        if e.wire > 0.0 {
            wire_rate / e.wire
        } else {
            0.0
        }
    }

    /// Payload bytes/s the link carries when nothing else uses it.
    pub fn payload_capacity(&self) -> f64 {
        (self.line_rate * self.protocol_efficiency).max(0.0)
    }

    /// Wire bytes/s of other traffic the link actually carries when `background` is offered.
    pub fn background_carried(&self, background: f64) -> f64 {
        carried(self.line_rate, background)
    }

    /// Payload bytes/s the link leaves the migration when `background` is offered.
    pub fn available_payload(&self, background: f64) -> f64 {
        link_payload(self.line_rate, background, self.protocol_efficiency)
    }

    /// Share of the link other traffic takes when `background` is offered.
    pub fn background_share(&self, background: f64) -> f64 {
        if self.line_rate > 0.0 {
            self.background_carried(background) / self.line_rate
        } else {
            0.0
        }
    }

    /// Packets per second arriving on one migration receive queue when the migration moves
    /// `rate` payload bytes/s. On a shared network the host's traffic goes through one
    /// converged virtual NIC, so other host traffic lands on the same queue; a dedicated
    /// migration NIC gives each flow its own queue.
    fn queue_packets_per_s(&self, rate: f64, background: f64) -> f64 {
        let own = rate / TCP_MSS_BYTES / self.flows;
        let other = if self.dedicated {
            0.0
        } else {
            background / WIRE_FRAME_BYTES
        };
        own + other
    }

    /// How long a receive ring absorbs a stall when the migration moves `rate` payload bytes/s.
    pub fn ring_absorb_s(&self, rate: f64, background: f64) -> f64 {
        let pps = self.queue_packets_per_s(rate, background);
        if pps > 0.0 {
            self.descriptors / pps
        } else {
            f64::INFINITY
        }
    }

    /// Packet loss probability at migration rate `rate` (0 for RDMA, which runs on a lossless
    /// fabric): packets arriving after a stall filled the ring are dropped.
    pub fn loss_probability(&self, rate: f64, background: f64) -> f64 {
        if self.rdma_active || self.line_rate == 0.0 {
            0.0
        } else {
            ring_loss_probability(self.ring_absorb_s(rate, background), self.stall_mean_s)
        }
    }

    /// Loss ceiling (Padhye et al.) for all flows together at migration rate `rate`, bytes/s.
    pub fn loss_ceiling(&self, rate: f64, background: f64) -> f64 {
        self.flows
            * padhye_ceiling(
                TCP_MSS_BYTES,
                self.rtt_s,
                self.loss_probability(rate, background),
                RTO_S,
            )
    }

    /// Every ceiling except loss: line rate less other traffic, window, CPU and cap, bytes/s.
    fn lossless_rate(&self, background: f64) -> f64 {
        let mut r = self.available_payload(background);
        if !self.rdma_active {
            r = r
                .min(self.window_ceiling)
                .min(self.flow_cpu_ceiling)
                .min(self.cpu_ceiling);
        }
        if let Some(cap) = self.cap {
            r = r.min(cap);
        }
        r
    }

    /// The rate at which TCP's loss ceiling equals the rate that causes that loss. Faster
    /// sending fills the ring sooner and loses more, so the ceiling falls as the rate rises and
    /// the two cross once. Solved on a fixed interval so the answer depends on nothing but the
    /// ring, the stalls, the flows and the other traffic.
    fn loss_equilibrium(&self, background: f64) -> f64 {
        let (mut lo, mut hi) = (0.0f64, 60.0f64); // ln bytes/s: 1 B/s .. 1.1e26 B/s
        for _ in 0..64 {
            let mid = 0.5 * (lo + hi);
            let r = mid.exp();
            if self.loss_ceiling(r, background) >= r {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo.exp()
    }

    /// Wire bytes/s available to the migration while other senders offer `background` wire
    /// bytes/s to the link.
    pub fn wire_rate(&self, background: f64) -> f64 {
        let r = self.lossless_rate(background);
        if self.rdma_active || r <= 0.0 || self.loss_ceiling(r, background) >= r {
            return r;
        }
        r.min(self.loss_equilibrium(background))
    }

    /// What the wire bytes and CPU of sending `data` bytes of written pages and `zero` bytes of
    /// never-written pages are.
    pub fn encode(&self, data: f64, zero: f64) -> Encoded {
        let memory = data + zero;
        // Written pages that are zeros when sent travel as zero pages.
        let zeroed = data * self.zero_fraction;
        let sparse = data * self.sparse_fraction;
        let (data, zero) = (data - zeroed, zero + zeroed);
        if self.compression_active {
            let text = (data - sparse) * self.compressible_fraction;
            let other = data - sparse - text;
            let wire = text / TEXT_RATIO + sparse / SPARSE_RATIO + other + zero / ZERO_RATIO;
            let per = self.compress_bytes_per_thread;
            let core_s = text / per
                + other / (per * self.random_speedup)
                + sparse / (per * self.sparse_speedup)
                + zero / self.zero_scan_bytes_per_s;
            Encoded {
                memory,
                wire,
                compress_core_s: core_s,
                decompress_core_s: core_s / self.decompress_speedup,
            }
        } else if self.zero_markers {
            let scan = zero / self.zero_scan_bytes_per_s;
            Encoded {
                memory,
                wire: data * (1.0 + PAGE_HEADER_BYTES / PAGE_BYTES)
                    + zero / PAGE_BYTES * ZERO_MARKER_BYTES,
                compress_core_s: scan,
                decompress_core_s: 0.0,
            }
        } else {
            Encoded {
                memory,
                wire: memory,
                ..Encoded::default()
            }
        }
    }

    /// Wire bytes/s at which the source's CPU keeps up with a transfer of the pages in `enc`
    /// followed by `extra` bytes that need no preparation (device state, disk blocks):
    /// compression (or the zero scan) on its threads, and compression plus TCP together within
    /// the idle cores. The CPU paces only the pages' share of the transfer.
    pub fn cpu_wire_limit(&self, enc: &Encoded, extra: f64) -> f64 {
        if enc.wire <= 0.0 || enc.compress_core_s <= 0.0 {
            return f64::INFINITY;
        }
        let prep = enc.compress_core_s / enc.wire;
        let threads = self.compress_threads.map_or(f64::INFINITY, |t| t / prep);
        let budget =
            self.idle_cores.max(MIN_NETWORK_CORES) / (prep + self.transport_core_s_per_byte);
        threads.min(budget) * (enc.wire + extra) / enc.wire
    }

    /// Memory bytes/s for typical pages (no zero pages) with `background` offered, for summaries.
    pub fn memory_rate(&self, background: f64) -> f64 {
        let e = self.encode(1.0, 0.0);
        let wire = self.wire_rate(background).min(self.cpu_wire_limit(&e, 0.0));
        if wire <= 0.0 || e.wire <= 0.0 {
            return 0.0;
        }
        wire / e.wire
    }

    /// The source CPU's memory throughput on typical pages, bytes of memory per second.
    pub fn compression_cpu_rate(&self) -> f64 {
        let e = self.encode(1.0, 0.0);
        self.cpu_wire_limit(&e, 0.0) / e.wire.max(f64::MIN_POSITIVE)
    }

    /// What limits the memory rate with `background` offered.
    pub fn bottleneck(&self, background: f64) -> Bottleneck {
        if self.line_rate == 0.0 {
            return Bottleneck::NoLink;
        }
        let e = self.encode(1.0, 0.0);
        let wire = self.wire_rate(background);
        if self.cpu_wire_limit(&e, 0.0) < wire {
            return Bottleneck::CompressionCpu;
        }
        let lossless = self.lossless_rate(background);
        if wire < lossless * (1.0 - 1e-9) {
            return Bottleneck::PacketLoss;
        }
        let line = self.available_payload(background);
        let candidates = [
            (self.cap.unwrap_or(f64::INFINITY), Bottleneck::BandwidthCap),
            (self.window_ceiling, Bottleneck::TcpWindow),
            (
                self.flow_cpu_ceiling.min(self.cpu_ceiling),
                Bottleneck::TransportCpu,
            ),
        ];
        let mut best = (line, Bottleneck::LineRate);
        for (v, b) in candidates {
            if b != Bottleneck::BandwidthCap && self.rdma_active {
                continue;
            }
            if v < best.0 {
                best = (v, b);
            }
        }
        best.1
    }

    /// Transport CPU (core-seconds) to move `wire` bytes, on each end.
    pub fn transport_core_s(&self, wire: f64) -> f64 {
        wire * self.transport_core_s_per_byte
    }
}

/// Wire bytes/s of other traffic a link of `line` bytes/s carries when `offered` is offered:
/// all of it, up to [`MAX_BACKGROUND_SHARE`] of the link.
pub fn carried(line: f64, offered: f64) -> f64 {
    offered.min(MAX_BACKGROUND_SHARE * line)
}

/// Payload bytes/s a link of `line` bytes/s leaves a transfer with protocol `efficiency` when
/// other senders offer `offered` wire bytes/s.
pub fn link_payload(line: f64, offered: f64, efficiency: f64) -> f64 {
    ((line - carried(line, offered)) * efficiency).max(0.0)
}

/// Per-packet drop probability when host stalls outlast the ring. Stalls arrive at
/// `STALLS_PER_S` with exponentially distributed length (mean m); packets arriving after the
/// ring filled are dropped, so the dropped fraction is rate · E[(g − a)⁺] = rate · m · e^(−a/m).
pub fn ring_loss_probability(absorb_s: f64, stall_mean_s: f64) -> f64 {
    let m = stall_mean_s;
    (STALLS_PER_S * m * (-absorb_s / m).exp()).clamp(0.0, 1.0)
}
/// Mathis et al. 1997: a TCP flow with loss p cannot exceed MSS/RTT · 1.22/√p bytes/s.
pub fn mathis_ceiling(mss: f64, rtt_s: f64, p: f64) -> f64 {
    if p <= 0.0 || rtt_s <= 0.0 {
        f64::INFINITY
    } else {
        mss / rtt_s * 1.22 / p.sqrt()
    }
}

/// Padhye et al. 1998 (approximation with retransmission timeouts, b ACKed packets per ACK):
/// 1 / (RTT·√(2bp/3) + T0·min(1, 3√(3bp/8))·p·(1 + 32p²)) packets/s, times MSS.
pub fn padhye_ceiling(mss: f64, rtt_s: f64, p: f64, rto_s: f64) -> f64 {
    if p <= 0.0 {
        return f64::INFINITY;
    }
    let b = ACKED_PER_ACK;
    let fast = rtt_s * (2.0 * b * p / 3.0).sqrt();
    let timeouts = rto_s * (3.0 * (3.0 * b * p / 8.0).sqrt()).min(1.0) * p * (1.0 + 32.0 * p * p);
    mss / (fast + timeouts)
}

/// Throughput ceiling of a window-limited flow: window / RTT (bytes/s).
pub fn window_ceiling(window_bytes: f64, rtt_s: f64) -> f64 {
    window_bytes / rtt_s
}

/// The rate limit (bytes/s) of a pre-copy round under Xen's adaptive sending, for a round after
/// one that dirtied at `dirty_rate` bytes/s: 100 Mbit/s first, then the dirty rate + 50 Mbit/s,
/// within 100..500 Mbit/s (Clark et al. 2005). None when the policy sends at full speed.
pub fn xen_round_limit(policy: &StopPolicy, first: bool, dirty_rate: f64) -> Option<f64> {
    match *policy {
        StopPolicy::Xen {
            rate_adaptive: true,
            ..
        } => {
            let mbit = 1e6 / 8.0;
            Some(if first {
                100.0 * mbit
            } else {
                (dirty_rate + 50.0 * mbit).clamp(100.0 * mbit, 500.0 * mbit)
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::{Scenario, TransportKind, MAX_DESCRIPTORS};

    fn tcp(link: f64, buffers: u32) -> RateBreakdown {
        let mut s = Scenario::default();
        s.network.link_gbps = link;
        s.network.buffers = Some(buffers);
        s.network.dedicated = true;
        s.transport.kind = TransportKind::Tcp;
        RateBreakdown::new(&s)
    }

    fn gbit(bytes_per_s: f64) -> f64 {
        bytes_per_s * 8.0 / 1e9
    }

    #[test]
    fn tcp_on_gigabit_reaches_ninety_five_percent() {
        let r = tcp(1.0, 256);
        let mb_s = r.wire_rate(0.0) / 1e6;
        assert!((mb_s - 118.66).abs() < 0.1, "{mb_s}");
        assert_eq!(r.bottleneck(0.0), Bottleneck::LineRate);
    }

    #[test]
    fn one_tcp_flow_runs_on_one_core_at_any_link_speed() {
        // 2.5 GHz / 0.52 GHz per Gbit/s = 4.8 Gbit/s for one flow, on 10 GbE and on 400 GbE.
        for link in [10.0, 25.0, 100.0, 400.0] {
            let r = tcp(link, 512);
            assert_eq!(r.bottleneck(0.0), Bottleneck::TransportCpu, "{link}");
            assert!((gbit(r.wire_rate(0.0)) - 2.5 / TCP_GHZ_PER_GBPS).abs() < 1e-9);
        }
    }

    #[test]
    fn ring_absorb_follows_the_packets_that_arrive() {
        // 512 descriptors filled at 10 GbE line rate last 0.63 ms; 4096 last 5.0 ms
        // (812,744 full frames a second).
        let r = tcp(10.0, 512);
        let line = r.payload_capacity();
        assert!((r.ring_absorb_s(line, 0.0) * 1e3 - 0.63).abs() < 0.01);
        assert!((tcp(10.0, 4096).ring_absorb_s(line, 0.0) * 1e3 - 5.04).abs() < 0.01);
        // The same ring at half the rate lasts twice as long, whatever the link's speed.
        assert!((tcp(100.0, 512).ring_absorb_s(line / 2.0, 0.0) * 1e3 - 1.26).abs() < 0.01);
        // On a shared network other host traffic arrives on the same queue.
        let mut s = Scenario::default();
        s.network.buffers = Some(512);
        s.network.dedicated = false;
        let shared = RateBreakdown::new(&s);
        assert!(shared.ring_absorb_s(line / 2.0, line / 2.0) < 0.7e-3);
    }

    #[test]
    fn loss_settles_where_the_ceiling_meets_the_rate() {
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Tcp;
        s.network.buffers = Some(64);
        s.transport.host_load = 0.9;
        let r = RateBreakdown::new(&s);
        let bg = gbps_to_bytes_per_s(5.0);
        let rate = r.wire_rate(bg);
        assert_eq!(r.bottleneck(bg), Bottleneck::PacketLoss);
        assert!((r.loss_ceiling(rate, bg) / rate - 1.0).abs() < 1e-6);
        assert!(r.loss_probability(rate, bg) > 1e-4);
    }

    #[test]
    fn mathis_and_padhye_match_published_examples() {
        // MSS 1460, RTT 0.2 ms, p = 1e-4 → 7.1 Gbit/s; p = 1e-3 → 2.25 Gbit/s (Mathis et al.).
        let g = mathis_ceiling(1460.0, 0.0002, 1e-4) * 8.0 / 1e9;
        assert!((g - 7.12).abs() < 0.05, "{g}");
        let g = mathis_ceiling(1460.0, 0.0002, 1e-3) * 8.0 / 1e9;
        assert!((g - 2.25).abs() < 0.02, "{g}");
        // Without timeouts Padhye's fast-retransmit term is Mathis with delayed ACKs (C = √(3/4)).
        let no_rto = padhye_ceiling(1460.0, 0.0002, 1e-4, 0.0);
        let mathis_delayed = mathis_ceiling(1460.0, 0.0002, 1e-4) * (0.75f64).sqrt() / 1.22;
        assert!((no_rto / mathis_delayed - 1.0).abs() < 0.01);
        // At 0.1 % loss a 200 ms RTO on a 0.2 ms LAN costs more than the fast retransmits.
        let fast_only = padhye_ceiling(1460.0, 0.0002, 1e-3, 0.0);
        assert!(padhye_ceiling(1460.0, 0.0002, 1e-3, 0.2) < 0.5 * fast_only);
    }

    #[test]
    fn small_windows_cap_long_paths() {
        // 64 KB window, 10 ms RTT: 52 Mbit/s ("only 51 Mbps", Microsoft NIC tuning guide, V10).
        let mbit = window_ceiling(65535.0, 0.010) * 8.0 / 1e6;
        assert!((mbit - 52.4).abs() < 0.1, "{mbit}");
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Tcp;
        s.network.link_gbps = 1.0;
        s.network.rtt_ms = 10.0;
        s.network.tcp_window_kib = 64.0;
        s.network.dedicated = true;
        let r = RateBreakdown::new(&s);
        assert_eq!(r.bottleneck(0.0), Bottleneck::TcpWindow);
    }

    #[test]
    fn more_buffers_remove_loss_on_a_busy_host_or_a_busy_queue() {
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Smb;
        s.network.link_gbps = 25.0;
        s.network.dedicated = false;
        s.network.buffers = Some(512);
        let burst = gbps_to_bytes_per_s(8.0);
        let small = RateBreakdown::new(&s);
        s.network.buffers = Some(MAX_DESCRIPTORS);
        let big = RateBreakdown::new(&s);
        // A quiet queue on a half-busy host: the default ring suffices.
        assert!(small.loss_probability(small.wire_rate(0.0), 0.0) < 1e-4);
        assert_ne!(small.bottleneck(0.0), Bottleneck::PacketLoss);
        // A burst of other host traffic on the same queue: loss, and TCP backs off hard.
        assert_eq!(small.bottleneck(burst), Bottleneck::PacketLoss);
        assert!(big.loss_probability(big.wire_rate(burst), burst) < 1e-9);
        assert!(big.wire_rate(burst) > 1.5 * small.wire_rate(burst));
        // A busier host stalls longer and loses more with the same ring.
        s.network.buffers = Some(512);
        s.transport.host_load = 0.9;
        let busy = RateBreakdown::new(&s);
        assert!(busy.stall_mean_s > 4.0 * small.stall_mean_s);
        assert!(busy.wire_rate(0.0) < small.wire_rate(0.0));
    }

    #[test]
    fn no_input_alone_makes_the_path_slower_when_it_improves() {
        let backgrounds = [0.0, 1e8, 6e8, 1.2e9];
        for kind in [
            TransportKind::Tcp,
            TransportKind::Compression,
            TransportKind::Smb,
        ] {
            for dedicated in [true, false] {
                for buffers in [64, 256, 512, 4096] {
                    for load in [0.0, 0.5, 0.9] {
                        let mut s = Scenario::default();
                        s.transport.kind = kind;
                        s.network.dedicated = dedicated;
                        s.network.buffers = Some(buffers);
                        s.transport.host_load = load;
                        let mut last = vec![0.0; backgrounds.len()];
                        for link in [1.0, 2.5, 10.0, 25.0, 40.0, 100.0, 200.0, 400.0] {
                            s.network.link_gbps = link;
                            let r = RateBreakdown::new(&s);
                            for (i, &bg) in backgrounds.iter().enumerate() {
                                let w = r.wire_rate(bg);
                                assert!(
                                    w >= last[i],
                                    "{kind:?} {dedicated} {buffers} {load} {link} {bg}"
                                );
                                last[i] = w;
                                if !dedicated && i > 0 {
                                    assert!(w <= r.wire_rate(backgrounds[i - 1]));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn compression_depends_on_content_and_shares_the_cpu_with_tcp() {
        let mut s = Scenario::default();
        s.network.link_gbps = 1.0;
        s.transport.kind = TransportKind::Compression;
        let r = RateBreakdown::new(&s);
        // 75 % text-like at 3×, 25 % incompressible: half the bytes.
        let e = r.encode(1000.0, 0.0);
        assert!((e.wire - 500.0).abs() < 1e-9);
        // Zero pages are nearly free.
        assert!(r.encode(0.0, 1000.0).wire < 2.0);
        // Random data does not shrink.
        s.vm.compressible_fraction = 0.0;
        assert!((RateBreakdown::new(&s).encode(1000.0, 0.0).wire - 1000.0).abs() < 1e-9);
        // A busy host falls back to plain TCP/IP.
        s.transport.host_load = 0.99;
        assert!(!RateBreakdown::new(&s).compression_active);
        // Two idle cores and a fast link: compressing on them would carry less memory than
        // plain TCP/IP's one flow, so Hyper-V sends uncompressed.
        s.transport.host_load = 0.5;
        s.transport.host_cores = 4;
        s.vm.compressible_fraction = 0.75;
        s.network.link_gbps = 25.0;
        s.network.dedicated = true;
        let r = RateBreakdown::new(&s);
        assert!(!r.compression_active);
        s.transport.kind = TransportKind::Tcp;
        assert_eq!(r.memory_rate(0.0), RateBreakdown::new(&s).memory_rate(0.0));
        s.transport.kind = TransportKind::Compression;
        // Four idle cores: compression pays, the CPU is the bottleneck, and compression and
        // TCP split the same four cores.
        s.transport.host_cores = 8;
        let r = RateBreakdown::new(&s);
        assert_eq!(r.bottleneck(0.0), Bottleneck::CompressionCpu);
        let e = r.encode(1.0, 0.0);
        let compress_only = r.idle_cores / (e.compress_core_s / e.wire);
        let limit = r.cpu_wire_limit(&e, 0.0);
        assert!(limit < compress_only);
        let cores = limit * (e.compress_core_s / e.wire + r.transport_core_s_per_byte);
        assert!((cores - r.idle_cores).abs() < 1e-9, "{cores}");
    }

    #[test]
    fn qemu_sends_zero_pages_as_markers() {
        let mut s = Scenario::qemu_defaults();
        s.transport.kind = TransportKind::Tcp;
        let e = RateBreakdown::new(&s).encode(0.0, 4096.0 * 1000.0);
        assert_eq!(e.wire, 9000.0);
        let h = RateBreakdown::new(&Scenario {
            transport: s.transport.clone(),
            ..Scenario::default()
        });
        assert_eq!(
            h.encode(0.0, 4096.0).wire,
            4096.0,
            "Hyper-V TCP/IP sends zero pages"
        );
    }

    #[test]
    fn written_zero_pages_go_as_markers_and_nearly_empty_ones_compress_to_almost_nothing() {
        let mut s = Scenario::qemu_defaults();
        s.vm.zero_fraction = 0.25;
        let pages = 4096.0 * 1000.0;
        let e = RateBreakdown::new(&s).encode(pages, 0.0);
        // 750 pages whole with their 8-byte headers, 250 as 9-byte markers.
        assert_eq!(e.wire, 750.0 * 4104.0 + 250.0 * 9.0);
        assert_eq!(e.memory, pages);
        // Nearly empty pages are not zero pages: whole without a codec, ≈ 1/57.5 with one.
        s.vm.zero_fraction = 0.0;
        s.vm.sparse_fraction = 1.0;
        assert_eq!(
            RateBreakdown::new(&s).encode(pages, 0.0).wire,
            1000.0 * 4104.0
        );
        if let StopPolicy::Qemu { multifd, .. } = &mut s.policy {
            *multifd = Some(crate::engine::Multifd {
                channels: 2,
                compression: MultifdCompression::Zstd,
            });
        }
        let squeezed = RateBreakdown::new(&s).encode(pages, 0.0);
        assert!((squeezed.wire - pages / SPARSE_RATIO).abs() < 1e-6);
        // Hyper-V's TCP/IP sends zeros whole.
        let mut h = Scenario::default();
        h.transport.kind = TransportKind::Tcp;
        h.vm.zero_fraction = 1.0;
        assert_eq!(RateBreakdown::new(&h).encode(pages, 0.0).wire, pages);
    }

    #[test]
    fn rdma_needs_the_smb_option_and_ignores_ring_loss() {
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Tcp;
        s.network.rdma = true;
        assert!(!RateBreakdown::new(&s).rdma_active);
        s.transport.kind = TransportKind::Smb;
        s.network.nics = 2;
        let r = RateBreakdown::new(&s);
        assert!(r.rdma_active);
        assert_eq!(r.loss_probability(1e9, 1e9), 0.0);
        assert!((r.wire_rate(0.0) / gbps_to_bytes_per_s(20.0) - RDMA_EFFICIENCY).abs() < 1e-12);
        let tcp = RateBreakdown::new(&Scenario::default());
        assert!(r.transport_core_s(1e9) < 0.05 * tcp.transport_core_s(1e9));
    }

    #[test]
    fn smb_multichannel_uses_every_nic_and_more_flows() {
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Smb;
        s.network.nics = 2;
        s.network.dedicated = true;
        let r = RateBreakdown::new(&s);
        assert_eq!(r.flows, 8.0);
        assert_eq!(r.bottleneck(0.0), Bottleneck::LineRate);
        assert!(r.wire_rate(0.0) > 2.0e9);
    }

    #[test]
    fn a_busy_host_has_fewer_cores_for_tcp_flows() {
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Smb;
        s.network.nics = 2;
        s.network.link_gbps = 25.0;
        s.network.dedicated = true;
        s.network.buffers = Some(MAX_DESCRIPTORS);
        let idle = RateBreakdown::new(&s).wire_rate(0.0);
        s.transport.host_load = 0.95; // 0.8 idle cores: one core left for 8 flows
        let busy = RateBreakdown::new(&s);
        assert_eq!(busy.bottleneck(0.0), Bottleneck::TransportCpu);
        assert!((gbit(busy.wire_rate(0.0)) - 2.5 / TCP_GHZ_PER_GBPS).abs() < 1e-9);
        assert!(idle > 4.0 * busy.wire_rate(0.0));
    }

    #[test]
    fn zero_link_moves_nothing() {
        let r = tcp(0.0, 512);
        assert_eq!(r.wire_rate(0.0), 0.0);
        assert_eq!(r.memory_rate(0.0), 0.0);
        assert_eq!(r.bottleneck(0.0), Bottleneck::NoLink);
    }

    #[test]
    fn driver_defaults_follow_the_link_speed() {
        assert_eq!(driver_default_descriptors(1.0), 256);
        assert_eq!(driver_default_descriptors(10.0), 512);
        assert_eq!(driver_default_descriptors(40.0), 512);
        assert_eq!(driver_default_descriptors(100.0), 2048);
        let mut s = Scenario::default();
        s.network.link_gbps = 100.0;
        assert_eq!(RateBreakdown::new(&s).descriptors, 2048.0);
        s.network.buffers = Some(4096);
        assert_eq!(RateBreakdown::new(&s).descriptors, 4096.0);
    }

    #[test]
    fn xen_rounds_start_slow_and_adapt() {
        let p = StopPolicy::Xen {
            max_iterations: 30,
            min_dirty_pages: 50,
            max_factor: 3.0,
            rate_adaptive: true,
        };
        let mbit = 1e6 / 8.0;
        assert_eq!(xen_round_limit(&p, true, 0.0), Some(100.0 * mbit));
        assert_eq!(xen_round_limit(&p, false, 200.0 * mbit), Some(250.0 * mbit));
        assert_eq!(xen_round_limit(&p, false, 900.0 * mbit), Some(500.0 * mbit));
        assert_eq!(xen_round_limit(&StopPolicy::qemu(), true, 0.0), None);
        assert_eq!(
            xen_round_limit(&StopPolicy::xen(), true, 0.0),
            None,
            "compiled out today"
        );
    }
}
