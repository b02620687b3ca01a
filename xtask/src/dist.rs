//! `cargo xtask dist`: the release web bundle in `dist/`.
//!
//! Two builds of the app (profile `wasm-release`): the lite one, without the crate's `full`
//! feature, is the page's first load (the first chapter, without the chart library); the full
//! one has every chapter, the playground, the cluster, files and the JavaScript API, and is
//! fetched while the page is idle, or at once for a link past the first chapter or a page that
//! mounts the simulator itself (see `src/ui/handover.rs`, `www/boot.js`). Each goes
//! cargo build → wasm-bindgen `--target web` → npm wasm-opt (both kept in
//! `<target>/web-bundle/<name>/` and redone only when the build changes) → `dist/`: the wasm,
//! the JS glue, the boot script and the stylesheet under content-hashed names, `index.html`
//! pointing at them with relative URLs, a `.gz` next to each, and `www/`'s other files → the
//! example book and Markdown page that embed the widget (`docs.rs`) → the size report.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::bundle::{self, csp_problems, hashed_name, Loader, Minifier};
use crate::docs;
use crate::tools::{self, WASM_TARGET};
use crate::util::{self, step, thousands, warn, Cmd, Context, Ctx, Error, Result};

/// The lib crate's file name (`migration-lab` → `migration_lab.wasm`).
const CRATE_FILE_NAME: &str = "migration_lab";
const PROFILE: &str = "wasm-release";
/// One build of the app: its wasm-bindgen `--out-name` (`NAME.js` and `NAME_bg.wasm` before
/// they are renamed by content) and whether it has the crate's default (`full`) feature.
#[derive(Clone, Copy)]
struct Variant {
    name: &'static str,
    full: bool,
}

/// The page's first load.
const LITE: Variant = Variant {
    name: "app",
    full: false,
};
/// Everything, loaded on demand.
const FULL: Variant = Variant {
    name: "app-full",
    full: true,
};
/// The JavaScript API's entry point, under a name that does not change between builds.
const API_ENTRY: &str = "migration-lab.js";
/// Its stylesheet, likewise.
const API_STYLE: &str = "migration-lab.css";
/// What it adds for other pages only (the element, and undoing host rules that reach in).
const API_HOST_STYLE: &str = "migration-lab-host.css";
/// Records which wasm the bound files came from, to skip re-binding unchanged builds.
const STAMP: &str = ".xtask-stamp";
/// What wasm-opt is asked to do, measured on this app (gzip of the wasm). binaryen inlines any
/// function that has a single caller, whatever its size; the huge functions that makes
/// compress worse, and capping it at 10 instructions (`-ocimfs=10`) saves 24 kB. A second
/// `-Oz` round saves 1.5 kB more, stripping the producers section a little. (`--converge`
/// gains 0.3 kB more for twice the time; `opt-level = "s"` is 40 kB bigger.)
const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "-Oz",
    "--one-caller-inline-max-function-size=10",
    "--strip-debug",
    "--strip-producers",
];
/// The wasm-opt pass that renames imports, exports and the import module (see `optimize`).
const MINIFY_NAMES: &str = "--minify-imports-and-exports-and-modules";
/// The most the first load (HTML + JS + wasm + CSS) may weigh, in gzip bytes (flate2 at its best level): the e2e
/// layer of `cargo xtask test` fails above it. A ratchet on the way to [`GOAL_GZIP`]: lower it
/// whenever a cut lands, and never raise it without knowing what grew. Raised from 335 kB to
/// 405 kB when permalinks, the JavaScript API, file export and import (serde for every trace
/// type, plotters' SVG backend) and the chart readouts joined the cuts: 402.1 kB then; to
/// 410 kB for the panic panel and saving the page's own SVG drawings (408.5 kB). Lowered to
/// 355 kB when the first load became the lite build (352.6 kB); to 295 kB when the lite build
/// stopped carrying a JSON parser (scenario fields without JSON, no cluster presets: 293.6 kB);
/// to 240 kB when it became the first chapter only, without the chart library (234.2 kB); to
/// 246 kB when the engine's reasons for refusing an input became data worded in English and
/// German, so that a German link's notices read in German from the first load (244.9 kB; 244.0 kB
/// once the chapters' settings and sources went to the fetched texts); to 249 kB for the compact
/// embed (each chapter's embed controls and views, the result in a line: 246.8 kB), the host
/// page's colours taken by an iframe (+0.6 kB) and refused values printed compactly (248.1 kB);
/// to 254 kB — past the 250 kB target, a miss — for XBZRLE and post-copy (their settings,
/// refusals and wording, the new chapter's data and the memory map's two new states: 252.7 kB
/// with their engine paths left out of the first load) and the cluster run in slices (its
/// model fields and actions: 253.5 kB); to 256 kB for a slider step that renders and draws
/// less (the spread's dots a component of their own, one timer per study instead of a
/// closure per step, the controls' callbacks reading the current scenario, a link's base
/// fields kept between steps: 255.7 kB); to 256.4 kB for the held panels (the lite build
/// holds none, but its result panel's section moved to the app, the files panel's data to a
/// cell the app keeps, and the timers moved deadlines: 256.35 kB); to 257.4 kB for a link
/// made only when something asks for it, and left out of an address too long to open again
/// (the lazily made link, the length check, the copy button's reason and an embed's link to
/// the full page kept with it: 257.31 kB); to 258.8 kB for the controls as a component per
/// panel, so that a slider step renders its own panel only (one more component type with its
/// props' making, equality and clones of the fields each panel shows: 258.73 kB).
pub const BUDGET_GZIP: u64 = 258_800;
/// What the first load should weigh at most (issue 9): reported with every build.
pub const GOAL_GZIP: u64 = 250_000;
/// The lab's time series, and its name in the bundle (`ui::lab::SERIES_FILE`).
const LAB_SERIES: &str = "validation/lab/qemu.jsonl";
const LAB_SERIES_NAME: &str = "lab-qemu.jsonl";
/// Files of www/ that the bundle rewrites under hashed names rather than copying.
const BOOT: &str = "boot.js";
const STYLE: &str = "style.css";

