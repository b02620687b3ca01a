//! XBZRLE as QEMU implements it: from the second pass on, a page sent before is looked up in
//! a cache of sent pages, and on a hit only the runs of bytes that changed cross the link.
//!
//! Sources (QEMU `migration/`):
//! - `xbzrle.c`, `xbzrle_encode_buffer`: the XOR of the cached and the current page as
//!   alternating runs, `zrun nzrun bytes…`, each length a ULEB128 (one byte below 128, two up to
//!   4096); the trailing zero run is not sent; an unchanged page encodes to nothing (a skip);
//!   an encoding that would pass the page (4096 bytes) overflows and the page goes whole.
//! - `ram.c`, `save_xbzrle_page`: a hit sends the page header (8 bytes), a flag (1) and a
//!   16-bit length (2) before the encoding; a miss inserts the page into the cache and sends it
//!   whole. XBZRLE starts once the first pass has wrapped around (`find_dirty_block`), so pass 1
//!   neither uses nor fills the cache, and a page's first send after that misses: hits start in
//!   pass 3. In the stop-and-copy (`last_stage`) hits still encode and misses are not inserted.
//! - `page_cache.c`: direct-mapped on the page number, `xbzrle-cache-size` / 4096 slots
//!   (a power of two). A working set larger than the cache shares each slot among several pages
//!   and a slot yields at most one hit per pass, so the hit rate is about slots ÷ pages.
//! - Everything runs on the one migration thread (QEMU refuses XBZRLE with multifd), so on fast
//!   links that thread, not the link, bounds the pages per second.

use super::transport::{PAGE_BYTES, PAGE_HEADER_BYTES};

/// Wire bytes of a hit beyond its encoding: page header, encoding flag, length.
pub const HIT_HEADER_BYTES: f64 = PAGE_HEADER_BYTES + 1.0 + 2.0;

/// Core-seconds on the migration thread per page: a hit copies the page, encodes it against the
/// cache and copies it back (0.6 µs to encode a sparse page and 0.2 µs per 4 KiB copy, timed on
/// the project's build machine with an encoder of `xbzrle.c`'s format, `docs/model.md`; QEMU's
/// `docs/xbzrle.txt` gives 2–2.5 GB/s, 1.6–2 µs a page, for "typical workloads"); a miss copies
/// the page into the cache; an overflow has scanned the page for nothing.
pub const HIT_CORE_S: f64 = 1.0e-6;
pub const MISS_CORE_S: f64 = 0.2e-6;
pub const OVERFLOW_CORE_S: f64 = 1.0e-6;
/// The destination applies the runs to its copy of the page.
pub const DECODE_CORE_S: f64 = 0.2e-6;

/// Bytes of a ULEB128 length up to a page.
fn uleb(x: f64) -> f64 {
    if x < 128.0 {
        1.0
    } else {
        2.0
    }
}

/// Bytes of the encoding of a page in which `writes` writes of `write_bytes` each, at random
/// aligned places, changed it since it was last sent; `None` when the encoding overflows and the
/// page goes whole. Writes of fresh data change every byte they cover (a byte left equal by
/// chance is ignored); two writes to the same place change it once.
pub fn encoded_bytes(write_bytes: f64, writes: f64) -> Option<f64> {
    let w = write_bytes.clamp(1.0, PAGE_BYTES);
    let slots = (PAGE_BYTES / w).floor().max(1.0);
    // Distinct places written: a slot escapes each write with probability 1 − 1/slots.
    let runs = slots * -(writes.max(0.0) * (-1.0 / slots).ln_1p()).exp_m1();
    if runs <= 0.0 {
        return Some(0.0);
    }
    let changed = (runs * w).min(PAGE_BYTES);
    let gap = (PAGE_BYTES - changed) / runs;
    let e = changed + runs * (uleb(gap) + uleb(w));
    // `xbzrle_encode_buffer` gives up once the next run would not fit in the page.
    (e <= PAGE_BYTES - 2.0).then_some(e)
}

/// Expected writes to a page that is dirty, when its part took `coverage` writes per page over
/// the time the page was waiting (a Poisson count given it is at least one).
pub fn writes_per_dirty_page(coverage: f64) -> f64 {
    if coverage <= 1e-9 {
        1.0
    } else {
        coverage / -(-coverage).exp_m1()
    }
}

/// The share of a working set of `pages` that the cache can hold hits for at once.
pub fn cache_reach(cache_bytes: f64, pages: f64) -> f64 {
    let slots = cache_bytes / PAGE_BYTES;
    if pages <= slots {
        1.0
    } else {
        slots / pages
    }
}

/// What XBZRLE made of the pages of one transfer (a pass or the stop-and-copy).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct XbzrlePages {
    /// Pages found in the cache and sent as their changes.
    pub hits: f64,
    /// Pages not in the cache, sent whole (and inserted, except in the stop-and-copy).
    pub misses: f64,
    /// Hits whose changes were no smaller than the page: sent whole.
    pub overflows: f64,
    /// Bytes of the hits' encodings (QEMU's `xbzrle-cache.bytes` counts them plus 3 a page).
    pub encoded_bytes: f64,
}

impl XbzrlePages {
    /// Wire bytes of these pages.
    pub fn wire(&self) -> f64 {
        (self.hits - self.overflows) * HIT_HEADER_BYTES
            + self.encoded_bytes
            + (self.misses + self.overflows) * (PAGE_BYTES + PAGE_HEADER_BYTES)
    }

