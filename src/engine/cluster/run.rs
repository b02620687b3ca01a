//! The event loop: admits queued migrations within Hyper-V's limits, shares NICs and cores
//! max-min fairly among the transfers in flight, and steps every migration's [`Machine`] from
//! one event to the next. The pre-copy itself (passes, dirtying, stop policy) is the machine's;
//! this loop decides only when a migration starts and how fast its bytes move.
//!
//! Every turn of the loop either moves the clock forward or ends a stage of some migration, and
//! every migration has finitely many stages (each policy caps its passes), so the loop ends.

use std::collections::VecDeque;

use super::fair::{max_min_held, Demand, Held};
use super::path::choose_path;
use super::plan::plan;
use super::scenario::ClusterScenario;
use super::{ClusterLimit, ClusterTrace, MigrationRecord, Refusal, Stage, StageSpan};
use crate::engine::background::{long_run, long_run_mean, Background, MAX_SEGMENTS_PER_TRANSFER};
use crate::engine::migration::{Machine, Step};
use crate::engine::scenario::{Scenario, ScenarioError, TransportKind};
use crate::engine::trace::{LinkSegment, Outcome};
use crate::engine::transport::{link_payload, Bottleneck, MIN_NETWORK_CORES};
use crate::engine::units::MIB;

/// A resource migrations share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The cluster's SMB bandwidth limit on what a host sends.
    SmbLimit(usize),
}

/// The resources of one moment, numbered as they are first used: resource `i` is `keys[i]`
/// with `capacity[i]`. (Hundreds in a 16-host cluster, with a NIC pair for every two hosts:
/// each key has a slot of its own in `slots`, rather than a walk along the list for each use
/// by each transfer.)
struct Resources {
    keys: Vec<Key>,
    capacity: Vec<f64>,
    /// The resource of each possible key (`usize::MAX`: not used yet), at `slot(key)`.
    slots: Vec<usize>,
    hosts: usize,
    networks: usize,
}

impl Resources {
    fn new(hosts: usize, networks: usize) -> Resources {
        Resources {
            keys: Vec::new(),
            capacity: Vec::new(),
            slots: vec![usize::MAX; hosts * (2 * networks + 2 + hosts * networks)],
            hosts,
            networks,
        }
    }

    /// Where `key` is in `slots`: ports, then cores and SMB limits, then NIC pairs.
    fn slot(&self, key: Key) -> usize {
        let (h, n) = (self.hosts, self.networks);
        match key {
            Key::Port { host, network, tx } => (host * n + network) * 2 + usize::from(tx),
            Key::Cpu(host) => 2 * h * n + host,
            Key::SmbLimit(host) => 2 * h * n + h + host,
            Key::Pair { a, b, network } => 2 * h * n + 2 * h + (network * h + a) * h + b,
        }
    }

    /// Empties it for the next event, keeping its memory.
    fn clear(&mut self) {
        for i in 0..self.keys.len() {
            let slot = self.slot(self.keys[i]);
            self.slots[slot] = usize::MAX;
        }
        self.keys.clear();
        self.capacity.clear();
    }

    fn id(&mut self, key: Key, capacity: impl FnOnce() -> f64) -> usize {
        let slot = self.slot(key);
        if self.slots[slot] == usize::MAX {
            self.slots[slot] = self.keys.len();
            self.keys.push(key);
            self.capacity.push(capacity());
        }
        self.slots[slot]
    }
}

/// The max-min solution of the last event and what it was solved for, kept from event to
/// event. Most events change no demand (a pass ends and the next starts at the same cap), or
/// change one only where no rate depends on it (the CPU a pass costs, on a host whose cores are
/// not what holds anyone): then the solution stands and costs a look at the transfers that
/// stepped, rather than solving max-min again over every running migration.
#[derive(Default)]
struct Shared {
    /// The transfers it is for (their records, in order), and each network's other traffic
    /// (its bits) and whether it ran at long-run means.
    records: Vec<usize>,
    offered: Vec<(u64, bool)>,
    demands: Vec<Demand>,
    rates: Vec<f64>,
    held: Vec<Held>,
    /// Per resource: Σ weight × rate over its users, and whether it holds any of them.
    load: Vec<f64>,
    binding: Vec<bool>,
    valid: bool,
}

