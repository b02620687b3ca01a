//! A scenario as flat fields: every setting under the dotted path of its key in a scenario
//! file (`vm.memory_mib`, `policy.kind`) with its value as text (`16384`, `qemu`), and a
//! field set back from such text. Permalinks store a scenario this way (its fields that differ
//! from the chapter's), and the chapters' scenarios and comparisons are compiled to it. It
//! needs no JSON: the page's first bundle carries no JSON parser (`cargo xtask dist`).
//!
//! The text of a value is what the scenario file's JSON would hold, unquoted: a number in
//! Rust's shortest round-trip form, `true`/`false`, a name (`hotcold`), or `null` for an
//! optional setting left unset. An optional group (QEMU's `multifd`) is `{}` when present;
//! its fields follow under its path.

use super::scenario::{
    Multifd, MultifdCompression, Pattern, Problem, Scenario, StopPolicy, TransportKind,
};

/// One setting, to read or write.
enum Leaf<'a> {
    Num(&'a mut f64),
    Count(&'a mut u32),
    Seed(&'a mut u64),
    Flag(&'a mut bool),
    MaybeNum(&'a mut Option<f64>),
    MaybeCount(&'a mut Option<u32>),
    Choice(&'a mut dyn Choice),
    /// QEMU's optional `multifd` group (its fields are leaves of their own).
    Multifd(&'a mut Option<Multifd>),
}

/// A setting that is one of a few names.
trait Choice {
    fn code(&self) -> &'static str;
    /// Takes the named value; false when there is no such name.
    fn choose(&mut self, name: &str) -> bool;
}

/// `Choice` for a plain enum, from its names (`scenario.rs`'s `names!`).
macro_rules! named {
    ($($t:ty),+) => {
        $(impl Choice for $t {
            fn code(&self) -> &'static str {
                self.name()
            }
            fn choose(&mut self, name: &str) -> bool {
                <$t>::from_name(name).map(|v| *self = v).is_some()
            }
        })+
    };
}

named!(Pattern, TransportKind, MultifdCompression);

/// The policy's `kind`: choosing another kind starts from that policy's defaults (its
/// fields follow it in a link).
impl Choice for StopPolicy {
    fn code(&self) -> &'static str {
        self.kind()
    }
    fn choose(&mut self, name: &str) -> bool {
        let Some(fresh) = StopPolicy::kinds().into_iter().find(|p| p.kind() == name) else {
            return false;
        };
        if self.code() != name {
            *self = fresh;
        }
        true
    }
}

/// Calls `f` with every setting of `s` and its path (the policy's `kind` before its other
/// fields; `multifd`'s fields only while it is on).
fn visit(s: &mut Scenario, f: &mut dyn FnMut(&'static str, Leaf<'_>)) {
    use Leaf::*;
    f("version", Count(&mut s.version));
    f("seed", Seed(&mut s.seed));
    f("timeout_s", Num(&mut s.timeout_s));
    let vm = &mut s.vm;
    f("vm.memory_mib", Num(&mut vm.memory_mib));
    f("vm.working_set_mib", Num(&mut vm.working_set_mib));
    f("vm.untouched_mib", Num(&mut vm.untouched_mib));
    f("vm.dirty_rate_mibps", Num(&mut vm.dirty_rate_mibps));
    f("vm.pattern", Choice(&mut vm.pattern));
    f("vm.hot_fraction", Num(&mut vm.hot_fraction));
    f("vm.hot_share", Num(&mut vm.hot_share));
    f(
        "vm.compressible_fraction",
        Num(&mut vm.compressible_fraction),
    );
    f("vm.zero_fraction", Num(&mut vm.zero_fraction));
    f("vm.sparse_fraction", Num(&mut vm.sparse_fraction));
    f("vm.write_cpu_share", Num(&mut vm.write_cpu_share));
    f("vm.write_bytes", Num(&mut vm.write_bytes));
    let n = &mut s.network;
    f("network.link_gbps", Num(&mut n.link_gbps));
    f("network.nics", Count(&mut n.nics));
    f("network.smb_limit_mibps", MaybeNum(&mut n.smb_limit_mibps));
    f("network.rdma", Flag(&mut n.rdma));
    f("network.dedicated", Flag(&mut n.dedicated));
    f("network.buffers", MaybeCount(&mut n.buffers));
    f("network.rtt_ms", Num(&mut n.rtt_ms));
    f("network.tcp_window_kib", Num(&mut n.tcp_window_kib));
    let t = &mut s.transport;
    f("transport.kind", Choice(&mut t.kind));
    f("transport.host_cores", Count(&mut t.host_cores));
    f("transport.host_load", Num(&mut t.host_load));
    f("transport.core_ghz", Num(&mut t.core_ghz));
    f("transport.compress_threads", Count(&mut t.compress_threads));
    f(
        "transport.compress_mibps_per_thread",
        Num(&mut t.compress_mibps_per_thread),
    );
    f(
        "transport.zlib_mibps_per_thread",
        Num(&mut t.zlib_mibps_per_thread),
    );
    f(
        "transport.zstd_mibps_per_thread",
        Num(&mut t.zstd_mibps_per_thread),
    );
    f("transport.zero_scan_gibps", Num(&mut t.zero_scan_gibps));
    f("policy.kind", Choice(&mut s.policy));
    match &mut s.policy {
        StopPolicy::HyperV {
            max_passes,
            remainder_ms,
        } => {
            f("policy.max_passes", Count(max_passes));
            f("policy.remainder_ms", Num(remainder_ms));
        }
        StopPolicy::Qemu {
            downtime_limit_ms,
            auto_converge,
            max_bandwidth_mibps,
            lazy_dirty_clear,
            multifd,
            xbzrle_cache_mib,
            postcopy_after_passes,
            postcopy_when_stalled,
            postcopy_preempt,
        } => {
            f("policy.downtime_limit_ms", Num(downtime_limit_ms));
            f("policy.auto_converge", Flag(auto_converge));
            f("policy.max_bandwidth_mibps", MaybeNum(max_bandwidth_mibps));
            f("policy.lazy_dirty_clear", Flag(lazy_dirty_clear));
            f("policy.multifd", Multifd(multifd));
            if let Some(m) = multifd {
                f("policy.multifd.channels", Count(&mut m.channels));
                f("policy.multifd.compression", Choice(&mut m.compression));
            }
            f("policy.xbzrle_cache_mib", MaybeNum(xbzrle_cache_mib));
            f(
                "policy.postcopy_after_passes",
                MaybeCount(postcopy_after_passes),
            );
            f("policy.postcopy_when_stalled", Flag(postcopy_when_stalled));
            f("policy.postcopy_preempt", Flag(postcopy_preempt));
        }
        StopPolicy::Xen {
            max_iterations,
            min_dirty_pages,
            max_factor,
            rate_adaptive,
        } => {
            f("policy.max_iterations", Count(max_iterations));
            f("policy.min_dirty_pages", Count(min_dirty_pages));
            f("policy.max_factor", Num(max_factor));
            f("policy.rate_adaptive", Flag(rate_adaptive));
        }
    }
    let o = &mut s.overheads;
    f("overheads.setup_s", Num(&mut o.setup_s));
    f("overheads.device_state_mib", Num(&mut o.device_state_mib));
    f("overheads.switchover_ms", Num(&mut o.switchover_ms));
    f("overheads.cleanup_s", Num(&mut o.cleanup_s));
}

/// The groups of settings that a path may name as a whole (`policy={}` in older links).
const GROUPS: [&str; 5] = ["vm", "network", "transport", "policy", "overheads"];

/// A number as a scenario file writes it: Rust's shortest form that reads back the same.
fn number(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        "null".into()
    }
}

impl Leaf<'_> {
    /// The value as text; `{}` for a group that is present.
    fn text(&self) -> String {
        match self {
            Leaf::Num(v) => number(**v),
            Leaf::Count(v) => v.to_string(),
            Leaf::Seed(v) => v.to_string(),
            Leaf::Flag(v) => v.to_string(),
            Leaf::MaybeNum(v) => v.map_or("null".into(), number),
            Leaf::MaybeCount(v) => v.map_or("null".into(), |v| v.to_string()),
            Leaf::Choice(c) => c.code().into(),
            Leaf::Multifd(m) => if m.is_some() { "{}" } else { "null" }.into(),
        }
    }

    /// Sets the value from `raw`; the reason when it cannot be read.
    fn set(self, raw: &str) -> Result<(), Problem> {
        fn num(raw: &str) -> Result<f64, Problem> {
            raw.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| Problem::NotANumber(raw.into()))
        }
        fn int<T: std::str::FromStr>(raw: &str) -> Result<T, Problem> {
            raw.parse()
                .map_err(|_| Problem::NotAWholeNumber(raw.into()))
        }
        match self {
            Leaf::Num(v) => *v = num(raw)?,
            Leaf::Count(v) => *v = int(raw)?,
            Leaf::Seed(v) => *v = int(raw)?,
            Leaf::Flag(v) => {
                *v = match raw {
                    "true" => true,
                    "false" => false,
                    _ => return Err(Problem::NotTrueOrFalse(raw.into())),
                }
            }
            Leaf::MaybeNum(v) => *v = if raw == "null" { None } else { Some(num(raw)?) },
            Leaf::MaybeCount(v) => *v = if raw == "null" { None } else { Some(int(raw)?) },
            Leaf::Choice(c) => {
                // A link may quote a name with a leading ' (see `permalink`).
                let name = raw.strip_prefix('\'').unwrap_or(raw);
                if !c.choose(name) {
                    return Err(Problem::NotAChoice(raw.into()));
                }
            }
            Leaf::Multifd(m) => match raw {
                "null" => *m = None,
                "{}" => {
                    m.get_or_insert(Multifd {
                        channels: 2,
                        compression: MultifdCompression::None,
                    });
                }
                _ => return Err(Problem::NotOnOrOff(raw.into())),
            },
        }
        Ok(())
    }
}

/// Why a field could not be set.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    /// No setting has this path.
    Unknown,
    /// The setting exists; the value is not one it takes (the path is in the problem).
    Value(Problem),
}

impl Scenario {
    /// Every setting as (path, value), sorted by path (the order of a scenario file's keys
    /// at each level, since `.` sorts before any letter, digit or `_`). An optional group
    /// that is present appears as `{}` before its fields.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut copy = self.clone();
        let mut out = Vec::new();
        visit(&mut copy, &mut |path, leaf| out.push((path, leaf.text())));
        out.sort_unstable_by_key(|&(path, _)| path);
        out
    }

    /// Sets the setting at `path` from its text. A group's own path takes `{}` (no change;
    /// QEMU's `multifd` is switched on) and `null` (only `multifd`: switched off).
    pub fn set_field(&mut self, path: &str, raw: &str) -> Result<(), FieldError> {
        if GROUPS.contains(&path) {
            return match raw {
                "{}" => Ok(()),
                _ => Err(FieldError::Value(Problem::AGroup(path.into()))),
            };
        }
        let mut outcome = Err(FieldError::Unknown);
        visit(self, &mut |p, leaf| {
            if p == path && outcome == Err(FieldError::Unknown) {
                outcome = leaf.set(raw).map_err(|why| {
                    FieldError::Value(Problem::In {
                        at: path.into(),
                        problem: Box::new(why),
                    })
                });
            }
        });
        // A field of an optional group that is off (`policy.multifd.channels`): the group is
        // switched on for it, as a scenario file that names the field would have it.
        if outcome == Err(FieldError::Unknown) {
            if let Some((group, _)) = path.rsplit_once('.') {
                if !GROUPS.contains(&group) {
                    let mut on = self.clone();
                    if on.set_field(group, "{}").is_ok() && on.fields().iter().any(|f| f.0 == path)
                    {
                        on.set_field(path, raw)?;
                        *self = on;
                        return Ok(());
                    }
                }
            }
        }
        outcome
    }

    /// Sets several fields in an order that lets each one stand: the policy's `kind` first
    /// (choosing a kind resets its fields), groups switched on before their fields. Stops at
    /// the first that cannot be set, with its path.
    pub fn set_fields<'p>(
        &mut self,
        pairs: impl IntoIterator<Item = (&'p str, &'p str)>,
    ) -> Result<(), (&'p str, FieldError)> {
        let mut pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
        pairs.sort_by_key(|&(path, raw)| (path != "policy.kind", raw != "{}"));
        for (path, raw) in pairs {
            self.set_field(path, raw).map_err(|e| (path, e))?;
        }
        Ok(())
    }
}

