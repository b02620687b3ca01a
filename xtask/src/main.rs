//! Build, serve, test and benchmark tasks for Migration Lab (`cargo xtask <task>`).
//!
//! std only, so it compiles in about a second on a fresh machine. Every task installs the
//! tools it needs (wasm32 target, wasm-bindgen-cli and mdBook into `.tools/`, Chromium via apt
//! as root, the e2e npm packages) before using them.

mod bench;
mod bundle;
mod dist;
mod docs;
mod fuzz;
mod lab;
mod serve;
mod test;
mod tools;
mod util;

use std::env;
use std::process::ExitCode;

use util::{Ctx, Error, Result};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  dist                 build the release web bundle into dist/ and report its size; with it
                       the example book (mdBook, installed into .tools/) and Markdown page
  serve [ADDR|PORT]    dist, then serve dist/ (default http://127.0.0.1:8080/)
  test [--native] [--fuzz] [--wasm] [--e2e]
                       run the test layers (all by default) and print a summary
  fuzz [SECONDS]       run each fuzz target for SECONDS (default 600) with AFL++
  bench [-- ARGS]      criterion benchmarks, bundle size, and tests/e2e/bench.mjs if present
  lab [-- ARGS]        real QEMU migrations into validation/lab/ (installs QEMU; resumable);
                       ARGS go to `migration-lab lab run` (--only ID, --limit N, --retry-failed)
  help                 show this message";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ok(false) means the task ran and reported failure (failing tests).
fn run(args: &[String]) -> Result<bool> {
    let Some((task, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(true);
    };
    let ctx = Ctx::from_env()?;
    match task.as_str() {
        "dist" => {
            no_args(task, rest)?;
            dist::dist(&ctx)?;
        }
        "serve" => serve(&ctx, rest)?,
        "test" => return test::run(&ctx, rest),
        "fuzz" => return fuzz::run(&ctx, rest),
        "bench" => bench::run(&ctx, passed_on(rest, "bench [-- CRITERION-ARGS]")?)?,
        "lab" => lab::run(&ctx, passed_on(rest, "lab [-- RUN-ARGS]")?)?,
        "help" | "-h" | "--help" => println!("{USAGE}"),
        other => return Err(Error::new(format!("unknown task `{other}`\n\n{USAGE}"))),
    }
    Ok(true)
}

/// The arguments after `--`, which a task passes on to the program it runs.
fn passed_on<'a>(rest: &'a [String], usage: &str) -> Result<&'a [String]> {
    match rest.split_first() {
        None => Ok(&[]),
        Some((sep, extra)) if sep == "--" => Ok(extra),
        Some(_) => Err(Error::new(format!("usage: cargo xtask {usage}"))),
    }
}

fn no_args(task: &str, rest: &[String]) -> Result<()> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "`{task}` takes no arguments (got `{}`)",
            rest.join(" ")
        )))
    }
}

fn serve(ctx: &Ctx, rest: &[String]) -> Result<()> {
    let addr = match rest {
        [] => serve::DEFAULT_ADDR.to_string(),
        [port] if port.parse::<u16>().is_ok() => format!("127.0.0.1:{port}"),
        [addr] => addr.clone(),
        _ => return Err(Error::new("usage: cargo xtask serve [ADDR|PORT]")),
    };
    let dist = dist::dist(ctx)?.dir;
    let server = serve::Server::bind(&addr, &dist, true)?;
    println!(
        "\nServing {} at {}  (Ctrl-C to stop)",
        ctx.rel(&dist),
        server.url()
    );
    server.run()
}
