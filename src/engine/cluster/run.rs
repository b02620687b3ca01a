//! The event loop: admits queued migrations within Hyper-V's limits, shares NICs and cores
//! max-min fairly among the transfers in flight, and advances every migration from one event
//! to the next.

use super::fair::{max_min, Demand};
use super::path::choose_path;
use super::plan::plan;
use super::scenario::ClusterScenario;
use super::{ClusterTrace, MigrationRecord, RateSegment, Stage, StageSpan};
use crate::engine::scenario::{ScenarioError, StopPolicy};
use crate::engine::sim::{
    decide, round_to_pages, stop_threshold, Background, Decision, PolicyState,
};
use crate::engine::trace::{Outcome, PassRecord, StopCopyRecord};
use crate::engine::transport::{link_payload, xen_round_limit, RateBreakdown, MIN_NETWORK_CORES};
use crate::engine::units::MIB;
use crate::engine::workload::Workload;

/// A resource migrations share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// One host's NICs on one network, in one direction.
    Port {
        host: usize,
        network: usize,
        tx: bool,
    },
    /// The single NIC pair that TCP connections between two hosts hash onto.
    Pair { a: usize, b: usize, network: usize },
    /// A host's idle cores (core-seconds per second).
    Cpu(usize),
}

/// The resources of one moment, numbered as they are first used.
#[derive(Default)]
struct Resources {
    index: std::collections::HashMap<Key, usize>,
    capacity: Vec<f64>,
}

impl Resources {
    fn id(&mut self, key: Key, capacity: impl FnOnce() -> f64) -> usize {
        *self.index.entry(key).or_insert_with(|| {
            self.capacity.push(capacity());
            self.capacity.len() - 1
        })
    }
}

/// One migration in flight.
struct Live {
    record: usize,
    vm: usize,
    from: usize,
    to: usize,
    network: usize,
    rates: RateBreakdown,
    workload: Workload,
    policy: PolicyState,
    stage: Stage,
    pass: u32,
    stage_start: f64,
    /// Timed stages end here; transfers end when `wire_left` reaches 0.
    stage_end: f64,
    wire_left: f64,
    wire_total: f64,
    memory: f64,
    zero: f64,
    /// Dirty rate the last pass saw (Xen's adaptive rounds follow it).
    prev_dirty_rate: f64,
    /// Index of this stage's first rate segment: segments never merge across stages.
    seg_floor: usize,
    cpu_limit: f64,
    /// Core-seconds per wire byte this stage costs the source (TCP plus compression) and the
    /// destination (TCP plus decompression).
    src_cpu: f64,
    dst_cpu: f64,
}

