//! `cargo xtask test`: formatting and lints, native tests, in-browser wasm tests, and the browser
//! e2e suite, with a summary of the counts per layer.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::dist;
use crate::fuzz;
use crate::serve::Server;
use crate::tools::{self, Browser, WASM_TARGET};
use crate::util::{step, Captured, Cmd, Context, Ctx, Error, Result};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Layer {
    Lint,
    Native,
    Fuzz,
    Wasm,
    E2e,
}

impl Layer {
    const ALL: [Layer; 5] = [
        Layer::Lint,
        Layer::Native,
        Layer::Fuzz,
        Layer::Wasm,
        Layer::E2e,
    ];

    fn name(self) -> &'static str {
        match self {
            Layer::Lint => "lint",
            Layer::Native => "native",
            Layer::Fuzz => "fuzz",
            Layer::Wasm => "wasm",
            Layer::E2e => "e2e",
        }
    }
}

/// Test counts parsed from a runner's output.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }
}

pub(crate) enum Outcome {
    Passed,
    /// Failed; the message says how (empty when failing tests say it all).
    Failed(String),
    Skipped(String),
}

struct LayerReport {
    layer: Layer,
    outcome: Outcome,
    counts: Counts,
    elapsed: Duration,
}

impl LayerReport {
    /// Failures counted in the totals: failing tests, or 1 for a layer that broke without any
    /// (a compile error, a missing tool...), so the total never hides a broken layer.
    fn failures(&self) -> u64 {
        match self.outcome {
            Outcome::Failed(_) => self.counts.failed.max(1),
            _ => self.counts.failed,
        }
    }
}

pub fn usage() -> &'static str {
    "cargo xtask test [--lint] [--native] [--fuzz] [--wasm] [--e2e]   (no flag: every layer)"
}

/// Parses the layer flags; none means all layers.
pub fn parse_args(args: &[String]) -> Result<Vec<Layer>> {
    let mut layers = Vec::new();
    for arg in args {
        let layer = match arg.as_str() {
            "--lint" => Layer::Lint,
            "--native" => Layer::Native,
            "--fuzz" => Layer::Fuzz,
            "--wasm" => Layer::Wasm,
            "--e2e" => Layer::E2e,
            other => {
                return Err(Error::new(format!("unknown test option `{other}`"))
                    .hint(format!("usage: {}", usage())))
            }
        };
        if !layers.contains(&layer) {
            layers.push(layer);
        }
    }
    if layers.is_empty() {
        layers = Layer::ALL.to_vec();
    }
    layers.sort_by_key(|l| Layer::ALL.iter().position(|x| x == l));
    Ok(layers)
}

/// Runs the selected layers; Ok(true) when every one passed.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<bool> {
    let layers = parse_args(args)?;
    // The native layer's `cargo test` replays the fuzz findings too.
    let replay = !layers.contains(&Layer::Native);
    let mut browser = BrowserSetup::default();
    let mut reports = Vec::new();
    for layer in layers {
        step(&format!("test layer: {}", layer.name()));
        let start = Instant::now();
        let result = match layer {
            Layer::Lint => lint(ctx),
            Layer::Native => native(ctx),
            Layer::Fuzz => fuzz::layer(ctx, replay),
            Layer::Wasm => wasm(ctx, &mut browser),
            Layer::E2e => e2e(ctx, &mut browser),
        };
        let (outcome, counts) = match result {
            Ok(pair) => pair,
            Err(e) => {
                eprintln!("xtask: {} layer failed: {e}", layer.name());
                (
                    Outcome::Failed(first_line(&e.to_string())),
                    Counts::default(),
                )
            }
        };
        reports.push(LayerReport {
            layer,
            outcome,
            counts,
            elapsed: start.elapsed(),
        });
    }
    Ok(print_summary(&reports))
}

pub(crate) type LayerResult = Result<(Outcome, Counts)>;

