// Small DOM helpers. Everything from the server is set as text, never as HTML, because log
// lines and attributes come from the services and may contain anything.

export function h(tag, attrs = {}, ...children) {
  const ns = tag.startsWith('svg:') ? 'http://www.w3.org/2000/svg' : null;
  const el = ns ? document.createElementNS(ns, tag.slice(4)) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.setAttribute('class', value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'vars') for (const [name, v] of Object.entries(value)) el.style.setProperty(name, v);
    else if (key === 'value' && !ns) el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) { el.replaceChildren(); return el; }

export function time(value) {
  if (!value) return '';
  const d = new Date(value);
  return d.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

export function dateTime(value) {
  if (!value) return '';
  return new Date(value).toLocaleString(undefined, { hour12: false });
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}

export function number(value) {
  if (value === null || value === undefined) return '–';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-3)) return value.toExponential(3);
  return value.toLocaleString(undefined, { maximumFractionDigits: abs < 10 ? 4 : 2 });
}

export function select(options, selected, onchange, attrs = {}) {
  return h('select', { ...attrs, onchange: e => onchange(e.target.value) },
    options.map(o => {
      const [value, label] = Array.isArray(o) ? o : [o, o];
      return h('option', { value, selected: value === selected }, label);
    }));
}

export function debounce(fn, ms = 250) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

const palette = ['#2f6fde', '#1f8a4c', '#c05621', '#8b5cf6', '#d53f8c', '#0f9aa5', '#b7791f', '#64748b'];
const colors = new Map();
export function colorFor(key) {
  if (!colors.has(key)) colors.set(key, palette[colors.size % palette.length]);
  return colors.get(key);
}

export function kv(pairs) {
  return h('div', { class: 'kv' }, pairs.flatMap(([k, v]) => [h('div', {}, k), h('div', { class: 'value mono' }, v)]));
}
