//! The `migration-lab` command line: simulate one scenario, or sweep one parameter to CSV.

use std::ffi::OsString;
use std::fmt::Write as _;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::engine::scenario::{describes_cluster, MAX_SCENARIO_FILE_BYTES};
use crate::engine::units::{fmt_bytes, fmt_duration, fmt_rate, MIB};
use crate::engine::{
    simulate, simulate_cluster, ClusterScenario, ClusterTrace, Lang, Multifd, MultifdCompression,
    Outcome, Pattern, Scenario, StopPolicy, Trace, TransportKind,
};
use crate::model::study::sweep_value;
use crate::model::{pick_hypervisor, Hypervisor, Param, Spacing};
use crate::text::{rate_explanation, verdict};

#[derive(Parser, Debug)]
#[command(
    name = "migration-lab",
    version,
    about = "Simulate live migration of a virtual machine: pre-copy passes, dirty pages, the blackout."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate one migration and print the result.
    Simulate {
        #[command(flatten)]
        knobs: Knobs,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Vary one parameter over a range and print one CSV row per value.
    Sweep {
        #[command(flatten)]
        knobs: Knobs,
        /// The parameter to vary.
        #[arg(long, value_enum)]
        vary: Param,
        #[arg(long, allow_negative_numbers = true)]
        from: f64,
        #[arg(long, allow_negative_numbers = true)]
        to: f64,
        /// Number of values from --from to --to.
        #[arg(long, default_value_t = 11)]
        steps: u32,
        /// How the values are spaced: `auto` is a log scale when both ends are above 0 and one
        /// is 10 times the other or more (as the page's sweeps), else linear.
        #[arg(long, value_enum, default_value_t = Spacing::Auto)]
        spacing: Spacing,
    },
    /// Draw a chart as an SVG file: the page's pass or link chart of one migration, or the
    /// Gantt chart of a cluster file's migrations.
    Chart {
        #[command(flatten)]
        knobs: Knobs,
        /// Where to write the SVG ("-" for standard output).
        #[arg(long, value_name = "OUT")]
        svg: std::path::PathBuf,
        /// Which chart: `passes` or `link` for one VM (default `passes`), `gantt` for a
        /// cluster (its default).
        #[arg(long, value_enum)]
        chart: Option<ChartArg>,
        /// Width in pixels.
        #[arg(long, default_value_t = 640)]
        width: u32,
        /// The language of the labels.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
    },
    /// The lab: measure real QEMU migrations, and hold the engine against them.
    Lab {
        #[command(subcommand)]
        command: LabCommand,
    },
    /// Print the default scenario as JSON (a starting point for --scenario files).
    Scenario {
        #[arg(long, value_enum, default_value_t = Hypervisor::Hyperv)]
        policy: Hypervisor,
    },
}

