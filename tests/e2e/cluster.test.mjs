// End to end: build a cluster by clicking, drain a host, read the Gantt chart and totals.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { APP_URL, largeCluster, launch, openApp, pixels, screenshot, scrubTo, text } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});




test('build a 4-host cluster by clicking, drain a host, check the Gantt chart and totals', async () => {
  const { page, errors } = await openApp(browser, { viewport: { width: 1280, height: 1000 } });
  await page.click('#tab-cluster');
  await page.waitForSelector('.topology');
  assert.equal(await page.locator('.chost').count(), 2, 'the 2-node preset');
  await page.click('#clear-ops');
  assert.equal(await page.locator('[data-testid=operations] li').count(), 0);
  await page.click('#add-host');
  await page.click('#add-host');
  assert.equal(await page.locator('.chost').count(), 4);
  // Two more VMs on NODE1, then drain it.
  await page.click('[data-testid=chost-NODE1] rect');
  await page.click('#add-vm');
  await page.click('#add-vm');
  assert.equal(await page.locator('[data-testid=chost-NODE1] .chip').count(), 4);
  await page.click('#drain');
  assert.equal(await text(page, 'operations'), 'drain NODE1');
  assert.equal(await text(page, 'migration-count'), '4 of 4');
  assert.match(await text(page, 'makespan'), /\d+(\.\d+)? (s|min)/);
  assert.match(await text(page, 'worst-blackout'), /\d+ ms/);
  // One Gantt row per migration, with memory passes (blue) and blackouts (orange) drawn.
  assert.equal(await page.locator('[data-testid=gantt-table] tbody tr').count(), 4);
  assert.ok((await pixels(page, '#gantt', [0x5b, 0x8f, 0xdf])) > 200, 'memory passes drawn');
  assert.ok((await pixels(page, '#gantt', [0xe8, 0x71, 0x0a])) > 0, 'blackouts drawn');
  // Each row reads out its migration: by keyboard, then under the pointer.
  const gantt = page.locator('.gantt-hits');
  await gantt.focus();
  await page.keyboard.press('End');
  assert.match(
    await text(page, 'gantt-readout'),
    /^\S+, NODE1 → \S+: .+ in the queue, \d+ pass(es)?, blackout at .+, done at .+ sent\. Limited by .+ for \d+ % of the transfer\.$/,
  );
  // The totals: what held the migrations, and the CPU each host spent on them.
  assert.match(await text(page, 'cluster-limit'), /^Limited by .+ for \d+ % of the transfer\.$/);
  assert.match(await text(page, 'host-cpu'), /^NODE1\s[\d.]+\score‑s\nNODE2\s[\d.]+\score‑s/);
  await gantt.scrollIntoViewIfNeeded();
  const g = await gantt.boundingBox();
  await page.mouse.move(g.x + g.width / 2, g.y + 2);
  const firstRow = await page.$eval('[data-testid=gantt-table] tbody tr td', (td) => td.textContent);
  assert.ok((await text(page, 'gantt-readout')).startsWith(`${firstRow}, NODE1 →`));
  // Halfway, migrations run and flows are drawn between hosts.
  await page.click('[data-testid=play]');
  await scrubTo(page, 0.3);
  assert.ok((await page.locator('[data-testid=running] li').count()) >= 1, 'something is migrating');
  assert.ok((await page.locator('.topology .flow').count()) >= 1, 'a flow on the links');
  // The migrating VM's memory map is drawn, part of it already copied (green).
  assert.ok((await page.locator('[data-testid=minis] canvas').count()) >= 1, 'a memory map per migrating VM');
  assert.ok((await pixels(page, '[data-testid=minis] canvas', [0x2f, 0x7d, 0x4f])) > 20, 'copied blocks');
  await screenshot(page, 'cluster-drain.png');
  // At the end NODE1 is empty and every VM runs elsewhere.
  await scrubTo(page, 1);
  assert.equal(await page.locator('[data-testid=chost-NODE1] .chip').count(), 0);
  // Without shared storage the drain is refused, with the reason.
  await page.click('#shared-storage');
  assert.match(await text(page, 'refused'), /no shared storage: a failover cluster needs it/);
  assert.equal(await text(page, 'migration-count'), '0 of 4');
  assert.deepEqual(errors, []);
});

test('the presets load and the one-VM view keeps its own run', async () => {
  const { page, errors } = await openApp(browser);
  await page.click('#tab-single');
  await page.fill('#link-value', '40');
  await page.press('#link-value', 'Enter');
  const single = await text(page, 'total-time');
  await page.click('#tab-cluster');
  await page.selectOption('#preset', '2');
  assert.equal(await page.locator('.chost').count(), 4);
  assert.match(await text(page, 'migration-count'), /^8 of 8$/);
  await page.selectOption('#preset', '1');
  assert.match(await text(page, 'operations'), /move sql01 to HV2/);
  await page.click('#tab-single');
  assert.equal(await text(page, 'total-time'), single);
  assert.deepEqual(errors, []);
});

