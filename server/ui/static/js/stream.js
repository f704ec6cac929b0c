// stream.js follows the server's live events (GET /api/events). It reads
// the stream with fetch rather than EventSource, which cannot send the
// Authorization header a server with --api-key needs, and so parses
// Server-Sent Events itself and reconnects with Last-Event-ID.

import {answerError, authHeaders, APIError} from './api.js';

// SSEParser turns the text of an event stream, in chunks of any size,
// into events, following the WHATWG parsing rules: fields id, event, data
// and retry; comment lines (heartbeats) ignored; an event dispatched on a
// blank line. (Exported for the browser test, testdata/modules.js.)
export class SSEParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buf = '';
    this.type = '';
    this.data = [];
    this.lastId = '';
    this.retry = null;
  }

  push(chunk) {
    this.buf += chunk;
    // A lone \r at the end may be the first half of \r\n: left for the
    // next chunk.
    const eol = /\r\n|\r(?!$)|\n/g;
    let start = 0;
    for (let m; (m = eol.exec(this.buf));) {
      this.line(this.buf.slice(start, m.index));
      start = eol.lastIndex;
    }
    this.buf = this.buf.slice(start);
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event': this.type = value; break;
      case 'data': this.data.push(value); break;
      case 'id': if (!value.includes('\0')) this.lastId = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
    }
  }

  dispatch() {
    if (this.data.length > 0) {
      this.onEvent({id: this.lastId, type: this.type || 'message', data: this.data.join('\n')});
    }
    this.type = '';
    this.data = [];
  }
}

const listeners = new Set();
const statusListeners = new Set();
let controller = null;
let lastId = '';
let state = 'off';

// subscribe calls fn with each event ({id, type, data} with data decoded)
// until the returned function is called. The connection is open while
// anyone listens.
export function subscribe(fn) {
  listeners.add(fn);
  if (!controller) {
    controller = new AbortController();
    run(controller.signal);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && controller) {
      controller.abort();
      controller = null;
      if (state !== 'signed-out') setState('off');
    }
  };
}

// onStatus calls fn with the connection's state: off, connecting, live,
// reconnecting or signed-out.
export function onStatus(fn) {
  statusListeners.add(fn);
  fn(state);
}

function setState(s) {
  state = s;
  for (const fn of statusListeners) fn(s);
}

function deliver(ev) {
  let data;
  try {
    data = JSON.parse(ev.data);
  } catch (e) {
    return; // every event of this server carries JSON; anything else is not ours
  }
  for (const fn of listeners) fn({id: ev.id, type: ev.type, data});
}

async function run(signal) {
  let retry = 2000;
  for (let failures = 0; !signal.aborted;) {
    setState(failures === 0 ? 'connecting' : 'reconnecting');
    try {
      const headers = {Accept: 'text/event-stream', ...authHeaders()};
      if (lastId) headers['Last-Event-ID'] = lastId;
      const resp = await fetch('/api/events', {headers, signal, cache: 'no-store'});
      if (resp.status === 401) {
        // The pages' own calls ask for a key; the next subscriber after
        // the sign-in starts a new stream, with the token.
        setState('signed-out');
        if (controller?.signal === signal) controller = null;
        return;
      }
      if (!resp.ok) throw await answerError(resp);
      setState('live');
      failures = 0;
      const parser = new SSEParser((ev) => {
        lastId = ev.id;
        deliver(ev);
      });
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        parser.push(value);
        if (parser.retry != null) retry = parser.retry;
      }
    } catch (e) {
      if (signal.aborted) return;
      if (!(e instanceof APIError) && !(e instanceof TypeError)) console.warn('agentops: event stream:', e);
    }
    failures++;
    // Back off after repeated failures, up to 30 s, so a stopped server is
    // not hammered.
    await sleep(Math.min(retry * 2 ** Math.min(failures - 1, 4), 30000), signal);
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, {once: true});
  });
}