/// The bundle: where it is and what the first load weighs.
pub struct Dist {
    pub dir: PathBuf,
    pub sizes: Sizes,
}

/// One file of the first load.
pub struct Asset {
    pub kind: &'static str,
    pub name: String,
    pub raw: u64,
    /// None when gzip is not available.
    pub gzip: Option<u64>,
}

/// Sizes of the files a first visit loads.
pub struct Sizes {
    /// The first load: what the page needs before the app runs.
    pub assets: Vec<Asset>,
    /// Fetched once the app runs: the long texts, one language per visit, and the full build
    /// (every chapter but the first), fetched while the page is idle.
    pub later: Vec<Asset>,
    pub optimized: bool,
}

impl Sizes {
    fn of_kind(&self, kind: &str) -> (u64, Option<u64>) {
        let mine = self.assets.iter().filter(|a| a.kind == kind);
        let raw = mine.clone().map(|a| a.raw).sum();
        let gzip = mine.map(|a| a.gzip).sum();
        (raw, gzip)
    }

    pub fn total_raw(&self) -> u64 {
        self.assets.iter().map(|a| a.raw).sum()
    }

    /// None when any file could not be gzipped.
    pub fn total_gzip(&self) -> Option<u64> {
        self.assets.iter().map(|a| a.gzip).sum()
    }

    /// Ok with a one-line summary when the first load fits [`BUDGET_GZIP`], else Err saying
    /// by how much it does not and what weighs what.
    pub fn check_budget(&self) -> std::result::Result<String, String> {
        let Some(total) = self.total_gzip() else {
            return Err("cannot check the bundle budget: gzip did not run (is it on PATH?)".into());
        };
        let parts = ["wasm", "JS", "CSS", "HTML"]
            .iter()
            .map(|k| {
                let (_, gz) = self.of_kind(k);
                format!("{k} {}", thousands(gz.unwrap_or(0)))
            })
            .collect::<Vec<_>>()
            .join(", ");
        if total <= BUDGET_GZIP {
            let goal = if total <= GOAL_GZIP {
                format!("within the {} B goal", thousands(GOAL_GZIP))
            } else {
                format!(
                    "{} B above the {} B goal",
                    thousands(total - GOAL_GZIP),
                    thousands(GOAL_GZIP)
                )
            };
            Ok(format!(
                "bundle budget: the first load is {} B gzip, {} B under the {} B budget, {goal} \
                 ({parts})",
                thousands(total),
                thousands(BUDGET_GZIP - total),
                thousands(BUDGET_GZIP)
            ))
        } else {
            Err(format!(
                "bundle budget exceeded: the first load is {} B gzip, {} B over the {} B budget \
                 ({parts}). Find what grew with `twiggy top` on the wasm before raising \
                 BUDGET_GZIP in xtask/src/dist.rs",
                thousands(total),
                thousands(total - BUDGET_GZIP),
                thousands(BUDGET_GZIP)
            ))
        }
    }
}

