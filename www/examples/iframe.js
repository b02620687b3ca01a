// Sizes each Migration Lab iframe to the height it reports. The widget posts
// { type: 'migration-lab:height', height } to this page's origin only; the frame that sent it
// is found by event.source.
window.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'migration-lab:height' || typeof data.height !== 'number') return;
  for (const frame of document.querySelectorAll('iframe')) {
    if (frame.contentWindow === event.source) {
      frame.style.height = `${Math.ceil(data.height)}px`;
    }
  }
});
