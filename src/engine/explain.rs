//! Plain-language verdicts and explanations of a trace, shared by the UI and the CLI.

use super::scenario::StopPolicy;
use super::trace::{Outcome, Trace};
use super::transport::Bottleneck;
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
        Outcome::TimedOut if trace.passes.len() <= 1 => Verdict {
            severity: Severity::Bad,
            headline: format!(
                "Cancelled: the {} timeout is shorter than one full copy of memory; the VM keeps running on host A",
                fmt_duration(trace.scenario.timeout_s)
            ),
        },
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

/// What limited the rate and for what fraction of the time data moved, most common first (at
/// least 5 % of the time), with the most other traffic (wire bytes/s offered) seen under each.
pub fn bottleneck_time(trace: &Trace) -> Vec<(Bottleneck, f64, f64)> {
    let mut acc: Vec<(Bottleneck, f64, f64)> = Vec::new();
    let mut total = 0.0;
    for sg in &trace.segments {
        let d = sg.end_s - sg.start_s;
        total += d;
        // A segment slower than the path was held back by something of its own (compression
        // CPU, Xen's round limit); one faster than a capped path is QEMU's uncapped final copy.
        let path = trace.rates.wire_rate(sg.background);
        let b = if sg.wire_rate < path * (1.0 - 1e-9) {
            match trace.scenario.policy {
                StopPolicy::Xen {
                    rate_adaptive: true,
                    ..
                } => Bottleneck::RoundLimit,
                _ => Bottleneck::CompressionCpu,
            }
        } else if sg.wire_rate > path * (1.0 + 1e-9) {
            trace.rates.for_stop_copy().bottleneck(sg.background)
        } else {
            trace.rates.bottleneck(sg.background)
        };
        match acc.iter_mut().find(|e| e.0 == b) {
            Some(e) => {
                e.1 += d;
                e.2 = e.2.max(sg.background);
            }
            None => acc.push((b, d, sg.background)),
        }
    }
    if total <= 0.0 {
        return vec![(trace.rates.bottleneck(0.0), 1.0, 0.0)];
    }
    for e in &mut acc {
        e.1 /= total;
    }
    acc.retain(|e| e.1 >= 0.05);
    acc.sort_by(|a, b| b.1.total_cmp(&a.1));
    acc
}

