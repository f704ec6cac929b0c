// modules.js checks the dashboard's pure modules in the browser that
// runs them (the project has no JavaScript test runner): TestBrowser
// evaluates it on a page of the dashboard and expects an empty list of
// failures.
(async () => {
  const fails = [];
  const check = (ok, what) => {
    if (!ok) fails.push(what);
  };

  // The event stream parser, fed in awkward chunks: CRLF split between
  // chunks, a comment (heartbeat), multi-line data, an event without a
  // type, retry and id fields.
  const {SSEParser} = await import('/ui/js/stream.js');
  const got = [];
  const parser = new SSEParser((e) => got.push(e));
  for (const chunk of ['retry: 1500\r', '\n: ping\r\n\r\nid: 7\nevent: session.new\ndata: {"a":', '1}\n', 'data: {"b":2}\n\n', 'data: x\r\n\r\n', 'event: lost\n']) {
    parser.push(chunk);
  }
  check(JSON.stringify(got) === JSON.stringify([
    {id: '7', type: 'session.new', data: '{"a":1}\n{"b":2}'}, {id: '7', type: 'message', data: 'x'}]), `SSE events: ${JSON.stringify(got)}`);
  check(parser.retry === 1500, `SSE retry: ${parser.retry}`);

  // The highlighter keeps every character and tells the tokens apart.
  const {tokenize, toLines, languageOf} = await import('/ui/js/highlight.js');
  const src = 'package main\n/* block\ncomment */\nfunc f() string { return `raw\nstring` + "s\\"q" + \'r\' } // done\nvar x = 0x1F + 3.5e2 + len(y)';
  const toks = tokenize(src, languageOf('x.go'));
  check(toks.map((t) => t[1]).join('') === src, 'tokenize loses text');
  const kinds = Object.fromEntries(toks.filter((t) => t[0]).map((t) => [t[1], t[0]]));
  const want = {package: 'kw', func: 'kw', string: 'type', f: 'fn', '0x1F': 'num', '3.5e2': 'num', len: 'builtin', '// done': 'com'};
  for (const [text, kind] of Object.entries(want)) check(kinds[text] === kind, `Go token ${text}: ${kinds[text]}`);
  check(toks.some((t) => t[0] === 'com' && t[1] === '/* block\ncomment */'), 'block comment');
  check(toks.some((t) => t[0] === 'str' && t[1] === '`raw\nstring`'), 'raw string');
  check(toks.some((t) => t[0] === 'str' && t[1] === '"s\\"q"'), 'escaped quote');
  check(toLines(toks).length === src.split('\n').length, 'lines');
  check(tokenize('x = "open\ny = 1', languageOf('a.js')).some((t) => t[0] === 'num' && t[1] === '1'), 'an unterminated string ends with its line');
  check(tokenize('# note\nkey: "v" 12', languageOf('notes.txt')).filter((t) => t[0]).map((t) => t[0]).join() === 'com,str,num', 'generic rules');

  // Paths in stack traces find the session's files; file:line becomes a
  // link only for those.
  const {Trace} = await import('/ui/js/trace.js');
  const {linkify} = await import('/ui/js/sourcelinks.js');
  const trace = new Trace({trace_id: 'a'.repeat(32)}, [], [
    {id: '1', path: 'main.go'}, {id: '2', path: 'tools/notify.go'}, {id: '3', path: 'cmd/a/main.go'}]);
  check(trace.findFile('/home/x/tools/notify.go')?.id === '2', 'an absolute path');
  check(trace.findFile('/home/x/cmd/a/main.go')?.id === '3', 'the longest matching path');
  check(trace.findFile('notify.go')?.id === '2', 'a file name alone');
  check(trace.findFile('x/other.go') === null, 'no such file');
  const frag = linkify('at /src/tools/notify.go:27 +0x3c, C:\\w\\main.go:3, example.com:443, at=main.go:9, 10.0.0.7:80', trace);
  const links = [...frag.querySelectorAll('a')].map((a) => new URL(a.href).searchParams.get('file') + ':' + new URL(a.href).searchParams.get('line'));
  check(JSON.stringify(links) === JSON.stringify(['tools/notify.go:27', 'main.go:3', 'main.go:9']), `links: ${JSON.stringify(links)}`);

  // Long values are cut, with the rest a click away.
  const {capped} = await import('/ui/js/dom.js');
  const big = capped('x'.repeat(2500));
  check(big.textContent.length < 2100 && big.querySelector('button.show-all')?.textContent === 'show all (2,500 chars)', 'capped');
  big.querySelector('button').click();
  check(big.textContent === 'x'.repeat(2500), 'show all');

  // Durations and costs read well.
  const {duration, cost, parseTime} = await import('/ui/js/format.js');
  const durations = [0.0004, 0.25, 3.5, 42, 1500, 75000].map(duration);
  check(JSON.stringify(durations) === JSON.stringify(['1 µs', '250 µs', '3.5 ms', '42 ms', '1.50 s', '1m 15s']), `durations: ${durations}`);
  check(cost(0) === '—' && cost(0.0042) === '$0.0042' && cost(1.234) === '$1.23', 'cost');
  check(parseTime('2026-01-02T03:04:05.123456789Z') - parseTime('2026-01-02T03:04:05.123Z') > 0.45, 'sub-millisecond times');
  return fails;
})()