/// `cargo fmt --check`, then clippy with warnings as errors on the host (every target of the
/// workspace) and on wasm32 (the browser shell and its tests, and the lite build of the page's
/// first load). Each check counts as one test.
fn lint(ctx: &Ctx) -> LayerResult {
    tools::ensure_wasm_target()?;
    let checks: [(&str, Vec<&str>); 4] = [
        ("cargo fmt --check", vec!["fmt", "--all", "--check"]),
        (
            "clippy (host)",
            vec![
                "clippy",
                "--workspace",
                "--all-targets",
                "--features",
                "migration-lab/fuzzing",
                "--",
                "-D",
                "warnings",
            ],
        ),
        (
            "clippy (wasm32)",
            vec![
                "clippy",
                "--target",
                WASM_TARGET,
                "--lib",
                "--tests",
                "--",
                "-D",
                "warnings",
            ],
        ),
        (
            "clippy (wasm32, lite)",
            vec![
                "clippy",
                "--target",
                WASM_TARGET,
                "--lib",
                "--no-default-features",
                "--",
                "-D",
                "warnings",
            ],
        ),
    ];
    let mut counts = Counts::default();
    let mut failed = Vec::new();
    for (name, args) in checks {
        match ctx.cargo().args(args).run() {
            Ok(()) => counts.passed += 1,
            Err(e) => {
                eprintln!("xtask: {name} failed: {e}");
                counts.failed += 1;
                failed.push(name);
            }
        }
    }
    let outcome = if failed.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(format!("{} failed", failed.join(", ")))
    };
    Ok((outcome, counts))
}

/// The property tests' seed in this runner, so a run here is reproducible; `cargo test` by
/// hand keeps drawing fresh cases (set PROPTEST_RNG_SEED to replay one).
const PROPTEST_SEED: &str = "20261126";

fn native(ctx: &Ctx) -> LayerResult {
    let seed = std::env::var("PROPTEST_RNG_SEED").unwrap_or_else(|_| PROPTEST_SEED.into());
    let out = ctx
        .cargo()
        .args(["test", "--workspace", "--no-fail-fast"])
        // The fuzz targets' regression inputs run with the rest (`tests/fuzz_regressions.rs`).
        .args(["--features", "migration-lab/fuzzing"])
        .env("PROPTEST_RNG_SEED", &seed)
        .run_tee()?;
    let counts = parse_cargo_counts(&out.lines);
    Ok((outcome(&out, &counts), counts))
}

fn wasm(ctx: &Ctx, browser: &mut BrowserSetup) -> LayerResult {
    if !ctx.path("tests/web.rs").exists() {
        println!("tests/web.rs does not exist; skipping the in-browser wasm tests");
        return Ok((
            Outcome::Skipped("no tests/web.rs".into()),
            Counts::default(),
        ));
    }
    let browser = browser.get()?;
    tools::ensure_wasm_target()?;
    tools::ensure_wasm_bindgen(ctx)?;
    let cmd = ctx
        .cargo()
        .args([
            "test",
            "--no-fail-fast",
            "--target",
            WASM_TARGET,
            // The shell's own unit tests (src/ui) and the component tests.
            "--lib",
            "--test",
            "web",
        ])
        .env(
            "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
            ctx.path("tests/e2e/webdriver.json"),
        )
        .env("CHROMEDRIVER", &browser.chromedriver);
    let out = cmd.run_tee()?;
    let counts = parse_cargo_counts(&out.lines);
    Ok((outcome(&out, &counts), counts))
}

