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

  const result = {
    resimulate_ms: { median: quantile(resim, 0.5), p95: quantile(resim, 0.95), runs: resim.length },
    frame_interval_ms: { median: quantile(frames, 0.5), p95: quantile(frames, 0.95), frames: frames.length },
  };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2));
  console.log('browser benchmark (headless Chromium, software rendering)');
  console.log(`  slider → re-simulated and painted: median ${result.resimulate_ms.median.toFixed(1)} ms, p95 ${result.resimulate_ms.p95.toFixed(1)} ms`);
  console.log(`  frame interval while playing:      median ${result.frame_interval_ms.median.toFixed(1)} ms, p95 ${result.frame_interval_ms.p95.toFixed(1)} ms`);
  console.log(`  written to ${out}`);
} finally {
  await browser.close();
}
