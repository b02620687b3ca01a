//! Coverage-guided fuzzing with AFL++ (cargo-afl): the targets in `fuzz/`, each run for a while
//! and judged by AFL's own statistics. `cargo xtask fuzz [SECONDS]` runs them by hand; the test
//! runner's `fuzz` layer runs each briefly, and reports the layer skipped when cargo-afl cannot
//! be installed. The findings, once fixed, are replayed by `tests/fuzz_regressions.rs` without
//! AFL++.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::test::{parse_cargo_counts, Counts, LayerResult, Outcome};
use crate::tools::locked_version;
use crate::util::{self, step, warn, Cmd, Context, Ctx, Error, Result};

/// The targets, in the order they run: `fuzz/src/bin/<name>.rs`, seeds in `fuzz/corpus/<name>/`.
pub const TARGETS: [&str; 5] = [
    "scenario",
    "cluster",
    "permalink",
    "engine",
    "cluster_engine",
];

/// Seconds per target in `cargo xtask test`: with the build, the layer takes 2–3 minutes.
pub const TEST_SECONDS: u64 = 15;
/// Seconds per target for `cargo xtask fuzz` without an argument.
pub const DEFAULT_SECONDS: u64 = 600;

pub fn usage() -> &'static str {
    "cargo xtask fuzz [SECONDS]   (each target in turn; default 600 s each)"
}

/// `cargo xtask fuzz [SECONDS]`: Ok(false) when a target found a crash or a hang.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<bool> {
    let seconds = match args {
        [] => DEFAULT_SECONDS,
        [s] => s
            .parse()
            .ok()
            .filter(|&s| s > 0)
            .ok_or_else(|| Error::new(format!("usage: {}", usage())))?,
        _ => return Err(Error::new(format!("usage: {}", usage()))),
    };
    let afl = ensure_cargo_afl(ctx, &afl_version(ctx)?)?;
    let bins = build(ctx, &afl)?;
    let mut clean = true;
    for target in TARGETS {
        let report = fuzz_target(ctx, &afl, &bins, target, seconds)?;
        clean &= report.clean();
    }
    Ok(clean)
}

/// The test runner's `fuzz` layer: the regression replay (unless the native layer runs it
/// anyway), then each target for [`TEST_SECONDS`], one test each.
pub fn layer(ctx: &Ctx, replay: bool) -> LayerResult {
    let mut counts = Counts::default();
    let mut failed = Vec::new();
    if replay {
        let out = ctx
            .cargo()
            .args([
                "test",
                "--features",
                "fuzzing",
                "--test",
                "fuzz_regressions",
            ])
            .run_tee()?;
        let replayed = parse_cargo_counts(&out.lines);
        counts.passed += replayed.passed;
        counts.failed += replayed.failed;
        if !out.success {
            failed.push("the regression replay".to_string());
        }
    }
    let version = afl_version(ctx)?;
    let afl = match ensure_cargo_afl(ctx, &version) {
        Ok(afl) => afl,
        Err(e) => {
            warn(&format!(
                "cargo-afl is not available, so nothing is fuzzed: {e}"
            ));
            let why = "cargo-afl could not be installed".to_string();
            return Ok((
                fuzz_outcome(&failed).unwrap_or(Outcome::Skipped(why)),
                counts,
            ));
        }
    };
    let bins = build(ctx, &afl)?;
    for target in TARGETS {
        match fuzz_target(ctx, &afl, &bins, target, TEST_SECONDS) {
            Ok(report) if report.clean() => counts.passed += 1,
            Ok(_) => {
                counts.failed += 1;
                failed.push(target.to_string());
            }
            Err(e) => {
                eprintln!("xtask: fuzzing {target} failed: {e}");
                counts.failed += 1;
                failed.push(target.to_string());
            }
        }
    }
    Ok((fuzz_outcome(&failed).unwrap_or(Outcome::Passed), counts))
}

