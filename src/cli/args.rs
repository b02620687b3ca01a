//! The command line's arguments: commands, their flags and the values they take.

use clap::{Parser, Subcommand, ValueEnum};

use super::knobs::Knobs;
use crate::model::{Hypervisor, Param, Spacing};

#[derive(Parser, Debug)]
#[command(
    name = "migration-lab",
    version,
    about = "Simulate live migration of a virtual machine: pre-copy passes, dirty pages, the blackout."
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand, Debug)]
pub(super) enum Command {
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
pub(super) enum LabCommand {
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
pub(super) enum HostArg {
    /// The lab's host, fitted on its calibration runs.
    Lab,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub(super) enum ChartArg {
    /// Memory sent per pass against the stop threshold.
    Passes,
    /// Link use over time.
    Link,
    /// A cluster's migrations over time, a row each.
    Gantt,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub(super) enum LangArg {
    En,
    De,
}

/// A flag that takes one of an engine enum's names (`Pattern::NAMES` …), listed in --help.
pub(super) fn named<T: Clone + Send + Sync + 'static>(
    names: &'static [&'static str],
    from_name: fn(&str) -> Option<T>,
) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(names)
        .map(move |name| from_name(&name).expect("clap takes only the listed names"))
}

/// A bandwidth limit on the command line: MiB/s, or `None` for "unlimited".
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Limit(pub(super) Option<f64>);

pub(super) fn parse_limit(text: &str) -> Result<Limit, String> {
    if text.eq_ignore_ascii_case("unlimited") {
        return Ok(Limit(None));
    }
    text.parse::<f64>()
        .map(|v| Limit(Some(v)))
        .map_err(|_| format!("expected MiB/s or \"unlimited\", got {text:?}"))
}
