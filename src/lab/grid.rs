//! The lab's grid: every real migration it measures, as data, and the held-out split.
//!
//! A run is named by its inputs (`id`), so the grid can grow without renumbering, a rerun skips
//! what is already recorded, and the split of a run never changes once drawn: it is a hash of
//! the point's id with [`SPLIT_SEED`], fixed before any run was compared with the engine.

use serde::{Deserialize, Serialize};

/// The seed of the calibration/held-out draw. Changing it re-draws the split, which would let
/// a held-out run set a constant: never change it.
pub const SPLIT_SEED: u64 = 0x4c41_4232_3032_3631;

/// Seconds a run may take before the lab cancels it (QEMU has not converged). The engine is
/// given the same timeout, so "did not converge within it" is a verdict both can give.
pub const RUN_TIMEOUT_S: f64 = 30.0;

/// Guest memory the guest itself and the firmware occupy below its working set: the working
/// set starts at 4 MiB (`src/lab/guest/guest.c`) and 1 MiB at the top of RAM is left to
/// SeaBIOS's tables.
pub const WS_BASE_MIB: u32 = 4;
pub const TOP_RESERVE_MIB: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Content {
    /// Pages the guest writes zeros to: QEMU finds them zero and sends a marker.
    Zero,
    /// One non-zero word per page, the rest zero ("nearly empty").
    Word,
    /// English-like words: compresses about as prose does.
    Text,
    /// Pseudo-random bytes: does not compress.
    Random,
}

impl Content {
    pub fn code(self) -> u32 {
        match self {
            Content::Zero => 0,
            Content::Word => 1,
            Content::Text => 2,
            Content::Random => 3,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Content::Zero => "zero",
            Content::Word => "word",
            Content::Text => "text",
            Content::Random => "random",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum WritePattern {
    Sequential,
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    None,
    Zlib,
    Zstd,
}

impl Codec {
    pub fn name(self) -> &'static str {
        match self {
            Codec::None => "none",
            Codec::Zlib => "zlib",
            Codec::Zstd => "zstd",
        }
    }
}

/// What a run measures, for the tables: each group answers one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// Idle and bulk-copy runs that measure the host: always calibration.
    Profile,
    /// One connection under `max-bandwidth`: the pre-copy loop itself.
    Precopy,
    /// No bandwidth cap: what the host's CPU allows.
    Unlimited,
    /// Auto-converge throttling a guest that outruns the link.
    Autoconverge,
    /// Multifd channels and codecs.
    Multifd,
    /// XBZRLE: cache sizes against guests that change a word, a line or a whole page.
    Xbzrle,
    /// Post-copy after 0, 1 or 3 pre-copy passes, with and without `postcopy-preempt`.
    Postcopy,
}

impl Group {
    /// The groups of the pre-copy lab (issue 11's figures are theirs alone).
    pub const PRECOPY: [Group; 4] = [
        Group::Precopy,
        Group::Unlimited,
        Group::Autoconverge,
        Group::Multifd,
    ];
    /// The groups that measure what QEMU offers when pre-copy cannot converge: judged by the
    /// same targets, reported on their own.
    pub const BEYOND_PRECOPY: [Group; 2] = [Group::Xbzrle, Group::Postcopy];
}

/// The inputs of one real migration. Every one is set by the lab; none is assumed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    pub group: Group,
    pub memory_mib: u32,
    /// Working-set pages the guest writes (the rest of memory stays zero).
    pub ws_pages: u32,
    /// Page writes per second the guest aims at once its working set is filled.
    pub rate_pps: u32,
    pub pattern: WritePattern,
    pub content: Content,
    /// `max-bandwidth`, MiB/s; 0 is unlimited.
    pub max_bandwidth_mibps: u32,
    pub downtime_limit_ms: u32,
    pub auto_converge: bool,
    /// `multifd-channels`; 0 is multifd off.
    pub multifd_channels: u32,
    pub compression: Codec,
    /// Bytes one of the guest's running writes changes, from the page's start, as fresh
    /// random bytes (4: a word, 64: a cache line, 4096: the page); 0: the content's own
    /// whole-page write, as every run before this setting.
    pub write_bytes: u32,
    /// XBZRLE with `xbzrle-cache-size` of this many MiB; 0: off.
    pub xbzrle_cache_mib: u32,
    /// Post-copy (`postcopy-ram`), switched to after this many pre-copy passes (when QEMU's
    /// `dirty-sync-count` reaches it plus one; 0: at once); `None`: pre-copy to the end.
    pub postcopy_after_passes: Option<u32>,
    /// `postcopy-preempt`: faulted pages on a channel of their own.
    pub postcopy_preempt: bool,
    /// 0 for the first run of a point, 1 and 2 for its repeats.
    pub repeat: u32,
}

