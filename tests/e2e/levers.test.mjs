// End to end: the playground's "Which lever?" panel ranks every combination of the tuning
// guide's levers for the reader's scenario and recommends one, in English and German.
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

async function open(lang) {
  const opened = await openApp(browser, { wait: false, url: `${APP_URL}?chapter=playground&lang=${lang}` });
  await opened.page.waitForSelector('[data-testid=lever-advice]', { timeout: 30_000 });
  return opened;
}

test('which lever: every combination ranked, the reader\'s marked, and a recommendation', async () => {
  const { page, context, errors } = await open('en');
  const advice = await page.locator('[data-testid=lever-advice]').innerText();
  assert.match(advice, /^(Use |Keep what you have)/, advice);
  const rows = await page.$$eval('[data-testid=levers] tbody tr', (trs) =>
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
