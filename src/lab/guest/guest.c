/*
 * Migration Lab's lab guest: writes memory at a set rate, in a set pattern and with a set
 * content, and counts what it wrote, so that a real QEMU migration of it has known inputs.
 *
 * The lab patches `params` in the ELF file before each run (it finds the "MLABPARM" magic)
 * and reads `struct counters` at COUNTERS_ADDR through QMP (`human-monitor-command`, `xp`).
 *
 * Memory the guest touches: its own image at 1 MiB, the counters and the working set from
 * params.ws_base on. All other guest RAM stays zero.
 */
#include <stdint.h>

#define PAGE 4096u
#define COUNTERS_ADDR 0x300000u
#define PIT_HZ 1193182u
/* The timer interrupt wakes a guest that is ahead of its rate: 1 ms. */
#define TICK_DIVISOR 1193u

enum pattern { SEQUENTIAL = 0, RANDOM = 1 };
enum content { ZERO = 0, WORD = 1, TEXT = 2, NOISE = 3 };
enum state { BOOTING = 0, FILLING = 1, RUNNING = 2 };

struct params {
    char magic[8];
    uint32_t ws_base;   /* physical address of the first working-set page */
    uint32_t ws_pages;  /* pages in the working set */
    uint32_t rate_pps;  /* page writes per second once filled; 0: idle */
    uint32_t pattern;   /* enum pattern */
    uint32_t content;   /* enum content */
    uint32_t seed;      /* for the random pattern and the page contents */
    uint32_t write_bytes; /* bytes one running write changes, from the page's start: 4 (a
                           * word), 64 (a cache line), 4096 (the page), always fresh random
                           * bytes; 0: the content's whole-page write, as before this field */
};

volatile struct params params = {
    {'M', 'L', 'A', 'B', 'P', 'A', 'R', 'M'}, 0x400000u, 256u, 0u, SEQUENTIAL, TEXT, 1u, 0u,
};

/* What the lab reads. Written only by the guest. */
struct counters {
    uint32_t magic;        /* "MLAB" once the guest runs */
    uint32_t state;        /* enum state */
    uint32_t pages_lo;     /* page writes since the fill ended */
    uint32_t pages_hi;
    uint32_t fill_pages;   /* working-set pages written by the fill */
    uint32_t tsc_per_ms;   /* the time stamp counter's rate, calibrated against the PIT */
    uint32_t tsc_lo;       /* the time stamp counter at the last write */
    uint32_t tsc_hi;
};

extern volatile uint32_t timer_ticks;

