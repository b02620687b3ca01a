// End to end: the example pages in www/examples/ — two instances through the JavaScript API
// driven independently, and an iframe that sizes itself to the widget.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { readFileSync } from 'node:fs';

import { APP_URL, launch, openApp, screenshot } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Opens an example page (no app of its own) and counts animation frames requested. */
async function example(name, viewport = { width: 1280, height: 800 }) {
  const opened = await openApp(browser, {
    url: `${APP_URL}www/examples/${name}`,
    wait: false,
    viewport,
    contextOptions: { reducedMotion: 'reduce' },
  });
  await opened.page.addInitScript(() => {
    window.framesRequested = 0;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) => {
      window.framesRequested += 1;
      return raf(cb);
    };
  });
  // Every file the example asks for exists (a page without an icon link makes the browser ask
  // for /favicon.ico).
  opened.page.on('response', (r) => {
    if (r.status() >= 400) opened.errors.push(`${r.status()} for ${r.url()}`);
  });
  await opened.page.reload();
  return opened;
}

const time = (page, id) => page.locator(`#${id} [data-testid=time]`).innerText();

test('two instances on one page run independently and destroy leaves nothing running', async () => {
  const { page, errors } = await example('two-instances.html');
  await page.waitForSelector('#first .lab [data-testid=verdict]');
  await page.waitForSelector('#second .lab [data-testid=verdict]');
  assert.equal(await page.getAttribute('#first .lab', 'lang'), 'en');
  assert.equal(await page.getAttribute('#second .lab', 'lang'), 'de');
  // Each shows only what it was given: the first only its two controls, no page chrome.
  assert.equal(await page.locator('#first .lab-head, #second .lab-head').count(), 0);
  assert.equal(await page.locator('#first input[type=number]').count(), 2);
  // A new scenario in the first changes the first only, and tells the page.
  const secondVerdict = await page.locator('#second [data-testid=verdict]').innerText();
  await page.evaluate(() => window.labs.first.set_scenario({ vm: { memory_mib: 4096, dirty_rate_mibps: 30 } }));
  await page.waitForFunction(() => document.getElementById('events').textContent.includes('total time'));
  assert.equal(await page.inputValue('#first #memory-value'), '4');
  assert.equal(await page.locator('#second [data-testid=verdict]').innerText(), secondVerdict);
  // Bad scenarios are refused with the field's name; the shown one stays.
  const refused = await page.evaluate(() => {
    try {
      window.labs.first.set_scenario({ vm: { memory_mib: -1 } });
      return 'accepted';
    } catch (e) {
      return String(e.message || e);
    }
  });
  assert.match(refused, /vm\.memory_mib/);
  // Playing one leaves the other paused.
  const before2 = await time(page, 'second');
  await page.evaluate(() => window.labs.first.play());
  await page.waitForTimeout(500);
  assert.notEqual(await time(page, 'first'), '0 ms / ' + (await time(page, 'first')).split(' / ')[1]);
  assert.equal(await time(page, 'second'), before2);
  await page.evaluate(() => window.labs.first.pause());
  // Space on the page's body does not start either of them.
  const t1 = await time(page, 'first');
  await page.locator('body').press(' ');
  await page.waitForTimeout(300);
  assert.equal(await time(page, 'first'), t1);
  assert.equal(await time(page, 'second'), before2);
  // The host page's own button keeps working.
  await page.click('#host-button');
  assert.equal(await page.locator('#host-output').innerText(), 'clicked');
  // mount() refuses bad options with a message naming them.
  const bad = await page.evaluate(async () => {
    const { mount } = await import('../../migration-lab.js');
    const el = document.createElement('div');
    document.body.appendChild(el);
    const out = [];
    for (const o of [{ lang: 'fr' }, { chapter: 'nope' }, { scenario: { network: { link_gbps: 'fast' } } }]) {
      try {
        mount(el, o).destroy();
        out.push('accepted');
      } catch (e) {
        out.push(String(e.message || e));
      }
    }
    return out;
  });
  assert.match(bad[0], /lang "fr"/);
  assert.match(bad[1], /no chapter "nope"/);
  assert.match(bad[2], /network\.link_gbps: invalid type/);
  // sweep() runs the engine over a parameter's range: a faster link (at the same buffers) is
  // never slower, and a bad option is named.
  const swept = await page.evaluate(async () => {
    const { sweep } = await import('../../migration-lab.js');
    const rows = sweep({ scenario: { vm: { memory_mib: 4096 }, network: { buffers: 512 } }, param: 'link-gbps', from: 1, to: 100, points: 50 });
    const errors = [];
    for (const o of [{ param: 'colour', from: 1, to: 2, points: 3 }, { param: 'buffers', from: 64, to: 4096, points: 1 }]) {
      try {
        sweep(o);
      } catch (e) {
        errors.push(String(e.message || e));
      }
    }
    return { rows, errors };
  });
  assert.equal(swept.rows.length, 50);
  assert.deepEqual([swept.rows[0].x, swept.rows[49].x].map(Math.round), [1, 100]);
  assert.ok(swept.rows.every((r) => r.completed));
  for (let i = 1; i < 50; i++) {
    assert.ok(swept.rows[i].total_time_ms <= swept.rows[i - 1].total_time_ms + 1e-6, `row ${i}`);
  }
  assert.ok(swept.rows[49].total_time_ms < swept.rows[0].total_time_ms / 10, 'a 100 Gbit/s link is much faster than 1 Gbit/s');
  // The rows have the result file's headline shape.
  for (const key of ['converged', 'completed', 'outcome', 'total_time_ms', 'downtime_ms', 'bytes_sent', 'passes']) {
    assert.ok(key in swept.rows[0], `a sweep row has ${key}`);
  }
  assert.match(swept.errors[0], /param "colour" is not one of link-gbps/);
  assert.match(swept.errors[1], /points must be from 2/);
  // Destroying both empties their elements and stops every animation frame.
  await page.evaluate(() => {
    window.labs.first.play();
    window.labs.second.play();
  });
  await page.waitForTimeout(200);
  await page.evaluate(() => {
    window.labs.first.destroy();
    window.labs.second.destroy();
    window.labs.first.destroy();
  });
  assert.equal(await page.locator('#first *, #second *').count(), 0);
  await page.waitForTimeout(200);
  const frames = await page.evaluate(() => window.framesRequested);
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.framesRequested), frames, 'no animation loop left');
  assert.deepEqual(errors, []);
});