/// Builds `dist/`, prints its size and returns it.
pub fn dist(ctx: &Ctx) -> Result<Dist> {
    tools::ensure_wasm_target()?;
    let bindgen = tools::ensure_wasm_bindgen(ctx)?;
    // npm's binaryen provides the only wasm-opt that reads wasm-bindgen 0.2.130 output; without
    // npm the bundle ships unoptimized rather than failing.
    if let Err(e) = tools::ensure_npm_deps(ctx) {
        warn(&format!(
            "could not install tests/e2e/ npm packages, so no wasm-opt: {e}"
        ));
    }
    let wasm_opt = tools::wasm_opt(ctx);
    let lite = bind(ctx, LITE, &bindgen, wasm_opt.as_deref())?;
    let full = bind(ctx, FULL, &bindgen, wasm_opt.as_deref())?;

    let texts = text_files(ctx)?;
    let dist = ctx.dist_dir();
    let sizes = assemble(ctx, &lite, &full, &texts, &dist, wasm_opt.is_some())?;
    docs::build(ctx, &dist)?;
    report_size(ctx, &sizes)?;
    Ok(Dist { dir: dist, sizes })
}

/// Builds `variant`, binds it with wasm-bindgen and optimizes it (unless the bound files are
/// up to date); returns the folder that holds its `NAME.js` and `NAME_bg.wasm`.
fn bind(
    ctx: &Ctx,
    variant: Variant,
    bindgen: &tools::Bindgen,
    wasm_opt: Option<&Path>,
) -> Result<PathBuf> {
    let what = if variant.full { "full" } else { "lite" };
    step(&format!(
        "building the web bundle's {what} wasm (profile {PROFILE})"
    ));
    build_cmd(ctx, variant).run()?;
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
    let name = variant.name;
    let bound = ctx.target_dir.join("web-bundle").join(name);
    let stamp = stamp_for(&wasm, &bindgen.version, wasm_opt.is_some())?;
    let out_wasm = bound.join(format!("{name}_bg.wasm"));
    let out_js = bound.join(format!("{name}.js"));
    let fresh = out_wasm.exists()
        && out_js.exists()
        && fs::read_to_string(bound.join(STAMP)).is_ok_and(|s| s == stamp);
    if fresh {
        println!("the bound {what} wasm is up to date with the build; skipping wasm-bindgen");
        return Ok(bound);
    }
    util::remove_path(&bound)?;
    Cmd::new(&bindgen.bindgen)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            name,
            "--out-dir",
        ])
        .arg(&bound)
        .arg(&wasm)
        .run()?;
    if let Some(wasm_opt) = wasm_opt {
        optimize(wasm_opt, &out_wasm, &out_js);
    }
    fs::write(bound.join(STAMP), &stamp).context("writing the web-bundle stamp")?;
    Ok(bound)
}

/// `cargo build` of the app's wasm, lite or full.
fn build_cmd(ctx: &Ctx, variant: Variant) -> Cmd {
    let cmd = ctx.cargo().args([
        "build",
        "--profile",
        PROFILE,
        "--target",
        WASM_TARGET,
        "--lib",
    ]);
    if variant.full {
        cmd
    } else {
        cmd.arg("--no-default-features")
    }
}

/// The per-language text files that build.rs wrote for the wasm (it names them by content
/// and the app fetches them next to index.html), found through cargo's report of the build
/// script's output directory.
fn text_files(ctx: &Ctx) -> Result<Vec<PathBuf>> {
    // The build is done, so this only reports.
    let report = build_cmd(ctx, FULL).arg("--message-format=json").read()?;
    let out_dir = report
        .lines()
        .filter(|l| l.contains("\"build-script-executed\"") && l.contains("#migration-lab@"))
        .find_map(|l| json_string_field(l, "out_dir"))
        .ok_or_else(|| Error::new("cargo did not report where build.rs wrote the text files"))?;
    let mut files = Vec::new();
    for entry in fs::read_dir(&out_dir).context(format!("reading {out_dir}"))? {
        let path = entry.context(format!("reading {out_dir}"))?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("texts.") && name.ends_with(".txt") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Error::new(format!(
            "build.rs wrote no texts.*.txt into {out_dir}"
        )));
    }
    Ok(files)
}

