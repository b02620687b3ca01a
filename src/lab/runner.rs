//! Runs the grid: for each run, a source and a destination QEMU on loopback, driven through QMP,
//! measured, and ended whatever happens.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::grid::{Codec, RunSpec, RUN_TIMEOUT_S, WS_BASE_MIB};
use super::qmp::Qmp;
use super::record::{read_csv, write_csv, LabRun, Sample, Series, Status};

/// Where the guest keeps its counters (`src/lab/guest/guest.c`, `COUNTERS_ADDR`).
const COUNTERS_ADDR: u64 = 0x30_0000;
const GUEST_MAGIC: u32 = 0x4241_4c4d;
const GUEST_RUNNING: u32 = 2;
/// `query-migrate` is polled this often, and each answer kept as a sample.
const POLL: Duration = Duration::from_millis(100);
/// How often a post-copy run polls while it waits for the pass after which it switches: the
/// switch comes at most this late after QEMU's dirty sync ends the pass (at `POLL`, a switch
/// "after 1 pass" came up to 0.1 s into the next one).
const SWITCH_POLL: Duration = Duration::from_millis(5);
/// How long the guest may take to boot and fill its working set.
const FILL_TIMEOUT: Duration = Duration::from_secs(90);

pub struct LabConfig {
    pub qemu: PathBuf,
    pub guest: PathBuf,
    pub out_dir: PathBuf,
    /// Only runs whose id contains this.
    pub only: Option<String>,
    /// At most this many runs (the rest stay for a later call).
    pub limit: Option<usize>,
    /// Re-run the recorded runs that failed, or that were measured while other work took
    /// more than [`super::compare::MAX_FOREIGN_CPU`] cores.
    pub retry_failed: bool,
}

/// The guest's counters (`struct counters` in `guest.c`).
#[derive(Debug, Clone, Copy)]
struct Counters {
    state: u32,
    pages: u64,
    fill_pages: u32,
    tsc_per_ms: u32,
    tsc: u64,
}

fn counters(q: &mut Qmp) -> Result<Counters, String> {
    let w = q.read_words(COUNTERS_ADDR, 8)?;
    if w[0] != GUEST_MAGIC {
        return Ok(Counters {
            state: 0,
            pages: 0,
            fill_pages: 0,
            tsc_per_ms: 0,
            tsc: 0,
        });
    }
    Ok(Counters {
        state: w[1],
        pages: u64::from(w[2]) | (u64::from(w[3]) << 32),
        fill_pages: w[4],
        tsc_per_ms: w[5],
        tsc: u64::from(w[6]) | (u64::from(w[7]) << 32),
    })
}

/// MiB/s of page writes the guest counted between two readings of its counters, by its own
/// clock (0 for an idle guest, whose clock stops with its last write).
fn dirty_rate(from: &Counters, to: &Counters) -> f64 {
    if to.tsc <= from.tsc || from.tsc_per_ms == 0 {
        return 0.0;
    }
    let guest_s = (to.tsc - from.tsc) as f64 / f64::from(from.tsc_per_ms) / 1000.0;
    (to.pages - from.pages) as f64 * 4096.0 / 1048576.0 / guest_s
}

/// The guest image with `spec`'s parameters patched in after the "MLABPARM" magic.
fn guest_image(template: &[u8], spec: &RunSpec, seed: u32) -> Result<Vec<u8>, String> {
    let at = template
        .windows(8)
        .position(|w| w == b"MLABPARM")
        .ok_or("the guest image has no MLABPARM parameter block")?;
    let mut image = template.to_vec();
    let values = [
        WS_BASE_MIB << 20,
        spec.ws_pages,
        spec.rate_pps,
        match spec.pattern {
            super::grid::WritePattern::Sequential => 0,
            super::grid::WritePattern::Random => 1,
        },
        spec.content.code(),
        seed,
        spec.write_bytes,
    ];
    for (i, v) in values.iter().enumerate() {
        let o = at + 8 + 4 * i;
        image[o..o + 4].copy_from_slice(&v.to_le_bytes());
    }
    Ok(image)
}

/// A QEMU process that is killed when dropped.
struct Vm {
    child: Child,
    qmp_path: PathBuf,
}

