// Sizes each Migration Lab iframe to the height it reports, and gives it this page's colours.
// The widget posts { type: 'migration-lab:height', height } to this page's origin only; the frame
// that sent it is found by event.source. Each frame that has reported is sent
// { type: 'migration-lab:theme', theme: 'light' | 'dark' } (to its own origin only) at once and
// whenever this page's colours change (see ../page-theme.js), unless the frame's src names a
// theme (theme=): the colours its author chose win.
(() => {
  const pageTheme = import(new URL('../page-theme.js', document.currentScript.src).href);
  /** The frames that reported: their window → { frame, origin, theme last sent }. */
  const frames = new Map();

  const sendTheme = ({ pageTheme: themeOf }, target, entry) => {
    const theme = themeOf(entry.frame);
    if (theme === entry.theme) return;
    entry.theme = theme;
    target.postMessage({ type: 'migration-lab:theme', theme }, entry.origin);
  };

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || data.type !== 'migration-lab:height' || typeof data.height !== 'number') return;
    for (const frame of document.querySelectorAll('iframe')) {
      if (frame.contentWindow !== event.source) continue;
      frame.style.height = `${Math.ceil(data.height)}px`;
      if (new URL(frame.src, location.href).searchParams.has('theme')) continue;
      let entry = frames.get(event.source);
      if (!entry) {
        entry = { frame, origin: event.origin, theme: null };
        frames.set(event.source, entry);
        // A page loaded again in the frame starts from its own colours.
        frame.addEventListener('load', () => (entry.theme = null));
        pageTheme.then((module) => {
          const stop = module.onPageThemeChange(() => {
            if (frame.isConnected) {
              sendTheme(module, event.source, entry);
            } else {
              frames.delete(event.source);
              stop();
            }
          });
        });
      }
      pageTheme.then((module) => sendTheme(module, event.source, entry));
    }
  });
})();
