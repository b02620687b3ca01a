//! `cargo xtask dist`: the release web bundle in `dist/`.
//!
//! cargo build (profile `wasm-release`) → wasm-bindgen `--target web` → optional npm wasm-opt
//! → copy `index.html` and `www/` → report and record the bundle size.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::tools::{self, WASM_TARGET};
use crate::util::{self, step, thousands, warn, Cmd, Context, Ctx, Error, Result};

/// The lib crate's file name (`migration-lab` → `migration_lab.wasm`).
const CRATE_FILE_NAME: &str = "migration_lab";
const PROFILE: &str = "wasm-release";
/// wasm-bindgen `--out-name`: dist/app.js and dist/app_bg.wasm.
const OUT_NAME: &str = "app";
/// Records which wasm the bound files in dist/ came from, to skip re-binding unchanged builds.
const STAMP: &str = ".xtask-stamp";

/// Builds `dist/` and returns its directory.
pub fn dist(ctx: &Ctx) -> Result<PathBuf> {
    tools::ensure_wasm_target()?;
    let bindgen = tools::ensure_wasm_bindgen(ctx)?;

    step(&format!("building the web bundle (profile {PROFILE})"));
    ctx.cargo()
        .args([
            "build",
            "--profile",
            PROFILE,
            "--target",
            WASM_TARGET,
            "--lib",
        ])
        .run()?;
    let wasm = ctx
        .target_dir
        .join(WASM_TARGET)
        .join(PROFILE)
        .join(format!("{CRATE_FILE_NAME}.wasm"));
    if !wasm.exists() {
        return Err(
            Error::new(format!("cargo did not produce {}", wasm.display()))
                .hint("the lib needs crate-type = [\"cdylib\", \"rlib\"] in Cargo.toml"),
        );
    }

    let dist = ctx.dist_dir();
    // npm's binaryen provides the only wasm-opt that reads wasm-bindgen 0.2.130 output; without
    // npm the bundle ships unoptimized rather than failing.
    if let Err(e) = tools::ensure_npm_deps(ctx) {
        warn(&format!(
            "could not install tests/e2e/ npm packages, so no wasm-opt: {e}"
        ));
    }
    let wasm_opt = tools::wasm_opt(ctx);
    let stamp = stamp_for(&wasm, &bindgen.version, wasm_opt.is_some())?;
    let out_wasm = dist.join(format!("{OUT_NAME}_bg.wasm"));
    let out_js = dist.join(format!("{OUT_NAME}.js"));
    let fresh = out_wasm.exists()
        && out_js.exists()
        && fs::read_to_string(dist.join(STAMP)).is_ok_and(|s| s == stamp);

    if fresh {
        println!("dist/{OUT_NAME}_bg.wasm is up to date with the build; skipping wasm-bindgen");
    } else {
        util::remove_path(&dist)?;
        Cmd::new(&bindgen.bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                OUT_NAME,
                "--out-dir",
            ])
            .arg(&dist)
            .arg(&wasm)
            .run()?;
        if let Some(wasm_opt) = &wasm_opt {
            optimize(wasm_opt, &out_wasm);
        }
        fs::write(dist.join(STAMP), &stamp).context("writing dist/.xtask-stamp")?;
    }

    copy_static(ctx, &dist)?;
    report_size(ctx, &out_wasm, &out_js, wasm_opt.is_some())?;
    Ok(dist)
}

/// Identifies the build that dist/ was made from: input size + mtime, bindgen version, wasm-opt.
fn stamp_for(wasm: &Path, bindgen_version: &str, opt: bool) -> Result<String> {
    let meta = fs::metadata(wasm).context(format!("reading {}", wasm.display()))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok(format!(
        "input={} len={} mtime={mtime} wasm-bindgen={bindgen_version} wasm-opt={opt}\n",
        wasm.display(),
        meta.len()
    ))
}

