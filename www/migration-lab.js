// Migration Lab's JavaScript API, under a name that stays between builds:
//
//   import init, { mount, sweep } from './migration-lab.js';
//   await init();
//   const lab = mount(element, { chapter: 'precopy', lang: 'de' });
//   const rows = sweep({ param: 'link-gbps', from: 1, to: 100, points: 50 });
//
// and the element <migration-lab chapter="compression" lang="de" views="stage,compare">, which
// needs nothing but this module (see MigrationLabElement below).
//
// `cargo xtask dist` points APP at the build's content-hashed module; this file sits at the top
// of dist/, next to www/. After a panic, a mounted element shows a panel with "Reset to
// defaults"; this module then mounts it again with its options in a fresh copy of the module (a
// new WebAssembly instance), and the handle it gave out keeps working.
import { onPageThemeChange, pageTheme } from './www/page-theme.js';

const APP = './app.js';
globalThis.migrationLabBase = new URL('./', import.meta.url).href;
const first = await import(APP);

let loaded;
/** Loads and starts the WebAssembly module, once: later calls return the same promise. */
export default function init() {
  loaded ??= first.default();
  return loaded;
}
export const __test_panic = first.__test_panic;
/** `sweep({ scenario, param, from, to, points })`: a row per value (see src/ui/api.rs). */
export const sweep = first.sweep;

/** Element → { options, current handle, listeners }, for the instances mounted here. */
const mounted = new Map();

export function mount(element, options = {}) {
  const entry = { options, handle: first.mount(element, options), listeners: [] };
  mounted.set(element, entry);
  return {
    set_scenario: (scenario) => entry.handle.set_scenario(scenario),
    set_theme: (theme) => {
      entry.handle.set_theme(theme);
      entry.options = { ...entry.options, theme };
    },
    play: () => entry.handle.play(),
    pause: () => entry.handle.pause(),
    on_change: (listener) => {
      entry.listeners.push(listener);
      entry.handle.on_change(listener);
    },
    destroy: () => {
      if (mounted.get(element) !== entry) return;
      mounted.delete(element);
      entry.handle.destroy();
    },
  };
}

let fresh = 0;
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element && event.target.closest('[data-lab-reset]');
  if (!button) return;
  for (const [element, entry] of mounted) {
    if (!element.contains(button)) continue;
    fresh += 1;
    const again = await import(`${APP}?instance=${fresh}`);
    await again.default();
    // Defaults: the same chapter, language and embed options, the chapter's own scenario.
    const { scenario: _s, cluster: _c, ...view } = entry.options;
    entry.handle = again.mount(element, view);
    for (const listener of entry.listeners) entry.handle.on_change(listener);
  }
});

/** The stylesheet next to this module, linked once unless the page links it itself. */
function linkStylesheet() {
  const href = new URL('migration-lab.css', import.meta.url).href;
  const links = document.querySelectorAll('link[rel~=stylesheet]');
  if ([...links].some((link) => link.href === href)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

/** A comma- or space-separated attribute as a list; undefined when absent. */
const list = (value) => value?.split(/[\s,]+/).filter(Boolean);

/**
 * `<migration-lab chapter lang views controls theme autoplay speed>`: the compact widget of
 * `mount(…, { embed: true })` with the options its attributes name. Changing an attribute
 * mounts it again (`theme` only changes its colours); taking it out of the page destroys it.
 * Without `theme`, it takes the light or dark colours of the page around it and follows them.
 * Attributes it cannot take show mount's error inside the element.
 */
class MigrationLabElement extends HTMLElement {
  static observedAttributes = ['chapter', 'lang', 'views', 'controls', 'theme', 'autoplay', 'speed'];

  /** The handle of the mounted widget, if any. */
  #lab = null;
  /** Whether the attributes changed since it was mounted. */
  #stale = true;
  /** Bumped on each update, so an update that waited for the module yields to a newer one. */
  #turn = 0;
  #theme = null;
  #unfollow = null;

  connectedCallback() {
    linkStylesheet();
    this.#update();
  }

  disconnectedCallback() {
    // Moved within the page (out and back in at once): kept.
    queueMicrotask(() => this.isConnected || this.#update());
  }

  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    if (name === 'theme' && this.#lab) {
      this.#follow();
      return;
    }
    this.#stale = true;
    if (this.isConnected) queueMicrotask(() => this.#update());
  }

  /** The options of mount() its attributes name. */
  #options() {
    const attr = (name) => this.getAttribute(name) ?? undefined;
    const options = { embed: true, chapter: attr('chapter'), lang: attr('lang'), views: list(attr('views')), controls: list(attr('controls')) };
    if (this.hasAttribute('autoplay')) options.autoplay = !/^(false|off|no|0)$/i.test(attr('autoplay'));
    if (this.hasAttribute('speed')) options.speed = Number(attr('speed')) || attr('speed');
    options.theme = attr('theme') ?? pageTheme(this);
    return options;
  }

  async #update() {
    const turn = ++this.#turn;
    if (!this.isConnected) {
      this.#stop();
      return;
    }
    if (this.#lab && !this.#stale) return;
    try {
      await init();
    } catch (e) {
      if (turn === this.#turn) this.#fail(e);
      return;
    }
    if (turn !== this.#turn || !this.isConnected) return;
    this.#stop();
    this.#stale = false;
    try {
      const options = this.#options();
      this.#lab = mount(this, options);
      this.#theme = options.theme;
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#follow();
  }

  /** Gives the widget its `theme` attribute's colours, or else follows the page's. */
  #follow() {
    const chosen = this.getAttribute('theme');
    if (chosen === null) this.#unfollow ??= onPageThemeChange(() => this.#follow());
    else this.#unfollow = this.#unfollow?.() ?? null;
    const theme = chosen ?? pageTheme(this);
    if (theme === this.#theme) return;
    try {
      this.#lab.set_theme(theme);
      this.#theme = theme;
    } catch (e) {
      this.#stop();
      this.#fail(e);
    }
  }

  #stop() {
    this.#unfollow = this.#unfollow?.() ?? null;
    this.#lab?.destroy();
    this.#lab = null;
    this.#theme = null;
    this.#stale = true;
  }

  /** Says inside the element why the widget is not there. */
  #fail(error) {
    const box = document.createElement('p');
    box.className = 'migration-lab-error';
    box.setAttribute('role', 'alert');
    box.textContent = `Migration Lab cannot show this: ${error?.message ?? error}`;
    this.replaceChildren(box);
  }
}

if (!customElements.get('migration-lab')) customElements.define('migration-lab', MigrationLabElement);
