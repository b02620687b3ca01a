// End to end: the playground's "Checked against real QEMU" panel, the lab's runs against the
// engine, and a lab run opened with QEMU's measurements over the engine's curve.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import path from 'node:path';

import { APP_URL, SCREENSHOT_DIR, launch, openApp, pixels, screenshot, text } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A held-out pre-copy run that takes QEMU a few seconds (validation/lab/qemu.csv). */
const RUN = 'm1024-ws26214-r0-rnd-text-bw64-dl300';
const BLUE = [0x1a, 0x66, 0xd6];
const ORANGE = [0xe8, 0x71, 0x0a];

async function open(lang = 'en') {
  const opened = await openApp(browser, { wait: false, url: `${APP_URL}?chapter=playground&lang=${lang}` });
  await opened.page.waitForSelector('#lab-scatter', { timeout: 30_000 });
  return opened;
}

test('the held-out figures, each against its target, and the scatter of every run', async () => {
  const { page, errors } = await open();
  const rows = await page.$$eval('[data-testid=lab-targets] tbody tr', (trs) =>
    trs.map((tr) => [...tr.children].map((td) => td.textContent)),
  );
  assert.equal(rows.length, 5);
  for (const [what, value, verdict] of rows) {
    assert.match(what, /≥|≤|within/);
    assert.match(value, /^\d+(\.\d)? %$|^\d+ runs over$/, what);
    assert.match(verdict, /^(met|missed)$/, what);
  }
  // The scatter's points: calibration hollow in orange, held-out filled in blue.
  await page.waitForTimeout(300);
  assert.ok((await pixels(page, '#lab-scatter', BLUE)) > 500, 'held-out points drawn');
  assert.ok((await pixels(page, '#lab-scatter', ORANGE)) > 200, 'calibration points drawn');
  assert.deepEqual(errors, []);
});

test('a lab run opens on the lab host with QEMU\'s bytes left drawn over the engine\'s', async () => {
  const { page, errors } = await open();
  await page.selectOption('#lab-run', RUN);
  await page.click('#lab-open');
  await page.waitForSelector('[data-testid=lab-opened]');
  assert.match(await page.locator('.lab-opened h3').innerText(), new RegExp(RUN));
  // The playground now runs the lab run's inputs on the lab's host.
  assert.equal(await page.$eval('#host', (e) => e.value), 'lab');
  assert.equal(await page.$eval('#policy', (e) => e.value), 'qemu');
  const totals = await text(page, 'lab-totals');
  const engine = totals.match(/the engine, for the scenario as it is now: (.+)$/)[1];
  assert.equal(await text(page, 'total-time'), engine, 'the panel reports the playground\'s run');
  assert.match(totals, /QEMU measured: \d+(\.\d+)? s/);
  await page.waitForTimeout(300);
  assert.ok((await pixels(page, '#lab-left', BLUE)) > 200, "the engine's curve");
  assert.ok((await pixels(page, '#lab-left', ORANGE)) > 100, "QEMU's samples");
  await (await page.$('#lab')).screenshot({ path: path.join(SCREENSHOT_DIR, 'lab-opened.png') });
  // Off the lab host, the curves are for different inputs, and the panel says so.
  assert.equal(await page.locator('.lab-opened .hint').count(), 0);
  await page.selectOption('#host', 'datacentre');
  await page.locator('.lab-opened .hint').waitFor();
  assert.notEqual(await text(page, 'total-time'), engine, 'a data centre moves it faster');
  await page.click('#lab-close');
  assert.equal(await page.locator('[data-testid=lab-opened]').count(), 0);
  await screenshot(page, 'lab.png');
  assert.deepEqual(errors, []);
});

test('the panel speaks German', async () => {
  const { page, errors } = await open('de');
  assert.equal(await page.locator('#lab-title').innerText(), 'Geprüft an echtem QEMU');
  const verdicts = await page.$$eval('[data-testid=lab-targets] tbody tr td:last-child', (tds) =>
    tds.map((td) => td.textContent),
  );
  assert.ok(verdicts.every((v) => v === 'erreicht' || v === 'verfehlt'), verdicts.join());
  assert.deepEqual(errors, []);
});
