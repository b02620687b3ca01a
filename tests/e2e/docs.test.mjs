// End to end: the widget in the documentation tools people use — a chapter of an mdBook
// (dist/book/, built from www/examples/book/) and a page rendered from one Markdown file
// (dist/www/examples/markdown.html) — each with an iframe (iframe.js) and <migration-lab>
// elements: sized without an inner scrollbar, rendered, in German where asked, and dark when
// the page is; and the element on its own: two on a page, removed, changed, given bad
// attributes, under the strict Content Security Policy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APP_URL, launch, openApp, screenshot, withCsp } from './helpers.mjs';
import { allowedInGerman, ENGLISH_WORDS, wordHits } from './i18n.mjs';

const BOOK = `${APP_URL}book/compression.html`;
const MARKDOWN = `${APP_URL}www/examples/markdown.html`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Opens a docs page (reduced motion: nothing plays by itself), counting animation frames,
 * with every failed request an error. */
async function open(url, { width = 1280, colorScheme = 'light', csp = false } = {}) {
  const opened = await openApp(browser, {
    url: 'about:blank',
    wait: false,
    viewport: { width, height: 900 },
    contextOptions: { reducedMotion: 'reduce', colorScheme },
  });
  const { page, errors } = opened;
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} for ${r.url()}`);
  });
  await page.addInitScript(() => {
    window.framesRequested = 0;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) => {
      window.framesRequested += 1;
      return raf(cb);
    };
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  if (csp) await withCsp(page, url);
  await page.goto(url, { waitUntil: 'load' });
  await ready(page);
  return opened;
}

/** Waits until every element shows its widget and every iframe has taken a reported height
 * and its widget has been given the page's colours (a data-theme). */
async function ready(page) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll('migration-lab')].every((el) => el.querySelector('.lab figure.stage')),
  );
  await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => f.style.height !== ''));
  for (const frame of page.frames().slice(1)) await frame.waitForSelector('.lab[data-theme] figure.stage');
  // Fonts and charts settle.
  await page.waitForTimeout(400);
}

/** Runs in a frame: each widget's data-theme, and whether the first background painted
 * behind its content (its own or an ancestor's) is dark. */
const readThemes = () =>
  [...document.querySelectorAll('.lab')].map((lab) => {
    let rgba = [0, 0, 0, 0];
    for (let el = lab; el && rgba[3] === 0; el = el.parentElement) {
      const [r, g, b, a = 1] = getComputedStyle(el).backgroundColor.match(/[\d.]+/g).map(Number);
      rgba = [r, g, b, a];
    }
    const [r, g, b] = rgba;
    return { theme: lab.dataset.theme, dark: 0.2126 * r + 0.7152 * g + 0.0722 * b < 128 };
  });

/** The colours of every widget on the page, in elements and in iframes. */
async function themes(page) {
  const out = [];
  for (const frame of page.frames()) out.push(...(await frame.evaluate(readThemes)));
  return out;
}

/** Waits until every widget on the page shows `theme`, then checks their backgrounds. */
async function expectTheme(page, theme, what) {
  const all = async () => (await themes(page)).every((t) => t.theme === theme);
  for (let i = 0; i < 50 && !(await all()); i++) await page.waitForTimeout(100);
  const seen = await themes(page);
  assert.ok(seen.length >= 2, `${what}: the widgets are there (${seen.length})`);
  for (const t of seen) {
    assert.equal(t.theme, theme, `${what}: ${JSON.stringify(seen)}`);
    assert.equal(t.dark, theme === 'dark', `${what}: a ${theme} background (${JSON.stringify(seen)})`);
  }
}

/** Every iframe is as tall as its widget's page, which does not scroll inside. */
async function checkFrames(page, what) {
  const frames = await page.locator('iframe').all();
  assert.ok(frames.length >= 1, `${what}: an iframe`);
  for (const frame of frames) {
    const height = await frame.evaluate((f) => f.clientHeight);
    const inner = await frame.contentFrame();
    const { scroll, client, needed } = await inner.locator('html').evaluate((html) => ({
      scroll: html.scrollHeight,
      client: html.clientHeight,
      needed: html.getBoundingClientRect().height,
    }));
    assert.ok(scroll <= client, `${what}: no inner scrollbar (${scroll} px of page in a ${client} px frame)`);
    assert.ok(Math.abs(height - Math.ceil(needed)) <= 1, `${what}: frame ${height} px for ${needed} px of page`);
  }
}

/** Every element shows a widget of some height, not a blank box or an error. */
async function checkElements(page, what) {
  const boxes = await page.locator('migration-lab').evaluateAll((els) =>
    els.map((el) => ({
      height: el.getBoundingClientRect().height,
      display: getComputedStyle(el).display,
      stage: el.querySelectorAll('.lab figure.stage').length,
      error: el.querySelector('.migration-lab-error')?.textContent ?? null,
      fontSize: getComputedStyle(el.querySelector('.lab')).fontSize,
      overflow: el.scrollWidth - el.clientWidth,
      // What the page's own rules would add (mdBook numbers definitions and sets terms bold).
      numbered: [...el.querySelectorAll('dd')].filter((dd) => getComputedStyle(dd, '::before').content !== 'none').length,
      boldTerms: [...el.querySelectorAll('.numbers dt')].filter((dt) => Number(getComputedStyle(dt).fontWeight) > 400).length,
    })),
  );
  assert.ok(boxes.length >= 1, `${what}: an element`);
  for (const box of boxes) {
    assert.equal(box.error, null, what);
    assert.equal(box.display, 'block', what);
    assert.equal(box.stage, 1, `${what}: the stage is drawn`);
    assert.ok(box.height > 250, `${what}: the widget is ${box.height} px tall`);
    // The widget's text keeps the browser's size where the page shrinks its root (mdBook: 62.5 %).
    assert.equal(box.fontSize, '16px', what);
    assert.equal(box.numbered, 0, `${what}: no numbers before the widget's values`);
    assert.equal(box.boldTerms, 0, `${what}: the widget's labels in their own weight`);
    assert.ok(box.overflow <= 1, `${what}: the widget is ${box.overflow} px wider than its element`);
  }
}

