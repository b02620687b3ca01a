//! Max-min fair sharing of resources among flows (progressive filling, Bertsekas & Gallager,
//! *Data Networks*, §6.5.2): every flow's rate rises at the same pace until the flow reaches its
//! own cap or a resource it uses is full; what it leaves is shared among the others. Weights
//! let one resource count a flow's bytes differently (a host's CPU, in core-seconds per byte).
//!
//! Event-driven with a heap, so the cost is O((F·k + R) log) for F flows using k resources
//! each, not the O(F²) of freezing one level at a time.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One flow: its own cap (bytes/s) and the resources it uses with their weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    pub cap: f64,
    pub uses: Vec<(usize, f64)>,
}

#[derive(PartialEq)]
struct Event {
    level: f64,
    /// A resource (its index) or a flow reaching its cap (`usize::MAX - flow`).
    what: usize,
    version: u32,
}

impl Eq for Event {}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Event {
    // A min-heap on the level; ties broken by index for determinism.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .level
            .total_cmp(&self.level)
            .then_with(|| other.what.cmp(&self.what))
    }
}

/// The flows an event freezes: one, or the users of a resource (a range of the users list).
#[derive(Clone, Copy)]
enum Flows {
    One(usize),
    Users(usize, usize),
}

/// What held a flow at its rate in a max-min allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Its own cap.
    Cap,
    /// A resource (its index) that filled up.
    Resource(usize),
    /// Nothing: no cap and no finite resource.
    Unbounded,
}

/// Rates for `demands` over resources with `capacity` (same units as weight × rate).
pub fn max_min(demands: &[Demand], capacity: &[f64]) -> Vec<f64> {
    max_min_held(demands, capacity).0
}

