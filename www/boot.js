// Starts Migration Lab: loads the lite wasm-bindgen module (the guided single-VM chapters),
// calls its init() and then start(), which mounts the app into #app. When the reader opens a
// view only the full module has (the playground, the cluster), the lite app writes what it
// shows into the address bar and calls migrationLabFull(): the full module is loaded, the lite
// app stopped and the full one started from that address. A separate file (not an inline
// script) so that the page runs under a Content Security Policy without 'unsafe-inline';
// `cargo xtask dist` renames it and the modules it loads by their content.

const LITE = './app.js';
const FULL = './app-full.js';

/** Replaces the loading text in #app with `message`, read out as an alert. */
function fail(message) {
  const app = document.getElementById('app');
  app.textContent = '';
  const p = document.createElement('p');
  p.className = 'fatal';
  p.setAttribute('role', 'alert');
  p.textContent = message;
  app.appendChild(p);
}

if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
  fail(
    'Migration Lab runs its simulation as WebAssembly, which this browser does not offer ' +
      '(it may be turned off). Open the page in a current Firefox, Chrome, Edge or Safari.',
  );
} else {
  // The folder of the bundle's files, for the texts fetched later.
  globalThis.migrationLabBase = new URL('./', import.meta.url).href;
  /** A module, loaded and initialised (its app not mounted yet). */
  const load = (path) => import(path).then(async (app) => {
    await app.default();
    return app;
  });
  /** The module whose app is on the page. */
  let running = null;
  /** The full module, once asked for. */
  let full = null;
  // Resolves once the full app is on the page; rejects (with the reason) if it cannot load.
  globalThis.migrationLabFull = () => {
    full ??= load(FULL).then((app) => {
      // The new app replaces the old one's elements: keep the reader's place and focus.
      const focused = document.activeElement?.id;
      const y = window.scrollY;
      running?.stop();
      running = app;
      app.start();
      // The app renders in microtasks after start(): a task later its elements are there.
      setTimeout(() => {
        window.scrollTo(0, y);
        if (focused) document.getElementById(focused)?.focus({ preventScroll: true });
      });
    });
    return full;
  };
  load(LITE)
    .then((app) => {
      running = app;
      app.start();
    })
    .catch((e) => {
      fail('Migration Lab could not start: ' + e + '. It needs a browser with WebAssembly support.');
    });
}

// After a panic the page's app shows a panel with "Reset to defaults": the page opens again
// with the same chapter, language and colours and the chapter's own scenario, in a fresh
// instance (the broken one cannot run again).
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element && event.target.closest('#app [data-lab-reset]');
  if (button) window.location.assign(button.getAttribute('data-lab-reset'));
});
