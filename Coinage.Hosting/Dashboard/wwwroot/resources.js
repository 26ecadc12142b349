import { get, post } from './api.js';
import { h, clear, dateTime, time, kv } from './dom.js';

// Resources with state and health, live over Server-Sent Events; stop/start/restart; details
// with the environment (secrets masked until "Show" is clicked) and references.
export async function render(main) {
  const rows = new Map();
  const expanded = new Set();
  const body = h('tbody');
  const status = h('span', { class: 'muted' }, 'connecting…');
  main.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Resources'), status),
    h('table', { id: 'resources' },
      h('thead', {}, h('tr', {}, ['Name', 'Type', 'State', 'Start time', 'PID', 'Restarts', 'Endpoints', 'Actions'].map(t => h('th', {}, t)))),
      body));

  function update(resource) {
    const row = row_(resource);
    const old = rows.get(resource.name);
    if (old) {
      old.row.replaceWith(row);
      if (old.details) old.details.remove();
    } else {
      body.append(row);
    }
    const entry = { row, details: null, resource };
    rows.set(resource.name, entry);
    if (expanded.has(resource.name)) showDetails(entry);
  }

  function row_(r) {
    const stateText = r.state === 'Running' && r.health !== 'Unknown' ? `${r.state} (${r.health})` : r.state;
    return h('tr', { class: 'clickable', dataset: { resource: r.name }, onclick: e => { if (!e.target.closest('a,button')) toggle(r.name); } },
      h('td', {}, h('strong', {}, r.name), r.isOptional ? h('span', { class: 'muted' }, ' (optional)') : null),
      h('td', {}, r.type),
      h('td', {}, h('span', { class: `badge state-${r.state} health-${r.health}`, title: r.message ?? '' }, stateText),
        r.message ? h('div', { class: 'muted' }, r.message) : null),
      h('td', { title: dateTime(r.startedAt) }, time(r.startedAt)),
      h('td', { class: 'mono' }, r.processIds.join(', ')),
      h('td', {}, String(r.restarts)),
      h('td', { class: 'links' }, r.endpoints.map(e => e.isHttp
        ? h('a', { href: e.url, target: '_blank', rel: 'noopener' }, e.label === 'http' ? e.url : e.label)
        : h('span', { class: 'mono', title: e.label }, e.url.replace(/^\w+:\/\//, '')))),
      h('td', { class: 'actions' }, r.canControl ? [
        action(r, 'stop', 'Stop', r.processIds.length === 0),
        action(r, 'start', 'Start', r.processIds.length > 0),
        action(r, 'restart', 'Restart', r.processIds.length === 0),
        h('a', { href: `#/console/${encodeURIComponent(r.name)}` }, 'Console'),
      ] : null));
  }

  function action(r, name, label, disabled) {
    return h('button', {
      type: 'button', disabled, class: name === 'stop' ? 'danger' : '', 'aria-label': `${label} ${r.name}`,
      onclick: async e => {
        e.target.disabled = true;
        try { await post(`/api/resources/${encodeURIComponent(r.name)}/${name}`); }
        catch (error) { alert(`${label} ${r.name} failed: ${error.message}`); e.target.disabled = false; }
      },
    }, label);
  }

  function toggle(name) {
    const entry = rows.get(name);
    if (expanded.delete(name)) { entry.details?.remove(); entry.details = null; entry.row.classList.remove('selected'); return; }
    expanded.add(name);
    showDetails(entry);
  }

  async function showDetails(entry) {
    const r = entry.resource;
    const env = h('div', {}, h('span', { class: 'muted' }, 'loading environment…'));
    const cell = h('td', { colspan: 8 },
      kv([
        ['References', r.references.join(', ') || '–'],
        ['Waits for', r.waitsFor.join(', ') || '–'],
        ['Parent', r.parent ?? '–'],
        ['Exit code', r.exitCode ?? '–'],
        ['Stopped at', dateTime(r.stoppedAt) || '–'],
      ]),
      h('h2', {}, 'Environment'), env);
    const details = h('tr', { class: 'details' }, cell);
    entry.details?.remove();
    entry.row.after(details);
    entry.row.classList.add('selected');
    entry.details = details;
    try {
      const variables = await get(`/api/resources/${encodeURIComponent(r.name)}/environment`);
      clear(env).append(variables.length === 0 ? h('span', { class: 'muted' }, 'No environment (not a process, or not started yet).')
        : h('div', { class: 'kv' }, variables.flatMap(v => [h('div', {}, v.name), h('div', { class: 'value mono' }, valueOf(r.name, v))])));
    } catch (error) {
      clear(env).append(h('span', { class: 'error' }, error.message));
    }
  }

  function valueOf(resource, v) {
    if (!v.isSecret) return v.value;
    const holder = h('span', {}, '••••••••  ');
    holder.append(h('button', {
      type: 'button', class: 'quiet', 'aria-label': `Show ${v.name}`,
      onclick: async () => {
        const revealed = await get(`/api/resources/${encodeURIComponent(resource)}/environment/${encodeURIComponent(v.name)}`);
        holder.replaceChildren(revealed.value);
      },
    }, 'Show'));
    return holder;
  }

  for (const r of await get('/api/resources')) update(r);
  const source = new EventSource('/api/resources/stream');
  source.addEventListener('open', () => { status.textContent = 'live'; });
  source.addEventListener('error', () => { status.textContent = 'reconnecting…'; });
  source.addEventListener('resources', e => { for (const r of JSON.parse(e.data)) update(r); });
  source.addEventListener('resource', e => update(JSON.parse(e.data)));
  return { dispose: () => source.close() };
}
