//! How fast memory moves from host A to host B.
//!
//! The network path gives a wire rate that depends on the background traffic's share of the link
//! at that moment: line rate × NICs, framing overhead, TCP's window and loss ceilings (loss comes
//! from NIC ring overflow, worse when other traffic fills the ring), one core per TCP flow, and a
//! bandwidth cap. The encoder decides how many wire bytes and how much CPU a batch of pages
//! costs: zero pages as markers (QEMU), compression by content, or raw pages.

use serde::Serialize;

use super::scenario::{Scenario, StopPolicy, TransportKind};
use super::units::{gbps_to_bytes_per_s, MIB};

/// Ethernet frame on the wire for a 1500-byte MTU: 1500 + 14 header + 4 FCS + 8 preamble +
/// 12 inter-frame gap = 1538 bytes (domain brief §D.3).
pub const WIRE_FRAME_BYTES: f64 = 1538.0;
/// TCP payload per frame (MSS 1460: 1500 − 20 IP − 20 TCP). 1460/1538 = 94.9 % of line rate,
/// matching the 95 % (119.5 MB/s) Hyper-V reached on 1 GbE (domain brief §A.8).
pub const TCP_MSS_BYTES: f64 = 1460.0;
/// Delayed ACKs: one ACK per two segments (Padhye et al.'s b = 2).
pub const ACKED_PER_ACK: f64 = 2.0;
/// Retransmission timeout after a loss TCP cannot repair by fast retransmit. RFC 6298 allows
/// 1 s; Linux uses a 200 ms minimum, which we take for a LAN.
pub const RTO_S: f64 = 0.2;
/// SMB Direct goodput as a share of line rate: RDMA benchmarks reach 93–97 % (domain brief §D.5).
pub const RDMA_EFFICIENCY: f64 = 0.95;
/// SMB Multichannel opens 4 connections per RSS-capable NIC (`ConnectionCountPerRssNetworkInterface`).
pub const SMB_CONNECTIONS_PER_NIC: f64 = 4.0;
/// TCP processing cost: ≈ 1 GHz of CPU per Gbit/s (Foong et al., ISPASS 2003). One flow runs on
/// one core, which is why one Hyper-V TCP migration reached only 338 MB/s on 10 GbE (§A.8).
pub const TCP_GHZ_PER_GBPS: f64 = 1.0;
/// RDMA moves data without the host CPU ("practically zero CPU", Ben Armstrong).
pub const RDMA_GHZ_PER_GBPS: f64 = 0.02;

/// Host service stalls that the receive ring must absorb (interrupt moderation, DPC latency,
/// SMIs of ≥ 100 µs per Microsoft's NIC tuning guide): `STALLS_PER_S` a second, exponentially
/// distributed with mean `STALL_MEAN_S`. A modelling assumption, calibrated so that default rings
/// lose packets at 10 GbE when bursts of other traffic fill the ring, and not on a quiet link.
pub const STALLS_PER_S: f64 = 100.0;
pub const STALL_MEAN_S: f64 = 0.000_1;

/// Compression ratios by page content: text-like pages ≈ 3× (zstd/zlib level 1 on the Silesia
/// corpus: 2.7–2.9×), random or already-compressed data 1×, zero pages nearly nothing.
pub const TEXT_RATIO: f64 = 3.0;
pub const ZERO_RATIO: f64 = 512.0;
/// LZ compressors pass incompressible data through about 2.5× faster than they compress text,
/// and skim zero pages at memory speed.
pub const INCOMPRESSIBLE_SPEEDUP: f64 = 2.5;
pub const ZERO_SCAN_BYTES_PER_S: f64 = 4096.0 * MIB;
/// Decompression is ≥ 4× faster than compression (QEMU's measurements, §B.6).
pub const DECOMPRESS_SPEEDUP: f64 = 4.0;
/// Below one idle core Hyper-V stops compressing and falls back to TCP/IP (§A.3).
pub const MIN_IDLE_CORES_FOR_COMPRESSION: f64 = 1.0;
/// A QEMU zero page costs its 8-byte page header plus one byte on the wire.
pub const ZERO_MARKER_BYTES: f64 = 9.0;
pub const PAGE_BYTES: f64 = 4096.0;

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