pub const PAGE: u64 = 4096;

/// A guest told to write this many pages a second never waits: it writes as fast as its vCPU
/// runs.
pub const FLAT_OUT_PPS: u32 = u32::MAX;

impl RunSpec {
    /// The point's name: every input but the repeat.
    pub fn point(&self) -> String {
        let pat = match self.pattern {
            WritePattern::Sequential => "seq",
            WritePattern::Random => "rnd",
        };
        let bw = if self.max_bandwidth_mibps == 0 {
            "unl".to_string()
        } else {
            self.max_bandwidth_mibps.to_string()
        };
        let rate = if self.rate_pps == FLAT_OUT_PPS {
            "max".to_string()
        } else {
            self.rate_pps.to_string()
        };
        let mut id = format!(
            "m{}-ws{}-r{rate}-{pat}-{}-bw{bw}-dl{}",
            self.memory_mib,
            self.ws_pages,
            self.content.name(),
            self.downtime_limit_ms
        );
        if self.auto_converge {
            id.push_str("-ac");
        }
        if self.multifd_channels > 0 {
            id.push_str(&format!(
                "-mf{}{}",
                self.multifd_channels,
                self.compression.name()
            ));
        }
        if self.write_bytes > 0 {
            id.push_str(&format!("-w{}", self.write_bytes));
        }
        if self.xbzrle_cache_mib > 0 {
            id.push_str(&format!("-xb{}", self.xbzrle_cache_mib));
        }
        if let Some(n) = self.postcopy_after_passes {
            id.push_str(&format!("-pc{n}"));
        }
        if self.postcopy_preempt {
            id.push_str("-pre");
        }
        id
    }

    /// The run's name: its point and, for a repeat, which one.
    pub fn id(&self) -> String {
        if self.repeat == 0 {
            self.point()
        } else {
            format!("{}-rep{}", self.point(), self.repeat)
        }
    }

    pub fn ws_bytes(&self) -> u64 {
        u64::from(self.ws_pages) * PAGE
    }

    /// The dirty rate the guest aims at, MiB/s of page writes.
    pub fn target_dirty_mibps(&self) -> f64 {
        f64::from(self.rate_pps) * PAGE as f64 / (1024.0 * 1024.0)
    }