fn fuzz_outcome(failed: &[String]) -> Option<Outcome> {
    (!failed.is_empty()).then(|| Outcome::Failed(format!("{} failed", failed.join(", "))))
}

/// How to run cargo-afl: the binary, called as `cargo-afl afl …` (what `cargo afl …` does).
struct Afl {
    bin: PathBuf,
}

impl Afl {
    fn cmd(&self) -> Cmd {
        Cmd::named(&self.bin, "cargo afl")
    }
}

/// The version of the `afl` crate in fuzz/Cargo.lock, which cargo-afl's must match.
fn afl_version(ctx: &Ctx) -> Result<String> {
    let lock_path = ctx.path("fuzz/Cargo.lock");
    let lock =
        fs::read_to_string(&lock_path).context(format!("reading {}", lock_path.display()))?;
    locked_version(&lock, "afl").ok_or_else(|| Error::new("fuzz/Cargo.lock has no `afl` package"))
}

/// cargo-afl at `version`, from `.tools/bin` or PATH, installed into `.tools/` when neither has
/// it; then AFL++ itself, which cargo-afl builds once per Rust version.
fn ensure_cargo_afl(ctx: &Ctx, version: &str) -> Result<Afl> {
    let candidates = [
        Some(ctx.tools_bin().join("cargo-afl")),
        util::which("cargo-afl"),
    ];
    let found = candidates
        .into_iter()
        .flatten()
        .find(|bin| installed_version(bin).as_deref() == Some(version));
    let bin = match found {
        Some(bin) => bin,
        None => {
            step(&format!(
                "installing cargo-afl {version} into .tools/ (builds AFL++; about 2 minutes)"
            ));
            let install = |locked: bool| {
                let mut cmd = ctx.cargo().arg("install");
                if locked {
                    cmd = cmd.arg("--locked");
                }
                cmd.args(["cargo-afl", "--version", version, "--root"])
                    .arg(ctx.path(".tools"))
                    .run()
            };
            if install(true).is_err() {
                warn("`cargo install --locked cargo-afl` failed (see above); retrying without --locked");
                install(false)?;
            }
            ctx.tools_bin().join("cargo-afl")
        }
    };
    let afl = Afl { bin };
    // Builds AFL++ unless done before for this Rust version ("already built" is not an error).
    if let Err(e) = afl.cmd().args(["afl", "config", "--build"]).read() {
        if !e.to_string().contains("already built") {
            return Err(e);
        }
    }
    Ok(afl)
}

/// `cargo-afl 0.18.2 (AFL++ version 4.40c)` → `0.18.2`.
fn installed_version(bin: &Path) -> Option<String> {
    if !util::is_executable(bin) {
        return None;
    }
    let out = Cmd::new(bin).args(["afl", "--version"]).read().ok()?;
    out.split_whitespace().nth(1).map(str::to_string)
}