#[derive(Subcommand, Debug)]
enum LabCommand {
    /// Run the grid's migrations not yet recorded in OUT/qemu.csv (`cargo xtask lab` builds
    /// the guest and calls this).
    Run {
        /// The QEMU binary.
        #[arg(long, default_value = "qemu-system-x86_64")]
        qemu: std::path::PathBuf,
        /// The lab guest (`src/lab/guest`, built by `cargo xtask lab`).
        #[arg(long)]
        guest: std::path::PathBuf,
        /// Where qemu.csv and qemu.jsonl are kept.
        #[arg(long, default_value = "validation/lab")]
        out: std::path::PathBuf,
        /// Only the runs whose id contains this text.
        #[arg(long)]
        only: Option<String>,
        /// At most this many runs now; the rest stay for the next call.
        #[arg(long)]
        limit: Option<usize>,
        /// Run again the recorded runs that failed or were disturbed by other work on the
        /// machine.
        #[arg(long)]
        retry_failed: bool,
    },
    /// Run the engine against every recorded run and report its errors per split.
    Compare {
        /// A lab CSV file (validation/lab/qemu.csv).
        file: std::path::PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Also draw predicted against measured total time as an SVG scatter here.
        #[arg(long, value_name = "OUT")]
        svg: Option<std::path::PathBuf>,
    },
    /// List the grid's runs, one id a line with its split.
    Grid,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum HostArg {
    /// The lab's host, fitted on its calibration runs.
    Lab,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum ChartArg {
    /// Memory sent per pass against the stop threshold.
    Passes,
    /// Link use over time.
    Link,
    /// A cluster's migrations over time, a row each.
    Gantt,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum LangArg {
    En,
    De,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PatternArg {
    Random,
    Sequential,
    Hotcold,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum TransportArg {
    Tcp,
    Compression,
    Smb,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CodecArg {
    None,
    Zlib,
    Zstd,
}

/// Scenario settings; each overrides the file given with --scenario (or the defaults).
#[derive(Args, Debug, Default)]
struct Knobs {
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
    #[arg(long, value_enum)]
    pattern: Option<PatternArg>,
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
    #[arg(long, value_enum)]
    multifd_compression: Option<CodecArg>,
    #[arg(long, allow_negative_numbers = true)]
    timeout_s: Option<f64>,
    #[arg(long, value_enum)]
    transport: Option<TransportArg>,
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

/// The most rows one sweep prints.
pub const MAX_SWEEP_STEPS: u32 = 100_000;

impl Knobs {
    /// The --scenario file's text, read once and at most [`MAX_SCENARIO_FILE_BYTES`] long.
    fn file_text(&self, path: &std::path::Path) -> Result<&str, String> {
        if let Some(t) = self.text.get() {
            return Ok(t);
        }
        use std::io::Read;
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut text = String::new();
        file.take(MAX_SCENARIO_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if text.len() as u64 > MAX_SCENARIO_FILE_BYTES {
            return Err(format!(
                "{} is larger than {} MiB; a scenario file is a few KiB",
                path.display(),
                MAX_SCENARIO_FILE_BYTES >> 20
            ));
        }
        Ok(self.text.get_or_init(|| text))
    }

    /// The --scenario file as a cluster scenario, if it describes one (it has "hosts"). Only
    /// --seed applies to a cluster; other flags describe a single VM.
    fn cluster(&self) -> Result<Option<ClusterScenario>, String> {
        let Some(path) = &self.scenario else {
            return Ok(None);
        };
        let text = self.file_text(path)?;
        if !describes_cluster(text) {
            return Ok(None);
        }
        let mut c =
            ClusterScenario::from_json(text).map_err(|e| format!("{}: {e}", path.display()))?;
        if self.describes_a_vm() {
            return Err("a cluster scenario takes only --seed and --json; describe hosts, NICs and VMs in the file".into());
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
            || self.rdma
            || self.dedicated
            || self.shared
    }

    fn scenario(&self) -> Result<Scenario, String> {
        let mut s = match &self.scenario {
            Some(path) => {
                let text = self.file_text(path)?;
                Scenario::from_json(text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => Scenario::default(),
        };
        if let Some(h) = self.policy {
            pick_hypervisor(&mut s, h);
        }
        if self.host_profile == Some(HostArg::Lab) {
            crate::lab::compare::HostProfile::lab()?.apply(&mut s);
        }
        set(&mut s.vm.memory_mib, self.memory_mib);
        set(&mut s.vm.working_set_mib, self.working_set_mib);
        set(&mut s.vm.untouched_mib, self.untouched_mib);
        set(&mut s.vm.compressible_fraction, self.compressible_fraction);
        set(&mut s.vm.zero_fraction, self.zero_fraction);
        set(&mut s.vm.sparse_fraction, self.sparse_fraction);
        set(&mut s.vm.write_cpu_share, self.write_cpu_share);
        set(&mut s.vm.dirty_rate_mibps, self.dirty_rate_mibps);
        if let Some(p) = self.pattern {
            s.vm.pattern = match p {
                PatternArg::Random => Pattern::Random,
                PatternArg::Sequential => Pattern::Sequential,
                PatternArg::Hotcold => Pattern::HotCold,
            };
        }
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
        if let Some(t) = self.transport {
            s.transport.kind = match t {
                TransportArg::Tcp => TransportKind::Tcp,
                TransportArg::Compression => TransportKind::Compression,
                TransportArg::Smb => TransportKind::Smb,
            };
        }
        if self.rdma {
            s.network.rdma = true;
        }
        let other = |flag: &str, policy: &str| Err(format!("{flag} applies to --policy {policy}"));
        let qemu_only = [
            ("--downtime-limit-ms", self.downtime_limit_ms.is_some()),
            ("--auto-converge", self.auto_converge),
            ("--max-bandwidth-mibps", self.max_bandwidth_mibps.is_some()),
            ("--multifd-channels", self.multifd_channels.is_some()),
            ("--multifd-compression", self.multifd_compression.is_some()),
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
                ..
            } => {
                set(downtime_limit_ms, self.downtime_limit_ms);
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
                        compression: match codec {
                            CodecArg::None => MultifdCompression::None,
                            CodecArg::Zlib => MultifdCompression::Zlib,
                            CodecArg::Zstd => MultifdCompression::Zstd,
                        },
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
        s.validate().map_err(|e| e.to_string())?;
        Ok(s)
    }
}

fn set<T>(slot: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *slot = v;
    }
}

fn report(t: &Trace) -> String {
    let s = &t.scenario;
    let mut out = String::new();
    let memory = s.vm.memory_mib * MIB;
    let _ = writeln!(
        out,
        "{} policy · {} VM · {} Gbit/s {} link",
        s.policy.name(),
        fmt_bytes(memory),
        s.network.link_gbps,
        if s.network.dedicated {
            "dedicated"
        } else {
            "shared"
        }
    );
    let _ = writeln!(out, "{}\n", verdict(t).headline);
    let _ = writeln!(out, "total time   {}", fmt_duration(t.total_time_s));
    let _ = writeln!(out, "downtime     {}", fmt_duration(t.downtime_s));
    let _ = writeln!(
        out,
        "data sent    {} ({:.2}× memory)",
        fmt_bytes(t.wire_bytes),
        t.wire_bytes / memory
    );
    let _ = writeln!(out, "passes       {}\n", t.precopy_passes());
    let _ = writeln!(
        out,
        "{:>5}  {:>10}  {:>10}  {:>12}  {:>28}  {:>12}",
        "pass", "start", "duration", "memory", "wire rate", "dirtied"
    );
    for p in &t.passes {
        let _ = writeln!(
            out,
            "{:>5}  {:>10}  {:>10}  {:>12}  {:>28}  {:>12}",
            p.index,
            fmt_duration(p.start_s),
            fmt_duration(p.duration_s),
            fmt_bytes(p.memory_bytes),
            fmt_rate(p.wire_rate),
            fmt_bytes(p.dirty_bytes_at_end)
        );
    }
    if let Some(sc) = &t.stop_copy {
        let _ = writeln!(
            out,
            "{:>5}  {:>10}  {:>10}  {:>12}  {:>28}  {:>12}",
            "stop",
            fmt_duration(sc.start_s),
            fmt_duration(sc.duration_s),
            fmt_bytes(sc.memory_bytes + sc.device_state_bytes),
            fmt_rate(sc.wire_bytes / sc.duration_s.max(f64::MIN_POSITIVE)),
            "—"
        );
    }
    out.push('\n');
    for line in rate_explanation(t) {
        let _ = writeln!(out, "· {line}");
    }
    out
}

fn cluster_report(t: &ClusterTrace) -> String {
    let sc = &t.scenario;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "cluster of {} hosts, {} VMs · {} at a time per host, {} in the cluster · {}",
        sc.hosts.len(),
        sc.vms.len(),
        sc.settings.per_host_limit,
        sc.settings.cluster_limit,
        if sc.shared_storage {
            "shared storage"
        } else {
            "no shared storage"
        }
    );
    let _ = writeln!(
        out,
        "all done after {} · worst blackout {} · peak link use {:.2} Gbit/s\n",
        fmt_duration(t.makespan_s),
        fmt_duration(t.worst_blackout_s),
        t.peak_link_gbps
    );
    let _ = writeln!(
        out,
        "{:<12} {:<8} {:<8} {:>10} {:>10} {:>7} {:>10} {:>11}  outcome",
        "vm", "from", "to", "start", "end", "passes", "downtime", "sent"
    );
    for m in &t.migrations {
        let outcome = match (&m.refused, m.outcome) {
            (Some(why), _) => format!("refused: {why}"),
            (None, Some(o)) => serde_json::to_value(o)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            (None, None) => "—".into(),
        };
        let _ = writeln!(
            out,
            "{:<12} {:<8} {:<8} {:>10} {:>10} {:>7} {:>10} {:>11}  {outcome}",
            m.vm,
            m.from,
            m.to,
            fmt_duration(m.start_s),
            fmt_duration(m.end_s),
            m.passes,
            fmt_duration(m.downtime_s),
            fmt_bytes(m.wire_bytes)
        );
    }
    out
}

/// Prints one CSV row per value as soon as it is simulated.
fn sweep(
    base: &Scenario,
    p: Param,
    (from, to, steps, spacing): (f64, f64, u32, Spacing),
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    let name = p.name();
    if steps == 0 || steps > MAX_SWEEP_STEPS {
        return Err(format!(
            "--steps must be 1 to {MAX_SWEEP_STEPS} (got {steps})"
        ));
    }
    let whole = p.whole_range();
    for (flag, x) in [("--from", from), ("--to", to)] {
        if !x.is_finite() {
            return Err(format!("{flag} must be a finite number (got {x})"));
        }
        if let Some((lo, hi)) = whole {
            if x.fract() != 0.0 || !(lo..=hi).contains(&x) {
                return Err(format!(
                    "--vary {name} takes whole numbers from {lo} to {hi} (got {flag} {x})"
                ));
            }
        }
    }
    if let Some(why) = p.unavailable(base) {
        return Err(format!("--vary {name} {why} (--policy)"));
    }
    if spacing == Spacing::Log && !spacing.is_log(from, to) {
        return Err(format!(
            "--spacing log needs --from and --to above 0 (got {from} and {to})"
        ));
    }
    let mut row = format!("{name},converged,outcome,total_time_ms,downtime_ms,bytes_sent,passes\n");
    for i in 0..steps {
        let v = sweep_value(from, to, i as usize, steps as usize, spacing);
        // Whole-number parameters run, and are printed, at the nearest whole number.
        let v = if whole.is_some() { v.round() } else { v };
        if !v.is_finite() {
            return Err(format!(
                "--vary {name}: value {} of {steps} is not a finite number",
                i + 1
            ));
        }
        let t = simulate(&p.with(base, v)).map_err(|e| format!("at {name} = {v}: {e}"))?;
        let outcome = serde_json::to_value(t.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(
            row,
            "{v},{},{outcome},{:.3},{:.3},{:.0},{}",
            t.outcome == Outcome::Converged,
            t.total_time_s * 1e3,
            t.downtime_s * 1e3,
            t.wire_bytes,
            t.precopy_passes()
        );
        emit(out, &row)?;
        row.clear();
    }
    emit(out, &row)
}

/// Writes `text`; a closed pipe (`migration-lab … | head`) ends the output quietly.
fn emit(out: &mut dyn std::io::Write, text: &str) -> Result<(), String> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// Exit status for bad input of any kind.
pub const EXIT_BAD_INPUT: i32 = 2;

/// `text` on one line: line breaks and other control characters (which a file name or a JSON
/// key in a parser's message may hold) are shown escaped, as `\n`.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim_end().chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// What a command-line parsing error says, without the usage block and the pointer to --help:
/// clap's first paragraph (the message and any list of missing arguments or possible values)
/// and its tips, joined into one line.
fn usage_error(e: &clap::Error) -> String {
    if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let commands: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .filter(|n| n != "help")
            .collect();
        return format!(
            "a command is required: {} (see --help)",
            commands.join(", ")
        );
    }
    let text = e.render().to_string();
    let mut parts: Vec<&str> = Vec::new();
    for (i, paragraph) in text.split("\n\n").enumerate() {
        let lines = paragraph.lines().map(str::trim).filter(|l| !l.is_empty());
        if i == 0 {
            parts.extend(lines);
        } else {
            parts.extend(lines.filter(|l| l.starts_with("tip:")));
        }
    }
    let joined = parts.join(" ");
    joined
        .strip_prefix("error:")
        .unwrap_or(&joined)
        .trim()
        .to_string()
}

/// Prints `error: …` as exactly one line on stderr and returns the exit status for bad input.
fn fail(message: &str) -> i32 {
    eprintln!("error: {}", one_line(message));
    EXIT_BAD_INPUT
}

/// Runs the CLI; returns the process exit code. Output goes to stdout; an error is one line on
/// stderr, `error: …`, with status 2.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            // --help and --version: their text on stdout.
            let _ = e.print();
            return 0;
        }
        Err(e) => return fail(&usage_error(&e)),
    };
    match execute(cli.command, &mut std::io::stdout().lock()) {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}

fn execute(cmd: Command, out: &mut dyn std::io::Write) -> Result<(), String> {
    let text = match cmd {
        Command::Simulate { knobs, json } => {
            if let Some(cluster) = knobs.cluster()? {
                let t = simulate_cluster(&cluster).map_err(|e| e.to_string())?;
                let text = if json {
                    crate::export::cluster_json(&t)
                } else {
                    cluster_report(&t)
                };
                return emit(out, &text);
            }
            let s = knobs.scenario()?;
            let t = simulate(&s).map_err(|e| e.to_string())?;
            if json {
                Ok::<_, String>(crate::export::summary_json(&t))
            } else {
                Ok(report(&t))
            }
        }
        Command::Sweep {
            knobs,
            vary,
            from,
            to,
            steps,
            spacing,
        } => {
            if knobs.cluster()?.is_some() {
                return Err(
                    "sweep varies one VM's parameter; cluster files can only be simulated".into(),
                );
            }
            return sweep(&knobs.scenario()?, vary, (from, to, steps, spacing), out);
        }
        Command::Chart {
            knobs,
            svg,
            chart,
            width,
            lang,
        } => {
            if !(64..=8192).contains(&width) {
                return Err(format!("--width must be 64 to 8192 pixels (got {width})"));
            }
            let lang = match lang {
                LangArg::En => Lang::En,
                LangArg::De => Lang::De,
            };
            let c = &crate::charts::Colours::LIGHT;
            let text = match (knobs.cluster()?, chart) {
                (Some(cluster), None | Some(ChartArg::Gantt)) => {
                    let t = simulate_cluster(&cluster).map_err(|e| e.to_string())?;
                    crate::charts::gantt_svg(&t, lang, width, c)
                }
                (Some(_), Some(_)) => {
                    return Err(
                        "a cluster file has the gantt chart; passes and link draw one VM's \
                         migration"
                            .into(),
                    )
                }
                (None, Some(ChartArg::Gantt)) => {
                    return Err("the gantt chart draws a cluster file's migrations".into())
                }
                (None, chart) => {
                    let t = simulate(&knobs.scenario()?).map_err(|e| e.to_string())?;
                    match chart {
                        Some(ChartArg::Link) => crate::charts::link_svg(&t, lang, width, c),
                        _ => crate::charts::passes_svg(&t, lang, width, c),
                    }
                }
            }?;
            if svg.as_os_str() == "-" {
                return emit(out, &text);
            }
            return write_file(&svg, &text);
        }
        Command::Lab { command } => lab(command),
        Command::Scenario { policy } => Ok(policy.defaults().to_json() + "\n"),
    }?;
    emit(out, &text)
}

/// Writes `text` to the file at `path`, saying which file could not be written.
fn write_file(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn lab(cmd: LabCommand) -> Result<String, String> {
    use crate::lab::{compare, grid, record, runner};
    match cmd {
        LabCommand::Run {
            qemu,
            guest,
            out,
            only,
            limit,
            retry_failed,
        } => {
            let cfg = runner::LabConfig {
                qemu,
                guest,
                out_dir: out,
                only,
                limit,
                retry_failed,
            };
            let failed = runner::run_grid(&cfg, &grid::grid())?;
            Ok(format!("lab: done, {failed} runs failed\n"))
        }
        LabCommand::Compare { file, json, svg } => {
            let rows = record::read_csv(&file)?;
            let report = compare::compare(&rows);
            if let Some(path) = svg {
                let text =
                    crate::lab::chart::scatter_svg(&report, 640, &crate::charts::Colours::LIGHT)?;
                write_file(&path, &text)?;
            }
            Ok(if json {
                report.to_json()
            } else {
                report.to_text()
            })
        }
        LabCommand::Grid => Ok(grid::grid()
            .iter()
            .map(|r| format!("{}\t{:?}\n", r.id(), r.split()).to_lowercase())
            .collect()),
    }
}

/// A bandwidth limit on the command line: MiB/s, or `None` for "unlimited".
#[derive(Debug, Clone, Copy, PartialEq)]
struct Limit(Option<f64>);

fn parse_limit(text: &str) -> Result<Limit, String> {
    if text.eq_ignore_ascii_case("unlimited") {
        return Ok(Limit(None));
    }
    text.parse::<f64>()
        .map(|v| Limit(Some(v)))
        .map_err(|_| format!("expected MiB/s or \"unlimited\", got {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(args: &[&str]) -> Result<String, String> {
        let cli = Cli::try_parse_from(std::iter::once("migration-lab").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        execute(cli.command, &mut out)?;
        Ok(String::from_utf8(out).expect("the CLI writes UTF-8"))
    }

    #[test]
    fn simulate_json_has_the_documented_fields() {
        let out = exec(&[
            "simulate",
            "--json",
            "--memory-mib",
            "4096",
            "--policy",
            "qemu",
        ])
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        for key in [
            "converged",
            "total_time_ms",
            "downtime_ms",
            "bytes_sent",
            "passes",
            "pass_records",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(
            v["passes"].as_u64().unwrap() as usize,
            v["pass_records"].as_array().unwrap().len()
        );
    }

    #[test]
    fn flags_override_the_scenario() {
        let out = exec(&[
            "simulate",
            "--json",
            "--link-gbps",
            "1",
            "--dedicated",
            "--transport",
            "tcp",
            "--dirty-rate-mibps",
            "0",
        ])
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["scenario"]["network"]["link_gbps"], 1.0);
        assert_eq!(v["scenario"]["network"]["dedicated"], true);
        assert_eq!(v["passes"], 1);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(exec(&["simulate", "--memory-mib", "-5"])
            .unwrap_err()
            .contains("must not be negative"));
        assert!(exec(&["simulate", "--bogus"])
            .unwrap_err()
            .contains("--bogus"));
        assert!(exec(&[
            "simulate",
            "--policy",
            "hyperv",
            "--downtime-limit-ms",
            "10"
        ])
        .is_err());
        assert!(exec(&["simulate", "--scenario", "/nonexistent.json"])
            .unwrap_err()
            .contains("cannot read"));
        assert!(
            exec(&["sweep", "--vary", "seed", "--from", "0", "--to", "1", "--steps", "0"]).is_err()
        );
    }

    #[test]
    fn one_line_escapes_line_breaks_and_control_characters() {
        assert_eq!(one_line("a\nb\r\tc\u{1b}[31m\n"), "a\\nb\\r\\tc\\u{1b}[31m");
        assert_eq!(one_line("already one line"), "already one line");
    }

    #[test]
    fn sweep_prints_one_row_per_step() {
        let out = exec(&[
            "sweep",
            "--vary",
            "dirty-rate-mibps",
            "--from",
            "0",
            "--to",
            "1000",
            "--steps",
            "5",
            "--link-gbps",
            "10",
        ])
        .unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 6);
        assert!(lines[0].starts_with("dirty-rate-mibps,converged"));
        assert!(lines[1].starts_with("0,true,converged,"));
    }

    #[test]
    fn sweep_spacing_is_the_pages_unless_asked() {
        let run = |extra: &[&str]| {
            let mut args = vec![
                "sweep",
                "--vary",
                "link-gbps",
                "--from",
                "1",
                "--to",
                "100",
                "--steps",
                "3",
            ];
            args.extend_from_slice(extra);
            exec(&args)
        };
        // A factor of 100: a log scale, as the page's sweep.
        let auto = swept(&run(&[]).unwrap());
        assert_eq!(auto[0], 1.0);
        assert!((auto[1] - 10.0).abs() < 1e-9, "{auto:?}");
        assert_eq!(
            swept(&run(&["--spacing", "linear"]).unwrap()),
            vec![1.0, 50.5, 100.0]
        );
        let log_from_0 = "sweep --vary dirty-rate-mibps --from 0 --to 100 --spacing log";
        let err = exec(&log_from_0.split(' ').collect::<Vec<_>>()).unwrap_err();
        assert!(err.contains("--spacing log needs"), "{err}");
    }

    #[test]
    fn a_sweep_over_memory_keeps_the_working_sets_share() {
        // At half the memory the working set halves too, so the run is shorter than with the
        // working set kept whole.
        let vm = [
            "--working-set-mib",
            "8192",
            "--untouched-mib",
            "0",
            "--dirty-rate-mibps",
            "0",
        ];
        let sweep = [
            "sweep",
            "--vary",
            "memory-mib",
            "--from",
            "16384",
            "--to",
            "8192",
        ];
        let out =
            exec(&[&sweep[..], &["--steps", "2", "--memory-mib", "16384"], &vm].concat()).unwrap();
        let kept_whole =
            exec(&[&["simulate", "--json", "--memory-mib", "8192"][..], &vm].concat()).unwrap();
        let ms = |line: &str| -> f64 { line.split(',').nth(3).unwrap().parse().unwrap() };
        let half = ms(out.lines().nth(2).unwrap());
        let whole: serde_json::Value = serde_json::from_str(&kept_whole).unwrap();
        assert!(half < whole["total_time_ms"].as_f64().unwrap(), "{out}");
    }

    #[test]
    fn policy_brings_the_hypervisors_transport_over_a_file() {
        let dir = std::env::temp_dir().join(format!("ml-cli-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("hyperv.json");
        std::fs::write(&file, Scenario::default().to_json()).unwrap();
        let out = exec(&[
            "simulate",
            "--json",
            "--scenario",
            file.to_str().unwrap(),
            "--policy",
            "qemu",
        ])
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["scenario"]["transport"]["kind"], "tcp",
            "{}",
            v["scenario"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The first column of a sweep's rows.
    fn swept(out: &str) -> Vec<f64> {
        out.lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn sweep_seeds_are_whole_numbers_from_0_to_2_pow_53() {
        let sweep = |from: &str, to: &str, steps: &str| {
            let (from, to) = (format!("--from={from}"), format!("--to={to}"));
            exec(&["sweep", "--vary", "seed", &from, &to, "--steps", steps])
        };
        for (from, to) in [
            ("-5", "3"),
            ("0.5", "3"),
            ("0", "2.25"),
            ("-1.7e308", "1.7e308"),
            ("0", "9007199254740994"),
            ("0", "1e300"),
        ] {
            let e = sweep(from, to, "3").unwrap_err();
            assert!(
                e.starts_with("--vary seed takes whole numbers from 0 to 9007199254740992"),
                "{from}..{to}: {e}"
            );
        }
        for (from, to) in [("NaN", "1"), ("0", "inf"), ("-inf", "0")] {
            let e = sweep(from, to, "3").unwrap_err();
            assert!(e.contains("must be a finite number"), "{from}..{to}: {e}");
        }
        // Values between the ends are rounded, and each row shows the seed it ran with.
        let seeds = swept(&sweep("0", "10", "4").unwrap());
        assert_eq!(seeds, [0.0, 3.0, 7.0, 10.0]);
        let top = swept(&sweep("9007199254740990", "9007199254740992", "3").unwrap());
        assert_eq!(
            top,
            [9007199254740990.0, 9007199254740991.0, 9007199254740992.0]
        );
    }

    #[test]
    fn sweep_values_are_finite_and_whole_where_the_parameter_is() {
        // Ends far apart: every value is finite, so the first one is judged as what it is.
        let e = exec(&[
            "sweep",
            "--vary",
            "dirty-rate-mibps",
            "--from",
            "-1.7e308",
            "--to",
            "1.7e308",
            "--steps",
            "3",
        ])
        .unwrap_err();
        assert!(
            !e.contains("NaN") && e.contains("must not be negative"),
            "{e}"
        );
        for p in ["max-passes", "buffers"] {
            let e = exec(&["sweep", "--vary", p, "--from", "2.5", "--to", "8"]).unwrap_err();
            assert!(e.contains("takes whole numbers"), "{p}: {e}");
        }
        let passes = swept(
            &exec(&[
                "sweep",
                "--vary",
                "max-passes",
                "--from",
                "1",
                "--to",
                "4",
                "--steps",
                "3",
            ])
            .unwrap(),
        );
        assert_eq!(passes, [1.0, 3.0, 4.0]);
    }

    #[test]
    fn cluster_files_simulate_and_refuse_single_vm_flags() {
        let out = exec(&["simulate", "--scenario", "www/presets/drain-8-vms.json"]).unwrap();
        assert!(out.starts_with("cluster of 4 hosts, 11 VMs"), "{out}");
        assert_eq!(
            out.lines().filter(|l| l.contains(" HV1 ")).count(),
            8,
            "{out}"
        );
        let json = exec(&[
            "simulate",
            "--json",
            "--seed",
            "3",
            "--scenario",
            "www/presets/two-node.json",
        ])
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(v["makespan_s"].as_f64().unwrap() > 0.0);
        assert_eq!(v["scenario"]["seed"], 3);
        let e = exec(&[
            "simulate",
            "--memory-mib",
            "5",
            "--scenario",
            "www/presets/two-node.json",
        ])
        .unwrap_err();
        assert!(e.contains("takes only --seed and --json"), "{e}");
    }

    #[test]
    fn the_text_report_names_the_verdict_and_units() {
        let out = exec(&["simulate"]).unwrap();
        assert!(out.contains("Converged after"));
        assert!(out.contains("total time"));
        assert!(out.contains("GiB"));
    }
}
