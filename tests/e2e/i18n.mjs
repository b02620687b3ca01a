// What a reader sees in one language, and the words of the other language that must not be in it.

/** A whole word (letters on neither side, Unicode-aware); case-insensitive unless `cased`. */
const word = (w, cased = false) =>
  new RegExp(`(?<![\\p{L}\\p{N}_])${w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\p{L}\\p{N}_])`, cased ? 'gu' : 'giu');

/**
 * English UI words that have German equivalents, so they must not show in the German page.
 * ("Pause" is not in the list: it is the German word too.)
 */
export const ENGLISH_WORDS = [
  'the', 'of', 'and', 'with', 'Total time', 'Downtime', 'Memory', 'Link', 'links', 'passes', 'Pass',
  'Setup', 'running', 'Result', 'Results', 'Settings', 'Previous', 'Next', 'Chapter', 'Chapters',
  'Computing', 'does not complete', 'Speed', 'Restart', 'Play', 'Glossary', 'Language', 'Colours',
  'Try it', 'Sources', 'Converged', 'converge', 'Cannot', 'seconds', 'minutes', 'Data sent',
  'Dirty rate', 'Working set', 'Never written', 'to', 'from', 'is', 'are', 'must', 'not', 'least',
  'than', 'has', 'needs', 'between', 'or', 'at', 'by default', 'shows',
].map((w) => ({ label: w, re: word(w) }));

/**
 * Names that stay the same in German, removed before looking for English words: products,
 * protocols, QEMU's parameter names, units, the English term a German one is glossed with, and
 * `names` (the hosts, networks and VMs of the cluster presets, which a reader can rename).
 */
export const allowedInGerman = (names = []) => [
  'Migration Lab', 'SMB Direct', 'SMB Multichannel', 'SMB', 'RDMA', 'Remote Direct Memory Access',
  'TCP/IP', 'Hyper-V', 'QEMU', 'KVM', 'Xen', 'multifd', 'max-bandwidth', 'auto-converge',
  'downtime-limit', 'Cluster', 'Host', 'Hosts', 'Blackout', 'Pre-Copy', 'Stop-and-Copy', 'zstd',
  'zlib', 'GiB', 'MiB', 'Gbit/s', 'GbE',
  // "Link" is German for a hyperlink too (the page's address); the network link is "Verbindung".
  'Link kopieren', 'Dieser Link', 'Link auf das Gezeigte', ...names,
].map((w) => word(w, true)).concat([
  // PowerShell cmdlets and their parameters (the settings the chapters teach).
  /\b(?:Get|Set|Enable|Disable|Move|New|Add|Remove|Test|Start|Stop)-[A-Z]\w+/g,
  /(?<=\s)-[A-Z]\w+/g,
]);

/** German words that must not show in the English page. */
export const GERMAN_WORDS = [
  'der', 'die', 'das', 'und', 'mit', 'von', 'Kapitel', 'Zurück', 'Weiter', 'Durchlauf', 'Arbeitsspeicher',
  'Ausfallzeit', 'Gesamtzeit', 'Abspielen', 'Neustart', 'Einstellungen', 'Glossar', 'Verbindung',
].map((w) => ({ label: w, re: word(w, true) }));

/**
 * Runs in the page: every piece of text a reader sees or hears, as { where, text }. Visible
 * text nodes (SVG <text> included), the entries of every visible drop-down, and aria-label,
 * title, aria-valuetext, alt and placeholder of rendered elements. Skips <code> and `exclude`
 * (the other language's button).
 */
