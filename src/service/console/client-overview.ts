/** Client script, part 2 of 4: the overview (GET /v1/admin/overview, every 10 s) and the security feed. */
export const CLIENT_OVERVIEW = `
function rate(value) { return value === null ? '–' : String(value); }
function renderOverview(body) {
  $('ov-live').textContent = body.sessions.live === null ? 'n/a' : String(body.sessions.live);
  $('ov-live-sub').textContent = body.sessions.live === null
    ? (body.sessions.countable ? 'store not answering' : 'this store cannot count sessions') : 'right now';
  const pairs = [['ov-logins', 'logins'], ['ov-refusals', 'refusals'], ['ov-security', 'securityEvents'], ['ov-revocations', 'revocations']];
  for (const [id, key] of pairs) {
    $(id).textContent = rate(body.rates[key]);
    $(id + '-total').textContent = body.totals[key] + ' since start';
  }
  const store = body.store;
  // Redis keeps no cross-subject order: say so where the search is, instead of failing a search later.
  state.browsable = body.sessions.countable;
  $('browse-note').hidden = state.browsable;
  $('browse-note').textContent = state.browsable ? '' : 'The ' + store.kind + ' store does not offer browsing across subjects: '
    + 'listing every session and searching by IP address are not available. Search by an exact subject or session id.';
  $('ov-store').textContent = store.ok ? 'OK' : 'DOWN';
  $('ov-store-sub').textContent = store.kind + ' · ping ' + store.latencyMs.toFixed(2) + ' ms';
  $('tile-store').className = 'tile ' + (store.ok ? 'good' : 'bad');
  $('ov-version').textContent = body.version;
  $('ov-audit').textContent = body.audit.source === 'file' ? 'audit trail: file' : 'audit trail: memory only';
  $('ov-window').textContent = body.rates.windowSeconds === null
    ? 'Per-minute rates appear from the next refresh on (they compare two readings of the counters).'
    : 'Per-minute rates over the last ' + body.rates.windowSeconds + ' s; totals since the service started (' + body.totals.requests + ' requests).';
  const codes = $('ov-codes'); codes.replaceChildren();
  const entries = Object.entries(body.refusalsByCode).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) { const row = document.createElement('tr'); cell(row, 'Code', 'none yet'); cell(row, 'Count', ''); codes.appendChild(row); }
  for (const [code, count] of entries) { const row = document.createElement('tr'); cell(row, 'Code', el('code', code)); cell(row, 'Count', count); codes.appendChild(row); }
  const asOf = $('ov-asof'); asOf.replaceChildren('As of ', timeNode(body.now)); bump(asOf);
}
async function loadOverview() { renderOverview(await call('GET', '/v1/admin/overview')); }

// The feed: audit records newest first. Types in three groups, alarms and revocations shown by default.
const TYPES = [
  ['unknown-token', 'Unknown token', 'alarm', true], ['csrf-rejected', 'CSRF refused', 'alarm', true],
  ['binding-mismatch', 'Binding mismatch', 'alarm', true], ['refresh-reuse', 'Refresh reuse', 'alarm', true],
  ['revoked-everyone', 'Everyone signed out', 'alarm', true], ['audit-dropped', 'Audit records lost', 'alarm', true],
  ['revoked', 'Revoked', 'warn', true], ['session-limit', 'Session limit', 'warn', true], ['expired', 'Expired', 'warn', false],
  ['created', 'Login', 'info', false], ['rotated', 'Rotated', 'info', false], ['elevated', 'Elevated', 'info', false],
  ['renewed', 'Renewed', 'info', false], ['data-updated', 'Data updated', 'info', false], ['audit-recovered', 'Audit trail recovered', 'info', false],
];
const TYPE_INFO = Object.fromEntries(TYPES.map(([type, label, level]) => [type, { label, level }]));
// gen: a poll answered after the filters changed is dropped, not mixed into the new list.
const feed = { latest: null, next: null, subject: '', gen: 0 };
for (const [type, label, , on] of TYPES) {
  const box = document.createElement('input'); box.type = 'checkbox'; box.value = type; box.checked = on; box.id = 'type-' + type;
  const wrap = el('label'); wrap.htmlFor = box.id; wrap.append(box, label);
  $('feed-types').appendChild(wrap);
  box.addEventListener('change', () => run(loadFeed));
}
function chosenTypes() { return Array.from(document.querySelectorAll('#feed-types input:checked'), (box) => box.value); }
function eventItem(event, withSession) {
  const info = TYPE_INFO[event.type] || { label: event.type, level: 'info' };
  const item = el('li', null, info.level); item.dataset.type = event.type; item.dataset.seq = String(event.seq);
  item.appendChild(el('span', info.label, 'badge'));
  item.appendChild(timeNode(event.time));
  const who = event.subject !== null ? event.subject : (event.subjectHmac !== null ? 'subject #' + event.subjectHmac.slice(0, 10) : null);
  if (who !== null) item.appendChild(el('span', who, 'subject'));
  if (event.sessionId !== null && withSession) {
    const open = el('button', event.sessionId, 'link id'); open.type = 'button';
    open.addEventListener('click', () => run(() => openDetail(event.sessionId)));
    item.appendChild(open);
  }
  if (event.reason !== null) item.appendChild(el('span', event.reason, 'muted small reason'));
  if (event.detail !== null) {
    const parts = Object.entries(event.detail).map(([name, value]) => name + '=' + value);
    if (parts.length > 0) item.appendChild(el('span', parts.join(' '), 'muted small'));
  }
  return item;
}
function feedQuery(extra) {
  const types = chosenTypes();
  return query(Object.assign({ type: types.join(','), subject: feed.subject, limit: 50 }, extra));
}
function describeSource(body) {
  $('feed-source').textContent = body.source === 'file'
    ? 'From the audit trail file.'
    : 'From memory since ' + DATE.format(Date.parse(body.since)) + ' (no audit trail file: TESSERA_AUDIT_FILE is off).';
}
async function loadFeed() {
  const list = $('feed-list');
  const gen = ++feed.gen;
  if (chosenTypes().length === 0) { list.replaceChildren(); $('feed-empty').hidden = false; $('feed-older').hidden = true; bump(list); return; }
  const body = await call('GET', '/v1/admin/events' + feedQuery({}));
  if (gen !== feed.gen) return;
  describeSource(body);
  list.replaceChildren(...body.events.map((event) => eventItem(event, true)));
  feed.latest = body.latest; feed.next = body.next;
  $('feed-older').hidden = body.next === null; $('feed-empty').hidden = body.events.length > 0;
  bump(list);
}
async function pollFeed() {
  if (feed.latest === null) return loadFeed();
  if (chosenTypes().length === 0) return;
  const gen = feed.gen;
  const body = await call('GET', '/v1/admin/events' + feedQuery({ after: feed.latest }));
  if (gen !== feed.gen) return;
  // More new records than a page: start again from the newest rather than leave a gap.
  if (body.next !== null) return loadFeed();
  if (body.latest !== null) feed.latest = body.latest;
  if (body.events.length === 0) return;
  const list = $('feed-list');
  list.prepend(...body.events.map((event) => eventItem(event, true)));
  $('feed-empty').hidden = true; bump(list);
}
async function olderFeed() {
  if (feed.next === null) return;
  const gen = feed.gen;
  const body = await call('GET', '/v1/admin/events' + feedQuery({ before: feed.next }));
  if (gen !== feed.gen) return;
  $('feed-list').append(...body.events.map((event) => eventItem(event, true)));
  feed.next = body.next; $('feed-older').hidden = body.next === null; bump($('feed-list'));
}
$('feed-filter').addEventListener('submit', (event) => { event.preventDefault(); feed.subject = $('feed-subject').value.trim(); run(loadFeed); });
$('feed-older').addEventListener('click', () => run(olderFeed));
$('ov-refresh').addEventListener('click', () => run(loadOverview));
`;
