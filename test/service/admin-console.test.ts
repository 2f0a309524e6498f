import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ROOT } from './child.js';
import { madeUpToken, startService, type TestService } from './helpers.js';
import { unbrowsableStore } from '../support/unbrowsable-store.js';

/** The console API's answers, as far as these tests read them (the OpenAPI hook checks the whole shape). */
interface Overview {
  version: string;
  store: { kind: string; ok: boolean; latencyMs: number };
  sessions: { live: number | null; countable: boolean };
  rates: Record<'windowSeconds' | 'logins' | 'refusals' | 'securityEvents' | 'revocations', number | null>;
  totals: Record<'logins' | 'refusals' | 'securityEvents' | 'revocations' | 'requests', number>;
  refusalsByCode: Record<string, number>;
}
interface FeedEvent {
  seq: number;
  type: string;
  sessionId: string | null;
  subject: string | null;
  subjectHmac: string | null;
}
interface Feed {
  source: 'file' | 'memory';
  events: FeedEvent[];
  next: number | null;
  latest: number | null;
}
interface Row {
  id: string;
  subject: string;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  agent: { label: string; device: string };
}
interface SearchPage {
  by: string;
  sessions: Row[];
  next: string | null;
  total: number | null;
}

async function getJson<T>(api: TestService, path: string): Promise<T> {
  const response = await api.call('GET', path);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  return JSON.parse(response.text) as T;
}

