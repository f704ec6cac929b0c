// nav.js is the dashboard's URL scheme. Every view is a URL, so links can
// be shared and reloaded, and moving between views is history.pushState:
// back and forward work.
//
//   /                                   the sessions list (filters in the query)
//   /sessions?trace_id={32 hex}         a session (the link the SDK prints)
//     &tab=spans|logs|files|analysis    its tab (spans by default)
//     &span={span id}&at={RFC 3339}     the selected span, a marked moment
//     &file={path}&line={n}             the open file and line

let router = () => {};

// setRouter sets what draws the page for the current URL.
export function setRouter(fn) {
  router = fn;
}

// navigate goes to href inside the dashboard.
export function navigate(href, {replace = false} = {}) {
  if (href === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  router();
}

// sessionHref is the URL of a session, with its view's parameters (null
// and '' left out).
export function sessionHref(traceId, params = {}) {
  const q = new URLSearchParams({trace_id: traceId});
  for (const [k, v] of Object.entries(params)) {
    if (v != null && v !== '') q.set(k, v);
  }
  return `/sessions?${q}`;
}

// isOwnPage reports whether url is a page of the dashboard, which
// navigate can show without loading.
export function isOwnPage(url) {
  return url.origin === location.origin && (url.pathname === '/' || url.pathname === '/sessions');
}
