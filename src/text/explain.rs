//! Plain-language verdicts and explanations of a trace, shared by the UI and the CLI.

use crate::engine::scenario::{Multifd, MultifdCompression, StopPolicy, TransportKind};
use crate::engine::sort::sort_by;
use crate::engine::trace::{Outcome, Trace};
use crate::engine::transport::{Bottleneck, MIN_IDLE_CORES_FOR_COMPRESSION};
use crate::engine::units::MIB;
use crate::text::{localize, Fmt, Lang};

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

/// `one` for a count of 1, `many` otherwise.
fn plural<'a>(count: f64, one: &'a str, many: &'a str) -> &'a str {
    if count == 1.0 {
        one
    } else {
        many
    }
}

/// A number as Rust prints it by default ("0.52", "4"), in `lang`.
fn plain(v: f64, lang: Lang) -> String {
    localize(&v.to_string(), lang)
}

fn outpaced(trace: &Trace, lang: Lang) -> Option<String> {
    let f = Fmt(lang);
    let dirty = trace.scenario.vm.dirty_rate_mibps * MIB;
    let rate = mean_rate(trace);
    (dirty >= rate).then(|| {
        let (dirty, rate) = (f.rate(dirty), f.rate(rate));
        lang.pick(
            format!("dirty rate {dirty} exceeds the transfer rate {rate}"),
            format!("Die Änderungsrate von {dirty} übersteigt die Übertragungsrate von {rate}"),
        )
    })
}

/// What a migration risks, in a few words: not finishing, a blackout clients notice, a guest
/// slowed down, or a VM that lives on two hosts at once (post-copy, where a network failure
/// loses it). The compare table's last column.
pub fn risk(trace: &Trace, lang: Lang) -> String {
    let f = Fmt(lang);
    let mut risks = Vec::new();
    if !trace.outcome.completed() {
        risks.push(
            lang.pick(
                "it never finishes: cancelled, the VM stays on A",
                "sie endet nie: abgebrochen, die VM bleibt auf A",
            )
            .to_string(),
        );
    }
    if trace.outcome.completed() && trace.downtime_s > 1.0 {
        let d = f.duration(trace.downtime_s);
        risks.push(lang.pick(
            format!("a blackout of {d} that clients notice"),
            format!("eine Ausfallzeit von {d}, die Clients bemerken"),
        ));
    }
    if let Some((lost, over)) = trace.guest_slowdown() {
        let (pct, d) = (
            f.num(100.0 * lost / over.max(f64::MIN_POSITIVE), 0),
            f.duration(over),
        );
        risks.push(lang.pick(
            format!("the guest runs {pct} % slower for {d}"),
            format!("der Gast läuft {d} lang {pct} % langsamer"),
        ));
    }
    if let Some(pc) = &trace.postcopy {
        let d = f.duration(pc.end_s - pc.resume_s);
        risks.push(lang.pick(
            format!("for {d} neither host has the whole VM: a network failure loses it"),
            format!("{d} lang hat kein Host die ganze VM: ein Netzausfall zerstört sie"),
        ));
    }
    if risks.is_empty() {
        lang.pick("none beyond its blackout", "keines außer der Ausfallzeit")
            .to_string()
    } else {
        risks.join("; ")
    }
}

pub fn verdict(trace: &Trace) -> Verdict {
    verdict_in(trace, Lang::En)
}

