//! `cargo xtask bench`: native criterion benchmarks, the bundle size, and (if present) the
//! browser benchmark script `tests/e2e/bench.mjs`.

use crate::dist;
use crate::serve::Server;
use crate::test::screenshot_dir;
use crate::tools;
use crate::util::{step, Cmd, Ctx, Result};

/// `extra` is passed to the criterion harness (`cargo xtask bench -- --sample-size 10`).
pub fn run(ctx: &Ctx, extra: &[String]) -> Result<()> {
    step("native benchmarks (criterion)");
    let mut cmd = ctx.cargo().args(["bench", "--bench", "engine"]);
    if !extra.is_empty() {
        cmd = cmd.arg("--").args(extra);
    }
    cmd.run()?;

    let dist = dist::dist(ctx)?.dir;

    let script = ctx.path("tests/e2e/bench.mjs");
    if !script.exists() {
        println!("no tests/e2e/bench.mjs; skipping the browser benchmark");
        return Ok(());
    }
    step("browser benchmark (tests/e2e/bench.mjs)");
    let browser = tools::ensure_browser()?;
    tools::ensure_npm_deps(ctx)?;
    let server = Server::bind("127.0.0.1:0", &dist, false)?.spawn()?;
    let result = Cmd::new("node")
        .arg("bench.mjs")
        .dir(&ctx.path("tests/e2e"))
        .env("APP_URL", server.url())
        .env("CHROMIUM", &browser.chromium)
        .env("SCREENSHOT_DIR", screenshot_dir(ctx))
        .run();
    drop(server);
    result
}