/// The fields that turn `base` into `cur`, as a link writes them: each changed setting; a
/// group whose `kind` changed (the policy, the transport) whole, after `group={}`; `multifd`
/// switched on as `{}` and its fields. (The same pairs as the difference of the two scenario
/// files' JSON trees.)
pub fn diff_fields(base: &Scenario, cur: &Scenario) -> Vec<(String, String)> {
    diff_from_fields(&base.fields(), cur)
}

/// [`diff_fields`] from the base's [`Scenario::fields`] (sorted by path), for a caller that
/// keeps them: a link is rewritten on every slider step, against the same chapter.
pub fn diff_from_fields(
    before: &[(&'static str, String)],
    cur: &Scenario,
) -> Vec<(String, String)> {
    let after = cur.fields();
    let was = |path: &str| {
        before
            .binary_search_by_key(&path, |(p, _)| p)
            .ok()
            .map(|i| &before[i].1)
    };
    let under = |path: &str, group: &str| {
        path.strip_prefix(group)
            .is_some_and(|rest| rest.starts_with('.'))
    };
    let mut out = Vec::new();
    // The group being written whole, if any.
    let mut whole: Option<&str> = None;
    for (path, value) in &after {
        if whole.is_some_and(|g| under(path, g)) {
            if value != "{}" {
                out.push((path.to_string(), value.clone()));
            }
            continue;
        }
        whole = None;
        let group = path.split('.').next().unwrap_or(path);
        let kind = |fields: &[(&str, String)]| {
            fields
                .iter()
                .find(|(p, _)| p.strip_prefix(group) == Some(".kind"))
                .map(|(_, v)| v.clone())
        };
        if under(path, group) && kind(before) != kind(&after) {
            out.push((group.to_string(), "{}".to_string()));
            whole = Some(group);
            if value != "{}" {
                out.push((path.to_string(), value.clone()));
            }
        } else if was(path) != Some(value) {
            out.push((path.to_string(), value.clone()));
            if value == "{}" {
                whole = Some(path);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_as_it_was_written() {
        let mut s = Scenario {
            policy: StopPolicy::qemu(),
            ..Scenario::default()
        };
        if let StopPolicy::Qemu { multifd, .. } = &mut s.policy {
            *multifd = Some(Multifd {
                channels: 8,
                compression: MultifdCompression::Zstd,
            });
        }
        s.network.buffers = Some(512);
        s.vm.pattern = Pattern::HotCold;
        let mut back = Scenario::default();
        back.set_fields(s.fields().iter().map(|(p, v)| (*p, v.as_str())))
            .unwrap();
        assert_eq!(back, s);
        let paths: Vec<&str> = s.fields().iter().map(|f| f.0).collect();
        assert!(paths.contains(&"policy.multifd.compression"), "{paths:?}");
        assert!(paths.windows(2).all(|w| w[0] < w[1]), "sorted: {paths:?}");
    }

    #[test]
    fn a_bad_value_or_path_says_which() {
        let mut s = Scenario::default();
        match s.set_field("vm.memory_mib", "lots") {
            Err(FieldError::Value(why)) => {
                assert_eq!(
                    why.to_string(),
                    "vm.memory_mib: expected a number, got “lots”"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.set_field("vm.nope", "1"), Err(FieldError::Unknown));
        assert!(s.set_field("network.nics", "2.5").is_err());
        assert!(s.set_field("vm.memory_mib", "inf").is_err());
        assert!(s.set_field("vm.pattern", "spiral").is_err());
        assert_eq!(s, Scenario::default(), "nothing changed");
        s.set_field("vm.pattern", "'sequential").unwrap();
        assert_eq!(s.vm.pattern, Pattern::Sequential);
    }

    #[test]
    fn another_policy_kind_starts_from_its_defaults_whatever_the_order() {
        let mut s = Scenario::default();
        s.set_fields([("policy.downtime_limit_ms", "30"), ("policy.kind", "qemu")])
            .unwrap();
        match s.policy {
            StopPolicy::Qemu {
                downtime_limit_ms,
                max_bandwidth_mibps,
                ..
            } => {
                assert_eq!(downtime_limit_ms, 30.0);
                assert_eq!(max_bandwidth_mibps, Some(128.0));
            }
            other => panic!("{other:?}"),
        }
        // Naming the kind it already has keeps its fields.
        s.set_field("policy.kind", "qemu").unwrap();
        assert!(
            matches!(s.policy, StopPolicy::Qemu { downtime_limit_ms, .. } if downtime_limit_ms == 30.0)
        );
    }

    #[test]
    fn the_difference_holds_only_what_changed() {
        let base = Scenario::default();
        let mut cur = base.clone();
        cur.vm.memory_mib = 16384.0;
        cur.network.smb_limit_mibps = Some(500.0);
        assert_eq!(
            diff_fields(&base, &cur),
            [
                ("network.smb_limit_mibps".to_string(), "500".to_string()),
                ("vm.memory_mib".to_string(), "16384".to_string()),
            ]
        );
        assert_eq!(diff_fields(&cur, &base)[0].1, "null");
        cur.policy = StopPolicy::xen();
        let d = diff_fields(&base, &cur);
        assert_eq!(d[1], ("policy".to_string(), "{}".to_string()));
        let mut back = base.clone();
        back.set_fields(d.iter().map(|(p, v)| (p.as_str(), v.as_str())))
            .unwrap();
        assert_eq!(back, cur);
    }
}
