// End to end: the page's layout measured in the browser at a desktop (1280 px) and a phone
// (375 px) width, in English and German: what overlaps, overflows, is oversized or too small.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { APP_URL, collectErrors, launch, lightColour, openApp, screenshot, scrubTo, waitForApp } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const PHONE = { width: 375, height: 800 };
const DESKTOP = { width: 1280, height: 900 };

/** Opens `query` at `viewport` as `openApp` does, with every text the page's canvases draw
 * recorded from the first frame in `window.__drawn`: the shown canvas's id, text, x, width and
 * font size in CSS pixels. */
async function openRecorded(query, viewport) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(() => {
    window.__drawn = [];
    const fill = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
      // A chart is drawn on a canvas off the page, named by `data-chart`, of the size it is
      // then copied onto the shown one at: CSS pixels are the shown canvas's box over that.
      const canvas = (!this.canvas.isConnected && document.getElementById(this.canvas.dataset.chart)) || this.canvas;
      const k = this.canvas.width ? canvas.clientWidth / this.canvas.width : 1;
      const size = Number((this.font.match(/([\d.]+)px/) || [0, 0])[1]);
      window.__drawn.push({
        canvas: canvas.id || canvas.className,
        text: String(text),
        x: x * k,
        width: this.measureText(String(text)).width * k,
        px: size * k,
      });
      return fill.call(this, text, x, y, ...rest);
    };
  });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(`${APP_URL}${query}`, { waitUntil: 'load' });
  await waitForApp(page);
  return { page, context, errors };
}

/** The pixels of `selector`'s canvas within ±12 of one of `rgbs`, as [x, y], and the CSS
 * pixels per pixel of the canvas. */
function colourMap(page, selector, rgbs) {
  return page.$eval(
    selector,
    (canvas, rgbs) => {
      const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const hits = [];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          if (data[i + 3] < 250) continue;
          if (rgbs.some(([r, g, b]) => Math.abs(data[i] - r) < 12 && Math.abs(data[i + 1] - g) < 12 && Math.abs(data[i + 2] - b) < 12)) {
            hits.push([x, y]);
          }
        }
      }
      return { hits, scale: canvas.clientWidth / canvas.width };
    },
    rgbs,
  );
}