/// The value of `"key":"…"` in one line of JSON (cargo's `--message-format json`).
fn json_string_field(line: &str, key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(v.get(key)?.as_str()?.to_string())
}

/// Identifies the build that the bound files were made from: input size + mtime, bindgen
/// version, wasm-opt and its flags.
fn stamp_for(wasm: &Path, bindgen_version: &str, opt: bool) -> Result<String> {
    let meta = fs::metadata(wasm).context(format!("reading {}", wasm.display()))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let flags = if opt {
        format!("{} {MINIFY_NAMES}", WASM_OPT_FLAGS.join(" "))
    } else {
        "none".into()
    };
    Ok(format!(
        "input={} len={} mtime={mtime} wasm-bindgen={bindgen_version} wasm-opt={flags}\n",
        wasm.display(),
        meta.len()
    ))
}

/// Runs wasm-opt and keeps the result only if it succeeded. It also renames the wasm's
/// imports, exports and import module to one or two letters and the JS glue's uses of them to
/// match (wasm-bindgen's names carry a 16-digit hash each, in both files): 3.5 kB less gzip.
/// If the glue cannot be renamed to match, the wasm is optimized again without renaming.
fn optimize(wasm_opt: &Path, wasm: &Path, js: &Path) {
    let tmp = wasm.with_extension("opt.wasm");
    let run = |minify: bool| -> Result<String> {
        let mut cmd = Cmd::new(wasm_opt).args(WASM_OPT_FLAGS);
        if minify {
            cmd = cmd.arg(MINIFY_NAMES);
        }
        let cmd = cmd.arg(wasm).arg("-o").arg(&tmp);
        util::echo(&cmd.display());
        cmd.read()
    };
    let minified = run(true).and_then(|mapping| {
        let module = bundle::wasm_import_module(&read(&tmp)?)
            .ok_or_else(|| Error::new("the renamed wasm has no imports"))?;
        let glue = read_text(js)?;
        let glue = bundle::rename_wasm_names(&glue, &mapping, &module)
            .map_err(|e| Error::new(format!("renaming in the JS glue: {e}")))?;
        fs::write(js, glue).context(format!("writing {}", js.display()))
    });
    let result = minified
        .or_else(|e| {
            warn(&format!(
                "could not shorten the wasm's import and export names, so they stay: {e}"
            ));
            run(false).map(drop)
        })
        .and_then(|()| fs::rename(&tmp, wasm).context("replacing the wasm with wasm-opt's output"));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        warn(&format!(
            "wasm-opt failed; shipping the unoptimized wasm\n{e}"
        ));
    }
}

/// Writes the first-load files into `dist` under their hashed names, each with its `.gz`.
struct Writer<'a> {
    dir: &'a Path,
    assets: Vec<Asset>,
    minifier: Minifier,
}

impl Writer<'_> {
    fn minify(&self, src: &str, loader: Loader) -> Result<String> {
        self.minifier.minify(src, loader).map_err(Error::new)
    }

    /// Writes `name` (and `name.gz` when that is smaller); its gzip size when written.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<Option<u64>> {
        let path = self.dir.join(name);
        fs::write(&path, bytes).context(format!("writing {}", path.display()))?;
        write_gzip(&path, bytes)
    }

    /// `write`, recording the file's size as part of the first load, as `kind`.
    fn put(&mut self, kind: &'static str, name: String, bytes: &[u8]) -> Result<String> {
        let gz = self.write(&name, bytes)?;
        self.assets.push(Asset {
            kind,
            name: name.clone(),
            raw: bytes.len() as u64,
            gzip: gz,
        });
        Ok(name)
    }

    /// Like `put`, named `stem.HASH.ext` by content.
    fn put_hashed(
        &mut self,
        kind: &'static str,
        stem: &str,
        ext: &str,
        bytes: &[u8],
    ) -> Result<String> {
        self.put(kind, hashed_name(stem, ext, bytes), bytes)
    }
}

/// Writes `path.gz` beside `path` when gzip shrinks it; returns the gzip size.
fn write_gzip(path: &Path, bytes: &[u8]) -> Result<Option<u64>> {
    let gz = bundle::gzip(bytes);
    if gz.len() < bytes.len() {
        let mut name = path.as_os_str().to_owned();
        name.push(".gz");
        fs::write(&name, &gz).context(format!("writing {}.gz", path.display()))?;
    }
    Ok(Some(gz.len() as u64))
}

