import { get, post } from './api.js';
import { h, clear } from './dom.js';
import * as resources from './resources.js';
import * as consolePage from './console.js';
import * as logs from './logs.js';
import * as traces from './traces.js';
import * as metrics from './metrics.js';

const pages = { resources, console: consolePage, logs, traces, metrics };
const main = document.getElementById('page');
let current = null;

function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search] = hash.split('?');
  const [page, ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: pages[page] ? page : 'resources', args: rest, params: new URLSearchParams(search ?? '') };
}

async function render() {
  const route = parseRoute();
  current?.dispose?.();
  current = null;
  for (const link of document.querySelectorAll('header nav a[data-page]')) {
    link.classList.toggle('active', link.dataset.page === route.page);
  }
  clear(main);
  try {
    current = await pages[route.page].render(main, route);
  } catch (error) {
    main.append(h('p', { class: 'error' }, `Could not load this page: ${error.message}`));
  }
}

async function loadTools() {
  try {
    const info = await get('/api/info');
    const tools = document.getElementById('tools');
    const wanted = info.links.filter(l => ['Prometheus', 'Alerts', 'Jobs', 'Inbox', 'API reference'].includes(l.label));
    for (const link of wanted) {
      const label = link.label === 'Jobs' ? 'Hangfire' : link.label;
      tools.append(h('a', { href: link.url, target: '_blank', rel: 'noopener', title: link.label === 'Jobs' ? `${link.resource}: ${link.url} (Admins only: without a dashboard cookie it sends you to the web front end to sign in, see docs/operations.md)` : `${link.resource}: ${link.url}` }, label));
    }
    document.getElementById('logout').hidden = info.unsecured;
  } catch { /* the tools bar is optional */ }
}

document.getElementById('logout').addEventListener('click', async () => {
  await post('/api/logout');
  location.href = '/login';
});

window.addEventListener('hashchange', render);
loadTools();
render();
