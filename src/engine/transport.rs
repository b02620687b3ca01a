//! How fast memory moves from host A to host B: line rate, protocol overhead, loss from NIC ring
//! overflow (Mathis), background traffic on a shared network, compression bound by idle CPU,
//! and SMB Direct (RDMA).
//!
//! Every function here is pure; `rate_for_share` is called once per pass with the background
//! share the simulation drew for that pass.

use serde::Serialize;

use super::scenario::{Scenario, TransportKind};
use super::units::{gbps_to_bytes_per_s, MIB};

/// Ethernet frame on the wire for a 1500-byte MTU: 1500 + 14 header + 4 FCS + 8 preamble +
/// 12 inter-frame gap = 1538 bytes (domain brief §D.3).
pub const WIRE_FRAME_BYTES: f64 = 1538.0;
/// TCP payload per frame (MSS 1460: 1500 − 20 IP − 20 TCP). 1460/1538 = 94.9 % of line rate,
/// matching the 95 % (119.5 MB/s) Hyper-V reached on 1 GbE (domain brief §A.8).
pub const TCP_MSS_BYTES: f64 = 1460.0;
/// Mathis constant √(3/2) for a flow that ACKs every segment (domain brief §D.2).
pub const MATHIS_C: f64 = 1.22;
/// SMB Direct goodput as a share of line rate: RDMA benchmarks reach 93–97 % (domain brief §D.5).
pub const RDMA_EFFICIENCY: f64 = 0.95;
/// SMB Multichannel opens 4 connections per RSS-capable NIC (`ConnectionCountPerRssNetworkInterface`).
pub const SMB_CONNECTIONS_PER_NIC: f64 = 4.0;

/// Host service stalls that the receive ring must absorb (interrupt moderation, DPC latency,
/// SMIs of ≥ 100 µs per Microsoft's NIC tuning guide). On a shared network other flows' bursts
/// lengthen the effective stall. Rates and means are modelling assumptions, calibrated so that
/// default rings lose packets at 10 GbE on a busy shared link and not on a quiet dedicated one.
pub const STALLS_PER_S: f64 = 100.0;
pub const STALL_MEAN_DEDICATED_S: f64 = 0.000_1;
pub const STALL_MEAN_SHARED_S: f64 = 0.000_15;

/// Background traffic on a shared network takes between these shares of the link, drawn per
/// pass (VM, cluster/CSV and backup traffic; the spread is what a dedicated network removes).
pub const SHARED_MIN_SHARE: f64 = 0.1;
pub const SHARED_MAX_SHARE: f64 = 0.5;

/// Compression speed per idle core for page-at-a-time LZ compression. File-level LZ4 runs at
/// ≈ 740 MB/s per core, page-at-a-time zlib-1 in QEMU at 25–35 MB/s (domain brief §D.6); Hyper-V
/// uses a fast LZ-class codec, so we take 250 MiB/s.
pub const COMPRESS_BYTES_PER_CORE: f64 = 250.0 * MIB;
/// Typical memory compresses about 2× (Microsoft: compression "halves the time", §A.3).
pub const COMPRESSION_RATIO: f64 = 2.0;
/// Below one idle core Hyper-V stops compressing and falls back to TCP/IP (§A.3).
pub const MIN_IDLE_CORES_FOR_COMPRESSION: f64 = 1.0;

/// What limits the transfer rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bottleneck {
    NoLink,
    LineRate,
    PacketLoss,
    BandwidthCap,
    CompressionCpu,
}

/// The rate model's intermediate values, kept so the UI can explain the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateBreakdown {
    pub line_rate: f64,
    /// Share of line rate left after framing and protocol headers.
    pub protocol_efficiency: f64,
    /// Ring absorb time: descriptors × frame time.
    pub ring_absorb_s: f64,
    /// Packet loss probability from ring overflow (0 for RDMA on a lossless fabric).
    pub loss_probability: f64,
    /// Mathis ceiling for all migration flows together, bytes/s (∞ without loss).
    pub loss_ceiling: f64,
    /// Payload bytes/s on the wire without background traffic.
    pub goodput: f64,
    pub compression_active: bool,
    pub compression_ratio: f64,
    /// Bytes of memory per second the idle cores can compress.
    pub compression_cpu_rate: f64,
    pub idle_cores: f64,
    pub rdma_active: bool,
    pub flows: f64,
    pub cap: Option<f64>,
}

