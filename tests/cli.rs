//! The `migration-lab` binary: every kind of bad input gives exactly one `error: …` line on
//! stderr and a non-zero exit status, as the README promises.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migration-lab"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A file in the temporary directory, unique to this test process, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("migration-lab-cli-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("the temporary directory is writable");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs the binary and checks the error contract; returns the error line.
fn one_error_line(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: status {:?}, stderr {stderr:?}",
        out.status
    );
    assert!(out.stdout.is_empty(), "{args:?}: wrote to stdout");
    assert!(
        stderr.starts_with("error: ") && stderr.ends_with('\n'),
        "{args:?}: {stderr:?}"
    );
    assert_eq!(stderr.matches('\n').count(), 1, "{args:?}: {stderr:?}");
    assert!(
        !stderr.contains("Usage:") && !stderr.contains("For more information"),
        "{args:?}: {stderr:?}"
    );
    stderr.trim_end().to_string()
}

#[test]
fn usage_errors_are_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[],
            "a command is required: simulate, sweep, chart, lab, scenario",
        ),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (&["simulate", "--bogus"], "unexpected argument '--bogus'"),
        (&["simulate", "--memory-mib", "abc"], "invalid value 'abc'"),
        (&["simulate", "--memory-mib"], "a value is required"),
        (&["simulate", "--seed", "1.5"], "invalid value '1.5'"),
        (
            &["simulate", "--dedicated", "--shared"],
            "cannot be used with",
        ),
        (
            &["simulate", "--json", "--json"],
            "cannot be used multiple times",
        ),
        (
            &["sweep"],
            "required arguments were not provided: --vary <VARY> --from <FROM> --to <TO>",
        ),
        (
            &["sweep", "--vary", "nope", "--from", "0", "--to", "1"],
            "[possible values: memory-mib,",
        ),
        (
            &["scenario", "--policy", "vmware"],
            "invalid value 'vmware'",
        ),
    ];
    for (args, want) in cases {
        let line = one_error_line(args);
        assert!(line.contains(want), "{args:?}: {line}");
    }
}

#[test]
fn bad_values_are_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["simulate", "--memory-mib", "-5"], "must not be negative"),
        (
            &["simulate", "--memory-mib", "NaN"],
            "must be a finite number",
        ),
        (
            &[
                "simulate",
                "--policy",
                "hyperv",
                "--downtime-limit-ms",
                "10",
            ],
            "--downtime-limit-ms applies to --policy qemu",
        ),
        (
            &["sweep", "--vary", "seed", "--from=-5", "--to", "3"],
            "--vary seed takes whole numbers",
        ),
        (
            &["sweep", "--vary", "seed", "--from", "0", "--to", "inf"],
            "--to must be a finite number",
        ),
        (
            &[
                "sweep", "--vary", "seed", "--from", "0", "--to", "1", "--steps", "0",
            ],
            "--steps must be 1 to",
        ),
        // A value past any hypervisor's reads as it was given, not as 300 digits or a dash.
        (
            &["simulate", "--dirty-rate-mibps", "1e308"],
            "vm.dirty_rate_mibps: 1e308 MiB/s is faster than any memory writes",
        ),
        (
            &["simulate", "--memory-mib", "1e308"],
            "vm.memory_mib: 1e308 MiB is more memory than any hypervisor gives one VM (at most 256 TiB)",
        ),
    ];
    for (args, want) in cases {
        let line = one_error_line(args);
        assert!(line.contains(want), "{args:?}: {line}");
        assert!(line.len() < 200, "{args:?}: {line}");
    }
}