/** The height a frame's page needs: its root element's box (its content with every margin and
 * padding around it) and the root's margins. */
const needed = () => {
  const html = document.documentElement;
  const cs = getComputedStyle(html);
  return html.getBoundingClientRect().height + parseFloat(cs.marginTop) + parseFloat(cs.marginBottom);
};

for (const width of [375, 800, 1280]) {
  test(`the iframe example's frame is exactly as tall as the widget, with no inner scrollbar (${width} px)`, async () => {
    const { page, errors } = await example('iframe.html', { width, height: 900 });
    await page.waitForFunction(() => document.getElementById('lab').style.height !== '');
    const inner = page.frameLocator('#lab');
    await inner.locator('.embed-foot').waitFor();
    // Let the widget settle (fonts, charts), then compare.
    await page.waitForTimeout(500);
    const frameHeight = await page.locator('#lab').evaluate((f) => f.clientHeight);
    const { scroll, client, foot } = await inner.locator('html').evaluate((html) => ({
      scroll: html.scrollHeight,
      client: html.clientHeight,
      foot: document.querySelector('.embed-foot').getBoundingClientRect().bottom,
    }));
    assert.equal(scroll, client, `no inner scrollbar: the page inside is ${scroll} px in a ${client} px frame`);
    assert.ok(foot <= frameHeight, `"Open the full page" ends at ${foot} px, inside the ${frameHeight} px frame`);
    const content = await inner.locator('.lab').evaluate(needed);
    assert.ok(Math.abs(frameHeight - Math.ceil(content)) <= 1, `frame ${frameHeight} px for ${content} px of page`);
    assert.deepEqual(errors, []);
  });
}

