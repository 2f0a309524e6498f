import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TesseraEvent } from '../../../src/core/events.js';
import { createTessera } from '../../../src/core/manager.js';
import { CsrfGuard } from '../../../src/transport/csrf/guard.js';
import { MemoryStore } from '../../../src/stores/memory/memory-store.js';
import { HttpSessions } from '../../../src/transport/http-sessions.js';
import type { RequestFacts } from '../../../src/transport/request.js';

const SECRET = 'guard-test-csrf-secret-0123456789abcdef';

function facts(method: string, headers: Record<string, string> = {}): RequestFacts {
  return { method, url: '/x', ip: null, header: (name) => headers[name] ?? null };
}

describe('CsrfGuard', () => {
  const guard = new CsrfGuard({ secret: SECRET });
  const session = { id: 'AAAAbbbbccccddddeeeeffffgg' };
  const sameOrigin = { 'sec-fetch-site': 'same-origin' };

  it('does not check safe methods, nor bearer-authenticated requests', async () => {
    assert.deepEqual(
      await guard.check(facts('GET', { 'sec-fetch-site': 'cross-site' }), { session, via: 'cookie' }),
      {
        ok: true,
        checked: false,
      },
    );
    const bearer = await guard.check(facts('POST', { 'sec-fetch-site': 'cross-site' }), {
      session,
      via: 'bearer',
    });
    assert.deepEqual(bearer, { ok: true, checked: false });
  });

  it('requires the token for cookie sessions, from the header or the form field', async () => {
    const token = guard.token(session.id);
    const cookie = { session, via: 'cookie' as const };
    assert.equal((await guard.check(facts('POST', sameOrigin), cookie)).ok, false);
    assert.equal((await guard.check(facts('POST', sameOrigin), cookie, token)).ok, true);
    assert.equal(
      (await guard.check(facts('POST', { ...sameOrigin, 'x-csrf-token': token }), cookie)).ok,
      true,
    );
    assert.equal((await guard.check(facts('DELETE', sameOrigin), cookie, async () => token)).ok, true);
    const refused = await guard.check(facts('PUT', sameOrigin), cookie, 'nope');
    assert.deepEqual(refused, {
      ok: false,
      code: 'csrf_rejected',
      status: 403,
      reason: 'token_invalid',
      checked: true,
    });
  });

  it('reads the body only when it needs the token', async () => {
    let reads = 0;
    const read = (): string => {
      reads++;
      return 'x';
    };
    const token = guard.token(session.id);
    await guard.check(facts('POST', { 'sec-fetch-site': 'cross-site' }), { session, via: 'cookie' }, read);
    await guard.check(
      facts('POST', { ...sameOrigin, 'x-csrf-token': token }),
      { session, via: 'cookie' },
      read,
    );
    await guard.check(facts('POST', sameOrigin), { session: null, via: null }, read);
    assert.equal(reads, 0);
    await guard.check(facts('POST', sameOrigin), { session, via: 'cookie' }, read);
    assert.equal(reads, 1);
  });

  it('checks only the origin for anonymous requests, and only the origin when tokens are off', async () => {
    assert.deepEqual(await guard.check(facts('POST', sameOrigin), { session: null, via: null }), {
      ok: true,
      checked: true,
    });
    const noToken = new CsrfGuard({ secret: SECRET, requireToken: false });
    assert.equal((await noToken.check(facts('POST', sameOrigin), { session, via: 'cookie' })).ok, true);
    assert.equal(
      (await noToken.check(facts('POST', { 'sec-fetch-site': 'cross-site' }), { session, via: 'cookie' })).ok,
      false,
    );
  });

  it('accepts a custom header name and rejects the default one then', async () => {
    const custom = new CsrfGuard({ secret: SECRET, headerName: 'X-XSRF-Token' });
    const token = custom.token(session.id);
    assert.equal(
      (
        await custom.check(facts('POST', { ...sameOrigin, 'x-xsrf-token': token }), {
          session,
          via: 'cookie',
        })
      ).ok,
      true,
    );
    assert.equal(
      (
        await custom.check(facts('POST', { ...sameOrigin, 'x-csrf-token': token }), {
          session,
          via: 'cookie',
        })
      ).ok,
      false,
    );
  });
});

describe('HttpSessions CSRF integration', () => {
  function setup(): { sessions: HttpSessions; events: TesseraEvent[] } {
    const events: TesseraEvent[] = [];
    const manager = createTessera({ store: new MemoryStore(), onEvent: (event) => events.push(event) });
    return { sessions: new HttpSessions(manager, { csrf: { secret: SECRET } }), events };
  }

  it('refuses with an event that names the session, never a token', async () => {
    const { sessions, events } = setup();
    const issued = await sessions.manager.create({ subject: 'alice' });
    const request = facts('POST', {
      'sec-fetch-site': 'same-origin',
      cookie: `__Host-session=${issued.token}`,
    });
    const auth = await sessions.authenticate(request);
    const verdict = await sessions.checkCsrf(request, auth, { formToken: 'forged' });
    assert.equal(verdict.ok, false);
    const event = events.find((e) => e.type === 'csrf-rejected');
    assert.ok(event);
    assert.equal(event.sessionId, issued.session.id);
    assert.equal(event.subject, 'alice');
    assert.equal(event.reason, 'token_invalid');
    assert.doesNotMatch(JSON.stringify(events), new RegExp(issued.token.split('.')[2] as string));
    assert.equal(
      (await sessions.checkCsrf(request, auth, { formToken: sessions.csrfToken(issued.session) })).ok,
      true,
    );
  });

  it('a token from another session is refused', async () => {
    const { sessions } = setup();
    const alice = await sessions.manager.create({ subject: 'alice' });
    const mallory = await sessions.manager.create({ subject: 'mallory' });
    const request = facts('POST', {
      'sec-fetch-site': 'same-origin',
      cookie: `__Host-session=${alice.token}`,
    });
    const auth = await sessions.authenticate(request);
    const verdict = await sessions.checkCsrf(request, auth, {
      formToken: sessions.csrfToken(mallory.session),
    });
    assert.equal(verdict.ok, false);
  });

  it('turns off with csrf: false', async () => {
    const manager = createTessera({ store: new MemoryStore() });
    const sessions = new HttpSessions(manager, { csrf: false });
    assert.equal(sessions.csrf, null);
    assert.equal(
      (await sessions.checkCsrf(facts('POST', { 'sec-fetch-site': 'cross-site' }), null)).ok,
      true,
    );
    assert.throws(() => sessions.csrfToken({ id: 'x' }), TypeError);
  });

  it('pre-login sessions are anonymous, and login replaces them (login CSRF)', async () => {
    const { sessions } = setup();
    const pre = await sessions.startAnonymous(facts('GET'));
    assert.equal(sessions.isAnonymous(pre.session), true);
    assert.equal(pre.session.level, 0);
    const loginRequest = facts('POST', { cookie: `__Host-session=${pre.token}` });
    const user = await sessions.login(loginRequest, { subject: 'alice' });
    assert.equal(sessions.isAnonymous(user.session), false);
    assert.notEqual(user.session.id, pre.session.id);
    assert.equal((await sessions.manager.validate(pre.token)).ok, false);
    // A form token minted for the pre-login session does not work for the new one.
    const token = sessions.csrfToken(pre.session);
    const request = facts('POST', {
      'sec-fetch-site': 'same-origin',
      cookie: `__Host-session=${user.token}`,
    });
    const verdict = await sessions.checkCsrf(request, await sessions.authenticate(request), {
      formToken: token,
    });
    assert.equal(verdict.ok, false);
  });
});
