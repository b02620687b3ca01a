// Starts Migration Lab: loads the wasm-bindgen module and calls its init(), whose start
// function mounts the app into #app. A separate file (not an inline script) so that the page
// runs under a Content Security Policy without 'unsafe-inline'; `cargo xtask dist` renames it
// and the module it loads by their content.

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
  import('./app.js')
    .then((app) => app.default())
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