/** What the German element shows, in words that would be English. */
async function englishIn(page, selector) {
  const text = await page.locator(selector).evaluate((el) => {
    const parts = [el.innerText];
    for (const a of el.querySelectorAll('[aria-label], [title]')) {
      parts.push(a.getAttribute('aria-label') ?? '', a.getAttribute('title') ?? '');
    }
    return parts.join('\n');
  });
  assert.match(text, /Ganze Seite öffnen/);
  return wordHits([{ where: selector, text }], ENGLISH_WORDS, allowedInGerman()).map((h) => `${h.match}: …${h.context}…`);
}

/** Picks a theme from mdBook's theme menu, and closes the menu. */
async function pickTheme(page, theme) {
  const menu = page.locator('#mdbook-theme-list');
  if (!(await menu.isVisible())) await page.click('#mdbook-theme-toggle');
  await page.click(`#mdbook-theme-${theme}`);
  if (await menu.isVisible()) await page.click('#mdbook-theme-toggle');
  await menu.waitFor({ state: 'hidden' });
}

for (const width of [375, 800, 1280]) {
  test(`an mdBook chapter: both embeds fit, render, speak German and follow the book's theme (${width} px)`, async () => {
    const { page, errors } = await open(BOOK, { width });
    const html = () =>
      page.evaluate(() => ({
        classes: document.documentElement.className,
        background: getComputedStyle(document.documentElement).backgroundColor,
        fontSize: getComputedStyle(document.documentElement).fontSize,
        menuButton: getComputedStyle(document.getElementById('mdbook-theme-toggle')).minHeight,
      }));
    const light = await html();
    assert.match(light.classes, /\blight\b/);
    // The widget's stylesheet leaves the book's own look alone.
    assert.equal(light.fontSize, '10px');
    assert.equal(light.background, 'rgb(255, 255, 255)');
    assert.notEqual(light.menuButton, '36px');
    await checkFrames(page, `book ${width}`);
    await checkElements(page, `book ${width}`);
    assert.deepEqual(await englishIn(page, 'migration-lab[lang=de]'), []);
    assert.equal(await page.getAttribute('migration-lab[lang=de] > .lab', 'lang'), 'de');
    await expectTheme(page, 'light', 'light book');
    if (width !== 800) await screenshot(page, `docs-book-${width}-light.png`);

    // The book's theme menu, as a reader picks from it.
    await pickTheme(page, 'coal');
    await expectTheme(page, 'dark', 'coal');
    const coal = await html();
    assert.match(coal.classes, /\bcoal\b/);
    assert.notEqual(coal.background, light.background, 'the book is dark, not held light');
    await checkFrames(page, `coal book ${width}`);
    if (width !== 800) await screenshot(page, `docs-book-${width}-coal.png`);

    await pickTheme(page, 'rust');
    await expectTheme(page, 'light', 'rust');
    assert.deepEqual(errors, []);
  });

  test(`a Markdown page: both embeds fit, render, speak German and follow the system's dark mode (${width} px)`, async () => {
    const { page, errors } = await open(MARKDOWN, { width });
    await checkFrames(page, `markdown ${width}`);
    await checkElements(page, `markdown ${width}`);
    assert.deepEqual(await englishIn(page, '#compression'), []);
    await expectTheme(page, 'light', 'light page');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectTheme(page, 'dark', 'dark page');
    await checkFrames(page, `dark markdown ${width}`);
    await page.emulateMedia({ colorScheme: 'light' });
    await expectTheme(page, 'light', 'light page again');
    assert.deepEqual(errors, []);
  });
}

test('the Markdown page runs under the strict CSP, and links the stylesheet once', async () => {
  const { page, errors } = await open(MARKDOWN, { colorScheme: 'dark', csp: true });
  await expectTheme(page, 'dark', 'dark page under the CSP');
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  const links = await page.locator('link[rel=stylesheet]').evaluateAll((ls) => ls.map((l) => new URL(l.href).pathname));
  assert.deepEqual(links.filter((p) => p.endsWith('/migration-lab.css')), ['/migration-lab.css']);
  assert.deepEqual(errors, []);
});

