// spanpanel.js shows everything about one span: what it did (the chat of
// an LLM call, a tool's arguments and result), its timing and status, and
// every attribute, event and link, with file:line references linked to
// the source.

import {h, capped, json, textBlock, section, kv, chip, statusPill} from './dom.js';
import {duration, absTime, cost, exact, parseTime} from './format.js';
import {chatView} from './chat.js';
import {linkify, sourceLink} from './sourcelinks.js';
import {sessionHref} from './nav.js';
import {classOf, isError, spanTitle} from './trace.js';

// CODE_KEYS are the attribute pairs that name a source location: the
// current OTel names, then the older ones.
const CODE_KEYS = [['code.file.path', 'code.line.number'], ['code.filepath', 'code.lineno']];

// linked is text, capped, with its file:line references linked.
function linked(text, trace) {
  return capped(text, (t) => linkify(t, trace));
}

// stack is a multi-line text (a stack trace, an error with one) as a
// block.
function stack(text, trace) {
  return h('pre', {class: 'code-block stack'}, linked(text, trace));
}

// value renders an attribute value: text with file:line links, numbers
// and booleans as they are, anything else (arrays, maps) as JSON.
function value(v, trace) {
  if (typeof v === 'string') return h('span', {class: 'attr-text'}, linked(v, trace));
  if (typeof v === 'number' || typeof v === 'boolean') return h('span', {class: 'mono'}, String(v));
  return json(v);
}

// attrTable is a table of attributes, sorted by key.
function attrTable(attrs, trace) {
  const keys = Object.keys(attrs || {}).sort();
  if (keys.length === 0) return h('div', {class: 'muted'}, 'none');
  return h('table', {class: 'attrs'}, h('tbody', null, keys.map((k) =>
    h('tr', null, h('th', {scope: 'row', class: 'mono'}, k), h('td', null, value(attrs[k], trace))))));
}

function sourceOf(span, trace) {
  const attrs = span.attributes || {};
  for (const [fileKey, lineKey] of CODE_KEYS) {
    if (typeof attrs[fileKey] === 'string' && attrs[fileKey]) {
      return sourceLink(trace, attrs[fileKey], Number(attrs[lineKey]) || 0);
    }
  }
  return null;
}

// statusOf is the status code and its message; a message of several
// lines (an error with its stack) is a block.
function statusOf(span, trace) {
  const code = span.status_code || 'unset';
  const msg = span.status_message || '';
  return h('div', null, statusPill(isError(span) ? 'error' : code === 'ok' ? 'success' : 'unset', code),
    msg.includes('\n') ? stack(msg, trace) : msg ? h('span', {class: 'status-message'}, ' ', linked(msg, trace)) : null);
}

function overview(span, row, trace) {
  const start = parseTime(span.start);
  return kv([
    ['Status', statusOf(span, trace)],
    ['Duration', duration(row.stop - row.start)],
    ['Start', h('span', {title: span.start}, `${absTime(start)} (+${duration(start - trace.t0)})`)],
    ['Source', sourceOf(span, trace)],
    ['Kind', span.kind],
    ['Service', span.service],
    ['Scope', span.scope],
    ['Span ID', h('span', {class: 'mono'}, span.span_id)],
    ['Parent', span.parent_span_id ? spanRef(trace, span.parent_span_id) : null],
  ]);
}

// spanRef is a link that selects a span of this trace.
export function spanRef(trace, id) {
  const row = trace.byId.get(id);
  const text = row ? spanTitle(row.span) : id;
  return h('a', {class: 'span-ref', href: trace.href({tab: 'spans', span: id})},
    row ? h('span', {class: `dot c-${classOf(row.span)}`}) : null, text);
}

