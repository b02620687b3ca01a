//! Installing what the build and the tests need: the wasm32 target, wasm-bindgen-cli (pinned to
//! the Cargo.lock version, into `.tools/`), mdBook (pinned, into `.tools/`, for the book that
//! embeds the widget), Chromium + chromedriver (apt, as root) and the e2e npm packages.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{self, step, warn, Cmd, Context, Ctx, Error, Result};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Adds the wasm32 target with rustup when it is not installed.
pub fn ensure_wasm_target() -> Result<()> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .read()
        .map_err(|e| {
            e.hint(format!(
                "rustup is needed to check for the {WASM_TARGET} target; \
                 without rustup, install that target's standard library for your toolchain"
            ))
        })?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    step(&format!("installing the Rust target {WASM_TARGET}"));
    Cmd::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .run()
}

/// The version of package `name` in a Cargo.lock text (the first one if several are locked).
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<Package>,
    }
    #[derive(serde::Deserialize)]
    struct Package {
        name: String,
        version: String,
    }
    let lock: Lock = toml::from_str(lock).ok()?;
    lock.package
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.version)
}

/// The version printed by `wasm-bindgen --version` ("wasm-bindgen 0.2.130" → "0.2.130").
pub fn parse_tool_version(output: &str) -> Option<String> {
    let line = output.lines().next()?;
    let mut words = line.split_whitespace();
    words.next()?;
    words.next().map(str::to_string)
}

/// The installed wasm-bindgen CLI binaries in `.tools/bin`.
pub struct Bindgen {
    pub bindgen: PathBuf,
    pub version: String,
}

/// Makes sure `.tools/bin/wasm-bindgen` (and its test runner) match the wasm-bindgen version in
/// Cargo.lock, installing wasm-bindgen-cli with `cargo install` if not.
pub fn ensure_wasm_bindgen(ctx: &Ctx) -> Result<Bindgen> {
    let lock_path = ctx.path("Cargo.lock");
    if !lock_path.exists() {
        ctx.cargo().arg("generate-lockfile").run()?;
    }
    let lock =
        fs::read_to_string(&lock_path).context(format!("reading {}", lock_path.display()))?;
    let version = locked_version(&lock, "wasm-bindgen").ok_or_else(|| {
        Error::new("Cargo.lock has no `wasm-bindgen` package")
            .hint("the app's Cargo.toml must depend on wasm-bindgen (pinned, e.g. \"=0.2.130\") for wasm32")
    })?;

    let bin = ctx.tools_bin();
    let bindgen = bin.join("wasm-bindgen");
    let runner = bin.join("wasm-bindgen-test-runner");
    let installed = installed_version(&bindgen);
    if installed.as_deref() == Some(version.as_str()) && util::is_executable(&runner) {
        return Ok(Bindgen { bindgen, version });
    }

    step(&format!(
        "installing wasm-bindgen-cli {version} into .tools/ (found: {}; takes about 2 minutes)",
        installed.as_deref().unwrap_or("none")
    ));
    cargo_install(ctx, "wasm-bindgen-cli", &version, &[])?;

    check_installed(&bindgen, &version)?;
    Ok(Bindgen { bindgen, version })
}

/// `cargo install CRATE --version VERSION --root .tools EXTRA…`, locked to the crate's own
/// lockfile, and unlocked if that fails.
fn cargo_install(ctx: &Ctx, krate: &str, version: &str, extra: &[&str]) -> Result<()> {
    let tools_root = ctx.path(".tools");
    let install = |locked: bool| {
        let mut cmd = ctx.cargo().arg("install");
        if locked {
            cmd = cmd.arg("--locked");
        }
        cmd.args([krate, "--version", version])
            .args(extra)
            .arg("--root")
            .arg(&tools_root)
            .run()
    };
    if install(true).is_err() {
        warn(&format!(
            "`cargo install --locked` failed (see above); retrying without --locked, since the \
             registry mirror may lack a crate version that {krate}'s lockfile pins"
        ));
        install(false)?;
    }
    Ok(())
}

/// The version a tool prints with `--version` ("mdbook v0.5.4" → "0.5.4"), if it runs.
fn installed_version(tool: &Path) -> Option<String> {
    if !util::is_executable(tool) {
        return None;
    }
    let out = Cmd::new(tool).arg("--version").read().ok()?;
    parse_tool_version(&out).map(|v| v.trim_start_matches('v').to_string())
}

/// The mdBook that builds the example book (`www/examples/book/`).
pub const MDBOOK_VERSION: &str = "0.5.4";

