// End to end: permalinks restore what was shown, the address follows the reader, bad links
// get a notice, and the embed mode shows a compact widget.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APP_URL, launch, openApp, openFileInPage, text } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const open = async (query, options = {}) => {
  const opened = await openApp(browser, { url: `${APP_URL}?${query}`, ...options });
  await opened.page.waitForSelector('[data-testid=verdict], .topology', { timeout: 20_000 });
  return opened;
};

test('a permalink restores chapter, language, colours, scenario, time and speed', async () => {
  const { page, errors } = await open('v=1&chapter=playground&lang=de&theme=dark&s.vm.memory_mib=16384&s.network.link_gbps=25&t=3&speed=2');
  assert.equal(await page.inputValue('#memory-value'), '16');
  assert.equal(await page.inputValue('#link-value'), '25');
  assert.equal(await page.getAttribute('.lab', 'data-theme'), 'dark');
  assert.equal(await page.getAttribute('.lab', 'lang'), 'de');
  assert.match(await text(page, 'time'), /^3,00 s \//);
  assert.match(await text(page, 'play'), /Abspielen/, 'opened paused at its time');
  assert.equal(await page.locator('[data-testid=link-notices]').count(), 0);
  assert.deepEqual(errors, []);
});

test('the address follows changes without a history entry each, and the copied link reopens them', async () => {
  const { page, errors } = await open('chapter=playground&lang=en', { contextOptions: { reducedMotion: 'reduce' } });
  const entries = await page.evaluate(() => history.length);
  // A typed value applies when the field is left.
  await page.fill('#memory-value', '4');
  await page.press('#memory-value', 'Tab');
  await page.fill('#dirty-rate-value', '120');
  await page.press('#dirty-rate-value', 'Tab');
  await page.waitForFunction(() => location.search.includes('s.vm.dirty_rate_mibps=120'));
  assert.match(page.url(), /s\.vm\.memory_mib=4096/);
  assert.equal(await page.evaluate(() => history.length), entries, 'replaced, not pushed');
  await page.click('#copy-link');
  const link = await page.inputValue('#permalink');
  assert.equal(link, page.url());
  const total = await text(page, 'total-time');
  const again = await openApp(browser, { url: link, contextOptions: { reducedMotion: 'reduce' } });
  await again.page.waitForSelector('[data-testid=verdict]');
  assert.equal(await again.page.inputValue('#memory-value'), '4');
  assert.equal(await again.page.inputValue('#dirty-rate-value'), '120');
  assert.equal(await text(again.page, 'total-time'), total);
  assert.deepEqual(errors, []);
  assert.deepEqual(again.errors, []);
});

test('a cluster too large for an address is left out of it, and "Copy link" says why', async () => {
  const { page, errors } = await open('chapter=cluster&lang=en', { contextOptions: { reducedMotion: 'reduce' } });
  // 150 VMs that differ from the chapter's cluster: their link runs to tens of kilobytes.
  const hosts = ['A', 'B', 'C', 'D'].map((name) => ({
    name, cores: 32, load: 0.4, memory_gib: 1024, nics: [{ network: 'net', gbps: 10, buffers: 1024 }],
  }));
  const vms = Array.from({ length: 150 }, (_, i) => ({
    name: `vm${i}`, host: hosts[i % 4].name, memory_mib: 1024 + i, working_set_mib: 256, untouched_mib: 0,
    dirty_rate_mibps: 20, pattern: 'hotcold', disk_gib: 40,
  }));
  const cluster = {
    version: 1, seed: 1, networks: [{ name: 'net', role: 'vm_traffic', dedicated: false }], hosts, vms,
    shared_storage: true, operations: [{ kind: 'drain', host: 'A' }],
  };
  await openFileInPage(page, 'big.json', JSON.stringify(cluster));
  // Host A's 38 VMs move.
  await page.waitForFunction(() => /^38 of 38$/.test(document.querySelector('[data-testid=migration-count]')?.textContent ?? ''));
  // Once the change has settled (a quarter second) the address is rewritten: the view,
  // without the cluster.
  await page.waitForTimeout(1_000);
  const address = page.url();
  assert.ok(address.length <= 8000, `${address.length} characters`);
  assert.match(address, /chapter=cluster/);
  assert.doesNotMatch(address, /[?&]c\./);
  await page.click('#copy-link');
  const why = await text(page, 'link-too-long');
  const kb = Number(why.match(/would be (\d+) kB long/)?.[1]);
  assert.ok(kb > 8, why);
  assert.match(why, /addresses over 8 kB/);
  assert.equal(await page.locator('#permalink').count(), 0, 'no link to copy');
  // The address opens again: the chapter's own cluster.
  await page.reload();
  await page.waitForSelector('[data-testid=migration-count]');
  assert.doesNotMatch(await text(page, 'migration-count'), /^38 of 38$/);
  assert.deepEqual(errors, []);
});

test('a malformed or newer link shows a notice and the nearest valid state', async () => {
  const { page, errors } = await open('v=9&chapter=nope&lang=en&s.vm.memory_mib=-4&s.network.link_gbps=40&t=abc&c.hosts.0.memory_gib=x');
  const notice = await text(page, 'link-notices');
  assert.match(notice, /could not be restored in full/);
  assert.match(notice, /newer version \(format 9\)/);
  assert.match(notice, /“chapter=nope” was ignored/);
  assert.match(notice, /The change to “s\.vm” was not applied: vm\.memory_mib: must not be negative/);
  // The valid part is applied; the page works.
  assert.match(await text(page, 'verdict'), /./);
  await page.click('[data-testid=link-notices] button');
  assert.equal(await page.locator('[data-testid=link-notices]').count(), 0);
  assert.deepEqual(errors, []);
});

test('embed mode: no page chrome, the chosen controls, and a way to the full page', async () => {
  const { page, errors } = await open('embed=1&chapter=precopy&lang=en&controls=memory,dirty-rate');
  assert.equal(await page.locator('.lab-head').count(), 0, 'no header');
  assert.equal(await page.locator('#chapter-select, .chapter-nav').count(), 0, 'no chapter navigation');
  assert.equal(await page.locator('#glossary').count(), 0);
  assert.ok(await page.locator('#memory-value').isVisible());
  assert.ok(await page.locator('#dirty-rate-value').isVisible());
  assert.equal(await page.locator('#link-value').count(), 0, 'only the chosen controls');
  const full = await page.getAttribute('.embed-foot a', 'href');
  assert.match(full, /chapter=precopy/);
  assert.doesNotMatch(full, /embed/);
  assert.deepEqual(errors, []);
});
