import { createHash } from 'node:crypto';

/**
 * The operator console: one static page, no external assets. Its script and style are inline but allowed by
 * hash in a strict Content-Security-Policy (no 'unsafe-inline'), and every value from the API is written with
 * `textContent`, never as HTML, so a hostile user agent string cannot run script. The API key lives in
 * sessionStorage only (gone when the tab closes) and is sent as a Bearer header, never in a URL.
 */
const STYLE = `
body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.3rem}form{display:flex;gap:.5rem;margin:.75rem 0;flex-wrap:wrap}
input{padding:.35rem .5rem;min-width:18rem}button{padding:.35rem .8rem;cursor:pointer}
table{border-collapse:collapse;width:100%;margin-top:1rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .4rem;text-align:left;font-size:.85rem;vertical-align:top}
code{font-size:.8rem}#status{min-height:1.4rem;color:#8a1c1c}#status.ok{color:#1c5e1c}.muted{color:#666}
.danger{border:1px solid #b3261e;border-radius:4px;margin-top:2.5rem;padding:.25rem 1rem}.danger h2{font-size:1rem;color:#b3261e}
`;

const SCRIPT = `
'use strict';
const KEY = 'tessera-api-key';
const $ = (id) => document.getElementById(id);
function status(text, ok) { const s = $('status'); s.textContent = text; s.className = ok ? 'ok' : ''; }
function key() { return sessionStorage.getItem(KEY) || ''; }
function showKeyState() { $('key-state').textContent = key() ? 'API key set for this tab.' : 'No API key set.'; }
async function call(method, path, json) {
  if (!key()) throw new Error('Set the API key first.');
  const headers = { authorization: 'Bearer ' + key() };
  const init = { method, headers, cache: 'no-store' };
  if (json !== undefined) { headers['content-type'] = 'application/json'; init.body = JSON.stringify(json); }
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && body.error && (body.error.code + ': ' + body.error.message)) || ('HTTP ' + response.status));
  return body;
}
// The subject whose sessions are on screen. Revoke buttons act on it, never on whatever is typed in the box since.
let shown = null;
function subjectPath(subject) { return '/v1/subjects/' + encodeURIComponent(subject) + '/sessions'; }
function cell(row, text) { const td = document.createElement('td'); td.textContent = text == null ? '' : String(text); row.appendChild(td); return td; }
async function lookUp(subject) {
  // Clear first: rows left from an earlier subject must never sit under a lookup that failed.
  const rows = $('rows'); rows.replaceChildren(); $('count').textContent = ''; shown = null;
  if (!subject) { status('Enter a subject.'); return; }
  const body = await call('GET', subjectPath(subject));
  for (const s of body.sessions) {
    const row = document.createElement('tr');
    const id = document.createElement('code'); id.textContent = s.id; cell(row, '').appendChild(id);
    cell(row, s.createdAt); cell(row, s.lastSeenAt); cell(row, s.idleExpiresAt); cell(row, s.level);
    cell(row, s.ip); cell(row, s.userAgent);
    const button = document.createElement('button'); button.type = 'button'; button.textContent = 'Revoke';
    button.addEventListener('click', () => run(async () => {
      await call('DELETE', '/v1/sessions/' + encodeURIComponent(s.id));
      await lookUp(subject); status('Revoked session ' + s.id + '.', true);
    }));
    cell(row, '').appendChild(button);
    rows.appendChild(row);
  }
  shown = subject;
  $('count').textContent = body.sessions.length + ' live session(s) for ' + subject + '.';
  status('', true);
}
function run(action) { action().catch((error) => status(error.message)); }
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $('key').value.trim()); $('key').value = ''; showKeyState(); status('API key kept for this tab only.', true);
});
$('forget').addEventListener('click', () => { sessionStorage.removeItem(KEY); showKeyState(); status('API key forgotten.', true); });
$('subject-form').addEventListener('submit', (event) => { event.preventDefault(); run(() => lookUp($('subject').value.trim())); });
$('revoke-all').addEventListener('click', () => run(async () => {
  const subject = shown;
  if (!subject) { status('Look up a subject first.'); return; }
  if (!confirm('Revoke every session of ' + subject + '?')) return;
  const body = await call('DELETE', subjectPath(subject));
  await lookUp(subject); status('Revoked ' + body.revoked + ' session(s).', true);
}));
// Ending every session of every user needs the phrase typed out; the route checks the same phrase again.
const END_ALL = 'end every session';
$('end-all-form').addEventListener('submit', (event) => { event.preventDefault(); run(async () => {
  if ($('end-all-phrase').value !== END_ALL) { status('Type "' + END_ALL + '" exactly to confirm. Nothing was ended.'); return; }
  const body = await call('POST', '/v1/sessions/end-all', { confirm: END_ALL });
  $('end-all-phrase').value = '';
  $('rows').replaceChildren(); $('count').textContent = ''; shown = null;
  status('Ended ' + body.ended + ' session(s) of every user.', true);
}); });
showKeyState();
`;

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

export const ADMIN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tessera admin</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Tessera sessions</h1>
<form id="key-form" autocomplete="off">
<input id="key" type="password" placeholder="API key" aria-label="API key" autocomplete="off">
<button type="submit">Use key</button><button type="button" id="forget">Forget key</button>
<span id="key-state" class="muted"></span>
</form>
<form id="subject-form">
<input id="subject" placeholder="Subject (user id)" aria-label="Subject">
<button type="submit">Look up sessions</button><button type="button" id="revoke-all">Revoke all</button>
</form>
<p id="status" role="status"></p>
<p id="count" class="muted"></p>
<table><thead><tr><th>Id</th><th>Created</th><th>Last seen</th><th>Idle expiry</th><th>Level</th><th>IP</th><th>User agent</th><th></th></tr></thead>
<tbody id="rows"></tbody></table>
<section class="danger" aria-labelledby="danger-title">
<h2 id="danger-title">Danger zone</h2>
<p>End every session of every user at once, on every node of this store: everyone must log in again.</p>
<form id="end-all-form" autocomplete="off">
<input id="end-all-phrase" placeholder="Type: end every session" aria-label="Type end every session to confirm" autocomplete="off">
<button type="submit" id="end-all">End every session</button>
</form>
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** CSP for the page: nothing but its own hashed script and style, and fetches to this origin. */
export const ADMIN_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
