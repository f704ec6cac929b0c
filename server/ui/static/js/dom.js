// dom.js builds the page. Telemetry is untrusted text, so nothing here (or
// anywhere in the dashboard) parses a string as HTML: elements come from
// createElement, text from text nodes. ui_test.go greps the scripts to keep
// it that way.

// CAP is how many characters of a value are shown before a "show all"
// control: one 5 MB prompt must not freeze the page.
const CAP = 2000;

// h creates an element. attrs: "class", "text" (its text), "dataset",
// on<event> handlers (functions only), and plain attributes; null, undefined
// and false leave an attribute out. children: nodes, strings, numbers,
// arrays of them; null and false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) {
      if (typeof v !== 'function') throw new TypeError(`h: ${k} must be a function`);
      el.addEventListener(k.slice(2), v);
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

// append adds children to el the way h does.
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// fill replaces el's children the way h adds them (null and false
// skipped; the DOM's own replaceChildren would write "null").
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// plain renders text as a text node: the default renderer of capped.
export const plain = (text) => document.createTextNode(text);

// capped shows text, cut to cap characters with a control that shows the
// rest. render turns a piece of text into nodes (linkified, highlighted).
export function capped(text, render = plain, cap = CAP) {
  const box = h('span', {class: 'capped'});
  if (text.length <= cap) return append(box, [render(text)]);
  const more = h('button', {
    type: 'button', class: 'show-all',
    text: `show all (${text.length.toLocaleString('en')} chars)`,
    onclick: () => box.replaceChildren(render(text)),
  });
  return append(box, [render(text.slice(0, cap)), '… ', more]);
}

// json pretty-prints a value of unknown shape.
export function json(value) {
  let text;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (e) {
    text = String(value);
  }
  return h('pre', {class: 'code-block json'}, capped(text ?? 'undefined'));
}

// textBlock shows a string that may hold JSON (tool arguments, results):
// pretty-printed when it parses, as it is otherwise.
export function textBlock(text, render = plain) {
  const t = text.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return json(JSON.parse(t));
    } catch (e) {
      // not JSON after all: shown as text
    }
  }
  return h('pre', {class: 'code-block'}, capped(text, render));
}

// notice is a message in place of content: loading, empty, error.
export function notice(kind, ...children) {
  return h('div', {class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : null}, ...children);
}

// errorNotice explains a failed load.
export function errorNotice(what, err) {
  return notice('error', h('strong', {text: `Could not load ${what}.`}), ' ', err.message || String(err));
}

// section is a titled, collapsible block.
export function section(title, open, ...children) {
  return h('details', {class: 'section', open},
    h('summary', null, title), h('div', {class: 'section-body'}, ...children));
}

// kv is a two-column table of [label, value] rows; rows whose value is
// null or '' are left out.
export function kv(rows) {
  const body = rows.filter(([, v]) => v != null && v !== '')
    .map(([k, v]) => h('tr', null, h('th', {scope: 'row'}, k), h('td', null, v)));
  return h('table', {class: 'kv'}, h('tbody', null, body));
}

// chip is a small label, e.g. a tag or a model.
export function chip(text, cls = '') {
  return h('span', {class: `chip ${cls}`.trim(), title: text}, text);
}

// stat is a figure with its label, for the stats strips.
export function stat(label, value, title) {
  return h('div', {class: 'stat', title}, h('div', {class: 'stat-value'}, value), h('div', {class: 'stat-label'}, label));
}

// debounce delays fn until calls stop for ms.
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// STATUSES are the session statuses app.css colours; span status codes
// map onto them.
const STATUSES = new Set(['success', 'error', 'indeterminate', 'running', 'unset']);

// statusPill shows text (by default the status) in the colour of status.
export function statusPill(status, text = status || 'unknown') {
  const s = STATUSES.has(status) ? status : 'indeterminate';
  return h('span', {class: `status status-${s}`}, text);
}

// toast shows a short message at the bottom of the window for a while.
export function toast(text) {
  const el = h('div', {class: 'toast', role: 'status'}, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 6000);
}
