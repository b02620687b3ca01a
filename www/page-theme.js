// Light or dark: the colours of the page around an embed, for the widget to take. A page is
// dark when the first painted background behind the element (its ancestors', walked up) is one
// on which white text reads better than black; re-read when <html> or <body> change their
// class, style or data-theme (how documentation sites switch themes: mdBook sets a class on
// <html>) and when the system's colour scheme changes. Used by the <migration-lab> element
// (migration-lab.js) and by the iframe helper (examples/iframe.js).

/** Relative luminance below which white text has more contrast than black (WCAG's ratio). */
const DARK_BELOW = Math.sqrt(1.05 * 0.05) - 0.05;

let probe;

/** [r, g, b, a] (0–255) of a CSS colour in any syntax, as a canvas paints it. */
function rgba(colour) {
  probe ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = 'transparent';
  probe.fillStyle = colour;
  probe.fillRect(0, 0, 1, 1);
  return probe.getImageData(0, 0, 1, 1).data;
}

/** WCAG's relative luminance of an sRGB colour. */
function luminance([r, g, b]) {
  const linear = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** 'dark' or 'light': the page's colours behind `element`. */
export function pageTheme(element) {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) return luminance(colour) < DARK_BELOW ? 'dark' : 'light';
  }
  // Nothing painted: the browser's canvas, dark only where the page asks for a dark scheme.
  const scheme = getComputedStyle(document.documentElement).colorScheme;
  const systemDark = matchMedia('(prefers-color-scheme: dark)').matches;
  return /\bdark\b/.test(scheme) && (systemDark || !/\blight\b/.test(scheme)) ? 'dark' : 'light';
}

const listeners = new Set();
const system = matchMedia('(prefers-color-scheme: dark)');
const changed = () => listeners.forEach((listener) => listener());
const observer = new MutationObserver(changed);

function observe() {
  for (const node of [document.documentElement, document.body]) {
    if (node) observer.observe(node, { attributes: true, attributeFilter: ['class', 'style', 'data-theme'] });
  }
}

/** Calls `listener()` whenever the page may have changed its colours; returns a function
 * that stops it. */
export function onPageThemeChange(listener) {
  if (listeners.size === 0) {
    observe();
    if (!document.body) document.addEventListener('DOMContentLoaded', observe, { once: true });
    system.addEventListener('change', changed);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    observer.disconnect();
    system.removeEventListener('change', changed);
  };
}
