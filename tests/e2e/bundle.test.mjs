// The static bundle as a docs site would host it: under a strict Content Security Policy,
// from a sub-path, compressed, with nothing fetched from another host, and with a clear
// message where WebAssembly is missing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APP_URL, collectErrors, launch, screenshot, waitForApp, withCsp } from './helpers.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Records every request of `page` and every CSP violation the page reports. */
async function watch(page) {
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const responses = [];
  page.on('response', (r) => responses.push(r));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { requests, responses, violations: () => page.evaluate(() => window.__violations) };
}

/** Requests that went anywhere but the test server's host. */
function elsewhere(requests) {
  const home = new URL(APP_URL).host;
  return requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).host !== home);
}

test('index.html loads no inline code and names its files by content', async () => {
  const res = await fetch(APP_URL);
  const html = await res.text();
  assert.match(html, /<main id="app" class="booting" data-migration-lab="page">/);
  assert.match(html, /Loading the simulator…/);
  for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) {
    assert.match(tag, /^<script type="module" src="boot\.[0-9a-f]{12}\.js"><\/script>$/, tag);
  }
  assert.doesNotMatch(html, /\sstyle=|<style\b|\son[a-z]+=/i, 'no inline style or handler');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no other host');
  assert.doesNotMatch(html, /(src|href)="\//, 'only relative URLs');
  assert.match(html, /href="style\.[0-9a-f]{12}\.css"/);
  assert.doesNotMatch(html, /rel="(module)?preload"/, 'no build preloaded: boot.js picks one by the address');
});

test('the app runs under the strict CSP, compressed, and asks no other host', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  const seen = await watch(page);
  // Serve the page itself with the policy as a response header.
  await withCsp(page, (url) => url.href === APP_URL || url.href.startsWith(`${APP_URL}?`));
  // The first chapter (the lite build, then the full one fetched while idle), the playground
  // and the cluster (the full build from the start).
  await page.goto(`${APP_URL}?lang=en`, { waitUntil: 'load' });
  await waitForApp(page);
  await page.waitForSelector('#memory-map');
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => /app-full_bg/.test(r.name)));
  await page.goto(`${APP_URL}?chapter=playground&lang=en`, { waitUntil: 'load' });
  await waitForApp(page);
  await page.waitForSelector('[data-testid=verdict]');
  // Reach the views that draw on canvases and the cluster view.
  await page.waitForTimeout(800);
  await page.goto(`${APP_URL}?chapter=cluster&lang=de`, { waitUntil: 'load' });
  await waitForApp(page);
  // The chapter's paragraphs come from the German text file, fetched under the same policy.
  await page.waitForSelector('[data-testid=chapter] p:not(.text-loading)');
  assert.equal(await page.locator('.text-loading').count(), 0, 'no text is still loading');
  await page.waitForTimeout(800);
  await screenshot(page, 'csp.png');

  assert.deepEqual(await seen.violations(), [], 'no CSP violation');
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
  assert.deepEqual(elsewhere(seen.requests), [], 'every request stays on the test server');
  for (const build of ['app', 'app-full']) {
    const wasm = seen.responses.find((r) => new RegExp(`/${build}_bg\\.[0-9a-f]{12}\\.wasm$`).test(r.url()));
    assert.ok(wasm, `the hashed ${build} wasm was loaded`);
    const headers = await wasm.allHeaders();
    assert.equal(headers['content-type'], 'application/wasm');
    assert.equal(headers['content-encoding'], 'gzip', 'the precompressed .gz was served');
  }
  const texts = seen.responses.filter((r) => /\/texts\.(en|de)\.[0-9a-f]{12}\.txt$/.test(r.url()));
  assert.match(
    texts.map((r) => r.url().match(/texts\.(..)\./)[1]).join(' '),
    /^(en )+de$/,
    'each page fetched the text file of its language only',
  );
  await context.close();
});