/// Runs every operation of a cluster scenario.
pub fn simulate_cluster(sc: &ClusterScenario) -> Result<ClusterTrace, ScenarioError> {
    sc.validate()?;
    let st = &sc.settings;
    let mut records: Vec<MigrationRecord> = Vec::new();
    let mut queue: std::collections::VecDeque<Live> = std::collections::VecDeque::new();
    let mut placement: Vec<usize> = sc
        .vms
        .iter()
        .map(|v| sc.hosts.iter().position(|h| h.name == v.host).unwrap_or(0))
        .collect();
    for (vm, from, to, refused) in plan(sc) {
        let v = &sc.vms[vm];
        let path = choose_path(sc, &sc.hosts[from], &sc.hosts[to]);
        let record = records.len();
        records.push(MigrationRecord {
            vm: v.name.clone(),
            from: sc.hosts[from].name.clone(),
            to: sc.hosts[to].name.clone(),
            refused: refused.clone(),
            path: path.clone(),
            stages: Vec::new(),
            segments: Vec::new(),
            outcome: None,
            passes: 0,
            wire_bytes: 0.0,
            downtime_s: 0.0,
            start_s: 0.0,
            end_s: 0.0,
            pass_records: Vec::new(),
            stop_copy: None,
        });
        let (Some(path), None) = (path, refused) else {
            continue;
        };
        placement[vm] = to;
        let s = sc.vm_scenario(v, &sc.hosts[from], Some(&path));
        let network = sc
            .networks
            .iter()
            .position(|n| n.name == path.network)
            .unwrap_or(0);
        queue.push_back(Live {
            record,
            vm,
            from,
            to,
            network,
            rates: RateBreakdown::new(&s),
            workload: Workload {
                working_set: v.working_set_mib * MIB,
                rate: v.dirty_rate_mibps * MIB,
                pattern: v.pattern,
                hot_fraction: s.vm.hot_fraction,
                hot_share: s.vm.hot_share,
            },
            policy: PolicyState::new(),
            stage: Stage::Queued,
            pass: 0,
            stage_start: 0.0,
            stage_end: 0.0,
            wire_left: 0.0,
            wire_total: 0.0,
            memory: 0.0,
            cpu_limit: f64::INFINITY,
            src_cpu: 0.0,
            dst_cpu: 0.0,
            zero: 0.0,
            prev_dirty_rate: 0.0,
            seg_floor: 0,
        });
    }

    let mut backgrounds: Vec<Background> = sc
        .networks
        .iter()
        .enumerate()
        .map(|(i, n)| Background::new(sc.seed.wrapping_add(i as u64 * 7919), n.dedicated))
        .collect();
    // Line rate of every NIC a host has on a network, bytes/s.
    let port_lines: Vec<Vec<f64>> = sc
        .hosts
        .iter()
        .map(|h| {
            sc.networks
                .iter()
                .map(|net| {
                    h.nics
                        .iter()
                        .filter(|n| n.network == net.name)
                        .map(|n| n.gbps * 1e9 / 8.0)
                        .sum()
                })
                .collect()
        })
        .collect();
    let port_line = |host: usize, network: usize| port_lines[host][network];
    // The cores a host's VMs leave idle; its own networking keeps at least one.
    let idle_cores = |host: usize| {
        let h = &sc.hosts[host];
        (f64::from(h.cores) * (1.0 - h.load)).max(MIN_NETWORK_CORES)
    };
    let mut active: Vec<Live> = Vec::new();
    let mut t = 0.0;
    let mut peak: f64 = 0.0;
    let mut guard = 0u64;
    while !queue.is_empty() || !active.is_empty() {
        guard += 1;
        if guard > 5_000_000 {
            // A safety net that should never trip: say so on every unfinished migration.
            for m in active.drain(..).chain(queue.drain(..)) {
                records[m.record].refused = Some("the simulation gave up on this migration".into());
            }
            break;
        }
        // Admit from the head of the FIFO queue while the limits allow.
        while let Some(head) = queue.front() {
            let busy = |h: usize| active.iter().filter(|m| m.from == h || m.to == h).count() as u32;
            // A VM's later migration waits for its earlier one.
            if active.len() as u32 >= st.cluster_limit
                || busy(head.from) >= st.per_host_limit
                || busy(head.to) >= st.per_host_limit
                || active.iter().any(|m| m.vm == head.vm)
            {
                break;
            }
            let mut m = queue.pop_front().expect("head exists");
            m.stage = Stage::Setup;
            m.stage_start = t;
            m.stage_end = t + st.overheads.setup_s;
            records[m.record].start_s = t;
            records[m.record].stages.push(StageSpan {
                stage: Stage::Queued,
                pass: 0,
                start_s: 0.0,
                end_s: t,
            });
            active.push(m);
        }
        // Rates of the transfers: max-min fair over the NIC ports they cross, the one NIC path
        // that TCP/IP and Compression take between two hosts, and each host's idle cores.
        let offered: Vec<(f64, f64)> = backgrounds.iter_mut().map(|b| b.at(t)).collect();
        let transferring: Vec<usize> = (0..active.len())
            .filter(|&i| {
                matches!(
                    active[i].stage,
                    Stage::Storage | Stage::Precopy | Stage::Blackout
                )
            })
            .collect();
        let mut resources = Resources::default();
        let demands: Vec<Demand> = transferring
            .iter()
            .map(|&i| {
                let m = &active[i];
                let bg = offered[m.network].0;
                let payload = |line: f64| link_payload(line, bg, m.rates.protocol_efficiency);
                let cap = if m.stage == Stage::Blackout {
                    m.rates.for_stop_copy(&st.policy).wire_rate(bg)
                } else {
                    m.rates.wire_rate(bg)
                };
                let port = |host: usize, tx: bool| Key::Port {
                    host,
                    network: m.network,
                    tx,
                };
                let mut uses = vec![
                    (
                        resources.id(port(m.from, true), || payload(port_line(m.from, m.network))),
                        1.0,
                    ),
                    (
                        resources.id(port(m.to, false), || payload(port_line(m.to, m.network))),
                        1.0,
                    ),
                    (
                        resources.id(Key::Cpu(m.from), || idle_cores(m.from)),
                        m.src_cpu,
                    ),
                    (resources.id(Key::Cpu(m.to), || idle_cores(m.to)), m.dst_cpu),
                ];
                if m.rates.nics_used == 1 {
                    // Hash-based teaming sends every TCP connection between two hosts over the
                    // same NIC pair.
                    let pair = Key::Pair {
                        a: m.from.min(m.to),
                        b: m.from.max(m.to),
                        network: m.network,
                    };
                    uses.push((resources.id(pair, || payload(m.rates.line_rate)), 1.0));
                }
                Demand {
                    cap: cap.min(m.cpu_limit),
                    uses,
                }
            })
            .collect();
        let rates = max_min(&demands, &resources.capacity);
        // Peak traffic on any port.
        let mut load = vec![0.0; resources.capacity.len()];
        for (d, r) in demands.iter().zip(&rates) {
            for &(res, _) in &d.uses[..2] {
                load[res] += r;
            }
        }
        peak = load.iter().fold(peak, |p, l| p.max(l * 8.0 / 1e9));
        // Next event: a timed stage ends, a transfer completes, background traffic changes.
        let mut slot = vec![None; active.len()];
        for (k, &i) in transferring.iter().enumerate() {
            slot[i] = Some(k);
        }
        let mut next = f64::INFINITY;
        let mut networks_in_use = vec![false; offered.len()];
        for (i, m) in active.iter().enumerate() {
            networks_in_use[m.network] = true;
            match slot[i] {
                Some(k) if rates[k] > 0.0 => next = next.min(t + m.wire_left / rates[k]),
                Some(_) => {}
                None => next = next.min(m.stage_end),
            }
            if matches!(m.stage, Stage::Precopy | Stage::Storage) {
                next = next.min(records[m.record].start_s + sc.timeout_s);
            }
        }
        for (i, (_, until)) in offered.iter().enumerate() {
            if networks_in_use[i] {
                next = next.min(*until);
            }
        }
        if !next.is_finite() {
            // Nothing can move (e.g. every transfer at rate 0 on a saturated shared link that
            // never clears): abandon what is left.
            for m in active.drain(..) {
                let r = &mut records[m.record];
                r.outcome = Some(Outcome::NoBandwidth);
                r.end_s = t;
            }
            for m in queue.drain(..) {
                records[m.record].refused =
                    Some("never started: the migrations before it could not finish".into());
            }
            break;
        }
        let dt = (next - t).max(0.0);
        for (k, &i) in transferring.iter().enumerate() {
            let m = &mut active[i];
            // A transfer whose predicted finish is this event is done: subtracting could leave
            // a residue too small to ever advance the clock again.
            if rates[k] > 0.0 && t + m.wire_left / rates[k] <= next {
                m.wire_left = 0.0;
            } else {
                m.wire_left -= rates[k] * dt;
            }
            let segs = &mut records[m.record].segments;
            let mergeable = segs.len() > m.seg_floor;
            match segs.last_mut() {
                Some(last) if mergeable && last.end_s == t && last.rate == rates[k] => {
                    last.end_s = next
                }
                _ if dt > 0.0 => segs.push(RateSegment {
                    start_s: t,
                    end_s: next,
                    rate: rates[k],
                }),
                _ => {}
            }
            records[m.record].wire_bytes += rates[k] * dt;
        }
        t = next;
        // Stage transitions.
        let mut i = 0;
        while i < active.len() {
            let done = {
                let m = &active[i];
                let transfer = matches!(m.stage, Stage::Storage | Stage::Precopy | Stage::Blackout);
                if transfer {
                    m.wire_left <= m.wire_total * 1e-12 + 1e-6
                } else {
                    t >= m.stage_end - 1e-12
                }
            };
            let timed_out = matches!(active[i].stage, Stage::Precopy | Stage::Storage)
                && t >= records[active[i].record].start_s + sc.timeout_s - 1e-9
                && !done;
            if timed_out {
                let m = active.remove(i);
                let r = &mut records[m.record];
                r.stages.push(m.span(t));
                r.outcome = Some(Outcome::TimedOut);
                r.end_s = t;
                placement[m.vm] = m.from;
                continue;
            }
            if !done {
                i += 1;
                continue;
            }
            let finished = advance(&mut active[i], t, sc, &mut records);
            if finished {
                let m = active.remove(i);
                // Abandoned (no progress): the VM never left its source.
                if records[m.record].outcome.is_some_and(|o| !o.completed()) {
                    placement[m.vm] = m.from;
                }
            } else {
                i += 1;
            }
        }
    }
    let makespan = records.iter().map(|r| r.end_s).fold(0.0, f64::max);
    let worst = records.iter().map(|r| r.downtime_s).fold(0.0, f64::max);
    let placement = sc
        .vms
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.clone(), sc.hosts[placement[i]].name.clone()))
        .collect();
    Ok(ClusterTrace {
        scenario: sc.clone(),
        migrations: records,
        makespan_s: makespan,
        worst_blackout_s: worst,
        peak_link_gbps: peak,
        placement,
    })
}