static inline void outb(uint16_t port, uint8_t v) {
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Sleeps until the next interrupt: `sti; hlt` is atomic (sti takes effect after hlt). */
static inline void wait_for_tick(void) {
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* 64-by-32-bit division without libgcc: two `divl`, high half first. */
static uint64_t udiv64(uint64_t n, uint32_t d) {
    uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi, qlo, r;
    __asm__("divl %4" : "=a"(qhi), "=d"(r) : "a"(hi), "d"(0u), "rm"(d));
    __asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
    (void)r;
    return ((uint64_t)qhi << 32) | qlo;
}

static uint32_t rng;
static uint32_t xorshift(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* The 64 most frequent English words: a text-like page is a random sequence of them, which
 * deflate and zstd compress roughly as prose (repeated words over a small alphabet). Each page
 * is drawn anew, so pages share words but never whole runs of bytes, as in a real guest. */
static const char *const words[64] = {
    "the ", "of ", "and ", "to ", "in ", "a ", "is ", "that ", "for ", "it ", "as ", "was ",
    "with ", "be ", "by ", "on ", "not ", "he ", "this ", "are ", "or ", "his ", "from ",
    "at ", "which ", "but ", "have ", "an ", "had ", "they ", "you ", "were ", "their ",
    "one ", "all ", "we ", "can ", "her ", "has ", "there ", "been ", "if ", "more ", "when ",
    "will ", "would ", "who ", "so ", "no ", "she ", "other ", "its ", "may ", "these ",
    "about ", "into ", "than ", "them ", "only ", "some ", "could ", "time ", "what ", "out ",
};

/* One page write of the configured content; `stamp` differs from write to write. */
static void write_page(uint32_t index, uint32_t stamp) {
    volatile uint32_t *page = (volatile uint32_t *)(params.ws_base + index * PAGE);
    uint32_t i = 0;
    switch (params.content) {
    case ZERO:
        page[0] = 0;
        break;
    case WORD:
        page[0] = stamp | 1u;
        break;
    case TEXT: {
        volatile uint8_t *bytes = (volatile uint8_t *)page;
        while (i < PAGE) {
            const char *w = words[xorshift() & 63u];
            while (*w && i < PAGE) bytes[i++] = (uint8_t)*w++;
        }
        page[0] = stamp;
        break;
    }
    default:
        for (; i < PAGE / 4; i++) page[i] = xorshift();
        break;
    }
}

/* A running write that changes only the first `params.write_bytes` bytes of a page (whole
 * words, at least one), each drawn anew (xorshift never gives 0, and a byte repeats its old
 * value 1 time in 256): what XBZRLE sees of a guest that rewrites a counter (a word), a cache
 * line or a whole page. The rest of the page keeps what the fill wrote. */
static void write_part(uint32_t index) {
    volatile uint32_t *page = (volatile uint32_t *)(params.ws_base + index * PAGE);
    uint32_t words = params.write_bytes / 4u;
    if (words == 0) words = 1;
    if (words > PAGE / 4u) words = PAGE / 4u;
    for (uint32_t i = 0; i < words; i++) page[i] = xorshift();
}

static uint32_t next_index(uint32_t *cursor) {
    if (params.pattern == RANDOM) return xorshift() % params.ws_pages;
    uint32_t i = *cursor;
    *cursor = i + 1 == params.ws_pages ? 0 : i + 1;
    return i;
}

void guest_main(void) {
    volatile struct counters *c = (volatile struct counters *)COUNTERS_ADDR;
    c->state = BOOTING;
    rng = params.seed ? params.seed : 1u;

    /* PIT channel 0, rate generator at 1 kHz; only IRQ 0 unmasked. */
    outb(0x43, 0x34);
    outb(0x40, TICK_DIVISOR & 0xff);
    outb(0x40, TICK_DIVISOR >> 8);
    outb(0x21, 0xfe);
    outb(0xa1, 0xff);

    /* The time stamp counter's rate over 100 ticks of the PIT (≈ 100 ms). */
    uint32_t t0 = timer_ticks;
    while (timer_ticks == t0) wait_for_tick();
    uint64_t tsc0 = rdtsc();
    uint32_t start = timer_ticks;
    while (timer_ticks - start < 100u) wait_for_tick();
    uint64_t ticks_tsc = rdtsc() - tsc0;
    /* 100 ticks of TICK_DIVISOR PIT periods each: tsc per ms = tsc · PIT_HZ / (100 · 1193 · 1000). */
    uint32_t tsc_per_ms = (uint32_t)udiv64(udiv64(ticks_tsc * 1000u, 100u * TICK_DIVISOR) * PIT_HZ, 1000000u);
    c->tsc_per_ms = tsc_per_ms;
    c->magic = 0x42414c4du; /* "MLAB" */

    c->state = FILLING;
    uint32_t stamp = 0;
    for (uint32_t i = 0; i < params.ws_pages; i++) {
        write_page(i, ++stamp);
        c->fill_pages = i + 1;
    }
    uint64_t now = rdtsc();
    c->tsc_lo = (uint32_t)now;
    c->tsc_hi = (uint32_t)(now >> 32);
    c->state = RUNNING;
    if (params.rate_pps == 0) {
        for (;;) wait_for_tick();
    }

    /* A write is due every tsc_per_page; a guest held up (descheduled, stopped) catches up
     * at most 50 ms of writes at once. */
    uint64_t per_page = udiv64((uint64_t)tsc_per_ms * 1000u, params.rate_pps);
    if (per_page == 0) per_page = 1;
    uint64_t catch_up = (uint64_t)tsc_per_ms * 50u;
    uint64_t due = now, pages = 0;
    uint32_t cursor = 0;
    for (;;) {
        now = rdtsc();
        if (now < due) {
            wait_for_tick();
            continue;
        }
        if (now - due > catch_up) due = now - catch_up;
        if (params.write_bytes) {
            write_part(next_index(&cursor));
        } else {
            write_page(next_index(&cursor), ++stamp);
        }
        due += per_page;
        pages++;
        c->pages_lo = (uint32_t)pages;
        c->pages_hi = (uint32_t)(pages >> 32);
        c->tsc_lo = (uint32_t)now;
        c->tsc_hi = (uint32_t)(now >> 32);
    }
}