/// The verdict in `lang`.
pub fn verdict_in(trace: &Trace, lang: Lang) -> Verdict {
    let f = Fmt(lang);
    let passes = trace.precopy_passes();
    let after_passes = lang.pick(
        format!("after {passes} {}", plural(passes as f64, "pass", "passes")),
        format!(
            "nach {passes} {}",
            plural(passes as f64, "Durchlauf", "Durchläufen")
        ),
    );
    let downtime = f.duration(trace.downtime_s);
    let paused = lang.pick(
        format!("the VM was paused for {downtime}"),
        format!("Die VM war {downtime} lang angehalten"),
    );
    let timeout = f.duration(trace.scenario.timeout_s);
    let stays = lang.pick(
        "The VM keeps running on host A",
        "Die VM läuft auf Host A weiter",
    );
    // Only the full bundle runs post-copy (`ui/handover.rs`).
    #[cfg(feature = "full")]
    if let (Some(pc), Outcome::Converged) = (&trace.postcopy, trace.outcome) {
        let (bytes, phase) = (f.bytes(pc.bytes), f.duration(pc.end_s - pc.resume_s));
        let waited = f.duration(pc.blocktime_s);
        let faults = f.num(pc.faulted_pages.round(), 0);
        return Verdict {
            severity: if pc.slowdown > 0.5 {
                Severity::Warning
            } else {
                Severity::Good
            },
            headline: lang.pick(
                format!(
                    "Switched to post-copy {after_passes}: {paused}; it then ran on B while {bytes} followed over {phase}, waiting {waited} on {faults} faults"
                ),
                format!(
                    "Nach Post-Copy gewechselt {after_passes}: {paused}; sie lief dann auf B, während {bytes} in {phase} folgten, und wartete {waited} auf {faults} Seitenfehler"
                ),
            ),
        };
    }
    match trace.outcome {
        Outcome::Converged => Verdict {
            severity: Severity::Good,
            headline: lang.pick(
                format!("Converged {after_passes}: {paused}"),
                format!("Konvergiert {after_passes}: {paused}"),
            ),
        },
        Outcome::PassCap => {
            let left = f.bytes(trace.stop_copy.as_ref().map_or(0.0, |s| s.memory_bytes));
            let why = match outpaced(trace, lang) {
                Some(w) => lang.pick(
                    format!("Does not converge: {w}. "),
                    format!("Konvergiert nicht: {w}. "),
                ),
                None => String::new(),
            };
            Verdict {
                severity: if trace.downtime_s > 2.0 {
                    Severity::Bad
                } else {
                    Severity::Warning
                },
                headline: lang.pick(
                    format!(
                        "{why}Pass cap reached {after_passes} with {left} still dirty: {paused}"
                    ),
                    format!(
                        "{why}Obergrenze der Durchläufe {after_passes} erreicht, noch {left} geänderter Speicher: {paused}"
                    ),
                ),
            }
        }
        Outcome::TimedOut if trace.passes.len() <= 1 => Verdict {
            severity: Severity::Bad,
            headline: lang.pick(
                format!(
                    "Cancelled: the {timeout} timeout is shorter than one full copy of memory; the VM keeps running on host A"
                ),
                format!(
                    "Abgebrochen: Das Zeitlimit von {timeout} ist kürzer als eine vollständige Kopie des Arbeitsspeichers; die VM läuft auf Host A weiter"
                ),
            ),
        },
        Outcome::TimedOut | Outcome::NoProgress => {
            let why = outpaced(trace, lang).unwrap_or_else(|| {
                lang.pick(
                    "what each pass leaves dirty stays above the stop threshold",
                    "Der nach jedem Durchlauf geänderte Speicher bleibt über dem Schwellenwert zum Anhalten",
                )
                .to_string()
            });
            let after = if trace.outcome == Outcome::TimedOut {
                lang.pick(
                    format!("cancelled at the {timeout} timeout"),
                    format!("beim Zeitlimit von {timeout} abgebrochen"),
                )
            } else {
                lang.pick(
                    format!("abandoned after {passes} passes"),
                    format!("nach {passes} Durchläufen aufgegeben"),
                )
            };
            Verdict {
                severity: Severity::Bad,
                headline: lang.pick(
                    format!("Does not converge: {why}; {after}. {stays}"),
                    format!("Konvergiert nicht: {why}; {after}. {stays}"),
                ),
            }
        }
        Outcome::NoBandwidth => Verdict {
            severity: Severity::Bad,
            headline: if trace.rates.line_rate == 0.0 {
                lang.pick(
                    "Cannot migrate: the link speed is 0 Gbit/s, so no memory can be copied",
                    "Migration nicht möglich: Die Verbindungsgeschwindigkeit beträgt 0 Gbit/s, daher kann kein Arbeitsspeicher kopiert werden",
                )
            } else {
                lang.pick(
                    "Cannot migrate: the bandwidth cap is 0, so no memory can be copied",
                    "Migration nicht möglich: Die Bandbreitengrenze beträgt 0, daher kann kein Arbeitsspeicher kopiert werden",
                )
            }
            .to_string(),
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
    // The path's rate and bottleneck at each level of other traffic met: a trace has hundreds
    // of segments but few levels, and each is a model of the whole path (this ran on every
    // slider step).
    let mut at_level: Vec<(u64, f64, Bottleneck)> = Vec::new();
    let mut path_at = |background: f64| match at_level
        .iter()
        .find(|(bits, ..)| *bits == background.to_bits())
    {
        Some(&(_, rate, b)) => (rate, b),
        None => {
            let (rate, b) = (
                trace.rates.wire_rate(background),
                trace.rates.bottleneck(background),
            );
            at_level.push((background.to_bits(), rate, b));
            (rate, b)
        }
    };
    for (sg, &cpu_limit) in trace.segments.iter().zip(&cpu) {
        let d = sg.end_s - sg.start_s;
        total += d;
        // A segment slower than the path at its other traffic was held back by something of
        // its own: the CPU preparing pages when it runs at that limit, Xen's round limit, or
        // else the path itself over a stretch the segment averages (the long-run rate of a
        // long transfer on a shared link, a cluster migration's share of a NIC). One faster
        // than a capped path is QEMU's uncapped final copy.
        let (path, path_bottleneck) = path_at(sg.background);
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
                path_bottleneck
            }
        } else if sg.wire_rate > path * (1.0 + 1e-9) {
            trace.rates.for_stop_copy().bottleneck(sg.background)
        } else {
            path_bottleneck
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
    sort_by(&mut acc, |a, b| b.1.total_cmp(&a.1));
    acc
}

/// One sentence per mechanism that shaped the transfer rate, most important first.
pub fn rate_explanation(trace: &Trace) -> Vec<String> {
    rate_explanation_in(trace, Lang::En)
}

/// The explanation in `lang`.
pub fn rate_explanation_in(trace: &Trace, lang: Lang) -> Vec<String> {
    let say = Explainer::new(trace, lang);
    let mut out: Vec<String> = bottleneck_time(trace)
        .into_iter()
        .map(|(bottleneck, fraction, worst)| {
            let when = if fraction > 0.995 {
                String::new()
            } else {
                let pct = say.f.num(fraction * 100.0, 0);
                lang.pick(
                    format!(" ({pct} % of the time)"),
                    format!(" ({pct} % der Zeit)"),
                )
            };
            say.bottleneck(bottleneck, &when, worst)
        })
        .collect();
    out.extend(say.encoding());
    out.extend(say.network());
    out.extend(say.throttle());
    out
}

/// What the sentences of one explanation share: the run, its language and its settings.
struct Explainer<'a> {
    trace: &'a Trace,
    lang: Lang,
    f: Fmt,
    multifd: Option<Multifd>,
    /// multifd's codec, when it compresses.
    codec: Option<MultifdCompression>,
    /// Compression is the option in use and running.
    compressing: bool,
}

impl<'a> Explainer<'a> {
    fn new(trace: &'a Trace, lang: Lang) -> Self {
        let s = &trace.scenario;
        let multifd = s.policy.multifd();
        let codec = multifd
            .map(|m| m.compression)
            .filter(|c| *c != MultifdCompression::None);
        let compressing = trace.rates.compression_active
            && (s.transport.kind == TransportKind::Compression || codec.is_some());
        Explainer {
            trace,
            lang,
            f: Fmt(lang),
            multifd,
            codec,
            compressing,
        }
    }

    fn pick(&self, en: String, de: String) -> String {
        self.lang.pick(en, de)
    }

    /// Why `bottleneck` held the rate where it did; `when` says for what share of the time.
    fn bottleneck(&self, bottleneck: Bottleneck, when: &str, worst: f64) -> String {
        let (r, s, f) = (&self.trace.rates, &self.trace.scenario, self.f);
        match bottleneck {
            Bottleneck::NoLink => self
                .lang
                .pick(
                    "No link: nothing can be sent.",
                    "Keine Verbindung: Es kann nichts gesendet werden.",
                )
                .to_string(),
            Bottleneck::LineRate => {
                let payload = f.num(r.protocol_efficiency * 100.0, 1);
                let line = f.rate(r.line_rate);
                self.pick(
                    format!(
                        "Link-bound{when}: {payload} % of the {line} line rate is payload after framing and headers."
                    ),
                    format!(
                        "Durch die Leitungsrate begrenzt{when}: Nach Abzug von Rahmen und Protokollheadern sind {payload} % der Leitungsrate von {line} Nutzdaten."
                    ),
                )
            }
            Bottleneck::TcpWindow => {
                let (window, rtt, most) = (
                    f.num(s.network.tcp_window_kib, 0),
                    f.num(r.rtt_s * 1e3, 1),
                    f.rate(r.window_ceiling),
                );
                self.pick(
                    format!(
                        "Window-bound{when}: a {window} KiB TCP window over a {rtt} ms round trip carries at most {most}."
                    ),
                    format!(
                        "Durch das TCP-Fenster begrenzt{when}: Ein TCP-Fenster von {window} KiB überträgt bei {rtt} ms Roundtripzeit höchstens {most}."
                    ),
                )
            }
            Bottleneck::PacketLoss => self.packet_loss(when, worst),
            Bottleneck::TransportCpu => self.transport_cpu(when),
            Bottleneck::BandwidthCap => {
                let cap = r.cap.unwrap_or(0.0);
                let rate = f.rate(cap);
                if s.policy.max_bandwidth() == Some(cap) {
                    self.pick(
                        format!(
                            "Capped{when}: QEMU's max-bandwidth allows {rate} before the VM is paused (128 MiB/s is QEMU's default; libvirt sets it unlimited)."
                        ),
                        format!(
                            "Bandbreite begrenzt{when}: Die QEMU-Einstellung max-bandwidth erlaubt {rate} bis zum Anhalten der VM (128 MiB/s ist der Standardwert von QEMU; libvirt hebt die Grenze auf)."
                        ),
                    )
                } else {
                    self.pick(
                        format!(
                            "Capped{when}: the SMB bandwidth limit for live migration allows {rate}."
                        ),
                        format!(
                            "Bandbreite begrenzt{when}: Das SMB-Bandbreitenlimit für die Livemigration erlaubt {rate}."
                        ),
                    )
                }
            }
            Bottleneck::RoundLimit => self.pick(
                format!(
                    "Rate-limited rounds{when}: Xen's adaptive pre-copy sends at 100 Mbit/s at first, then 50 Mbit/s above the dirty rate, at most 500 Mbit/s; only the last round runs at full speed."
                ),
                format!(
                    "Durchläufe mit begrenzter Rate{when}: Das adaptive Pre-Copy von Xen sendet zunächst mit 100 Mbit/s, dann mit 50 Mbit/s über der Änderungsrate, höchstens mit 500 Mbit/s; nur der letzte Durchlauf läuft mit voller Geschwindigkeit."
                ),
            ),
            Bottleneck::CompressionCpu => self.source_cpu(when),
        }
    }

    fn packet_loss(&self, when: &str, worst: f64) -> String {
        let (r, f) = (&self.trace.rates, self.f);
        let rate = r.wire_rate(worst);
        let shared = worst > 0.0 && !r.dedicated;
        let lead = self.lang.pick(
            if shared {
                "other host traffic shares the migration's receive queue, and the"
            } else {
                "the"
            },
            if shared {
                "Anderer Datenverkehr des Hosts nutzt die Empfangswarteschlange der Migration mit, und die"
            } else {
                "Die"
            },
        );
        let descriptors = f.num(r.descriptors, 0);
        let absorb = f.num(r.ring_absorb_s(rate, worst) * 1e3, 2);
        let stall = f.num(r.stall_mean_s * 1e3, 2);
        let dropped = f.num(r.loss_probability(rate, worst) * 100.0, 3);
        let rto = f.num(crate::engine::transport::RTO_S * 1e3, 0);
        let held = f.rate(rate);
        self.pick(
            format!(
                "Packet loss limits TCP{when}: {lead} {descriptors} descriptors of a receive ring absorb only {absorb} ms while the receiving core is busy elsewhere (stalls of {stall} ms on average at this host load), so {dropped} % of packets are dropped; fast retransmits and {rto} ms timeouts hold TCP to {held}. More send/receive buffers help."
            ),
            format!(
                "Paketverluste begrenzen TCP{when}: {lead} {descriptors} Deskriptoren eines Empfangsrings überbrücken nur {absorb} ms, während der empfangende Kern anderweitig beschäftigt ist (Unterbrechungen von im Mittel {stall} ms bei dieser Hostauslastung), daher werden {dropped} % der Pakete verworfen; schnelle Neuübertragungen (Fast Retransmit) und Timeouts von {rto} ms beschränken TCP auf {held}. Mehr Sende- und Empfangspuffer helfen."
            ),
        )
    }

    fn transport_cpu(&self, when: &str) -> String {
        let (r, s, f, lang) = (&self.trace.rates, &self.trace.scenario, self.f, self.lang);
        let one = r.flows == 1.0;
        let n = plain(r.flows, lang);
        let own_cores = r.flow_cpu_ceiling <= r.cpu_ceiling;
        let idle = f.num(r.idle_cores.max(1.0), 1);
        let ghz = plain(crate::engine::transport::TCP_GHZ_PER_GBPS, lang);
        let core = f.num(s.transport.core_ghz, 1);
        let carry = f.rate(r.flow_cpu_ceiling.min(r.cpu_ceiling));
        let hint = if matches!(s.policy, StopPolicy::Qemu { .. }) {
            lang.pick(
                "More multifd channels add flows.",
                "Mehr multifd-Kanäle ergeben mehr Datenströme.",
            )
        } else {
            lang.pick(
                "SMB Multichannel adds flows; RDMA needs no CPU.",
                "SMB Multichannel fügt Datenströme hinzu; RDMA benötigt keine CPU.",
            )
        };
        match lang {
            Lang::En => {
                let flows = if one {
                    "a single TCP flow".to_string()
                } else {
                    format!("{n} TCP flows")
                };
                let cores = if own_cores {
                    "each flow on one core".to_string()
                } else {
                    format!("sharing {idle} idle cores")
                };
                format!(
                    "CPU-bound TCP{when}: {flows} at ≈ {ghz} GHz per Gbit/s on {core} GHz cores, {cores}, carry {carry}. {hint}"
                )
            }
            Lang::De => {
                let flows = if one {
                    "überträgt ein einzelner TCP-Datenstrom".to_string()
                } else {
                    format!("übertragen {n} TCP-Datenströme")
                };
                let cores = match (own_cores, one) {
                    (true, true) => " auf einem Kern".to_string(),
                    (true, false) => ", jeder auf einem eigenen Kern,".to_string(),
                    (false, _) => format!(", verteilt auf {idle} freie Kerne,"),
                };
                format!(
                    "TCP durch die CPU begrenzt{when}: Bei ≈ {ghz} GHz pro Gbit/s und Kernen mit {core} GHz {flows}{cores} {carry}. {hint}"
                )
            }
        }
    }

    /// The source's CPU preparing pages held the transfer back. Compression is named only when
    /// it is the performance option in use and running.
    fn source_cpu(&self, when: &str) -> String {
        let (r, f, lang) = (&self.trace.rates, self.f, self.lang);
        let per_thread = f.rate(r.compress_bytes_per_thread);
        let total = f.rate(r.compression_cpu_rate());
        let idle = f.num(r.idle_cores, 1);
        match r.compress_threads {
            Some(threads) if self.compressing && self.codec.is_some() => {
                let n = f.num(threads, 0);
                let codec = if self.codec == Some(MultifdCompression::Zstd) {
                    "zstd"
                } else {
                    "zlib"
                };
                let (s, threads_compress) = (
                    plural(threads, "", "s"),
                    plural(threads, "Kanalthread komprimiert", "Kanalthreads komprimieren"),
                );
                self.pick(
                    format!(
                        "multifd compression is CPU-bound here{when}: {n} channel thread{s} compress with {codec} level 1 at {per_thread} each, {total} of memory; the link could carry more."
                    ),
                    format!(
                        "Die multifd-Komprimierung ist hier durch die CPU begrenzt{when}: {n} {threads_compress} mit {codec} (Stufe 1) je {per_thread}, zusammen {total} Arbeitsspeicher; die Leitung könnte mehr übertragen."
                    ),
                )
            }
            Some(threads) if self.compressing => {
                let n = f.num(threads, 0);
                let s = plural(threads, "", "s");
                let compress = plural(threads, "komprimiert", "komprimieren");
                self.pick(
                    format!(
                        "Compression is CPU-bound here{when}: {n} thread{s} at {per_thread} each compress {total} of memory; the link could carry more."
                    ),
                    format!(
                        "Die Komprimierung ist hier durch die CPU begrenzt{when}: {n} Thread{s} mit je {per_thread} {compress} zusammen {total} Arbeitsspeicher; die Leitung könnte mehr übertragen."
                    ),
                )
            }
            _ if self.compressing => self.pick(
                format!(
                    "Compression is CPU-bound here{when}: the {idle} idle cores, compressing at {per_thread} each and running TCP, prepare {total} of memory; the link could carry more."
                ),
                format!(
                    "Die Komprimierung ist hier durch die CPU begrenzt{when}: Die {idle} freien Kerne komprimieren mit je {per_thread}, verarbeiten TCP und bereiten so {total} Arbeitsspeicher vor; die Leitung könnte mehr übertragen."
                ),
            ),
            _ if r.zero_markers => {
                let scan = f.rate(r.zero_scan_bytes_per_s);
                let (who, one) = match self.multifd {
                    Some(m) => {
                        let (n, s) = (m.channels, plural(f64::from(m.channels), "", "s"));
                        let who = lang.pick(
                            format!("{n} multifd thread{s}"),
                            format!("{n} multifd-Thread{s}"),
                        );
                        (who, m.channels == 1)
                    }
                    None => (
                        lang.pick("one migration thread", "Ein Migrationsthread").to_string(),
                        true,
                    ),
                };
                let (checks, pruefen) = if one {
                    ("checks", "prüft")
                } else {
                    ("check", "prüfen")
                };
                self.pick(
                    format!(
                        "The zero-page scan is CPU-bound here{when}: {who} {checks} pages for zeros at {scan} each; the link could carry more."
                    ),
                    format!(
                        "Die Suche nach Nullseiten ist hier durch die CPU begrenzt{when}: {who} {pruefen} Seiten mit je {scan} auf Nullen; die Leitung könnte mehr übertragen."
                    ),
                )
            }
            _ => self.pick(
                format!(
                    "CPU-bound source{when}: preparing pages on the source's {idle} idle cores held the transfer below what the link could carry."
                ),
                format!(
                    "Quellhost durch die CPU begrenzt{when}: Das Vorbereiten der Seiten auf den {idle} freien Kernen des Quellhosts hielt die Übertragung unter dem, was die Leitung übertragen könnte."
                ),
            ),
        }
    }

    /// How pages are encoded for the wire: compression, multifd, zero-page markers.
    fn encoding(&self) -> Vec<String> {
        let (r, s, f, lang) = (&self.trace.rates, &self.trace.scenario, self.f, self.lang);
        let mut out = Vec::new();
        if self.compressing {
            let shrink = f.num(r.encode(1.0, 0.0).wire * 100.0, 0);
            let text = f.num(s.vm.compressible_fraction * 100.0, 0);
            let who = if self.codec.is_some() {
                lang.pick(
                    "multifd's channel threads compress whatever the host's load",
                    "die Kanalthreads von multifd komprimieren unabhängig von der Auslastung des Hosts",
                )
            } else {
                lang.pick("it uses idle CPU only", "sie nutzt nur freie CPU-Kapazität")
            };
            out.push(self.pick(
                format!(
                    "Compression: written pages shrink to {shrink} % ({text} % of them compress like text), never-written pages to almost nothing; {who}."
                ),
                format!(
                    "Komprimierung: Beschriebene Seiten schrumpfen auf {shrink} % ({text} % davon lassen sich wie Text komprimieren), nie beschriebene Seiten auf fast nichts; {who}."
                ),
            ));
        } else if let Some(m) = self.multifd {
            let n = m.channels;
            let (s, en) = (
                plural(f64::from(n), "", "s"),
                plural(f64::from(n), "", "en"),
            );
            out.push(self.pick(
                format!("multifd: {n} parallel connection{s}, each with its own thread and core."),
                format!("multifd: {n} parallele Verbindung{en}, jede mit eigenem Thread und Kern."),
            ));
        } else if s.transport.kind == TransportKind::Compression {
            let idle = f.num(r.idle_cores, 1);
            out.push(if r.idle_cores < MIN_IDLE_CORES_FOR_COMPRESSION {
                self.pick(
                    format!(
                        "Compression is off: the host has only {idle} idle cores, so Hyper-V falls back to TCP/IP."
                    ),
                    format!(
                        "Die Komprimierung ist nicht aktiv: Der Host hat nur {idle} freie Kerne, daher greift Hyper-V auf TCP/IP zurück."
                    ),
                )
            } else {
                self.pick(
                    format!(
                        "Compression is off: on the host's {idle} idle cores, compressing and sending would move less memory than plain TCP/IP, so Hyper-V falls back to TCP/IP. More idle cores or a slower link make it pay."
                    ),
                    format!(
                        "Die Komprimierung ist nicht aktiv: Auf den {idle} freien Kernen des Hosts würden Komprimieren und Senden weniger Arbeitsspeicher übertragen als reines TCP/IP, daher greift Hyper-V auf TCP/IP zurück. Mit mehr freien Kernen oder einer langsameren Verbindung lohnt sie sich."
                    ),
                )
            });
        }
        if r.zero_markers && !self.compressing && s.vm.untouched_mib > 0.0 {
            let untouched = f.bytes(s.vm.untouched_mib * MIB);
            out.push(self.pick(
                format!(
                    "{untouched} of never-written memory goes as zero-page markers of a few bytes each."
                ),
                format!(
                    "{untouched} nie beschriebener Arbeitsspeicher werden als Nullseiten-Markierungen von je wenigen Bytes übertragen."
                ),
            ));
        }
        out
    }

    /// RDMA, and other traffic on a shared network.
    fn network(&self) -> Vec<String> {
        let (trace, r, s, f) = (self.trace, &self.trace.rates, &self.trace.scenario, self.f);
        let mut out = Vec::new();
        if r.rdma_active {
            let (nics, s) = (r.nics_used, plural(f64::from(r.nics_used), "", "s"));
            out.push(self.pick(
                format!(
                    "SMB Direct (RDMA) over {nics} NIC{s}: about 95 % of line rate, almost no host CPU, no TCP loss back-off."
                ),
                format!(
                    "SMB Direct (RDMA) über {nics} Netzwerkadapter: etwa 95 % der Leitungsrate, kaum CPU-Last auf dem Host, keine Drosselung durch TCP bei Paketverlusten."
                ),
            ));
        } else if s.network.rdma {
            out.push(self.lang.pick(
                "RDMA NICs are present but unused: only the SMB performance option uses SMB Direct.",
                "RDMA-fähige Netzwerkadapter sind vorhanden, werden aber nicht genutzt: Nur die Leistungsoption SMB verwendet SMB Direct.",
            ).to_string());
        }
        if !s.network.dedicated && !trace.segments.is_empty() {
            let hi = trace
                .segments
                .iter()
                .fold(0.0f64, |hi, sg| hi.max(r.background_share(sg.background)));
            let (mean, hi) = (
                f.num(trace.mean_background_share() * 100.0, 0),
                f.num(hi * 100.0, 0),
            );
            out.push(self.pick(
                format!(
                    "Shared network: other traffic took {mean} % of the link on average and up to {hi} % in bursts, so each run differs. A dedicated network removes that."
                ),
                format!(
                    "Gemeinsam genutztes Netzwerk: Anderer Datenverkehr belegte im Mittel {mean} % der Leitung und in Spitzen bis zu {hi} %, daher verläuft jede Migration anders. Ein dediziertes Netzwerk sorgt für gleichbleibende Migrationszeiten."
                ),
            ));
        }
        out
    }

    /// Auto-converge's throttling of the guest, if it throttled.
    fn throttle(&self) -> Option<String> {
        let p = self
            .trace
            .passes
            .iter()
            .rev()
            .find(|p| p.throttle_pct > 0.0)?;
        let (pct, dirty) = (self.f.num(p.throttle_pct, 0), self.f.rate(p.dirty_rate));
        Some(self.pick(
            format!(
                "Auto-converge throttled the guest's vCPUs by up to {pct} %, cutting its dirty rate to {dirty}."
            ),
            format!(
                "Auto-converge drosselte die vCPUs des Gasts um bis zu {pct} % und senkte dessen Änderungsrate auf {dirty}."
            ),
        ))
    }
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
        // Four idle cores and a 25 GbE link: compression pays but is the limit, and is named.
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Compression;
        s.transport.host_cores = 8;
        s.transport.host_load = 0.5;
        s.network.link_gbps = 25.0;
        s.network.dedicated = true;
        let why = rate_explanation(&simulate(&s).unwrap());
        assert!(
            why[0].starts_with("Compression is CPU-bound here"),
            "{why:?}"
        );
        // Two idle cores: compressing would be slower than TCP/IP, so it is off, and says why.
        s.transport.host_cores = 4;
        let why = rate_explanation(&simulate(&s).unwrap());
        assert!(
            why.iter().any(|l| l.starts_with(
                "Compression is off: on the host's 2.0 idle cores, compressing and sending would move less memory than plain TCP/IP"
            )),
            "{why:?}"
        );
        s.transport.host_cores = 8;
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

    fn with_multifd(s: &mut Scenario, channels: u32, compression: MultifdCompression) {
        if let StopPolicy::Qemu { multifd, .. } = &mut s.policy {
            *multifd = Some(crate::engine::Multifd {
                channels,
                compression,
            });
        }
    }

    /// Scenarios that between them reach every outcome, every bottleneck and every optional
    /// sentence of the explainer but one: the generic "CPU-bound source" fallback, which no
    /// rates the engine computes lead to.
    fn catalogue() -> Vec<(&'static str, Scenario)> {
        fn hyperv(edit: fn(&mut Scenario)) -> Scenario {
            let mut s = Scenario::default();
            edit(&mut s);
            s
        }
        fn qemu(edit: fn(&mut Scenario)) -> Scenario {
            let mut s = Scenario::qemu_defaults();
            s.policy = StopPolicy::qemu_libvirt();
            edit(&mut s);
            s
        }
        fn xen(edit: fn(&mut Scenario)) -> Scenario {
            let mut s = Scenario::xen_defaults();
            edit(&mut s);
            s
        }
        vec![
            ("Hyper-V defaults", Scenario::default()),
            (
                "Hyper-V, an idle VM",
                hyperv(|s| s.vm.dirty_rate_mibps = 0.0),
            ),
            (
                "Hyper-V, TCP/IP, shared",
                hyperv(|s| s.transport.kind = TransportKind::Tcp),
            ),
            (
                "Hyper-V, TCP/IP with RDMA NICs, dedicated 25 GbE",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Tcp;
                    s.network.rdma = true;
                    s.network.dedicated = true;
                    s.network.link_gbps = 25.0;
                }),
            ),
            (
                "Hyper-V, SMB Direct over two NICs",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Smb;
                    s.network.rdma = true;
                    s.network.nics = 2;
                    s.network.dedicated = true;
                }),
            ),
            (
                "Hyper-V, SMB Direct over one 1 GbE NIC",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Smb;
                    s.network.rdma = true;
                    s.network.link_gbps = 1.0;
                    s.network.dedicated = true;
                    s.vm.dirty_rate_mibps = 10.0;
                }),
            ),
            (
                "Hyper-V, SMB with a bandwidth limit",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Smb;
                    s.network.smb_limit_mibps = Some(300.0);
                    s.network.dedicated = true;
                }),
            ),
            (
                "Hyper-V, Compression on a busy host",
                hyperv(|s| s.transport.host_load = 0.95),
            ),
            (
                "Hyper-V, Compression on two idle cores",
                hyperv(|s| {
                    s.transport.host_cores = 4;
                    s.network.link_gbps = 25.0;
                    s.network.dedicated = true;
                }),
            ),
            (
                "Hyper-V, Compression on one thread",
                hyperv(|s| {
                    s.transport.compress_threads = 1;
                    s.network.link_gbps = 25.0;
                    s.network.dedicated = true;
                }),
            ),
            (
                "Hyper-V, a 64 KiB window over 10 ms",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Tcp;
                    s.network.rtt_ms = 10.0;
                    s.network.tcp_window_kib = 64.0;
                    s.network.dedicated = true;
                }),
            ),
            (
                "Hyper-V, packet loss on a loaded host, shared",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Tcp;
                    s.transport.host_load = 0.9;
                    s.network.buffers = Some(64);
                }),
            ),
            (
                "Hyper-V, packet loss on a loaded host, dedicated",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Tcp;
                    s.transport.host_load = 0.9;
                    s.network.buffers = Some(64);
                    s.network.dedicated = true;
                    s.vm.dirty_rate_mibps = 1.0;
                }),
            ),
            (
                "Hyper-V, pass cap, a huge dirty rate",
                hyperv(|s| {
                    s.network.link_gbps = 1.0;
                    s.vm.dirty_rate_mibps = 5000.0;
                    s.vm.working_set_mib = 6000.0;
                }),
            ),
            (
                "Hyper-V, pass cap below the link's rate",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Tcp;
                    s.network.link_gbps = 1.0;
                    s.network.dedicated = true;
                    s.vm.dirty_rate_mibps = 100.0;
                    s.vm.working_set_mib = 6000.0;
                    s.vm.pattern = crate::engine::Pattern::Sequential;
                }),
            ),
            (
                "Hyper-V, a 0 Gbit/s link",
                hyperv(|s| s.network.link_gbps = 0.0),
            ),
            (
                "Hyper-V, an SMB limit of 0",
                hyperv(|s| {
                    s.transport.kind = TransportKind::Smb;
                    s.network.smb_limit_mibps = Some(0.0);
                }),
            ),
            ("QEMU defaults, max-bandwidth", Scenario::qemu_defaults()),
            (
                "QEMU, outpaced until the timeout",
                qemu(|s| {
                    s.network.link_gbps = 1.0;
                    s.vm.dirty_rate_mibps = 400.0;
                    s.timeout_s = 600.0;
                }),
            ),
            (
                "QEMU, not converging before the timeout",
                qemu(|s| {
                    s.policy = StopPolicy::qemu();
                    s.network.dedicated = true;
                    s.vm.dirty_rate_mibps = 100.0;
                    s.vm.working_set_mib = 6000.0;
                    s.vm.untouched_mib = 0.0;
                    s.vm.pattern = crate::engine::Pattern::Sequential;
                    s.timeout_s = 120.0;
                }),
            ),
            (
                "QEMU, no progress",
                qemu(|s| {
                    s.vm.memory_mib = 256.0;
                    s.vm.working_set_mib = 256.0;
                    s.vm.untouched_mib = 0.0;
                    s.vm.dirty_rate_mibps = 2000.0;
                    s.network.dedicated = true;
                    s.timeout_s = crate::engine::scenario::MAX_TIMEOUT_S;
                }),
            ),
            (
                "QEMU, auto-converge",
                qemu(|s| {
                    s.policy = StopPolicy::qemu_libvirt().with_qemu_options(true, true);
                    s.network.link_gbps = 1.0;
                    s.vm.dirty_rate_mibps = 400.0;
                }),
            ),
            (
                "QEMU, multifd with zlib",
                qemu(|s| {
                    s.network.link_gbps = 25.0;
                    s.network.dedicated = true;
                    with_multifd(s, 2, MultifdCompression::Zlib);
                }),
            ),
            (
                "QEMU, multifd with zstd on one channel",
                qemu(|s| {
                    s.network.link_gbps = 100.0;
                    s.network.dedicated = true;
                    with_multifd(s, 1, MultifdCompression::Zstd);
                }),
            ),
            (
                "QEMU, multifd on four channels",
                qemu(|s| {
                    s.network.link_gbps = 100.0;
                    s.network.dedicated = true;
                    s.vm.untouched_mib = 0.0;
                    with_multifd(s, 4, MultifdCompression::None);
                }),
            ),
            (
                "QEMU, multifd on 16 channels and two idle cores",
                qemu(|s| {
                    s.transport.host_cores = 4;
                    s.network.link_gbps = 100.0;
                    s.network.dedicated = true;
                    s.vm.untouched_mib = 0.0;
                    with_multifd(s, 16, MultifdCompression::None);
                }),
            ),
            (
                "QEMU, multifd's zero-page scan on one channel",
                qemu(|s| {
                    s.network.link_gbps = 100.0;
                    s.network.dedicated = true;
                    s.vm.memory_mib = 65536.0;
                    s.vm.working_set_mib = 1024.0;
                    s.vm.untouched_mib = 60000.0;
                    with_multifd(s, 1, MultifdCompression::None);
                }),
            ),
            (
                "QEMU, the migration thread's zero-page scan",
                qemu(|s| {
                    s.network.link_gbps = 100.0;
                    s.network.dedicated = true;
                    s.vm.memory_mib = 65536.0;
                    s.vm.working_set_mib = 1024.0;
                    s.vm.untouched_mib = 60000.0;
                }),
            ),
            (
                "QEMU, two legacy compression threads",
                qemu(|s| {
                    s.transport.kind = TransportKind::Compression;
                    s.transport.compress_threads = 2;
                    s.network.link_gbps = 100.0;
                    s.network.dedicated = true;
                }),
            ),
            ("Xen defaults", Scenario::xen_defaults()),
            (
                "Xen, rate-limited rounds",
                xen(|s| {
                    s.policy = StopPolicy::Xen {
                        max_iterations: 30,
                        min_dirty_pages: 50,
                        max_factor: 3.0,
                        rate_adaptive: true,
                    };
                    s.network.dedicated = true;
                }),
            ),
            (
                "Xen, outpaced",
                xen(|s| {
                    s.network.link_gbps = 1.0;
                    s.vm.dirty_rate_mibps = 500.0;
                }),
            ),
        ]
    }

    /// The verdicts and explanations of the catalogue in English, a block per scenario.
    fn english_report() -> String {
        let mut out = String::new();
        for (name, s) in catalogue() {
            let t = simulate(&s).unwrap();
            out += &format!("== {name}\n{}\n", verdict(&t).headline);
            for line in rate_explanation(&t) {
                out += &line;
                out.push('\n');
            }
        }
        out
    }

    /// `english_report()` as the explainer wrote it before it spoke German.
    /// The English texts of the catalogue as last reviewed (`UPDATE_SNAPSHOTS=1` rewrites the
    /// file after a deliberate change to the engine's numbers or words).
    const ENGLISH_REPORT: &str = include_str!("../../tests/snapshots/explain-en.txt");

    /// English is exactly what the CLI, the UI and their tests have always been given.
    #[test]
    fn english_is_unchanged() {
        for (name, s) in catalogue() {
            let t = simulate(&s).unwrap();
            assert_eq!(verdict_in(&t, Lang::En), verdict(&t), "{name}");
            assert_eq!(
                rate_explanation_in(&t, Lang::En),
                rate_explanation(&t),
                "{name}"
            );
        }
        let now = english_report();
        let before = ENGLISH_REPORT;
        if now != before && std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/snapshots/explain-en.txt"
            );
            std::fs::write(path, &now).expect("snapshot written");
            return;
        }
        if now != before {
            let first = now.lines().zip(before.lines()).find(|(a, b)| a != b);
            panic!("English changed, first at {first:?} (UPDATE_SNAPSHOTS=1 rewrites the snapshot after a deliberate change); the whole text now:\n{now}");
        }
    }

    /// Words that give away an English sentence left in German text.
    const ENGLISH_WORDS: [&str; 9] = [
        " the ", " is ", " of ", " and ", " with ", " while ", "because", " was ", " after ",
    ];

    /// A point between two digits: an English decimal point.
    fn has_decimal_point(text: &str) -> bool {
        let c: Vec<char> = text.chars().collect();
        c.windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == '.' && w[2].is_ascii_digit())
    }

    /// "25%" rather than "25 %".
    fn has_unspaced_percent(text: &str) -> bool {
        let c: Vec<char> = text.chars().collect();
        c.windows(2).any(|w| w[0].is_ascii_digit() && w[1] == '%')
    }

    #[test]
    fn german_is_complete() {
        let (mut outcomes, mut bottlenecks) = (Vec::new(), Vec::new());
        for (name, s) in catalogue() {
            let t = simulate(&s).unwrap();
            outcomes.push(t.outcome);
            bottlenecks.extend(bottleneck_time(&t).into_iter().map(|e| e.0));
            let (en, de) = (verdict(&t), verdict_in(&t, Lang::De));
            assert_eq!(de.severity, en.severity, "{name}");
            let en: Vec<String> = std::iter::once(en.headline)
                .chain(rate_explanation(&t))
                .collect();
            let de: Vec<String> = std::iter::once(de.headline)
                .chain(rate_explanation_in(&t, Lang::De))
                .collect();
            assert_eq!(de.len(), en.len(), "{name}: {de:?}");
            for (en, de) in en.iter().zip(&de) {
                assert_ne!(de, en, "{name}: untranslated");
                let words = format!(" {} ", de.to_lowercase());
                for w in ENGLISH_WORDS {
                    assert!(!words.contains(w), "{name}: {w:?} in {de}");
                }
                assert!(!has_decimal_point(de), "{name}: a decimal point in {de}");
                assert!(!has_unspaced_percent(de), "{name}: {de}");
            }
        }
        for o in [
            Outcome::Converged,
            Outcome::PassCap,
            Outcome::TimedOut,
            Outcome::NoProgress,
            Outcome::NoBandwidth,
        ] {
            assert!(outcomes.contains(&o), "no scenario ends {o:?}");
        }
        for b in [
            Bottleneck::NoLink,
            Bottleneck::LineRate,
            Bottleneck::TcpWindow,
            Bottleneck::PacketLoss,
            Bottleneck::TransportCpu,
            Bottleneck::BandwidthCap,
            Bottleneck::CompressionCpu,
            Bottleneck::RoundLimit,
        ] {
            assert!(bottlenecks.contains(&b), "no scenario is limited by {b:?}");
        }
    }

    #[test]
    fn german_numbers_take_a_decimal_comma() {
        let mut s = Scenario::default();
        s.transport.kind = TransportKind::Smb;
        s.network.rdma = true;
        s.network.dedicated = true;
        let t = simulate(&s).unwrap();
        let why = rate_explanation_in(&t, Lang::De);
        assert_eq!(
            why[0],
            "Durch die Leitungsrate begrenzt: Nach Abzug von Rahmen und Protokollheadern sind 95,0 % der Leitungsrate von 1,16 GiB/s (10,00 Gbit/s) Nutzdaten."
        );
        assert!(verdict_in(&t, Lang::De)
            .headline
            .starts_with("Konvergiert nach "));
    }
}
