import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { madeUpToken, startService, type TestService } from './helpers.js';

const TOKEN = /^ts1\.[A-Za-z0-9_-]{26}\.[A-Za-z0-9_-]{43}$/;

for (const store of ['memory', 'sqlite'] as const) {
  describe(`service sessions API (${store} store)`, () => {
    let api: TestService;
    before(async () => {
      api = await startService({}, { store });
    });
    after(async () => {
      await api.close();
    });

    async function login(
      subject: string,
      extra: Record<string, unknown> = {},
    ): Promise<{ token: string; id: string }> {
      const created = await api.call('POST', '/v1/sessions', { subject, ...extra });
      assert.equal(created.status, 201, created.text);
      return { token: created.body.token as string, id: created.body.session?.id as string };
    }

    it('POST /v1/sessions issues a token, public metadata and a session cookie, never cached', async () => {
      const created = await api.call('POST', '/v1/sessions', {
        subject: 'alice',
        data: { cart: [1, 2], theme: 'dark' },
        ip: '203.0.113.7',
        userAgent: 'test-agent/1.0',
        level: 1,
      });
      assert.equal(created.status, 201);
      assert.match(created.body.token as string, TOKEN);
      const session = created.body.session!;
      assert.deepEqual(Object.keys(session).sort(), [
        'absoluteExpiresAt',
        'createdAt',
        'data',
        'id',
        'idleExpiresAt',
        'ip',
        'lastSeenAt',
        'level',
        'levelAt',
        'rotatedAt',
        'subject',
        'userAgent',
        'version',
      ]);
      assert.equal(session.subject, 'alice');
      assert.deepEqual(session.data, { cart: [1, 2], theme: 'dark' });
      assert.equal(session.version, 1);
      assert.equal(session.createdAt, '2026-01-01T09:00:00.000Z');
      assert.equal(session.idleExpiresAt, '2026-01-01T09:30:00.000Z');
      assert.equal(session.absoluteExpiresAt, '2026-01-01T21:00:00.000Z');
      assert.equal(session.ip, '203.0.113.7');
      assert.equal(session.userAgent, 'test-agent/1.0');
      assert.ok(!/hash/i.test(created.text), 'no hash in the response');
      assert.equal(created.headers.get('cache-control'), 'no-store');
      const cookie = created.headers.get('set-cookie') ?? '';
      assert.ok(cookie.startsWith(`__Host-session=${created.body.token}; Path=/`), cookie);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /Secure/);
      assert.match(cookie, /SameSite=Strict/);
      assert.match(cookie, /Max-Age=1800/);
      assert.ok(!/Domain=/i.test(cookie));
    });

    it('validate answers 200 with the session, and renews once a fraction of the idle window passed', async () => {
      const { token, id } = await login('bob');
      const first = await api.call('POST', '/v1/sessions/validate', { token });
      assert.equal(first.status, 200);
      assert.equal(first.body.session?.id, id);
      assert.equal(first.body.renewed, false);
      assert.equal(first.headers.get('cache-control'), 'no-store');
      api.clock.advance(5 * 60 * 1000);
      const later = await api.call('POST', '/v1/sessions/validate', { token });
      assert.equal(later.body.renewed, true);
      assert.equal(later.body.session?.idleExpiresAt, new Date(api.clock() + 30 * 60 * 1000).toISOString());
    });

    it('GET /v1/sessions/{id} returns metadata; unknown id 404, malformed id 400', async () => {
      const { id } = await login('carol', { data: { a: 1 } });
      const found = await api.call('GET', `/v1/sessions/${id}`);
      assert.equal(found.status, 200);
      assert.equal(found.body.session?.subject, 'carol');
      assert.equal(found.body.token, undefined);
      assert.ok(!/ts1\./.test(found.text));
      const unknown = await api.call('GET', `/v1/sessions/${'Z'.repeat(26)}`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error?.code, 'not_found');
      const malformed = await api.call('GET', '/v1/sessions/short');
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error?.code, 'invalid_request');
      assert.match(malformed.body.error?.message ?? '', /^id /);
    });

    it('rotate issues a new token and kills the old one at once', async () => {
      const { token, id } = await login('dave', { data: { keep: true } });
      const rotated = await api.call('POST', '/v1/sessions/rotate', { token });
      assert.equal(rotated.status, 200);
      assert.match(rotated.body.token as string, TOKEN);
      assert.notEqual(rotated.body.token, token);
      assert.equal(rotated.body.session?.id, id);
      assert.deepEqual(rotated.body.session?.data, { keep: true });
      assert.ok((rotated.headers.get('set-cookie') ?? '').includes(rotated.body.token as string));
      const old = await api.call('POST', '/v1/sessions/validate', { token });
      assert.equal(old.status, 401);
      assert.equal(old.body.error?.code, 'token_invalid');
      const again = await api.call('POST', '/v1/sessions/rotate', { token });
      assert.equal(again.status, 401);
      const fresh = await api.call('POST', '/v1/sessions/validate', { token: rotated.body.token });
      assert.equal(fresh.status, 200);
    });

    it('elevate rotates and records the level and its time', async () => {
      const { token } = await login('erin');
      api.clock.advance(60_000);
      const elevated = await api.call('POST', '/v1/sessions/elevate', { token, level: 2 });
      assert.equal(elevated.status, 200);
      assert.equal(elevated.body.session?.level, 2);
      assert.equal(elevated.body.session?.levelAt, new Date(api.clock()).toISOString());
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token })).status, 401);
      const missingLevel = await api.call('POST', '/v1/sessions/elevate', { token: elevated.body.token });
      assert.equal(missingLevel.status, 400);
      assert.match(missingLevel.body.error?.message ?? '', /^level is required/);
    });

    it('logout replay: a revoked token gets 401 forever', async () => {
      const { token } = await login('frank');
      const revoked = await api.call('POST', '/v1/sessions/revoke', { token });
      assert.equal(revoked.status, 204);
      assert.equal(revoked.text, '');
      assert.match(revoked.headers.get('set-cookie') ?? '', /^__Host-session=;.*Max-Age=0/);
      for (let i = 0; i < 3; i++) {
        const replay = await api.call('POST', '/v1/sessions/validate', { token });
        assert.equal(replay.status, 401);
        assert.equal(replay.body.error?.code, 'token_invalid');
        assert.equal((await api.call('POST', '/v1/sessions/rotate', { token })).status, 401);
        api.clock.advance(10 * 60 * 1000);
      }
      // Revoking again is still 204: logout is idempotent and reveals nothing.
      assert.equal((await api.call('POST', '/v1/sessions/revoke', { token })).status, 204);
    });

    it('DELETE /v1/sessions/{id} ends the session; a second delete is 404', async () => {
      const { token, id } = await login('gina');
      const deleted = await api.call('DELETE', `/v1/sessions/${id}`);
      assert.equal(deleted.status, 204);
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token })).status, 401);
      assert.equal((await api.call('DELETE', `/v1/sessions/${id}`)).status, 404);
    });

    it("lists a subject's sessions as metadata only", async () => {
      const a = await login('hana', { userAgent: 'phone' });
      api.clock.advance(1000);
      const b = await login('hana', { userAgent: 'laptop', ip: '198.51.100.2' });
      await login('other-subject');
      const listed = await api.call('GET', '/v1/subjects/hana/sessions');
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.body.sessions?.map((s) => [s.id, s.userAgent]),
        [
          [a.id, 'phone'],
          [b.id, 'laptop'],
        ],
      );
      assert.ok(!listed.text.includes('ts1.'), 'no token in a listing');
      assert.ok(!/hash/i.test(listed.text), 'no hash in a listing');
      const empty = await api.call('GET', '/v1/subjects/nobody/sessions');
      assert.deepEqual(empty.body.sessions, []);
    });

    it('subjects with reserved characters travel percent-encoded in the path', async () => {
      await login('user/with spaces@example.com');
      const listed = await api.call(
        'GET',
        `/v1/subjects/${encodeURIComponent('user/with spaces@example.com')}/sessions`,
      );
      assert.equal(listed.status, 200);
      assert.equal(listed.body.sessions?.length, 1);
    });

    it('revoke-all ends every session of a subject, optionally except one', async () => {
      const keep = await login('ivan');
      const other1 = await login('ivan');
      const other2 = await login('ivan');
      const bystander = await login('judy');
      const partial = await api.call('DELETE', `/v1/subjects/ivan/sessions?except=${keep.id}`);
      assert.equal(partial.status, 200);
      assert.deepEqual(partial.body, { revoked: 2 });
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token: keep.token })).status, 200);
      for (const gone of [other1, other2]) {
        assert.equal((await api.call('POST', '/v1/sessions/validate', { token: gone.token })).status, 401);
      }
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token: bystander.token })).status, 200);
      const all = await api.call('DELETE', '/v1/subjects/ivan/sessions');
      assert.deepEqual(all.body, { revoked: 1 });
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token: keep.token })).status, 401);
      const badExcept = await api.call('DELETE', '/v1/subjects/ivan/sessions?except=nope');
      assert.equal(badExcept.status, 400);
      assert.match(badExcept.body.error?.message ?? '', /^except /);
    });

    it('concurrent PATCHes of different keys all survive; a stale version gets 409', async () => {
      const { id } = await login('kate', { data: { base: 0 } });
      const patches = Array.from({ length: 20 }, (_, i) =>
        api.call('PATCH', `/v1/sessions/${id}/data`, { set: { [`k${i}`]: i } }),
      );
      const results = await Promise.all(patches);
      assert.ok(results.every((r) => r.status === 200));
      const current = await api.call('GET', `/v1/sessions/${id}`);
      const data = current.body.session?.data as Record<string, number>;
      for (let i = 0; i < 20; i++) assert.equal(data[`k${i}`], i, `key k${i} survived`);
      assert.equal(data.base, 0);
      assert.equal(current.body.session?.version, 21);

      const stale = await api.call('PATCH', `/v1/sessions/${id}/data`, { set: { base: 1 }, version: 5 });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.error?.code, 'version_conflict');
      assert.equal(stale.body.error?.version, 21);
      const unchanged = await api.call('GET', `/v1/sessions/${id}`);
      assert.equal((unchanged.body.session!.data as Record<string, number>).base, 0);

      const fresh = await api.call('PATCH', `/v1/sessions/${id}/data`, { unset: ['k0'], version: 21 });
      assert.equal(fresh.status, 200);
      assert.equal(fresh.body.session?.version, 22);
      assert.equal((fresh.body.session!.data as Record<string, number>).k0, undefined);

      // Two writers racing on the same version: exactly one wins.
      const race = await Promise.all([
        api.call('PATCH', `/v1/sessions/${id}/data`, { set: { winner: 'a' }, version: 22 }),
        api.call('PATCH', `/v1/sessions/${id}/data`, { set: { winner: 'b' }, version: 22 }),
      ]);
      assert.deepEqual(race.map((r) => r.status).sort(), [200, 409]);

      const missing = await api.call('PATCH', `/v1/sessions/${'Q'.repeat(26)}/data`, { set: { a: 1 } });
      assert.equal(missing.status, 404);
    });

    it('PATCHes that would grow data past maxDataBytes get 413 data_too_large and change nothing', async () => {
      const { id } = await login('mona');
      // Each body is ~40 KB, under the 64 KiB body limit and under maxDataBytes (65536) alone; two do not fit.
      const first = await api.call('PATCH', `/v1/sessions/${id}/data`, { set: { a: 'a'.repeat(40_000) } });
      assert.equal(first.status, 200, first.text);
      const second = await api.call('PATCH', `/v1/sessions/${id}/data`, { set: { b: 'b'.repeat(40_000) } });
      assert.equal(second.status, 413, second.text);
      assert.equal(second.body.error?.code, 'data_too_large');
      assert.equal(second.body.error?.limit, 65536);
      assert.ok(Number((second.body.error as { bytes?: number } | undefined)?.bytes) > 80_000);
      assert.match(second.body.error?.message ?? '', /over the 65536-byte limit; nothing was changed/);
      const unchanged = await api.call('GET', `/v1/sessions/${id}`);
      assert.equal(unchanged.body.session?.version, 2);
      assert.deepEqual(Object.keys(unchanged.body.session?.data ?? {}), ['a']);
      // Replacing the big key instead fits.
      const swap = await api.call('PATCH', `/v1/sessions/${id}/data`, {
        set: { b: 'b'.repeat(40_000) },
        unset: ['a'],
        version: 2,
      });
      assert.equal(swap.status, 200, swap.text);
      assert.equal(swap.body.session?.version, 3);
    });

    it('a patch racing a revoke never brings the session back', async () => {
      const { token, id } = await login('liam');
      const [patched, revoked] = await Promise.all([
        api.call('PATCH', `/v1/sessions/${id}/data`, { set: { a: 1 } }),
        api.call('DELETE', `/v1/sessions/${id}`),
      ]);
      assert.equal(revoked.status, 204);
      assert.ok([200, 404].includes(patched.status));
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token })).status, 401);
      assert.equal((await api.call('GET', `/v1/sessions/${id}`)).status, 404);
    });

    it('fixation: a made-up well-formed token is 401 and never adopted', async () => {
      const planted = madeUpToken();
      const validated = await api.call('POST', '/v1/sessions/validate', { token: planted });
      assert.equal(validated.status, 401);
      assert.equal(validated.body.error?.code, 'token_invalid');
      assert.equal((await api.call('POST', '/v1/sessions/rotate', { token: planted })).status, 401);
      assert.equal(
        (await api.call('POST', '/v1/sessions/elevate', { token: planted, level: 3 })).status,
        401,
      );
      // Logging in afterwards yields a server-chosen token, never the planted one.
      const { token, id } = await login('mallory-victim');
      assert.notEqual(token, planted);
      assert.notEqual(id, 'A'.repeat(26));
      assert.equal((await api.call('GET', `/v1/sessions/${'A'.repeat(26)}`)).status, 404);
      assert.equal((await api.call('POST', '/v1/sessions/validate', { token: planted })).status, 401);
      const metrics = await api.call('GET', '/metrics');
      assert.match(metrics.text, /tessera_events_total\{type="unknown-token"\} \d+/);
    });

    it('a missing token is 401 token_missing, a malformed one 401 token_invalid', async () => {
      const missing = await api.call('POST', '/v1/sessions/validate', {});
      assert.equal(missing.status, 401);
      assert.equal(missing.body.error?.code, 'token_missing');
      const malformed = await api.call('POST', '/v1/sessions/validate', { token: 'not-a-token' });
      assert.equal(malformed.status, 401);
      assert.equal(malformed.body.error?.code, 'token_invalid');
      assert.equal((await api.call('POST', '/v1/sessions/revoke', {})).body.error?.code, 'token_missing');
    });
  });
}