function llmSection(d) {
  const tokens = [
    ['Input', d.input_tokens], ['Output', d.output_tokens], ['Cache read', d.cache_read_tokens],
    ['Cache creation', d.cache_creation_tokens], ['Reasoning', d.reasoning_tokens],
  ];
  return kv([
    ['Model', d.model ? h('span', {class: 'mono'}, d.model) : null],
    ['Provider', d.provider],
    ['Operation', d.operation],
    ['Tokens', h('div', {class: 'token-grid'}, tokens.map(([k, n]) =>
      h('div', {class: n ? '' : 'muted'}, h('span', {class: 'token-label'}, k), h('span', {class: 'token-value'}, n ? exact(n) : '—'))))],
    ['Cost', d.cost ? `${cost(d.cost)}${d.cost_source === 'table' ? ' (price table)' : ''}` : null],
    ['Time to first token', d.ttft ? duration(d.ttft * 1000) : null],
  ]);
}

function event(ev, trace) {
  const attrs = {...(ev.attributes || {})};
  const stacktrace = attrs['exception.stacktrace'];
  if (typeof stacktrace === 'string') delete attrs['exception.stacktrace']; // shown below, as a block
  const exception = ev.name === 'exception';
  return h('div', {class: `event${exception ? ' event-exception' : ''}`},
    h('div', {class: 'event-head'},
      exception ? h('span', {class: 'error-icon', 'aria-label': 'error'}, '!') : null,
      h('span', {class: 'event-name'}, ev.name || '(unnamed)'),
      h('span', {class: 'muted'}, `+${duration(parseTime(ev.time) - trace.t0)}`)),
    Object.keys(attrs).length ? attrTable(attrs, trace) : null,
    typeof stacktrace === 'string' ? stack(stacktrace, trace) : null);
}

function link(l, trace) {
  const here = l.trace_id === trace.traceId;
  return h('div', {class: 'link-row'},
    here ? spanRef(trace, l.span_id) : h('a', {href: sessionHref(l.trace_id, {tab: 'spans', span: l.span_id}), class: 'mono'}, `${l.trace_id} / ${l.span_id}`),
    l.attributes && Object.keys(l.attributes).length ? attrTable(l.attributes, trace) : null);
}

// spanPanel renders the span of row.
export function spanPanel(trace, row, onClose) {
  const span = row.span;
  const d = span.derived || {};
  const cls = classOf(span);
  // What the span did comes first, then when and how it ended, then
  // everything it carries.
  const parts = [];
  if (cls === 'llm' || cls === 'embedding') {
    parts.push(section('Conversation', true, d.messages?.length ? chatView(d.messages) : h('div', {class: 'muted'},
      'No messages recorded (content capture may be off).')));
    parts.push(section('Model', true, llmSection(d)));
  } else if (d.input || d.output) {
    const tool = cls === 'tool';
    parts.push(section(tool ? 'Tool call' : 'Input and output', true, kv([
      ['Tool', tool ? h('span', {class: 'mono'}, d.tool || spanTitle(span)) : null],
      [tool ? 'Arguments' : 'Input', d.input ? textBlock(d.input, (t) => linkify(t, trace)) : null],
      [tool ? 'Result' : 'Output', d.output ? textBlock(d.output, (t) => linkify(t, trace)) : null],
    ])));
  }
  parts.push(section('Overview', true, overview(span, row, trace)));
  const events = span.events || [];
  if (events.length) parts.push(section(`Events (${events.length})`, true, events.map((ev) => event(ev, trace))));
  parts.push(section(`Attributes (${Object.keys(span.attributes || {}).length})`, true, attrTable(span.attributes, trace)));
  parts.push(section('Resource', false, attrTable(span.resource, trace)));
  if (span.links?.length) parts.push(section(`Links (${span.links.length})`, true, span.links.map((l) => link(l, trace))));

  return h('aside', {class: 'span-panel', 'aria-label': 'span details'},
    h('div', {class: 'panel-head'},
      h('span', {class: `class-badge c-${cls}`}, cls),
      h('h2', {class: 'panel-title', title: span.name}, spanTitle(span)),
      isError(span) ? chip('error', 'chip-error') : null,
      h('button', {type: 'button', class: 'icon-button', title: 'Close', 'aria-label': 'Close', onclick: onClose}, '×')),
    span.name !== spanTitle(span) ? h('div', {class: 'panel-sub mono'}, span.name) : null,
    parts);
}