/// One sentence per mechanism that shaped the transfer rate, most important first.
pub fn rate_explanation(trace: &Trace) -> Vec<String> {
    let r = &trace.rates;
    let s = &trace.scenario;
    let share = trace.mean_background_share();
    let mut out = Vec::new();
    for (bottleneck, fraction, worst) in bottleneck_time(trace) {
        let when = if fraction > 0.995 {
            String::new()
        } else {
            format!(" ({:.0} % of the time)", fraction * 100.0)
        };
        out.push(match bottleneck {
            Bottleneck::NoLink => "No link: nothing can be sent.".to_string(),
            Bottleneck::LineRate => format!(
                "Link-bound{when}: {:.1} % of the {} line rate is payload after framing and headers.",
                r.protocol_efficiency * 100.0,
                fmt_rate(r.line_rate)
            ),
            Bottleneck::TcpWindow => format!(
                "Window-bound{when}: a {:.0} KiB TCP window over a {:.1} ms round trip carries at most {}.",
                s.network.tcp_window_kib,
                r.rtt_s * 1e3,
                fmt_rate(r.window_ceiling)
            ),
            Bottleneck::PacketLoss => {
                let rate = r.wire_rate(worst);
                format!(
                    "Packet loss limits TCP{when}: {}the {:.0} descriptors of a receive ring absorb only {:.2} ms while the receiving core is busy elsewhere (stalls of {:.2} ms on average at this host load), so {:.3} % of packets are dropped; fast retransmits and {:.0} ms timeouts hold TCP to {}. More send/receive buffers help.",
                    if worst > 0.0 && !r.dedicated {
                        "other host traffic shares the migration's receive queue, and "
                    } else {
                        ""
                    },
                    r.descriptors,
                    r.ring_absorb_s(rate, worst) * 1e3,
                    r.stall_mean_s * 1e3,
                    r.loss_probability(rate, worst) * 100.0,
                    super::transport::RTO_S * 1e3,
                    fmt_rate(rate)
                )
            }
            Bottleneck::TransportCpu => format!(
                "CPU-bound TCP{when}: {} at ≈ {} GHz per Gbit/s on {:.1} GHz cores, {}, carry {}. SMB Multichannel adds flows; RDMA needs no CPU.",
                if r.flows == 1.0 {
                    "a single TCP flow".to_string()
                } else {
                    format!("{} TCP flows", r.flows)
                },
                super::transport::TCP_GHZ_PER_GBPS,
                s.transport.core_ghz,
                if r.flow_cpu_ceiling <= r.cpu_ceiling {
                    "each flow on one core".to_string()
                } else {
                    format!("sharing {:.1} idle cores", r.idle_cores.max(1.0))
                },
                fmt_rate(r.flow_cpu_ceiling.min(r.cpu_ceiling))
            ),
            Bottleneck::BandwidthCap => format!(
                "Capped{when}: the migration bandwidth limit allows {}.",
                fmt_rate(r.cap.unwrap_or(0.0))
            ),
            Bottleneck::RoundLimit => format!(
                "Rate-limited rounds{when}: Xen's adaptive pre-copy sends at 100 Mbit/s at first, then 50 Mbit/s above the dirty rate, at most 500 Mbit/s; only the last round runs at full speed."
            ),
            Bottleneck::CompressionCpu => match r.compress_threads {
                Some(threads) if r.compression_active => format!(
                    "Compression is CPU-bound here{when}: {threads:.0} thread{} at {} each compress {} of memory; the link could carry more.",
                    if threads == 1.0 { "" } else { "s" },
                    fmt_rate(r.compress_bytes_per_thread),
                    fmt_rate(r.compression_cpu_rate())
                ),
                _ if r.compression_active => format!(
                    "Compression is CPU-bound here{when}: the {:.1} idle cores, compressing at {} each and running TCP, prepare {} of memory; the link could carry more.",
                    r.idle_cores,
                    fmt_rate(r.compress_bytes_per_thread),
                    fmt_rate(r.compression_cpu_rate())
                ),
                _ => format!(
                    "The zero-page scan is CPU-bound here{when}: one migration thread checks pages for zeros at {}; the link could carry more.",
                    fmt_rate(super::transport::ZERO_SCAN_BYTES_PER_S)
                ),
            },
        });
    }
    if r.compression_active {
        let e = r.encode(1.0, 0.0);
        out.push(format!(
            "Compression: written pages shrink to {:.0} % ({:.0} % of them compress like text), never-written pages to almost nothing; it uses idle CPU only.",
            e.wire * 100.0,
            s.vm.compressible_fraction * 100.0
        ));
    } else if s.transport.kind == super::scenario::TransportKind::Compression {
        out.push(format!(
            "Compression is off: the host has only {:.1} idle cores, so Hyper-V falls back to TCP/IP.",
            r.idle_cores
        ));
    }
    if r.zero_markers && s.vm.untouched_mib > 0.0 {
        out.push(format!(
            "{} of never-written memory goes as zero-page markers of a few bytes each.",
            fmt_bytes(s.vm.untouched_mib * MIB)
        ));
    }
    if r.rdma_active {
        out.push(format!(
            "SMB Direct (RDMA) over {} NIC{}: about 95 % of line rate, almost no host CPU, no TCP loss back-off.",
            r.nics_used,
            if r.nics_used == 1 { "" } else { "s" }
        ));
    } else if s.network.rdma {
        out.push(
            "RDMA NICs are present but unused: only the SMB performance option uses SMB Direct."
                .to_string(),
        );
    }
    if !s.network.dedicated && !trace.segments.is_empty() {
        let hi = trace
            .segments
            .iter()
            .fold(0.0f64, |hi, sg| hi.max(r.background_share(sg.background)));
        out.push(format!(
            "Shared network: other traffic took {:.0} % of the link on average and up to {:.0} % in bursts, so each run differs. A dedicated network removes that.",
            share * 100.0,
            hi * 100.0
        ));
    }
    if let Some(p) = trace.passes.iter().rev().find(|p| p.throttle_pct > 0.0) {
        out.push(format!(
            "Auto-converge throttled the guest's vCPUs by up to {:.0} %, cutting its dirty rate to {}.",
            p.throttle_pct,
            fmt_rate(p.dirty_rate)
        ));
    }
    out
}