test("an iframe whose address names a theme keeps it; the page's other embeds follow the page", async () => {
  const { page, errors } = await open(MARKDOWN);
  await page.evaluate(() => {
    const frame = document.createElement('iframe');
    frame.className = 'migration-lab-frame';
    frame.id = 'chosen';
    frame.title = 'Migration Lab, dark by choice';
    frame.src = '../../index.html?embed=1&chapter=precopy&lang=en&views=stage&theme=dark';
    document.querySelector('main').append(frame);
  });
  await page.waitForFunction(() => document.getElementById('chosen').style.height !== '');
  const chosen = page.frameLocator('#chosen').locator('.lab');
  await chosen.locator('figure.stage').waitFor();
  const followed = page.frameLocator('iframe:not(#chosen)').locator('.lab');
  for (const scheme of ['dark', 'light']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction((s) => document.querySelector('migration-lab > .lab').dataset.theme === s, scheme);
    await page.waitForFunction(
      (s) => document.querySelector('iframe:not(#chosen)').contentDocument.querySelector('.lab').dataset.theme === s,
      scheme,
    );
    assert.equal(await followed.getAttribute('data-theme'), scheme);
    assert.equal(await chosen.getAttribute('data-theme'), 'dark', `under a ${scheme} page`);
  }
  assert.deepEqual(errors, []);
});

test('two elements run independently; one removed is destroyed, one changed mounts again', async () => {
  const { page, errors } = await open(MARKDOWN);
  const time = (id) => page.locator(`#${id} [data-testid=time]`).innerText();
  assert.equal(await page.getAttribute('#precopy > .lab', 'lang'), 'en');
  assert.equal(await page.getAttribute('#compression > .lab', 'lang'), 'de');
  // Playing one leaves the other where it was.
  const still = await time('compression');
  const start = await time('precopy');
  await page.click('#precopy [data-testid=play]');
  await page.waitForFunction((t) => document.querySelector('#precopy [data-testid=time]').textContent !== t, start);
  assert.equal(await time('compression'), still);

  // Taken out of the page while playing: emptied, and no animation frame is asked for any more.
  await page.evaluate(() => {
    window.removed = document.getElementById('precopy');
    window.removed.remove();
  });
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.removed.childElementCount), 0);
  const frames = await page.evaluate(() => window.framesRequested);
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.framesRequested), frames, 'no animation loop left');
  // The other one still works.
  await page.click('#compression [data-testid=play]');
  await page.waitForFunction((t) => document.querySelector('#compression [data-testid=time]').textContent !== t, still);
  await page.click('#compression [data-testid=play]');
  // Put back, it mounts again.
  await page.evaluate(() => document.querySelector('main').append(window.removed));
  await page.waitForSelector('#precopy > .lab figure.stage');

  // A new language: mounted again in it.
  await page.evaluate(() => document.getElementById('compression').setAttribute('lang', 'en'));
  await page.waitForFunction(() => document.querySelector('#compression > .lab')?.lang === 'en');
  assert.match(await page.locator('#compression .embed-foot').innerText(), /Open the full page/);
  // An explicit theme wins over the page's, and taking it away follows the page again.
  await page.evaluate(() => document.getElementById('compression').setAttribute('theme', 'dark'));
  await page.waitForFunction(() => document.querySelector('#compression > .lab').dataset.theme === 'dark');
  await page.evaluate(() => document.getElementById('compression').removeAttribute('theme'));
  await page.waitForFunction(() => document.querySelector('#compression > .lab').dataset.theme === 'light');

  // Attributes it cannot take: mount's message inside the element, and nothing thrown.
  for (const [name, value, message] of [
    ['views', 'stage,nope', /option views: chapter "compression" has no "nope"/],
    ['lang', 'fr', /lang "fr" is not en or de/],
    ['chapter', 'nowhere', /there is no chapter "nowhere"/],
    ['speed', 'fast', /speed "fast" is not one of 0\.1, 0\.25/],
    ['theme', 'sepia', /theme "sepia" is not light, dark or system/],
  ]) {
    const before = await page.getAttribute('#compression', name);
    await page.evaluate(([n, v]) => document.getElementById('compression').setAttribute(n, v), [name, value]);
    const shown = page.locator('#compression > .migration-lab-error[role=alert]');
    await shown.waitFor();
    assert.match(await shown.innerText(), message);
    assert.equal(await page.locator('#compression .lab').count(), 0, `${name}=${value}: no widget under the message`);
    await page.evaluate(([n, v]) => {
      const el = document.getElementById('compression');
      if (v === null) el.removeAttribute(n);
      else el.setAttribute(n, v);
    }, [name, before]);
    await page.waitForSelector('#compression > .lab figure.stage');
  }
  assert.deepEqual(errors, []);
});
