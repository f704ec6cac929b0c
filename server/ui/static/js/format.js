// format.js turns numbers and times into short, readable text.

const compact = new Intl.NumberFormat('en', {notation: 'compact', maximumFractionDigits: 1});
const whole = new Intl.NumberFormat('en');

// parseTime reads an RFC 3339 time into milliseconds since the epoch,
// keeping the sub-millisecond digits Date.parse drops: spans are often
// shorter than a millisecond.
export function parseTime(iso) {
  if (!iso) return NaN;
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(iso);
  if (!m) return Date.parse(iso);
  const base = Date.parse(m[1] + m[3]);
  return m[2] ? base + Number(`0.${m[2]}`) * 1000 : base;
}

// known reports whether a time is set: the zero time of Go is year 1.
export function known(ms) {
  return Number.isFinite(ms) && ms > 0;
}

// duration formats milliseconds: 850 µs, 12.5 ms, 340 ms, 2.41 s, 3m 12s.
export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${Math.max(1, Math.round(ms * 1000))} µs`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min}m ${Math.floor(s % 60)}s`;
  return `${Math.floor(min / 60)}h ${min % 60}m`;
}

// count formats a count compactly: 950, 12.3K, 4.1M.
export function count(n) {
  return Number.isFinite(n) ? compact.format(n) : '—';
}

// exact formats a count with separators: 12,345.
export function exact(n) {
  return Number.isFinite(n) ? whole.format(n) : '—';
}

// cost formats US dollars with the digits a small cost needs.
export function cost(usd) {
  if (!usd) return '—';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(usd < 100 ? 2 : 0)}`;
}

// bytes formats a size: 812 B, 14.2 KB, 3.1 MB.
export function bytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

// absTime is the local date and time of ms, to the second.
export function absTime(ms) {
  if (!known(ms)) return '—';
  return new Date(ms).toLocaleString('en-GB', {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

// relTime is how long ago ms was: "just now", "5 min ago", "3 h ago", or a
// date past a week.
export function relTime(ms, now = Date.now()) {
  if (!known(ms)) return '—';
  const s = (now - ms) / 1000;
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86400) return `${Math.round(s / 86400)} d ago`;
  return new Date(ms).toLocaleDateString('en-GB', {year: 'numeric', month: 'short', day: 'numeric'});
}

// plural is "1 span", "3 spans".
export function plural(n, word) {
  return `${exact(n)} ${word}${n === 1 ? '' : 's'}`;
}