fn e2e(ctx: &Ctx, browser: &mut BrowserSetup) -> LayerResult {
    let tests = e2e_test_files(ctx)?;
    if tests.is_empty() {
        println!("no tests/e2e/*.test.mjs files; skipping the e2e layer");
        return Ok((
            Outcome::Skipped("no tests/e2e/*.test.mjs".into()),
            Counts::default(),
        ));
    }
    let browser = browser.get()?;
    // npm first: it brings binaryen's wasm-opt, so the e2e tests run the optimized bundle.
    tools::ensure_npm_deps(ctx)?;
    // The example book is built with the bundle; its test needs it, so no mdBook is a failure.
    tools::ensure_mdbook(ctx)?;
    let dist = dist::dist(ctx)?;
    // The size budget counts as one test of this layer.
    let budget = dist.sizes.check_budget();

    let server = Server::bind("127.0.0.1:0", &dist.dir, false)?.spawn()?;
    println!("serving dist/ at {} for the e2e tests", server.url());
    let screenshots = screenshot_dir(ctx);
    let out = Cmd::new("node")
        .args(["--test", "--test-reporter=tap"])
        .args(&tests)
        .dir(&ctx.path("tests/e2e"))
        .env("APP_URL", server.url())
        .env("CHROMIUM", &browser.chromium)
        .env("SCREENSHOT_DIR", &screenshots)
        .run_tee();
    drop(server);
    let out = out?;
    let mut counts = parse_node_counts(&out.lines);
    println!("screenshots: {}", ctx.rel(&screenshots));
    let over = match budget {
        Ok(msg) => {
            println!("{msg}");
            counts.passed += 1;
            None
        }
        Err(msg) => {
            eprintln!("xtask: {msg}");
            counts.failed += 1;
            Some(msg)
        }
    };
    let outcome = match (outcome(&out, &counts), over) {
        (Outcome::Failed(why), Some(over)) if why.is_empty() => {
            Outcome::Failed(over.split(" (").next().unwrap_or_default().to_string())
        }
        (outcome, _) => outcome,
    };
    Ok((outcome, counts))
}

