//! Plain-language verdicts and explanations of a trace, shared by the UI and the CLI.

use super::scenario::{MultifdCompression, StopPolicy, TransportKind};
use super::trace::{Outcome, Trace};
use super::transport::Bottleneck;
use super::units::{fmt_bytes, fmt_duration, fmt_rate, Lang, MIB};

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
    verdict_in(trace, Lang::En)
}

/// The verdict in `lang`.
pub fn verdict_in(trace: &Trace, lang: Lang) -> Verdict {
    let _ = lang;
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

/// For each segment, the wire rate at which the source's CPU holds the transfer back while it
/// prepares the pages of that segment's pass or final copy (compression, or QEMU's zero scan);
/// infinite where the CPU prepares nothing.
fn cpu_limits(trace: &Trace) -> Vec<f64> {
    let r = &trace.rates;
    let n = trace.segments.len();
    let mut out = vec![f64::INFINITY; n];
    let mut fill = |(a, b): (usize, usize), limit: f64| {
        let (a, b) = (a.min(n), b.min(n));
        if a < b {
            out[a..b].fill(limit);
        }
    };
    for p in &trace.passes {
        let enc = r.encode((p.memory_bytes - p.zero_bytes).max(0.0), p.zero_bytes);
        fill(p.segments, r.cpu_wire_limit(&enc, 0.0));
    }
    if let Some(sc) = &trace.stop_copy {
        let enc = r.encode(sc.memory_bytes, 0.0);
        fill(sc.segments, r.cpu_wire_limit(&enc, sc.device_state_bytes));
    }
    out
}

/// What limited the rate and for what fraction of the time data moved, most common first (at
/// least 5 % of the time), with the most other traffic (wire bytes/s offered) seen under each.
pub fn bottleneck_time(trace: &Trace) -> Vec<(Bottleneck, f64, f64)> {
    let mut acc: Vec<(Bottleneck, f64, f64)> = Vec::new();
    let mut total = 0.0;
    let cpu = cpu_limits(trace);
    for (sg, &cpu_limit) in trace.segments.iter().zip(&cpu) {
        let d = sg.end_s - sg.start_s;
        total += d;
        // A segment slower than the path at its other traffic was held back by something of
        // its own: the CPU preparing pages when it runs at that limit, Xen's round limit, or
        // else the path itself over a stretch the segment averages (the long-run rate of a
        // long transfer on a shared link, a cluster migration's share of a NIC). One faster
        // than a capped path is QEMU's uncapped final copy.
        let path = trace.rates.wire_rate(sg.background);
        let b = if sg.wire_rate < path * (1.0 - 1e-9) {
            if sg.wire_rate >= cpu_limit * (1.0 - 1e-9) {
                Bottleneck::CompressionCpu
            } else if matches!(
                trace.scenario.policy,
                StopPolicy::Xen {
                    rate_adaptive: true,
                    ..
                }
            ) {
                Bottleneck::RoundLimit
            } else {
                trace.rates.bottleneck(sg.background)
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
    rate_explanation_in(trace, Lang::En)
}

/// The explanation in `lang`.
pub fn rate_explanation_in(trace: &Trace, lang: Lang) -> Vec<String> {
    let _ = lang;
    let r = &trace.rates;
    let s = &trace.scenario;
    let share = trace.mean_background_share();
    let multifd = s.policy.multifd();
    let codec = multifd
        .map(|m| m.compression)
        .filter(|c| *c != MultifdCompression::None);
    let compressing =
        r.compression_active && (s.transport.kind == TransportKind::Compression || codec.is_some());
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
                "CPU-bound TCP{when}: {} at ≈ {} GHz per Gbit/s on {:.1} GHz cores, {}, carry {}. {}",
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
                fmt_rate(r.flow_cpu_ceiling.min(r.cpu_ceiling)),
                if matches!(s.policy, StopPolicy::Qemu { .. }) {
                    "More multifd channels add flows."
                } else {
                    "SMB Multichannel adds flows; RDMA needs no CPU."
                }
            ),
            Bottleneck::BandwidthCap => {
                let cap = r.cap.unwrap_or(0.0);
                if s.policy.max_bandwidth() == Some(cap) {
                    format!(
                        "Capped{when}: QEMU's max-bandwidth allows {} before the VM is paused (128 MiB/s is QEMU's default; libvirt sets it unlimited).",
                        fmt_rate(cap)
                    )
                } else {
                    format!(
                        "Capped{when}: the SMB bandwidth limit for live migration allows {}.",
                        fmt_rate(cap)
                    )
                }
            }
            Bottleneck::RoundLimit => format!(
                "Rate-limited rounds{when}: Xen's adaptive pre-copy sends at 100 Mbit/s at first, then 50 Mbit/s above the dirty rate, at most 500 Mbit/s; only the last round runs at full speed."
            ),
            // Compression is named only when it is the performance option in use and running.
            Bottleneck::CompressionCpu => match r.compress_threads {
                Some(threads) if compressing && codec.is_some() => format!(
                    "multifd compression is CPU-bound here{when}: {threads:.0} channel thread{} compress with {} level 1 at {} each, {} of memory; the link could carry more.",
                    if threads == 1.0 { "" } else { "s" },
                    if codec == Some(MultifdCompression::Zstd) { "zstd" } else { "zlib" },
                    fmt_rate(r.compress_bytes_per_thread),
                    fmt_rate(r.compression_cpu_rate())
                ),
                Some(threads) if compressing => format!(
                    "Compression is CPU-bound here{when}: {threads:.0} thread{} at {} each compress {} of memory; the link could carry more.",
                    if threads == 1.0 { "" } else { "s" },
                    fmt_rate(r.compress_bytes_per_thread),
                    fmt_rate(r.compression_cpu_rate())
                ),
                _ if compressing => format!(
                    "Compression is CPU-bound here{when}: the {:.1} idle cores, compressing at {} each and running TCP, prepare {} of memory; the link could carry more.",
                    r.idle_cores,
                    fmt_rate(r.compress_bytes_per_thread),
                    fmt_rate(r.compression_cpu_rate())
                ),
                _ if r.zero_markers => format!(
                    "The zero-page scan is CPU-bound here{when}: {} check{} pages for zeros at {} each; the link could carry more.",
                    match multifd {
                        Some(m) => format!("{} multifd thread{}", m.channels, if m.channels == 1 { "" } else { "s" }),
                        None => "one migration thread".to_string(),
                    },
                    if multifd.is_some_and(|m| m.channels != 1) { "" } else { "s" },
                    fmt_rate(super::transport::ZERO_SCAN_BYTES_PER_S)
                ),
                _ => format!(
                    "CPU-bound source{when}: preparing pages on the source's {:.1} idle cores held the transfer below what the link could carry.",
                    r.idle_cores
                ),
            },
        });
    }
    if compressing {
        let e = r.encode(1.0, 0.0);
        out.push(format!(
            "Compression: written pages shrink to {:.0} % ({:.0} % of them compress like text), never-written pages to almost nothing; {}.",
            e.wire * 100.0,
            s.vm.compressible_fraction * 100.0,
            if codec.is_some() {
                "multifd's channel threads compress whatever the host's load"
            } else {
                "it uses idle CPU only"
            }
        ));
    } else if let Some(m) = multifd {
        out.push(format!(
            "multifd: {} parallel connection{}, each with its own thread and core.",
            m.channels,
            if m.channels == 1 { "" } else { "s" }
        ));
    } else if s.transport.kind == TransportKind::Compression {
        out.push(format!(
            "Compression is off: the host has only {:.1} idle cores, so Hyper-V falls back to TCP/IP.",
            r.idle_cores
        ));
    }
    if r.zero_markers && !compressing && s.vm.untouched_mib > 0.0 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Scenario;
    use crate::engine::simulate;

    /// A 4 TiB VM on a shared 10 GbE link between idle hosts: the copy is long enough that its
    /// end moves at the long-run mean rate of the link's bursts, slower than the path at the
    /// mean other traffic.
    fn four_tib(kind: TransportKind) -> Trace {
        let mut s = Scenario::default();
        s.vm.memory_mib = 4.0 * 1024.0 * 1024.0;
        s.vm.working_set_mib = s.vm.memory_mib / 4.0;
        s.vm.untouched_mib = s.vm.memory_mib / 8.0;
        s.network.link_gbps = 10.0;
        s.network.dedicated = false;
        s.transport.host_load = 0.0;
        s.transport.kind = kind;
        simulate(&s).unwrap()
    }

    fn mentions_cpu_preparation(line: &str) -> bool {
        let l = line.to_lowercase();
        l.contains("compress") || l.contains("zero-page scan") || l.contains("cpu-bound here")
    }

    #[test]
    fn a_tcp_run_is_never_blamed_on_compression() {
        let t = four_tib(TransportKind::Tcp);
        // The case that misled: a stretch slower than the path at its other traffic.
        assert!(t
            .segments
            .iter()
            .any(|sg| sg.wire_rate < t.rates.wire_rate(sg.background) * (1.0 - 1e-9)));
        assert!(bottleneck_time(&t)
            .iter()
            .all(|e| e.0 != Bottleneck::CompressionCpu));
        let why = rate_explanation(&t);
        assert!(!why.is_empty());
        for line in &why {
            assert!(!mentions_cpu_preparation(line), "{line}");
        }
    }

    #[test]
    fn compression_is_blamed_only_when_it_holds_the_transfer_back() {
        // Compression on and 16 idle cores: TCP's one flow, not compression, is the limit.
        let why = rate_explanation(&four_tib(TransportKind::Compression));
        assert!(
            why.iter()
                .any(|l| l.starts_with("Compression: written pages shrink")),
            "{why:?}"
        );
        assert!(
            !why.iter().any(|l| l.contains("Compression is CPU-bound")),
            "{why:?}"
        );
        // Two idle cores and a 25 GbE link: compression is the limit and is named.
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Compression;
        s.transport.host_cores = 4;
        s.transport.host_load = 0.5;
        s.network.link_gbps = 25.0;
        s.network.dedicated = true;
        let why = rate_explanation(&simulate(&s).unwrap());
        assert!(
            why[0].starts_with("Compression is CPU-bound here"),
            "{why:?}"
        );
        // The same hosts with TCP/IP: not a word about compression.
        s.transport.kind = TransportKind::Tcp;
        for line in rate_explanation(&simulate(&s).unwrap()) {
            assert!(!mentions_cpu_preparation(&line), "{line}");
        }
    }

    #[test]
    fn qemus_zero_scan_is_still_named_when_it_limits() {
        let mut s = Scenario::qemu_defaults();
        s.transport.kind = TransportKind::Tcp;
        s.vm.memory_mib = 65536.0;
        s.vm.working_set_mib = 1024.0;
        s.vm.untouched_mib = 60000.0;
        s.network.link_gbps = 100.0;
        s.network.dedicated = true;
        s.policy = StopPolicy::qemu_libvirt();
        let why = rate_explanation(&simulate(&s).unwrap());
        assert!(
            why[0].starts_with("The zero-page scan is CPU-bound here"),
            "{why:?}"
        );
    }

    #[test]
    fn multifd_compression_is_named_as_multifd() {
        let mut s = Scenario::qemu_defaults();
        s.network.link_gbps = 25.0;
        s.network.dedicated = true;
        s.policy = StopPolicy::qemu_libvirt();
        if let StopPolicy::Qemu { multifd, .. } = &mut s.policy {
            *multifd = Some(crate::engine::Multifd {
                channels: 2,
                compression: MultifdCompression::Zlib,
            });
        }
        let why = rate_explanation(&simulate(&s).unwrap());
        assert!(
            why[0].starts_with("multifd compression is CPU-bound here: 2 channel threads"),
            "{why:?}"
        );
        assert!(!why.iter().any(|l| l.contains("Hyper-V")), "{why:?}");
    }
}