/// The network path's fixed properties and the ceilings derived from them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateBreakdown {
    /// Line rate of the NICs the migration uses, bytes/s.
    pub line_rate: f64,
    pub nics_used: u32,
    /// Share of line rate left after framing and protocol headers.
    pub protocol_efficiency: f64,
    /// Ring absorb time on a quiet link: descriptors × frame time.
    pub ring_absorb_s: f64,
    pub rtt_s: f64,
    /// Parallel transport flows (1 for TCP/IP and Compression; 4 per NIC for SMB).
    pub flows: f64,
    /// Window / RTT for all flows together, bytes/s.
    pub window_ceiling: f64,
    /// One core per flow at `core_ghz / TCP_GHZ_PER_GBPS` Gbit/s, all flows together, bytes/s,
    /// limited to the host's idle cores.
    pub cpu_ceiling: f64,
    pub rdma_active: bool,
    pub dedicated: bool,
    pub cap: Option<f64>,
    pub compression_active: bool,
    pub compress_threads: f64,
    pub compress_bytes_per_thread: f64,
    pub compressible_fraction: f64,
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
    /// Shortest time the CPU needs to prepare them (compression, zero scan), seconds.
    pub cpu_time: f64,
    /// Core-seconds of compression on the source and decompression on the destination.
    pub compress_core_s: f64,
    pub decompress_core_s: f64,
}

impl RateBreakdown {
    pub fn new(s: &Scenario) -> RateBreakdown {
        let net = &s.network;
        let tr = &s.transport;
        let smb = tr.kind == TransportKind::Smb;
        let rdma_active = smb && tr.rdma;
        let nics_used = if smb { net.nics } else { 1 };
        let line_rate = gbps_to_bytes_per_s(net.link_gbps) * f64::from(nics_used);
        let idle_cores = f64::from(tr.host_cores) * (1.0 - tr.host_load);
        let compression_active =
            tr.kind == TransportKind::Compression && idle_cores >= MIN_IDLE_CORES_FOR_COMPRESSION;
        let compress_threads = if tr.compress_threads > 0 {
            f64::from(tr.compress_threads)
        } else {
            idle_cores.floor().max(1.0)
        };
        let flows = if smb {
            SMB_CONNECTIONS_PER_NIC * f64::from(nics_used)
        } else {
            1.0
        };
        let per_nic = gbps_to_bytes_per_s(net.link_gbps);
        let frame_time = if per_nic > 0.0 {
            WIRE_FRAME_BYTES / per_nic
        } else {
            f64::INFINITY
        };
        let rtt_s = net.rtt_ms / 1000.0;
        let ghz_per_gbps = if rdma_active {
            RDMA_GHZ_PER_GBPS
        } else {
            TCP_GHZ_PER_GBPS
        };
        RateBreakdown {
            line_rate,
            nics_used,
            protocol_efficiency: if rdma_active {
                RDMA_EFFICIENCY
            } else {
                TCP_MSS_BYTES / WIRE_FRAME_BYTES
            },
            ring_absorb_s: f64::from(net.buffers) * frame_time,
            rtt_s,
            flows,
            window_ceiling: if rdma_active {
                f64::INFINITY
            } else {
                flows * net.tcp_window_kib * 1024.0 / rtt_s
            },
            // One core per flow, but no more cores than the host has idle (at least one: the
            // host's own networking keeps running however busy its VMs are).
            cpu_ceiling: flows.min(idle_cores.max(1.0))
                * gbps_to_bytes_per_s(tr.core_ghz / ghz_per_gbps),
            rdma_active,
            dedicated: net.dedicated,
            cap: net.max_bandwidth_mibps.map(|m| m * MIB),
            compression_active,
            compress_threads,
            compress_bytes_per_thread: tr.compress_mibps_per_thread * MIB,
            compressible_fraction: s.vm.compressible_fraction,
            idle_cores,
            // QEMU's RDMA transport registers and sends whole chunks: no per-page zero check.
            zero_markers: s.policy.zero_pages_as_markers() && !rdma_active,
        }
    }