impl Vm {
    fn start(
        cfg: &LabConfig,
        dir: &Path,
        name: &str,
        spec: &RunSpec,
        incoming: bool,
    ) -> Result<Vm, String> {
        let qmp_path = dir.join(format!("{name}.qmp"));
        let _ = std::fs::remove_file(&qmp_path);
        let log =
            std::fs::File::create(dir.join(format!("{name}.log"))).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&cfg.qemu);
        // Guest RAM is allocated and touched before the guest boots (`-mem-prealloc`): on a
        // host whose memory its hypervisor backs lazily, a migration that wrote into fresh
        // pages paid about 2.8 s per GiB for them on the destination, and whether a run got
        // fresh pages was chance (the kernel hands freed memory back to the hypervisor).
        cmd.args([
            "-accel",
            "tcg",
            "-machine",
            "pc",
            "-nodefaults",
            "-display",
            "none",
        ])
        .arg("-mem-prealloc")
        .args(["-m", &spec.memory_mib.to_string()])
        .arg("-kernel")
        .arg(dir.join("guest.elf"))
        .arg("-qmp")
        .arg(format!("unix:{},server=on,wait=off", qmp_path.display()));
        if incoming {
            cmd.args(["-incoming", "defer"]);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", cfg.qemu.display()))?;
        Ok(Vm { child, qmp_path })
    }

    fn qmp(&mut self) -> Result<Qmp, String> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Err(format!("QEMU exited at start ({status})"));
        }
        Qmp::connect(&self.qmp_path, Duration::from_secs(10))
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Asks QEMU to quit, then kills it if it has not after a second.
    fn stop(mut self, q: Option<&mut Qmp>) {
        if let Some(q) = q {
            let _ = q.execute("quit", json!({}));
        }
        let until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// User-space and total jiffies of the whole machine (`/proc/stat`). Kernel time is left out:
/// loopback TCP and freeing a finished run's memory run in kernel threads on QEMU's behalf.
fn machine_jiffies() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let first = text.lines().next().unwrap_or_default();
    let v: Vec<u64> = first
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().sum();
    let user = v.first().copied().unwrap_or(0) + v.get(1).copied().unwrap_or(0);
    (user, total)
}

/// User jiffies of a process and its threads (`/proc/PID/stat`).
fn process_jiffies(pid: u32) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let rest = text.rsplit_once(')').map_or("", |(_, r)| r);
    // utime is field 14 of the whole line: the 12th after the name.
    rest.split_whitespace()
        .nth(11)
        .and_then(|x| x.parse().ok())
        .unwrap_or(0)
}

fn qemu_version(qemu: &Path) -> String {
    Command::new(qemu)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .map(|l| l.trim_start_matches("QEMU emulator version ").to_string())
        .unwrap_or_default()
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn num(v: &Value, path: &[&str]) -> f64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_f64().unwrap_or(0.0)
}