/// Replaces the one occurrence of `from` in `text` (`what` names the file for the error).
fn replace_once(text: &str, from: &str, to: &str, what: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => Err(Error::new(format!(
            "{what} names `{from}` {n} times; the bundle needs it exactly once to rename it"
        ))),
    }
}

/// A file's bytes, or an error naming it.
fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).context(format!("reading {}", path.display()))
}

/// A file's text, or an error naming it.
fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).context(format!("reading {}", path.display()))
}

/// Lays out dist/ from the bound files of the two builds, the boot script, the stylesheet and
/// index.html; returns the sizes of the first load and of what is loaded later.
fn assemble(
    ctx: &Ctx,
    lite: &Path,
    full: &Path,
    texts: &[PathBuf],
    dist: &Path,
    optimized: bool,
) -> Result<Sizes> {
    util::remove_path(dist)?;
    fs::create_dir_all(dist).context(format!("creating {}", dist.display()))?;
    let esbuild = tools::esbuild(ctx);
    if esbuild.is_none() {
        warn("no esbuild in tests/e2e/node_modules: the JS and CSS go out unminified");
    }
    let mut w = Writer {
        dir: dist,
        assets: Vec::new(),
        minifier: Minifier { esbuild },
    };

    let (wasm, glue) = put_build(&mut w, lite, LITE)?;
    // The full build is loaded later: its sizes are kept apart from the first load's.
    let first_load = std::mem::take(&mut w.assets);
    let (full_wasm, full_glue) = put_build(&mut w, full, FULL)?;
    let mut later = std::mem::replace(&mut w.assets, first_load);

    // The JavaScript API under a name that stays: pages that mount the simulator themselves
    // import `migration-lab.js`, whatever this build's hashed names are.
    let www = ctx.path("www");
    let api = read_text(&www.join(API_ENTRY))?;
    let api = replace_once(
        &api,
        &format!("'./{}.js'", LITE.name),
        &format!("'./{full_glue}'"),
        "www/migration-lab.js",
    )?;
    w.write(API_ENTRY, w.minify(&api, Loader::Js)?.as_bytes())?;

    let mut boot = read_text(&www.join(BOOT))?;
    for (name, hashed) in [
        (format!("{}.js", LITE.name), &glue),
        (format!("{}_bg.wasm", LITE.name), &wasm),
        (format!("{}.js", FULL.name), &full_glue),
        (format!("{}_bg.wasm", FULL.name), &full_wasm),
    ] {
        boot = replace_once(
            &boot,
            &format!("'./{name}'"),
            &format!("'./{hashed}'"),
            "www/boot.js",
        )?;
    }
    let boot = w.minify(&boot, Loader::Js)?;
    let boot = w.put_hashed("JS", "boot", "js", boot.as_bytes())?;
    let css = bundle::expand_dark_theme(&read_text(&www.join(STYLE))?).map_err(Error::new)?;
    // For other pages (the JavaScript API, <migration-lab>) under a name that stays: the same
    // rules, confined to the widget.
    let mut widget_css =
        bundle::scope_to_widget(&css).map_err(|e| Error::new(format!("www/{STYLE}: {e}")))?;
    widget_css.push_str(&read_text(&www.join(API_HOST_STYLE))?);
    w.write(API_STYLE, w.minify(&widget_css, Loader::Css)?.as_bytes())?;
    let css = w.minify(&css, Loader::Css)?;
    let css = w.put_hashed("CSS", "style", "css", css.as_bytes())?;

    let html = read_text(&ctx.path("index.html"))?;
    let html = replace_once(
        &html,
        &format!("\"www/{STYLE}\""),
        &format!("\"{css}\""),
        "index.html",
    )?;
    let html = replace_once(
        &html,
        &format!("\"www/{BOOT}\""),
        &format!("\"{boot}\""),
        "index.html",
    )?;
    // No preload hints for either build: the boot script chooses one by the address, and
    // fetches its glue and wasm together.
    let problems = csp_problems(&html);
    if !problems.is_empty() {
        return Err(Error::new(format!(
            "index.html would not load under the Content Security Policy \
             `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`: {}",
            problems.join("; ")
        )));
    }
    w.put("HTML", "index.html".into(), html.as_bytes())?;

    copy_www(&www, &dist.join("www"))?;
    for text in texts {
        let name = text
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let bytes = read(text)?;
        later.push(Asset {
            kind: "text",
            gzip: w.write(&name, &bytes)?,
            name,
            raw: bytes.len() as u64,
        });
    }
    // The lab's time series, fetched when a reader opens a lab run (`src/ui/lab.rs`).
    let series = read(&ctx.path(LAB_SERIES))?;
    later.push(Asset {
        kind: "lab series",
        gzip: w.write(LAB_SERIES_NAME, &series)?,
        name: LAB_SERIES_NAME.into(),
        raw: series.len() as u64,
    });
    Ok(Sizes {
        assets: w.assets,
        later,
        optimized,
    })
}