#[test]
fn file_errors_are_one_line() {
    let line = one_error_line(&["simulate", "--scenario", "/nonexistent/scenario.json"]);
    assert!(
        line.contains("cannot read /nonexistent/scenario.json"),
        "{line}"
    );
    // A line break in the file name is shown escaped.
    let line = one_error_line(&["simulate", "--scenario", "/nonexistent/a\nb.json"]);
    assert!(
        line.contains("cannot read /nonexistent/a\\nb.json"),
        "{line}"
    );
    let dir = std::env::temp_dir();
    let line = one_error_line(&["simulate", "--scenario", dir.to_str().unwrap()]);
    assert!(line.contains("cannot read"), "{line}");

    let not_utf8 = TempFile::new("latin1.json", b"{\"vm\": \"\xe9\"}");
    let line = one_error_line(&["simulate", "--scenario", not_utf8.path()]);
    assert!(line.contains("valid UTF-8"), "{line}");

    let truncated = TempFile::new("truncated.json", b"{\n  \"version\": 1,\n  \"vm\": {\n");
    let line = one_error_line(&["simulate", "--scenario", truncated.path()]);
    assert!(line.contains("not a valid scenario file"), "{line}");

    // serde quotes an unknown key as it is, line break included.
    let key = TempFile::new("key.json", b"{\"vm\": {}, \"we\\nird\": 1}");
    let line = one_error_line(&["simulate", "--scenario", key.path()]);
    assert!(line.contains("unknown field `we\\nird`"), "{line}");
    let cluster_key = TempFile::new("cluster-key.json", b"{\"hosts\": [], \"x\\ny\": 1}");
    let line = one_error_line(&["simulate", "--scenario", cluster_key.path()]);
    assert!(
        line.contains("not a valid cluster scenario file: unknown field `x\\ny`"),
        "{line}"
    );

    // A cluster that reads but is not possible: a 64 GiB VM on a 1 GiB host.
    let preset = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/presets/two-node.json"
    ))
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&preset).unwrap();
    v["hosts"][0]["memory_gib"] = 1.into();
    v["vms"][0]["memory_mib"] = 65536.into();
    let small = TempFile::new("small-host.json", v.to_string().as_bytes());
    let line = one_error_line(&["simulate", "--scenario", small.path()]);
    assert!(line.contains("has 1 GiB for VMs"), "{line}");
    let line = one_error_line(&[
        "sweep",
        "--vary",
        "seed",
        "--from",
        "0",
        "--to",
        "1",
        "--scenario",
        small.path(),
    ]);
    assert!(line.contains("has 1 GiB for VMs"), "{line}");
}

