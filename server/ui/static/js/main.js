// main.js starts the dashboard: it draws the page the URL names, keeps
// in-app links inside the page (history.pushState), and asks for an API
// key when the server wants a token.

import {h, fill} from './dom.js';
import {onAuthRequired, signIn, signOut, hasToken} from './api.js';
import {setRouter, navigate, isOwnPage} from './nav.js';
import {onStatus} from './stream.js';
import {SessionList} from './list.js';
import {SessionPage} from './session.js';

const main = document.getElementById('main');
let page = null; // {kind, traceId, view}
let signInOpen = false; // the sign-in form is on screen

function show(kind, traceId, view) {
  signInOpen = false; // a new page asks again if it needs to
  page?.view.destroy();
  page = {kind, traceId, view};
  fill(main, view.el);
  window.scrollTo(0, 0);
}

// route draws the page for the current URL (the server serves this script
// at / and /sessions only), reusing the page on screen when only its view
// parameters changed.
function route() {
  const params = new URLSearchParams(location.search);
  const traceId = location.pathname === '/sessions' ? params.get('trace_id') : null;
  if (traceId) {
    if (page?.kind === 'session' && page.traceId === traceId) page.view.update(params);
    else show('session', traceId, new SessionPage(traceId, params));
  } else if (page?.kind === 'list') {
    page.view.update(params);
  } else {
    show('list', null, new SessionList(params));
  }
}

// reloadPage draws the current URL afresh, e.g. after signing in.
function reloadPage() {
  page?.view.destroy();
  page = null;
  route();
}

// Links to the dashboard's own pages change the URL without a page load;
// a click with a modifier (new tab, new window) is left to the browser.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (!isOwnPage(url)) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', route);

// askForKey shows the sign-in form: one field for the API key, traded
// for a token.
function askForKey(err) {
  if (signInOpen) return;
  signInOpen = true;
  page?.view.destroy();
  page = null;
  const input = h('input', {type: 'password', name: 'api_key', autocomplete: 'off', required: true,
    placeholder: '123e4567-e89b-12d3-a456-426614174000', 'aria-label': 'API key'});
  const message = h('div', {class: 'form-message', role: 'alert'});
  const button = h('button', {type: 'submit', class: 'button button-primary'}, 'Sign in');
  const form = h('form', {class: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    button.disabled = true;
    message.textContent = '';
    try {
      await signIn(input.value.trim());
    } catch (e2) {
      message.textContent = `Sign-in failed: ${e2.message}`;
      button.disabled = false;
      return;
    }
    updateSignOut();
    reloadPage();
  }},
  h('h1', null, 'Sign in'),
  h('p', null, 'This server was started with --api-key: enter one of its API keys to see its sessions. ',
    'The key is traded for a token, kept only while this tab is open.'),
  hasToken() ? h('p', {class: 'muted'}, `The saved token was refused (${err.message}).`) : null,
  h('label', null, 'API key', input), message, button);
  fill(main, form);
  input.focus();
}

const signOutButton = document.getElementById('signout');
function updateSignOut() {
  signOutButton.hidden = !hasToken();
}
signOutButton.addEventListener('click', () => {
  signOut();
  updateSignOut();
  reloadPage();
});

const live = document.getElementById('live');
onStatus((state) => {
  live.dataset.state = state;
  live.textContent = {live: 'live', connecting: 'connecting', reconnecting: 'reconnecting', 'signed-out': 'signed out', off: 'paused'}[state] || state;
});

onAuthRequired(askForKey);
setRouter(route);
updateSignOut();
route();
