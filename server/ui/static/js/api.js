// api.js talks to the server's REST API. On a server started with
// --api-key every /api/ call needs a bearer token: the dashboard trades an
// API key for one at /v3/auth/token and keeps it in sessionStorage, so it
// lasts as long as the tab and is never written to disk.

const TOKEN_KEY = 'agentops.token';

// APIError is a failed call. status is 0 when the server could not be
// reached; message is fit to show as it is.
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let authRequired = () => {};

// onAuthRequired sets what happens when the server asks for a token (401).
export function onAuthRequired(fn) {
  authRequired = fn;
}

export function hasToken() {
  return sessionStorage.getItem(TOKEN_KEY) != null;
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

// authHeaders are the headers that carry the token, if there is one.
export function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? {Authorization: `Bearer ${token}`} : {};
}

// answerError reads a failed response into an APIError whose message says
// what the server said: "the server answered 500: internal error".
export async function answerError(resp) {
  let detail = '';
  try {
    const text = await resp.text();
    try {
      detail = JSON.parse(text).error || text;
    } catch (e) {
      detail = text;
    }
  } catch (e) {
    // the body could not be read: the status alone must do
  }
  detail = String(detail).trim().slice(0, 500);
  return new APIError(resp.status, `the server answered ${resp.status}${detail ? `: ${detail}` : ''}`);
}

// request sends a GET for path (with query params) and returns the
// response when it is a success; it throws an APIError otherwise, after
// calling the auth handler on a 401.
async function request(path, params) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v != null && v !== '') url.searchParams.set(k, v);
  }
  let resp;
  try {
    resp = await fetch(url, {headers: {Accept: 'application/json', ...authHeaders()}, cache: 'no-store'});
  } catch (e) {
    throw new APIError(0, `could not reach the server (${e.message})`);
  }
  if (resp.ok) return resp;
  const err = await answerError(resp);
  if (resp.status === 401) authRequired(err);
  throw err;
}

// getJSON is request, decoded.
export async function getJSON(path, params) {
  const resp = await request(path, params);
  try {
    return await resp.json();
  } catch (e) {
    throw new APIError(resp.status, `the server's answer is not JSON (${e.message})`);
  }
}

// signIn trades an API key for a token and keeps it.
export async function signIn(apiKey) {
  let resp;
  try {
    resp = await fetch('/v3/auth/token', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({api_key: apiKey}),
    });
  } catch (e) {
    throw new APIError(0, `could not reach the server (${e.message})`);
  }
  if (!resp.ok) throw await answerError(resp);
  const body = await resp.json();
  if (typeof body.token !== 'string' || !body.token) throw new APIError(resp.status, 'the server answered without a token');
  sessionStorage.setItem(TOKEN_KEY, body.token);
}

// download saves what path answers as a file named name: a plain link
// could not send the token.
export async function download(path, name) {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
