import { get, query } from './api.js';
import { h, clear, select, time, number, colorFor } from './dom.js';

// Instruments per resource; the chosen one as a line chart over time with its current value.
export async function render(main, route) {
  const state = { resource: route.args[0] ?? '', instrument: route.args[1] ?? '' };
  const list = h('ul', { class: 'list', id: 'instruments' });
  const chart = h('div', { id: 'metric' });
  const resourceSelect = h('span');
  main.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Metrics'), resourceSelect),
    h('div', { class: 'split' }, list, chart));

  async function refreshList() {
    const page = await get('/api/metrics' + query({ resource: state.resource }));
    if (!state.resource && page.resources.length) {
      state.resource = page.resources.includes('apiservice') ? 'apiservice' : page.resources[0];
      return refreshList();
    }
    clear(resourceSelect).append(select(page.resources.length ? page.resources : [['', 'No metrics yet']], state.resource,
      v => { location.hash = `#/metrics/${encodeURIComponent(v)}`; }, { 'aria-label': 'Resource' }));
    clear(list);
    let scope = null;
    for (const i of page.instruments) {
      if (i.scope !== scope) { scope = i.scope; list.append(h('li', { class: 'group' }, scope || '(no meter name)')); }
      list.append(h('li', { class: i.name === state.instrument ? 'selected' : '', dataset: { instrument: i.name },
        onclick: () => { location.hash = `#/metrics/${encodeURIComponent(i.resource)}/${encodeURIComponent(i.name)}`; } },
        h('span', { class: 'name' }, i.name),
        h('span', { class: 'muted' }, `${i.type}${i.unit ? ` · ${i.unit}` : ''} · ${number(i.lastValue)}`)));
    }
    if (page.instruments.length === 0) list.append(h('li', { class: 'empty' }, 'No instruments received yet.'));
    if (!state.instrument && page.instruments.length) {
      const preferred = page.instruments.find(i => i.name === 'http.server.request.duration') ?? page.instruments[0];
      state.instrument = preferred.name;
      for (const li of list.children) li.classList.toggle('selected', li.dataset.instrument === state.instrument);
    }
  }

  async function refreshChart() {
    if (!state.instrument) { clear(chart).append(h('p', { class: 'empty' }, 'Choose an instrument.')); return; }
    const data = await get(`/api/metrics/${encodeURIComponent(state.resource)}/${encodeURIComponent(state.instrument)}`);
    const i = data.instrument;
    const series = data.series.slice(0, 8);
    const isHistogram = i.type === 'Histogram';
    const current = series[0]?.current;
    clear(chart).append(
      h('h2', {}, i.name),
      h('p', { class: 'muted' }, [i.description, i.type, i.unit && `unit ${i.unit}`, `${i.pointCount} point${i.pointCount === 1 ? "" : "s"} kept`].filter(Boolean).join(' · ')),
      h('div', { class: 'current', id: 'current-value' }, `${number(current)} ${i.unit ?? ''}`,
        h('span', { class: 'muted' }, isHistogram ? ' p50 (latest interval)' : ' current')),
      lineChart(series, isHistogram),
      h('div', { class: 'legend' }, series.map(s => { const el = h('span', {}, s.name); el.style.setProperty('--swatch', colorFor(s.name)); return el; })));
  }

  await refreshList();
  await refreshChart();
  const timer = setInterval(() => { if (!document.hidden) { refreshList().catch(() => {}); refreshChart().catch(() => {}); } }, 3000);
  return { dispose: () => clearInterval(timer) };
}

function lineChart(series, isHistogram) {
  const width = 900, height = 300, left = 70, right = 16, top = 14, bottom = 28;
  const points = series.flatMap(s => s.points);
  const svg = h('svg:svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Chart over time' });
  if (points.length === 0) {
    svg.append(h('svg:text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'No data points yet'));
    return svg;
  }
  const times = points.map(p => Date.parse(p.timestamp));
  const values = points.flatMap(p => isHistogram ? [p.value, p.p99 ?? p.value] : [p.value]);
  const t0 = Math.min(...times), t1 = Math.max(...times, t0 + 1);
  let v0 = Math.min(0, ...values), v1 = Math.max(...values);
  if (v1 === v0) v1 = v0 + 1;
  const x = t => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const y = v => top + (1 - (v - v0) / (v1 - v0)) * (height - top - bottom);
  svg.append(
    h('svg:line', { class: 'axis', x1: left, y1: top, x2: left, y2: height - bottom }),
    h('svg:line', { class: 'axis', x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }),
    h('svg:text', { x: left - 6, y: top + 10, 'text-anchor': 'end' }, number(v1)),
    h('svg:text', { x: left - 6, y: height - bottom, 'text-anchor': 'end' }, number(v0)),
    h('svg:text', { x: left, y: height - 8 }, time(new Date(t0))),
    h('svg:text', { x: width - right, y: height - 8, 'text-anchor': 'end' }, time(new Date(t1))));
  for (const s of series) {
    const lines = isHistogram ? [['value', 1], ['p99', 0.45]] : [['value', 1]];
    for (const [field, opacity] of lines) {
      const coordinates = s.points.map(p => `${x(Date.parse(p.timestamp)).toFixed(1)},${y(p[field] ?? p.value).toFixed(1)}`).join(' ');
      svg.append(h('svg:polyline', { points: coordinates, stroke: colorFor(s.name), 'stroke-opacity': opacity }));
      if (s.points.length <= 120) {
        for (const p of s.points) {
          svg.append(h('svg:circle', { cx: x(Date.parse(p.timestamp)).toFixed(1), cy: y(p[field] ?? p.value).toFixed(1), r: 2.5, fill: colorFor(s.name), 'fill-opacity': opacity }));
        }
      }
    }
  }
  return svg;
}
