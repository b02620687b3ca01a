// Migration Lab's JavaScript API, under a name that stays between builds:
//
//   import init, { mount, sweep } from './migration-lab.js';
//   await init();
//   const lab = mount(element, { chapter: 'precopy', lang: 'de' });
//   const rows = sweep({ param: 'link-gbps', from: 1, to: 100, points: 50 });
//
// `cargo xtask dist` points APP at the build's content-hashed module. After a panic, a mounted
// element shows a panel with "Reset to defaults"; this module then mounts it again with its
// options in a fresh copy of the module (a new WebAssembly instance), and the handle it gave
// out keeps working.
const APP = './app.js';
globalThis.migrationLabBase = new URL('./', import.meta.url).href;
const first = await import(APP);

export default first.default;
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