/// Builds the instrumented targets into their own target directory (their flags differ from
/// every other build's) and returns it.
fn build(ctx: &Ctx, afl: &Afl) -> Result<PathBuf> {
    step("building the fuzz targets with AFL++ instrumentation");
    let target_dir = ctx.target_dir.join("afl");
    afl.cmd()
        .args(["afl", "build", "--release", "--manifest-path"])
        .arg(ctx.path("fuzz/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .dir(&ctx.root)
        .run()?;
    Ok(target_dir.join("release"))
}

/// What AFL's `fuzzer_stats` says about one run.
struct Report {
    stats: HashMap<String, String>,
}

impl Report {
    fn get(&self, key: &str) -> &str {
        self.stats.get(key).map_or("?", String::as_str)
    }

    fn count(&self, key: &str) -> Option<u64> {
        self.stats.get(key)?.parse().ok()
    }

    fn clean(&self) -> bool {
        self.count("saved_crashes") == Some(0) && self.count("saved_hangs") == Some(0)
    }
}

/// Reads `key : value` lines.
fn parse_stats(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Fuzzes one target for `seconds` from its seeds (with its dictionary, if any), into `<target>/afl/out/<target>/`, and
/// prints AFL's figures.
fn fuzz_target(ctx: &Ctx, afl: &Afl, bins: &Path, target: &str, seconds: u64) -> Result<Report> {
    step(&format!("fuzzing {target} for {seconds} s"));
    let out_dir = ctx.target_dir.join("afl").join("out").join(target);
    util::remove_path(&out_dir)?;
    fs::create_dir_all(&out_dir).context(format!("creating {}", out_dir.display()))?;
    // Engine inputs may simulate for a few hundred ms (see fuzz_checks): a hang is 10 times that.
    let timeout_ms = if target.ends_with("engine") {
        "2000"
    } else {
        "1000"
    };
    let start = Instant::now();
    let mut cmd = afl
        .cmd()
        .args(["afl", "fuzz", "-i"])
        .arg(ctx.path(&format!("fuzz/corpus/{target}")))
        .arg("-o")
        .arg(&out_dir)
        .args(["-V", &seconds.to_string(), "-t", timeout_ms]);
    // The tokens of the target's input language (JSON keys, link keys), where there is a list.
    let dict = ctx.path(&format!("fuzz/dict/{target}.dict"));
    if dict.exists() {
        cmd = cmd.arg("-x").arg(dict);
    }
    let cmd = cmd
        .arg(bins.join(target))
        .env("AFL_NO_UI", "1")
        .env("AFL_SKIP_CPUFREQ", "1")
        .env("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1")
        // Other processes share the cores: no pinning to one, no waiting for a free one.
        .env("AFL_NO_AFFINITY", "1");
    let shown = cmd.display();
    let result = cmd.read();
    let log = out_dir.join("afl.log");
    match &result {
        Ok(text) => fs::write(&log, text).context(format!("writing {}", log.display()))?,
        Err(e) => fs::write(&log, e.to_string()).context(format!("writing {}", log.display()))?,
    }
    result.map_err(|e| {
        Error::new(format!("afl-fuzz failed for {target}: {e}")).hint(format!(
            "its output is in {}; run by hand: {shown}",
            ctx.rel(&log)
        ))
    })?;
    let stats_path = out_dir.join("default").join("fuzzer_stats");
    let stats =
        fs::read_to_string(&stats_path).context(format!("reading {}", stats_path.display()))?;
    let report = Report {
        stats: parse_stats(&stats),
    };
    println!(
        "{target}: {:.0} s, {} execs ({}/s), corpus {}, edges {} of {} (map {}), {} crashes, {} hangs",
        start.elapsed().as_secs_f64(),
        report.get("execs_done"),
        report.get("execs_per_sec"),
        report.get("corpus_count"),
        report.get("edges_found"),
        report.get("total_edges"),
        report.get("bitmap_cvg"),
        report.get("saved_crashes"),
        report.get("saved_hangs"),
    );
    if !report.clean() {
        println!(
            "{target}: inputs in {} and {}: minimise with `cargo afl tmin`, fix, then keep them in fuzz/regressions/{target}/ (see fuzz/README.md)",
            ctx.rel(&out_dir.join("default/crashes")),
            ctx.rel(&out_dir.join("default/hangs")),
        );
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fuzzer_stats() {
        let stats = parse_stats(
            "start_time        : 1764212440\n\
             execs_done        : 1234567\n\
             corpus_count      : 812\n\
             bitmap_cvg        : 36.48%\n\
             saved_crashes     : 0\n\
             saved_hangs       : 0\n",
        );
        let report = Report { stats };
        assert_eq!(report.get("bitmap_cvg"), "36.48%");
        assert_eq!(report.count("execs_done"), Some(1_234_567));
        assert!(report.clean());
        let crashed = Report {
            stats: parse_stats("saved_crashes : 2\nsaved_hangs : 0\n"),
        };
        assert!(!crashed.clean());
        let unknown = Report {
            stats: HashMap::new(),
        };
        assert!(!unknown.clean(), "no statistics is no evidence");
    }
}
