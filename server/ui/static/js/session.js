// session.js is the session page: a header with the session's roll-up,
// and four tabs (spans, logs, files, analysis), each made when first
// shown and kept while the page is open.

import {h, fill, notice, errorNotice, chip, stat, statusPill, toast} from './dom.js';
import {getJSON, download, hasToken} from './api.js';
import {duration, count, exact, cost, absTime, relTime, parseTime} from './format.js';
import {navigate} from './nav.js';
import {subscribe} from './stream.js';
import {Trace, sessionOf} from './trace.js';
import {Waterfall} from './waterfall.js';
import {spanPanel} from './spanpanel.js';
import {LogsTab} from './logs.js';
import {FilesTab} from './files.js';
import {AnalysisTab} from './analysis.js';

// SpansTab is the waterfall and, beside it, the selected span.
class SpansTab {
  constructor(trace) {
    this.trace = trace;
    this.shown = undefined;
    if (trace.rows.length === 0) {
      this.el = notice('empty', 'No spans have arrived for this session yet.');
      return;
    }
    this.waterfall = new Waterfall(trace, (id) => navigate(trace.href({tab: 'spans', span: id})));
    this.panel = h('div', {class: 'panel-slot'});
    this.el = h('div', {class: 'spans-layout'}, this.waterfall.el, this.panel);
  }

  update(params) {
    if (!this.waterfall) return;
    this.waterfall.mark(parseTime(params.get('at')));
    const id = params.get('span');
    if (id === this.shown) return;
    this.shown = id;
    this.waterfall.select(id);
    const row = id ? this.trace.byId.get(id) : null;
    this.el.classList.toggle('with-panel', Boolean(id));
    if (row) {
      fill(this.panel, spanPanel(this.trace, row, () => navigate(this.trace.href({tab: 'spans'}))));
      this.panel.scrollTop = 0;
    } else {
      fill(this.panel, id ? notice('error', `This session has no span ${id}.`) : null);
    }
  }
}

const TABS = {spans: SpansTab, logs: LogsTab, files: FilesTab, analysis: AnalysisTab};

export class SessionPage {
  constructor(traceId, params) {
    this.traceId = traceId;
    this.params = params;
    this.tabs = new Map();
    this.lastParams = {}; // tab name -> the params it was last shown with
    this.el = h('div', {class: 'page session-page'}, notice('loading', 'Loading the session…'));
    this.unsubscribe = subscribe((ev) => this.onEvent(ev));
    this.load();
  }

  destroy() {
    this.unsubscribe();
  }

  async load() {
    const id = encodeURIComponent(this.traceId);
    let session;
    let roots;
    let files;
    try {
      [session, roots, files] = await Promise.all([
        getJSON(`/api/sessions/${id}`), getJSON(`/api/sessions/${id}/spans`), getJSON(`/api/sessions/${id}/files`)]);
    } catch (e) {
      fill(this.el, h('a', {class: 'back', href: '/'}, '← Sessions'), errorNotice(`session ${this.traceId}`, e));
      return;
    }
    this.trace = new Trace(session, roots, files);
    this.tabs.clear();
    document.title = `${session.name || session.trace_id} · AgentOps`;
    this.headEl = h('header', {class: 'session-head'});
    this.tabBar = h('nav', {class: 'tabs', 'aria-label': 'session views'});
    this.tabBody = h('div', {class: 'tab-body'});
    this.renderHead();
    fill(this.el, this.headEl, this.tabBar, this.tabBody);
    this.update(this.params);
  }

  update(params) {
    this.params = params;
    if (!this.trace) return;
    const name = Object.hasOwn(TABS, params.get('tab')) ? params.get('tab') : 'spans';
    this.lastParams[name] = Object.fromEntries([...params].filter(([k]) => k !== 'trace_id'));
    let tab = this.tabs.get(name);
    if (!tab) {
      tab = new TABS[name](this.trace);
      this.tabs.set(name, tab);
    }
    if (this.tabBody.firstChild !== tab.el) fill(this.tabBody, tab.el);
    this.renderTabs(name);
    tab.update(params);
  }

  renderTabs(active) {
    const s = this.trace.session;
    const labels = {
      spans: `Spans ${exact(this.trace.rows.length)}`,
      logs: s.has_logs ? 'Logs' : 'Logs (none)',
      files: `Files ${exact(this.trace.files.length)}`,
      analysis: 'Analysis',
    };
    fill(this.tabBar, Object.keys(TABS).map((name) => h('a', {
      class: `tab${name === active ? ' active' : ''}`,
      href: this.trace.href(this.lastParams[name] || {tab: name}),
      'aria-current': name === active ? 'page' : null,
    }, labels[name])));
  }

  renderHead() {
    const s = this.trace.session;
    const start = parseTime(s.start);
    const newSpans = s.spans - this.trace.rows.length;
    fill(this.headEl,
      h('a', {class: 'back', href: '/'}, '← Sessions'),
      h('div', {class: 'title-row'},
        h('h1', {class: 'session-name', title: s.name}, s.name || '(unnamed session)'),
        statusPill(s.status),
        newSpans > 0 ? h('button', {type: 'button', class: 'button button-quiet', onclick: () => this.load()},
          `${exact(newSpans)} new span${newSpans === 1 ? '' : 's'} · reload`) : null,
        h('span', {class: 'spacer'}),
        this.exportLink()),
      h('div', {class: 'meta'},
        h('span', {class: 'mono', title: 'trace id'}, s.trace_id),
        s.service ? h('span', null, s.service) : null,
        h('span', {title: absTime(start)}, `started ${absTime(start)} (${relTime(start)})`)),
      h('div', {class: 'stats'},
        stat('duration', duration(s.duration_ms)),
        stat('spans', exact(s.spans)),
        stat('LLM calls', exact(s.llm_calls)),
        stat('tool calls', exact(s.tool_calls)),
        stat('tokens in / out', `${count(s.input_tokens)} / ${count(s.output_tokens)}`,
          `${exact(s.input_tokens)} input (${exact(s.cache_read_tokens)} from cache), ${exact(s.output_tokens)} output (${exact(s.reasoning_tokens)} reasoning)`),
        stat('cost', cost(s.cost)),
        stat('errors', h('span', {class: s.errors ? 'text-error' : ''}, exact(s.errors)))),
      (s.models.length || s.tags.length) ? h('div', {class: 'chips'},
        s.models.map((m) => chip(m, 'chip-model')), s.tags.map((t) => chip(t, 'chip-tag'))) : null);
  }

  // exportLink downloads the spans as OTLP JSON: a plain link on an open
  // server, a fetch with the token on a closed one (a link cannot send it).
  exportLink() {
    const path = `/api/sessions/${encodeURIComponent(this.traceId)}/export`;
    const name = `session-${this.traceId}.otlp.json`;
    return h('a', {class: 'button', href: path, download: name, title: 'Download the spans as OTLP JSON', onclick: async (e) => {
      if (!hasToken()) return;
      e.preventDefault();
      try {
        await download(path, name);
      } catch (err) {
        toast(`Export failed: ${err.message}`);
      }
    }}, 'Export OTLP JSON');
  }

  // onEvent keeps the header current while the session runs.
  onEvent(ev) {
    if (!this.trace) return;
    if (ev.type === 'reset') {
      this.load();
      return;
    }
    if (ev.data?.trace_id !== this.traceId) return;
    if (ev.type === 'session.deleted') {
      this.el.prepend(notice('error', 'This session has been deleted from the server.'));
    } else if (ev.type.startsWith('session.')) {
      this.trace.session = sessionOf(ev.data);
      this.renderHead();
    }
  }
}
