// Starts Migration Lab. The page's first load is the lite wasm-bindgen module: the first
// chapter, which needs no chart library. Everything else (the other chapters, the playground,
// the cluster) is in the full module. This script loads the lite one for an address it can
// show and the full one for any other, then calls the module's init() and start(), which
// mounts the app into #app. Once the lite app is on screen and the browser is idle, the full
// module is fetched and compiled in the background (not inside an embed, which cannot leave
// its chapter, nor when the reader asks to save data). When the reader opens another chapter,
// the lite app writes what it shows into the address bar and calls migrationLabFull(): the
// lite app is stopped and the full one started from that address. A separate file (not an
// inline script) so that the page runs under a Content Security Policy without
// 'unsafe-inline'; `cargo xtask dist` renames it and the modules it loads by their content.

// Each module: its JS glue and its wasm, fetched together.
const LITE = ['./app.js', './app_bg.wasm'];
const FULL = ['./app-full.js', './app-full_bg.wasm'];
// What the lite module shows: these chapters, with these views. The Rust side's list
// (`chapters::LITE_VIEWS`, `Chapter::lite`) decides for the app; a test keeps these equal.
const LITE_CHAPTERS = ['live-migration'];
const LITE_VIEWS = ['stage', 'memory', 'result'];

/** Whether the address's query `q` asks for the embed mode. */
const embedded = (q) => ['1', 'true'].includes(q.get('embed'));

/** Whether the lite module shows what the address's query `q` asks for. */
function liteShows(q) {
  const chapter = q.get('chapter');
  // Without a chapter, a scenario opens the playground and anything else the first chapter.
  const lite = chapter === null
    ? ![...q.keys()].some((k) => k.startsWith('s.'))
    : LITE_CHAPTERS.includes(chapter);
  const views = embedded(q) && q.get('views');
  return lite && (!views || views.split(',').every((v) => !v || LITE_VIEWS.includes(v)));
}

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
  /** A module, loaded and initialised (its app not mounted yet). The wasm is fetched while
   * the glue loads, not after it. */
  const load = ([glue, wasm]) => {
    const bytes = fetch(new URL(wasm, import.meta.url));
    // A failed fetch is reported where init() awaits it; if the glue fails first, it is not
    // awaited at all, and should not surface as an unhandled rejection besides.
    bytes.catch(() => {});
    return import(glue).then(async (app) => {
      await app.default({ module_or_path: bytes });
      return app;
    });
  };
  /** The module whose app is on the page. */
  let running = null;
  /** The full module, loading or loaded; cleared when loading fails, to try again. */
  let fullModule = null;
  const loadFull = () => {
    fullModule ??= load(FULL).catch((e) => {
      fullModule = null;
      throw e;
    });
    return fullModule;
  };
  /** The full app on the page, once asked for. */
  let full = null;
  // Resolves once the full app is on the page; rejects (with the reason) if it cannot load.
  globalThis.migrationLabFull = () => {
    full ??= loadFull().then((app) => {
      if (running === app) return;
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
    }).catch((e) => {
      full = null;
      throw e;
    });
    return full;
  };
  const query = new URLSearchParams(window.location.search);
  const lite = liteShows(query);
  (lite ? load(LITE) : loadFull())
    .then((app) => {
      running = app;
      app.start();
      if (lite && !embedded(query) && !navigator.connection?.saveData) {
        const idle = globalThis.requestIdleCallback ?? ((f) => setTimeout(f, 2000));
        idle(() => loadFull().catch(() => {}));
      }
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
