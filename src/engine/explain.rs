//! Plain-language verdicts and explanations of a trace, shared by the UI and the CLI.

use super::trace::{Outcome, Trace};
use super::transport::{Bottleneck, COMPRESS_BYTES_PER_CORE};
use super::units::{fmt_bytes, fmt_duration, fmt_rate, MIB};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Good,
    Warning,
    Bad,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub severity: Severity,
    pub headline: String,
}

/// Mean memory rate over the pre-copy passes, or what the link would give if none ran.
fn mean_rate(trace: &Trace) -> f64 {
    trace
        .mean_precopy_rate()
        .unwrap_or_else(|| trace.rates.memory_rate(0.0))
}

fn outpaced(trace: &Trace) -> Option<String> {
    let dirty = trace.scenario.vm.dirty_rate_mibps * MIB;
    let rate = mean_rate(trace);
    (dirty >= rate).then(|| {
        format!(
            "dirty rate {} exceeds the transfer rate {}",
            fmt_rate(dirty),
            fmt_rate(rate)
        )
    })
}

pub fn verdict(trace: &Trace) -> Verdict {
    let passes = trace.precopy_passes();
    let plural = if passes == 1 { "pass" } else { "passes" };
    match trace.outcome {
        Outcome::Converged => Verdict {
            severity: Severity::Good,
            headline: format!(
                "Converged after {passes} {plural}: the VM was paused for {}",
                fmt_duration(trace.downtime_s)
            ),
        },
        Outcome::PassCap => {
            let left = trace.stop_copy.as_ref().map_or(0.0, |s| s.memory_bytes);
            let why = match outpaced(trace) {
                Some(w) => format!("Does not converge: {w}. "),
                None => String::new(),
            };
            Verdict {
                severity: if trace.downtime_s > 2.0 {
                    Severity::Bad
                } else {
                    Severity::Warning
                },
                headline: format!(
                    "{why}Pass cap reached after {passes} {plural} with {} still dirty: the VM was paused for {}",
                    fmt_bytes(left),
                    fmt_duration(trace.downtime_s)
                ),
            }
        }
        Outcome::TimedOut | Outcome::NoProgress => {
            let why = outpaced(trace).unwrap_or_else(|| {
                "what each pass leaves dirty stays above the stop threshold".to_string()
            });
            let after = if trace.outcome == Outcome::TimedOut {
                format!(
                    "cancelled at the {} timeout",
                    fmt_duration(trace.scenario.timeout_s)
                )
            } else {
                format!("abandoned after {passes} passes")
            };
            Verdict {
                severity: Severity::Bad,
                headline: format!(
                    "Does not converge: {why}; {after}. The VM keeps running on host A"
                ),
            }
        }
        Outcome::NoBandwidth => Verdict {
            severity: Severity::Bad,
            headline: if trace.rates.line_rate == 0.0 {
                "Cannot migrate: the link speed is 0 Gbit/s, so no memory can be copied".to_string()
            } else {
                "Cannot migrate: the bandwidth cap is 0, so no memory can be copied".to_string()
            },
        },
    }
}

/// One sentence per mechanism that shaped the transfer rate, most important first.
pub fn rate_explanation(trace: &Trace) -> Vec<String> {
    let r = &trace.rates;
    let mut out = Vec::new();
    match trace.bottleneck() {
        Bottleneck::NoLink => out.push("No link: nothing can be sent.".to_string()),
        Bottleneck::LineRate => out.push(format!(
            "Link-bound: {} of payload, {:.1} % of the {} line rate after framing and headers.",
            fmt_rate(r.goodput),
            r.protocol_efficiency * 100.0,
            fmt_rate(r.line_rate)
        )),
        Bottleneck::PacketLoss => out.push(format!(
            "Packet loss limits TCP: {} descriptors absorb only {:.2} ms of host stalls, so {:.3} % of packets are dropped and TCP backs off to {} (Mathis). More send/receive buffers help.",
            trace.scenario.network.buffers,
            r.ring_absorb_s * 1e3,
            r.loss_probability * 100.0,
            fmt_rate(r.loss_ceiling)
        )),
        Bottleneck::BandwidthCap => out.push(format!(
            "Capped: the migration bandwidth limit allows {}.",
            fmt_rate(r.cap.unwrap_or(0.0))
        )),
        Bottleneck::CompressionCpu => out.push(format!(
            "Compression is CPU-bound here: {:.1} idle cores × {} = {}; the link could carry more.",
            r.idle_cores,
            fmt_rate(COMPRESS_BYTES_PER_CORE),
            fmt_rate(r.compression_cpu_rate)
        )),
    }
    if r.compression_active {
        out.push(format!(
            "Compression sends each page at about 1/{:.0} of its size, using idle CPU only.",
            r.compression_ratio
        ));
    } else if trace.scenario.transport.kind == super::scenario::TransportKind::Compression {
        out.push(format!(
            "Compression is off: the host has only {:.1} idle cores, so Hyper-V falls back to TCP/IP.",
            r.idle_cores
        ));
    }
    if r.rdma_active {
        out.push("SMB Direct (RDMA): about 95 % of line rate with almost no host CPU and no TCP loss back-off.".to_string());
    } else if trace.scenario.transport.rdma {
        out.push(
            "RDMA NICs are present but unused: only the SMB performance option uses SMB Direct."
                .to_string(),
        );
    }
    if !trace.scenario.network.dedicated && !trace.passes.is_empty() {
        let (lo, hi) = trace.passes.iter().fold((1.0f64, 0.0f64), |(lo, hi), p| {
            (lo.min(p.background_share), hi.max(p.background_share))
        });
        out.push(format!(
            "Shared network: other traffic took {:.0}–{:.0} % of the link, so each run differs. A dedicated network removes that.",
            lo * 100.0,
            hi * 100.0
        ));
    }
    out
}