describe('service expiry by moving the clock', () => {
  let api: TestService;
  before(async () => {
    api = await startService({ TESSERA_IDLE_TIMEOUT: '60', TESSERA_ABSOLUTE_TIMEOUT: '300' });
  });
  after(async () => {
    await api.close();
  });

  it('an idle session answers 440 naming the idle limit, and stays dead', async () => {
    const created = await api.call('POST', '/v1/sessions', { subject: 'idle-user' });
    api.clock.advance(59_000);
    assert.equal(
      (await api.call('POST', '/v1/sessions/validate', { token: created.body.token })).status,
      200,
    );
    api.clock.advance(61_000);
    const expired = await api.call('POST', '/v1/sessions/validate', { token: created.body.token });
    assert.equal(expired.status, 440);
    assert.deepEqual(expired.body.error, {
      code: 'session_expired',
      message: 'The session has expired; sign in again.',
      limit: 'idle',
    });
    assert.equal(expired.headers.get('cache-control'), 'no-store');
    // A rotate or a metadata read does not revive it.
    assert.equal((await api.call('POST', '/v1/sessions/rotate', { token: created.body.token })).status, 440);
    assert.equal((await api.call('GET', `/v1/sessions/${created.body.session?.id}`)).status, 404);
  });

  it('an active session still ends at the absolute limit with 440 absolute', async () => {
    const created = await api.call('POST', '/v1/sessions', { subject: 'busy-user' });
    const token = created.body.token;
    for (let elapsed = 0; elapsed < 280; elapsed += 40) {
      api.clock.advance(40_000);
      const ok = await api.call('POST', '/v1/sessions/validate', { token });
      assert.equal(ok.status, 200, `still valid after ${elapsed + 40}s of activity`);
      assert.ok(Date.parse(ok.body.session!.idleExpiresAt) <= Date.parse(ok.body.session!.absoluteExpiresAt));
    }
    api.clock.advance(40_000);
    const expired = await api.call('POST', '/v1/sessions/validate', { token });
    assert.equal(expired.status, 440);
    assert.equal(expired.body.error?.limit, 'absolute');
  });
});

describe('service session cap', () => {
  it('refuses a session over the cap with 409 session_limit', async () => {
    const api = await startService({
      TESSERA_MAX_SESSIONS_PER_SUBJECT: '2',
      TESSERA_SESSION_OVERFLOW: 'refuse',
    });
    try {
      assert.equal((await api.call('POST', '/v1/sessions', { subject: 'capped' })).status, 201);
      assert.equal((await api.call('POST', '/v1/sessions', { subject: 'capped' })).status, 201);
      const refused = await api.call('POST', '/v1/sessions', { subject: 'capped' });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error?.code, 'session_limit');
    } finally {
      await api.close();
    }
  });
});