test('the iframe example takes the height the widget reports, and follows it', async () => {
  const { page, errors } = await example('iframe.html');
  const frame = page.locator('#lab');
  await page.waitForFunction(() => document.getElementById('lab').style.height !== '');
  const first = await frame.evaluate((f) => f.clientHeight);
  const inner = page.frameLocator('#lab');
  const content = await inner.locator('.lab').evaluate(needed);
  assert.ok(Math.abs(first - Math.ceil(content)) <= 1, `frame ${first} px for content ${content} px`);
  // Opening a data table makes the widget taller; the frame follows.
  await inner.locator('details.data summary').first().click();
  await page.waitForFunction((h) => document.getElementById('lab').clientHeight > h + 20, first);
  // Another chapter (] inside the widget) changes the height again, and the frame follows.
  const opened = await frame.evaluate((f) => f.clientHeight);
  await inner.locator('.lab').focus();
  await page.keyboard.press(']');
  await page.waitForFunction((h) => Math.abs(document.getElementById('lab').clientHeight - h) > 20, opened);
  const next = await inner.locator('.lab').evaluate(needed);
  await page.waitForFunction((h) => Math.abs(document.getElementById('lab').clientHeight - Math.ceil(h)) <= 1, next);
  // The widget offers the full page, without the embed options.
  assert.doesNotMatch(await inner.locator('.embed-foot a').getAttribute('href'), /embed=/);
  assert.deepEqual(errors, []);
});

test('a control or view the widget cannot show: a notice in the widget, an error from mount', async () => {
  const { page, errors } = await openApp(browser, {
    url: `${APP_URL}?embed=1&chapter=precopy&lang=en&controls=dirty-rate,nope&views=stage,compare`,
  });
  const notices = await page.locator('[data-testid=link-notices]').innerText();
  assert.match(notices, /“controls=nope” was ignored/);
  assert.match(notices, /“views=compare” was ignored/);
  assert.deepEqual(errors, []);

  const api = await example('two-instances.html');
  await api.page.waitForSelector('#first .lab [data-testid=verdict]');
  const thrown = await api.page.evaluate(async () => {
    const { mount } = await import(new URL('../../migration-lab.js', location.href));
    const el = document.createElement('div');
    document.body.append(el);
    try {
      mount(el, { chapter: 'precopy', embed: true, views: ['stage', 'compare'] });
      return 'no error';
    } catch (e) {
      return String(e.message ?? e);
    }
  });
  assert.match(thrown, /option views: chapter "precopy" has no "compare"/);
  assert.deepEqual(api.errors, []);
});

// A documentation page's content column is about 800 px wide: an embed must fit it.
const chapters = JSON.parse(
  readFileSync(new URL('../../www/chapters.json', import.meta.url), 'utf8'),
).chapters;

/** Opens `query` as an embed `width` px wide and returns its page and document height. */
async function embedded(query, width) {
  const opened = await openApp(browser, {
    url: `${APP_URL}?embed=1&lang=en&${query}`,
    viewport: { width, height: 900 },
    contextOptions: { reducedMotion: 'reduce' },
  });
  await opened.page.locator('.embed-foot').waitFor();
  // Charts and studies drawn between frames settle first.
  await opened.page.waitForTimeout(600);
  await opened.page.waitForFunction(() => !document.querySelector('[aria-busy=true]'));
  const height = await opened.page.evaluate(() => document.documentElement.getBoundingClientRect().height);
  return { ...opened, height };
}

test("every chapter's default embed is at most 900 px tall at 800 px wide", async () => {
  const heights = [];
  for (const c of chapters) {
    const { page, context, errors, height } = await embedded(`chapter=${c.id}`, 800);
    heights.push(`${c.id} ${Math.round(height)}`);
    await screenshot(page, `embed-default-${c.id}-800.png`);
    assert.ok(height <= 900, `${c.id}: ${Math.round(height)} px`);
    assert.deepEqual(errors, []);
    await context.close();
  }
  console.log(`default embeds at 800 px: ${heights.join(', ')}`);
});

