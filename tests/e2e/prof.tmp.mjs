// Temporary: where a slider step's time goes (trace of a drag).
import { APP_URL, launch, openApp } from './helpers.mjs';
const url = process.argv[2] ?? `${APP_URL}?chapter=playground&lang=en`;
const sel = process.argv[3] ?? '#dirty-rate';
const browser = await launch();
const { page, context } = await openApp(browser, { url, contextOptions: { reducedMotion: 'reduce' } });
await page.waitForTimeout(1500);
const drag = (n) => page.evaluate(async ({ sel, n }) => {
  const el = document.querySelector(sel);
  const [min, max] = [Number(el.min), Number(el.max)];
  const work = [];
  for (let i = 0; i < n; i++) {
    await new Promise((r) => requestAnimationFrame(() => {
      const t0 = performance.now();
      el.value = String(min + ((i % 20) + 1) * (max - min) / 21);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      requestAnimationFrame(() => { work.push(performance.now() - t0); r(); });
      Promise.resolve().then(() => {});
    }));
  }
  return work;
}, { sel, n });
await drag(30);
const cdp = await context.newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink', transferMode: 'ReportEvents' });
const work = (await drag(40)).sort((a, b) => a - b);
await cdp.send('Tracing.end');
await done;
console.log('work median', work[20].toFixed(1), 'p95', work[38].toFixed(1));
const main = events.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'input');
const tid = main[0]?.tid;
const raf = events.filter((e) => e.tid === tid && e.name === 'FireAnimationFrame').map((e) => e.ts).sort((a, b) => a - b);
const ins = main.filter((e) => e.tid === tid).map((d) => ({ ts: d.ts, dur: (raf.find((t) => t > d.ts + d.dur) ?? d.ts + d.dur) - d.ts }));
const by = new Map();
for (const e of events.filter((e) => e.tid === tid && e.ph === 'X' && e.dur)) {
  // inside an input dispatch
  if (!ins.some((d) => e.ts >= d.ts && e.ts + e.dur <= d.ts + d.dur)) continue;
  const k = e.name;
  const v = by.get(k) ?? [0, 0];
  v[0] += e.dur / 1000; v[1] += 1;
  by.set(k, v);
}
console.log('input dispatches', ins.length, 'mean', (ins.reduce((a, e) => a + e.dur, 0) / ins.length / 1000).toFixed(2), 'ms');
for (const [k, [ms, n]] of [...by].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25)) console.log(k.padEnd(40), (ms / ins.length).toFixed(3), 'ms/input', n);
await context.close();
await browser.close();
