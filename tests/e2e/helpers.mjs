// Shared helpers for the browser e2e tests (node:test + playwright-core + system Chromium).
//
// Environment (set by `cargo xtask test --e2e`):
//   APP_URL         the served dist/ (default http://127.0.0.1:8080/, i.e. `cargo xtask serve`)
//   CHROMIUM        the browser binary (default /usr/bin/chromium)
//   SCREENSHOT_DIR  where screenshot() writes (default ../target/screenshots)

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

export const APP_URL = process.env.APP_URL || 'http://127.0.0.1:8080/';
export const SCREENSHOT_DIR =
  process.env.SCREENSHOT_DIR || path.resolve(here, '..', '..', 'target', 'screenshots');

/** Chromium flags: no sandbox (root in a container), no GPU, and nothing that calls home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Default time for the app to mount, in ms. */
export const APP_TIMEOUT = 20_000;

/**
 * The light theme's value of a CSS custom property as [r, g, b], read from the stylesheet's
 * first `:root` block (as build.rs reads it for the app's own fallbacks and SVG files).
 */
export function lightColour(name) {
  const css = readFileSync(path.join(here, '../../www/style.css'), 'utf8');
  const root = css.slice(css.indexOf(':root {'), css.indexOf('}', css.indexOf(':root {')));
  const m = root.match(new RegExp(`${name}:\\s*#([0-9a-f]{6});`, 'i'));
  if (!m) throw new Error(`www/style.css sets no ${name} as #rrggbb in :root`);
  return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
}

/** The Content Security Policy the bundle promises to run under, as a docs site would send it. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/** Serves the pages `match` selects (a URL, glob or predicate, as `page.route` takes) with
 * the policy `CSP` as a response header. */
export function withCsp(page, match) {
  return page.route(match, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers(), 'content-security-policy': CSP };
    // route.fetch() hands over the body decoded; say so.
    delete headers['content-encoding'];
    delete headers['content-length'];
    await route.fulfill({ response, headers, body: await response.body() });
  });
}

/** Launches the system Chromium headless. Close it with `await browser.close()`. */
export function launch(options = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
}

/**
 * Opens the app in a fresh context and collects page errors and console errors.
 *
 * Returns { page, context, errors }: `errors` is a live array of strings ("pageerror: ..." or
 * "console.error: ..."); assert it is empty at the end of a test. Unless `wait: false`, it
 * waits until the app's UI (#app > .lab) is mounted and throws (listing the errors so far) if it doesn't.
 */
export async function openApp(
  browser,
  {
    url = APP_URL,
    wait = true,
    timeout = APP_TIMEOUT,
    viewport = { width: 1280, height: 800 },
    contextOptions = {},
  } = {},
) {
  const context = await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(url, { waitUntil: 'load' });
  if (wait) {
    try {
      await waitForApp(page, timeout);
    } catch (err) {
      err.message += `\n(app did not mount within ${timeout} ms at ${url}; errors so far: ${
        errors.length ? errors.join(' | ') : 'none'
      })`;
      throw err;
    }
  }
  return { page, context, errors };
}

/** Collects the page's errors, console errors (not a favicon 404) and any request that leaves
 * the machine (to a host other than 127.0.0.1) into the returned live array. */
export function collectErrors(page) {
  const errors = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (['data:', 'blob:', 'about:'].includes(url.protocol)) return;
    if (url.hostname !== '127.0.0.1') errors.push(`request left 127.0.0.1: ${request.url()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Browsers ask for /favicon.ico on their own; a 404 for it is not the app's error.
    if (/\/favicon\.ico$/.test(msg.location()?.url ?? '')) return;
    errors.push(`console.error: ${msg.text()}`);
  });
  return errors;
}

/** Waits until the app has replaced the loading placeholder in #app with its own UI. */
export async function waitForApp(page, timeout = APP_TIMEOUT) {
  await page.waitForFunction(() => document.querySelector('#app > .lab') !== null, null, { timeout });
}

/** Saves a full-page PNG as SCREENSHOT_DIR/name and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Counts canvas pixels within ±12 of an RGB colour (the first canvas matching `selector`). */
export function pixels(page, selector, [r, g, b]) {
  return page.$eval(
    selector,
    (canvas, [r, g, b]) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) < 12 && Math.abs(data[i + 1] - g) < 12 && Math.abs(data[i + 2] - b) < 12) n++;
      }
      return n;
    },
    [r, g, b],
  );
}

/** Moves the playback timeline to a fraction of the run, as dragging its thumb would. */
export async function scrubTo(page, fraction) {
  await page.locator('[data-testid=timeline]').evaluate((el, f) => {
    el.value = String(Math.round(Number(el.max) * f));
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, fraction);
}

/** The visible text of the element with this data-testid. */
export const text = (page, id) => page.locator(`[data-testid=${id}]`).innerText();

/** axe-core's browser bundle, from tests/e2e/node_modules (pinned in package.json). */
export const AXE_PATH = path.join(here, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe-core on the page as it is now and returns its violations, each as
 * { id, impact, help, targets: [selector, ...] }. Injects axe first if the page has none.
 */
export async function axeViolations(page, options = {}) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ path: AXE_PATH });
  }
  const result = await page.evaluate((opts) => window.axe.run(document, opts), options);
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}

/** Resolves after the browser has rendered two more frames (lets the app re-render). */
export const frames = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Hands `json` to the file picker as a file named `name`, from inside the page (Playwright's
 * `setInputFiles` reads a file from disk within the page's task). */
export async function openFileInPage(page, name, json) {
  await page.evaluate(([name, json]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([json], name, { type: 'application/json' }));
    const input = document.querySelector('#open-scenario');
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, [name, json]);
}

/** 16 hosts of varied VMs (2,000 in all, 1–2 GiB, 10–39 MiB/s), every host drained with no
 * limit on migrations at once: a run too large for one frame. */
export function largeCluster() {
  const hosts = Array.from({ length: 16 }, (_, i) => ({
    name: `H${i}`, cores: 32, load: 0.4, memory_gib: 1024,
    nics: [{ network: 'conv', gbps: 10, buffers: 1024 }, { network: 'conv', gbps: 10, buffers: 1024 }],
  }));
  const vms = Array.from({ length: 2000 }, (_, i) => ({
    name: `vm${i}`, host: `H${i % 16}`, memory_mib: 1024 + ((i * 163) % 1024),
    working_set_mib: 256, untouched_mib: 256, dirty_rate_mibps: 10 + ((i * 7) % 30),
    pattern: 'hotcold', disk_gib: 40,
  }));
  return {
    version: 1, seed: 1, networks: [{ name: 'conv', role: 'vm_traffic', dedicated: false }], hosts, vms,
    shared_storage: true, settings: { per_host_limit: 4294967295, cluster_limit: 4294967295 },
    operations: hosts.map((h) => ({ kind: 'drain', host: h.name })),
  };
}