async function login(
  api: TestService,
  subject: string,
  extra: Record<string, unknown> = {},
): Promise<{ token: string; id: string }> {
  const created = await api.call('POST', '/v1/sessions', { subject, ...extra });
  assert.equal(created.status, 201, created.text);
  return { token: created.body.token as string, id: created.body.session?.id as string };
}

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('service: the console API', () => {
  let api: TestService;
  before(async () => {
    api = await startService({}, { store: 'sqlite' });
  });
  after(() => api?.close());

  it('every console route needs the API key', async () => {
    for (const path of [
      '/v1/admin/overview',
      '/v1/admin/events',
      '/v1/admin/sessions',
      `/v1/admin/sessions/${'A'.repeat(26)}`,
    ]) {
      const refused = await api.call('GET', path, undefined, { key: 'wrong-key-0123456789abcdefghijklmnop' });
      assert.equal(refused.status, 401, path);
      assert.equal(refused.body.error?.code, 'api_key_invalid');
      assert.equal((await api.call('GET', path, undefined, { key: null })).status, 401, path);
    }
  });

  it('overview: store health, live count, version, and per-minute rates from the metrics', async () => {
    const version = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
    const first = await getJson<Overview>(api, '/v1/admin/overview');
    assert.equal(first.version, version);
    assert.equal(first.store.kind, 'sqlite');
    assert.equal(first.store.ok, true);
    assert.ok(first.store.latencyMs >= 0);
    assert.equal(first.sessions.countable, true);
    const liveBefore = first.sessions.live as number;
    assert.equal(first.rates.windowSeconds, null, 'no rate before a second reading');

    const subject = 'overview-user';
    for (let i = 0; i < 3; i++) await login(api, subject);
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token: madeUpToken() })).status, 401);
    api.clock.advance(60_000);
    const second = await getJson<Overview>(api, '/v1/admin/overview');
    assert.equal(second.sessions.live, liveBefore + 3);
    assert.equal(second.rates.windowSeconds, 60);
    assert.equal(second.rates.logins, 3, 'three logins in one minute');
    assert.ok((second.rates.securityEvents as number) >= 1, 'the unknown token is a security event');
    assert.ok((second.rates.refusals as number) >= 1);
    assert.equal(second.totals.logins - first.totals.logins, 3);
    assert.ok((second.refusalsByCode.token_invalid ?? 0) >= 1);
    assert.ok(second.totals.requests > first.totals.requests);
  });

  it('events: the audit trail newest first, filtered by type, subject and session, paged, polled', async () => {
    const subject = 'feed-user';
    const one = await login(api, subject);
    const two = await login(api, subject);
    await login(api, 'feed-other');
    assert.equal((await api.call('POST', '/v1/sessions/validate', { token: madeUpToken() })).status, 401);
    assert.equal((await api.call('DELETE', `/v1/sessions/${one.id}`)).status, 204);
    await api.service.audit?.flush();

    const all = await getJson<Feed>(api, '/v1/admin/events?limit=200');
    assert.equal(all.source, 'file');
    const seqs = all.events.map((event) => event.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
      'newest first',
    );
    assert.equal(all.latest, seqs[0]);

    const security = await getJson<Feed>(api, '/v1/admin/events?type=unknown-token,revoked');
    assert.ok(security.events.length >= 2);
    assert.ok(security.events.every((event) => ['unknown-token', 'revoked'].includes(event.type)));
    assert.equal(security.events.find((event) => event.type === 'revoked')?.sessionId, one.id);

    const mine = await getJson<Feed>(api, `/v1/admin/events?subject=${subject}`);
    assert.deepEqual(
      mine.events.map((event) => event.type),
      ['revoked', 'created', 'created'],
    );
    assert.ok(mine.events.every((event) => event.subject === subject));
    const ofTwo = await getJson<Feed>(api, `/v1/admin/events?session=${two.id}`);
    assert.deepEqual(
      ofTwo.events.map((event) => [event.type, event.sessionId]),
      [['created', two.id]],
    );

    // Pages of two, following `next`, add up to the whole feed; nothing twice.
    const paged: number[] = [];
    let before: number | null = null;
    for (let i = 0; i < 100; i++) {
      const page: Feed = await getJson<Feed>(
        api,
        `/v1/admin/events?limit=2${before === null ? '' : `&before=${before}`}`,
      );
      paged.push(...page.events.map((event) => event.seq));
      if (page.next === null) break;
      before = page.next;
    }
    assert.deepEqual(paged, seqs);

    // Polling: only what is newer than `latest`.
    await login(api, 'feed-late');
    await api.service.audit?.flush();
    const polled = await getJson<Feed>(api, `/v1/admin/events?after=${all.latest}`);
    assert.deepEqual(
      polled.events.map((event) => [event.type, event.subject]),
      [['created', 'feed-late']],
    );
    const text = JSON.stringify(all);
    assert.ok(!text.includes(one.token) && !text.includes(two.token), 'no token in the feed');
    assert.ok(!/ts1\./.test(text));
  });

  it('events: unknown types, parameters and malformed session ids are 400', async () => {
    for (const path of [
      '/v1/admin/events?type=nope',
      '/v1/admin/events?limit=0',
      '/v1/admin/events?limit=201',
      '/v1/admin/events?session=short',
      '/v1/admin/events?colour=red',
      '/v1/admin/events?type=revoked&type=created',
    ]) {
      const refused = await api.call('GET', path);
      assert.equal(refused.status, 400, path);
      assert.equal(refused.body.error?.code, 'invalid_request', path);
    }
  });

  it('sessions: search by subject, id and IP, every session, sorted, paged by cursor', async () => {
    const subject = 'search-user';
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      api.clock.advance(1000);
      made.push((await login(api, subject, { ip: '198.51.100.20', userAgent: i % 2 ? IPHONE : FIREFOX })).id);
    }
    api.clock.advance(1000);
    const other = await login(api, 'search-other', { ip: '198.51.100.21' });

    const bySubject = await getJson<SearchPage>(api, `/v1/admin/sessions?q=${subject}&sort=createdAt`);
    assert.equal(bySubject.by, 'subject');
    assert.equal(bySubject.total, 5);
    assert.deepEqual(
      bySubject.sessions.map((row) => row.id),
      made,
    );
    assert.equal(bySubject.sessions[0]?.agent.label, 'Firefox 128 on Windows 10/11');
    assert.equal(bySubject.sessions[1]?.agent.label, 'Safari 17 on iOS 17');
    assert.equal(bySubject.sessions[1]?.agent.device, 'mobile');

    const newestFirst = await getJson<SearchPage>(api, `/v1/admin/sessions?q=${subject}&sort=-createdAt`);
    assert.deepEqual(
      newestFirst.sessions.map((row) => row.id),
      [...made].reverse(),
    );

    // Pages of two through the cursor: 2 + 2 + 1, in order, nothing twice.
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: SearchPage = await getJson<SearchPage>(
        api,
        `/v1/admin/sessions?by=subject&q=${subject}&sort=createdAt&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      ids.push(...page.sessions.map((row) => row.id));
      cursor = page.next;
      pages += 1;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.deepEqual(ids, made);

    const byId = await getJson<SearchPage>(api, `/v1/admin/sessions?q=${other.id}`);
    assert.equal(byId.by, 'id');
    assert.deepEqual(
      byId.sessions.map((row) => row.subject),
      ['search-other'],
    );
    const byIp = await getJson<SearchPage>(api, '/v1/admin/sessions?q=198.51.100.21');
    assert.equal(byIp.by, 'ip');
    assert.deepEqual(
      byIp.sessions.map((row) => row.id),
      [other.id],
    );
    const everything = await getJson<SearchPage>(api, '/v1/admin/sessions?limit=100&sort=-lastSeenAt');
    assert.equal(everything.by, 'all');
    assert.equal(everything.total, everything.sessions.length);
    assert.equal(everything.sessions[0]?.id, other.id, 'the newest first');
    const stamps = everything.sessions.map((row) => Date.parse(row.lastSeenAt));
    assert.deepEqual(
      stamps,
      [...stamps].sort((a, b) => b - a),
    );
    assert.ok(!/ts1\./.test(JSON.stringify(everything)), 'never a token');
  });

  it('sessions: bad cursors, sorts and queries are 400; a token in the query is refused before it is read', async () => {
    for (const path of [
      '/v1/admin/sessions?cursor=nope',
      '/v1/admin/sessions?sort=subject',
      '/v1/admin/sessions?by=id&q=short',
      '/v1/admin/sessions?by=subject',
      '/v1/admin/sessions?limit=101',
      `/v1/admin/sessions?q=${encodeURIComponent(madeUpToken())}`,
    ]) {
      const refused = await api.call('GET', path);
      assert.equal(refused.status, 400, path);
      assert.equal(refused.body.error?.code, 'invalid_request', path);
    }
  });

  it('session detail: metadata, expiries, parsed agent, data keys and size, never the data values', async () => {
    const { id, token } = await login(api, 'detail-user', {
      userAgent: FIREFOX,
      ip: '203.0.113.5',
      data: { cart: 3, providerToken: 'very-secret-value' },
      level: 2,
    });
    const detail = await getJson<{ session: Record<string, unknown> }>(api, `/v1/admin/sessions/${id}`);
    const session = detail.session;
    assert.equal(session.id, id);
    assert.equal(session.subject, 'detail-user');
    assert.equal(session.level, 2);
    assert.equal(session.ip, '203.0.113.5');
    assert.deepEqual(session.dataKeys, ['cart', 'providerToken']);
    assert.equal(
      session.dataBytes,
      Buffer.byteLength(JSON.stringify({ cart: 3, providerToken: 'very-secret-value' })),
    );
    assert.equal(session.expiresBy, 'idle');
    assert.equal(session.expiresAt, session.idleExpiresAt);
    assert.deepEqual(session.agent, {
      browser: 'Firefox 128',
      os: 'Windows 10/11',
      device: 'desktop',
      label: 'Firefox 128 on Windows 10/11',
    });
    const text = JSON.stringify(detail);
    assert.ok(!text.includes('very-secret-value'), 'data values never reach the console');
    assert.ok(!text.includes(token));
    assert.equal((await api.call('GET', `/v1/admin/sessions/${'Z'.repeat(26)}`)).status, 404);
    assert.equal((await api.call('GET', '/v1/admin/sessions/short')).status, 400);
  });
});

describe('service: the console API without an audit file, and on a store that cannot browse', () => {
  let api: TestService;
  before(async () => {
    api = await startService({ TESSERA_AUDIT_FILE: 'off', TESSERA_AUDIT_KEY: 'k'.repeat(32) });
  });
  after(() => api?.close());

  it('the feed keeps recent events in memory from the start of the service, subjects by pseudonym', async () => {
    await login(api, 'before-console');
    const first = await getJson<Feed>(api, '/v1/admin/events?subject=before-console');
    assert.equal(first.source, 'memory');
    assert.equal(first.events.length, 1, 'a login before the first console call is in the feed');
    await login(api, 'memory-user');
    const feed = await getJson<Feed>(api, '/v1/admin/events?subject=memory-user');
    assert.equal(feed.events.length, 1);
    assert.equal(feed.events[0]?.subject, null, 'the subject is not written in clear under an audit key');
    assert.match(feed.events[0]?.subjectHmac ?? '', /^[A-Za-z0-9_-]{43}$/);
  });

  it('a store without browseSessions: overview says so, search by subject and id work, listing all is 400', async () => {
    // What a Redis store looks like to the console: no browse methods.
    const plain = unbrowsableStore();
    const own = await startService({}, { storeInstance: plain });
    try {
      const overview = await getJson<Overview>(own, '/v1/admin/overview');
      assert.deepEqual(overview.sessions, { live: null, countable: false });
      const { id } = await login(own, 'plain-user');
      const bySubject = await getJson<SearchPage>(own, '/v1/admin/sessions?q=plain-user');
      assert.deepEqual(
        bySubject.sessions.map((row) => row.id),
        [id],
      );
      assert.equal((await getJson<SearchPage>(own, `/v1/admin/sessions?q=${id}`)).sessions.length, 1);
      for (const path of ['/v1/admin/sessions', '/v1/admin/sessions?q=203.0.113.1']) {
        const refused = await own.call('GET', path);
        assert.equal(refused.status, 400, path);
        assert.match(refused.body.error?.message ?? '', /cannot list sessions across subjects/);
      }
    } finally {
      await own.close();
    }
  });
});
