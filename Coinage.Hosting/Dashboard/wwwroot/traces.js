import { get, query } from './api.js';
import { h, clear, select, time, dateTime, duration, kv, colorFor, debounce } from './dom.js';

export async function render(main, route) {
  return route.args[0] ? renderTrace(main, route.args[0]) : renderList(main, route);
}

// The newest traces with their duration and status; filter by resource or name.
async function renderList(main, route) {
  const state = { resource: route.params.get('resource') ?? '', text: '' };
  const resourceSelect = h('span');
  const body = h('tbody');
  const summary = h('span', { class: 'muted' });
  main.append(
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Traces'),
      resourceSelect,
      h('input', { type: 'search', placeholder: 'Name or trace id…', 'aria-label': 'Search traces', oninput: debounce(e => { state.text = e.target.value; refresh(); }) }),
      summary),
    h('table', { id: 'traces' },
      h('thead', {}, h('tr', {}, ['Time', 'Name', 'Resources', 'Spans', 'Status', 'Duration', ''].map(t => h('th', {}, t)))),
      body));

  async function refresh() {
    const page = await get('/api/traces' + query({ ...state, limit: 200 }));
    clear(resourceSelect).append(select([['', 'All resources'], ...page.resources], state.resource,
      v => { state.resource = v; refresh(); }, { 'aria-label': 'Resource' }));
    summary.textContent = `${page.items.length} shown; ${page.storedTraces.toLocaleString()} traces, ${page.storedSpans.toLocaleString()} spans kept`;
    const longest = Math.max(1, ...page.items.map(t => t.durationMs));
    clear(body);
    if (page.items.length === 0) body.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No traces yet.')));
    for (const t of page.items) {
      const bar = h('div', { class: 'duration-bar' });
      bar.style.width = `${Math.max(1, (t.durationMs / longest) * 100)}%`;
      body.append(h('tr', { class: 'clickable', onclick: () => { location.hash = `#/traces/${t.traceId}`; } },
        h('td', { class: 'mono', title: dateTime(t.start) }, time(t.start)),
        h('td', {}, h('a', { href: `#/traces/${t.traceId}` }, `${t.rootResource}: ${t.name}`)),
        h('td', {}, t.resources.join(', ')),
        h('td', {}, String(t.spanCount)),
        h('td', {}, t.errorCount > 0 ? h('span', { class: 'badge status-Error' }, `${t.errorCount} error${t.errorCount > 1 ? 's' : ''}`) : h('span', { class: 'badge status-Ok' }, 'OK')),
        h('td', { class: 'mono' }, duration(t.durationMs)),
        h('td', { class: 'bar-cell' }, bar)));
    }
  }

  await refresh();
  const timer = setInterval(() => { if (!document.hidden) refresh().catch(() => {}); }, 3000);
  return { dispose: () => clearInterval(timer) };
}

// One trace as a waterfall: a row per span, indented by depth, a bar at its offset and duration,
// coloured by resource (Web → ApiService → Worker → PostgreSQL/Redis).
async function renderTrace(main, traceId) {
  const trace = await get(`/api/traces/${encodeURIComponent(traceId)}`);
  const detail = h('div');
  const rows = h('div', { class: 'waterfall', id: 'waterfall' });
  main.append(
    h('div', { class: 'toolbar' },
      h('a', { href: '#/traces' }, '← Traces'),
      h('h1', {}, `Trace ${trace.traceId.slice(0, 12)}…`),
      h('span', { class: 'muted' }, `${dateTime(trace.start)} · ${duration(trace.durationMs)} · ${trace.spans.length} spans · ${trace.resources.join(' → ')}`),
      h('a', { href: `#/logs?traceId=${trace.traceId}` }, 'Logs of this trace')),
    rows, detail);

  const total = Math.max(trace.durationMs, 0.001);
  for (const span of trace.spans) {
    const bar = h('div', { class: `bar${span.status === 'Error' ? ' error' : ''}`, title: `${span.name}: ${duration(span.durationMs)}` });
    bar.style.left = `${(span.offsetMs / total) * 100}%`;
    bar.style.width = `${Math.max(0.3, (span.durationMs / total) * 100)}%`;
    bar.style.background = colorFor(span.resource);
    const label = h('div', { class: 'label', title: `${span.resource}: ${span.name}` },
      h('span', { class: 'res' }, span.resource), span.name);
    label.style.paddingLeft = `${8 + span.depth * 16}px`;
    const row = h('div', { class: 'span-row', dataset: { span: span.spanId }, onclick: () => show(span, row) },
      label, h('div', { class: 'track' }, bar), h('div', { class: 'dur' }, duration(span.durationMs)));
    rows.append(row);
  }

  function show(span, row) {
    for (const r of rows.children) r.classList.toggle('selected', r === row);
    clear(detail).append(h('div', { class: 'panel', id: 'span-detail' },
      h('h2', {}, `${span.resource}: ${span.name}`),
      kv([
        ['Span', span.spanId], ['Parent', span.parentSpanId || '–'], ['Kind', span.kind],
        ['Status', span.statusMessage ? `${span.status}: ${span.statusMessage}` : span.status],
        ['Start', dateTime(span.start)], ['Duration', duration(span.durationMs)],
        ['Instance', span.instance], ['Scope', span.scope],
        ...span.attributes.map(a => [a.key, a.value]),
      ]),
      span.events.length ? [h('h2', {}, 'Events'), kv(span.events.map(e => [time(e.timestamp), `${e.name} ${e.attributes.map(a => `${a.key}=${a.value}`).join(' ')}`]))] : null));
  }
  return null;
}
