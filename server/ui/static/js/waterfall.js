// waterfall.js draws a session's spans as a timeline: one row per span,
// indented by depth and collapsible, with a bar placed and sized against
// the session's time range, coloured by class, errors in red.

import {h} from './dom.js';
import {duration} from './format.js';
import {classOf, isError, spanTitle} from './trace.js';

// niceStep is the tick interval for a range: 1, 2 or 5 times a power of
// ten, giving about `ticks` ticks.
function niceStep(range, ticks) {
  const raw = range / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw);
}

// at places an element of the timeline at pos percent of its width. (The
// style property, not a style attribute: the CSP allows no inline styles.)
function at(el, pos) {
  el.style.left = `${pos}%`;
  return el;
}

export class Waterfall {
  // onSelect is called with the span id of a row the user picks.
  constructor(trace, onSelect) {
    this.trace = trace;
    this.onSelect = onSelect;
    this.range = Math.max(trace.t1 - trace.t0, 0.001);
    this.collapsed = new Set();
    this.selected = null;
    this.rowEls = trace.rows.map((row) => this.row(row));
    this.overlay = h('div', {class: 'wf-overlay', 'aria-hidden': 'true'}, this.gridLines());
    this.body = h('div', {class: 'wf-body', tabindex: '0', role: 'tree', 'aria-label': 'spans', onkeydown: (e) => this.key(e)},
      this.overlay, this.rowEls);
    this.el = h('div', {class: 'waterfall'},
      h('div', {class: 'wf-head'},
        h('div', {class: 'wf-head-label'}, `${trace.rows.length.toLocaleString('en')} spans`,
          h('button', {type: 'button', class: 'link-button', onclick: () => this.collapseAll(false)}, 'expand all'),
          h('button', {type: 'button', class: 'link-button', onclick: () => this.collapseAll(true)}, 'collapse all')),
        h('div', {class: 'wf-axis'}, this.ticks().map((t) => at(h('span', {class: 'wf-tick'}, t.label), t.pos)))),
      this.body);
  }

  pos(ms) {
    return Math.min(100, Math.max(0, ((ms - this.trace.t0) / this.range) * 100));
  }

  ticks() {
    const step = niceStep(this.range, 6);
    const out = [];
    for (let t = 0; t <= this.range + step * 1e-9; t += step) out.push({pos: (t / this.range) * 100, label: t ? duration(t) : '0'});
    return out;
  }

  gridLines() {
    return this.ticks().map((t) => at(h('div', {class: 'wf-gridline'}), t.pos));
  }

  row(row) {
    const span = row.span;
    const cls = classOf(span);
    const err = isError(span);
    const hasChildren = row.end > row.index + 1;
    const dur = row.stop - row.start;
    const left = this.pos(row.start);
    const width = Math.max(0, this.pos(row.stop) - left);
    const bar = h('div', {class: `wf-bar c-${cls}${err ? ' wf-bar-error' : ''}`, title: `${spanTitle(span)} · ${duration(dur)}`});
    at(bar, left);
    bar.style.width = `${width}%`;
    // The duration goes after the bar, or inside a long bar that reaches
    // the right edge, or else before it.
    const label = h('span', {class: 'wf-dur'}, duration(dur));
    if (left + width < 78) label.style.left = `calc(${left + width}% + 6px)`;
    else if (width > 14) {
      label.classList.add('wf-dur-inside');
      label.style.right = `calc(${100 - left - width}% + 6px)`;
    } else label.style.right = `calc(${100 - left}% + 6px)`;

    const name = h('div', {class: 'wf-label', title: span.name},
      hasChildren
        ? h('button', {type: 'button', class: 'twisty', 'aria-label': 'collapse', 'aria-expanded': 'true',
          onclick: (e) => {
            e.stopPropagation();
            this.toggle(row.index);
          }})
        : h('span', {class: 'twisty-space'}),
      h('span', {class: `dot c-${cls}`}),
      h('span', {class: 'wf-name'}, spanTitle(span)),
      cls !== 'other' && spanTitle(span) !== cls ? h('span', {class: 'wf-class'}, cls) : null,
      err ? h('span', {class: 'error-icon', title: span.status_message || 'error', 'aria-label': 'error'}, '!') : null);
    // The indent stops at 40% of the column, so a deep tree keeps its
    // names in view; aria-level still tells the depth.
    name.style.paddingLeft = `min(${8 + row.depth * 16}px, 40%)`;
    return h('div', {class: `wf-row${err ? ' wf-row-error' : ''}`, role: 'treeitem', 'aria-level': row.depth + 1,
      'aria-selected': 'false', dataset: {spanId: span.span_id},
      onclick: () => this.onSelect(span.span_id)},
    name, h('div', {class: 'wf-track'}, bar, label));
  }