/// One migration, from QEMU start to quit. Errors are returned, and the caller records the
/// run as failed.
fn migrate(
    cfg: &LabConfig,
    spec: &RunSpec,
    dir: &Path,
    row: &mut LabRun,
    series: &mut Vec<Sample>,
) -> Result<(), String> {
    let mut src = Vm::start(cfg, dir, "src", spec, false)?;
    let mut dst = Vm::start(cfg, dir, "dst", spec, true)?;
    let mut qs = src.qmp()?;
    let mut qd = dst.qmp()?;

    // The guest boots, calibrates its clock and fills its working set.
    let start = Instant::now();
    let c0 = loop {
        let c = counters(&mut qs)?;
        if c.state == GUEST_RUNNING {
            break c;
        }
        if start.elapsed() > FILL_TIMEOUT {
            return Err(format!(
                "the guest did not fill its working set in {FILL_TIMEOUT:?} ({} of {} pages)",
                c.fill_pages, spec.ws_pages
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Let a dirtying guest reach its steady rate before the migration starts.
    if spec.rate_pps > 0 {
        std::thread::sleep(Duration::from_millis(300));
    }
    row.guest_tsc_mhz = f64::from(c0.tsc_per_ms) / 1000.0;

    let mut caps = vec![json!({"capability": "auto-converge", "state": spec.auto_converge})];
    let mut params = json!({
        "max-bandwidth": u64::from(spec.max_bandwidth_mibps) << 20,
        "downtime-limit": spec.downtime_limit_ms,
    });
    if spec.multifd_channels > 0 {
        caps.push(json!({"capability": "multifd", "state": true}));
        params["multifd-channels"] = json!(spec.multifd_channels);
        params["multifd-compression"] = json!(spec.compression.name());
    } else if spec.compression != Codec::None {
        return Err("compression needs multifd".into());
    }
    if spec.xbzrle_cache_mib > 0 {
        caps.push(json!({"capability": "xbzrle", "state": true}));
        params["xbzrle-cache-size"] = json!(u64::from(spec.xbzrle_cache_mib) << 20);
    }
    if spec.postcopy_after_passes.is_some() {
        caps.push(json!({"capability": "postcopy-ram", "state": true}));
        if spec.postcopy_preempt {
            caps.push(json!({"capability": "postcopy-preempt", "state": true}));
        }
    }
    for q in [&mut qs, &mut qd] {
        q.execute("migrate-set-capabilities", json!({ "capabilities": caps }))?;
        q.execute("migrate-set-parameters", params.clone())?;
    }
    if spec.postcopy_after_passes.is_some() {
        // How long the destination's vCPU waited on faults: measured where they happen.
        qd.execute(
            "migrate-set-capabilities",
            json!({ "capabilities": [{"capability": "postcopy-blocktime", "state": true}] }),
        )?;
    }
    let uri = format!("tcp:127.0.0.1:{}", free_port()?);
    qd.execute("migrate-incoming", json!({ "uri": uri }))?;

    let c_start = counters(&mut qs)?;
    row.dirty_rate_before_mibps = Some(dirty_rate(&c0, &c_start));
    let pids = [src.pid(), dst.pid(), std::process::id()];
    let jiffies_proc = |pids: &[u32]| pids.iter().map(|&p| process_jiffies(p)).sum::<u64>();
    let (busy0, total0) = machine_jiffies();
    let own0 = jiffies_proc(&pids);
    let t0 = Instant::now();
    qs.execute("migrate", json!({ "uri": uri }))?;
    if spec.postcopy_after_passes == Some(0) {
        // After 0 passes: asked for at once (the migration is in setup), QEMU switches at its
        // first iteration (`migration_iteration_run`, `migration/migration.c`: RAM need not
        // be pre-copied once `start_postcopy` is set).
        qs.execute("migrate-start-postcopy", json!({}))?;
        row.postcopy_switch_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
    }

    let mut info;
    // The last answer of a migration under way: a cancelled one reports no RAM statistics,
    // so a run that timed out records what it had sent when it was cancelled.
    let mut last_active = Value::Null;
    let mut cancelled = false;
    // The destination's counters while it runs in post-copy (the counters page is the first
    // it faults in: the guest writes it with every page).
    let mut c_postcopy = None;
    let mut next_sample = 0.0;
    loop {
        let waiting = spec.postcopy_after_passes.is_some() && row.postcopy_switch_ms.is_none();
        std::thread::sleep(if waiting { SWITCH_POLL } else { POLL });
        info = qs.execute("query-migrate", json!({}))?;
        if info.get("ram").is_some() && !cancelled {
            last_active = info.clone();
        }
        let t_ms = t0.elapsed().as_secs_f64() * 1000.0;
        let status = info["status"].as_str().unwrap_or("");
        let ended = matches!(status, "completed" | "failed" | "cancelled");
        if t_ms >= next_sample || ended {
            next_sample = t_ms + POLL.as_secs_f64() * 1000.0;
            series.push(Sample {
                t_ms,
                remaining: num(&info, &["ram", "remaining"]),
                transferred: num(&info, &["ram", "transferred"]),
                syncs: num(&info, &["ram", "dirty-sync-count"]),
            });
        }
        match status {
            _ if ended => break,
            "postcopy-active" => {
                if let Ok(c) = counters(&mut qd) {
                    c_postcopy = Some(c);
                }
            }
            _ => {}
        }
        if let Some(after) = spec.postcopy_after_passes {
            // Sync k + 1 ends pass k (the first sync is migrate's own, at setup).
            let syncs = num(&info, &["ram", "dirty-sync-count"]);
            if row.postcopy_switch_ms.is_none()
                && status == "active"
                && syncs >= f64::from(after + 1)
            {
                qs.execute("migrate-start-postcopy", json!({}))?;
                row.postcopy_switch_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
            }
        }
        // Only pre-copy can be cancelled: once in post-copy the guest exists only split
        // across both hosts, and the lab waits for the end.
        if !cancelled
            && matches!(status, "setup" | "active")
            && t0.elapsed().as_secs_f64() > row.timeout_s
        {
            qs.execute("migrate_cancel", json!({}))?;
            cancelled = true;
        }
        if t0.elapsed().as_secs_f64() > row.timeout_s + 20.0 {
            return Err(format!("QEMU did not end the migration (status {status})"));
        }
    }
    let (busy1, total1) = machine_jiffies();
    let own1 = jiffies_proc(&pids);
    let elapsed_jiffies = (total1 - total0).max(1) as f64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    // Machine-wide jiffies count every core: user-space work not ours, in cores.
    row.foreign_cpu =
        ((busy1 - busy0) as f64 - (own1 - own0) as f64).max(0.0) / elapsed_jiffies * cores;

    let c_end = counters(&mut qs)?;
    row.dirty_rate_mibps = dirty_rate(&c_start, &c_end);
    let status = info["status"].as_str().unwrap_or("");
    row.status = match (status, cancelled) {
        ("completed", _) => Status::Completed,
        ("cancelled", true) => Status::Timeout,
        _ => {
            let e = info["error-desc"].as_str().unwrap_or(status);
            return Err(format!("migration {status}: {e}"));
        }
    };
    if row.status == Status::Timeout {
        info = last_active;
    }
    row.total_time_ms = num(&info, &["total-time"]);
    row.setup_time_ms = num(&info, &["setup-time"]);
    row.downtime_ms = num(&info, &["downtime"]);
    row.transferred_bytes = num(&info, &["ram", "transferred"]);
    row.precopy_bytes = num(&info, &["ram", "precopy-bytes"]);
    row.downtime_bytes = num(&info, &["ram", "downtime-bytes"]);
    row.normal_pages = num(&info, &["ram", "normal"]);
    row.duplicate_pages = num(&info, &["ram", "duplicate"]);
    row.dirty_sync_count = num(&info, &["ram", "dirty-sync-count"]);
    row.multifd_bytes = num(&info, &["ram", "multifd-bytes"]);
    row.throttle_pct = num(&info, &["cpu-throttle-percentage"]);
    if spec.xbzrle_cache_mib > 0 {
        let x = |k: &str| Some(num(&info, &["xbzrle-cache", k]));
        row.xbzrle_pages = x("pages");
        row.xbzrle_bytes = x("bytes");
        row.xbzrle_cache_miss = x("cache-miss");
        row.xbzrle_overflow = x("overflow");
        row.xbzrle_cache_miss_rate = x("cache-miss-rate");
        row.xbzrle_encoding_rate = x("encoding-rate");
    }
    if spec.postcopy_after_passes.is_some() {
        row.postcopy_bytes = Some(num(&info, &["ram", "postcopy-bytes"]));
        row.postcopy_requests = Some(num(&info, &["ram", "postcopy-requests"]));
    }
    if row.status == Status::Timeout {
        // It ran for the whole timeout.
        row.total_time_ms = row.timeout_s * 1000.0;
    }
    // A completed migration must have moved the guest: its counters run on the destination.
    if row.status == Status::Completed {
        let c = counters(&mut qd)?;
        if c.state != GUEST_RUNNING {
            return Err("the guest does not run on the destination".into());
        }
        // The destination starts the guest (RESUME) a moment after the source reports
        // completed: wait for it, then read the blackout off the two events' timestamps.
        let until = Instant::now() + Duration::from_secs(2);
        while qd.event_time("RESUME").is_none() && Instant::now() < until {
            qd.execute("query-status", json!({}))?;
            std::thread::sleep(Duration::from_millis(10));
        }
        if let (Some(stop), Some(resume)) = (qs.event_time("STOP"), qd.event_time("RESUME")) {
            row.stop_resume_ms = Some((resume - stop) * 1000.0);
        }
        if spec.postcopy_after_passes.is_some() {
            let d = qd.execute("query-migrate", json!({}))?;
            row.postcopy_blocktime_ms = d.get("postcopy-blocktime").and_then(Value::as_f64);
            if let Some(c) = c_postcopy {
                row.postcopy_dirty_rate_mibps = Some(dirty_rate(&c_end, &c));
            }
        }
    }
    src.stop(Some(&mut qs));
    dst.stop(Some(&mut qd));
    Ok(())
}

/// Touches most of the machine's free memory once. On a host whose own memory is backed
/// lazily by its hypervisor (a microVM, as CI and development machines here are), the first
/// write to a physical page is a fault in the hypervisor: measured here at about 2.8 s per GiB.
/// Whichever run first got fresh pages migrated up to 6× slower than its repeats; once every
/// page has been touched, the runs agree.
fn warm_memory() -> f64 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let available_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let bytes = (available_kib * 1024).saturating_sub(2 << 30).min(16 << 30);
    let t = Instant::now();
    // A non-zero fill writes every page (a zeroed allocation would map the zero page).
    let v = vec![1u8; bytes as usize];
    std::hint::black_box(&v);
    drop(v);
    t.elapsed().as_secs_f64()
}

fn fmt_eta(s: f64) -> String {
    if s >= 60.0 {
        format!("{}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64)
    } else {
        format!("{s:.0}s")
    }
}

/// Whether `--retry-failed` keeps a recorded run: it is a measurement, or `--only` does not
/// select it for this call.
fn kept_on_retry(cfg: &LabConfig, r: &LabRun) -> bool {
    super::compare::usable(r) || !selected(cfg, &r.id)
}

/// Whether `--only` lets run `id` through.
fn selected(cfg: &LabConfig, id: &str) -> bool {
    cfg.only.as_ref().is_none_or(|o| id.contains(o.as_str()))
}

/// Runs every run of the grid not yet recorded in `out_dir/qemu.csv`, appending each as it
/// ends; prints a progress line per run. Returns how many runs failed.
pub fn run_grid(cfg: &LabConfig, grid: &[RunSpec]) -> Result<usize, String> {
    std::fs::create_dir_all(&cfg.out_dir).map_err(|e| e.to_string())?;
    let csv_path = cfg.out_dir.join("qemu.csv");
    let jsonl_path = cfg.out_dir.join("qemu.jsonl");
    let mut rows = if csv_path.exists() {
        read_csv(&csv_path)?
    } else {
        Vec::new()
    };
    if cfg.retry_failed {
        // Only the runs this call may run again are dropped: a failed or disturbed run that
        // `--only` leaves out stays recorded.
        rows.retain(|r| kept_on_retry(cfg, r));
    }
    let done: HashSet<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut todo: Vec<&RunSpec> = grid
        .iter()
        .filter(|s| !done.contains(&s.id()))
        .filter(|s| selected(cfg, &s.id()))
        .collect();
    if let Some(n) = cfg.limit {
        todo.truncate(n);
    }
    let template =
        std::fs::read(&cfg.guest).map_err(|e| format!("{}: {e}", cfg.guest.display()))?;
    let version = qemu_version(&cfg.qemu);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let work = std::env::temp_dir().join(format!("migration-lab-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    eprintln!(
        "lab: {} runs to do ({} recorded), QEMU {version}, {cores} cores",
        todo.len(),
        done.len()
    );
    if !todo.is_empty() {
        eprintln!("lab: touching free memory once, so no run pays for fresh pages");
        eprintln!("lab: done in {:.1} s", warm_memory());
    }
    let order: std::collections::HashMap<String, usize> =
        grid.iter().enumerate().map(|(i, s)| (s.id(), i)).collect();
    let started = Instant::now();
    let mut failed = 0;
    for (i, spec) in todo.iter().enumerate() {
        let mut row = LabRun::new(spec, RUN_TIMEOUT_S);
        row.qemu_version = version.clone();
        row.host_cores = cores;
        let image = guest_image(&template, spec, 1 + spec.repeat)?;
        std::fs::write(work.join("guest.elf"), image).map_err(|e| e.to_string())?;
        let mut series = Vec::new();
        let t = Instant::now();
        if let Err(e) = migrate(cfg, spec, &work, &mut row, &mut series) {
            row.status = Status::Failed;
            row.error = crate::text::one_line(&e);
            failed += 1;
        }
        row.wall_s = t.elapsed().as_secs_f64();
        // Whatever happened, no QEMU of this run outlives it (Vm's drop killed them).
        let line = serde_json::to_string(&Series {
            id: row.id.clone(),
            samples: series
                .iter()
                .map(|s| [s.t_ms, s.remaining, s.transferred, s.syncs])
                .collect(),
        })
        .map_err(|e| e.to_string())?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&jsonl_path)
            .map_err(|e| e.to_string())?;
        writeln!(f, "{line}").map_err(|e| e.to_string())?;
        rows.push(row.clone());
        // Rows stay in grid order, so reruns give the same file.
        rows.sort_by_key(|r| order.get(&r.id).copied().unwrap_or(usize::MAX));
        write_csv(&csv_path, &rows)?;
        let per = started.elapsed().as_secs_f64() / (i + 1) as f64;
        let n = todo.len();
        let filled = (i + 1) * 30 / n;
        eprintln!(
            "[{}{}] {:>3}/{n} {:<60} {:>9} {:>6.1} s  ETA {}{}",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            i + 1,
            row.id,
            format!("{:?}", row.status).to_lowercase(),
            row.total_time_ms / 1000.0,
            fmt_eta(per * (n - i - 1) as f64),
            if row.error.is_empty() {
                String::new()
            } else {
                format!("  ({})", row.error)
            }
        );
    }
    let _ = std::fs::remove_dir_all(&work);
    compact_series(&jsonl_path, &rows)?;
    Ok(failed)
}

/// Keeps one time series per recorded run (its latest, as a rerun appends), in the CSV's order.
fn compact_series(path: &Path, rows: &[LabRun]) -> Result<(), String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    let mut latest: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let s: Series =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}", path.display()))?;
        latest.insert(s.id, line);
    }
    let mut out = String::new();
    for r in rows {
        if let Some(line) = latest.get(&r.id) {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::grid::grid;

    #[test]
    fn the_guest_image_gets_the_runs_parameters_after_its_magic() {
        let mut template = vec![0u8; 64];
        template[10..18].copy_from_slice(b"MLABPARM");
        let spec = grid()[20];
        let image = guest_image(&template, &spec, 7).unwrap();
        let word = |i: usize| u32::from_le_bytes(image[18 + 4 * i..22 + 4 * i].try_into().unwrap());
        assert_eq!(word(0), WS_BASE_MIB << 20);
        assert_eq!(word(1), spec.ws_pages);
        assert_eq!(word(2), spec.rate_pps);
        assert_eq!(word(4), spec.content.code());
        assert_eq!(word(5), 7);
        assert_eq!(
            word(6),
            0,
            "the content's whole-page write, as before write_bytes"
        );
        let line = grid()
            .into_iter()
            .find(|s| s.write_bytes == 64)
            .expect("the grid has cache-line writers");
        let image = guest_image(&template, &line, 7).unwrap();
        let word = |i: usize| u32::from_le_bytes(image[18 + 4 * i..22 + 4 * i].try_into().unwrap());
        assert_eq!(word(6), 64);
        assert_eq!(
            &image[..10],
            &template[..10],
            "nothing before the block changes"
        );
        assert!(guest_image(&[0u8; 16], &spec, 1).is_err());
    }

    #[test]
    fn retrying_with_only_leaves_the_runs_it_does_not_select_recorded() {
        let cfg = |only: Option<&str>| LabConfig {
            qemu: PathBuf::new(),
            guest: PathBuf::new(),
            out_dir: PathBuf::new(),
            only: only.map(str::to_string),
            limit: None,
            retry_failed: true,
        };
        let disturbed = |pick: fn(&RunSpec) -> bool| {
            let mut r = LabRun::new(&grid().into_iter().find(pick).unwrap(), 30.0);
            r.status = Status::Completed;
            r.foreign_cpu = 1.5;
            r
        };
        let xb = disturbed(|s| s.xbzrle_cache_mib > 0 && s.postcopy_after_passes.is_none());
        let pc = disturbed(|s| s.postcopy_after_passes.is_some() && s.xbzrle_cache_mib == 0);
        // Retried when selected, kept when not; a measurement is always kept.
        assert!(!kept_on_retry(&cfg(Some("-xb")), &xb));
        assert!(kept_on_retry(&cfg(Some("-xb")), &pc));
        assert!(!kept_on_retry(&cfg(None), &pc));
        let mut quiet = pc.clone();
        quiet.foreign_cpu = 0.0;
        assert!(kept_on_retry(&cfg(Some("-pc")), &quiet));
    }

    #[test]
    fn the_guest_source_and_the_lab_agree_on_the_counters_address() {
        let c = include_str!("guest/guest.c");
        assert!(c.contains(&format!("#define COUNTERS_ADDR {COUNTERS_ADDR:#x}u")));
        assert!(c.contains(&format!("0x{GUEST_MAGIC:x}u")));
        // The parameter block's fields in the order `guest_image` writes them.
        let fields = [
            "ws_base",
            "ws_pages",
            "rate_pps",
            "pattern",
            "content",
            "seed",
            "write_bytes",
        ];
        let block = &c[c.find("struct params {").unwrap()..];
        let block = &block[..block.find("};").unwrap()];
        let at: Vec<usize> = fields
            .iter()
            .map(|f| {
                block
                    .find(&format!(" {f};"))
                    .unwrap_or_else(|| panic!("{f}"))
            })
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    }
}