for (const lang of ['en', 'de']) {
  for (const width of [1280, 375]) {
    test(`the admin's question in the cluster view: drain NODE1, RDMA or Compression? (${lang}, ${width} px)`, async () => {
      const { page, errors } = await openApp(browser, {
        url: `${APP_URL}?chapter=cluster&lang=${lang}`,
        viewport: { width, height: 900 },
      });
      await page.waitForSelector('.topology');
      await page.click('#clear-ops');
      await page.click('#drain');
      const advice = page.locator('[data-testid=cluster-levers][aria-busy=false] [data-testid=cluster-lever-advice]');
      await advice.waitFor({ timeout: 30_000 });
      const said = await advice.innerText();
      if (lang === 'en') assert.match(said, /^(Use|Keep what you have) .*all done after .*Limited by .+ for \d+ % of the transfer\.$/is, said);
      else assert.match(said, /^(Verwenden Sie|Behalten Sie) .*erledigt nach .*Begrenzt durch .+ \d+ % der Übertragungszeit\.$/is, said);
      assert.doesNotMatch(said, /RDMA/, 'under the 25 % SMB limit, RDMA NICs are not the answer');
      await page.locator('[data-testid=cluster-levers] summary').click();
      const rows = await page.$$eval('[data-testid=cluster-levers] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
      assert.equal(rows.length, 24);
      const smbRdma = rows.filter((r) => /^SMB, RDMA/.test(r[1]));
      assert.ok(smbRdma.length > 0 && smbRdma.every((r) => /SMB/.test(r[5])), 'SMB with RDMA is held by the SMB limit');
      // The totals, with the CPU on each host, fit their panel.
      const overflow = await page.$eval('[data-testid=host-cpu]', (dd) => {
        const panel = dd.closest('.panel');
        return panel.scrollWidth - panel.clientWidth;
      });
      assert.ok(overflow <= 0, `the totals overflow their panel by ${overflow} px`);
      await page.locator('[data-testid=cluster-levers]').scrollIntoViewIfNeeded();
      await screenshot(page, `cluster-levers-${lang}-${width}.png`);
      assert.deepEqual(errors, []);
    });
  }
}

test('a large cluster runs a slice at a time with its progress, cancels back, and shows its last VM', async () => {
  const { page, errors } = await openApp(browser, { url: `${APP_URL}?chapter=cluster&lang=en` });
  await page.waitForSelector('[data-testid=migration-count]');
  const before = await text(page, 'migration-count');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lab-cluster-')), 'large.json');
  writeFileSync(file, JSON.stringify(largeCluster()));

  // Opened, it is shown at once and planned in the next turn, then runs with its progress
  // shown: migrations done of all, and the simulated clock.
  const simulating = (re) => page.waitForFunction(
    (re) => new RegExp(re).test(document.querySelector('[data-testid=cluster-progress]')?.textContent ?? ''),
    re.source,
    { polling: 'raf' },
  );
  await page.setInputFiles('#open-scenario', file);
  await page.waitForSelector('[data-testid=cluster-progress]');
  assert.match(await text(page, 'cluster-progress'), /^Planning the migrations…|^Simulating: /);
  await simulating(/Simulating: \d+ of \d+ migrations done, simulated clock at .*\d+ (ms|s|min)/);
  // Cancel: the cluster before comes back.
  await page.click('[data-testid=cluster-cancel]');
  await page.waitForSelector('[data-testid=cluster-progress]', { state: 'detached' });
  assert.equal(await text(page, 'migration-count'), before);
  assert.equal(await page.locator('.chost').count(), 2, 'the preset, not the large cluster');

  // Opened again, in German, it runs to its end, and the chart's last page has the last VM.
  await page.click('#lang-de');
  await page.setInputFiles('#open-scenario', file);
  await simulating(/Wird simuliert: \d+ von \d+ Migrationen fertig, simulierte Uhr bei /);
  await page.waitForSelector('[data-testid=cluster-progress]', { state: 'detached', timeout: 120_000 });
  assert.equal(await page.locator('.chost').count(), 16);
  const count = await text(page, 'migration-count');
  const [ran, all] = count.split(/ of | von /).map(Number);
  assert.ok(ran > 2000 && all > ran, count);
  await page.click('[data-testid=gantt-last]');
  assert.match(await text(page, 'gantt-page'), new RegExp(`–${ran} (of|von) ${ran}$`));
  const last = await page.evaluate(() => [...document.querySelectorAll('[data-testid=gantt-table] tbody tr')].at(-1)?.firstElementChild.textContent);
  assert.match(last ?? '', /^vm\d+$/);
  assert.deepEqual(errors, []);
});
