// trace.js holds what the session page knows of one session: its roll-up,
// its spans (as the tree /spans serves and as a flat list in display
// order), its time range and its source files. The tabs share one Trace.

import {parseTime, known} from './format.js';
import {sessionHref} from './nav.js';

// CLASSES are the span classes normalize derives, each with its colour in
// app.css (.c-<class>); anything else is drawn as "other".
const CLASSES = new Set(['session', 'agent', 'llm', 'embedding', 'tool', 'task', 'workflow', 'retrieval',
  'guardrail', 'chain', 'operation', 'http', 'db']);

// knownClass is c when app.css has a colour for it, else "other".
export function knownClass(c) {
  return CLASSES.has(c) ? c : 'other';
}

export function classOf(span) {
  return knownClass(span?.derived?.class);
}

export function isError(span) {
  return span.status_code === 'error' || Boolean(span.derived?.error);
}

// spanTitle is what a span is called on screen: its label (the model,
// tool or agent), else its name.
export function spanTitle(span) {
  return span.derived?.label || span.name || span.span_id;
}

// sessionOf is a session as the event stream sends it, with the lists the
// REST API never leaves null made lists here too.
export function sessionOf(data) {
  return {...data, tags: data.tags || [], models: data.models || []};
}

export class Trace {
  constructor(session, roots, files) {
    this.session = session;
    this.traceId = session.trace_id;
    this.files = files;
    // rows are the spans depth first, each with its depth and the index
    // past its last descendant (end), so a collapsed row hides rows
    // [i+1, end).
    // The walk keeps its own stack: a forged trace can nest deeper than
    // the JavaScript call stack.
    this.rows = [];
    this.byId = new Map();
    const stack = [...roots].reverse().map((node) => ({node, depth: 0, parent: null}));
    while (stack.length) {
      const {node, depth, parent} = stack.pop();
      const row = {span: node, depth, parent, index: this.rows.length, start: parseTime(node.start), stop: parseTime(node.end)};
      row.end = row.index + 1;
      this.rows.push(row);
      if (!this.byId.has(node.span_id)) this.byId.set(node.span_id, row);
      const children = node.children || [];
      for (let i = children.length - 1; i >= 0; i--) stack.push({node: children[i], depth: depth + 1, parent: row});
    }
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const {parent, end} = this.rows[i];
      if (parent) parent.end = Math.max(parent.end, end);
    }

    let t0 = Infinity;
    let t1 = -Infinity;
    for (const r of this.rows) {
      if (known(r.start)) t0 = Math.min(t0, r.start);
      if (known(r.stop)) t1 = Math.max(t1, r.stop);
    }
    this.t0 = Number.isFinite(t0) ? t0 : parseTime(session.start);
    this.t1 = Math.max(Number.isFinite(t1) ? t1 : parseTime(session.end), this.t0);
    this.fileCache = new Map();
  }

  // href is the URL of a view of this session.
  href(params) {
    return sessionHref(this.traceId, params);
  }

  // spanAt is the innermost span running at ms, else the one that starts
  // nearest to it.
  spanAt(ms) {
    let best = null;
    for (const row of this.rows) {
      if (row.start <= ms && ms <= row.stop && (!best || row.depth >= best.depth)) best = row;
    }
    if (best) return best;
    for (const row of this.rows) {
      if (!best || Math.abs(row.start - ms) < Math.abs(best.start - ms)) best = row;
    }
    return best;
  }

  // findFile is the session's file a path names: the same path, the file
  // the path ends with (an absolute path in a stack trace ends with the
  // module-relative path the SDK uploaded; the longest match wins), or the
  // one file whose path ends with it. null when there is none.
  findFile(path) {
    if (this.fileCache.has(path)) return this.fileCache.get(path);
    const p = path.replaceAll('\\', '/').replace(/^\.\//, '');
    let found = this.files.find((f) => f.path === p) || null;
    if (!found) {
      for (const f of this.files) {
        if (p.endsWith(`/${f.path}`) && (!found || f.path.length > found.path.length)) found = f;
      }
    }
    if (!found) {
      const tails = this.files.filter((f) => f.path.endsWith(`/${p}`));
      if (tails.length === 1) found = tails[0];
    }
    this.fileCache.set(path, found);
    return found;
  }
}
