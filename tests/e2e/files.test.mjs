// End to end: the scenario saved as a file opens again as the same scenario (file picker and
// drag and drop), bad files are refused with the field's name, results and charts download.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { APP_URL, launch, openApp, text } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const open = async (query = 'chapter=playground&lang=en') => {
  const opened = await openApp(browser, {
    url: `${APP_URL}?${query}`,
    contextOptions: { reducedMotion: 'reduce', acceptDownloads: true },
  });
  await opened.page.waitForSelector('[data-testid=verdict]');
  return opened;
};

/** Clicks `selector` and returns the downloaded file's name and bytes. */
async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const where = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(where) };
}

/** The size the browser draws SVG `text` at, [width, height] in pixels: it opens as a picture. */
const pictureSize = (page, text) =>
  page.evaluate(async (text) => {
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  }, text);

/** Asserts that `bytes` start with the PNG signature. */
const assertPng = (bytes, what) => assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], what);

test('a saved scenario opens again as the same scenario, by picker and by drop', async () => {
  const { page, errors } = await open();
  await page.fill('#memory-value', '4');
  await page.press('#memory-value', 'Tab');
  await page.fill('#dirty-rate-value', '120');
  await page.press('#dirty-rate-value', 'Tab');
  const saved = await download(page, '#save-scenario');
  assert.equal(saved.name, 'scenario.json');
  const scenario = JSON.parse(saved.bytes.toString());
  assert.equal(scenario.vm.memory_mib, 4096);
  assert.equal(scenario.vm.dirty_rate_mibps, 120);
  const total = await text(page, 'total-time');

  // A fresh page (the default scenario) opens the file through the picker.
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-'));
  const file = path.join(dir, 'scenario.json');
  writeFileSync(file, saved.bytes);
  const fresh = await open();
  assert.equal(await fresh.page.inputValue('#memory-value'), '8');
  await fresh.page.setInputFiles('#open-scenario', file);
  await fresh.page.waitForFunction(() => document.getElementById('memory-value').value === '4');
  assert.equal(await fresh.page.inputValue('#dirty-rate-value'), '120');
  assert.equal(await text(fresh.page, 'total-time'), total);
  const again = await download(fresh.page, '#save-scenario');
  assert.deepEqual(JSON.parse(again.bytes.toString()), scenario, 'export → import → export is unchanged');

  // Dropped on the page, it opens the same way.
  const third = await open('chapter=precopy&lang=en');
  await third.page.evaluate((json) => {
    const data = new DataTransfer();
    data.items.add(new File([json], 'dropped.json', { type: 'application/json' }));
    document.querySelector('.lab').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, saved.bytes.toString());
  await third.page.waitForFunction(() => document.getElementById('memory-value')?.value === '4');
  await third.page.waitForFunction(() => location.search.includes('chapter=playground'));
  for (const e of [errors, fresh.errors, third.errors]) assert.deepEqual(e, []);
});

test('a bad file is refused with the field it is about, and the scenario stays', async () => {
  const { page, errors } = await open();
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-'));
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ vm: { memory_mib: 4096 }, network: { link_gbps: 'fast' } }));
  await page.setInputFiles('#open-scenario', bad);
  await page.waitForSelector('[data-testid=import-error]');
  assert.match(await text(page, 'import-error'), /^Could not open bad\.json: .*network\.link_gbps: invalid type/);
  assert.equal(await page.inputValue('#memory-value'), '8');
  const negative = path.join(dir, 'negative.json');
  writeFileSync(negative, JSON.stringify({ vm: { memory_mib: -1 } }));
  await page.setInputFiles('#open-scenario', negative);
  await page.waitForFunction(() => document.querySelector('[data-testid=import-error]').textContent.includes('negative.json'));
  assert.match(await text(page, 'import-error'), /vm\.memory_mib: must not be negative/);
  assert.deepEqual(errors, []);
});