/// Makes sure `.tools/bin/mdbook` is mdBook [`MDBOOK_VERSION`], installing it with `cargo
/// install` if not: without its default features (the `serve` and `watch` commands and the
/// search index), which the build does not use; about 1m40s on two cores.
pub fn ensure_mdbook(ctx: &Ctx) -> Result<PathBuf> {
    let mdbook = ctx.tools_bin().join("mdbook");
    let installed = installed_version(&mdbook);
    if installed.as_deref() == Some(MDBOOK_VERSION) {
        return Ok(mdbook);
    }
    step(&format!(
        "installing mdbook {MDBOOK_VERSION} into .tools/ (found: {}; takes about 2 minutes)",
        installed.as_deref().unwrap_or("none")
    ));
    cargo_install(ctx, "mdbook", MDBOOK_VERSION, &["--no-default-features"])?;
    check_installed(&mdbook, MDBOOK_VERSION)?;
    Ok(mdbook)
}

/// Ok when the tool just installed reports `version`.
fn check_installed(tool: &Path, version: &str) -> Result<()> {
    match installed_version(tool) {
        Some(v) if v == version => Ok(()),
        other => Err(Error::new(format!(
            "after installing, {} reports version {} instead of {version}",
            tool.display(),
            other.as_deref().unwrap_or("nothing")
        ))),
    }
}

/// Paths of the system browser and its WebDriver.
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Finds chromium and chromedriver, installing them with apt (as root) when either is missing.
pub fn ensure_browser() -> Result<Browser> {
    if let Some(b) = find_browser() {
        return Ok(b);
    }
    if !is_root() {
        return Err(Error::new("chromium and/or chromedriver are not installed")
            .hint("install them (Debian: `sudo apt-get install -y chromium chromium-driver`) or run as root so xtask can"));
    }
    step("installing chromium and chromium-driver with apt");
    Cmd::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    Cmd::new("apt-get")
        .args(["install", "-y", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    find_browser().ok_or_else(|| {
        Error::new("apt installed chromium and chromium-driver, but `chromium` or `chromedriver` is still not on PATH")
    })
}

fn find_browser() -> Option<Browser> {
    Some(Browser {
        chromium: util::which("chromium")?,
        chromedriver: util::which("chromedriver")?,
    })
}

pub fn is_root() -> bool {
    Cmd::new("id")
        .arg("-u")
        .read()
        .is_ok_and(|uid| uid.trim() == "0")
}

/// Copy of the lockfile that the last successful `npm ci` installed, kept inside node_modules.
const NPM_STAMP: &str = ".xtask-package-lock.json";

/// Runs `npm ci` in tests/e2e/ unless node_modules already matches package-lock.json.
pub fn ensure_npm_deps(ctx: &Ctx) -> Result<()> {
    let e2e = ctx.path("tests/e2e");
    let lock_path = e2e.join("package-lock.json");
    let lock = fs::read(&lock_path).context(format!(
        "reading {} (generate it with `npm install` in tests/e2e/)",
        lock_path.display()
    ))?;
    let modules = e2e.join("node_modules");
    let stamp = modules.join(NPM_STAMP);
    if fs::read(&stamp).is_ok_and(|old| old == lock) {
        println!("tests/e2e/node_modules is up to date with package-lock.json; skipping npm ci");
        return Ok(());
    }
    step("installing e2e npm packages");
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .dir(&e2e)
        .run()
        .map_err(|e| e.hint("Node.js 20+ and npm are needed for the e2e tests; run `npm ci` in tests/e2e/ by hand to see why it fails"))?;
    fs::write(&stamp, &lock).context(format!("writing {}", stamp.display()))
}

/// npm binaryen's wasm-opt in tests/e2e/node_modules, if installed (Debian's and the crates.io
/// wasm-opt are too old to parse wasm-bindgen 0.2.130 output, so they are never used).
pub fn wasm_opt(ctx: &Ctx) -> Option<PathBuf> {
    let path = ctx.path("tests/e2e/node_modules/.bin/wasm-opt");
    path.exists().then_some(path)
}

/// npm esbuild in tests/e2e/node_modules, if installed: the bundle's JS and CSS minifier.
pub fn esbuild(ctx: &Ctx) -> Option<PathBuf> {
    let path = ctx.path("tests/e2e/node_modules/.bin/esbuild");
    path.exists().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "wasm-bindgen-backend"
version = "0.2.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]

[[package]]
name = "wasm-bindgen-test"
version = "0.3.80"
"#;

    #[test]
    fn reads_locked_versions() {
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen-test").as_deref(),
            Some("0.3.80")
        );
        assert_eq!(locked_version(LOCK, "yew"), None);
    }

    #[test]
    fn reads_version_before_name() {
        let lock = "[[package]]\nversion = \"1.2.3\"\nname = \"x\"\n";
        assert_eq!(locked_version(lock, "x").as_deref(), Some("1.2.3"));
    }

    #[test]
    fn parses_tool_versions() {
        assert_eq!(
            parse_tool_version("wasm-bindgen 0.2.130\n").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(parse_tool_version(""), None);
        assert_eq!(parse_tool_version("wasm-bindgen"), None);
    }
}
