// logs.js is the Logs tab: the session's captured log, filtered as you
// type with the matches highlighted, levels in colour, and each timed line
// a jump to its moment on the waterfall.

import {h, fill, capped, plain, notice, errorNotice, debounce} from './dom.js';
import {getJSON} from './api.js';
import {linkify} from './sourcelinks.js';

const LEVELS = {
  error: ['ERROR', 'CRITICAL', 'FATAL', 'PANIC'], warn: ['WARN', 'WARNING'], info: ['INFO'], debug: ['DEBUG', 'TRACE'],
};

function levelClass(level) {
  const l = (level || '').toUpperCase();
  return Object.keys(LEVELS).find((k) => LEVELS[k].includes(l)) || 'other';
}

// wallClock reads a log time, "2006-01-02 15:04:05,000", as if it were UTC.
function wallClock(t) {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)[,.](\d{3})$/.exec(t || '');
  return m ? Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : NaN;
}

// zoneOffset finds the clock offset of the log's times. They carry no
// zone (the Go SDK writes UTC, other SDKs the machine's local time), so
// the offset is the first of UTC, the browser's zone, and every quarter
// hour from -12 h to +14 h that puts most timed lines inside the
// session's spans (give or take a minute). null when none does.
function zoneOffset(times, trace) {
  if (times.length === 0) return null;
  const lo = trace.t0 - 60000;
  const hi = trace.t1 + 60000;
  const candidates = [0, -new Date(times[0]).getTimezoneOffset() * 60000];
  for (let q = 1; q <= 56; q++) candidates.push(q * 900000, -q * 900000);
  return candidates.find((off) => times.filter((t) => t - off >= lo && t - off <= hi).length * 2 >= times.length) ?? null;
}

// highlight renders text with each case-insensitive occurrence of q
// marked, and the rest through render.
function highlight(text, q, render) {
  const frag = document.createDocumentFragment();
  if (!q) {
    frag.append(render(text));
    return frag;
  }
  const lower = text.toLowerCase();
  let last = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, last)) {
    frag.append(render(text.slice(last, i)), h('mark', null, text.slice(i, i + q.length)));
    last = i + q.length;
  }
  frag.append(render(text.slice(last)));
  return frag;
}

export class LogsTab {
  constructor(trace) {
    this.trace = trace;
    this.query = '';
    this.hidden = new Set(); // level classes switched off
    this.el = h('div', {class: 'logs'}, notice('loading', 'Loading the log…'));
    this.load();
  }

  update() {}

  async load() {
    let log;
    try {
      log = await getJSON(`/api/sessions/${this.trace.traceId}/logs`);
    } catch (e) {
      fill(this.el, errorNotice('the log', e));
      return;
    }
    const lines = log.lines || [];
    if (lines.length === 0) {
      fill(this.el, notice('empty', 'No log was uploaded with this session. The Go SDK captures slog and log ',
        'output (agentops.NewSlogHandler, agentops.LogWriter) and uploads it when the session ends.'));
      return;
    }
    const offset = zoneOffset(lines.map((l) => wallClock(l.time)).filter(Number.isFinite), this.trace);
    this.lines = lines.map((l) => {
      const at = offset == null ? NaN : wallClock(l.time) - offset;
      return {...l, cls: levelClass(l.level), jump: Number.isFinite(at) ? this.jumpHref(at) : null};
    });

    const counts = new Map();
    for (const l of this.lines) counts.set(l.cls, (counts.get(l.cls) || 0) + 1);
    const search = h('input', {type: 'search', class: 'search', placeholder: 'Filter the log', 'aria-label': 'Filter the log',
      oninput: debounce(() => {
        this.query = search.value.trim().toLowerCase();
        this.render();
      }, 120)});
    const order = [...Object.keys(LEVELS), 'other'];
    const toggles = [...counts].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([cls, n]) => h('button', {
      type: 'button', class: `level-toggle lv-${cls}`, 'aria-pressed': 'true',
      onclick: (e) => {
        const on = this.hidden.has(cls);
        if (on) this.hidden.delete(cls);
        else this.hidden.add(cls);
        e.currentTarget.setAttribute('aria-pressed', String(on));
        this.render();
      }}, `${cls} ${n}`));
    this.countEl = h('span', {class: 'muted'});
    this.listEl = h('div', {class: 'log-list', role: 'log'});
    fill(this.el,
      h('div', {class: 'toolbar'}, search, toggles, this.countEl,
        offset == null ? h('span', {class: 'muted', title: 'The log\'s times match no clock offset that puts them within the session\'s spans.'},
          'times not placed on the timeline') : null),
      this.listEl);
    this.render();
  }

  render() {
    const q = this.query;
    const shown = this.lines.filter((l) => !this.hidden.has(l.cls) &&
      (!q || l.message.toLowerCase().includes(q) || (l.level || '').toLowerCase().includes(q) || (l.time || '').includes(q)));
    this.countEl.textContent = `${shown.length.toLocaleString('en')} of ${this.lines.length.toLocaleString('en')} lines`;
    const linked = (t) => linkify(t, this.trace);
    fill(this.listEl, shown.map((l) => h('div', {class: `log-line lv-${l.cls}`},
      l.jump
        ? h('a', {class: 'jump', href: l.jump, title: 'Show this moment on the timeline', 'aria-label': 'Show on the timeline'}, '→')
        : h('span', {class: 'jump-space'}),
      h('span', {class: 'log-time mono', title: l.time}, highlight((l.time || '').slice(11), q, plain)),
      h('span', {class: 'log-level'}, l.level || ''),
      h('span', {class: 'log-msg'}, capped(l.message, (t) => highlight(t, q, linked))))));
    if (shown.length === 0) this.listEl.append(notice('empty', 'No line matches.'));
  }

  // jumpHref is the Spans tab with a marker at ms and the span running
  // then selected.
  jumpHref(ms) {
    const row = this.trace.spanAt(ms);
    return this.trace.href({tab: 'spans', span: row?.span.span_id, at: new Date(ms).toISOString()});
  }
}