/// `max_min`, with what held each flow: its cap or the resource that filled first among those
/// it uses (on a tie, the one with the lower index).
pub fn max_min_held(demands: &[Demand], capacity: &[f64]) -> (Vec<f64>, Vec<Held>) {
    let n = demands.len();
    let r = capacity.len();
    let mut rate = vec![0.0; n];
    let mut held = vec![Held::Unbounded; n];
    let mut frozen = vec![false; n];
    // Per resource: capacity used by frozen flows, weight of unfrozen flows, and who uses it.
    let mut used = vec![0.0; r];
    let mut weight = vec![0.0; r];
    let mut version = vec![0u32; r];
    let mut full = vec![false; r];
    // Who uses each resource, as one list in resource order: resource `res`'s users are
    // `users[start[res]..start[res + 1]]` (one allocation, not one per resource).
    let mut start = vec![0usize; r + 1];
    for d in demands {
        for &(res, w) in &d.uses {
            weight[res] += w;
            start[res + 1] += 1;
        }
    }
    for res in 0..r {
        start[res + 1] += start[res];
    }
    let mut users = vec![0usize; start[r]];
    let mut fill = start.clone();
    for (i, d) in demands.iter().enumerate() {
        for &(res, _) in &d.uses {
            users[fill[res]] = i;
            fill[res] += 1;
        }
    }
    let level_of = |res: usize, used: &[f64], weight: &[f64]| -> f64 {
        if weight[res] > 0.0 {
            ((capacity[res] - used[res]) / weight[res]).max(0.0)
        } else {
            f64::INFINITY
        }
    };
    // Built in one go (linear), not by a push per flow.
    let mut initial = Vec::with_capacity(n + r);
    for res in 0..r {
        let level = level_of(res, &used, &weight);
        if level.is_finite() {
            initial.push(Event {
                level,
                what: res,
                version: 0,
            });
        }
    }
    for (i, d) in demands.iter().enumerate() {
        initial.push(Event {
            level: d.cap.max(0.0),
            what: usize::MAX - i,
            version: 0,
        });
    }
    let mut heap = BinaryHeap::from(initial);
    let mut touched: Vec<usize> = Vec::new();
    let mut touched_mark = vec![false; r];
    let mut floor = 0.0f64;
    let mut left = n;
    while left > 0 {
        let Some(ev) = heap.pop() else { break };
        let level = ev.level.max(floor);
        // The flows this event freezes: one that reached its cap, or every unfrozen user of a
        // resource that filled (frozen in the order they use it, as a list would have them).
        let (flows, why) = if ev.what >= r && usize::MAX - ev.what < n {
            let i = usize::MAX - ev.what;
            if frozen[i] {
                continue;
            }
            let why = if demands[i].cap.is_finite() {
                Held::Cap
            } else {
                Held::Unbounded
            };
            (Flows::One(i), why)
        } else {
            let res = ev.what;
            if full[res] || ev.version != version[res] {
                continue;
            }
            full[res] = true;
            (
                Flows::Users(start[res], start[res + 1]),
                Held::Resource(res),
            )
        };
        floor = level;
        let range = match flows {
            Flows::One(i) => i..i + 1,
            Flows::Users(a, b) => a..b,
        };
        for k in range {
            let i = match flows {
                Flows::One(i) => i,
                Flows::Users(..) => users[k],
            };
            if frozen[i] {
                continue;
            }
            frozen[i] = true;
            rate[i] = level;
            held[i] = why;
            left -= 1;
            for &(res, w) in &demands[i].uses {
                used[res] += w * level;
                weight[res] -= w;
                if !full[res] && !touched_mark[res] {
                    touched_mark[res] = true;
                    touched.push(res);
                }
            }
        }
        // Each resource the frozen flows use fills at a new level now: one event for it after
        // the whole group, not one per flow (the earlier ones would only be skipped as stale).
        for res in touched.drain(..) {
            touched_mark[res] = false;
            version[res] += 1;
            if weight[res] > 1e-300 {
                heap.push(Event {
                    level: level_of(res, &used, &weight),
                    what: res,
                    version: version[res],
                });
            }
        }
    }
    // Flows with nothing limiting them at all (no cap, no finite resource) stay unbounded.
    for i in 0..n {
        if !frozen[i] {
            rate[i] = f64::INFINITY;
        }
    }
    (rate, held)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(cap: f64, uses: &[(usize, f64)]) -> Demand {
        Demand {
            cap,
            uses: uses.to_vec(),
        }
    }

    #[test]
    fn equal_shares_of_one_link() {
        let r = max_min(
            &[d(f64::INFINITY, &[(0, 1.0)]), d(f64::INFINITY, &[(0, 1.0)])],
            &[10.0],
        );
        assert_eq!(r, vec![5.0, 5.0]);
    }

    #[test]
    fn a_capped_flow_leaves_the_rest_to_others() {
        let r = max_min(
            &[d(2.0, &[(0, 1.0)]), d(f64::INFINITY, &[(0, 1.0)])],
            &[10.0],
        );
        assert_eq!(r, vec![2.0, 8.0]);
    }

    #[test]
    fn the_classic_three_flow_example() {
        // Flow 0 crosses links 0 and 1; flow 1 only link 0; flow 2 only link 1. Link 0 holds 10,
        // link 1 holds 4: flows 0 and 2 get 2 each on link 1, flow 1 takes the 8 left on link 0.
        let r = max_min(
            &[
                d(f64::INFINITY, &[(0, 1.0), (1, 1.0)]),
                d(f64::INFINITY, &[(0, 1.0)]),
                d(f64::INFINITY, &[(1, 1.0)]),
            ],
            &[10.0, 4.0],
        );
        assert_eq!(r, vec![2.0, 8.0, 2.0]);
    }

    #[test]
    fn each_flow_is_told_what_held_it() {
        // Flow 0 is capped at 2; flows 1 and 2 share resource 0 (10), flow 2 also crosses
        // resource 1 (3), which fills first.
        let (r, held) = max_min_held(
            &[
                d(2.0, &[(0, 1.0)]),
                d(f64::INFINITY, &[(0, 1.0)]),
                d(f64::INFINITY, &[(0, 1.0), (1, 1.0)]),
                d(f64::INFINITY, &[]),
            ],
            &[10.0, 3.0],
        );
        assert_eq!(r[..3], [2.0, 5.0, 3.0]);
        assert_eq!(
            held,
            vec![
                Held::Cap,
                Held::Resource(0),
                Held::Resource(1),
                Held::Unbounded
            ]
        );
    }

    #[test]
    fn weights_count_bytes_differently() {
        // A CPU of 3 cores; flow 0 needs 2 core-s per unit, flow 1 needs 1: equal rates of 1.
        let r = max_min(
            &[d(f64::INFINITY, &[(0, 2.0)]), d(f64::INFINITY, &[(0, 1.0)])],
            &[3.0],
        );
        assert!(
            (r[0] - 1.0).abs() < 1e-12 && (r[1] - 1.0).abs() < 1e-12,
            "{r:?}"
        );
    }

    #[test]
    fn no_resource_overflows_and_every_flow_is_limited_by_something() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        };
        for _ in 0..200 {
            let resources = 1 + (next() * 6.0) as usize;
            let capacity: Vec<f64> = (0..resources).map(|_| 1.0 + next() * 10.0).collect();
            let demands: Vec<Demand> = (0..1 + (next() * 12.0) as usize)
                .map(|_| {
                    let mut uses: Vec<(usize, f64)> = Vec::new();
                    for res in 0..resources {
                        if next() < 0.5 {
                            uses.push((res, 0.5 + next()));
                        }
                    }
                    if uses.is_empty() {
                        uses.push((0, 1.0));
                    }
                    d(
                        if next() < 0.3 {
                            next() * 5.0
                        } else {
                            f64::INFINITY
                        },
                        &uses,
                    )
                })
                .collect();
            let rate = max_min(&demands, &capacity);
            let mut load = vec![0.0; resources];
            for (dm, r) in demands.iter().zip(&rate) {
                for &(res, w) in &dm.uses {
                    load[res] += w * r;
                }
            }
            for res in 0..resources {
                assert!(
                    load[res] <= capacity[res] * (1.0 + 1e-9),
                    "{load:?} {capacity:?}"
                );
            }
            // Max-min: each flow is at its cap or crosses a full resource on which no other
            // flow gets more than it.
            for (i, dm) in demands.iter().enumerate() {
                let at_cap = rate[i] >= dm.cap * (1.0 - 1e-9);
                let bottleneck = dm.uses.iter().any(|&(res, _)| {
                    load[res] >= capacity[res] * (1.0 - 1e-9)
                        && demands.iter().enumerate().all(|(j, o)| {
                            !o.uses.iter().any(|u| u.0 == res) || rate[j] <= rate[i] * (1.0 + 1e-9)
                        })
                });
                assert!(
                    at_cap || bottleneck,
                    "flow {i}: {rate:?} {demands:?} {capacity:?}"
                );
            }
        }
    }
}