test('the first load is the lite build, the full one follows while idle and takes over in place', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors = collectErrors(page);
  const seen = await watch(page);
  const builds = () =>
    seen.requests.map((u) => u.match(/\/(app|app-full)_bg\.[0-9a-f]{12}\.wasm$/)?.[1]).filter(Boolean);
  await page.goto(`${APP_URL}?chapter=live-migration&lang=de&theme=dark`, { waitUntil: 'load' });
  await waitForApp(page);
  await page.waitForSelector('[data-testid=verdict]');
  assert.equal(builds()[0], 'app', 'the first chapter starts from the lite build');
  // The lite build carries the first chapter's views.
  for (const view of ['figure.stage', '#memory-map', 'section.results']) {
    assert.equal(await page.locator(view).count(), 1, view);
  }
  // Once the page is idle the full build is fetched, and the lite app stays on the page.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => /app-full_bg/.test(r.name)));
  assert.deepEqual(builds(), ['app', 'app-full']);
  assert.equal(await page.locator('[data-testid=handover]').count(), 0);

  // The cluster tab, by keyboard: the full build takes over in the same language and colours,
  // with focus where it was, without fetching anything again.
  await page.focus('#tab-cluster');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.topology');
  assert.deepEqual(builds(), ['app', 'app-full']);
  assert.match(page.url(), /chapter=cluster/);
  assert.match(page.url(), /lang=de/);
  assert.equal(await page.getAttribute('#app > .lab', 'lang'), 'de');
  assert.equal(await page.getAttribute('#app > .lab', 'data-theme'), 'dark');
  await page.waitForFunction(() => document.activeElement?.id === 'tab-cluster');
  assert.equal(await page.locator('#app > .lab').count(), 1, 'one app on the page');

  // Back to a guided chapter: the full build shows it; nothing is loaded again.
  await page.selectOption('#chapter-select', { index: 1 });
  await page.waitForSelector('[data-testid=verdict]');
  assert.deepEqual(builds(), ['app', 'app-full']);
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
  await context.close();
});

test('an embed of the first chapter fetches only the lite build', async () => {
  const context = await browser.newContext({ viewport: { width: 720, height: 800 } });
  const page = await context.newPage();
  const seen = await watch(page);
  await page.goto(`${APP_URL}?embed=1&views=stage,memory`, { waitUntil: 'load' });
  await waitForApp(page);
  await page.waitForSelector('#memory-map');
  // Time for the idle fetch a full page would make (it comes within a second or two).
  await page.waitForTimeout(4000);
  const wasm = seen.requests.filter((u) => /_bg\.[0-9a-f]{12}\.wasm$/.test(u));
  assert.equal(wasm.length, 1, wasm.join('\n'));
  assert.match(wasm[0], /\/app_bg\./);
  await context.close();
});

for (const [what, query, shows, input] of [
  ['the playground', 'chapter=playground&lang=en&s.vm.memory_mib=4096', '[data-testid=files]', ['#memory-value', '4']],
  ['a chapter with a chart', 'chapter=precopy&lang=en&s.vm.memory_mib=4096', '.panel canvas'],
]) {
  test(`a link to ${what} starts the full build at once`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const errors = collectErrors(page);
    const seen = await watch(page);
    await page.goto(`${APP_URL}?${query}`, { waitUntil: 'load' });
    await waitForApp(page);
    await page.waitForSelector(shows);
    // The lite app never loaded: the address is the link as opened.
    assert.equal(await page.locator('[data-testid=handover]').count(), 0);
    assert.match(page.url(), /s\.vm\.memory_mib=4096/);
    if (input) assert.equal(await page.inputValue(input[0]), input[1]);
    const wasm = seen.requests.filter((u) => /_bg\.[0-9a-f]{12}\.wasm$/.test(u));
    assert.equal(wasm.length, 1, wasm.join('\n'));
    assert.match(wasm[0], /\/app-full_bg\./);
    assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
    await context.close();
  });
}

test('the bundle works from a sub-path of a docs site', async () => {
  const origin = new URL(APP_URL).origin;
  const base = `${origin}/docs/tools/migration-lab/`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const outside = [];
  // The test server serves dist/ at /; map the sub-path onto it and refuse anything else.
  await context.route(`${origin}/**`, async (route) => {
    const url = route.request().url();
    if (url.startsWith(base)) {
      await route.continue({ url: `${APP_URL}${url.slice(base.length)}` });
    } else {
      outside.push(url);
      await route.abort();
    }
  });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(`${base}?chapter=playground&lang=en`, { waitUntil: 'load' });
  await waitForApp(page);
  await page.waitForSelector('[data-testid=verdict]');
  assert.deepEqual(outside, [], 'no request outside the sub-path');
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
  await context.close();
});

test('a browser without WebAssembly gets a clear message', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    delete globalThis.WebAssembly;
  });
  await page.goto(APP_URL, { waitUntil: 'load' });
  const alert = page.locator('#app .fatal[role=alert]');
  await alert.waitFor({ timeout: 10_000 });
  assert.match(await alert.innerText(), /WebAssembly/);
  assert.equal(await page.locator('#app .loading').count(), 0, 'the loading text is replaced');
  await context.close();
});
