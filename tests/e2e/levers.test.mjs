// End to end: the "Which lever?" chapter and the playground's panel rank every combination of
// the tuning guide's levers for the reader's scenario, recommend one with its reason and show how
// the advice changes at 1, 10, 25 and 100 GbE, in English and German.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APP_URL, launch, openApp, screenshot } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function open(lang, chapter = 'playground', contextOptions = {}) {
  const opened = await openApp(browser, { wait: false, url: `${APP_URL}?chapter=${chapter}&lang=${lang}`, contextOptions });
  await opened.page.waitForSelector('[data-testid=levers][aria-busy=false] [data-testid=lever-advice]', { timeout: 30_000 });
  return opened;
}

test('which lever: every combination ranked, the reader\'s marked, and a recommendation', async () => {
  const { page, context, errors } = await open('en');
  const advice = await page.locator('[data-testid=lever-advice]').innerText();
  assert.match(advice, /^(Use |Keep what you have)/, advice);
  const rows = await page.$$eval('[data-testid=levers] details tbody tr', (trs) =>
    trs.map((tr) => ({ now: tr.classList.contains('now'), cells: [...tr.children].map((td) => td.textContent) })),
  );
  assert.equal(rows.length, 24, 'three options × RDMA × dedicated × buffers');
  assert.equal(rows.filter((r) => r.now).length, 1, 'the reader\'s own combination is marked once');
  for (const { cells } of rows) {
    assert.match(cells[2], /\d (ms|s|min)|does not finish/, cells.join(' | '));
    assert.ok(cells[5].length > 0, `a limit for ${cells[1]}`);
  }
  await page.locator('[data-testid=levers] summary').click();
  await screenshot(page, 'which-lever.png');
  assert.deepEqual(errors, []);
  await context.close();
});

test('which lever in German', async () => {
  const { page, context, errors } = await open('de');
  const advice = await page.locator('[data-testid=lever-advice]').innerText();
  assert.match(advice, /^(Verwenden Sie|Behalten Sie)/, advice);
  assert.doesNotMatch(advice, /\d\.\d/, 'German numbers use a decimal comma');
  assert.deepEqual(errors, []);
  await context.close();
});

/** The link-speed table's rows, as text cells. */
const speedRows = (page) =>
  page.$$eval('[data-testid=lever-speeds] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));

for (const lang of ['en', 'de']) {
  for (const width of [1280, 375]) {
    test(`the which-lever chapter answers the admin on one screen (${lang}, ${width} px)`, async () => {
      const { page, context, errors } = await open(lang, 'which-lever', { viewport: { width, height: 800 } });
      await page.waitForSelector('[data-testid=lever-speeds]', { timeout: 30_000 });
      const advice = await page.locator('[data-testid=lever-advice]').innerText();
      // The chapter's case: Compression with a network of its own; RDMA buys no time under the
      // SMB limit.
      if (lang === 'en') {
        assert.match(advice, /^Use Compression, dedicated network: .* instead of .*the CPU/, advice);
      } else {
        assert.match(advice, /^Verwenden Sie Komprimierung, dediziertes Netzwerk: .* statt .*die CPU/, advice);
        assert.doesNotMatch(advice, /\d\.\d/, 'German numbers use a decimal comma');
      }
      const rows = await speedRows(page);
      assert.deepEqual(rows.map((r) => r[0]), ['1 GbE', '10 GbE', '25 GbE', '100 GbE']);
      for (const r of rows) assert.match(r[3], /\d (ms|s|min)/, r.join(' | '));
      const ranked = await page.$$eval('[data-testid=levers] details tbody tr td:last-child', (tds) => tds.map((td) => td.textContent));
      assert.equal(ranked.length, 24);
      assert.ok(ranked.some((t) => /SMB|Bandbreitengrenze/.test(t)), 'SMB runs are limited by the SMB limit');
      const box = await page.locator('[data-testid=lever-advice]').boundingBox();
      if (width === 1280) {
        // The answer is on the first screen at a desktop width.
        assert.ok(box.y + box.height <= 800, `the advice ends at ${Math.round(box.y + box.height)} px`);
      } else {
        // On a phone the study, the chapter's demo, follows its first paragraph.
        const first = await page.locator('[data-testid=chapter] h2 + p').boundingBox();
        const second = await page.locator('[data-testid=chapter] h2 + p + p').boundingBox();
        assert.ok(box.y > first.y && box.y < second.y, `advice at ${box.y} px, paragraphs at ${first.y} and ${second.y} px`);
      }
      await page.locator('[data-testid=levers] summary').click();
      await screenshot(page, `which-lever-chapter-${lang}-${width}.png`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
