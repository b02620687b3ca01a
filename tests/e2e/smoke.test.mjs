// Smoke test: the bundle loads, the app mounts into #app, and nothing errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launch, openApp, screenshot, waitForApp } from './helpers.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('app mounts into #app without page or console errors', async () => {
  const { page, errors } = await openApp(browser, { wait: false });
  try {
    await waitForApp(page);
  } catch (err) {
    err.message += `\nerrors on the page: ${errors.join(' | ') || 'none'}`;
    throw err;
  } finally {
    // Screenshot either way: on failure it shows what the page looked like instead.
    await screenshot(page, 'smoke.png');
  }
  const loading = await page.$('#app .loading');
  assert.equal(loading, null, 'the loading placeholder is gone');
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
});