  toggle(index, collapse = !this.collapsed.has(index)) {
    if (collapse) this.collapsed.add(index);
    else this.collapsed.delete(index);
    this.layout();
  }

  collapseAll(collapse) {
    this.collapsed.clear();
    if (collapse) {
      for (const row of this.trace.rows) if (row.end > row.index + 1 && row.depth > 0) this.collapsed.add(row.index);
    }
    this.layout();
  }

  // layout hides the rows under collapsed ones.
  layout() {
    const rows = this.trace.rows;
    for (let i = 0; i < rows.length;) {
      this.rowEls[i].hidden = false;
      const twisty = this.rowEls[i].querySelector('.twisty');
      const closed = this.collapsed.has(i);
      if (twisty) {
        twisty.setAttribute('aria-expanded', String(!closed));
        twisty.setAttribute('aria-label', closed ? 'expand' : 'collapse');
      }
      if (!closed) {
        i++;
        continue;
      }
      for (let j = i + 1; j < rows[i].end; j++) this.rowEls[j].hidden = true;
      i = rows[i].end;
    }
  }

  // select marks the span's row, opening its ancestors and scrolling it
  // into view.
  select(spanId) {
    const old = this.body.querySelector('.wf-row.selected');
    old?.classList.remove('selected');
    old?.setAttribute('aria-selected', 'false');
    this.selected = this.trace.byId.get(spanId) || null;
    if (!this.selected) return;
    let opened = false;
    for (const i of [...this.collapsed]) {
      const r = this.trace.rows[i];
      if (r.index < this.selected.index && this.selected.index < r.end) {
        this.collapsed.delete(i);
        opened = true;
      }
    }
    if (opened) this.layout();
    const el = this.rowEls[this.selected.index];
    el.classList.add('selected');
    el.setAttribute('aria-selected', 'true');
    el.scrollIntoView({block: 'nearest'});
  }

  // mark draws a vertical line at ms (null: none), e.g. a log line's time.
  mark(ms) {
    this.overlay.querySelector('.wf-marker')?.remove();
    if (ms == null || !Number.isFinite(ms)) return;
    this.overlay.append(at(h('div', {class: 'wf-marker'},
      h('span', {class: 'wf-marker-label'}, `+${duration(ms - this.trace.t0)}`)), this.pos(ms)));
  }

  // key moves the selection with the arrow keys: up and down between
  // visible rows, left and right to collapse and expand.
  key(e) {
    const visible = this.rowEls.filter((el) => !el.hidden);
    const cur = this.selected ? visible.indexOf(this.rowEls[this.selected.index]) : -1;
    let next = null;
    if (e.key === 'ArrowDown') next = visible[Math.min(cur + 1, visible.length - 1)];
    else if (e.key === 'ArrowUp') next = visible[Math.max(cur - 1, 0)];
    else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && this.selected && this.selected.end > this.selected.index + 1) {
      this.toggle(this.selected.index, e.key === 'ArrowLeft');
    } else return;
    e.preventDefault();
    if (next) this.onSelect(next.dataset.spanId);
  }
}
