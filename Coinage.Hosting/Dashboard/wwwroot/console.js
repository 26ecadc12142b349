import { get } from './api.js';
import { h, select, time, debounce } from './dom.js';

// Live console output of one resource. Lines arrive in batches; the page keeps at most
// maxConsoleLinesOnScreen of them in the DOM, so a flooding resource cannot freeze the browser.
export async function render(main, route) {
  const [info, resources] = await Promise.all([get('/api/info'), get('/api/resources')]);
  const names = resources.filter(r => r.type !== 'Database').map(r => r.name);
  const name = route.args[0] ?? names.find(n => n === 'apiservice') ?? names[0];
  if (!name) { main.append(h('p', { class: 'empty' }, 'The model has no resources.')); return null; }
  const maxLines = info.maxConsoleLinesOnScreen;
  let filter = '';
  let follow = true;
  let count = 0;

  const output = h('div', { class: 'console mono', id: 'console-output', role: 'log', 'aria-live': 'off' });
  const counter = h('span', { class: 'muted' }, '');
  const search = h('input', { type: 'search', placeholder: 'Search…', 'aria-label': 'Search the console',
    oninput: debounce(e => { filter = e.target.value.toLowerCase(); applyFilter(); }, 150) });
  main.append(
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Console'),
      select(names, name, value => { location.hash = `#/console/${encodeURIComponent(value)}`; }, { 'aria-label': 'Resource' }),
      search,
      h('label', {}, h('input', { type: 'checkbox', checked: true, onchange: e => { follow = e.target.checked; } }), ' Follow'),
      h('a', { href: `/api/resources/${encodeURIComponent(name)}/console/download`, download: '' }, 'Download'),
      counter),
    output);

  function matches(text) { return !filter || text.toLowerCase().includes(filter); }
  function applyFilter() {
    for (const line of output.children) line.classList.toggle('hidden', !matches(line.dataset.text ?? ''));
  }

  function add(batch) {
    const fragment = document.createDocumentFragment();
    if (batch.dropped > 0) {
      fragment.append(h('span', { class: 'line skip' }, `… ${batch.dropped} lines skipped (the resource writes faster than the page can show; Download has them all)`));
    }
    for (const line of batch.lines) {
      const el = h('span', { class: `line${line.isError ? ' err' : ''}`, dataset: { text: line.text } },
        h('span', { class: 'ts' }, time(line.timestamp)), line.text);
      if (!matches(line.text)) el.classList.add('hidden');
      fragment.append(el);
    }
    output.append(fragment);
    count += batch.lines.length;
    while (output.childElementCount > maxLines) output.firstElementChild.remove();
    counter.textContent = `${count.toLocaleString()} lines received, ${output.childElementCount.toLocaleString()} shown`;
    if (follow) output.scrollTop = output.scrollHeight;
  }

  const source = new EventSource(`/api/resources/${encodeURIComponent(name)}/console/stream`);
  // After a reconnect the server sends the backlog again: start over rather than show lines twice.
  let fresh = true;
  source.addEventListener('open', () => { fresh = true; });
  source.addEventListener('lines', e => {
    if (fresh) { output.replaceChildren(); count = 0; fresh = false; }
    add(JSON.parse(e.data));
  });
  return { dispose: () => source.close() };
}