    pub fn split(&self) -> Split {
        split_of(self.group, &self.point())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Calibration,
    Holdout,
}

/// FNV-1a, then SplitMix64's finaliser with the seed: a stable coin per point. Profile runs
/// measure the host and are always calibration.
pub fn split_of(group: Group, point: &str) -> Split {
    if group == Group::Profile {
        return Split::Calibration;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in point.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = h ^ SPLIT_SEED;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    if z & 1 == 0 {
        Split::Calibration
    } else {
        Split::Holdout
    }
}

/// Largest working set a memory size allows: all but the guest's own first 4 MiB and the
/// firmware's last MiB.
pub fn max_ws_pages(memory_mib: u32) -> u32 {
    (memory_mib - WS_BASE_MIB - TOP_RESERVE_MIB) * 256
}

/// Pages per second for `mibps` MiB/s.
fn pps(mibps: f64) -> u32 {
    (mibps * 256.0).round() as u32
}

fn ws_pages(memory_mib: u32, fraction: f64) -> u32 {
    ((f64::from(memory_mib) * fraction * 256.0).round() as u32).clamp(1, max_ws_pages(memory_mib))
}

fn base(group: Group, memory_mib: u32, ws_fraction: f64) -> RunSpec {
    RunSpec {
        group,
        memory_mib,
        ws_pages: ws_pages(memory_mib, ws_fraction),
        rate_pps: 0,
        pattern: WritePattern::Random,
        content: Content::Text,
        max_bandwidth_mibps: 0,
        downtime_limit_ms: 300,
        auto_converge: false,
        multifd_channels: 0,
        compression: Codec::None,
        write_bytes: 0,
        xbzrle_cache_mib: 0,
        postcopy_after_passes: None,
        postcopy_preempt: false,
        repeat: 0,
    }
}

/// The whole grid, in the order the lab runs it. Each run is sized so that a converging one
/// ends well within [`RUN_TIMEOUT_S`] (its working set crosses the link in at most about 6 s).
pub fn grid() -> Vec<RunSpec> {
    let mut runs = Vec::new();

    // Profile: idle guests of every size (the zero-page scan, setup and stop-time work), and
    // bulk copies of each content (what one page costs to send, and each codec's speed).
    for mem in [256, 512, 1024, 2048] {
        runs.push(base(Group::Profile, mem, 0.02));
    }
    for content in [Content::Random, Content::Text, Content::Word, Content::Zero] {
        runs.push(RunSpec {
            content,
            ..base(Group::Profile, 1024, 0.5)
        });
    }
    for (channels, codec) in [
        (2, Codec::None),
        (2, Codec::Zlib),
        (2, Codec::Zstd),
        (4, Codec::Zstd),
    ] {
        for content in [Content::Text, Content::Random] {
            runs.push(RunSpec {
                content,
                multifd_channels: channels,
                compression: codec,
                ..base(Group::Profile, 512, 0.5)
            });
        }
    }

    // Pre-copy under max-bandwidth: every cap against working sets it carries in 0.25–6 s,
    // and dirty rates from idle to beyond the cap. Patterns, contents and downtime limits
    // rotate through the points so that each value meets every cap.
    let fractions = [0.02, 0.1, 0.25, 0.5, 1.0];
    let ratios = [0.0, 0.5, 0.9, 0.95, 1.0, 1.2];
    let contents = [Content::Text, Content::Random, Content::Word, Content::Zero];
    let limits = [300, 50, 1000];
    let mut k = 0usize;
    for bw in [16u32, 32, 64, 128, 256] {
        for mem in [256u32, 512, 1024, 2048] {
            for &f in &fractions {
                let ws = ws_pages(mem, f);
                let copy_s = ws as f64 / 256.0 / f64::from(bw);
                if !(0.25..=6.0).contains(&copy_s) {
                    continue;
                }
                // Two dirty rates per size, rotating, so the grid stays about 100 runs.
                for j in 0..2 {
                    let ratio = ratios[(k + 3 * j) % ratios.len()];
                    let pattern = if (k + j) % 2 == 0 {
                        WritePattern::Random
                    } else {
                        WritePattern::Sequential
                    };
                    runs.push(RunSpec {
                        group: Group::Precopy,
                        memory_mib: mem,
                        ws_pages: ws,
                        rate_pps: pps(ratio * f64::from(bw)),
                        pattern,
                        content: contents[(k + j) % contents.len()],
                        max_bandwidth_mibps: bw,
                        downtime_limit_ms: limits[(k / 2 + j) % limits.len()],
                        auto_converge: false,
                        ..base(Group::Precopy, mem, f)
                    });
                }
                k += 1;
            }
        }
    }

    // No cap: the host's CPU and loopback set the pace.
    for (mem, f, rate, pattern, content) in [
        (512, 0.25, 0.0, WritePattern::Random, Content::Text),
        (1024, 0.5, 0.0, WritePattern::Sequential, Content::Random),
        (2048, 0.5, 0.0, WritePattern::Random, Content::Word),
        (512, 0.25, 50.0, WritePattern::Random, Content::Random),
        (1024, 0.25, 100.0, WritePattern::Sequential, Content::Text),
        (512, 0.5, 200.0, WritePattern::Random, Content::Word),
        (1024, 0.1, 200.0, WritePattern::Sequential, Content::Random),
        (2048, 0.1, 400.0, WritePattern::Random, Content::Word),
        (256, 0.5, 400.0, WritePattern::Sequential, Content::Zero),
        (1024, 1.0, 100.0, WritePattern::Random, Content::Random),
    ] {
        runs.push(RunSpec {
            rate_pps: pps(rate),
            pattern,
            content,
            ..base(Group::Unlimited, mem, f)
        });
    }

    // Auto-converge: guests at and beyond the cap, which converge only by being throttled.
    for (mem, f, bw, ratio, pattern) in [
        (512, 0.25, 32, 1.0, WritePattern::Sequential),
        (512, 0.25, 32, 1.5, WritePattern::Random),
        (1024, 0.1, 64, 1.2, WritePattern::Sequential),
        (1024, 0.25, 64, 2.0, WritePattern::Random),
        (256, 0.5, 16, 1.2, WritePattern::Random),
        (2048, 0.05, 128, 1.0, WritePattern::Sequential),
        (1024, 0.5, 128, 1.5, WritePattern::Sequential),
        (512, 0.1, 16, 3.0, WritePattern::Sequential),
    ] {
        runs.push(RunSpec {
            rate_pps: pps(ratio * f64::from(bw)),
            pattern,
            max_bandwidth_mibps: bw,
            auto_converge: true,
            content: Content::Random,
            ..base(Group::Autoconverge, mem, f)
        });
    }

    // Multifd: channels × codecs × contents, idle and dirtying, capped and not.
    let mut m = 0usize;
    for channels in [2u32, 4, 8] {
        for codec in [Codec::None, Codec::Zlib, Codec::Zstd] {
            for content in [Content::Text, Content::Random, Content::Word] {
                if (m + channels as usize) % 3 == 2 {
                    m += 1;
                    continue;
                }
                let (bw, rate) = if m % 2 == 0 { (0, 0.0) } else { (128, 64.0) };
                runs.push(RunSpec {
                    content,
                    multifd_channels: channels,
                    compression: codec,
                    max_bandwidth_mibps: bw,
                    rate_pps: pps(rate),
                    pattern: if m % 4 < 2 {
                        WritePattern::Random
                    } else {
                        WritePattern::Sequential
                    },
                    ..base(Group::Multifd, 512, 0.25)
                });
                m += 1;
            }
        }
    }

    // Repeats: ten points spread over the groups, each run twice more for the noise.
    let firsts: Vec<RunSpec> = runs.clone();
    let step = firsts.len() / 10;
    for i in 0..10 {
        let p = firsts[3 + i * step];
        for repeat in 1..=2 {
            runs.push(RunSpec { repeat, ..p });
        }
    }

    // Auto-converge slows the guest's vCPUs, not its writes: a guest that writes at a set pace
    // catches up after each throttle sleep, and only one that writes flat out (as many pages
    // as its CPU time allows) is slowed in proportion. These guests write flat out.
    for (mem, f, bw, pattern) in [
        (512, 0.25, 32, WritePattern::Random),
        (1024, 0.1, 64, WritePattern::Sequential),
        (256, 0.5, 128, WritePattern::Random),
        (2048, 0.05, 64, WritePattern::Sequential),
    ] {
        runs.push(RunSpec {
            rate_pps: FLAT_OUT_PPS,
            pattern,
            max_bandwidth_mibps: bw,
            auto_converge: true,
            content: Content::Random,
            ..base(Group::Autoconverge, mem, f)
        });
    }

    // Profile additions: the bulk copy that sets the stream rate, twice more (one run of it
    // left the profile at the mercy of the noise), and nearly empty pages through each codec.
    let bulk = RunSpec {
        content: Content::Random,
        ..base(Group::Profile, 1024, 0.5)
    };
    for repeat in 1..=2 {
        runs.push(RunSpec { repeat, ..bulk });
    }
    for codec in [Codec::Zlib, Codec::Zstd] {
        runs.push(RunSpec {
            content: Content::Word,
            multifd_channels: 2,
            compression: codec,
            ..base(Group::Profile, 512, 0.5)
        });
    }

    runs.extend(beyond_precopy());
    runs
}

/// A word, a cache line and a whole page: what one write of the guest changes.
pub const WRITE_SIZES: [u32; 3] = [4, 64, 4096];

/// The XBZRLE and post-copy runs (`docs/lab.md`, "When pre-copy cannot converge"). Their guest
/// is 256 MiB with a 32 MiB working set of random pages, written at random at twice a
/// 16 MiB/s cap unless said otherwise: pre-copy alone never converges there.
fn beyond_precopy() -> Vec<RunSpec> {
    let mut runs = Vec::new();
    let outrun = |group: Group, bw: u32, ratio: f64| RunSpec {
        content: Content::Random,
        max_bandwidth_mibps: bw,
        rate_pps: pps(ratio * f64::from(bw)),
        ..base(group, 256, 0.125)
    };

    // XBZRLE: the cache from an eighth of the working set to twice it, against each write size.
    let xb = |cache: u32, write_bytes: u32| RunSpec {
        xbzrle_cache_mib: cache,
        write_bytes,
        ..outrun(Group::Xbzrle, 16, 2.0)
    };
    for cache in [4, 16, 64] {
        for w in WRITE_SIZES {
            runs.push(xb(cache, w));
        }
    }
    // A faster link and a guest at 1.5 × it; a sequential sweep; no cap (the migration
    // thread's CPU sets the pace); a working set of 64 MiB against caches of half and all of it.
    for w in WRITE_SIZES {
        runs.push(RunSpec {
            xbzrle_cache_mib: 64,
            write_bytes: w,
            ..outrun(Group::Xbzrle, 32, 1.5)
        });
    }
    for w in [4, 64] {
        runs.push(RunSpec {
            pattern: WritePattern::Sequential,
            ..xb(64, w)
        });
    }
    runs.push(RunSpec {
        max_bandwidth_mibps: 0,
        rate_pps: pps(64.0),
        ..xb(64, 4)
    });
    for cache in [32, 64] {
        runs.push(RunSpec {
            ws_pages: ws_pages(256, 0.25),
            xbzrle_cache_mib: cache,
            write_bytes: 4,
            ..outrun(Group::Xbzrle, 32, 1.5)
        });
    }

    // Post-copy after 0, 1 and 3 passes, with and without preempt, for a random and a
    // sequential writer; QEMU's `max-postcopy-bandwidth` stays its default (no cap).
    let pc = |after: u32, preempt: bool| RunSpec {
        postcopy_after_passes: Some(after),
        postcopy_preempt: preempt,
        ..outrun(Group::Postcopy, 16, 2.0)
    };
    for after in [0, 1, 3] {
        for preempt in [false, true] {
            for pattern in [WritePattern::Random, WritePattern::Sequential] {
                runs.push(RunSpec {
                    pattern,
                    ..pc(after, preempt)
                });
            }
        }
    }
    // An idle guest (the blackout with nothing to fault on); four times the memory (the
    // blackout does not grow with it); post-copy after XBZRLE passes.
    runs.push(RunSpec {
        rate_pps: 0,
        ..pc(0, false)
    });
    for after in [0, 1] {
        runs.push(RunSpec {
            memory_mib: 1024,
            ..pc(after, false)
        });
    }
    runs.push(RunSpec {
        xbzrle_cache_mib: 64,
        write_bytes: 4096,
        ..pc(3, false)
    });
    runs.push(RunSpec {
        xbzrle_cache_mib: 4,
        write_bytes: 64,
        ..pc(1, false)
    });

    // Repeats: two points of each group, twice more.
    let repeated = [xb(64, 4), xb(16, 64), pc(1, false), pc(0, true)];
    for p in repeated {
        for repeat in 1..=2 {
            runs.push(RunSpec { repeat, ..p });
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_grid_has_at_least_150_distinct_runs_and_ten_repeated_points() {
        let g = grid();
        assert!(g.len() >= 150, "{} runs", g.len());
        let ids: HashSet<String> = g.iter().map(RunSpec::id).collect();
        assert_eq!(ids.len(), g.len(), "run ids repeat");
        let repeated: HashSet<String> = g
            .iter()
            .filter(|r| r.repeat > 0)
            .map(RunSpec::point)
            .collect();
        assert!(repeated.len() >= 10);
        for r in &g {
            assert!(
                r.ws_pages >= 1 && r.ws_pages <= max_ws_pages(r.memory_mib),
                "{}",
                r.id()
            );
        }
    }

    #[test]
    fn the_grid_covers_the_ranges_the_lab_promises() {
        let g = grid();
        let mem: HashSet<u32> = g.iter().map(|r| r.memory_mib).collect();
        assert!(mem.contains(&256) && mem.contains(&2048));
        let caps: HashSet<u32> = g.iter().map(|r| r.max_bandwidth_mibps).collect();
        for bw in [0, 16, 32, 64, 128, 256] {
            assert!(caps.contains(&bw), "max-bandwidth {bw}");
        }
        let limits: HashSet<u32> = g.iter().map(|r| r.downtime_limit_ms).collect();
        assert!(limits.contains(&50) && limits.contains(&1000));
        assert!(g.iter().any(|r| r.auto_converge));
        for codec in [Codec::None, Codec::Zlib, Codec::Zstd] {
            for ch in [2, 4, 8] {
                assert!(
                    g.iter()
                        .any(|r| r.multifd_channels == ch && r.compression == codec),
                    "multifd {ch} × {codec:?}"
                );
            }
        }
        for c in [Content::Zero, Content::Word, Content::Text, Content::Random] {
            assert!(g
                .iter()
                .any(|r| r.content == c && r.group == Group::Precopy));
        }
        // Dirty rates from idle to beyond the cap, in the pre-copy group.
        let ratios: Vec<f64> = g
            .iter()
            .filter(|r| r.group == Group::Precopy)
            .map(|r| r.target_dirty_mibps() / f64::from(r.max_bandwidth_mibps))
            .collect();
        for want in [0.0, 0.5, 0.9, 1.0, 1.2] {
            assert!(
                ratios.iter().any(|x| (x - want).abs() < 0.01),
                "ratio {want}"
            );
        }
        let frac: Vec<f64> = g
            .iter()
            .map(|r| r.ws_bytes() as f64 / (f64::from(r.memory_mib) * 1048576.0))
            .collect();
        assert!(frac.iter().any(|&f| f <= 0.02) && frac.iter().any(|&f| f >= 0.99));
    }

    #[test]
    fn the_runs_before_xbzrle_and_post_copy_keep_their_names_and_inputs() {
        // Every recorded run's name is its point: the new settings, at their "off" values,
        // add nothing to it, so no recorded run changes its meaning or its split.
        let g = grid();
        let old: Vec<&RunSpec> = g
            .iter()
            .filter(|r| !Group::BEYOND_PRECOPY.contains(&r.group))
            .collect();
        assert_eq!(old.len(), 188);
        for r in &old {
            assert_eq!(
                (
                    r.write_bytes,
                    r.xbzrle_cache_mib,
                    r.postcopy_after_passes,
                    r.postcopy_preempt
                ),
                (0, 0, None, false),
                "{}",
                r.id()
            );
            for suffix in ["-w4", "-w64", "-xb", "-pc", "-pre"] {
                assert!(!r.id().contains(suffix), "{}", r.id());
            }
        }
        // The first recorded point keeps its name and its draw.
        let first = g[0];
        assert_eq!(first.id(), "m256-ws1311-r0-rnd-text-bwunl-dl300");
        assert_eq!(first.split(), Split::Calibration);
    }

    #[test]
    fn xbzrle_runs_cross_cache_sizes_with_write_sizes_where_pre_copy_alone_cannot_converge() {
        let g = grid();
        let xb: Vec<&RunSpec> = g.iter().filter(|r| r.group == Group::Xbzrle).collect();
        for cache in [4, 16, 64] {
            for w in WRITE_SIZES {
                assert!(
                    xb.iter().any(|r| r.xbzrle_cache_mib == cache
                        && r.write_bytes == w
                        && r.max_bandwidth_mibps == 16),
                    "cache {cache} MiB × write {w} B"
                );
            }
        }
        for r in &xb {
            // QEMU's rules: a power-of-two number of pages, no multifd, no post-copy here.
            assert!(r.xbzrle_cache_mib.is_power_of_two(), "{}", r.id());
            assert_eq!(r.multifd_channels, 0);
            assert_eq!(r.postcopy_after_passes, None);
            assert!(WRITE_SIZES.contains(&r.write_bytes), "{}", r.id());
            assert!(r.id().contains(&format!("-xb{}", r.xbzrle_cache_mib)));
            // Every capped run's guest outruns its cap: only XBZRLE can make it converge.
            if r.max_bandwidth_mibps > 0 {
                assert!(r.target_dirty_mibps() >= 1.5 * f64::from(r.max_bandwidth_mibps));
            }
        }
        assert!(xb.iter().any(|r| r.max_bandwidth_mibps == 0));
        assert!(xb.iter().any(|r| r.pattern == WritePattern::Sequential));
    }

    #[test]
    fn post_copy_runs_switch_after_0_1_and_3_passes_with_and_without_preempt() {
        let g = grid();
        let pc: Vec<&RunSpec> = g.iter().filter(|r| r.group == Group::Postcopy).collect();
        for after in [0, 1, 3] {
            for preempt in [false, true] {
                assert!(
                    pc.iter().any(|r| r.postcopy_after_passes == Some(after)
                        && r.postcopy_preempt == preempt
                        && r.rate_pps > 0),
                    "after {after}, preempt {preempt}"
                );
            }
        }
        for r in &pc {
            assert!(r.postcopy_after_passes.is_some(), "{}", r.id());
            assert_eq!(r.multifd_channels, 0);
            assert!(r.id().contains("-pc"));
            assert_eq!(r.point().ends_with("-pre"), r.postcopy_preempt);
        }
        // The blackout against memory size, and post-copy after XBZRLE passes.
        assert!(pc.iter().any(|r| r.memory_mib == 1024));
        assert!(pc.iter().any(|r| r.xbzrle_cache_mib > 0));
        assert!(pc.iter().any(|r| r.rate_pps == 0));
    }

    #[test]
    fn xbzrle_and_post_copy_runs_are_split_and_repeated_like_the_others() {
        let g = grid();
        for group in Group::BEYOND_PRECOPY {
            let runs: Vec<&RunSpec> = g.iter().filter(|r| r.group == group).collect();
            let firsts: Vec<&&RunSpec> = runs.iter().filter(|r| r.repeat == 0).collect();
            let held = firsts
                .iter()
                .filter(|r| r.split() == Split::Holdout)
                .count();
            // Each group has points on both sides of the seeded draw.
            assert!(
                held > 0 && held < firsts.len(),
                "{group:?}: {held} held out"
            );
            assert_eq!(runs.iter().filter(|r| r.repeat > 0).count(), 4, "{group:?}");
        }
    }

    #[test]
    fn the_split_is_about_half_and_repeats_share_their_points_split() {
        let g = grid();
        let rest: Vec<&RunSpec> = g.iter().filter(|r| r.group != Group::Profile).collect();
        let held = rest.iter().filter(|r| r.split() == Split::Holdout).count();
        let share = held as f64 / rest.len() as f64;
        assert!((0.35..=0.65).contains(&share), "held-out share {share}");
        for r in g.iter().filter(|r| r.repeat > 0) {
            let first = g
                .iter()
                .find(|f| f.repeat == 0 && f.point() == r.point())
                .unwrap();
            assert_eq!(r.split(), first.split());
        }
        assert!(g
            .iter()
            .filter(|r| r.group == Group::Profile)
            .all(|r| r.split() == Split::Calibration));
    }
}