/// Xen's adaptive rounds cap each pre-copy pass (the final copy runs at full speed).
fn xen_limit(m: &mut Live, policy: &StopPolicy) {
    if let Some(limit) = xen_round_limit(policy, m.pass == 1, m.prev_dirty_rate) {
        m.cpu_limit = m.cpu_limit.min(limit);
    }
}

impl Live {
    /// The current stage as a finished span ending at t.
    fn span(&self, t: f64) -> StageSpan {
        StageSpan {
            stage: self.stage,
            pass: self.pass,
            start_s: self.stage_start,
            end_s: t,
        }
    }
}

/// Moves a migration whose stage just ended to its next stage; true when it is done.
fn advance(m: &mut Live, t: f64, sc: &ClusterScenario, records: &mut [MigrationRecord]) -> bool {
    let st = &sc.settings;
    let vm = &sc.vms[m.vm];
    let r = &mut records[m.record];
    r.stages.push(m.span(t));
    let floor = r.segments.len();
    let begin = |m: &mut Live, stage: Stage, data: f64, zero: f64, extra: f64| {
        let enc = m.rates.encode(data, zero);
        m.stage = stage;
        m.stage_start = t;
        m.seg_floor = floor;
        m.memory = enc.memory;
        m.zero = zero;
        m.wire_total = enc.wire + extra;
        m.wire_left = m.wire_total;
        m.cpu_limit = m.rates.cpu_wire_limit(&enc, extra);
        let per_byte = |core_s: f64| {
            if m.wire_total > 0.0 {
                core_s / m.wire_total
            } else {
                0.0
            }
        };
        m.src_cpu = m.rates.transport_core_s_per_byte + per_byte(enc.compress_core_s);
        m.dst_cpu = m.rates.transport_core_s_per_byte + per_byte(enc.decompress_core_s);
    };
    match m.stage {
        Stage::Setup if !sc.shared_storage && st.shared_nothing => {
            // Disk blocks copied once, raw (storage migration mirrors new writes).
            begin(m, Stage::Storage, 0.0, 0.0, vm.disk_gib * 1024.0 * MIB);
            m.cpu_limit = f64::INFINITY;
            false
        }
        Stage::Setup | Stage::Storage => {
            // Pass 1: every written page, plus the never-written ones.
            m.pass = 1;
            begin(
                m,
                Stage::Precopy,
                (vm.memory_mib - vm.untouched_mib) * MIB,
                vm.untouched_mib * MIB,
                0.0,
            );
            xen_limit(m, &st.policy);
            false
        }
        Stage::Precopy => {
            let duration = t - m.stage_start;
            let workload = m.workload.throttled(m.policy.throttle_pct);
            let dirty = round_to_pages(workload.dirtied(duration))
                .min((vm.memory_mib - vm.untouched_mib) * MIB);
            let rate = r.segments[m.seg_floor..].last().map_or(0.0, |s| s.rate);
            let memory_rate = if duration > 0.0 {
                m.memory / duration
            } else {
                0.0
            };
            let threshold = stop_threshold(&st.policy, &m.rates, rate);
            r.pass_records.push(PassRecord {
                index: m.pass,
                start_s: m.stage_start,
                end_s: t,
                duration_s: duration,
                memory_bytes: m.memory,
                zero_bytes: m.zero,
                wire_bytes: m.wire_total,
                planned_wire_bytes: m.wire_total,
                memory_rate,
                wire_rate: if duration > 0.0 {
                    m.wire_total / duration
                } else {
                    0.0
                },
                segments: (m.seg_floor, r.segments.len()),
                dirty_rate: workload.rate,
                throttle_pct: m.policy.throttle_pct,
                dirty_bytes_at_end: dirty,
                stop_threshold_bytes: threshold,
                cpu_source_core_s: 0.0,
                cpu_dest_core_s: 0.0,
            });
            m.policy.total_memory_sent += m.memory;
            r.passes = m.pass;
            match decide(
                &st.policy,
                m.pass,
                dirty,
                threshold,
                vm.memory_mib * MIB,
                &mut m.policy,
                m.wire_total,
            ) {
                Decision::Continue => {
                    m.pass += 1;
                    m.prev_dirty_rate = if duration > 0.0 {
                        dirty / duration
                    } else {
                        0.0
                    };
                    begin(m, Stage::Precopy, dirty, 0.0, 0.0);
                    xen_limit(m, &st.policy);
                }
                Decision::Stop(outcome) if !outcome.completed() => {
                    r.outcome = Some(outcome);
                    m.stage = Stage::Done;
                    r.end_s = t;
                    return true;
                }
                Decision::Stop(outcome) => {
                    r.outcome = Some(outcome);
                    begin(
                        m,
                        Stage::Blackout,
                        dirty,
                        0.0,
                        st.overheads.device_state_mib * MIB,
                    );
                    m.pass = 0;
                }
            }
            false
        }
        Stage::Blackout => {
            let state = st.overheads.device_state_mib * MIB;
            let data_wire = (m.wire_total - state).max(0.0);
            let rate = r
                .segments
                .last()
                .map_or(0.0, |s| s.rate)
                .max(f64::MIN_POSITIVE);
            r.stop_copy = Some(StopCopyRecord {
                start_s: m.stage_start,
                memory_bytes: m.memory,
                device_state_bytes: state,
                wire_bytes: m.wire_total,
                memory_duration_s: data_wire / rate,
                duration_s: t - m.stage_start,
                switchover_s: st.overheads.switchover_ms / 1000.0,
                segments: (m.seg_floor, r.segments.len()),
            });
            m.stage = Stage::Switchover;
            m.stage_start = t;
            m.stage_end = t + st.overheads.switchover_ms / 1000.0;
            false
        }
        Stage::Switchover => {
            r.downtime_s = t - r
                .stages
                .iter()
                .find(|s| s.stage == Stage::Blackout)
                .map_or(t, |s| s.start_s);
            m.stage = Stage::Cleanup;
            m.stage_start = t;
            m.stage_end = t + st.overheads.cleanup_s;
            false
        }
        Stage::Cleanup | Stage::Queued | Stage::Done => {
            m.stage = Stage::Done;
            r.end_s = t;
            true
        }
    }
}
