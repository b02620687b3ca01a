//! Replays the fuzz targets' inputs through the same checks, without AFL++: every file in
//! `fuzz/regressions/<target>/` (the findings, kept once fixed) and `fuzz/corpus/<target>/`
//! (the seeds). See `fuzz/README.md`.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

use migration_lab::fuzz_checks::{
    check_cluster, check_cluster_engine, check_engine, check_permalink, check_scenario,
    cluster_scenario, engine_scenario,
};

/// The files of `fuzz/<kind>/<target>/`, sorted; none when the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("reading a fuzz input folder").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every regression and seed of `target`; fails naming each input that panics.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut failed = Vec::new();
    let mut count = 0;
    for kind in ["regressions", "corpus"] {
        for path in inputs(kind, target) {
            let bytes = fs::read(&path).expect("reading a fuzz input");
            count += 1;
            if panic::catch_unwind(|| check(&bytes)).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    assert!(failed.is_empty(), "{target}: failing inputs: {failed:#?}");
    count
}

#[test]
fn scenario_inputs() {
    assert!(replay("scenario", check_scenario) > 0);
}

#[test]
fn cluster_inputs() {
    assert!(replay("cluster", check_cluster) > 0);
}

#[test]
fn permalink_inputs() {
    assert!(replay("permalink", check_permalink) > 0);
}

#[test]
fn engine_inputs() {
    assert!(replay("engine", check_engine) > 0);
}

#[test]
fn cluster_engine_inputs() {
    assert!(replay("cluster_engine", check_cluster_engine) > 0);
}

/// A seed that the engine targets skip would only cost the fuzzer time.
#[test]
fn engine_seeds_are_simulated() {
    for path in inputs("corpus", "engine") {
        let bytes = fs::read(&path).unwrap();
        assert!(engine_scenario(&bytes).is_some(), "{}", path.display());
    }
    for path in inputs("corpus", "cluster_engine") {
        let bytes = fs::read(&path).unwrap();
        assert!(cluster_scenario(&bytes).is_some(), "{}", path.display());
    }
}
