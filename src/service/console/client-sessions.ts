/**
 * Client script, part 3 of 4: session search with pagination and sorting, the session detail, and revoking
 * one session or all of a subject's, each behind the confirmation dialog. A revoke acts on the session or
 * subject on screen, never on whatever was typed in the search box since.
 */
export const CLIENT_SESSIONS = `
// The search on screen: pages are a stack of cursors, so Previous needs no cursor of its own from the API.
const search = { q: '', by: 'auto', sort: '-lastSeenAt', cursors: [null], next: null, shownBy: null, total: null, ran: false };
const BY_LABEL = { subject: 'subject', id: 'session id', ip: 'IP address', all: 'every live session' };

async function runSearch(fresh) {
  if (fresh) {
    const q = $('q').value.trim();
    if (TOKEN_SHAPE.test(q)) {
      status('That looks like a token: search by its session id (the 26 characters after "ts1."). Nothing was sent.', 'error');
      return;
    }
    const by = $('by').value;
    if (!state.browsable && (by === 'ip' || q === '')) {
      status('This store does not offer browsing: enter an exact subject or session id.', 'error');
      return;
    }
    Object.assign(search, { q, by, sort: $('sort').value, cursors: [null] });
  }
  const rows = $('rows');
  // Clear first: rows from an earlier search must never sit under a search that failed.
  rows.replaceChildren(); $('results').hidden = true; $('pager').hidden = true; $('subject-actions').hidden = true;
  $('search-summary').textContent = ''; search.shownBy = null;
  const cursor = search.cursors[search.cursors.length - 1];
  try {
    const body = await call('GET', '/v1/admin/sessions' + query({ q: search.q, by: search.by, sort: search.sort, cursor, limit: 20 }));
    renderResults(body);
  } finally { bump(rows); }
}
function renderResults(body) {
  const rows = $('rows');
  search.next = body.next; search.shownBy = body.by; search.total = body.total; search.ran = true;
  for (const s of body.sessions) rows.appendChild(sessionRow(s));
  $('results').hidden = body.sessions.length === 0;
  const pageNo = search.cursors.length;
  const what = body.by === 'all' ? BY_LABEL.all : BY_LABEL[body.by] + ' "' + search.q + '"';
  const count = body.total === null ? plural(body.sessions.length, 'session', 'sessions') + ' on this page' : plural(body.total, 'live session', 'live sessions');
  $('search-summary').textContent = count + ' for ' + what + '.';
  $('pager').hidden = pageNo === 1 && body.next === null;
  $('prev').disabled = pageNo === 1; $('next').disabled = body.next === null;
  $('page-no').textContent = 'Page ' + pageNo;
  const subjectShown = body.by === 'subject' && body.total !== null && body.total > 0;
  $('subject-actions').hidden = !subjectShown;
  if (subjectShown) $('revoke-subject').textContent = 'Revoke all ' + plural(body.total, 'session', 'sessions') + ' of ' + search.q;
  status('', '');
}
function sessionRow(s) {
  const row = document.createElement('tr'); row.dataset.id = s.id;
  const open = el('button', s.id, 'link id'); open.type = 'button';
  open.addEventListener('click', () => run(() => openDetail(s.id)));
  cell(row, 'Session', open);
  cell(row, 'Subject', s.subject);
  const client = el('span', s.agent.label); client.title = s.userAgent || '';
  cell(row, 'Client', client);
  cell(row, 'IP', s.ip === null ? '–' : s.ip);
  cell(row, 'Last seen', timeNode(s.lastSeenAt));
  cell(row, 'Created', timeNode(s.createdAt));
  cell(row, 'Ends', timeNode(s.expiresAt));
  cell(row, 'Level', s.level);
  const revoke = el('button', 'Revoke', 'revoke'); revoke.type = 'button';
  revoke.addEventListener('click', () => run(() => revokeOne(s.id, s.subject)));
  cell(row, '', revoke);
  return row;
}
async function revokeOne(id, subject) {
  const yes = await confirmAction('Revoke session ' + id + ' of ' + subject + '?', 'Its token stops working at once, on every node. This cannot be undone.', 'Revoke session');
  if (!yes) { status('Nothing was revoked.', ''); return; }
  await call('DELETE', '/v1/sessions/' + encodeURIComponent(id));
  if (state.screen === 'detail') show('sessions');
  if (search.ran) await runSearch(false);
  status('Revoked session ' + id + '.', 'ok');
}
async function revokeSubject() {
  // The subject listed, not the search box: it may have been edited since.
  if (search.shownBy !== 'subject') return;
  const subject = search.q;
  const yes = await confirmAction('Revoke every session of ' + subject + '?', 'All ' + plural(search.total, 'live session', 'live sessions') + ' end at once; they must sign in again.', 'Revoke all');
  if (!yes) { status('Nothing was revoked.', ''); return; }
  const body = await call('DELETE', '/v1/subjects/' + encodeURIComponent(subject) + '/sessions');
  search.cursors = [null];
  await runSearch(false);
  status('Revoked ' + plural(body.revoked, 'session', 'sessions') + ' of ' + subject + '.', 'ok');
}

// Detail: every field of one session, its data and size, and its recent events.
let detailShown = null;
function field(list, name, value) {
  list.appendChild(el('dt', name));
  const dd = el('dd'); if (value instanceof Node) dd.appendChild(value); else dd.textContent = value == null ? '–' : String(value);
  list.appendChild(dd);
}
async function openDetail(id) {
  const body = await call('GET', '/v1/admin/sessions/' + encodeURIComponent(id));
  const s = body.session; detailShown = s;
  $('d-id').textContent = s.id;
  const list = $('d-fields'); list.replaceChildren();
  field(list, 'Subject', s.subject);
  field(list, 'Level', s.level);
  field(list, 'Level reached', timeNode(s.levelAt));
  field(list, 'Created', timeNode(s.createdAt));
  field(list, 'Last seen', timeNode(s.lastSeenAt));
  field(list, 'Last rotated', timeNode(s.rotatedAt));
  field(list, 'Idle expiry', timeNode(s.idleExpiresAt));
  field(list, 'Absolute expiry', timeNode(s.absoluteExpiresAt));
  const ends = el('span'); ends.append(timeNode(s.expiresAt), ' — ' + (s.expiresBy === 'idle' ? 'idle limit, unless used again' : 'absolute limit'));
  field(list, 'Ends', ends);
  field(list, 'IP address', s.ip);
  field(list, 'Client', s.agent.label + ' (' + s.agent.device + ')');
  field(list, 'User agent', s.userAgent);
  field(list, 'Data version', s.version);
  bump(list);
  $('d-bytes').textContent = '(' + plural(s.dataBytes, 'byte', 'bytes') + ' of JSON)';
  // Keys only: the values may be what the application keeps secret, and the API never sends them.
  $('d-keys').replaceChildren(...s.dataKeys.map((name) => { const item = el('li'); item.appendChild(el('code', name)); return item; }));
  $('d-keys-empty').hidden = s.dataKeys.length > 0;
  // The events load after the screen shows: clear the last session's, and say (aria-busy) while they load.
  const feed = $('d-events'); feed.replaceChildren(); feed.setAttribute('aria-busy', 'true');
  $('d-events-empty').hidden = true;
  show('detail');
  try {
    const events = await call('GET', '/v1/admin/events' + query({ session: s.id, limit: 20 }));
    if (detailShown !== s) return;
    feed.replaceChildren(...events.events.map((event) => eventItem(event, false)));
    $('d-events-empty').hidden = events.events.length > 0;
  } finally {
    if (detailShown === s) feed.setAttribute('aria-busy', 'false');
  }
}
$('search-form').addEventListener('submit', (event) => { event.preventDefault(); run(() => runSearch(true)); });
$('next').addEventListener('click', () => run(async () => { if (search.next === null) return; search.cursors.push(search.next); await runSearch(false); }));
$('prev').addEventListener('click', () => run(async () => { if (search.cursors.length < 2) return; search.cursors.pop(); await runSearch(false); }));
$('revoke-subject').addEventListener('click', () => run(revokeSubject));
$('detail-back').addEventListener('click', () => show('sessions'));
$('d-revoke').addEventListener('click', () => run(() => detailShown ? revokeOne(detailShown.id, detailShown.subject) : Promise.resolve()));
$('d-subject').addEventListener('click', () => run(async () => {
  if (!detailShown) return;
  $('q').value = detailShown.subject; $('by').value = 'subject';
  show('sessions'); await runSearch(true);
}));
`;