test('with every view of a guided one-VM chapter an embed is at most 1,600 px at 800 px wide', async () => {
  // The cluster chapters' one view is the whole cluster workspace, and the playground's are
  // every view there is; they are measured, not held to this.
  const heights = [];
  for (const c of chapters) {
    const { page, context, errors, height } = await embedded(`chapter=${c.id}&views=${c.views.join(',')}`, 800);
    heights.push(`${c.id} ${Math.round(height)}`);
    if (c.view === 'single' && c.id !== 'playground') {
      assert.ok(height <= 1600, `${c.id} with ${c.views.join(', ')}: ${Math.round(height)} px`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  }
  console.log(`embeds with every view at 800 px: ${heights.join(', ')}`);
});

test('a default embed: the stage, the playback, the chapter’s two controls and the result in a line', async () => {
  const { page, context, errors } = await embedded('chapter=compression', 800);
  assert.equal(await page.locator('[data-testid=stage]').count(), 1);
  assert.equal(await page.locator('.timeline').count(), 1);
  // The chapter's compact controls (performance option, compressible pages), no others.
  assert.equal(await page.locator('#lever-option').count(), 1);
  assert.equal(await page.locator('.controls .field-row input[type=range]').count(), 1);
  assert.equal(await page.locator('.controls .field, .controls .lever').count(), 2);
  // No comparison, link chart or result panel; the result in one line, its figures the run's.
  assert.equal(await page.locator('[data-testid=compare], .results, .link-chart').count(), 0);
  const line = page.locator('[data-testid=result-line]');
  assert.equal((await line.boundingBox()).height < 40, true, 'one line at 800 px');
  const total = await page.locator('[data-testid=line-total]').innerText();
  const full = await embedded('chapter=compression&views=stage,result', 800);
  assert.equal(await full.page.locator('[data-testid=total-time]').innerText(), total);
  assert.equal(await full.page.locator('[data-testid=result-line]').count(), 0, 'no line beside the panel');
  await full.context.close();
  // Moving a control re-runs and the line follows.
  await page.selectOption('#lever-option', { label: 'TCP/IP' });
  await page.waitForFunction((t) => document.querySelector('[data-testid=line-total]').textContent !== t, total);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a default cluster embed: the drawing with drain and move, the totals in a line, the Gantt chart', async () => {
  const { page, context, errors } = await embedded('chapter=simultaneous', 800);
  assert.equal(await page.locator('.topology').count(), 1);
  assert.ok(await page.locator('#drain').isVisible());
  assert.ok(await page.locator('#migrate').isVisible());
  assert.equal(await page.locator('#add-host').isVisible(), false, 'building the cluster is the full page’s');
  assert.match(await page.locator('[data-testid=cluster-line]').innerText(), /All done after[\s\S]*8 of 8/);
  assert.equal(await page.locator('#gantt').count(), 1);
  assert.equal(await page.locator('table.nics').count(), 0);
  const full = await embedded('chapter=simultaneous&views=cluster', 800);
  assert.equal(await full.page.locator('table.nics').count(), 1, 'views=cluster is the whole workspace');
  assert.ok(await full.page.locator('#add-host').isVisible());
  await full.context.close();
  assert.deepEqual(errors, []);
  await context.close();
});

/** The left edges and tops of an embed's panels, by selector. */
const boxes = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.lab .panel')].map((p) => {
      const r = p.getBoundingClientRect();
      return { cls: p.className, x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width) };
    }),
  );

test('below 700 px an embed is one column; from 700 px its charts and numbers pair up', async () => {
  const query = 'chapter=precopy&views=stage,memory,passes,result';
  for (const width of [375, 650]) {
    const { page, context, errors } = await embedded(query, width);
    const panels = await boxes(page);
    assert.equal(new Set(panels.map((p) => p.x)).size, 1, `${width} px: ${JSON.stringify(panels)}`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
    assert.deepEqual(errors, []);
    await context.close();
  }
  const { page, context, errors } = await embedded(query, 800);
  const panels = await boxes(page);
  const results = panels.find((p) => p.cls.includes('results'));
  const beside = panels.filter((p) => p.y === results.y && p.x < results.x);
  assert.equal(beside.length, 1, `the pass chart beside the numbers: ${JSON.stringify(panels)}`);
  assert.ok(results.w < 400 && beside[0].w < 400);
  // The memory map keeps the width; numbers with no chart to pair with take it all.
  assert.ok(panels.find((p) => !p.cls.includes('results') && !p.cls.includes('pairable') && p.y > 400 && p.w > 700));
  const alone = await embedded('chapter=live-migration&views=stage,memory,result', 800);
  const lone = (await boxes(alone.page)).find((p) => p.cls.includes('results'));
  assert.ok(lone.w > 700, `numbers alone: ${lone.w} px`);
  await alone.context.close();
  // The same widget mounted in a narrow column of a wide page lays out as narrow: its own
  // width decides, not the window's.
  await page.evaluate(() => { document.querySelector('.lab').style.width = '600px'; });
  await page.waitForTimeout(100);
  assert.equal(new Set((await boxes(page)).map((p) => p.x)).size, 1);
  assert.deepEqual(errors, []);
  await context.close();
});