/// tests/e2e/*.test.mjs file names, sorted.
fn e2e_test_files(ctx: &Ctx) -> Result<Vec<String>> {
    let dir = ctx.path("tests/e2e");
    let mut files = Vec::new();
    for entry in fs::read_dir(&dir).context(format!("reading {}", dir.display()))? {
        let name = entry
            .context("reading tests/e2e/")?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".test.mjs") {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}

fn outcome(out: &Captured, counts: &Counts) -> Outcome {
    if out.success && counts.failed == 0 {
        Outcome::Passed
    } else if counts.failed > 0 {
        Outcome::Failed(String::new())
    } else {
        let status = out.code.map_or("was killed".to_string(), |c| {
            format!("exited with code {c}")
        });
        Outcome::Failed(format!(
            "{status} before any test failed (build error? see the output above)"
        ))
    }
}

/// Installs/finds the browser once, for whichever layer needs it first.
#[derive(Default)]
struct BrowserSetup {
    found: Option<std::result::Result<Browser, String>>,
}

impl BrowserSetup {
    fn get(&mut self) -> Result<&Browser> {
        let found = self
            .found
            .get_or_insert_with(|| tools::ensure_browser().map_err(|e| e.to_string()));
        found.as_ref().map_err(|e| Error::new(e.clone()))
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

/// Removes ANSI colour codes.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Counts from one libtest summary line: `test result: ok. 3 passed; 0 failed; 1 ignored; ...`.
pub fn parse_cargo_line(line: &str) -> Option<Counts> {
    let line = strip_ansi(line);
    let rest = line.trim().strip_prefix("test result:")?;
    let words: Vec<&str> = rest
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut counts = Counts::default();
    for pair in words.windows(2) {
        if let Ok(n) = pair[0].parse::<u64>() {
            match pair[1].trim_end_matches('.') {
                "passed" => counts.passed = n,
                "failed" => counts.failed = n,
                "ignored" => counts.ignored = n,
                _ => {}
            }
        }
    }
    Some(counts)
}

/// Sum over every `test result:` line (one per test binary and doc-test run).
pub fn parse_cargo_counts(lines: &[String]) -> Counts {
    let mut total = Counts::default();
    for counts in lines.iter().filter_map(|l| parse_cargo_line(l)) {
        total.add(counts);
    }
    total
}

/// Counts from node's test runner summary (`# pass N`, `# fail N`, ... in TAP; `ℹ pass N` in
/// the spec reporter). Cancelled tests count as failed, skipped and todo as ignored.
pub fn parse_node_counts(lines: &[String]) -> Counts {
    let mut counts = Counts::default();
    for line in lines {
        let line = strip_ansi(line);
        let Some(rest) = line.strip_prefix("# ").or_else(|| line.strip_prefix("ℹ ")) else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(key), Some(n), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        match key {
            "pass" => counts.passed += n,
            "fail" | "cancelled" => counts.failed += n,
            "skipped" | "todo" => counts.ignored += n,
            _ => {}
        }
    }
    counts
}

/// Prints the per-layer table and the totals line; true when nothing failed.
fn print_summary(reports: &[LayerReport]) -> bool {
    println!("\n==> test summary");
    println!(
        "{:<8} {:<8} {:>7} {:>7} {:>8} {:>8}",
        "layer", "result", "passed", "failed", "ignored", "time"
    );
    let mut passed = 0;
    let mut failed = 0;
    for r in reports {
        let result = match &r.outcome {
            Outcome::Passed => "ok",
            Outcome::Failed(_) => "FAILED",
            Outcome::Skipped(_) => "skipped",
        };
        let note = match &r.outcome {
            Outcome::Failed(msg) if !msg.is_empty() => format!("  {msg}"),
            Outcome::Skipped(why) => format!("  ({why})"),
            _ => String::new(),
        };
        println!(
            "{:<8} {:<8} {:>7} {:>7} {:>8} {:>7.1}s{note}",
            r.layer.name(),
            result,
            r.counts.passed,
            r.failures(),
            r.counts.ignored,
            r.elapsed.as_secs_f64()
        );
        passed += r.counts.passed;
        failed += r.failures();
    }
    println!("{passed} passed, {failed} failed");
    failed == 0
        && reports
            .iter()
            .all(|r| !matches!(r.outcome, Outcome::Failed(_)))
}

/// Where e2e tests and benchmarks save screenshots.
pub fn screenshot_dir(ctx: &Ctx) -> PathBuf {
    ctx.target_dir.join("screenshots")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn parses_cargo_result_lines() {
        assert_eq!(
            parse_cargo_line(
                "test result: ok. 12 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.03s"
            ),
            Some(Counts { passed: 12, failed: 0, ignored: 2 })
        );
        assert_eq!(
            parse_cargo_line(
                "test result: FAILED. 1 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out"
            ),
            Some(Counts {
                passed: 1,
                failed: 3,
                ignored: 0
            })
        );
        assert_eq!(
            parse_cargo_line("\u{1b}[32mtest result: ok.\u{1b}[0m 5 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.10s"),
            Some(Counts { passed: 5, failed: 0, ignored: 0 })
        );
        assert_eq!(parse_cargo_line("test engine::adds ... ok"), None);
        assert_eq!(parse_cargo_line("running 3 tests"), None);
    }

    #[test]
    fn sums_cargo_counts_over_binaries() {
        let out = lines(
            "running 2 tests\n\
             test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\
             \n\
             test result: FAILED. 4 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
             Doc-tests migration_lab\n\
             test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n",
        );
        assert_eq!(
            parse_cargo_counts(&out),
            Counts {
                passed: 6,
                failed: 1,
                ignored: 1
            }
        );
    }

    #[test]
    fn parses_node_tap_summary() {
        let out = lines(
            "TAP version 13\n\
             # Subtest: app mounts\n\
             ok 1 - app mounts\n\
             1..1\n\
             # tests 4\n\
             # suites 0\n\
             # pass 2\n\
             # fail 1\n\
             # cancelled 1\n\
             # skipped 1\n\
             # todo 0\n\
             # duration_ms 812.5\n",
        );
        assert_eq!(
            parse_node_counts(&out),
            Counts {
                passed: 2,
                failed: 2,
                ignored: 1
            }
        );
    }

    #[test]
    fn parses_node_spec_summary() {
        let out = lines("ℹ tests 3\nℹ pass 3\nℹ fail 0\n");
        assert_eq!(
            parse_node_counts(&out),
            Counts {
                passed: 3,
                failed: 0,
                ignored: 0
            }
        );
    }

    #[test]
    fn parses_layer_flags() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_args(&[]).unwrap(), Layer::ALL.to_vec());
        assert_eq!(
            parse_args(&args(&["--e2e", "--native", "--e2e"])).unwrap(),
            vec![Layer::Native, Layer::E2e]
        );
        assert!(parse_args(&args(&["--bogus"])).is_err());
    }

    #[test]
    fn broken_layer_counts_as_a_failure() {
        let report = LayerReport {
            layer: Layer::Native,
            outcome: Outcome::Failed("cargo test failed".into()),
            counts: Counts::default(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(report.failures(), 1);
    }
}