impl Shared {
    /// Solves max-min anew for the demands held.
    fn solve(&mut self, capacity: &[f64]) {
        let (rates, held) = max_min_held(&self.demands, capacity);
        self.rates = rates;
        self.held = held;
        self.load.clear();
        self.load.resize(capacity.len(), 0.0);
        self.binding.clear();
        self.binding.resize(capacity.len(), false);
        for ((d, &r), h) in self.demands.iter().zip(&self.rates).zip(&self.held) {
            for &(res, w) in &d.uses {
                self.load[res] += w * r;
            }
            if let Held::Resource(res) = *h {
                self.binding[res] = true;
            }
        }
        self.valid = true;
    }

    /// Whether the solution stands with transfer `k`'s demand replaced by `new`, recording its
    /// load if so. It stands when the transfer keeps what held it (its cap, unchanged; or a
    /// resource, at a weight unchanged, with its new cap above its rate) and every resource whose
    /// weight changed holds no one and stays short of full at the rates as they are: such a
    /// resource never fills during progressive filling, so every flow freezes where it did.
    fn update(&mut self, k: usize, new: &Demand, capacity: &[f64]) -> bool {
        let old = &self.demands[k];
        let rate = self.rates[k];
        if old.uses.len() != new.uses.len()
            || old.uses.iter().zip(&new.uses).any(|(a, b)| a.0 != b.0)
        {
            return false;
        }
        let keeps = match self.held[k] {
            Held::Cap => new.cap == old.cap,
            Held::Resource(res) => {
                new.cap > rate
                    && old
                        .uses
                        .iter()
                        .zip(&new.uses)
                        .all(|(a, b)| a.0 != res || a.1 == b.1)
            }
            Held::Unbounded => false,
        };
        if !keeps {
            return false;
        }
        let room = old.uses.iter().zip(&new.uses).all(|(a, b)| {
            a.1 == b.1
                || (!self.binding[a.0]
                    && self.load[a.0] + (b.1 - a.1) * rate <= capacity[a.0] * (1.0 - 1e-9))
        });
        if room {
            for (a, b) in old.uses.iter().zip(&new.uses) {
                self.load[a.0] += (b.1 - a.1) * rate;
            }
        }
        room
    }
}

/// A migration waiting for a slot.
struct Queued {
    record: usize,
    vm: usize,
    from: usize,
    to: usize,
    network: usize,
    scenario: Scenario,
    storage: f64,
}

/// A migration in flight. What every event reads is kept here, small, and the machine (large)
/// behind a pointer: an event with thousands of transfers walks them several times, and what
/// it costs is the memory it touches.
struct Live {
    record: usize,
    vm: usize,
    from: usize,
    to: usize,
    network: usize,
    m: Box<Machine>,
    /// `m.step()`, as of the machine's last step.
    step: Step,
    /// `m.cpu_per_wire_byte()`, likewise.
    cpu: (f64, f64),
    /// Wire bytes the current transfer still has to move.
    wire_left: f64,
    /// Index of this transfer's first segment: segments never merge across transfers.
    seg_floor: usize,
    /// Segments in its record, and the one still growing (not yet in the record).
    segs: usize,
    open: Option<LinkSegment>,
    /// What held it and for how long, as its record will have them.
    limits: Vec<(ClusterLimit, f64)>,
    /// What holds it at its own cap under this much other traffic (its bits), once worked out
    /// for the current transfer.
    own: Option<(u64, ClusterLimit)>,
    /// The last wire rate worked out for this migration: for the stop-and-copy's rates or the
    /// passes', under this much other traffic (its bits). A pure function of the two, and the
    /// costliest part of an event when thousands of migrations run.
    wire_rate: Option<(bool, u64, f64)>,
    /// Its machine has stepped since its demand was last worked out.
    fresh: bool,
}

impl Live {
    /// `RateBreakdown::wire_rate` of the current transfer under `background`, remembered.
    fn wire_rate(&mut self, background: f64) -> f64 {
        let key = (self.m.sends_stop_copy(), background.to_bits());
        match self.wire_rate {
            Some((stop, bits, rate)) if (stop, bits) == key => rate,
            _ => {
                let rate = self.m.send_rates().wire_rate(background);
                self.wire_rate = Some((key.0, key.1, rate));
                rate
            }
        }
    }
}