    /// Core-seconds on the source's migration thread and on the destination.
    pub fn core_s(&self) -> (f64, f64) {
        (
            (self.hits - self.overflows) * HIT_CORE_S
                + self.overflows * OVERFLOW_CORE_S
                + self.misses * MISS_CORE_S,
            (self.hits - self.overflows) * DECODE_CORE_S,
        )
    }

    /// Share of the pages found in the cache (QEMU reports `cache-miss-rate`, its complement).
    pub fn hit_rate(&self) -> f64 {
        let all = self.hits + self.misses;
        if all > 0.0 {
            self.hits / all
        } else {
            0.0
        }
    }
}

/// The cache's contents, as the share of each part of the working set it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cache {
    pub bytes: f64,
    /// Share of each part's pages in the cache, and the most it can hold of them.
    held: [f64; 2],
    reach: f64,
    /// Whether the first pass has ended (QEMU's `xbzrle_started`).
    started: bool,
}

impl Cache {
    /// An empty cache of `bytes` for a working set of `ws_bytes`.
    pub fn new(bytes: f64, ws_bytes: f64) -> Cache {
        Cache {
            bytes,
            held: [0.0; 2],
            reach: cache_reach(bytes, ws_bytes / PAGE_BYTES),
            started: false,
        }
    }

    /// The first pass has ended: later sends go through the cache.
    pub fn start(&mut self) {
        self.started = true;
    }

    pub fn started(&self) -> bool {
        self.started
    }

    /// Sends `pages[i]` dirty pages of part i of `sizes[i]` pages, each written
    /// `writes[i]` times since its last send by writes of `write_bytes`, plus `other`
    /// pages never sent before. Hits encode; misses are inserted unless `last` (the
    /// stop-and-copy). Pages the cache holds are spread evenly over each part, as random
    /// writes spread the dirty ones.
    pub fn send(
        &mut self,
        pages: [f64; 2],
        sizes: [f64; 2],
        writes: [f64; 2],
        other: f64,
        write_bytes: f64,
        last: bool,
    ) -> XbzrlePages {
        let mut out = XbzrlePages {
            misses: other,
            ..XbzrlePages::default()
        };
        for i in 0..2 {
            if pages[i] <= 0.0 || sizes[i] <= 0.0 {
                continue;
            }
            let hits = pages[i] * self.held[i];
            out.hits += hits;
            out.misses += pages[i] - hits;
            match encoded_bytes(write_bytes, writes[i]) {
                Some(e) => out.encoded_bytes += hits * e,
                None => out.overflows += hits,
            }
            if !last {
                // The pages sent are now in the cache, up to what it can hold.
                let sent = (pages[i] / sizes[i]).min(1.0);
                let held = 1.0 - (1.0 - self.held[i]) * (1.0 - sent);
                self.held[i] = held.min(self.reach);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_a_line_and_a_page_encode_as_xbzrle_c_does() {
        // One write somewhere in the page: the unchanged run before it (two bytes of length
        // past 127), the changed run's length (one) and its bytes; `xbzrle_encode_buffer` gives
        // 6 and 66 for a write at offset 0, where the first run is empty. A whole page of new
        // bytes overflows.
        let near = |e: Option<f64>, want: f64| (e.unwrap() - want).abs() < 1e-6;
        assert!(near(encoded_bytes(4.0, 1.0), 7.0));
        assert!(near(encoded_bytes(64.0, 1.0), 67.0));
        assert_eq!(encoded_bytes(4096.0, 1.0), None);
        assert_eq!(encoded_bytes(8.0, 0.0), Some(0.0));
        // More writes to a page change more of it, and enough of them overflow it.
        let mut last = 0.0;
        for n in [1.0, 2.0, 8.0, 32.0] {
            let e = encoded_bytes(64.0, n).unwrap();
            assert!(e > last, "{n}: {e}");
            last = e;
        }
        assert_eq!(encoded_bytes(64.0, 1000.0), None);
        // With the header, a hit of one word is 18 bytes against 4104 for the page.
        let one = XbzrlePages {
            hits: 1.0,
            encoded_bytes: 7.0,
            ..XbzrlePages::default()
        };
        assert_eq!(one.wire(), 18.0);
    }

    #[test]
    fn hits_start_in_the_third_pass_and_a_small_cache_holds_its_share() {
        let size = 8192.0;
        let mut c = Cache::new(64.0 * 1048576.0, size * PAGE_BYTES);
        c.start();
        let pass = |c: &mut Cache| c.send([size, 0.0], [size, 0.0], [1.0; 2], 0.0, 4.0, false);
        let second = pass(&mut c);
        assert_eq!(second.hits, 0.0);
        assert_eq!(second.misses, size);
        let third = pass(&mut c);
        assert_eq!(third.hits, size);
        assert!((third.wire() / size - 18.0).abs() < 1e-6);
        // A cache of an eighth of the working set: an eighth hits.
        let mut small = Cache::new(size * PAGE_BYTES / 8.0, size * PAGE_BYTES);
        small.start();
        pass(&mut small);
        let h = pass(&mut small).hit_rate();
        assert!((h - 0.125).abs() < 1e-12, "{h}");
        // The stop-and-copy inserts nothing.
        let mut last = Cache::new(1e9, size * PAGE_BYTES);
        last.start();
        last.send([size, 0.0], [size, 0.0], [1.0; 2], 0.0, 4.0, true);
        assert_eq!(pass(&mut last).hits, 0.0);
    }
}