impl RateBreakdown {
    pub fn new(s: &Scenario) -> RateBreakdown {
        let net = &s.network;
        let tr = &s.transport;
        let line_rate = gbps_to_bytes_per_s(net.link_gbps);
        let rdma_active = tr.kind == TransportKind::Smb && tr.rdma;
        let idle_cores = f64::from(tr.host_cores) * (1.0 - tr.host_load);
        let compression_active =
            tr.kind == TransportKind::Compression && idle_cores >= MIN_IDLE_CORES_FOR_COMPRESSION;
        let flows = if tr.kind == TransportKind::Smb {
            SMB_CONNECTIONS_PER_NIC
        } else {
            1.0
        };
        let protocol_efficiency = if rdma_active {
            RDMA_EFFICIENCY
        } else {
            TCP_MSS_BYTES / WIRE_FRAME_BYTES
        };
        let frame_time = if line_rate > 0.0 {
            WIRE_FRAME_BYTES / line_rate
        } else {
            f64::INFINITY
        };
        let ring_absorb_s = f64::from(net.buffers) * frame_time;
        let loss_probability = if rdma_active || line_rate == 0.0 {
            0.0
        } else {
            ring_loss_probability(ring_absorb_s, net.dedicated)
        };
        let rtt = net.rtt_ms / 1000.0;
        let loss_ceiling = flows * mathis_ceiling(TCP_MSS_BYTES, rtt, loss_probability);
        let goodput = (line_rate * protocol_efficiency).min(loss_ceiling);
        RateBreakdown {
            line_rate,
            protocol_efficiency,
            ring_absorb_s,
            loss_probability,
            loss_ceiling,
            goodput,
            compression_active,
            compression_ratio: if compression_active {
                COMPRESSION_RATIO
            } else {
                1.0
            },
            compression_cpu_rate: idle_cores * COMPRESS_BYTES_PER_CORE,
            idle_cores,
            rdma_active,
            flows,
            cap: net.max_bandwidth_mibps.map(|m| m * MIB),
        }
    }

    /// Wire bytes/s available to migration when background traffic takes `share` of the link.
    pub fn wire_rate(&self, share: f64) -> f64 {
        let mut r = (self.goodput * (1.0 - share)).max(0.0);
        if let Some(cap) = self.cap {
            r = r.min(cap);
        }
        r
    }

    /// Memory bytes/s moved (after compression) for a given background share.
    pub fn memory_rate(&self, share: f64) -> f64 {
        let wire = self.wire_rate(share);
        if self.compression_active {
            (wire * self.compression_ratio).min(self.compression_cpu_rate)
        } else {
            wire
        }
    }

    /// What limits `memory_rate(share)`.
    pub fn bottleneck(&self, share: f64) -> Bottleneck {
        if self.line_rate == 0.0 {
            return Bottleneck::NoLink;
        }
        if self.compression_active
            && self.wire_rate(share) * self.compression_ratio > self.compression_cpu_rate
        {
            return Bottleneck::CompressionCpu;
        }
        let uncapped = self.goodput * (1.0 - share);
        if let Some(cap) = self.cap {
            if cap < uncapped {
                return Bottleneck::BandwidthCap;
            }
        }
        if self.loss_ceiling < self.line_rate * self.protocol_efficiency {
            Bottleneck::PacketLoss
        } else {
            Bottleneck::LineRate
        }
    }
}

/// Per-packet drop probability when host stalls outlast the ring. Stalls arrive at
/// `STALLS_PER_S` with exponentially distributed length (mean m); packets arriving after the
/// ring filled are dropped, so the dropped fraction is rate · E[(g − a)⁺] = rate · m · e^(−a/m).
pub fn ring_loss_probability(absorb_s: f64, dedicated: bool) -> f64 {
    let m = if dedicated {
        STALL_MEAN_DEDICATED_S
    } else {
        STALL_MEAN_SHARED_S
    };
    (STALLS_PER_S * m * (-absorb_s / m).exp()).clamp(0.0, 1.0)
}

