//! What each number field of the page accepts, and the sentence it says when it does not.
//! The ranges are what a reader can mean (a VM of 64 MiB to 24 TiB, …); where a range is the
//! engine's own limit, it is the engine's constant.

use super::edits::MAX_SEED;
use crate::engine::scenario::{MAX_LINK_GBPS, MAX_MULTIFD_CHANNELS, MAX_POLICY_PASSES, MAX_RTT_MS};
use crate::text::Lang;

/// What a field accepts: its name in messages (English, German), unit, range and whether it
/// takes whole numbers only. The ranges are what a reader can mean; the engine checks its own.
pub struct Bounds {
    pub name: (&'static str, &'static str),
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub integer: bool,
}

pub const fn bounds(
    name: (&'static str, &'static str),
    unit: &'static str,
    min: f64,
    max: f64,
    integer: bool,
) -> Bounds {
    Bounds {
        name,
        unit,
        min,
        max,
        integer,
    }
}

/// The bounds of every number field, by id.
pub fn field_bounds(id: &str) -> Option<Bounds> {
    Some(match id {
        // 64 MiB to 24 TiB: the smallest VM worth migrating to Hyper-V's largest (WS2022).
        "memory" => bounds(("Memory", "Arbeitsspeicher"), "GiB", 0.0625, 24576.0, false),
        "working-set" => bounds(("Working set", "Arbeitssatz"), "%", 0.0, 100.0, false),
        "free" => bounds(
            ("Never-written memory", "Nie beschriebener Speicher"),
            "%",
            0.0,
            100.0,
            false,
        ),
        "content" => bounds(
            ("Compressible pages", "Komprimierbare Seiten"),
            "%",
            0.0,
            100.0,
            false,
        ),
        // Memory bandwidth of a large host is of the order of 100 GiB/s.
        "dirty-rate" => bounds(
            ("Dirty rate", "Änderungsrate"),
            "MiB/s",
            0.0,
            102_400.0,
            false,
        ),
        "link" => bounds(
            ("Link speed", "Verbindungsgeschwindigkeit"),
            "Gbit/s",
            0.0,
            MAX_LINK_GBPS,
            false,
        ),
        "nics" => bounds(
            ("NICs per host", "Netzwerkadapter je Host"),
            "",
            1.0,
            16.0,
            true,
        ),
        "policy-param-passes" => bounds(
            ("Maximum passes", "Höchstzahl der Durchläufe"),
            "",
            1.0,
            MAX_POLICY_PASSES as f64,
            true,
        ),
        "policy-param-ms" => bounds(
            ("Downtime limit", "Ausfallzeit-Grenze"),
            "ms",
            1.0,
            2_000_000.0,
            false,
        ),
        "max-bandwidth" => bounds(
            ("max-bandwidth", "max-bandwidth"),
            "MiB/s",
            1.0,
            1_000_000.0,
            false,
        ),
        // 0 turns multifd off.
        "multifd-channels" => bounds(
            ("multifd channels", "multifd-Kanäle"),
            "",
            0.0,
            MAX_MULTIFD_CHANNELS as f64,
            true,
        ),
        "rtt" => bounds(
            ("Round-trip time", "Umlaufzeit"),
            "ms",
            0.01,
            MAX_RTT_MS,
            false,
        ),
        "window" => bounds(
            ("TCP window", "TCP-Fenster"),
            "KiB",
            1.0,
            1_048_576.0,
            false,
        ),
        "smb-limit" => bounds(
            ("SMB bandwidth limit", "SMB-Bandbreitenlimit"),
            "MiB/s",
            0.0,
            1_000_000.0,
            false,
        ),
        "cores" => bounds(
            ("Host CPU cores", "CPU-Kerne des Hosts"),
            "",
            1.0,
            1024.0,
            true,
        ),
        "load" => bounds(
            ("Host CPU load", "CPU-Last des Hosts"),
            "%",
            0.0,
            100.0,
            false,
        ),
        "seed" => bounds(("Random seed", "Zufallsstartwert"), "", 0.0, MAX_SEED, true),
        _ => return None,
    })
}

/// `v` if field `id` accepts it, else a sentence naming the field as labelled, in its unit.
pub fn check(id: &str, v: f64, lang: Lang) -> Result<f64, String> {
    let Some(b) = field_bounds(id) else {
        return Ok(v);
    };
    let name = lang.pick(b.name.0, b.name.1);
    let f = crate::text::Fmt(lang);
    let amount = |x: f64| {
        let n = if x.fract() == 0.0 {
            f.num(x, 0)
        } else {
            f.num(x, 4).trim_end_matches('0').to_string()
        };
        if b.unit.is_empty() {
            n
        } else if b.unit == "%" {
            format!("{n} %")
        } else {
            format!("{n} {}", b.unit)
        }
    };
    if !v.is_finite() {
        return Err(lang.pick(
            format!("{name} needs a number"),
            format!("{name} braucht eine Zahl"),
        ));
    }
    if v < b.min {
        return Err(lang.pick(
            format!("{name} must be at least {}", amount(b.min)),
            format!("{name} muss mindestens {} sein", amount(b.min)),
        ));
    }
    if v > b.max {
        return Err(lang.pick(
            format!("{name} must be at most {}", amount(b.max)),
            format!("{name} darf höchstens {} sein", amount(b.max)),
        ));
    }
    if b.integer && v.fract() != 0.0 {
        return Err(lang.pick(
            format!("{name} must be a whole number"),
            format!("{name} muss eine ganze Zahl sein"),
        ));
    }
    Ok(v)
}

/// A typed count (passes, NICs, cores): negative or unreadable input becomes 0, which the
/// engine's validation then explains.
pub fn to_count(v: f64) -> u32 {
    if v.is_finite() && v >= 0.0 {
        v.round() as u32
    } else {
        0
    }
}
