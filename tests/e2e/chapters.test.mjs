// End to end over the guided chapters: every chapter by keyboard, in both languages (no
// untranslated strings, decimal commas), free of serious accessibility violations in both
// themes, no autoplay for readers who prefer reduced motion, typed values kept as typed, and a
// screenshot of every chapter on a desktop and a phone screen.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { APP_URL, SCREENSHOT_DIR, axeViolations, frames, launch, openApp, screenshot, scrubTo, text } from './helpers.mjs';
import {
  ENGLISH_WORDS,
  GERMAN_WORDS,
  allowedInGerman,
  collectSettingsCode,
  collectVisibleText,
  decimalPointHits,
  openAllDetails,
  wordHits,
} from './i18n.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHAPTERS = JSON.parse(readFileSync(path.resolve(here, '..', '..', 'www', 'chapters.json'), 'utf8')).chapters;
const N = CHAPTERS.length;
/** Names of the hosts, networks and VMs in the cluster presets: data, the same in both languages. */
const PRESET_NAMES = [
  ...new Set(
    readdirSync(path.resolve(here, '..', '..', 'www', 'presets'))
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => {
        const p = JSON.parse(readFileSync(path.resolve(here, '..', '..', 'www', 'presets', f), 'utf8'));
        return [p.networks, p.hosts, p.vms].flatMap((list) => (list ?? []).map((x) => x.name));
      })
      .filter(Boolean),
  ),
];
const LANGS = ['en', 'de'];
const MAX_TABS = 60;

/** "Chapter 3 of 11" / "Kapitel 3 von 11". */
const countText = (i, lang) => (lang === 'de' ? `Kapitel ${i + 1} von ${N}` : `Chapter ${i + 1} of ${N}`);

const url = (id, lang, extra = '') => `${APP_URL}?chapter=${id}&lang=${lang}${extra}`;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Opens one chapter in a fresh context and waits for its text. */
async function openChapter(id, lang, { extra = '', ...options } = {}) {
  const opened = await openApp(browser, { url: url(id, lang, extra), ...options });
  await opened.page.waitForSelector('[data-testid=chapter-title]');
  return opened;
}

/** Loads another chapter in the same page and waits for its text. */
async function gotoChapter(page, id, lang, extra = '') {
  await page.goto(url(id, lang, extra), { waitUntil: 'load' });
  await page.waitForFunction(
    (id) => document.querySelector(`#chapter-${id} [data-testid=chapter-title]`) !== null,
    id,
    { timeout: 20_000 },
  );
}