/// Mathis et al. 1997: a TCP flow with loss p cannot exceed MSS/RTT · C/√p bytes/s.
pub fn mathis_ceiling(mss: f64, rtt_s: f64, p: f64) -> f64 {
    if p <= 0.0 || rtt_s <= 0.0 {
        f64::INFINITY
    } else {
        mss / rtt_s * MATHIS_C / p.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::{Scenario, TransportKind, MAX_DESCRIPTORS};

    fn tcp(link: f64, dedicated: bool, buffers: u32) -> RateBreakdown {
        let mut s = Scenario::default();
        s.network.link_gbps = link;
        s.network.dedicated = dedicated;
        s.network.buffers = buffers;
        s.transport.kind = TransportKind::Tcp;
        RateBreakdown::new(&s)
    }

    #[test]
    fn tcp_on_gigabit_reaches_ninety_five_percent() {
        let r = tcp(1.0, true, 512);
        let mb_s = r.memory_rate(0.0) / 1e6;
        assert!((mb_s - 118.66).abs() < 0.1, "{mb_s}");
        assert_eq!(r.bottleneck(0.0), Bottleneck::LineRate);
    }

    #[test]
    fn ring_absorb_matches_the_brief() {
        // 512 descriptors at 10 GbE absorb 0.63 ms; 4096 absorb 5.0 ms (§D.3).
        assert!((tcp(10.0, true, 512).ring_absorb_s * 1e3 - 0.63).abs() < 0.01);
        assert!((tcp(10.0, true, 4096).ring_absorb_s * 1e3 - 5.03).abs() < 0.01);
    }

    #[test]
    fn mathis_matches_published_examples() {
        // MSS 1460, RTT 0.2 ms, p = 1e-4 → 7.1 Gbit/s; p = 1e-3 → 2.25 Gbit/s (§D.2).
        let g = mathis_ceiling(1460.0, 0.0002, 1e-4) * 8.0 / 1e9;
        assert!((g - 7.12).abs() < 0.05, "{g}");
        let g = mathis_ceiling(1460.0, 0.0002, 1e-3) * 8.0 / 1e9;
        assert!((g - 2.25).abs() < 0.02, "{g}");
    }

    #[test]
    fn more_buffers_remove_loss_on_a_shared_ten_gig_link() {
        let small = tcp(10.0, false, 512);
        let big = tcp(10.0, false, MAX_DESCRIPTORS);
        assert_eq!(small.bottleneck(0.0), Bottleneck::PacketLoss);
        assert!(small.loss_probability > 1e-5);
        assert!(big.loss_probability < 1e-9);
        assert!(big.memory_rate(0.0) > 1.3 * small.memory_rate(0.0));
        // On a quiet dedicated link default rings already suffice.
        assert_eq!(tcp(10.0, true, 512).bottleneck(0.0), Bottleneck::LineRate);
    }

    #[test]
    fn compression_helps_when_link_bound_and_is_capped_by_idle_cpu() {
        let mut s = Scenario::default();
        s.network.link_gbps = 1.0;
        s.network.dedicated = true;
        s.transport.kind = TransportKind::Compression;
        let r = RateBreakdown::new(&s);
        assert!((r.memory_rate(0.0) / r.wire_rate(0.0) - 2.0).abs() < 1e-9);
        s.network.link_gbps = 25.0;
        s.network.buffers = MAX_DESCRIPTORS;
        s.transport.host_cores = 4;
        let r = RateBreakdown::new(&s);
        assert_eq!(r.bottleneck(0.0), Bottleneck::CompressionCpu);
        assert_eq!(r.memory_rate(0.0), 2.0 * COMPRESS_BYTES_PER_CORE);
        // A busy host falls back to plain TCP/IP.
        s.transport.host_load = 0.99;
        assert!(!RateBreakdown::new(&s).compression_active);
    }

    #[test]
    fn rdma_needs_the_smb_option_and_ignores_ring_loss() {
        let mut s = Scenario::default();
        s.network.dedicated = false;
        s.transport.kind = TransportKind::Tcp;
        s.transport.rdma = true;
        assert!(!RateBreakdown::new(&s).rdma_active);
        s.transport.kind = TransportKind::Smb;
        let r = RateBreakdown::new(&s);
        assert!(r.rdma_active);
        assert_eq!(r.loss_probability, 0.0);
        assert!((r.memory_rate(0.0) / r.line_rate - RDMA_EFFICIENCY).abs() < 1e-12);
    }

    #[test]
    fn zero_link_moves_nothing() {
        let r = tcp(0.0, true, 512);
        assert_eq!(r.memory_rate(0.0), 0.0);
        assert_eq!(r.bottleneck(0.0), Bottleneck::NoLink);
    }
}