    /// The path during the stop-and-copy: QEMU lifts max-bandwidth once the VM is stopped
    /// (`migration_completion_precopy` sets RATE_LIMIT_DISABLED); Hyper-V's SMB limit stays.
    pub fn for_stop_copy(&self, policy: &StopPolicy) -> RateBreakdown {
        match policy {
            StopPolicy::Qemu { .. } => RateBreakdown {
                cap: None,
                ..self.clone()
            },
            _ => self.clone(),
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

    /// Packet loss probability when other traffic fills `share` of the ring (0 for RDMA, which
    /// runs on a lossless fabric).
    pub fn loss_probability(&self, share: f64) -> f64 {
        if self.rdma_active || self.line_rate == 0.0 {
            0.0
        } else {
            ring_loss_probability(self.ring_absorb_s * (1.0 - share))
        }
    }

    /// Loss ceiling (Padhye et al.) for all flows together, bytes/s.
    pub fn loss_ceiling(&self, share: f64) -> f64 {
        self.flows
            * padhye_ceiling(
                TCP_MSS_BYTES,
                self.rtt_s,
                self.loss_probability(share),
                RTO_S,
            )
    }

    /// Wire bytes/s available to the migration while other traffic takes `share` of the link.
    pub fn wire_rate(&self, share: f64) -> f64 {
        let mut r = (self.line_rate * self.protocol_efficiency * (1.0 - share)).max(0.0);
        if !self.rdma_active {
            r = r
                .min(self.window_ceiling)
                .min(self.loss_ceiling(share))
                .min(self.cpu_ceiling);
        }
        if let Some(cap) = self.cap {
            r = r.min(cap);
        }
        r
    }

    /// What the wire bytes and CPU of sending `data` bytes of written pages and `zero` bytes of
    /// never-written pages are.
    pub fn encode(&self, data: f64, zero: f64) -> Encoded {
        let memory = data + zero;
        if self.compression_active {
            let text = data * self.compressible_fraction;
            let other = data - text;
            let wire = text / TEXT_RATIO + other + zero / ZERO_RATIO;
            let per = self.compress_bytes_per_thread;
            let core_s =
                text / per + other / (per * INCOMPRESSIBLE_SPEEDUP) + zero / ZERO_SCAN_BYTES_PER_S;
            Encoded {
                memory,
                wire,
                cpu_time: core_s / self.compress_threads,
                compress_core_s: core_s,
                decompress_core_s: core_s / DECOMPRESS_SPEEDUP,
            }
        } else if self.zero_markers {
            // One migration thread checks each page for zeros before sending it.
            let scan = zero / ZERO_SCAN_BYTES_PER_S;
            Encoded {
                memory,
                wire: data + zero / PAGE_BYTES * ZERO_MARKER_BYTES,
                cpu_time: scan,
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

    /// Memory bytes/s for typical pages (no zero pages) with background `share`, for summaries.
    pub fn memory_rate(&self, share: f64) -> f64 {
        let wire_rate = self.wire_rate(share);
        if wire_rate <= 0.0 {
            return 0.0;
        }
        // Per byte of memory: the link and the CPU work as a pipeline; the slower one sets
        // the pace.
        let e = self.encode(1.0, 0.0);
        1.0 / (e.wire / wire_rate).max(e.cpu_time)
    }

    /// Idle-CPU compression throughput on typical pages, bytes of memory per second.
    pub fn compression_cpu_rate(&self) -> f64 {
        let e = self.encode(1.0, 0.0);
        if e.cpu_time > 0.0 {
            1.0 / e.cpu_time
        } else {
            f64::INFINITY
        }
    }

    /// What limits the memory rate at background `share`.
    pub fn bottleneck(&self, share: f64) -> Bottleneck {
        if self.line_rate == 0.0 {
            return Bottleneck::NoLink;
        }
        let e = self.encode(1.0, 0.0);
        let wire = self.wire_rate(share);
        if e.cpu_time > 0.0 && e.cpu_time > e.wire / wire.max(f64::MIN_POSITIVE) {
            return Bottleneck::CompressionCpu;
        }
        let line = (self.line_rate * self.protocol_efficiency * (1.0 - share)).max(0.0);
        let candidates = [
            (self.cap.unwrap_or(f64::INFINITY), Bottleneck::BandwidthCap),
            (self.window_ceiling, Bottleneck::TcpWindow),
            (self.loss_ceiling(share), Bottleneck::PacketLoss),
            (self.cpu_ceiling, Bottleneck::TransportCpu),
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
    pub fn transport_core_s(&self, wire: f64, core_ghz: f64) -> f64 {
        let ghz_per_gbps = if self.rdma_active {
            RDMA_GHZ_PER_GBPS
        } else {
            TCP_GHZ_PER_GBPS
        };
        wire * 8.0 / 1e9 * ghz_per_gbps / core_ghz
    }
}

/// Per-packet drop probability when host stalls outlast the ring. Stalls arrive at
/// `STALLS_PER_S` with exponentially distributed length (mean m); packets arriving after the
/// ring filled are dropped, so the dropped fraction is rate · E[(g − a)⁺] = rate · m · e^(−a/m).
pub fn ring_loss_probability(absorb_s: f64) -> f64 {
    let m = STALL_MEAN_S;
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
        s.network.buffers = buffers;
        s.transport.kind = TransportKind::Tcp;
        RateBreakdown::new(&s)
    }

    #[test]
    fn tcp_on_gigabit_reaches_ninety_five_percent() {
        let r = tcp(1.0, 512);
        let mb_s = r.wire_rate(0.0) / 1e6;
        assert!((mb_s - 118.66).abs() < 0.1, "{mb_s}");
        assert_eq!(r.bottleneck(0.0), Bottleneck::LineRate);
    }

    #[test]
    fn one_tcp_flow_on_ten_gig_is_cpu_bound() {
        // 2.5 GHz core at 1 GHz per Gbit/s: 2.5 Gbit/s, near the 338 MB/s Hyper-V reached (§A.8).
        let r = tcp(10.0, 512);
        assert_eq!(r.bottleneck(0.0), Bottleneck::TransportCpu);
        assert!((r.wire_rate(0.0) - 312.5e6).abs() < 1.0);
    }

    #[test]
    fn ring_absorb_matches_the_brief() {
        // 512 descriptors at 10 GbE absorb 0.63 ms; 4096 absorb 5.0 ms (§D.3).
        assert!((tcp(10.0, 512).ring_absorb_s * 1e3 - 0.63).abs() < 0.01);
        assert!((tcp(10.0, 4096).ring_absorb_s * 1e3 - 5.03).abs() < 0.01);
    }

    #[test]
    fn mathis_and_padhye_match_published_examples() {
        // MSS 1460, RTT 0.2 ms, p = 1e-4 → 7.1 Gbit/s; p = 1e-3 → 2.25 Gbit/s (§D.2).
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
    fn more_buffers_remove_loss_when_bursts_fill_the_ring() {
        let small = tcp(10.0, 512);
        let big = tcp(10.0, MAX_DESCRIPTORS);
        // Quiet link: the default ring suffices.
        assert!(small.loss_probability(0.0) < 3e-5);
        // Half the ring taken by a burst of other traffic: loss, and TCP backs off hard.
        assert!(small.loss_probability(0.5) > 1e-4);
        assert_eq!(small.bottleneck(0.5), Bottleneck::PacketLoss);
        assert!(big.loss_probability(0.5) < 1e-9);
        assert!(big.wire_rate(0.5) > 1.5 * small.wire_rate(0.5));
    }

    #[test]
    fn compression_depends_on_content_and_idle_cpu() {
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
        // Few idle cores and a fast link: compression is the bottleneck.
        s.transport.host_load = 0.5;
        s.transport.host_cores = 2;
        s.vm.compressible_fraction = 0.75;
        s.network.link_gbps = 25.0;
        s.network.buffers = MAX_DESCRIPTORS;
        s.network.dedicated = true;
        s.transport.kind = TransportKind::Compression;
        assert_eq!(
            RateBreakdown::new(&s).bottleneck(0.0),
            Bottleneck::CompressionCpu
        );
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
    fn rdma_needs_the_smb_option_and_ignores_ring_loss() {
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Tcp;
        s.transport.rdma = true;
        assert!(!RateBreakdown::new(&s).rdma_active);
        s.transport.kind = TransportKind::Smb;
        s.network.nics = 2;
        let r = RateBreakdown::new(&s);
        assert!(r.rdma_active);
        assert_eq!(r.loss_probability(0.5), 0.0);
        assert!((r.wire_rate(0.0) / gbps_to_bytes_per_s(20.0) - RDMA_EFFICIENCY).abs() < 1e-12);
        let tcp = RateBreakdown::new(&Scenario::default());
        assert!(r.transport_core_s(1e9, 2.5) < 0.05 * tcp.transport_core_s(1e9, 2.5));
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
        s.network.buffers = MAX_DESCRIPTORS;
        let idle = RateBreakdown::new(&s).wire_rate(0.0);
        s.transport.host_load = 0.95; // 0.8 idle cores: one core left for 8 flows
        let busy = RateBreakdown::new(&s);
        assert_eq!(busy.bottleneck(0.0), Bottleneck::TransportCpu);
        assert!((busy.wire_rate(0.0) - 312.5e6).abs() < 1.0);
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