export function collectVisibleText(exclude) {
  const skip = `code, script, style, noscript, template, ${exclude}`;
  const out = [];
  const anchor = (el) => {
    const a = el.closest('[data-testid], [id]');
    const tag = el.tagName.toLowerCase();
    if (!a) return tag;
    const name = a.id ? `#${a.id}` : `[data-testid=${a.dataset.testid}]`;
    return a === el ? `${tag}${name}` : `${name} ${tag}`;
  };
  const clean = (s) => s.replace(/\s+/g, ' ').trim();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const t = clean(n.textContent);
    if (!t || !el || el.closest(skip) || el.closest('option')) continue;
    if (el.closest('svg') && !el.closest('text') && !el.closest('title')) continue;
    if (!el.closest('svg title')) {
      range.selectNodeContents(n);
      if (range.getClientRects().length === 0) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
    } else if (!el.closest('svg').checkVisibility({ visibilityProperty: true })) {
      continue;
    }
    out.push({ where: `text in ${anchor(el)}`, text: t });
  }
  for (const select of document.querySelectorAll('select')) {
    if (select.closest(skip) || !select.checkVisibility({ visibilityProperty: true })) continue;
    for (const o of select.options) {
      const t = clean(o.textContent);
      if (t) out.push({ where: `option in ${anchor(select)}`, text: t });
    }
  }
  const attrs = ['aria-label', 'title', 'aria-valuetext', 'alt', 'placeholder'];
  for (const el of document.body.querySelectorAll(attrs.map((a) => `[${a}]`).join(','))) {
    if (el.closest(skip) || !el.checkVisibility({ visibilityProperty: true })) continue;
    for (const a of attrs) {
      const t = clean(el.getAttribute(a) ?? '');
      if (t) out.push({ where: `${a} of ${anchor(el)}`, text: t });
    }
  }
  return out;
}

/**
 * Runs in the page: the lines of the chapters' settings lists shown whole as code, as
 * { where, text }. `collectVisibleText` skips code; such a line must be a command and nothing
 * else, so words about it (where a setting is, what it defaults to) show up as English.
 */
export function collectSettingsCode() {
  const clean = (s) => s.replace(/\s+/g, ' ').trim();
  return [...document.querySelectorAll('ul.settings > li')]
    .filter((li) => li.checkVisibility({ visibilityProperty: true }))
    .filter((li) => li.children.length === 1 && li.firstElementChild.tagName === 'CODE')
    .filter((li) => clean(li.textContent) === clean(li.firstElementChild.textContent))
    .map((li) => ({ where: 'code in ul.settings', text: clean(li.textContent) }));
}

/**
 * Opens every `<details>` of the page, again until none is left closed (one opened may
 * render others), so that what they hold is scanned too.
 */
export async function openAllDetails(page, settle) {
  for (let round = 0; round < 5; round++) {
    const opened = await page.evaluate(() => {
      const closed = [...document.querySelectorAll('details:not([open])')];
      for (const d of closed) d.open = true;
      return closed.length;
    });
    if (opened === 0) return;
    await settle();
  }
  throw new Error('<details> kept appearing closed after opening every one five times');
}

/** `text` with every match of `patterns` blanked out, keeping positions. */
function blank(text, patterns) {
  let s = text;
  for (const re of patterns) s = s.replace(re, (m) => ' '.repeat(m.length));
  return s;
}

const around = (text, index, length) => {
  const from = Math.max(0, index - 40);
  const to = Math.min(text.length, index + length + 40);
  return text.slice(from, to);
};

/** Every match of `words` in `fragments` outside `allowed`: { match, where, context }. */
export function wordHits(fragments, words, allowed) {
  const hits = [];
  for (const f of fragments) {
    const scan = blank(f.text, allowed);
    for (const { label, re } of words) {
      for (const m of scan.matchAll(re)) {
        hits.push({ match: label, where: f.where, context: around(f.text, m.index, m[0].length) });
      }
    }
  }
  return hits;
}

/** Numbers written with a decimal point (German writes a comma): { match, where, context }. */
export function decimalPointHits(fragments) {
  const hits = [];
  for (const f of fragments) {
    for (const m of f.text.matchAll(/\d\.\d/g)) {
      hits.push({ match: m[0], where: f.where, context: around(f.text, m.index, m[0].length) });
    }
  }
  return hits;
}
