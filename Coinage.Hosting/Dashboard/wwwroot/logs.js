import { get, query } from './api.js';
import { h, clear, select, time, dateTime, kv, debounce } from './dom.js';

// Structured logs received over OTLP: filter by resource, minimum level, text and trace id;
// click a record for its attributes.
export async function render(main, route) {
  const state = {
    resource: route.params.get('resource') ?? '',
    level: route.params.get('level') ?? '',
    text: route.params.get('text') ?? '',
    traceId: route.params.get('traceId') ?? '',
  };
  let selected = null;
  const resourceSelect = h('span');
  const body = h('tbody');
  const summary = h('span', { class: 'muted' });
  const detail = h('div');
  const refreshSoon = debounce(refresh, 300);

  main.append(
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Structured logs'),
      resourceSelect,
      select([['', 'All levels'], 'Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical'], state.level,
        v => { state.level = v; refresh(); }, { 'aria-label': 'Minimum level' }),
      h('input', { type: 'search', placeholder: 'Text…', value: state.text, 'aria-label': 'Text', oninput: e => { state.text = e.target.value; refreshSoon(); } }),
      h('input', { type: 'search', placeholder: 'Trace id…', value: state.traceId, class: 'mono', 'aria-label': 'Trace id', oninput: e => { state.traceId = e.target.value.trim(); refreshSoon(); } }),
      summary),
    h('table', { id: 'logs' },
      h('thead', {}, h('tr', {}, ['Time', 'Level', 'Resource', 'Category', 'Message', 'Trace'].map(t => h('th', {}, t)))),
      body),
    detail);

  async function refresh() {
    const page = await get('/api/logs' + query({ ...state, limit: 300 }));
    clear(resourceSelect).append(select([['', 'All resources'], ...page.resources], state.resource,
      v => { state.resource = v; refresh(); }, { 'aria-label': 'Resource' }));
    summary.textContent = `${page.items.length} shown of ${page.stored.toLocaleString()} kept`;
    clear(body);
    if (page.items.length === 0) body.append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No log records match.')));
    for (const entry of page.items) {
      body.append(h('tr', { class: `clickable${selected === entry.id ? ' selected' : ''}`, onclick: () => show(entry) },
        h('td', { class: 'mono', title: dateTime(entry.timestamp) }, time(entry.timestamp)),
        h('td', {}, h('span', { class: `badge level-${entry.level}` }, entry.level)),
        h('td', {}, entry.resource),
        h('td', { class: 'muted' }, entry.category),
        h('td', {}, entry.message),
        h('td', { class: 'mono' }, entry.traceId ? h('a', { href: `#/traces/${entry.traceId}`, onclick: e => e.stopPropagation() }, entry.traceId.slice(0, 8)) : '')));
    }
  }

  function show(entry) {
    selected = entry.id;
    clear(detail).append(h('div', { class: 'panel', id: 'log-detail' },
      h('h2', {}, 'Log record'),
      kv([
        ['Time', dateTime(entry.timestamp)],
        ['Level', `${entry.level} (${entry.severityNumber})`],
        ['Resource', `${entry.resource} (${entry.instance})`],
        ['Category', entry.category],
        ['Message', entry.message],
        ['Trace', entry.traceId || '–'],
        ['Span', entry.spanId || '–'],
        ...(entry.eventName ? [['Event', entry.eventName]] : []),
        ...entry.attributes.map(a => [a.key, a.value]),
      ])));
  }

  await refresh();
  const timer = setInterval(() => { if (!document.hidden) refresh().catch(() => {}); }, 3000);
  return { dispose: () => clearInterval(timer) };
}