impl Live {
    fn new(record: usize, vm: usize, from: usize, to: usize, network: usize, m: Machine) -> Live {
        Live {
            record,
            vm,
            from,
            to,
            network,
            step: m.step(),
            cpu: m.cpu_per_wire_byte(),
            m: Box::new(m),
            wire_left: 0.0,
            seg_floor: 0,
            segs: 0,
            open: None,
            limits: Vec::new(),
            own: None,
            wire_rate: None,
            fresh: true,
        }
    }

    /// After the machine has stepped: what it now does, and a demand to work out again.
    fn stepped(&mut self) {
        self.step = self.m.step();
        self.cpu = self.m.cpu_per_wire_byte();
        self.own = None;
        self.fresh = true;
    }

    /// Loads the machine's next transfer, if it has one.
    fn load(&mut self) {
        if let Step::Send { wire, .. } = self.step {
            self.wire_left = wire;
            self.seg_floor = self.segs;
        }
    }

    /// Moves the growing segment into the record.
    fn flush(&mut self, segments: &mut Vec<LinkSegment>) {
        if let Some(seg) = self.open.take() {
            segments.push(seg);
            self.segs += 1;
        }
    }

    /// Segments of the current transfer so far.
    fn transfer_segments(&self) -> usize {
        self.segs + usize::from(self.open.is_some()) - self.seg_floor
    }
}

/// Copies what a finished machine recorded into its migration record.
fn close(mut l: Live, r: &mut MigrationRecord) {
    l.flush(&mut r.segments);
    r.limits = l.limits;
    let m = &l.m;
    r.stages.extend(m.stages.iter().cloned());
    r.pass_records = m.passes.clone();
    r.passes = m.passes.len() as u32;
    r.stop_copy = m.stop_copy.clone();
    r.postcopy = m.postcopy.clone();
    r.outcome = m.outcome;
    r.wire_bytes = m.wire_bytes;
    r.downtime_s = m.downtime_s;
    r.end_s = m.now();
}

/// A cluster's run, an event at a time: the page runs it in slices between frames, so that
/// thousands of migrations never hold the main thread for long; `simulate_cluster` runs it
/// through.
pub struct ClusterRun {
    sc: ClusterScenario,
    records: Vec<MigrationRecord>,
    queue: VecDeque<Queued>,
    host_cpu: Vec<f64>,
    placement: Vec<usize>,
    backgrounds: Vec<Background>,
    /// Line rate of every NIC a host has on a network, bytes/s.
    port_lines: Vec<Vec<f64>>,
    idle_cores: Vec<f64>,
    smb_limits: Vec<f64>,
    busy: Vec<u32>,
    moving: Vec<bool>,
    active: Vec<Live>,
    t: f64,
    peak: f64,
    spare_uses: Vec<Vec<(usize, f64)>>,
    resources: Resources,
    shared: Shared,
    /// Migrations to run, and how many of them have ended.
    total: usize,
    ended: usize,
    events: u64,
    /// Events that solved max-min anew, and demands worked out.
    solves: u64,
    demands: u64,
    /// Solve at every event, as before the solution was kept (to check that keeping it
    /// changes nothing).
    always_solve: bool,
}

/// How far a [`ClusterRun`] has come (nothing yet, by default).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunProgress {
    /// Migrations that have ended (completed, abandoned or never started), of `total`.
    pub ended: usize,
    pub total: usize,
    /// The simulated clock, s.
    pub clock_s: f64,
    /// Events handled so far.
    pub events: u64,
    /// Events at which max-min was solved anew (the rest kept the last solution), and the
    /// demands worked out over all events: the work grows with the transfers that changed,
    /// not with every one in flight.
    pub solves: u64,
    pub demands: u64,
}

/// Runs every operation of a cluster scenario.
pub fn simulate_cluster(sc: &ClusterScenario) -> Result<ClusterTrace, ScenarioError> {
    let mut run = ClusterRun::new(sc.clone())?;
    while !run.advance(usize::MAX) {}
    Ok(run.finish())
}

