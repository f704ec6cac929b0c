// analysis.js is the Analysis tab: where the session's time, tokens and
// money went (/summary), and what the server found in it (/analysis):
// slow spans, the critical path, bottlenecks, errors, repeats and loops,
// with advice. Every span named links to it on the waterfall.

import {h, fill, notice, errorNotice, kv, chip} from './dom.js';
import {getJSON} from './api.js';
import {duration, exact, cost, plural} from './format.js';
import {spanRef} from './spanpanel.js';
import {knownClass} from './trace.js';

function card(title, ...body) {
  return h('section', {class: 'card'}, h('h3', null, title), ...body);
}

function none(text) {
  return h('div', {class: 'muted'}, text);
}

function table(head, rows) {
  return h('table', {class: 'grid'},
    h('thead', null, h('tr', null, head.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

// meter is a small horizontal bar for a share of 100.
function meter(percent) {
  const fill = h('span', {class: 'meter-fill'});
  fill.style.width = `${Math.min(100, Math.max(0, percent))}%`;
  return h('span', {class: 'meter', title: `${percent.toFixed(1)}%`}, fill);
}

function spanList(trace, ids) {
  const shown = ids.slice(0, 8).map((id) => spanRef(trace, id));
  return h('span', {class: 'span-list'}, shown, ids.length > 8 ? h('span', {class: 'muted'}, `+${ids.length - 8} more`) : null);
}

// errorCell names an error group: its type and class, and the first line
// of its message (a stack trace follows on the span itself).
function errorCell(e) {
  const first = (e.message || '').split('\n')[0];
  return h('div', {class: 'error-cell'},
    h('div', null, h('span', {class: 'mono'}, e.error_type || 'error'), h('span', {class: 'muted'}, ` in ${e.class}`)),
    first ? h('div', {class: 'error-message', title: e.message}, first) : null);
}

function overview(sum) {
  const t = sum.tokens || {};
  return card('Overview', kv([
    ['Duration', duration(sum.duration_ms)],
    ['Spans', exact(sum.spans)],
    ['LLM calls', exact(sum.llm_calls)],
    ['Tool calls', exact(sum.tool_calls)],
    ['Errors', sum.errors ? h('span', {class: 'text-error'}, exact(sum.errors)) : '0'],
    ['Tokens', `${exact(t.input)} in · ${exact(t.output)} out` +
      (t.cache_read ? ` · ${exact(t.cache_read)} cache read` : '') + (t.reasoning ? ` · ${exact(t.reasoning)} reasoning` : '')],
    ['Cost', cost(sum.cost)],
    ['Time to first token', sum.ttft?.count
      ? `p50 ${duration(sum.ttft.p50_ms)} · p90 ${duration(sum.ttft.p90_ms)} · max ${duration(sum.ttft.max_ms)} (${plural(sum.ttft.count, 'call')})`
      : null],
  ]));
}

function classes(sum) {
  const max = Math.max(...sum.classes.map((c) => c.total_ms), 1);
  return card('Time by span class', sum.classes.length ? h('div', {class: 'class-bars'}, sum.classes.map((c) => {
    const total = h('span', {class: `class-bar c-${knownClass(c.class)}`});
    total.style.width = `${(c.total_ms / max) * 100}%`;
    const self = h('span', {class: 'class-bar-self'});
    self.style.width = `${(c.self_ms / Math.max(c.total_ms, 1e-9)) * 100}%`;
    total.append(self);
    return h('div', {class: 'class-row'},
      h('span', {class: 'class-name'}, h('span', {class: `dot c-${knownClass(c.class)}`}), `${c.class} ×${c.count}`),
      h('span', {class: 'class-track'}, total),
      h('span', {class: 'class-time', title: 'total (self)'}, `${duration(c.total_ms)} (${duration(c.self_ms)} self)`));
  })) : none('No spans.'));
}

function models(sum) {
  return card('Models', sum.models.length ? table(['Model', 'Provider', 'Calls', 'Input', 'Output', 'Cost'],
    sum.models.map((m) => [h('span', {class: 'mono'}, m.model), m.provider || '—', exact(m.calls),
      exact(m.tokens.input), exact(m.tokens.output), cost(m.cost)])) : none('No LLM calls.'));
}

function timings(trace, title, list, empty) {
  return card(title, list.length ? table(['Span', 'Duration', 'Self'],
    list.map((s) => [spanRef(trace, s.span_id), duration(s.duration_ms), duration(s.self_ms)])) : none(empty));
}

export class AnalysisTab {
  constructor(trace) {
    this.trace = trace;
    this.el = h('div', {class: 'analysis'}, notice('loading', 'Analysing the session…'));
    this.load();
  }

  update() {}

  async load() {
    const id = this.trace.traceId;
    let an;
    let sum;
    try {
      [an, sum] = await Promise.all([getJSON(`/api/sessions/${id}/analysis`), getJSON(`/api/sessions/${id}/summary`)]);
    } catch (e) {
      fill(this.el, errorNotice('the analysis', e));
      return;
    }
    const trace = this.trace;
    fill(this.el,
      card('Recommendations', an.recommendations.length
        ? h('ul', {class: 'advice'}, an.recommendations.map((r) =>
          h('li', null, chip(r.kind.replaceAll('_', ' '), 'chip-quiet'), ' ', r.text, r.span_ids?.length ? [' ', spanList(trace, r.span_ids)] : null)))
        : none('Nothing stands out: no loops, repeated calls, errors or dominant costs.')),
      h('div', {class: 'cards'},
        overview(sum),
        classes(sum),
        models(sum),
        card('Errors', an.errors.length ? table(['Error', 'Count', 'Spans'],
          an.errors.map((e) => [errorCell(e), exact(e.count), spanList(trace, e.span_ids)]))
          : none('No errors.')),
        timings(trace, 'Slowest spans', an.slowest, 'No spans.'),
        card('Critical path', an.critical_path.length
          ? h('ol', {class: 'path'}, an.critical_path.map((s) => h('li', null, spanRef(trace, s.span_id), ' ', h('span', {class: 'muted'}, duration(s.duration_ms)))))
          : none('No spans.')),
        card('Bottlenecks (self time)', an.bottlenecks.length ? table(['Component', 'Count', 'Self time', 'Share'],
          an.bottlenecks.map((b) => [h('span', {class: 'labelled'}, h('span', {class: `dot c-${knownClass(b.class)}`}), `${b.label} (${b.class})`),
            exact(b.count), duration(b.self_ms), h('span', null, meter(b.percent), ` ${b.percent.toFixed(0)}%`)]))
          : none('No spans.')),
        card('Repeated tool calls', an.repeated_tool_calls.length ? table(['Tool', 'Input', 'Count', 'Spans'],
          an.repeated_tool_calls.map((r) => [h('span', {class: 'mono'}, r.tool), h('span', {class: 'mono clip'}, r.input), exact(r.count), spanList(trace, r.span_ids)]))
          : none('No tool was called three times with the same input.')),
        card('Loops', an.loops.length ? table(['Pattern', 'Repeats', 'Same inputs', 'Spans'],
          an.loops.map((l) => [l.pattern.join(' → '), exact(l.repeats), l.same_inputs ? 'yes' : 'no', spanList(trace, l.span_ids)]))
          : none('No repeating sequence of calls.'))));
  }
}
