// files.js is the Files tab: the session's source files as a tree, and the
// chosen file's code with line numbers and highlighting, the linked line
// marked and scrolled into view.

import {h, fill, notice, errorNotice} from './dom.js';
import {getJSON} from './api.js';
import {bytes} from './format.js';
import {navigate} from './nav.js';
import {languageOf, tokenize, toLines} from './highlight.js';

// buildTree nests files by folder: {dirs: Map<name, node>, files: [file]}.
function buildTree(files) {
  const root = {dirs: new Map(), files: []};
  for (const f of files) {
    const parts = f.path.split('/');
    let node = root;
    for (const dir of parts.slice(0, -1)) {
      if (!node.dirs.has(dir)) node.dirs.set(dir, {dirs: new Map(), files: []});
      node = node.dirs.get(dir);
    }
    node.files.push(f);
  }
  return root;
}

// preferred is the file to show when none is asked for: main.go near the
// top, else the first Go file, else the first file.
function preferred(files) {
  const byDepth = [...files].sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path));
  return byDepth.find((f) => f.path.endsWith('main.go')) || byDepth.find((f) => f.path.endsWith('.go')) || byDepth[0] || null;
}

export class FilesTab {
  constructor(trace) {
    this.trace = trace;
    this.texts = new Map(); // file id -> Promise of its content
    this.shown = null; // {file, lineEls}
    this.links = new Map(); // path -> tree link
    this.treeEl = h('nav', {class: 'file-tree', 'aria-label': 'files'});
    this.codeEl = h('div', {class: 'code-pane'});
    if (trace.files.length === 0) {
      this.el = notice('empty', 'No source files were uploaded with this session. The Go SDK sends the program\'s ',
        'source when a session ends (WithSourceCapture, AGENTOPS_CAPTURE_SOURCES).');
      return;
    }
    this.renderTree(buildTree(trace.files), this.treeEl);
    this.el = h('div', {class: 'files-layout'}, this.treeEl, this.codeEl);
  }

  renderTree(node, parent) {
    const dirs = [...node.dirs.keys()].sort();
    for (let name of dirs) {
      let child = node.dirs.get(name);
      // A chain of folders with nothing else in them reads as one path.
      while (child.files.length === 0 && child.dirs.size === 1) {
        const [sub, next] = [...child.dirs][0];
        name += `/${sub}`;
        child = next;
      }
      const list = h('div', {class: 'tree-children'});
      parent.append(h('details', {class: 'tree-dir', open: true}, h('summary', null, name), list));
      this.renderTree(child, list);
    }
    for (const f of [...node.files].sort((a, b) => a.path.localeCompare(b.path))) {
      const a = h('a', {class: 'tree-file', href: this.trace.href({tab: 'files', file: f.path}), title: f.path},
        f.path.split('/').pop());
      this.links.set(f.path, a);
      parent.append(a);
    }
  }

  update(params) {
    if (this.trace.files.length === 0) return;
    const asked = params.get('file');
    const line = Number(params.get('line')) || 0;
    const file = asked ? this.trace.findFile(asked) : preferred(this.trace.files);
    if (!file) {
      fill(this.codeEl, notice('error', `This session has no file ${asked}.`));
      return;
    }
    for (const a of this.treeEl.querySelectorAll('.tree-file.active')) a.classList.remove('active');
    const link = this.links.get(file.path);
    link.classList.add('active');
    for (let d = link.parentElement.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
    if (this.shown?.file === file) {
      this.mark(line);
      return;
    }
    this.show(file, line);
  }

  async show(file, line) {
    this.shown = {file, lineEls: []};
    fill(this.codeEl, notice('loading', `Loading ${file.path}…`));
    if (!this.texts.has(file.id)) {
      this.texts.set(file.id, getJSON(`/api/files/${encodeURIComponent(file.id)}`).then((f) => f.content ?? ''));
    }
    let text;
    try {
      text = await this.texts.get(file.id);
    } catch (e) {
      this.texts.delete(file.id);
      if (this.shown.file === file) fill(this.codeEl, errorNotice(file.path, e));
      return;
    }
    if (this.shown.file !== file) return; // another file was chosen meanwhile
    this.shown.lineEls = toLines(tokenize(text, languageOf(file.path))).map((tokens, i) =>
      h('div', {class: 'code-line'},
        h('span', {class: 'ln', dataset: {line: i + 1}}, i + 1),
        h('span', {class: 'lc'}, tokens.map(([kind, t]) => (kind ? h('span', {class: `tok-${kind}`}, t) : t)))));
    const code = h('div', {class: 'code', onclick: (e) => this.clickLine(e)}, this.shown.lineEls);
    fill(this.codeEl,
      h('div', {class: 'code-head'},
        h('span', {class: 'code-path mono'}, file.path),
        h('span', {class: 'muted'}, `${this.shown.lineEls.length.toLocaleString('en')} lines · ${bytes(file.size)}`),
        h('span', {class: 'muted mono', title: `sha256 ${file.sha256}`}, (file.sha256 || '').slice(0, 12))),
      h('div', {class: 'code-scroll'}, code));
    this.mark(line);
  }

  // mark highlights line n (0: none) and scrolls the code, not the page,
  // to put it in the middle.
  mark(n) {
    this.codeEl.querySelector('.code-line.hl')?.classList.remove('hl');
    const el = this.shown.lineEls[n - 1];
    if (!el) return;
    el.classList.add('hl');
    const scroller = this.codeEl.querySelector('.code-scroll');
    scroller.scrollTop = el.offsetTop - (scroller.clientHeight - el.offsetHeight) / 2;
  }

  clickLine(e) {
    const ln = e.target.closest('.ln');
    if (!ln) return;
    navigate(this.trace.href({tab: 'files', file: this.shown.file.path, line: ln.dataset.line}), {replace: true});
  }
}