impl ClusterRun {
    /// Checks the scenario and plans its operations; nothing has run yet.
    pub fn new(sc: ClusterScenario) -> Result<ClusterRun, ScenarioError> {
        sc.validate()?;
        let st = &sc.settings;
        let mut records: Vec<MigrationRecord> = Vec::new();
        let mut queue: VecDeque<Queued> = VecDeque::new();
        let host_cpu = vec![0.0; sc.hosts.len()];
        let mut placement: Vec<usize> = sc
            .vms
            .iter()
            .map(|v| sc.hosts.iter().position(|h| h.name == v.host).unwrap_or(0))
            .collect();
        for (vm, from, to, refused) in plan(&sc) {
            let v = &sc.vms[vm];
            let path = choose_path(&sc, &sc.hosts[from], &sc.hosts[to]);
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
                postcopy: None,
                limits: Vec::new(),
            });
            let (Some(path), None) = (path, refused) else {
                continue;
            };
            placement[vm] = to;
            let network = sc
                .networks
                .iter()
                .position(|n| n.name == path.network)
                .unwrap_or(0);
            queue.push_back(Queued {
                record,
                vm,
                from,
                to,
                network,
                scenario: sc.vm_scenario(v, &sc.hosts[from], Some(&path)),
                storage: if !sc.shared_storage && st.shared_nothing {
                    v.disk_gib * 1024.0 * MIB
                } else {
                    0.0
                },
            });
        }

        let backgrounds: Vec<Background> = sc
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
        // The cores a host's VMs leave idle; its own networking keeps at least one.
        let idle_cores = sc
            .hosts
            .iter()
            .map(|h| (f64::from(h.cores) * (1.0 - h.load)).max(MIN_NETWORK_CORES))
            .collect();
        // The cluster's SMB limit on what each host sends: a share of all its NICs' speed.
        let smb_limits = sc
            .hosts
            .iter()
            .map(|h| {
                let pct = st.smb_limit_pct.unwrap_or(100.0);
                let line: f64 = h.nics.iter().map(|n| n.gbps * 1e9 / 8.0).sum();
                line * pct / 100.0
            })
            .collect();
        let hosts = sc.hosts.len();
        let resources = Resources::new(hosts, sc.networks.len());
        Ok(ClusterRun {
            total: queue.len(),
            records,
            queue,
            host_cpu,
            placement,
            backgrounds,
            port_lines,
            idle_cores,
            smb_limits,
            busy: vec![0; hosts],
            moving: vec![false; sc.vms.len()],
            active: Vec::new(),
            t: 0.0,
            peak: 0.0,
            spare_uses: Vec::new(),
            resources,
            shared: Shared::default(),
            ended: 0,
            events: 0,
            solves: 0,
            demands: 0,
            always_solve: false,
            sc,
        })
    }

    /// Handles up to `events` events; `true` once every migration has ended.
    pub fn advance(&mut self, events: usize) -> bool {
        for _ in 0..events {
            if self.done() {
                break;
            }
            self.event();
            self.events += 1;
        }
        self.done()
    }

    /// The same run, solving max-min anew at every event.
    #[doc(hidden)]
    pub fn solving_every_event(mut self) -> ClusterRun {
        self.always_solve = true;
        self
    }

    /// Whether every migration has ended.
    pub fn done(&self) -> bool {
        self.queue.is_empty() && self.active.is_empty()
    }

    pub fn progress(&self) -> RunProgress {
        RunProgress {
            ended: self.ended,
            total: self.total,
            clock_s: self.t,
            events: self.events,
            solves: self.solves,
            demands: self.demands,
        }
    }

    /// One turn of the event loop: admits what may start, shares the links, moves the clock to
    /// the next event and takes every stage step that is then due.
    fn event(&mut self) {
        let ClusterRun {
            sc,
            records,
            queue,
            host_cpu,
            placement,
            backgrounds,
            port_lines,
            idle_cores,
            smb_limits,
            busy,
            moving,
            active,
            t,
            peak,
            spare_uses,
            resources,
            shared,
            ended,
            solves,
            demands,
            always_solve,
            ..
        } = self;
        let st = &sc.settings;
        // Admit from the head of the FIFO queue while the limits allow; a VM's later migration
        // waits for its earlier one.
        while let Some(head) = queue.front() {
            if active.len() as u32 >= st.cluster_limit
                || busy[head.from] >= st.per_host_limit
                || busy[head.to] >= st.per_host_limit
                || moving[head.vm]
            {
                break;
            }
            let q = queue.pop_front().expect("head exists");
            busy[q.from] += 1;
            busy[q.to] += 1;
            moving[q.vm] = true;
            let r = &mut records[q.record];
            r.start_s = *t;
            r.stages.push(StageSpan {
                stage: Stage::Queued,
                pass: 0,
                start_s: 0.0,
                end_s: *t,
            });
            active.push(Live::new(
                q.record,
                q.vm,
                q.from,
                q.to,
                q.network,
                Machine::new(&q.scenario, q.storage, *t),
            ));
        }
        // Rates of the transfers: max-min fair over the NIC ports they cross, the one NIC path
        // that TCP/IP and Compression take between two hosts, and each host's idle cores.
        let transferring: Vec<usize> = (0..active.len())
            .filter(|&i| matches!(active[i].step, Step::Send { .. }))
            .collect();
        // A shared network whose transfers have all outlasted MAX_SEGMENTS_PER_TRANSFER spells
        // of other traffic: the rest of them move at long-run means, as in the single-VM run,
        // rather than costing an event and a segment every few seconds for weeks.
        let mut long_transfers: Vec<Option<bool>> = vec![None; backgrounds.len()];
        for &i in &transferring {
            let l = &active[i];
            let long = l.transfer_segments() >= MAX_SEGMENTS_PER_TRANSFER;
            let all = &mut long_transfers[l.network];
            *all = Some(all.unwrap_or(true) && long);
        }
        let long_run_on: Vec<bool> = sc
            .networks
            .iter()
            .zip(&long_transfers)
            .map(|(n, all)| !n.dedicated && *all == Some(true))
            .collect();
        let offered: Vec<(f64, f64)> = backgrounds
            .iter_mut()
            .zip(&long_run_on)
            .map(|(b, &long)| {
                if long {
                    (long_run_mean(|x| x), f64::INFINITY)
                } else {
                    b.at(*t)
                }
            })
            .collect();
        // The demand of transfer `i` (an index into `active`): its own cap, and the resources it
        // uses with their weights.
        let demand = |active: &mut [Live],
                      i: usize,
                      resources: &mut Resources,
                      mut uses: Vec<(usize, f64)>| {
            let l = &mut active[i];
            let wire_rate = if long_run_on[l.network] {
                0.0
            } else {
                l.wire_rate(offered[l.network].0)
            };
            let Step::Send { limit, .. } = l.step else {
                unreachable!("only transfers are listed")
            };
            let rates = l.m.send_rates();
            let bg = offered[l.network].0;
            let long = long_run_on[l.network];
            let payload = |line: f64| {
                let at = |x: f64| link_payload(line, x, rates.protocol_efficiency);
                if long {
                    long_run_mean(at)
                } else {
                    at(bg)
                }
            };
            let port = |host: usize, tx: bool| Key::Port {
                host,
                network: l.network,
                tx,
            };
            let (src_cpu, dst_cpu) = l.cpu;
            uses.extend([
                (
                    resources.id(port(l.from, true), || {
                        payload(port_lines[l.from][l.network])
                    }),
                    1.0,
                ),
                (
                    resources.id(port(l.to, false), || payload(port_lines[l.to][l.network])),
                    1.0,
                ),
                (
                    resources.id(Key::Cpu(l.from), || idle_cores[l.from]),
                    src_cpu,
                ),
                (resources.id(Key::Cpu(l.to), || idle_cores[l.to]), dst_cpu),
            ]);
            if st.transport == TransportKind::Smb && st.smb_limit_pct.is_some() {
                uses.push((
                    resources.id(Key::SmbLimit(l.from), || smb_limits[l.from]),
                    1.0,
                ));
            }
            if rates.nics_used == 1 {
                // Hash-based teaming sends every TCP connection between two hosts over the
                // same NIC pair.
                let pair = Key::Pair {
                    a: l.from.min(l.to),
                    b: l.from.max(l.to),
                    network: l.network,
                };
                uses.push((resources.id(pair, || payload(rates.line_rate)), 1.0));
            }
            Demand {
                cap: if long {
                    long_run(rates, limit).0
                } else {
                    wire_rate.min(limit)
                },
                uses,
            }
        };
        // The last event's solution stands when the same transfers run under the same other
        // traffic and no demand changed in a way that could move a rate (`Shared::update`):
        // then only the transfers whose machines stepped are looked at, not every one.
        let records_now: Vec<usize> = transferring.iter().map(|&i| active[i].record).collect();
        let offered_now = offered
            .iter()
            .zip(&long_run_on)
            .map(|(o, &long)| (o.0.to_bits(), long));
        let same = !*always_solve
            && shared.valid
            && shared.records == records_now
            && shared.offered.iter().copied().eq(offered_now.clone());
        let solved = if same {
            let mut stands = true;
            for (k, &i) in transferring.iter().enumerate() {
                if !active[i].fresh {
                    continue;
                }
                active[i].fresh = false;
                *demands += 1;
                let d = demand(active, i, resources, spare_uses.pop().unwrap_or_default());
                if stands && !shared.update(k, &d, &resources.capacity) {
                    stands = false;
                }
                let mut old = std::mem::replace(&mut shared.demands[k], d);
                old.uses.clear();
                spare_uses.push(old.uses);
            }
            if !stands {
                shared.solve(&resources.capacity);
            }
            !stands
        } else {
            resources.clear();
            // Lists from the last event's, so that an event with thousands of transfers
            // allocates none.
            spare_uses.extend(shared.demands.drain(..).map(|mut d| {
                d.uses.clear();
                d.uses
            }));
            for &i in &transferring {
                active[i].fresh = false;
                *demands += 1;
                let d = demand(active, i, resources, spare_uses.pop().unwrap_or_default());
                shared.demands.push(d);
            }
            shared.records = records_now;
            shared.offered.clear();
            shared.offered.extend(offered_now);
            shared.solve(&resources.capacity);
            true
        };
        if solved {
            *solves += 1;
            // Peak traffic on any port.
            let mut load = vec![0.0; resources.capacity.len()];
            for (d, r) in shared.demands.iter().zip(&shared.rates) {
                for &(res, _) in &d.uses[..2] {
                    load[res] += r;
                }
            }
            *peak = load.iter().fold(*peak, |p, l| p.max(l * 8.0 / 1e9));
        }
        let (rates, held) = (&shared.rates, &shared.held);
        // Next event: a timed stage ends, a transfer completes or reaches its deadline, the
        // background traffic on a network in use changes.
        let mut rate_of = vec![0.0; active.len()];
        for (k, &i) in transferring.iter().enumerate() {
            rate_of[i] = rates[k];
        }
        let mut next = f64::INFINITY;
        let mut networks_in_use = vec![false; offered.len()];
        for (i, l) in active.iter().enumerate() {
            networks_in_use[l.network] = true;
            match l.step {
                Step::Wait { until } => next = next.min(until),
                Step::Send { deadline, .. } => {
                    if rate_of[i] > 0.0 {
                        next = next.min(*t + l.wire_left / rate_of[i]);
                    }
                    next = next.min(deadline);
                }
                Step::Done => next = *t,
            }
        }
        for (i, (_, until)) in offered.iter().enumerate() {
            if networks_in_use[i] {
                next = next.min(*until);
            }
        }
        if !next.is_finite() {
            // Nothing can move (every transfer at rate 0 with no deadline): abandon what is left.
            for mut l in active.drain(..) {
                l.m.abandon(*t, Outcome::NoBandwidth);
                placement[l.vm] = l.from;
                let record = l.record;
                close(l, &mut records[record]);
                *ended += 1;
            }
            for q in queue.drain(..) {
                records[q.record].refused = Some(Refusal::NeverStarted);
                placement[q.vm] = q.from;
                *ended += 1;
            }
            return;
        }
        let dt = (next - *t).max(0.0);
        for (k, &i) in transferring.iter().enumerate() {
            let l = &mut active[i];
            let rate = rate_of[i];
            if dt > 0.0 {
                let Step::Send { limit, .. } = l.step else {
                    unreachable!("only transfers are listed")
                };
                let held = match held[k] {
                    Held::Resource(res) => match resources.keys[res] {
                        Key::Port { .. } => ClusterLimit::Nic,
                        Key::Pair { .. } => ClusterLimit::NicPair,
                        Key::Cpu(_) => ClusterLimit::Cpu,
                        Key::SmbLimit(_) => ClusterLimit::SmbLimit,
                    },
                    Held::Cap | Held::Unbounded => {
                        let bg = offered[l.network].0;
                        match l.own {
                            Some((bits, own)) if bits == bg.to_bits() => own,
                            _ => {
                                let own = ClusterLimit::Own(own_limit(&l.m, bg, limit));
                                l.own = Some((bg.to_bits(), own));
                                own
                            }
                        }
                    }
                };
                match l.limits.iter_mut().find(|(h, _)| *h == held) {
                    Some((_, s)) => *s += dt,
                    None => l.limits.push((held, dt)),
                }
                let (src, dst) = l.cpu;
                host_cpu[l.from] += rate * dt * src;
                host_cpu[l.to] += rate * dt * dst;
            }
            // A transfer whose predicted finish is this event is done: subtracting could leave
            // a residue too small to ever advance the clock again.
            if rate > 0.0 && *t + l.wire_left / rate <= next {
                l.wire_left = 0.0;
            } else {
                l.wire_left = (l.wire_left - rate * dt).max(0.0);
            }
            let background = offered[l.network].0;
            match &mut l.open {
                Some(last)
                    if last.end_s == *t
                        && last.wire_rate == rate
                        && last.background == background =>
                {
                    last.end_s = next
                }
                _ if dt > 0.0 => {
                    l.flush(&mut records[l.record].segments);
                    l.open = Some(LinkSegment {
                        start_s: *t,
                        end_s: next,
                        wire_rate: rate,
                        background,
                    });
                }
                _ => {}
            }
        }
        *t = next;
        // Stage transitions: each migration takes every step that is due now.
        let mut i = 0;
        while i < active.len() {
            let l = &mut active[i];
            loop {
                match l.step {
                    Step::Wait { until } if *t >= until => l.m.waited(*t),
                    Step::Send { wire, deadline, .. } if l.wire_left <= 0.0 || *t >= deadline => {
                        let segs = &mut records[l.record].segments;
                        l.flush(segs);
                        let range = (l.seg_floor, segs.len());
                        let sent = if l.wire_left <= 0.0 {
                            wire
                        } else {
                            wire - l.wire_left
                        };
                        l.m.sent(*t, sent, segs, range);
                    }
                    _ => break,
                }
                l.stepped();
                l.load();
            }
            if l.step == Step::Done {
                let l = active.remove(i);
                *ended += 1;
                busy[l.from] -= 1;
                busy[l.to] -= 1;
                moving[l.vm] = false;
                // Abandoned (timed out, no progress): the VM never left its source.
                if l.m.outcome.is_some_and(|o| !o.completed()) {
                    placement[l.vm] = l.from;
                }
                let record = l.record;
                close(l, &mut records[record]);
            } else {
                i += 1;
            }
        }
    }

    /// The trace of everything run so far: the whole run's once [`ClusterRun::advance`] has
    /// returned `true`.
    pub fn finish(self) -> ClusterTrace {
        let ClusterRun {
            sc,
            records,
            host_cpu,
            placement,
            peak,
            ..
        } = self;
        let makespan = records.iter().map(|r| r.end_s).fold(0.0, f64::max);
        let worst = records.iter().map(|r| r.downtime_s).fold(0.0, f64::max);
        let placement = sc
            .vms
            .iter()
            .enumerate()
            .map(|(i, v)| (v.name.clone(), sc.hosts[placement[i]].name.clone()))
            .collect();
        let host_cpu_core_s = sc
            .hosts
            .iter()
            .zip(host_cpu)
            .map(|(h, c)| (h.name.clone(), c))
            .collect();
        ClusterTrace {
            scenario: sc,
            migrations: records,
            makespan_s: makespan,
            worst_blackout_s: worst,
            peak_link_gbps: peak,
            placement,
            host_cpu_core_s,
        }
    }
}

/// What holds a migration at its own cap: its path's bottleneck at the other traffic
/// `background`, or the step's `limit` (compression's CPU, Xen's rounds) when that is lower.
fn own_limit(m: &Machine, background: f64, limit: f64) -> Bottleneck {
    let rates = m.send_rates();
    let path = rates.bottleneck(background);
    if limit < rates.wire_rate(background) * (1.0 - 1e-9) && path != Bottleneck::CompressionCpu {
        if m.is_xen() {
            Bottleneck::RoundLimit
        } else {
            Bottleneck::CompressionCpu
        }
    } else {
        path
    }
}

impl ClusterRun {
    /// Every migration's record so far, in the trace's order. A record is final once it is
    /// refused or has an outcome; the page shows those while the rest of the run goes on.
    pub fn records(&self) -> &[MigrationRecord] {
        &self.records
    }
}