/// Runs `wasm-opt -Oz` and keeps the result only if it succeeded.
fn optimize(wasm_opt: &Path, wasm: &Path) {
    let tmp = wasm.with_extension("opt.wasm");
    let result = Cmd::new(wasm_opt)
        .arg("-Oz")
        .arg(wasm)
        .arg("-o")
        .arg(&tmp)
        .run()
        .and_then(|()| fs::rename(&tmp, wasm).context("replacing the wasm with wasm-opt's output"));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        warn(&format!(
            "wasm-opt failed; shipping the unoptimized wasm\n{e}"
        ));
    }
}

/// Copies index.html and www/ into dist/ (www/ is replaced so deleted files disappear).
fn copy_static(ctx: &Ctx, dist: &Path) -> Result<()> {
    let index = ctx.path("index.html");
    let html = fs::read_to_string(&index).map_err(|e| {
        Error::new(format!("cannot read {}: {e}", index.display())).hint(
            "index.html at the repo root must hold <div id=\"app\"></div> and \
             <script type=\"module\">import init from './app.js'; init();</script>",
        )
    })?;
    if !html.contains("./app.js") {
        warn("index.html does not import './app.js', so the page will not start the app");
    }
    fs::write(dist.join("index.html"), html).context("writing dist/index.html")?;

    let www = ctx.path("www");
    let dist_www = dist.join("www");
    util::remove_path(&dist_www)?;
    if www.is_dir() {
        util::copy_dir(&www, &dist_www)?;
    }
    Ok(())
}

/// Prints raw and gzip -9 sizes and appends them to `<target>/bundle-sizes.csv`.
fn report_size(ctx: &Ctx, wasm: &Path, js: &Path, optimized: bool) -> Result<()> {
    let (wasm_raw, wasm_gz) = (file_len(wasm)?, gzip_len(wasm));
    let (js_raw, js_gz) = (file_len(js)?, gzip_len(js));
    let gz = |n: Option<u64>| n.map_or("n/a".to_string(), thousands);
    let opt_note = if optimized {
        "wasm-opt -Oz"
    } else {
        "no wasm-opt (run `npm ci` in tests/e2e/ to enable it)"
    };
    println!("bundle size ({opt_note}):");
    println!(
        "  dist/{OUT_NAME}_bg.wasm {:>11} B raw {:>11} B gzip -9",
        thousands(wasm_raw),
        gz(wasm_gz)
    );
    println!(
        "  dist/{OUT_NAME}.js      {:>11} B raw {:>11} B gzip -9",
        thousands(js_raw),
        gz(js_gz)
    );

    let csv = ctx.target_dir.join("bundle-sizes.csv");
    let new_file = !csv.exists();
    fs::create_dir_all(&ctx.target_dir).context("creating the target directory")?;
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&csv)
        .context(format!("opening {}", csv.display()))?;
    let mut text = String::new();
    if new_file {
        text.push_str("date,git_rev,wasm_raw,wasm_gzip,js_raw,js_gzip,wasm_opt\n");
    }
    let opt_num = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    text.push_str(&format!(
        "{},{},{wasm_raw},{},{js_raw},{},{}\n",
        util::utc_timestamp(),
        git_rev(ctx),
        opt_num(wasm_gz),
        opt_num(js_gz),
        if optimized { "yes" } else { "no" }
    ));
    file.write_all(text.as_bytes())
        .context(format!("appending to {}", csv.display()))?;
    println!("  (appended to {})", ctx.rel(&csv));
    Ok(())
}

fn file_len(path: &Path) -> Result<u64> {
    Ok(fs::metadata(path)
        .context(format!("reading {}", path.display()))?
        .len())
}

/// Size of `gzip -9 -c FILE`, or None when gzip is unavailable.
fn gzip_len(path: &Path) -> Option<u64> {
    let output = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then_some(output.stdout.len() as u64)
}

/// `git rev-parse --short HEAD`, or "" outside git / before the first commit.
fn git_rev(ctx: &Ctx) -> String {
    Cmd::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .dir(&ctx.root)
        .read()
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}
