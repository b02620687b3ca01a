// End to end: a panic shows an error panel inside the app's own element, with the link to
// report and a reset that starts the app again; the host page keeps working.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APP_URL, launch, openApp, text } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The errors a forced panic is expected to log; anything else is a failure. */
const unexpected = (errors) =>
  errors.filter((e) => !/Migration Lab stopped: [\s\S]*forced by the test|unreachable|RuntimeError/.test(e));

test('a panic on a host page stays inside the widgets, and reset brings one back', async () => {
  const { page, errors } = await openApp(browser, {
    url: `${APP_URL}www/examples/two-instances.html`,
    wait: false,
    contextOptions: { reducedMotion: 'reduce' },
  });
  await page.waitForSelector('#second [data-testid=verdict]');
  await page.evaluate(async () => {
    const lab = await import('../../migration-lab.js');
    try {
      lab.__test_panic('forced by the test');
    } catch {
      // The panic surfaces here as a trap; the panels are already drawn.
    }
  });
  // Both instances share the broken WebAssembly instance: each shows its panel, in its language.
  await page.waitForSelector('#first [data-testid=fatal]');
  assert.match(await page.locator('#first [data-testid=fatal]').innerText(), /Migration Lab stopped[\s\S]*forced by the test/);
  assert.match(await page.locator('#second [data-testid=fatal]').innerText(), /Migration Lab wurde angehalten/);
  const link = await page.getAttribute('#first [data-testid=fatal] a', 'href');
  assert.match(link, /index\.html\?v=1&chapter=precopy/);
  // Nothing was added outside the widgets, and the page's own button still works.
  assert.equal(await page.locator('body > .fatal, body > [role=alert]').count(), 0);
  await page.click('#host-button');
  assert.equal(await page.locator('#host-output').innerText(), 'clicked');
  // Reset mounts the first widget again in a fresh instance; its handle works again.
  await page.click('#first [data-testid=fatal] button');
  await page.waitForSelector('#first [data-testid=verdict]');
  await page.evaluate(() => window.labs.first.set_scenario({ vm: { memory_mib: 16384 } }));
  assert.equal(await page.inputValue('#first #memory-value'), '16');
  assert.deepEqual(unexpected(errors), []);
});

test('a panic on the page shows the panel in #app, and reset opens the chapter afresh', async () => {
  const { page, errors } = await openApp(browser, {
    url: `${APP_URL}?v=1&chapter=playground&lang=de&s.vm.memory_mib=4096`,
    contextOptions: { reducedMotion: 'reduce' },
  });
  await page.waitForSelector('[data-testid=verdict]');
  await page.waitForTimeout(400);
  await page.evaluate(async () => {
    const lab = await import('./migration-lab.js');
    try {
      lab.__test_panic('forced by the test');
    } catch {
      // expected
    }
  });
  const panel = page.locator('#app [data-testid=fatal]');
  await panel.waitFor();
  assert.match(await panel.innerText(), /Migration Lab wurde angehalten[\s\S]*forced by the test/);
  assert.match(await panel.locator('a').getAttribute('href'), /s\.vm\.memory_mib=4096/);
  await panel.locator('button').click();
  await page.waitForSelector('[data-testid=verdict]');
  assert.doesNotMatch(page.url(), /memory_mib/);
  assert.match(page.url(), /chapter=playground/);
  assert.equal(await page.inputValue('#memory-value'), '8');
  assert.match(await text(page, 'time'), /,/, 'still in German');
  assert.deepEqual(unexpected(errors), []);
});
