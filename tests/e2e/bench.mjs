// Browser benchmark (run by `cargo xtask bench`): re-simulation latency after a slider moves,
// and frame intervals while a migration plays. Prints a table and writes
// target/bench-browser.json. Measures; asserts nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { APP_URL, launch, openApp } from './helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '..', '..', 'target', 'bench-browser.json');

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const browser = await launch();
try {
  const { page } = await openApp(browser, { url: `${APP_URL}?chapter=playground&lang=en` });
  await page.click('[data-testid=play]'); // pause autoplay

  // Slider → new trace → DOM and canvases updated → next frame painted.
  const resim = await page.evaluate(async () => {
    const slider = document.querySelector('#dirty-rate');
    const times = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      slider.value = String(20 + (i % 20) * 50);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => r()));
      times.push(performance.now() - t0);
    }
    return times;
  });

  // Frame intervals while playing.
  await page.click('[data-testid=play]');
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const stamps = [];
        const tick = (ts) => {
          stamps.push(ts);
          if (stamps.length < 180) requestAnimationFrame(tick);
          else resolve(stamps.slice(1).map((t, i) => t - stamps[i]));
        };
        requestAnimationFrame(tick);
      }),
  );

  // Frame intervals while a view recomputes between frames: after a control changes, a sweep
  // (24 runs) or a comparison (2–3 runs) and the spread start again while the animation plays.
  const whileRecomputing = async (chapter, sel) => {
    const { page: p } = await openApp(browser, { url: `${APP_URL}?chapter=${chapter}&lang=en` });
    await p.waitForSelector(sel);
    return p.evaluate(async (sel) => {
      const stamps = [];
      const done = new Promise((resolve) => {
        const tick = (ts) => {
          stamps.push(ts);
          if (stamps.length < 120) requestAnimationFrame(tick);
          else resolve();
        };
        requestAnimationFrame(tick);
      });
      // Nudge the first slider of the chapter every 20 frames.
      const slider = document.querySelector('.controls input[type=range]');
      for (let i = 0; i < 6 && slider; i++) {
        await new Promise((r) => setTimeout(r, 330));
        slider.value = String(Number(slider.min) + ((i % 3) + 1) * (Number(slider.max) - Number(slider.min)) / 4);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      }
      await done;
      return stamps.slice(1).map((t, i) => t - stamps[i]);
    }, sel);
  };
  const sweepFrames = await whileRecomputing('buffers', '[data-testid=sweep]');
  const compareFrames = await whileRecomputing('smb-rdma', '[data-testid=compare]');

  const result = {
    resimulate_ms: { median: quantile(resim, 0.5), p95: quantile(resim, 0.95), runs: resim.length },
    frame_interval_ms: { median: quantile(frames, 0.5), p95: quantile(frames, 0.95), frames: frames.length },
    frame_interval_sweep_ms: { median: quantile(sweepFrames, 0.5), p95: quantile(sweepFrames, 0.95), frames: sweepFrames.length },
    frame_interval_compare_ms: { median: quantile(compareFrames, 0.5), p95: quantile(compareFrames, 0.95), frames: compareFrames.length },
  };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2));
  console.log('browser benchmark (headless Chromium, software rendering)');
  console.log(`  slider → re-simulated and painted: median ${result.resimulate_ms.median.toFixed(1)} ms, p95 ${result.resimulate_ms.p95.toFixed(1)} ms`);
  console.log(`  frame interval while playing:      median ${result.frame_interval_ms.median.toFixed(1)} ms, p95 ${result.frame_interval_ms.p95.toFixed(1)} ms`);
  console.log(`  frames while a sweep recomputes:   median ${result.frame_interval_sweep_ms.median.toFixed(1)} ms, p95 ${result.frame_interval_sweep_ms.p95.toFixed(1)} ms`);
  console.log(`  frames while a comparison reruns:  median ${result.frame_interval_compare_ms.median.toFixed(1)} ms, p95 ${result.frame_interval_compare_ms.p95.toFixed(1)} ms`);
  console.log(`  written to ${out}`);
} finally {
  await browser.close();
}
