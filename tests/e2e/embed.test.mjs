// End to end: the example pages in www/examples/ — two instances through the JavaScript API
// driven independently, and an iframe that sizes itself to the widget.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APP_URL, launch, openApp } from './helpers.mjs';

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
