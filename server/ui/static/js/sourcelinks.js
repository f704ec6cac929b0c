// sourcelinks.js turns the file:line references in telemetry text (Go
// stack traces, error messages, log lines) into links to the Files tab,
// when the session has that file.

import {h} from './dom.js';

// WORD splits text at whitespace, quotes, brackets and = (key=value); FILE_LINE finds a
// path with an extension followed by :line in a word. Matching word by
// word, on words of bounded length, keeps a huge value from making the
// search quadratic.
const WORD = /[^\s"'`()<>[\]{},;=]{3,512}/g;
const FILE_LINE = /([^:]*[^:/\\.]\.[A-Za-z][A-Za-z0-9]{0,9}):(\d{1,7})/;

// fileHref is the Files tab at a file and line.
function fileHref(trace, file, line) {
  return trace.href({tab: 'files', file: file.path, line: line || null});
}

// sourceLink is a link to path:line, or the plain text when the session
// has no such file.
export function sourceLink(trace, path, line) {
  const text = line ? `${path}:${line}` : path;
  const file = trace.findFile(path);
  if (!file) return h('span', {class: 'mono', title: "not among this session's files"}, text);
  return h('a', {class: 'source-link', href: fileHref(trace, file, line), title: `open ${file.path}`}, text);
}

// linkify renders text with its file:line references linked.
export function linkify(text, trace) {
  const frag = document.createDocumentFragment();
  if (!trace?.files.length) {
    frag.append(text);
    return frag;
  }
  let last = 0;
  for (const w of text.matchAll(WORD)) {
    const m = FILE_LINE.exec(w[0]);
    if (!m) continue;
    const file = trace.findFile(m[1]);
    if (!file) continue;
    const start = w.index + m.index;
    frag.append(text.slice(last, start),
      h('a', {class: 'source-link', href: fileHref(trace, file, Number(m[2])), title: `open ${file.path} at line ${m[2]}`}, m[0]));
    last = start + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}
