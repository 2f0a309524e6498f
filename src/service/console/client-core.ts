/**
 * Client script, part 1 of 4: the API key, calls to the API, times, and the DOM helpers every screen uses.
 * Every value from the API is written with `textContent` (never as HTML), so a hostile user agent or subject
 * cannot run script; the key lives in sessionStorage only and travels in the Authorization header only.
 */
export const CLIENT_CORE = `
const KEY = 'tessera-api-key';
const $ = (id) => document.getElementById(id);
const state = { screen: 'key', skew: 0, overviewTimer: 0, feedTimer: 0, browsable: true };
// A token must never be put in a URL (the service refuses one there too): catch it before it is sent.
const TOKEN_SHAPE = /ts1(?:\\.|%2E)[A-Za-z0-9_-]{26}|rt1(?:\\.|%2E)[A-Za-z0-9_-]{22}|eyJ[A-Za-z0-9_-]{8,}(?:\\.|%2E)eyJ[A-Za-z0-9_-]{8,}/i;

function status(text, kind) { const s = $('status'); s.textContent = text; s.className = kind || ''; }
function storedKey() { return sessionStorage.getItem(KEY) || ''; }

class ApiError extends Error {
  constructor(status, code, message) { super(code ? code + ': ' + message : message); this.status = status; this.code = code; }
}

/** One API call. A 401 with the key in use means the key changed under us: forget it and ask again. */
async function call(method, path, json, keyOverride) {
  const key = keyOverride || storedKey();
  if (!key) throw new ApiError(0, '', 'Connect with the API key first.');
  const headers = { authorization: 'Bearer ' + key };
  const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
  if (json !== undefined) { headers['content-type'] = 'application/json'; init.body = JSON.stringify(json); }
  let response;
  try { response = await fetch(path, init); } catch { throw new ApiError(0, '', 'The service did not answer. Is it running?'); }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body && body.error;
    const failure = new ApiError(response.status, error ? error.code : '', error ? error.message : 'HTTP ' + response.status);
    if (response.status === 401 && error && error.code === 'api_key_invalid' && !keyOverride) signOut('The API key was refused; connect again.');
    throw failure;
  }
  if (body && typeof body.now === 'string') state.skew = Date.parse(body.now) - Date.now();
  return body;
}
function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? '?' + text : '';
}
function run(action) { return action().catch((error) => status(error.message, 'error')); }

// Times: local, readable, with a relative part measured against the service's clock (its "now").
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
function serverNow() { return Date.now() + state.skew; }
function relative(ms) {
  const seconds = Math.round((ms - serverNow()) / 1000);
  const size = Math.abs(seconds);
  if (size < 45) return RELATIVE.format(seconds, 'second');
  if (size < 45 * 60) return RELATIVE.format(Math.round(seconds / 60), 'minute');
  if (size < 22 * 3600) return RELATIVE.format(Math.round(seconds / 3600), 'hour');
  return RELATIVE.format(Math.round(seconds / 86400), 'day');
}
function timeNode(iso) {
  const node = document.createElement('time');
  if (!iso) { node.textContent = '–'; return node; }
  const ms = Date.parse(iso);
  node.dateTime = iso; node.title = iso;
  node.textContent = DATE.format(ms) + ' (' + relative(ms) + ')';
  return node;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}
function cell(row, label, content) {
  const td = document.createElement('td'); td.setAttribute('data-label', label);
  if (content instanceof Node) td.appendChild(content); else td.textContent = content == null ? '' : String(content);
  row.appendChild(td); return td;
}
function bump(node) { node.dataset.gen = String(Number(node.dataset.gen || '0') + 1); }
function plural(count, one, many) { return count + ' ' + (count === 1 ? one : many); }

/** The confirmation step of every destructive action: resolves true only on the confirm button. */
function confirmAction(text, detail, okLabel) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text; $('confirm-detail').textContent = detail || ''; $('confirm-ok').textContent = okLabel;
  return new Promise((resolve) => {
    const done = (answer) => { cleanup(); if (dialog.open) dialog.close(); resolve(answer); };
    const ok = () => done(true); const cancel = () => done(false); const closed = () => done(false);
    function cleanup() { $('confirm-ok').removeEventListener('click', ok); $('confirm-cancel').removeEventListener('click', cancel); dialog.removeEventListener('close', closed); }
    $('confirm-ok').addEventListener('click', ok); $('confirm-cancel').addEventListener('click', cancel); dialog.addEventListener('close', closed);
    dialog.showModal(); $('confirm-cancel').focus();
  });
}

// Screens: one visible at a time; the nav shows where we are. The key screen until a key was checked.
const SCREENS = ['key', 'overview', 'feed', 'sessions', 'detail', 'danger'];
function show(screen) {
  state.screen = screen;
  for (const name of SCREENS) $('screen-' + name).hidden = name !== screen;
  const navScreen = screen === 'detail' ? 'sessions' : screen;
  for (const button of document.querySelectorAll('#nav button')) {
    if (button.dataset.screen === navScreen) button.setAttribute('aria-current', 'page'); else button.removeAttribute('aria-current');
  }
  clearInterval(state.overviewTimer); clearInterval(state.feedTimer);
  if (screen === 'overview') state.overviewTimer = setInterval(() => run(loadOverview), 10000);
  if (screen === 'feed') state.feedTimer = setInterval(() => { if ($('feed-live').checked) run(pollFeed); }, 3000);
}
function connected(on) {
  $('nav').hidden = !on; $('forget').hidden = !on;
  $('key-state').textContent = on ? 'Connected' : 'Not connected';
}
function signOut(message) {
  sessionStorage.removeItem(KEY); connected(false); show('key');
  $('key-error').textContent = message || '';
}

/** Checks a key against an authenticated endpoint before keeping it. */
async function connect(key) {
  $('key-error').textContent = '';
  if (!key) { $('key-error').textContent = 'Enter the API key.'; return; }
  if (TOKEN_SHAPE.test(key)) { $('key-error').textContent = 'That is a session token, not the API key.'; return; }
  let overview;
  try { overview = await call('GET', '/v1/admin/overview', undefined, key); }
  catch (error) {
    $('key-error').textContent = error.status === 401
      ? 'That API key was refused (' + (error.code || 'HTTP 401') + '). Check the key file or TESSERA_API_KEY; nothing was saved.'
      : error.message;
    return;
  }
  sessionStorage.setItem(KEY, key);
  connected(true); status('Connected. The key is kept for this tab only.', 'ok');
  show('overview'); renderOverview(overview);
}
`;