// The Gantt chart's row labels ("sql01 → NODE2") end before its plot area, where the bars
// are drawn.
for (const [query, what] of [
  ['?chapter=cluster', 'the 2-node preset'],
  ['?chapter=simultaneous', 'the drain of chapter 9'],
  // A VM with a long name, as real ones have.
  ['?chapter=simultaneous&c.vms.0.name=exchange-mailbox-01', 'a long VM name'],
]) {
  for (const [viewport, lang] of [
    [DESKTOP, 'en'],
    [DESKTOP, 'de'],
    [PHONE, 'en'],
  ]) {
    test(`Gantt row labels end before the bars: ${what}, ${viewport.width} px, ${lang}`, async () => {
      const { page, context, errors } = await openRecorded(`${query}&lang=${lang}`, viewport);
      await page.waitForSelector('#gantt');
      const rows = await page.locator('[data-testid=gantt-table] tbody tr').count();
      assert.ok(rows >= 1);
      await page.waitForFunction((rows) => window.__drawn.filter((d) => d.canvas === 'gantt' && d.text.includes(' → ')).length >= rows, rows);
      const labels = (await page.evaluate(() => window.__drawn.filter((d) => d.canvas === 'gantt' && d.text.includes(' → ')))).slice(-rows);
      // The plot area starts where the time axis does: at its "0" label, centred on t = 0.
      const zero = await page.evaluate(() => window.__drawn.filter((d) => d.canvas === 'gantt' && /^0 m?s$/.test(d.text)).at(-1));
      assert.ok(zero, 'the time axis starts at 0');
      const plotLeft = zero.x;
      for (const l of labels) {
        assert.ok(
          l.x + l.width <= plotLeft - 2,
          `"${l.text}" ends at ${(l.x + l.width).toFixed(1)} px, the bars start at ${plotLeft.toFixed(1)} px`,
        );
      }
      // The time cursor and the pointer's hit area start there too.
      const hits = await page.locator('.gantt-hits').boundingBox();
      const canvas = await page.locator('#gantt').boundingBox();
      assert.ok(Math.abs(hits.x - canvas.x - plotLeft) <= 2, `hit area at ${hits.x - canvas.x}, plot at ${plotLeft}`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}

// The cluster drawing is as large as what it holds: above the hosts only the room the arcs
// between them need, and the hosts at their own size, not blown up to the page's width.
for (const [viewport, preset] of [
  [DESKTOP, null],
  [DESKTOP, '2'],
  [PHONE, null],
]) {
  test(`the cluster drawing fits its content: ${viewport.width} px, preset ${preset ?? '2 nodes'}`, async () => {
    const { page, errors } = await openApp(browser, { url: `${APP_URL}?chapter=cluster`, viewport });
    await page.waitForSelector('.topology');
    if (preset) await page.selectOption('#preset', preset);
    await page.click('[data-testid=play]');
    await scrubTo(page, 0.3);
    await page.waitForSelector('.topology .flow');
    const m = await page.evaluate(() => {
      const box = (e) => e.getBoundingClientRect();
      const svg = box(document.querySelector('.topology'));
      const hosts = [...document.querySelectorAll('.chost > rect')].map(box);
      const flows = [...document.querySelectorAll('.topology .flow')].map(box);
      const name = document.querySelector('.chost .host-name');
      const scale = name.getScreenCTM().a;
      return {
        svgTop: svg.top,
        svgBottom: svg.bottom,
        hostTop: Math.min(...hosts.map((h) => h.top)),
        hostBottom: Math.max(...hosts.map((h) => h.bottom)),
        hostHeight: hosts[0].height,
        flowTop: Math.min(...flows.map((f) => f.top)),
        namePx: parseFloat(getComputedStyle(name).fontSize) * scale,
        scale,
      };
    });
    // The arcs drawn now, and the room for the highest one a migration could draw: a little
    // higher (28 units of the drawing at most), for one bowed more or joining hosts farther apart.
    const arcs = m.hostTop - m.flowTop;
    assert.ok(m.flowTop >= m.svgTop - 1, `an arc is cut off: ${m.flowTop} above the drawing's top ${m.svgTop}`);
    assert.ok(
      m.hostTop - m.svgTop <= arcs + 28 * m.scale,
      `${(m.hostTop - m.svgTop).toFixed(0)} px above the hosts, the arcs need ${arcs.toFixed(0)}`,
    );
    assert.ok(m.svgBottom - m.hostBottom <= 32, `${(m.svgBottom - m.hostBottom).toFixed(0)} px under the hosts`);
    assert.ok(m.namePx <= 20.5, `host names at ${m.namePx.toFixed(1)} px`);
    assert.ok(m.hostHeight <= 200, `a host box ${m.hostHeight.toFixed(0)} px tall`);
    assert.deepEqual(errors, []);
  });
}

// The network table of chapter 9 fits its panel.
for (const lang of ['en', 'de']) {
  for (const width of [1280, 1024]) {
    test(`the NIC table fits its panel: chapter 9, ${width} px, ${lang}`, async () => {
      const { page, errors } = await openApp(browser, { url: `${APP_URL}?chapter=simultaneous&lang=${lang}`, viewport: { width, height: 900 } });
      await page.waitForSelector('table.nics');
      const m = await page.$eval('table.nics', (t) => {
        const box = t.parentElement;
        const panel = t.closest('.panel');
        const pad = parseFloat(getComputedStyle(panel).paddingRight);
        return {
          scroll: box.scrollWidth,
          client: box.clientWidth,
          right: t.getBoundingClientRect().right,
          inner: panel.getBoundingClientRect().right - pad - parseFloat(getComputedStyle(panel).borderRightWidth),
        };
      });
      assert.ok(m.scroll <= m.client, `the table is ${m.scroll - m.client} px wider than its box`);
      assert.ok(m.right <= m.inner + 0.5, `the table ends ${(m.right - m.inner).toFixed(1)} px past the panel's padding`);
      assert.deepEqual(errors, []);
    });
  }
}

// On a phone: the demo right after the chapter's first paragraph, memory blocks of at
// least 3 px, chart text of at least 12 px, "core-s" on one line.
for (const [chapter, lang] of [
  ['precopy', 'en'],
  ['compression', 'de'],
]) {
  test(`on a phone the demo follows the first paragraph: ${chapter}, ${lang}`, async () => {
    const { page, errors } = await openApp(browser, { url: `${APP_URL}?chapter=${chapter}&lang=${lang}`, viewport: PHONE });
    await page.waitForSelector('[data-testid=chapter] p:nth-of-type(2)');
    const m = await page.evaluate(() => {
      const y = (e) => {
        const r = e.getBoundingClientRect();
        return { top: r.top + scrollY, bottom: r.bottom + scrollY };
      };
      const paras = [...document.querySelectorAll('[data-testid=chapter] > p')].map(y);
      const map = document.querySelector('#memory-map');
      return {
        paras,
        stage: y(document.querySelector('[data-testid=stage]')),
        timeline: y(document.querySelector('.timeline')),
        map: map ? y(map) : null,
        controls: y(document.querySelector('.controls')),
      };
    });
    const [first, second] = m.paras;
    assert.ok(m.stage.top >= first.bottom, 'the stage below the first paragraph');
    assert.ok(m.stage.top - first.bottom <= 150, `the stage ${(m.stage.top - first.bottom).toFixed(0)} px below the first paragraph`);
    assert.ok(m.stage.bottom <= second.top, 'the stage before the second paragraph');
    assert.ok(m.timeline.bottom <= second.top, 'the playback controls before the second paragraph');
    if (m.map) assert.ok(m.map.bottom <= second.top, 'the memory map before the second paragraph');
    assert.ok(m.controls.top >= m.paras.at(-1).bottom, 'the scenario controls after the text');
    await screenshot(page, `layout-phone-${chapter}-${lang}.png`);
    assert.deepEqual(errors, []);
  });
}

for (const deviceScaleFactor of [1, 2, 3]) {
  test(`memory blocks are at least 3 px on a phone at ${deviceScaleFactor}× pixels`, async () => {
    const { page, errors } = await openApp(browser, {
      url: `${APP_URL}?chapter=precopy`,
      viewport: PHONE,
      contextOptions: { deviceScaleFactor },
    });
    await page.waitForSelector('#memory-map[data-block-px]');
    const m = await page.$eval('#memory-map', (c) => ({
      block: Number(c.dataset.blockPx),
      cols: Number(c.dataset.cols),
      cssWidth: c.clientWidth,
      scale: c.clientWidth / c.width,
      // The narrowest run of painted pixels along the first row: one block, or several of a
      // colour drawn without a gap between them.
      run: (() => {
        const { data, width } = c.getContext('2d').getImageData(0, 0, c.width, 1);
        let run = 0;
        let least = Infinity;
        for (let x = 0; x < width; x++) {
          if (data[x * 4 + 3] > 0) run++;
          else if (run) [least, run] = [Math.min(least, run), 0];
        }
        return Math.min(least, run || Infinity);
      })(),
    }));
    assert.ok(m.block >= 3, `blocks of ${m.block} px`);
    assert.ok(m.cols * m.block <= m.cssWidth + 0.5, `${m.cols} columns of ${m.block} px in ${m.cssWidth} px`);
    assert.ok(m.run * m.scale >= 3 - 1e-6, `a block painted ${(m.run * m.scale).toFixed(2)} px wide`);
    assert.deepEqual(errors, []);
  });
}

test('chart text is at least 12 px on a phone', async () => {
  const small = [];
  for (const chapter of ['precopy', 'blackout', 'dedicated-network', 'buffers', 'simultaneous', 'playground']) {
    const { page, context } = await openRecorded(`?chapter=${chapter}`, PHONE);
    // Every drawing of the chapter drawn: its canvases and SVGs.
    await page.waitForFunction(() => [...document.querySelectorAll('canvas[role=img]')].every((c) => c.width > 0));
    await page.waitForTimeout(800);
    const found = await page.evaluate(() => {
      const out = window.__drawn.filter((d) => d.text.trim()).map((d) => [d.canvas, d.text, d.px]);
      for (const t of document.querySelectorAll('svg text')) {
        if (!t.getClientRects().length || !t.textContent.trim()) continue;
        const m = t.getScreenCTM();
        out.push([t.closest('svg').getAttribute('class') || t.closest('[class]')?.getAttribute('class'), t.textContent, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)]);
      }
      return out;
    });
    assert.ok(found.length > 5, `${chapter}: texts drawn`);
    small.push(...found.filter(([, , px]) => px < 12 - 0.05).map(([what, text, px]) => `${chapter}: ${what} "${text}" ${px.toFixed(1)} px`));
    await context.close();
  }
  assert.deepEqual([...new Set(small)], []);
});

for (const lang of ['en', 'de']) {
  test(`"core-s" stays on one line on a phone: ${lang}`, async () => {
    const { page, errors } = await openApp(browser, { url: `${APP_URL}?chapter=precopy&lang=${lang}`, viewport: PHONE });
    await page.waitForSelector('.results');
    const split = await page.evaluate(() => {
      const walk = document.createTreeWalker(document.querySelector('.lab'), NodeFilter.SHOW_TEXT);
      const found = [];
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        for (const m of n.data.matchAll(/(core|Kern)\S?s\b/g)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const tops = new Set([...r.getClientRects()].map((q) => Math.round(q.top)));
          found.push([m[0], tops.size]);
        }
      }
      return found;
    });
    assert.ok(split.length >= 2, `the CPU figures name their unit: ${JSON.stringify(split)}`);
    for (const [word, lines] of split) assert.equal(lines, 1, `"${word}" over ${lines} lines`);
    assert.deepEqual(errors, []);
  });
}

// The pass chart: the threshold judges the memory left, which the blackout's bar shows
// below it for a migration that converged; the blackout close-up has a time axis.
for (const [chapter, lang] of [
  ['precopy', 'en'],
  ['blackout', 'de'],
]) {
  test(`the blackout's memory sits below the stop threshold when it converged: ${chapter}, ${lang}`, async () => {
    const { page, errors } = await openApp(browser, { url: `${APP_URL}?chapter=${chapter}&lang=${lang}`, viewport: DESKTOP });
    await page.waitForSelector('#pass-chart');
    assert.match(await page.locator('[data-testid=verdict]').innerText(), /^(Converged|Konvergiert)/);
    await page.waitForTimeout(500);
    const stop = lightColour('--chart-stop');
    const faded = stop.map((v) => Math.round(v * 0.85 + 255 * 0.15));
    const bars = await colourMap(page, '#pass-chart', [stop, faded]);
    const line = await colourMap(page, '#pass-chart', [lightColour('--chart-threshold')]);
    // The blackout's bar: the rightmost columns in the stop colour.
    const right = Math.max(...bars.hits.map(([x]) => x));
    const cols = bars.hits.filter(([x]) => x > right - 8);
    const stopTop = Math.min(...cols.map(([, y]) => y));
    const over = line.hits.filter(([x]) => x > right - 8 && x <= right);
    assert.ok(over.length > 0, 'the threshold line runs over the blackout bar');
    const lineY = Math.max(...over.map(([, y]) => y));
    assert.ok(stopTop >= lineY - 1, `the blackout's memory reaches ${stopTop}, above the threshold line at ${lineY}`);
    // The legend says what the line is compared with.
    const legend = await page.locator('.pass-chart .legend').innerText();
    assert.match(legend, lang === 'en' ? /device state/ : /Gerätezustand/);
    assert.deepEqual(errors, []);
  });
}

for (const [viewport, lang] of [
  [DESKTOP, 'en'],
  [PHONE, 'de'],
]) {
  test(`the blackout close-up has a time axis with units: ${viewport.width} px, ${lang}`, async () => {
    const { page, errors } = await openApp(browser, { url: `${APP_URL}?chapter=blackout&lang=${lang}`, viewport });
    await page.waitForSelector('[data-testid=blackout] svg');
    const ticks = await page.$$eval('[data-testid=blackout-axis] text', (ts) =>
      ts.map((t) => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent, x: r.left + r.width / 2, left: r.left, right: r.right };
      }),
    );
    assert.ok(ticks.length >= 3, `${ticks.length} time ticks`);
    const unit = /^[−-]?\d+([.,]\d+)? (ms|s)$/;
    for (const t of ticks) assert.match(t.text, unit);
    // Evenly spaced in time and on the page, left to right, not overlapping.
    const ms = ticks.map((t) => {
      const v = Number(t.text.replace('−', '-').replace(',', '.').split(' ')[0]);
      return t.text.endsWith(' ms') ? v : v * 1000;
    });
    for (let i = 1; i < ticks.length; i++) {
      assert.ok(ticks[i].left >= ticks[i - 1].right, `ticks ${i - 1} and ${i} overlap`);
      const perMs = (ticks[i].x - ticks[i - 1].x) / (ms[i] - ms[i - 1]);
      const first = (ticks[1].x - ticks[0].x) / (ms[1] - ms[0]);
      assert.ok(perMs > 0 && Math.abs(perMs - first) / first < 0.05, `tick ${i} off the scale`);
    }
    // The pause is at 0 on that scale.
    const pause = await page.$eval('[data-testid=blackout] rect.bo.pages', (r) => r.getBoundingClientRect().left);
    const perMs = (ticks[1].x - ticks[0].x) / (ms[1] - ms[0]);
    const zero = ticks[0].x - ms[0] * perMs;
    assert.ok(Math.abs(zero - pause) < 2, `0 ms at ${zero.toFixed(1)}, the pause at ${pause.toFixed(1)}`);
    await screenshot(page, `layout-blackout-${viewport.width}-${lang}.png`);
    assert.deepEqual(errors, []);
  });
}

// Screenshots to look at: the cluster view and a chapter, on a desktop and a phone, in both
// languages.
test('screenshots of the cluster view and a chapter', async () => {
  for (const lang of ['en', 'de']) {
    for (const viewport of [DESKTOP, PHONE]) {
      for (const chapter of ['cluster', 'precopy']) {
        const { page, context } = await openApp(browser, { url: `${APP_URL}?chapter=${chapter}&lang=${lang}`, viewport });
        await page.waitForTimeout(1200);
        await screenshot(page, `layout-${chapter}-${viewport.width}-${lang}.png`);
        await context.close();
      }
    }
  }
});
