// (Waits use locators, not waitForSelector: an element handle kept by the test would keep a
// detached view alive and look like a leak.)
//
// Soak: the page plays, a slider is dragged and the view changes (to the cluster and back)
// for SOAK_SECONDS (150 by default; `SOAK_SECONDS=1800` for the half-hour run by hand), in
// SOAK_SAMPLES rounds (10). The JS heap (after forced garbage collection), the wasm memory and
// the DOM's node count must stop growing, and the frame rate must not decay.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APP_URL, launch, openApp } from './helpers.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS || 150);
const SAMPLES = Number(process.env.SOAK_SAMPLES || 10);

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test(`soak: ${SECONDS} s of playing, dragging and chapter changes`, { timeout: (SECONDS + 120) * 1000 }, async () => {
  const { page, context, errors } = await openApp(browser, { url: `${APP_URL}?chapter=playground&lang=en` });
  await page.locator('[data-testid=verdict]').waitFor();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  // The wasm instance's memory, through the API entry (the same module instance as the page's).
  await page.evaluate(async () => {
    const lab = await import('./migration-lab.js');
    // Export names are minified in the bundle: find the memory by its type.
    const exports = await lab.default();
    window.wasmMemory = Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
  });
  const sample = async () => {
    // Two full collections a moment apart: DOM nodes are swept after the JS objects holding them.
    await cdp.send('HeapProfiler.collectGarbage');
    await page.waitForTimeout(300);
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
    const { nodes, jsEventListeners: listeners } = await cdp.send('Memory.getDOMCounters');
    const { wasm, interval } = await page.evaluate(async () => {
      const stamps = [];
      await new Promise((resolve) => {
        const tick = (ts) => {
          stamps.push(ts);
          if (stamps.length < 61) requestAnimationFrame(tick);
          else resolve();
        };
        requestAnimationFrame(tick);
      });
      const gaps = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
      return { wasm: window.wasmMemory.buffer.byteLength, interval: gaps[Math.floor(gaps.length / 2)] };
    });
    return { heap, wasm, interval, nodes, listeners };
  };
  // Work between samples: keep playing, drag the dirty rate, visit the cluster chapter (the one
  // after the playground) and come back.
  const work = async () => {
    const until = Date.now() + (SECONDS * 1000) / SAMPLES;
    let step = 0;
    while (Date.now() < until) {
      await page.evaluate((step) => {
        const slider = document.querySelector('#dirty-rate');
        if (!slider) return;
        slider.value = String(Number(slider.min) + ((step % 10) + 1) * (Number(slider.max) - Number(slider.min)) / 11);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      }, step);
      step += 1;
      await page.waitForTimeout(200);
    }
    await page.click('#chapter-next');
    await page.locator('.topology').waitFor();
    await page.waitForTimeout(1000);
    await page.click('#chapter-prev');
    await page.locator('#dirty-rate').waitFor();
  };
  const samples = [await sample()];
  for (let round = 0; round < SAMPLES; round++) {
    await page.evaluate(() => {
      const play = document.querySelector('[data-testid=play]');
      if (play && play.getAttribute('aria-pressed') !== 'true') play.click();
    });
    await work();
    samples.push(await sample());
  }
  const mb = (b) => (b / 1048576).toFixed(1);
  console.log(`# soak ${SECONDS} s: ${samples.map((s) => `heap ${mb(s.heap)} MB, wasm ${mb(s.wasm)} MB, ${s.nodes} nodes, ${s.listeners} listeners, frame ${s.interval.toFixed(1)} ms`).join(' | ')}`);
  // Growth stops: the second half adds at most a small, bounded amount to the first half's peak.
  const half = samples.slice(0, Math.ceil(samples.length / 2));
  const late = samples.slice(Math.ceil(samples.length / 2));
  const peak = (xs, k) => Math.max(...xs.map((s) => s[k]));
  assert.ok(peak(late, 'heap') <= peak(half, 'heap') * 1.1 + 512 * 1024, 'the JS heap stops growing');
  assert.ok(peak(late, 'wasm') <= peak(half, 'wasm') + 512 * 1024, 'the wasm memory stops growing');
  assert.ok(peak(late, 'nodes') <= peak(half, 'nodes') + 200, 'no view is kept after it is left');
  const first = samples[1].interval;
  const last = samples[samples.length - 1].interval;
  assert.ok(last <= first * 1.25 + 2, `the frame interval does not decay (${first.toFixed(1)} → ${last.toFixed(1)} ms)`);
  assert.deepEqual(errors, []);
});
