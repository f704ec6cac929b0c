// list.js is the sessions list: filters (kept in the URL), the sessions
// newest first with "load more", and live updates from the event stream.

import {h, fill, notice, errorNotice, chip, stat, statusPill, debounce} from './dom.js';
import {getJSON} from './api.js';
import {duration, count, exact, cost, bytes, absTime, relTime, parseTime} from './format.js';
import {navigate, sessionHref} from './nav.js';
import {subscribe} from './stream.js';
import {sessionOf} from './trace.js';

// RANGES are the time filter's choices, in milliseconds back from now.
const RANGES = {'15m': 9e5, '1h': 36e5, '24h': 864e5, '7d': 6048e5, '30d': 2592e6};
const RANGE_LABELS = {'': 'Any time', '15m': 'Last 15 minutes', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days'};
const FILTERS = ['q', 'status', 'service', 'tag', 'model', 'range'];
const PAGE = 50;

function filtersOf(params) {
  return Object.fromEntries(FILTERS.map((k) => [k, params.get(k) || '']));
}

function sameFilters(a, b) {
  return FILTERS.every((k) => a[k] === b[k]);
}

export class SessionList {
  constructor(params) {
    this.filters = null;
    this.rows = new Map(); // trace id -> tr
    this.sessions = new Map(); // trace id -> session
    this.statsEl = h('div', {class: 'stats stats-strip'});
    this.form = this.filterForm();
    this.tbody = h('tbody');
    this.table = h('table', {class: 'sessions'},
      h('thead', null, h('tr', null, ['Session', 'Status', 'Started', 'Duration', 'LLM calls', 'Tool calls', 'Tokens in / out', 'Cost', 'Tags']
        .map((c) => h('th', {scope: 'col'}, c)))),
      this.tbody);
    this.messageEl = h('div');
    this.moreEl = h('div', {class: 'more'});
    this.bannerEl = h('div');
    this.el = h('div', {class: 'page list-page'},
      this.statsEl, this.form, this.bannerEl, h('div', {class: 'table-wrap'}, this.table), this.messageEl, this.moreEl);
    this.refreshStats = debounce(() => this.loadStats(), 400);
    this.unsubscribe = subscribe((ev) => this.onEvent(ev));
    this.clock = setInterval(() => this.tick(), 30000);
    document.title = 'Sessions · AgentOps';
    this.loadStats();
    this.update(params);
  }

  destroy() {
    this.unsubscribe();
    clearInterval(this.clock);
  }

  update(params) {
    const f = filtersOf(params);
    if (this.filters && sameFilters(f, this.filters)) return;
    this.filters = f;
    for (const [k, v] of Object.entries(f)) this.inputs[k].value = v;
    this.reload();
  }

  filterForm() {
    const text = (name, placeholder, list) => h('input', {type: name === 'q' ? 'search' : 'text', name, placeholder, 'aria-label': placeholder, list, autocomplete: 'off'});
    const select = (name, options) => h('select', {name, 'aria-label': name},
      Object.entries(options).map(([v, label]) => h('option', {value: v}, label)));
    this.suggest = {service: h('datalist', {id: 'dl-service'}), tag: h('datalist', {id: 'dl-tag'}), model: h('datalist', {id: 'dl-model'})};
    this.inputs = {
      q: text('q', 'Search names, messages, logs'),
      status: select('status', {'': 'Any status', success: 'Success', error: 'Error', indeterminate: 'Indeterminate', running: 'Running'}),
      service: text('service', 'Service', 'dl-service'),
      tag: text('tag', 'Tag', 'dl-tag'),
      model: text('model', 'Model', 'dl-model'),
      range: select('range', RANGE_LABELS),
    };
    // A choice from a menu is a step that Back undoes; typing replaces the
    // URL as it goes, or every keystroke would be a step.
    const apply = (replace) => {
      const q = new URLSearchParams();
      for (const k of FILTERS) if (this.inputs[k].value.trim()) q.set(k, this.inputs[k].value.trim());
      navigate(q.size ? `/?${q}` : '/', {replace});
    };
    const typed = debounce(() => apply(true), 300);
    return h('form', {class: 'filters', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      apply(false);
    }, oninput: (e) => (e.target.tagName === 'SELECT' ? apply(false) : typed())},
    Object.values(this.inputs), Object.values(this.suggest),
    h('button', {type: 'button', class: 'link-button', onclick: () => navigate('/')}, 'clear'));
  }

  query(cursor) {
    const f = this.filters;
    return {
      q: f.q, status: f.status, service: f.service, tag: f.tag, model: f.model, limit: PAGE, cursor,
      from: RANGES[f.range] > 0 ? new Date(Date.now() - RANGES[f.range]).toISOString() : '',
    };
  }

  async reload() {
    const token = (this.loading = {});
    this.rows.clear();
    this.sessions.clear();
    fill(this.tbody);
    fill(this.bannerEl);
    fill(this.moreEl);
    fill(this.messageEl, notice('loading', 'Loading sessions…'));
    await this.loadPage('', token);
  }

  async loadPage(cursor, token) {
    let page;
    try {
      page = await getJSON('/api/sessions', this.query(cursor));
    } catch (e) {
      if (token === this.loading) fill(this.messageEl, errorNotice('the sessions', e));
      return;
    }
    if (token !== this.loading) return; // the filters changed meanwhile
    for (const s of page.sessions) this.put(s, false);
    this.updateSuggestions();
    fill(this.messageEl, this.rows.size ? null : this.emptyNotice());
    fill(this.moreEl, page.next_cursor ? h('button', {type: 'button', class: 'button', onclick: (e) => {
      e.currentTarget.disabled = true;
      this.loadPage(page.next_cursor, token);
    }}, 'Load more') : null);
  }

  emptyNotice() {
    if (FILTERS.some((k) => this.filters[k])) return notice('empty', 'No session matches these filters.');
    return notice('empty', h('strong', null, 'No sessions yet.'), ' Run an agent with the SDK pointed here (',
      h('code', null, `AGENTOPS_API_ENDPOINT=${location.origin}`), '); its sessions appear in this list as they arrive.');
  }

  async loadStats() {
    let st;
    try {
      st = await getJSON('/api/stats');
    } catch (e) {
      fill(this.statsEl); // the list shows the error
      return;
    }
    fill(this.statsEl,
      stat('sessions', exact(st.sessions)),
      stat('spans', count(st.spans), exact(st.spans)),
      stat('LLM calls', count(st.llm_calls), exact(st.llm_calls)),
      stat('tokens in / out', `${count(st.input_tokens)} / ${count(st.output_tokens)}`),
      stat('cost', cost(st.cost)),
      stat('errors', h('span', {class: st.errors ? 'text-error' : ''}, exact(st.errors))),
      stat('database', bytes(st.db_bytes)));
  }

  // put adds or replaces a session's row; live rows are inserted in start
  // order and flash.
  put(s, live) {
    const tr = this.row(s);
    const old = this.rows.get(s.trace_id);
    this.rows.set(s.trace_id, tr);
    this.sessions.set(s.trace_id, s);
    if (old) old.replaceWith(tr);
    else if (!live) this.tbody.append(tr);
    else {
      const start = parseTime(s.start);
      const after = [...this.tbody.children].find((r) => parseTime(this.sessions.get(r.dataset.traceId)?.start) < start);
      this.tbody.insertBefore(tr, after || null);
    }
    if (live) tr.classList.add('fresh');
  }

  row(s) {
    const href = sessionHref(s.trace_id);
    const start = parseTime(s.start);
    return h('tr', {class: 'session-row', dataset: {traceId: s.trace_id}, onclick: (e) => {
      if (e.target.closest('a') || getSelection().toString()) return; // a link, or text being selected
      navigate(href);
    }},
    h('td', {class: 'name-cell'},
      h('a', {class: 'session-link', href}, s.name || '(unnamed)'),
      h('div', {class: 'sub'}, h('span', {class: 'mono'}, s.trace_id.slice(0, 12)), s.service ? ` · ${s.service}` : '',
        s.models.length ? ` · ${s.models.join(', ')}` : '')),
    h('td', null, statusPill(s.status)),
    h('td', {class: 'started', title: absTime(start), dataset: {start}}, relTime(start)),
    h('td', {class: 'num'}, duration(s.duration_ms)),
    h('td', {class: 'num'}, exact(s.llm_calls)),
    h('td', {class: 'num'}, exact(s.tool_calls)),
    h('td', {class: 'num', title: `${exact(s.input_tokens)} in, ${exact(s.output_tokens)} out`}, `${count(s.input_tokens)} / ${count(s.output_tokens)}`),
    h('td', {class: 'num'}, cost(s.cost)),
    h('td', {class: 'tags'}, s.tags.map((t) => chip(t, 'chip-tag'))));
  }

  // matches reports whether a session pushed by the server passes the
  // filters. Free-text search runs on the server only, so with one set a
  // new session is announced rather than shown.
  matches(s) {
    const f = this.filters;
    if (f.status && s.status !== f.status) return false;
    if (f.service && s.service !== f.service) return false;
    if (f.tag && !s.tags.includes(f.tag)) return false;
    if (f.model && !s.models.includes(f.model)) return false;
    return !(RANGES[f.range] > 0 && parseTime(s.start) < Date.now() - RANGES[f.range]);
  }

  onEvent(ev) {
    switch (ev.type) {
      case 'session.new':
      case 'session.updated':
      case 'session.ended': {
        const s = sessionOf(ev.data);
        this.refreshStats();
        if (this.rows.has(s.trace_id)) {
          if (this.matches(s)) this.put(s, true);
          else this.remove(s.trace_id);
        } else if (this.filters.q) {
          fill(this.bannerEl, notice('info', 'New sessions have arrived. ',
            h('button', {type: 'button', class: 'link-button', onclick: () => this.reload()}, 'Refresh the search')));
        } else if (this.matches(s)) {
          this.put(s, true);
          fill(this.messageEl);
          this.updateSuggestions();
        }
        break;
      }
      case 'session.deleted':
        this.remove(ev.data.trace_id);
        this.refreshStats();
        break;
      case 'sessions.deleted':
      case 'reset':
        this.reload();
        this.refreshStats();
        break;
    }
  }

  remove(traceId) {
    this.rows.get(traceId)?.remove();
    this.rows.delete(traceId);
    this.sessions.delete(traceId);
    if (this.rows.size === 0) fill(this.messageEl, this.emptyNotice());
  }

  tick() {
    for (const td of this.tbody.querySelectorAll('td.started')) td.textContent = relTime(Number(td.dataset.start));
  }

  updateSuggestions() {
    const seen = {service: new Set(), tag: new Set(), model: new Set()};
    for (const s of this.sessions.values()) {
      if (s.service) seen.service.add(s.service);
      for (const t of s.tags) seen.tag.add(t);
      for (const m of s.models) seen.model.add(m);
    }
    for (const [k, dl] of Object.entries(this.suggest)) {
      fill(dl, [...seen[k]].sort().map((v) => h('option', {value: v})));
    }
  }
}
