// Two independent simulators on one page through the JavaScript API.
import init, { mount } from '../../migration-lab.js';

await init();

const first = mount(document.getElementById('first'), {
  chapter: 'precopy',
  lang: 'en',
  embed: true,
  controls: ['dirty-rate', 'memory'],
  views: ['stage', 'memory', 'passes'],
  autoplay: false,
});
const second = mount(document.getElementById('second'), {
  chapter: 'dedicated-network',
  lang: 'de',
  embed: true,
  views: ['stage', 'spread'],
  autoplay: false,
});

let changes = 0;
first.on_change((e) => {
  changes += 1;
  document.getElementById('events').textContent =
    `changes: ${changes}; total time ${(e.result.total_time_ms / 1000).toFixed(2)} s`;
});

document.getElementById('host-button').addEventListener('click', () => {
  document.getElementById('host-output').textContent = 'clicked';
});

// For readers poking at the page (and for the tests): the two handles.
window.labs = { first, second };
