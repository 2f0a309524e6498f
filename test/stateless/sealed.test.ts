import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import { isTesseraError } from '../../src/core/errors.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { EVERYONE_SCOPE } from '../../src/core/cutoffs.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { SealedSessions } from '../../src/stateless/sealed/index.js';
import { deflateRawSync } from 'node:zlib';
import { prepareBody } from '../../src/stateless/sealed/envelope.js';
import { applySetCookies, cookieHeader, facts, noise, SECRET_A, SECRET_B } from './helpers.js';

const cookie = { name: 'sid', development: true } as const;

function make(options: Partial<ConstructorParameters<typeof SealedSessions>[0]> = {}) {
  const clock = manualClock();
  const sealed = new SealedSessions({ keys: [{ id: 'k1', secret: SECRET_A }], cookie, clock, ...options });
  return { clock, sealed };
}

async function loggedIn(sealed: SealedSessions, data = {}): Promise<Map<string, string>> {
  const issued = await sealed.login(facts(null), { subject: 'alice', data });
  return applySetCookies(issued.setCookies);
}

describe('sealed sessions', () => {
  it('round-trips a session through the cookie', async () => {
    const { sealed } = make();
    const jar = await loggedIn(sealed, { cart: [1, 2, 3] });
    const auth = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.equal(auth.result.ok, true);
    if (!auth.result.ok) return;
    assert.equal(auth.result.session.subject, 'alice');
    assert.deepEqual(auth.result.session.data, { cart: [1, 2, 3] });
    assert.deepEqual(auth.setCookies, []);
  });

  it('uses a fresh nonce for every seal of the same session', async () => {
    const { sealed } = make();
    const a = await sealed.login(facts(null), { subject: 'alice' });
    const b = await sealed.login(facts(null), { subject: 'alice' });
    assert.notEqual(a.setCookies[0], b.setCookies[0]);
  });

  it('refuses a short or low-variety secret at start-up with a TypeError', () => {
    assert.throws(() => new SealedSessions({ keys: [{ id: 'k', secret: 'short' }], cookie }), TypeError);
    assert.throws(
      () => new SealedSessions({ keys: [{ id: 'k', secret: 'a'.repeat(64) }], cookie }),
      TypeError,
    );
    assert.throws(() => new SealedSessions({ keys: [], cookie }), TypeError);
  });

  it('answers 401 token_invalid for every flipped character and every truncation', async () => {
    const { sealed } = make();
    const jar = await loggedIn(sealed);
    const value = jar.get('sid') as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let index = 0; index < value.length; index += 1) {
      const original = value[index] as string;
      const swapped = alphabet[(alphabet.indexOf(original) + 1) % alphabet.length] as string;
      const tampered = value.slice(0, index) + swapped + value.slice(index + 1);
      const auth = await sealed.authenticate(facts(`sid=${tampered}`));
      assert.equal(auth.result.ok, false, `flip at ${index}`);
      if (!auth.result.ok) assert.equal(auth.result.code, 'token_invalid');
    }
    for (const cut of [1, 2, 5, 16, 17, value.length - 10]) {
      const auth = await sealed.authenticate(facts(`sid=${value.slice(0, value.length - cut)}`));
      assert.equal(auth.result.ok ? 'ok' : auth.result.code, 'token_invalid', `cut ${cut}`);
    }
  });

  it('refuses a seal moved to another cookie name', async () => {
    const { sealed } = make();
    const value = (await loggedIn(sealed)).get('sid') as string;
    const other = new SealedSessions({
      keys: [{ id: 'k1', secret: SECRET_A }],
      cookie: { ...cookie, name: 'sx' },
    });
    const auth = await other.authenticate(facts(`sx=${value}`));
    assert.equal(auth.result.ok ? 'ok' : auth.result.code, 'token_invalid');
  });

  it('refuses an unknown (retired) key id', async () => {
    const { sealed, clock } = make();
    const jar = await loggedIn(sealed);
    const other = new SealedSessions({ keys: [{ id: 'k2', secret: SECRET_B }], cookie, clock });
    const auth = await other.authenticate(facts(cookieHeader(jar)));
    assert.equal(auth.result.ok ? 'ok' : auth.result.code, 'token_invalid');
    // Same secret under a different id derives a different key: the id is bound into the key.
    const renamed = new SealedSessions({ keys: [{ id: 'k9', secret: SECRET_A }], cookie, clock });
    const again = await renamed.authenticate(facts(cookieHeader(jar)));
    assert.equal(again.result.ok ? 'ok' : again.result.code, 'token_invalid');
  });

  it('enforces the idle timeout and slides it on activity (440 when it runs out)', async () => {
    const { sealed, clock } = make({ idleTimeout: 60, absoluteTimeout: 600 });
    let jar = await loggedIn(sealed);
    clock.advance(30_000);
    const renewed = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.ok(renewed.result.ok && renewed.result.renewed, 'line 100');
    jar = applySetCookies(renewed.setCookies, jar);
    clock.advance(45_000);
    assert.ok((await sealed.authenticate(facts(cookieHeader(jar)))).result.ok, 'line 103');
    clock.advance(60_000);
    const expired = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.equal(expired.result.ok, false);
    if (!expired.result.ok) {
      assert.equal(expired.result.status, 440);
      assert.equal(expired.result.code === 'session_expired' && expired.result.limit, 'idle');
    }
    assert.ok(
      expired.setCookies.some((line) => /^sid=;/.test(line)),
      'line 111',
    );
  });

  it('enforces the absolute timeout even with constant activity', async () => {
    const { sealed, clock } = make({ idleTimeout: 60, absoluteTimeout: 120 });
    let jar = await loggedIn(sealed);
    for (let i = 0; i < 2; i += 1) {
      clock.advance(50_000);
      const auth = await sealed.authenticate(facts(cookieHeader(jar)));
      assert.ok(auth.result.ok, 'active and inside both limits');
      jar = applySetCookies(auth.setCookies, jar);
    }
    clock.advance(30_000);
    const auth = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.equal(
      auth.result.ok ? 'ok' : auth.result.code === 'session_expired' && auth.result.limit,
      'absolute',
    );
  });

  it('elevate (re-authentication) resets both timeouts: a fresh idle and absolute window from now', async () => {
    const { sealed, clock } = make({ idleTimeout: 60, absoluteTimeout: 120 });
    let jar = await loggedIn(sealed);
    const start = clock();
    for (let i = 0; i < 2; i += 1) {
      clock.advance(50_000);
      const auth = await sealed.authenticate(facts(cookieHeader(jar)));
      assert.ok(auth.result.ok, 'active and inside both limits');
      jar = applySetCookies(auth.setCookies, jar);
    }
    clock.advance(10_000);
    const elevated = await sealed.elevate(facts(cookieHeader(jar)), 2);
    assert.ok(elevated.ok, 'elevated');
    assert.equal(elevated.session.absoluteExpiresAt, clock() + 120_000, 'a fresh overall window');
    assert.equal(elevated.session.idleExpiresAt, clock() + 60_000, 'a fresh inactivity window');
    assert.equal(elevated.session.createdAt, start);
    jar = applySetCookies(elevated.setCookies, jar);
    // Past the login's absolute limit (120 s): still valid, the re-authentication restarted the window.
    for (let i = 0; i < 2; i += 1) {
      clock.advance(50_000);
      const auth = await sealed.authenticate(facts(cookieHeader(jar)));
      assert.ok(auth.result.ok, `valid at ${clock() - start} ms`);
      jar = applySetCookies(auth.setCookies, jar);
    }
    clock.set(start + 230_000);
    const auth = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.equal(
      auth.result.ok ? 'ok' : auth.result.code === 'session_expired' && auth.result.limit,
      'absolute',
    );
  });

  it('rotates keys without logging anyone out, re-sealing old seals with the new key', async () => {
    const clock = manualClock();
    const v1 = new SealedSessions({ keys: [{ id: 'k1', secret: SECRET_A }], cookie, clock });
    let jar = applySetCookies((await v1.login(facts(null), { subject: 'alice' })).setCookies);
    const v2 = new SealedSessions({
      keys: [
        { id: 'k2', secret: SECRET_B },
        { id: 'k1', secret: SECRET_A },
      ],
      cookie,
      clock,
    });
    const auth = await v2.authenticate(facts(cookieHeader(jar)));
    assert.ok(auth.result.ok, 'old seal still opens');
    assert.equal(auth.setCookies.length, 1, 're-sealed on this request');
    jar = applySetCookies(auth.setCookies, jar);
    const v3 = new SealedSessions({ keys: [{ id: 'k2', secret: SECRET_B }], cookie, clock });
    const after = await v3.authenticate(facts(cookieHeader(jar)));
    assert.ok(after.result.ok, 'the re-sealed cookie opens once the old key is retired');
    assert.equal(after.result.ok && after.result.session.subject, 'alice');
  });

  it('compresses only when it helps', async () => {
    const { sealed } = make({ chunking: false });
    const compressible = await sealed.login(facts(null), {
      subject: 'alice',
      data: { text: 'x'.repeat(3000) },
    });
    assert.ok((compressible.setCookies[0] as string).length < 1000, 'repetitive data is compressed');
    const bytes = Buffer.from(applySetCookies(compressible.setCookies).get('sid') as string, 'base64url');
    assert.equal(bytes[1], 1, 'compression flag set in the header');
    for (const text of [
      '{"a":1}',
      noise(80),
      noise(300),
      noise(700),
      'z'.repeat(600),
      'z'.repeat(200),
      JSON.stringify({ k: noise(40) }),
    ]) {
      const prepared = prepareBody(text, true);
      const smaller =
        text.length >= 512 && deflateRawSync(Buffer.from(text)).byteLength < Buffer.byteLength(text);
      assert.equal(prepared.flags, smaller ? 1 : 0, `flag for ${text.slice(0, 10)}`);
      assert.ok(prepared.body.byteLength <= Buffer.byteLength(text), 'never larger than the input');
    }
  });

  it('throws cookie_too_large before writing when chunking is off', async () => {
    const { sealed } = make({ chunking: false });
    const data = { blob: noise(6000) };
    await assert.rejects(
      sealed.login(facts(null), { subject: 'alice', data }),
      (error: unknown) => isTesseraError(error) && error.code === 'cookie_too_large',
    );
  });

  it('chunks large sessions, reassembles them, and clears every chunk on logout', async () => {
    const { sealed } = make();
    const data = { blob: noise(9000) };
    const issued = await sealed.login(facts(null), { subject: 'alice', data });
    assert.ok(issued.setCookies.length >= 2, 'split into chunks');
    for (const line of issued.setCookies) assert.ok(Buffer.byteLength(line) <= 4096, 'line 191');
    const jar = applySetCookies(issued.setCookies);
    assert.deepEqual([...jar.keys()].sort(), issued.setCookies.map((_, i) => `sid.${i}`).sort());
    const auth = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.ok(auth.result.ok && auth.result.session.data.blob === data.blob, 'reassembled');
    const out = await sealed.logout(facts(cookieHeader(jar)));
    assert.equal(applySetCookies(out.setCookies, jar).size, 0);
    assert.equal(out.setCookies.length, jar.size + issued.setCookies.length);
  });

  it('clears leftover chunks when the session shrinks back into one cookie', async () => {
    const { sealed } = make({ compress: false });
    const big = { blob: 'y'.repeat(6000) };
    let jar = applySetCookies((await sealed.login(facts(null), { subject: 'alice', data: big })).setCookies);
    const changed = await sealed.update(facts(cookieHeader(jar)), { unset: ['blob'] });
    assert.ok(changed.ok, 'line 206');
    jar = applySetCookies(changed.setCookies, jar);
    assert.deepEqual([...jar.keys()], ['sid']);
    assert.ok((await sealed.authenticate(facts(cookieHeader(jar)))).result.ok, 'line 209');
  });

  it('refuses a stale version on update', async () => {
    const { sealed } = make();
    const jar = await loggedIn(sealed, { a: 1 });
    const ok = await sealed.update(facts(cookieHeader(jar)), { set: { a: 2 } }, { version: 1 });
    assert.ok(ok.ok && ok.session.version === 2 && ok.session.data.a === 2, 'line 216');
    const stale = await sealed.update(facts(cookieHeader(jar)), { set: { a: 3 } }, { version: 7 });
    assert.equal(stale.ok ? 'ok' : stale.code, 'version_conflict');
    const elevated = await sealed.elevate(facts(cookieHeader(jar)), 2);
    assert.ok(elevated.ok && elevated.session.level === 2, 'elevated');
  });

  it('kills sealed sessions on "log out everywhere" through the store not-before', async () => {
    const store = new MemoryStore();
    const { sealed, clock } = make({ store });
    const jar = await loggedIn(sealed);
    const other = await sealed.login(facts(null), { subject: 'bob' });
    clock.advance(1000);
    await sealed.revokeSubject('alice');
    const auth = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.equal(auth.result.ok ? 'ok' : auth.result.code, 'token_invalid');
    assert.ok(
      (await sealed.authenticate(facts(cookieHeader(applySetCookies(other.setCookies))))).result.ok,
      'line 230',
    );
    clock.advance(1000);
    const fresh = await loggedIn(sealed);
    assert.ok((await sealed.authenticate(facts(cookieHeader(fresh)))).result.ok, 'a new login works');
    await store.close();
  });

  it('with a store, logout cuts off every copy of the seal on every instance; other sessions live on', async () => {
    const store = new MemoryStore();
    const { sealed, clock } = make({ store });
    const other = new SealedSessions({ keys: [{ id: 'k1', secret: SECRET_A }], cookie, clock, store });
    const jar = await loggedIn(sealed);
    const copy = cookieHeader(jar);
    const second = cookieHeader(await loggedIn(sealed));
    clock.advance(1000);
    const ended = await sealed.logout(facts(copy));
    assert.equal(ended.revoked, true);
    for (const instance of [sealed, other]) {
      const auth = await instance.authenticate(facts(copy));
      assert.equal(auth.result.ok ? 'ok' : auth.result.code, 'token_invalid', 'the kept copy is refused');
      assert.ok((await instance.authenticate(facts(second))).result.ok, "alice's other session lives on");
    }
    clock.advance(60_000);
    assert.equal((await other.authenticate(facts(copy))).result.ok, false, 'and stays refused');
    await store.close();
  });

  it('a logout whose cut-off cannot be written fails with 503 instead of reporting success', async () => {
    const store = new MemoryStore();
    const { sealed } = make({ store });
    const copy = cookieHeader(await loggedIn(sealed));
    const setSubjectNotBefore = store.setSubjectNotBefore.bind(store);
    store.setSubjectNotBefore = () => Promise.reject(new Error('disk full'));
    await assert.rejects(
      sealed.logout(facts(copy)),
      (error: unknown) => isTesseraError(error) && error.status === 503,
    );
    store.setSubjectNotBefore = setSubjectNotBefore;
    await store.close();
  });

  it('refuses every seal created before the "end every session" cut-off, then lets new logins in', async () => {
    const store = new MemoryStore();
    const { sealed, clock } = make({ store });
    const alice = cookieHeader(await loggedIn(sealed));
    const bob = cookieHeader(
      applySetCookies((await sealed.login(facts(null), { subject: 'bob' })).setCookies),
    );
    clock.advance(1000);
    await store.setSubjectNotBefore(EVERYONE_SCOPE, clock() + 1, clock() + 86_400_000);
    for (const copy of [alice, bob]) {
      const auth = await sealed.authenticate(facts(copy));
      assert.equal(auth.result.ok ? 'ok' : auth.result.code, 'token_invalid');
    }
    clock.advance(1000);
    assert.ok(
      (await sealed.authenticate(facts(cookieHeader(await loggedIn(sealed))))).result.ok,
      'new login',
    );
    await store.close();
  });

  it('fails closed with 503 when the not-before store is down', async () => {
    const store = new MemoryStore();
    const { sealed } = make({ store });
    const jar = await loggedIn(sealed);
    await store.close();
    await assert.rejects(sealed.authenticate(facts(cookieHeader(jar))), (error: unknown) => {
      return isTesseraError(error) && error.status === 503;
    });
  });

  it('emits events without any token in them', async () => {
    const events: TesseraEvent[] = [];
    const { sealed } = make({ onEvent: (event) => events.push(event) });
    const jar = await loggedIn(sealed);
    await sealed.authenticate(facts(`sid=${(jar.get('sid') as string).slice(0, -3)}AAA`));
    assert.deepEqual(
      events.map((event) => event.type),
      ['created', 'unknown-token'],
    );
    for (const event of events)
      assert.ok(!JSON.stringify(event).includes((jar.get('sid') as string).slice(0, 20)));
  });

  it('treats duplicate or mixed layouts as ambiguous', async () => {
    const { sealed } = make();
    const value = (await loggedIn(sealed)).get('sid') as string;
    const dup = await sealed.authenticate(facts(`sid=${value}; sid=${value}`));
    assert.equal(dup.result.ok ? 'ok' : dup.result.code, 'token_invalid');
    const mixed = await sealed.authenticate(facts(`sid=${value}; sid.0=${value}`));
    assert.equal(mixed.result.ok ? 'ok' : mixed.result.code, 'token_invalid');
    const asChunk = await sealed.authenticate(facts(`sid.0=${value}`));
    assert.equal(asChunk.result.ok ? 'ok' : asChunk.result.code, 'token_invalid');
  });

  it('with a cache, still enforces expiry and not-before on every request and serves frozen sessions', async () => {
    const store = new MemoryStore();
    const { sealed, clock } = make({ cacheSize: 2, idleTimeout: 60, absoluteTimeout: 600, store });
    const jar = await loggedIn(sealed, { n: 1 });
    const first = await sealed.authenticate(facts(cookieHeader(jar)));
    const again = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.ok(first.result.ok && again.result.ok, 'cached cookie opens');
    assert.ok(Object.isFrozen(again.result.session.data), 'shared session data is frozen');
    clock.advance(61_000);
    const expired = await sealed.authenticate(facts(cookieHeader(jar)));
    assert.equal(expired.result.ok ? 'ok' : expired.result.code, 'session_expired');
    const fresh = await loggedIn(sealed);
    assert.ok((await sealed.authenticate(facts(cookieHeader(fresh)))).result.ok, 'fresh login');
    clock.advance(1000);
    await sealed.revokeSubject('alice');
    const revoked = await sealed.authenticate(facts(cookieHeader(fresh)));
    assert.equal(revoked.result.ok ? 'ok' : revoked.result.code, 'token_invalid');
    await store.close();
  });
});