/// Writes one build's wasm and JS glue under hashed names (the glue pointing at the wasm's);
/// returns both names.
fn put_build(w: &mut Writer, bound: &Path, variant: Variant) -> Result<(String, String)> {
    let name = variant.name;
    let (wasm_kind, js_kind) = if variant.full {
        ("wasm (full)", "JS (full)")
    } else {
        ("wasm", "JS")
    };
    let wasm = w.put_hashed(
        wasm_kind,
        &format!("{name}_bg"),
        "wasm",
        &read(&bound.join(format!("{name}_bg.wasm")))?,
    )?;
    let glue = read_text(&bound.join(format!("{name}.js")))?;
    let glue = replace_once(
        &glue,
        &format!("'{name}_bg.wasm'"),
        &format!("'{wasm}'"),
        "wasm-bindgen's JS",
    )?;
    let glue = w.minify(&glue, Loader::Js)?;
    let glue = w.put_hashed(js_kind, name, "js", glue.as_bytes())?;
    Ok((wasm, glue))
}

/// Copies www/ into dist/www/, without the files the bundle serves under hashed names.
fn copy_www(www: &Path, to: &Path) -> Result<()> {
    util::copy_dir(www, to)?;
    for name in [BOOT, STYLE, API_ENTRY, API_HOST_STYLE] {
        util::remove_path(&to.join(name))?;
    }
    Ok(())
}

/// The CSV columns; the first seven are the file's original ones, so old rows still line up.
const CSV_HEADER: &str = "date,git_rev,wasm_raw,wasm_gzip,js_raw,js_gzip,wasm_opt,\
                          css_raw,css_gzip,html_raw,html_gzip,total_raw,total_gzip";

/// Prints raw and gzip sizes and appends them to `<target>/bundle-sizes.csv`.
fn report_size(ctx: &Ctx, sizes: &Sizes) -> Result<()> {
    let gz = |n: Option<u64>| n.map_or("n/a".to_string(), thousands);
    let opt_note = if sizes.optimized {
        format!("wasm-opt {}", WASM_OPT_FLAGS.join(" "))
    } else {
        "no wasm-opt (run `npm ci` in tests/e2e/ to enable it)".to_string()
    };
    println!("bundle size, first load ({opt_note}):");
    println!(
        "  {:<11} {:<30} {:>11} {:>11}",
        "", "dist/", "raw B", "gzip B"
    );
    let row = |a: &Asset| {
        println!(
            "  {:<11} {:<30} {:>11} {:>11}",
            a.kind,
            a.name,
            thousands(a.raw),
            gz(a.gzip)
        )
    };
    sizes.assets.iter().for_each(row);
    println!(
        "  {:<42} {:>11} {:>11}",
        "total",
        thousands(sizes.total_raw()),
        gz(sizes.total_gzip())
    );
    println!(
        "then, once the app runs: the chapter texts of the reader's language, and the full \
         build, fetched while the page is idle (not in an embed) and at once for a link past \
         the first chapter or a page that mounts the simulator through migration-lab.js:"
    );
    sizes.later.iter().for_each(row);
    match sizes.check_budget() {
        Ok(msg) => println!("  {msg}"),
        Err(msg) => println!("  {msg}"),
    }

    let csv = ctx.target_dir.join("bundle-sizes.csv");
    fs::create_dir_all(&ctx.target_dir).context("creating the target directory")?;
    upgrade_csv_header(&csv)?;
    let new_file = !csv.exists();
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&csv)
        .context(format!("opening {}", csv.display()))?;
    let mut text = String::new();
    if new_file {
        text.push_str(CSV_HEADER);
        text.push('\n');
    }
    let num = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    let (wasm_raw, wasm_gz) = sizes.of_kind("wasm");
    let (js_raw, js_gz) = sizes.of_kind("JS");
    let (css_raw, css_gz) = sizes.of_kind("CSS");
    let (html_raw, html_gz) = sizes.of_kind("HTML");
    text.push_str(&format!(
        "{},{},{wasm_raw},{},{js_raw},{},{},{css_raw},{},{html_raw},{},{},{}\n",
        util::utc_timestamp(),
        git_rev(ctx),
        num(wasm_gz),
        num(js_gz),
        if sizes.optimized { "yes" } else { "no" },
        num(css_gz),
        num(html_gz),
        sizes.total_raw(),
        num(sizes.total_gzip()),
    ));
    file.write_all(text.as_bytes())
        .context(format!("appending to {}", csv.display()))?;
    println!("  (appended to {})", ctx.rel(&csv));
    Ok(())
}