test('results download as JSON and CSV, and the charts as PNG', async () => {
  const { page, errors } = await open();
  const result = JSON.parse((await download(page, '#save-result')).bytes.toString());
  assert.ok(result.total_time_ms > 0 && typeof result.verdict === 'string');
  const csv = (await download(page, '#save-passes-csv')).bytes.toString().trim().split('\n');
  assert.match(csv[0], /^pass,start_s,end_s,memory_bytes,wire_bytes/);
  assert.equal(csv.length - 1, result.passes + 1, 'a row per pass and the blackout');
  // The SVG opens as a picture of the chart: the browser draws it at its size, with a bar per
  // pass in the pass colour and the axis labels as text.
  for (const [id, words] of [['#save-pass-svg', 'MiB sent (log scale)'], ['#save-link-svg', 'Gbit/s']]) {
    const svg = (await download(page, id)).bytes.toString();
    assert.ok(svg.includes(words), `${id} labels`);
    const size = await pictureSize(page, svg);
    assert.equal(size[0], 800, `${id} opens as an 800 px picture`);
    if (id === '#save-pass-svg') {
      assert.equal(svg.match(/fill="#1A66D6"/g).length, result.passes, 'a bar per pass');
    }
  }
  // The page's own SVG drawings (here the sweep) save as standalone files with their colours.
  await page.waitForFunction(() => !document.querySelector('.sweep [role=status]'));
  const sweep = (await download(page, '.sweep [data-save=svg]')).bytes.toString();
  assert.match(sweep, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok((sweep.match(/<circle /g) || []).length >= 20, 'the sweep points');
  assert.doesNotMatch(sweep, / class="/, 'styles written out, not referenced');
  const [decoded] = await pictureSize(page, sweep);
  assert.ok(decoded > 100, 'the sweep SVG opens as a picture');
  const sweepPng = (await download(page, '.sweep [data-save=png]')).bytes;
  assertPng(sweepPng, 'the sweep as PNG');
  for (const id of ['#save-pass-png', '#save-link-png']) {
    const png = (await download(page, id)).bytes;
    assertPng(png, `${id} is a PNG`);
  }
  assert.deepEqual(errors, []);
});

test('a cluster saves as JSON and CSV, its Gantt chart as SVG and PNG, its topology as SVG and PNG', async () => {
  const { page, errors } = await openApp(browser, {
    url: `${APP_URL}?chapter=cluster&lang=en`,
    contextOptions: { reducedMotion: 'reduce', acceptDownloads: true },
  });
  await page.waitForSelector('.topology');
  await page.selectOption('#preset', '2');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=gantt-table] tbody tr').length >= 8);
  const cluster = JSON.parse((await download(page, '#save-cluster')).bytes.toString());
  assert.ok(cluster.hosts.length >= 2 && cluster.vms.length >= 8, 'the cluster file');
  const result = JSON.parse((await download(page, '#save-cluster-result')).bytes.toString());
  const csv = (await download(page, '#save-migrations-csv')).bytes.toString().trim().split('\n');
  assert.equal(csv.length - 1, result.migrations.length, 'a CSV row per migration');
  // The Gantt chart as a file: a row per migration that ran, named as on the page.
  const gantt = await download(page, '#save-gantt-svg');
  assert.equal(gantt.name, 'migrations.svg');
  const svg = gantt.bytes.toString();
  const rows = result.migrations.filter((m) => !m.refused);
  assert.ok(rows.length >= 8);
  for (const m of rows) assert.ok(svg.includes(`${m.vm} → ${m.to}`), `row ${m.vm}`);
  const [width] = await pictureSize(page, svg);
  assert.equal(width, 800, 'the Gantt SVG opens as an 800 px picture');
  const png = (await download(page, '#save-gantt-png')).bytes;
  assertPng(png, 'the Gantt chart as PNG');
  // The topology drawing, standalone: the hosts by name, its colours written out.
  const topology = await download(page, 'section:has(.topology) [data-save=svg]');
  assert.equal(topology.name, 'topology.svg');
  const drawing = topology.bytes.toString();
  assert.match(drawing, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const h of cluster.hosts) assert.ok(drawing.includes(h.name), `host ${h.name}`);
  assert.doesNotMatch(drawing, / class="/, 'styles written out, not referenced');
  const topologyPng = (await download(page, 'section:has(.topology) [data-save=png]')).bytes;
  assertPng(topologyPng, 'the topology as PNG');
  assert.deepEqual(errors, []);
});
