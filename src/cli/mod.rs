//! The `migration-lab` command line: simulate one scenario or a cluster, sweep one parameter
//! to CSV, draw a chart, print a scenario file, and the lab's commands.

mod args;
mod error;
mod knobs;
mod report;
mod sweep;

use std::ffi::OsString;

use clap::{CommandFactory, Parser};

use crate::engine::{simulate, simulate_cluster};
pub use crate::text::one_line;
use crate::text::Lang;
use args::{ChartArg, Cli, Command, LabCommand, LangArg};
pub use error::{CliError, EXIT_BAD_INPUT};
use report::{cluster_report, report};
use sweep::sweep;
pub use sweep::MAX_SWEEP_STEPS;

/// Writes `text`; a closed pipe (`migration-lab … | head`) ends the output quietly.
fn emit(out: &mut dyn std::io::Write, text: &str) -> Result<(), CliError> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Output(e)),
        _ => Ok(()),
    }
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

/// Prints `error: …` as exactly one line on stderr and returns `status`.
fn fail(message: &str, status: i32) -> i32 {
    eprintln!("error: {}", one_line(message));
    status
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
        Err(e) => return fail(&usage_error(&e), EXIT_BAD_INPUT),
    };
    match execute(cli.command, &mut std::io::stdout().lock()) {
        Ok(()) => 0,
        Err(e) => fail(&e.to_string(), e.exit_code()),
    }
}

fn execute(cmd: Command, out: &mut dyn std::io::Write) -> Result<(), CliError> {
    let text = match cmd {
        Command::Simulate { knobs, json } => {
            if let Some(cluster) = knobs.cluster()? {
                let t = simulate_cluster(&cluster).map_err(scenario_error)?;
                let text = if json {
                    crate::export::cluster_json(&t)
                } else {
                    cluster_report(&t)
                };
                return emit(out, &text);
            }
            let s = knobs.scenario()?;
            let t = simulate(&s).map_err(scenario_error)?;
            if json {
                Ok::<_, CliError>(crate::export::summary_json(&t))
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
                return Err(CliError::Flag(
                    "sweep varies one VM's parameter; cluster files can only be simulated".into(),
                ));
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
                return Err(CliError::Flag(format!(
                    "--width must be 64 to 8192 pixels (got {width})"
                )));
            }
            let lang = match lang {
                LangArg::En => Lang::En,
                LangArg::De => Lang::De,
            };
            let c = &crate::charts::Colours::light();
            let text = match (knobs.cluster()?, chart) {
                (Some(cluster), None | Some(ChartArg::Gantt)) => {
                    let t = simulate_cluster(&cluster).map_err(scenario_error)?;
                    crate::charts::gantt_svg(&t, lang, width, c)
                }
                (Some(_), Some(_)) => {
                    return Err(CliError::Flag(
                        "a cluster file has the gantt chart; passes and link draw one VM's \
                         migration"
                            .into(),
                    ))
                }
                (None, Some(ChartArg::Gantt)) => {
                    return Err(CliError::Flag(
                        "the gantt chart draws a cluster file's migrations".into(),
                    ))
                }
                (None, chart) => {
                    let t = simulate(&knobs.scenario()?).map_err(scenario_error)?;
                    match chart {
                        Some(ChartArg::Link) => crate::charts::link_svg(&t, lang, width, c),
                        _ => crate::charts::passes_svg(&t, lang, width, c),
                    }
                }
            }
            .map_err(CliError::Chart)?;
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
fn write_file(path: &std::path::Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|error| CliError::File {
        path: path.to_path_buf(),
        reading: false,
        error,
    })
}

/// The engine's refusal of a scenario as an error of the command line.
fn scenario_error(e: impl std::fmt::Display) -> CliError {
    CliError::Scenario(e.to_string())
}

fn lab(cmd: LabCommand) -> Result<String, CliError> {
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
            let failed = runner::run_grid(&cfg, &grid::grid()).map_err(CliError::Lab)?;
            Ok(format!("lab: done, {failed} runs failed\n"))
        }
        LabCommand::Compare { file, json, svg } => {
            let rows = record::read_csv(&file).map_err(CliError::Lab)?;
            let report = compare::compare(&rows);
            if let Some(path) = svg {
                let text =
                    crate::lab::chart::scatter_svg(&report, 640, &crate::charts::Colours::light())
                        .map_err(CliError::Chart)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Scenario;

    fn exec(args: &[&str]) -> Result<String, String> {
        let cli = Cli::try_parse_from(std::iter::once("migration-lab").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        execute(cli.command, &mut out).map_err(|e| e.to_string())?;
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
            "completed",
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

    /// The error of `args`, as the command line's type says it.
    fn error(args: &[&str]) -> CliError {
        let cli = Cli::try_parse_from(std::iter::once("migration-lab").chain(args.iter().copied()))
            .unwrap();
        execute(cli.command, &mut Vec::new()).unwrap_err()
    }

    #[test]
    fn errors_say_what_kind_they_are() {
        assert!(matches!(
            error(&["chart", "--svg", "-", "--width", "9"]),
            CliError::Flag(_)
        ));
        assert!(matches!(
            error(&["simulate", "--scenario", "/nonexistent/s.json"]),
            CliError::File { reading: true, .. }
        ));
        assert!(matches!(
            error(&["simulate", "--link-gbps", "-1"]),
            CliError::Scenario(_)
        ));
        assert!(matches!(
            error(&["chart", "--svg", "/nonexistent/dir/c.svg"]),
            CliError::File { reading: false, .. }
        ));
        // Bad input of every kind exits with 2; output that cannot be written with 1.
        assert_eq!(
            error(&["simulate", "--link-gbps", "-1"]).exit_code(),
            EXIT_BAD_INPUT
        );
        let broken = CliError::Output(std::io::Error::other("disk full"));
        assert_eq!(broken.exit_code(), 1);
        assert_eq!(broken.to_string(), "cannot write the output: disk full");
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