/// Rewrites the header line of a bundle-sizes.csv written before the CSS, HTML and total
/// columns existed (its rows keep their values; the new columns are empty for them).
fn upgrade_csv_header(csv: &Path) -> Result<()> {
    let Ok(text) = fs::read_to_string(csv) else {
        return Ok(());
    };
    let Some((header, rows)) = text.split_once('\n') else {
        return Ok(());
    };
    if header == CSV_HEADER || !CSV_HEADER.starts_with(header) {
        return Ok(());
    }
    fs::write(csv, format!("{CSV_HEADER}\n{rows}")).context(format!("rewriting {}", csv.display()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(wasm_gz: u64) -> Sizes {
        let asset = |kind, gzip| Asset {
            kind,
            name: format!("{kind}.x"),
            raw: gzip * 3,
            gzip: Some(gzip),
        };
        Sizes {
            later: Vec::new(),
            assets: vec![
                asset("wasm", wasm_gz),
                asset("JS", 7_000),
                asset("JS", 500),
                asset("CSS", 5_000),
                asset("HTML", 700),
            ],
            optimized: true,
        }
    }

    #[test]
    fn totals_and_budget() {
        let s = sizes(200_000);
        assert_eq!(s.total_gzip(), Some(213_200));
        assert_eq!(s.of_kind("JS"), (22_500, Some(7_500)));
        assert!(s
            .check_budget()
            .unwrap()
            .contains("within the 250,000 B goal"));
        // At the budget exactly: accepted, and said to be within the goal or above it.
        let at_budget = sizes(BUDGET_GZIP - 13_200).check_budget().unwrap();
        let expected = if BUDGET_GZIP <= GOAL_GZIP {
            "within the 250,000 B goal".to_string()
        } else {
            format!(
                "{} B above the 250,000 B goal",
                thousands(BUDGET_GZIP - GOAL_GZIP)
            )
        };
        assert!(at_budget.contains(&expected), "{at_budget}");
        let over = sizes(BUDGET_GZIP).check_budget().unwrap_err();
        assert!(over.contains("13,200 B over"), "{over}");
        let mut missing = sizes(1);
        missing.assets[0].gzip = None;
        assert!(missing.check_budget().is_err());
    }

    #[test]
    fn reads_a_string_field_of_a_json_line() {
        let line = r#"{"reason":"build-script-executed","out_dir":"/t/a \"b\"\\c/out","x":1}"#;
        assert_eq!(
            json_string_field(line, "out_dir").as_deref(),
            Some(r#"/t/a "b"\c/out"#)
        );
        assert_eq!(json_string_field(line, "missing"), None);
    }

    #[test]
    fn replaces_exactly_once() {
        assert_eq!(
            replace_once("a 'x.js' b", "'x.js'", "'y.js'", "f").unwrap(),
            "a 'y.js' b"
        );
        assert!(replace_once("none", "'x.js'", "'y.js'", "f").is_err());
        assert!(replace_once("'x.js' 'x.js'", "'x.js'", "'y.js'", "f").is_err());
    }

    #[test]
    fn upgrades_an_old_csv_header() {
        let dir = std::env::temp_dir().join(format!("xtask-csv-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("bundle-sizes.csv");
        fs::write(
            &csv,
            "date,git_rev,wasm_raw,wasm_gzip,js_raw,js_gzip,wasm_opt\n1,a,2,3,4,5,yes\n",
        )
        .unwrap();
        upgrade_csv_header(&csv).unwrap();
        assert_eq!(
            fs::read_to_string(&csv).unwrap(),
            format!("{CSV_HEADER}\n1,a,2,3,4,5,yes\n")
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