#[test]
fn help_and_version_are_not_errors() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["simulate", "--help"],
        &["help"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn chart_draws_the_scenario_as_svg() {
    let scenario = TempFile::new(
        "chart.json",
        br#"{"vm": {"memory_mib": 4096, "dirty_rate_mibps": 30}}"#,
    );
    let out_file = TempFile::new("chart.svg", b"");
    let out = run(&[
        "chart",
        "--scenario",
        scenario.path(),
        "--svg",
        out_file.path(),
        "--width",
        "500",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(out_file.path()).unwrap();
    // The pass chart is 0.6 times as tall as wide, at most 280 px (`charts::passes_height`).
    assert!(svg.starts_with(r#"<svg width="500" height="280""#), "{svg}");
    assert!(svg.contains("MiB sent (log scale)"));
    // The link chart in German, to standard output.
    let out = run(&[
        "chart",
        "--scenario",
        scenario.path(),
        "--svg",
        "-",
        "--chart",
        "link",
        "--lang",
        "de",
    ]);
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.contains("Gbit/s") && svg.contains(",00 s"), "{svg}");
    // Bad requests are one error line.
    let line = one_error_line(&["chart", "--svg", "-", "--width", "5"]);
    assert!(line.contains("--width must be 64 to 8192"), "{line}");
    let line = one_error_line(&["chart", "--svg", "/nonexistent-dir/x.svg"]);
    assert!(
        line.contains("cannot write /nonexistent-dir/x.svg"),
        "{line}"
    );
    let line = one_error_line(&["chart", "--svg", "-", "--chart", "gantt"]);
    assert!(line.contains("gantt chart draws a cluster file"), "{line}");
}

#[test]
fn chart_draws_a_cluster_file_as_its_gantt_chart() {
    let preset = concat!(env!("CARGO_MANIFEST_DIR"), "/www/presets/drain-8-vms.json");
    let out = run(&[
        "chart",
        "--scenario",
        preset,
        "--svg",
        "-",
        "--width",
        "900",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.starts_with(r#"<svg width="900""#), "{svg}");
    // A row per VM the drain moves, named "VM → host".
    assert!(svg.matches(" → ").count() >= 8, "{svg}");
    let line = one_error_line(&[
        "chart",
        "--scenario",
        preset,
        "--svg",
        "-",
        "--chart",
        "link",
    ]);
    assert!(
        line.contains("a cluster file has the gantt chart"),
        "{line}"
    );
}

#[test]
fn lab_compare_reads_the_measurements_and_refuses_what_is_not_a_lab_file() {
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/validation/lab/qemu.csv");
    let out = run(&["lab", "compare", csv, "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for split in ["calibration", "holdout"] {
        for key in [
            "runs",
            "verdict_agreement",
            "median_abs_err_total",
            "p75_abs_err_total",
            "median_abs_err_bytes",
        ] {
            assert!(v[split][key].is_number(), "{split}.{key}");
        }
    }
    assert!(v["holdout"]["runs"].as_u64().unwrap() >= 60);
    assert!(v["noise"]["points"].as_u64().unwrap() >= 8);

    let line = one_error_line(&["lab", "compare", "/no/such/file.csv"]);
    assert!(line.contains("/no/such/file.csv"), "{line}");
    let bad = TempFile::new("lab.csv", b"id,point\nx,y\n");
    let line = one_error_line(&["lab", "compare", bad.path()]);
    assert!(line.contains(bad.path()), "{line}");
}

#[test]
fn lab_grid_lists_every_run_with_its_split() {
    let out = run(&["lab", "grid"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 150);
    assert!(lines
        .iter()
        .all(|l| l.ends_with("\tcalibration") || l.ends_with("\tholdout")));
}

#[test]
fn the_lab_host_profile_puts_a_scenario_on_the_labs_host() {
    let out = run(&[
        "simulate",
        "--host-profile",
        "lab",
        "--memory-mib",
        "512",
        "--working-set-mib",
        "128",
        "--untouched-mib",
        "384",
        "--dirty-rate-mibps",
        "0",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let s = &v["scenario"];
    assert_eq!(s["policy"]["kind"], "qemu");
    assert_eq!(
        s["policy"]["lazy_dirty_clear"], false,
        "TCG clears the whole log"
    );
    assert_eq!(s["network"]["dedicated"], true);
    assert_eq!(s["transport"]["host_cores"], 2);
    // The flags after the profile still apply.
    assert_eq!(s["vm"]["memory_mib"], 512.0);
    // An idle 512 MiB guest with 128 MiB written, under QEMU's default cap of 128 MiB/s: about
    // a second (128 MiB at the cap, the zero scan and the lab host's millisecond fixed costs).
    let total_s = v["total_time_ms"].as_f64().unwrap() / 1000.0;
    assert!((0.9..1.3).contains(&total_s), "{total_s} s");
    let line = one_error_line(&["simulate", "--host-profile", "datacentre"]);
    assert!(line.contains("invalid value 'datacentre'"), "{line}");
}

/// XBZRLE and post-copy from the command line, on their own and together, on a guest that
/// writes twice as fast as its 1 GbE link carries: pre-copy alone never converges; post-copy
/// moves it with a blackout of the device state; XBZRLE with a cache that holds the working set
/// and word-sized writes makes pre-copy converge; both together send the later passes as
/// changes and then switch.
#[test]
fn xbzrle_and_postcopy_run_alone_and_combined() {
    let base = [
        "simulate",
        "--json",
        "--policy",
        "qemu",
        "--max-bandwidth-mibps",
        "unlimited",
        "--link-gbps",
        "1",
        "--dirty-rate-mibps",
        "200",
        "--dedicated",
        "--timeout-s",
        "600",
    ];
    let trace = |extra: &[&str]| -> serde_json::Value {
        let out = run(&[&base[..], extra].concat());
        assert!(out.status.success(), "{extra:?}: {:?}", out);
        serde_json::from_slice(&out.stdout).expect("a JSON trace")
    };
    let completed = |t: &serde_json::Value| t["completed"] == true;
    let hits = |t: &serde_json::Value| -> f64 {
        t["pass_records"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["xbzrle"]["hits"].as_f64())
            .sum()
    };
    let plain = trace(&[]);
    assert!(!completed(&plain), "{}", plain["outcome"]);
    assert!(plain["postcopy"].is_null());

    let post = trace(&["--postcopy-after-passes", "1"]);
    assert!(completed(&post));
    let pc = &post["postcopy"];
    assert!(pc["faulted_pages"].as_f64().unwrap() > 0.0);
    assert!(
        post["downtime_ms"].as_f64().unwrap() < 500.0,
        "{}",
        post["downtime_s"]
    );
    assert_eq!(post["passes"], 1);

    let xb = trace(&["--xbzrle-cache-mib", "4096", "--write-bytes", "8"]);
    assert!(completed(&xb), "{}", xb["outcome"]);
    assert!(hits(&xb) > 0.0);
    assert!(xb["postcopy"].is_null());

    let both = trace(&[
        "--xbzrle-cache-mib",
        "4096",
        "--write-bytes",
        "4096",
        "--postcopy-after-passes",
        "3",
    ]);
    assert!(completed(&both));
    assert_eq!(both["passes"], 3);
    assert!(hits(&both) > 0.0, "pass 3 finds pass 2's pages");
    assert!(!both["postcopy"].is_null());

    let text = String::from_utf8(
        run(&[&["simulate"], &base[2..], &["--postcopy-after-passes", "0"]].concat()).stdout,
    )
    .unwrap();
    assert!(
        text.contains("Switched to post-copy after 0 passes"),
        "{text}"
    );
    assert!(text.contains("pages faulted"), "{text}");
}
