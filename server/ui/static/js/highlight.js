// highlight.js is a small syntax highlighter: a tokenizer that knows Go
// well and other languages by their comments, strings, numbers and
// keywords, which is what makes code readable at a glance. It never
// fails: anything it does not recognise is plain text.

const words = (s) => new Set(s.split(' '));

const GO = {
  line: ['//'], block: [['/*', '*/']], quotes: ['"', "'"], raw: ['`'],
  keywords: words('break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var'),
  types: words('any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr'),
  constants: words('true false nil iota'),
  builtins: words('append cap clear close complex copy delete imag len make max min new panic print println real recover'),
};

const C_LIKE = {
  line: ['//'], block: [['/*', '*/']], quotes: ['"', "'"], raw: ['`'],
  keywords: words('as async await break case catch class const continue def default delete do else enum export extends finally fn for from function if impl import in instanceof interface let match mod new package private protected pub public return static struct switch this throw trait try type typeof use var void where while with yield'),
  types: words('bool boolean char double float int long number object short string u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 usize isize void'),
  constants: words('true false null undefined nil None True False NaN Infinity self'),
  builtins: new Set(),
};

const HASH = {
  line: ['#'], block: [], quotes: ['"', "'"], raw: [],
  keywords: words('if then else elif fi for while do done case esac function return in export local set unset source echo exit'),
  types: new Set(),
  constants: words('true false null yes no on off'),
  builtins: new Set(),
};

const PYTHON = {
  line: ['#'], block: [], quotes: ['"""', "'''", '"', "'"], raw: [],
  keywords: words('and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case'),
  types: words('int float str bytes bool list dict set tuple object'),
  constants: words('True False None self'),
  builtins: words('print len range open isinstance super'),
};

// GENERIC is the fallback for any other text: both comment styles.
const GENERIC = {...C_LIKE, line: ['//', '#']};

const BY_EXT = {
  go: GO, mod: GO, work: GO,
  js: C_LIKE, mjs: C_LIKE, ts: C_LIKE, tsx: C_LIKE, jsx: C_LIKE, java: C_LIKE, c: C_LIKE, h: C_LIKE,
  cc: C_LIKE, cpp: C_LIKE, rs: C_LIKE, cs: C_LIKE, kt: C_LIKE, swift: C_LIKE, proto: C_LIKE, json: C_LIKE, css: C_LIKE,
  py: PYTHON,
  sh: HASH, bash: HASH, yaml: HASH, yml: HASH, toml: HASH, env: HASH, ini: HASH, dockerfile: HASH, mk: HASH,
};

// languageOf picks the rules for a file by its name.
export function languageOf(path) {
  const base = path.split('/').pop().toLowerCase();
  if (base === 'dockerfile' || base === 'makefile') return HASH;
  if (base === 'go.sum') return null; // hashes: nothing to highlight, and large
  const ext = base.includes('.') ? base.split('.').pop() : '';
  return BY_EXT[ext] || GENERIC;
}

const IDENT = /[A-Za-z_$][\w$]*/y;
const NUMBER = /(?:0[xX][\da-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)i?/y;

// tokenize splits text into [kind, text] pairs; kind is '' (plain), 'kw',
// 'type', 'const', 'builtin', 'fn', 'str', 'num' or 'com'. Joining the
// texts gives back text exactly.
export function tokenize(text, lang) {
  const out = [];
  if (!lang) return [['', text]];
  let plainStart = 0;
  const emit = (kind, start, end) => {
    if (plainStart < start) out.push(['', text.slice(plainStart, start)]);
    out.push([kind, text.slice(start, end)]);
    plainStart = end;
  };
  const n = text.length;
  let i = 0;
  scan: while (i < n) {
    const c = text[i];
    for (const [open, close] of lang.block) {
      if (text.startsWith(open, i)) {
        const end = text.indexOf(close, i + open.length);
        const stop = end < 0 ? n : end + close.length;
        emit('com', i, stop);
        i = stop;
        continue scan;
      }
    }
    for (const open of lang.line) {
      if (text.startsWith(open, i)) {
        const end = text.indexOf('\n', i);
        const stop = end < 0 ? n : end;
        emit('com', i, stop);
        i = stop;
        continue scan;
      }
    }
    for (const q of lang.raw) {
      if (text.startsWith(q, i)) {
        const end = text.indexOf(q, i + q.length);
        const stop = end < 0 ? n : end + q.length;
        emit('str', i, stop);
        i = stop;
        continue scan;
      }
    }
    for (const q of lang.quotes) {
      if (text.startsWith(q, i)) {
        const stop = quoted(text, i, q);
        emit('str', i, stop);
        i = stop;
        continue scan;
      }
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] || ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      emit('num', i, i + m[0].length);
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      IDENT.lastIndex = i;
      const word = IDENT.exec(text)[0];
      const end = i + word.length;
      const kind = lang.keywords.has(word) ? 'kw' : lang.types.has(word) ? 'type'
        : lang.constants.has(word) ? 'const' : lang.builtins.has(word) ? 'builtin'
          : text[end] === '(' ? 'fn' : '';
      if (kind) emit(kind, i, end);
      i = end;
      continue;
    }
    i++;
  }
  if (plainStart < n) out.push(['', text.slice(plainStart)]);
  return out;
}

// quoted returns the end of the string that opens with q at i: past the
// closing quote, or the end of the line for an unterminated one-line
// string (a triple quote may span lines).
function quoted(text, i, q) {
  const multiline = q.length === 3;
  for (let j = i + q.length; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '\n' && !multiline) return j;
    else if (text.startsWith(q, j)) return j + q.length;
  }
  return text.length;
}

// toLines splits tokens at line breaks: one array of tokens per line.
export function toLines(tokens) {
  const lines = [[]];
  for (const [kind, text] of tokens) {
    const parts = text.split('\n');
    parts.forEach((part, k) => {
      if (k > 0) lines.push([]);
      if (part) lines[lines.length - 1].push([kind, part]);
    });
  }
  return lines;
}