/** The focused element, as #id or tag.class (or "the page body"). */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'the page body';
    return el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${el.classList.length ? `.${el.classList[0]}` : ''}`;
  });

/** Presses Tab until `isTarget()` holds in the page; returns how many presses it took. */
async function tabUntil(page, isTarget, arg, what) {
  for (let tabs = 1; tabs <= MAX_TABS; tabs++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(isTarget, arg)) return tabs;
  }
  assert.fail(`${what} not reached after ${MAX_TABS} Tab presses (focus is on ${await focused(page)})`);
}

/** Moves focus back to the document body, as clicking outside every control does. */
const focusBody = (page) =>
  page.evaluate(() => {
    document.activeElement?.blur();
    return document.activeElement === document.body;
  });

/** Count text, title and the drop-down's chosen entry as they are now. */
const navState = (page) =>
  page.evaluate(() => ({
    count: document.querySelector('[data-testid=chapter-count]')?.textContent.trim(),
    title: document.querySelector('[data-testid=chapter-title]')?.textContent.trim(),
    selected: document.querySelector('#chapter-select')?.selectedOptions[0]?.textContent.trim(),
  }));

/** Waits until the count reads chapter `i`, then checks title and drop-down against chapters.json. */
async function expectChapter(page, i, lang, how) {
  const want = countText(i, lang);
  try {
    await page.waitForFunction(
      // Shown by the app that shows the chapter's view: not while the page loads the rest of
      // the app for it.
      (want) =>
        document.querySelector('[data-testid=chapter-count]')?.textContent.trim() === want &&
        !document.querySelector('[data-testid=handover]'),
      want,
      { timeout: 5_000 },
    );
  } catch {
    assert.fail(`${how}: expected "${want}", still ${JSON.stringify(await navState(page))}`);
  }
  const state = await navState(page);
  const title = CHAPTERS[i].title[lang];
  assert.equal(state.title, title, `${how}: title of chapter ${i + 1} (${CHAPTERS[i].id}, ${lang})`);
  assert.equal(state.selected, `${i + 1}. ${title}`, `${how}: the chapter list shows chapter ${i + 1}`);
  return state;
}

// 1. Keyboard only.

for (const lang of LANGS) {
  test(`keyboard (${lang}): Tab to Next, then Enter walks through all ${N} chapters`, async () => {
    const { page, context, errors } = await openChapter(CHAPTERS[0].id, lang, {
      contextOptions: { reducedMotion: 'reduce' },
    });
    await expectChapter(page, 0, lang, 'on load');
    assert.ok(await focusBody(page), 'focus starts on the page body');
    const tabs = await tabUntil(page, () => document.activeElement?.id === 'chapter-next', null, '#chapter-next');
    console.log(`# ${lang}: #chapter-next reached with ${tabs} Tab presses`);
    let seen = await navState(page);
    for (let i = 1; i < N; i++) {
      await page.keyboard.press('Enter');
      const now = await expectChapter(page, i, lang, `Enter on Next from chapter ${i}`);
      assert.notEqual(now.count, seen.count, `count text changes on chapter ${i + 1}`);
      assert.notEqual(now.title, seen.title, `title changes on chapter ${i + 1}`);
      seen = now;
      if (i < N - 1) {
        assert.equal(await focused(page), '#chapter-next', `focus stays on Next after moving to chapter ${i + 1}`);
      }
    }
    assert.ok(await page.locator('#chapter-next').isDisabled(), 'Next is disabled on the last chapter');
    await page.keyboard.press('Enter');
    await frames(page);
    assert.equal((await navState(page)).count, countText(N - 1, lang), 'Enter on the last chapter stays there');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test(`keyboard (${lang}): [ from the page body walks back from the last chapter to the first`, async () => {
    const { page, context, errors } = await openChapter(CHAPTERS[N - 1].id, lang, {
      contextOptions: { reducedMotion: 'reduce' },
    });
    await expectChapter(page, N - 1, lang, 'on load');
    assert.ok(await focusBody(page), 'focus is on the page body');
    let seen = await navState(page);
    for (let i = N - 2; i >= 0; i--) {
      const focus = await focused(page);
      await page.keyboard.press('[');
      await frames(page);
      if (i === N - 2 && (await navState(page)).count === seen.count) {
        // Say whether the key works once focus is inside the app, to point at the cause.
        await page.locator('.lab-head h1').click();
        await page.keyboard.press('[');
        await frames(page);
        const inApp = (await navState(page)).count === countText(i, lang);
        assert.fail(
          `[ with focus on ${focus} leaves the page on chapter ${N} ("${seen.count}"); after a click on the ` +
            `page heading (focus on ${await focused(page)}) it ${inApp ? 'does go back' : 'does not go back either'}`,
        );
      }
      const now = await expectChapter(page, i, lang, `[ on chapter ${i + 2} with focus on ${focus}`);
      assert.notEqual(now.title, seen.title, `title changes on chapter ${i + 1}`);
      seen = now;
    }
    await page.keyboard.press('[');
    await frames(page);
    assert.equal((await navState(page)).count, countText(0, lang), '[ on the first chapter stays there');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('keyboard: the first glossary term of every chapter is reached by Tab and Enter goes to its definition', async () => {
  const { page, context, errors } = await openChapter(CHAPTERS[0].id, 'en', {
    contextOptions: { reducedMotion: 'reduce' },
  });
  const problems = [];
  for (const [i, chapter] of CHAPTERS.entries()) {
    if (i > 0) await gotoChapter(page, chapter.id, 'en');
    const href = await page
      .locator('[data-testid=chapter] a.term')
      .first()
      .getAttribute('href', { timeout: 1_000 })
      .catch(() => null);
    if (!href) continue; // a chapter without glossary terms
    assert.match(href, /^#term-[\w-]+$/, `${chapter.id}: the term links into the glossary`);
    await focusBody(page);
    let tabs;
    try {
      tabs = await tabUntil(
        page,
        () => document.activeElement === document.querySelector('[data-testid=chapter] a.term'),
        null,
        `${chapter.id}: the first term link (${href})`,
      );
    } catch (err) {
      problems.push(err.message);
      continue;
    }
    await page.keyboard.press('Enter');
    try {
      await page.waitForFunction((href) => location.hash === href, href, { timeout: 3_000 });
    } catch {
      problems.push(`${chapter.id}: Enter on ${href} (after ${tabs} Tabs) leaves the hash at "${await page.evaluate(() => location.hash)}"`);
      continue;
    }
    await frames(page);
    const where = await page.evaluate((href) => {
      const target = document.querySelector(href);
      if (!target) return { exists: false };
      const r = target.getBoundingClientRect();
      return {
        exists: true,
        inView: r.top < innerHeight && r.bottom > 0,
        focus: document.activeElement === target || target.contains(document.activeElement),
        active: document.activeElement?.id || document.activeElement?.tagName,
      };
    }, href);
    if (!where.exists) problems.push(`${chapter.id}: ${href} has no target in the glossary`);
    else if (!where.inView) problems.push(`${chapter.id}: Enter on ${href} does not scroll its definition into view`);
    else if (!where.focus) problems.push(`${chapter.id}: Enter on ${href} leaves focus on ${where.active}, not the definition`);
  }
  assert.deepEqual(problems, [], `glossary links:\n  ${problems.join('\n  ')}`);
  assert.deepEqual(errors, []);
  await context.close();
});

// 2. Language.

/** Visible text fragments of every chapter per language, collected once at the start, the
 * middle and the end of the run (the phase and the results change as it plays). */
const textCache = new Map();
async function chapterTexts(lang) {
  if (textCache.has(lang)) return textCache.get(lang);
  const { page, context, errors } = await openApp(browser, {
    url: url(CHAPTERS[0].id, lang),
    contextOptions: { reducedMotion: 'reduce' },
  });
  const texts = [];
  for (const chapter of CHAPTERS) {
    await gotoChapter(page, chapter.id, lang);
    const fragments = new Map();
    // The other language's button names itself in its language; the sources are the titles
    // of the (English) documents they cite.
    const exclude = lang === 'de' ? '#lang-en, ul.sources' : '#lang-de';
    const collect = async () => {
      for (const f of await page.evaluate(collectVisibleText, exclude)) fragments.set(`${f.where}\u0000${f.text}`, f);
    };
    for (const at of [0, 0.5, 1]) {
      if (await page.locator('[data-testid=timeline]').count()) await scrubTo(page, at);
      await frames(page);
      await collect();
    }
    // What the disclosures (more settings, data tables, the settings and sources) show once
    // opened; in German also the settings' command lines, which must hold no English words
    // (only words: a command's numbers are its own, 192.168.10.0/24 included).
    await openAllDetails(page, () => frames(page));
    await collect();
    const code = lang === 'de' ? await page.evaluate(collectSettingsCode) : [];
    texts.push({ chapter: chapter.id, fragments: [...fragments.values()], code });
  }
  await context.close();
  const result = { texts, errors };
  textCache.set(lang, result);
  return result;
}

/** One line per offending fragment, with the chapters it shows on ("every chapter" when all). */
function listing(hits) {
  const byFragment = new Map();
  for (const h of hits) {
    const key = `"${h.match}" in ${h.where}: …${h.context}…`;
    if (!byFragment.has(key)) byFragment.set(key, []);
    const chapters = byFragment.get(key);
    if (!chapters.includes(h.chapter)) chapters.push(h.chapter);
  }
  return [...byFragment]
    .map(([key, chapters]) => `${chapters.length === N ? 'every chapter' : chapters.join(', ')}: ${key}`)
    .join('\n  ');
}

test('German: no English UI words on any chapter', async () => {
  const { texts, errors } = await chapterTexts('de');
  const hits = texts.flatMap(({ chapter, fragments, code }) =>
    wordHits([...fragments, ...code], ENGLISH_WORDS, allowedInGerman(PRESET_NAMES)).map((h) => ({ chapter, ...h })),
  );
  console.log(`# German: ${hits.length} English words on ${new Set(hits.map((h) => h.chapter)).size} chapters`);
  assert.deepEqual(errors, []);
  assert.equal(hits.length, 0, `untranslated strings in German (${hits.length}):\n  ${listing(hits)}`);
});

test('German: numbers use a decimal comma', async () => {
  const { texts, errors } = await chapterTexts('de');
  const hits = texts.flatMap(({ chapter, fragments }) =>
    decimalPointHits(fragments).map((h) => ({ chapter, ...h })),
  );
  assert.deepEqual(errors, []);
  assert.equal(hits.length, 0, `decimal points in German (${hits.length}):\n  ${listing(hits)}`);
});

test('English: no German words on any chapter', async () => {
  const { texts, errors } = await chapterTexts('en');
  const hits = texts.flatMap(({ chapter, fragments }) =>
    wordHits(fragments, GERMAN_WORDS, []).map((h) => ({ chapter, ...h })),
  );
  assert.deepEqual(errors, []);
  assert.equal(hits.length, 0, `German words in English (${hits.length}):\n  ${listing(hits)}`);
});

/** The English words in `text` outside the names German keeps, as "word: …context…" lines. */
const englishIn = (text, where) =>
  wordHits([{ where, text }], ENGLISH_WORDS, allowedInGerman(PRESET_NAMES)).map((h) => `${h.match}: …${h.context}…`);

/** The text of the element with this data-testid without its code (a field's name is code). */
const prose = (page, id) =>
  page.locator(`[data-testid=${id}]`).evaluate((el) => {
    const copy = el.cloneNode(true);
    for (const c of copy.querySelectorAll('code')) c.remove();
    return copy.textContent;
  });

test('German: what the engine and the cluster refuse is said in German, with its numbers', async () => {
  // A link whose working set is larger than the VM: the engine refuses the change.
  const { page, context, errors } = await openApp(browser, {
    url: `${APP_URL}?lang=de&s.vm.memory_mib=4096&s.vm.working_set_mib=9000`,
    contextOptions: { reducedMotion: 'reduce' },
  });
  await page.waitForSelector('[data-testid=link-notices]');
  const notice = await text(page, 'link-notices');
  assert.deepEqual(englishIn(await prose(page, 'link-notices'), 'link notice'), [], `the engine's reason in German: ${notice}`);
  assert.match(notice, /9000 MiB|9\.000 MiB/, `the working set with its unit: ${notice}`);
  assert.match(notice, /4096 MiB|4\.096 MiB/, `the memory with its unit: ${notice}`);

  // The cluster: a drain without shared storage is refused for every VM.
  await page.click('#tab-cluster');
  await page.waitForSelector('[data-testid=refused]', { state: 'attached' });
  await page.click('#shared-storage');
  await page.waitForSelector('[data-testid=refused] li');
  const refused = await text(page, 'refused');
  assert.deepEqual(englishIn(await prose(page, 'refused'), 'refused'), [], `the refusals in German: ${refused}`);
  assert.match(refused, /\d+(,\d+)? GiB/, `the disks' size with its unit: ${refused}`);

  // A limit of no migrations at a time: the cluster engine refuses the whole cluster.
  await page.fill('#per-host-limit', '0');
  await page.press('#per-host-limit', 'Enter');
  await page.locator('#per-host-limit').dispatchEvent('change');
  await page.waitForSelector('[data-testid=cluster-error]');
  const clusterError = await text(page, 'cluster-error');
  assert.deepEqual(englishIn(await prose(page, 'cluster-error'), 'cluster error'), [], `the cluster's error in German: ${clusterError}`);
  await screenshot(page, 'de-cluster-refusal.png');
  assert.deepEqual(errors, []);
  await context.close();
});

// 3. Accessibility.

for (const theme of ['light', 'dark']) {
  for (const lang of LANGS) {
    test(`axe: no serious or critical violations on any chapter (${lang}, ${theme})`, async () => {
      const { page, context, errors } = await openApp(browser, {
        url: url(CHAPTERS[0].id, lang, `&theme=${theme}`),
        contextOptions: { reducedMotion: 'reduce' },
      });
      const found = [];
      for (const chapter of CHAPTERS) {
        await gotoChapter(page, chapter.id, lang, `&theme=${theme}`);
        await frames(page);
        assert.equal(await page.getAttribute('.lab', 'data-theme'), theme, `${chapter.id}: the page is in the ${theme} theme`);
        for (const v of await axeViolations(page)) {
          if (v.impact === 'serious' || v.impact === 'critical') found.push({ chapter: chapter.id, ...v });
        }
      }
      await context.close();
      const list = found
        .map((v) => `${v.chapter} [${lang}, ${theme}]: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(', ')}`)
        .join('\n  ');
      assert.deepEqual(errors, []);
      assert.equal(found.length, 0, `axe violations (${found.length}):\n  ${list}`);
    });
  }
}

// 4. Reduced motion.

test('a reader who prefers reduced motion gets no autoplay', async () => {
  const { page, context, errors } = await openChapter(CHAPTERS[1].id, 'en', {
    contextOptions: { reducedMotion: 'reduce' },
  });
  await page.waitForSelector('[data-testid=play]');
  const t0 = await text(page, 'time');
  await page.waitForTimeout(1_000);
  const play = await text(page, 'play');
  assert.match(play, /Play/, `the play button offers to play (reads "${play}")`);
  assert.equal(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'false');
  const t1 = await text(page, 'time');
  assert.equal(t1, t0, 'the clock stands still');
  assert.match(t1, /^0 ms\b/, `the clock is at 0 ms (reads "${t1}")`);
  assert.deepEqual(errors, []);
  await context.close();
});

// 5. Typed values.

/** Types a value into a number box and commits it with Enter. */
async function typeValue(page, selector, value) {
  await page.fill(selector, value);
  await page.press(selector, 'Enter');
  await frames(page);
}

const verdict = (page) => text(page, 'verdict');

async function openPlayground() {
  const { page, context, errors } = await openApp(browser, {
    url: url('playground', 'en'),
    contextOptions: { reducedMotion: 'reduce' },
  });
  await page.waitForSelector('[data-testid=verdict]');
  return { page, context, errors };
}

test('typed values survive: 7 GiB of memory reads back as 7', async () => {
  const { page, context, errors } = await openPlayground();
  await typeValue(page, '#memory-value', '7');
  assert.equal(await page.inputValue('#memory-value'), '7');
  assert.doesNotMatch(await verdict(page), /^Cannot simulate/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('typed values survive: a dirty rate of 0.3 reads back as 0.3', async () => {
  const { page, context, errors } = await openPlayground();
  await typeValue(page, '#dirty-rate-value', '0.3');
  assert.equal(await page.inputValue('#dirty-rate-value'), '0.3');
  assert.doesNotMatch(await verdict(page), /^Cannot simulate/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('typed values survive: memory to its 0.0625 GiB minimum and back to 8 keeps the working-set and never-written shares as they were', async () => {
  const { page, context, errors } = await openPlayground();
  const shares = async () => ({
    workingSet: await page.inputValue('#working-set-value'),
    free: await page.inputValue('#free-value'),
  });
  const initial = await shares();
  assert.ok(Number(initial.workingSet) > 0 && Number(initial.free) > 0, `default shares ${JSON.stringify(initial)}`);
  // The field's minimum, so the value is taken (below it the field refuses and nothing changes).
  await typeValue(page, '#memory-value', '0.0625');
  const min = await page.inputValue('#memory-value');
  assert.ok(Math.abs(Number(min) - 0.0625) < 0.001, `#memory-value reads "${min}" after 0.0625`);
  const tiny = await shares();
  await typeValue(page, '#memory-value', '8');
  assert.equal(await page.inputValue('#memory-value'), '8');
  const back = await shares();
  assert.deepEqual({ tiny, back }, { tiny: initial, back: initial });
  assert.doesNotMatch(await verdict(page), /^Cannot simulate/);
  assert.deepEqual(errors, []);
  await context.close();
});

// 6. Screenshots.

test('each chapter starts from its own start: Next carries only language, theme and speed, Reset goes back, the link names only what differs', async () => {
  const { page, context, errors } = await openChapter('simultaneous', 'de', {
    extra: '&theme=dark&speed=2',
    contextOptions: { reducedMotion: 'reduce' },
  });
  // The reader changes the chapter's cluster, then goes on to the playground.
  await page.click('#add-host');
  // The address follows the state once the page settles.
  await page.waitForFunction(() => location.search.includes('c.hosts'), null, { timeout: 5000 });
  const before = await page.evaluate(() => location.search);
  await page.click('#chapter-next');
  await page.waitForSelector('#chapter-playground [data-testid=chapter-title]');
  await page.waitForSelector('#memory-value');
  await page.waitForFunction(() => location.search.includes('chapter=playground'), null, { timeout: 5000 });
  const search = await page.evaluate(() => location.search);
  const params = new URLSearchParams(search);
  assert.equal(params.get('chapter'), 'playground');
  assert.equal(params.get('lang'), 'de', `the language carries over (${before} → ${search})`);
  assert.equal(params.get('theme'), 'dark', 'the theme carries over');
  assert.equal(params.get('speed'), '2', 'the speed carries over');
  const state = [...params.keys()].filter((k) => k.startsWith('s.') || k.startsWith('c.'));
  assert.deepEqual(state, [], `the playground opens at its own start, so the link holds no scenario or cluster: ${search}`);
  assert.ok(search.length < 80, `a short link: ${search.length} characters`);
  // Hyper-V's defaults, as the playground's text says.
  assert.equal(await page.inputValue('#memory-value'), '8');
  assert.equal(await page.inputValue('#link-value'), '10');

  // One change is all the link holds; Reset takes it back.
  await typeValue(page, '#link-value', '40');
  await page.waitForFunction(() => location.search.includes('s.network'), null, { timeout: 5000 });
  const changed = new URLSearchParams(await page.evaluate(() => location.search));
  assert.deepEqual(
    [...changed.keys()].filter((k) => k.startsWith('s.') || k.startsWith('c.')),
    ['s.network.link_gbps'],
  );
  await page.click('#chapter-reset');
  await page.waitForFunction(() => !location.search.includes('s.network'), null, { timeout: 5000 });
  assert.equal(await page.inputValue('#link-value'), '10', 'Reset restores the chapter\'s link speed');
  const reset = new URLSearchParams(await page.evaluate(() => location.search));
  assert.equal(reset.get('s.network.link_gbps'), null);
  assert.equal(reset.get('speed'), '2', 'Reset keeps the speed');
  assert.equal(await page.locator('#chapter-reset').innerText(), '↺ Zurücksetzen');
  assert.deepEqual(errors, []);
  await context.close();
});

test('controls fit their range: the dirty rate a chapter asks for is reached by keys and by dragging; the timeline spans what is shown', async () => {
  const { page, context, errors } = await openChapter('precopy', 'en', { contextOptions: { reducedMotion: 'reduce' } });
  await page.waitForSelector('#dirty-rate');
  assert.equal(await page.inputValue('#dirty-rate-value'), '20');
  // "Try 40 MiB/s": twenty steps of the arrow key from 20.
  await page.focus('#dirty-rate');
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.inputValue('#dirty-rate-value'), '40');
  // And by the mouse: the slider's position for 40 MiB/s, dragged to from its left end.
  await page.focus('#dirty-rate');
  await page.keyboard.press('Home');
  assert.equal(await page.inputValue('#dirty-rate-value'), '0');
  const box = await page.locator('#dirty-rate').boundingBox();
  const max = await page.$eval('#dirty-rate', (el) => Number(el.max));
  assert.ok(max >= 150, `fine steps: ${max}`);
  const reached = new Set();
  for (let px = 0; px < box.width; px += 1) {
    await page.mouse.move(box.x + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + px, box.y + box.height / 2);
    await page.mouse.up();
    const v = Number(await page.inputValue('#dirty-rate-value'));
    reached.add(v);
    if (v > 45) break;
  }
  assert.ok(reached.has(40), `40 MiB/s under the pointer (reached ${[...reached].join(', ')})`);
  assert.deepEqual(errors, []);
  await context.close();

  // An embed of the convergence chapter without its comparison: the timeline is its own run's.
  const embed = await openApp(browser, { url: `${APP_URL}?chapter=convergence&embed=1&views=stage,passes,result&lang=en` });
  await embed.page.waitForSelector('[data-testid=time]');
  const total = (await embed.page.locator('[data-testid=time]').innerText()).split(' / ')[1];
  const run = await embed.page.locator('[data-testid=total-time]').innerText();
  assert.equal(total, run, 'the timeline ends with the run shown');
  await embed.context.close();
});

/** "35.9 s", "1 min 2 s", "172 ms" as seconds. */
const seconds = (text) => {
  let s = 0;
  for (const [, n, unit] of text.replaceAll(',', '.').matchAll(/([\d.]+)\s*(ms|s|min|h)\b/g)) {
    s += Number(n) * { ms: 0.001, s: 1, min: 60, h: 3600 }[unit];
  }
  return s;
};

test('reading on from chapter 1 at the default speed, pass 2 begins within about 10 s', async () => {
  const { page, context, errors } = await openChapter('live-migration', 'en', { contextOptions: { reducedMotion: 'reduce' } });
  await page.click('#chapter-next');
  await page.waitForSelector('#chapter-precopy [data-testid=chapter-title]');
  const speed = Number(await page.inputValue('[data-testid=speed]'));
  // Pass 1's duration, plus Hyper-V's setup before it (2.5 s), is when pass 2 begins.
  const pass1 = seconds(await page.$eval('[data-testid=pass-table] tbody tr td:nth-child(3)', (td) => td.textContent));
  assert.ok(pass1 > 10, `a pass 1 long enough to matter: ${pass1} s`);
  const wall = (pass1 + 2.5) / speed;
  assert.ok(wall <= 10.5, `pass 2 after ${wall.toFixed(1)} s of playing at ${speed}×`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('screenshots of every chapter, desktop and phone, English and German', async () => {
  const dir = path.join(SCREENSHOT_DIR, 'chapters');
  mkdirSync(dir, { recursive: true });
  const files = [];
  const allErrors = [];
  for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 812 }]) {
    const { page, context, errors } = await openApp(browser, {
      url: url(CHAPTERS[0].id, 'en'),
      viewport,
      contextOptions: { reducedMotion: 'reduce' },
    });
    for (const lang of LANGS) {
      for (const chapter of CHAPTERS) {
        await gotoChapter(page, chapter.id, lang);
        // Halfway through the run, so memory map and charts show a migration under way.
        if (await page.locator('[data-testid=timeline]').count()) await scrubTo(page, 0.5);
        await frames(page);
        const name = `${chapter.id}-${lang}-${viewport.width}.png`;
        await page.screenshot({ path: path.join(dir, name), fullPage: true });
        files.push(name);
      }
    }
    allErrors.push(...errors);
    await context.close();
  }
  writeFileSync(path.join(dir, 'index.txt'), `${files.join('\n')}\n`);
  assert.equal(files.length, N * 2 * 2);
  assert.deepEqual(allErrors, []);
});

test('the chapter on pre-copy that cannot converge: five answers in a table, post-copy on the stage and the map, no sideways scroll', async () => {
  const browser = await launch();
  try {
    for (const width of [1280, 375]) {
      const { page, errors } = await openApp(browser, {
        url: `${APP_URL}?chapter=cannot-converge`,
        viewport: { width, height: 800 },
      });
      const rows = page.locator('[data-testid=compare] tbody tr');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 5);
      // Hyper-V's pass cap pauses it for seconds; post-copy for a few tens of milliseconds,
      // and the table says what post-copy risks.
      const row = async (i) => (await rows.nth(i).innerText()).replace(/\s+/g, ' ');
      assert.match(await row(0), /Hyper-V.*\d+\.\d+ s/);
      assert.match(await row(4), /post-copy.* \d+ ms .*network failure/);
      // Somewhere in the post-copy phase the stage shows the guest waiting for pages and the
      // memory map counts pages fetched on a fault.
      const pause = page.locator('[data-testid=play]');
      if ((await pause.innerText()).includes('Pause')) await pause.click();
      let seen = null;
      for (let f = 0.3; f <= 1.0 && !seen; f += 0.05) {
        await scrubTo(page, f);
        const status = await page.locator('[data-testid=vm] .vm-status').first().evaluate((el) => el.textContent);
        const fetched = Number(await text(page, 'blocks-5'));
        if (/waits \d+ % for pages/.test(status) && fetched > 0) seen = { f, status, fetched };
      }
      assert.ok(seen, 'the stage never showed the guest waiting for pages with fetched blocks on the map');
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scroll <= width, `the page scrolls sideways at ${width} px: ${scroll} px`);
      assert.deepEqual(errors, []);
      await page.context().close();
    }
  } finally {
    await browser.close();
  }
});

test('a link to the first chapter that switches QEMU to post-copy is run by the full build', async () => {
  const browser = await launch();
  try {
    const { page, errors } = await openApp(browser, {
      url: `${APP_URL}?chapter=live-migration&s.policy.kind=qemu&s.policy.postcopy_after_passes=1`,
    });
    // The first load leaves post-copy out and hands the link over; the verdict is post-copy's.
    await page.waitForFunction(() => /post-copy/.test(document.body.innerText), null, { timeout: 30000 });
    assert.match(await page.evaluate(() => document.body.innerText), /Switched to post-copy after 1 pass/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
