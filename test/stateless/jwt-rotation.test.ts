import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import { createTessera } from '../../src/core/manager.js';
import { EVERYONE_SCOPE, sessionScope } from '../../src/core/cutoffs.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import {
  AccessTokens,
  exportJwtKey,
  generateJwtKey,
  importJwtKey,
  JwtKeyRing,
} from '../../src/stateless/jwt/index.js';

const SID = 'AAAAbbbbccccddddeeeeffffgg';
const HOUR = 3_600_000;

describe('access-token key rotation', () => {
  it('publishes the next key before it signs and keeps the old one until its tokens expire', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const first = generateJwtKey('EdDSA', clock(), 'k1');
    const ring = new JwtKeyRing([first], 905);
    const tokens = new AccessTokens({ keys: ring, issuer: 'iss', audience: 'api', clock });
    const schedule = { interval: 24 * 3600, prePublish: 3600 };

    assert.equal(ring.rotateIfDue(clock(), schedule), null, 'not due yet');
    clock.advance(23 * HOUR);
    const next = ring.rotateIfDue(clock(), schedule);
    assert.ok(next !== null, 'due one pre-publish period before the interval ends');
    assert.deepEqual(
      ring.jwks().keys.map((jwk) => jwk.kid),
      ['k1', next.kid],
      'next key published before use',
    );
    const beforeSwitch = tokens.issue({ subject: 'alice', sessionId: SID });
    assert.equal(beforeSwitch.token.length > 0, true);
    assert.equal(ring.signingKey(clock()).kid, 'k1', 'old key still signs until the switch');

    clock.advance(HOUR - 1000);
    const lastOld = tokens.issue({ subject: 'alice', sessionId: SID });
    clock.advance(1000);
    const firstNew = tokens.issue({ subject: 'alice', sessionId: SID });
    const newKid = JSON.parse(
      Buffer.from(firstNew.token.split('.')[0] as string, 'base64url').toString(),
    ).kid;
    assert.equal(newKid, next.kid, 'new key signs once active');

    // Nobody is logged out: the token signed just before the switch verifies for its whole life.
    clock.advance(14 * 60_000);
    ring.rotateIfDue(clock(), schedule);
    assert.ok((await tokens.verify(lastOld.token)).ok, 'old-key token still verifies');
    assert.ok((await tokens.verify(firstNew.token)).ok, 'new-key token verifies');
    assert.ok(ring.find('k1') !== undefined, 'old key retained during overlap');

    clock.advance(2 * 60_000);
    ring.rotateIfDue(clock(), schedule);
    assert.equal(ring.find('k1'), undefined, 'old key pruned after its tokens expired');
    assert.deepEqual(
      ring.jwks().keys.map((jwk) => jwk.kid),
      [next.kid],
    );
    const fresh = tokens.issue({ subject: 'alice', sessionId: SID });
    assert.ok((await tokens.verify(fresh.token)).ok, 'new key keeps working');
    const stale = await tokens.verify(lastOld.token);
    assert.equal(stale.ok ? 'ok' : stale.reason, 'unknown_kid', 'old key gone');
  });

  it('JWKS holds only public parts', () => {
    const ring = new JwtKeyRing([generateJwtKey('EdDSA', 0, 'e'), generateJwtKey('ES256', 1, 'p')]);
    for (const jwk of ring.jwks().keys) {
      assert.equal(jwk.d, undefined);
      assert.equal(jwk.use, 'sig');
      assert.ok(['EdDSA', 'ES256'].includes(String(jwk.alg)));
    }
  });

  it('round-trips keys through their stored form and signs deterministically with EdDSA', async () => {
    const key = generateJwtKey('EdDSA', 0, 'k');
    const copy = importJwtKey(JSON.parse(JSON.stringify(exportJwtKey(key))));
    const clock = manualClock();
    const a = new AccessTokens({ keys: new JwtKeyRing([key]), issuer: 'i', audience: 'a', clock });
    const b = new AccessTokens({ keys: new JwtKeyRing([copy]), issuer: 'i', audience: 'a', clock });
    const input = { subject: 's', sessionId: SID, issuedAt: clock(), jti: 'fixed' };
    assert.equal(a.issue(input).token, b.issue(input).token, 'same key, claims and time: same token');
    const es = generateJwtKey('ES256', 0, 'p');
    const esTokens = new AccessTokens({
      keys: new JwtKeyRing([importJwtKey(exportJwtKey(es))]),
      issuer: 'i',
      audience: 'a',
      clock,
    });
    assert.ok((await esTokens.verify(esTokens.issue(input).token)).ok, 'ES256 works too');
  });

  it('strict mode refuses tokens of revoked sessions and of subjects logged out everywhere', async () => {
    const clock = manualClock();
    const store = new MemoryStore();
    const manager = createTessera({ store, clock });
    const tokens = new AccessTokens({
      keys: new JwtKeyRing([generateJwtKey('EdDSA', 0)]),
      issuer: 'i',
      audience: 'a',
      clock,
      manager,
    });
    const one = await manager.create({ subject: 'alice' });
    const two = await manager.create({ subject: 'alice' });
    const t1 = tokens.issue({ subject: 'alice', sessionId: one.session.id });
    const t2 = tokens.issue({ subject: 'alice', sessionId: two.session.id });
    assert.ok((await tokens.verify(t1.token, { strict: true })).ok);
    await manager.revokeById(one.session.id);
    const revoked = await tokens.verify(t1.token, { strict: true });
    assert.equal(revoked.ok ? 'ok' : revoked.reason, 'revoked');
    assert.ok((await tokens.verify(t1.token)).ok, 'without strict, valid until it expires (documented)');
    clock.advance(2000);
    await store.setSubjectNotBefore('alice', clock(), clock() + HOUR);
    const cut = await tokens.verify(t2.token, { strict: true });
    assert.equal(cut.ok ? 'ok' : cut.reason, 'revoked');
    await store.close();
  });

  it('strict mode accepts a token of a login made in the same second after a cut-off (iat has whole seconds)', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1, 0, 0, 0, 400));
    const store = new MemoryStore();
    const manager = createTessera({ store, clock });
    const tokens = new AccessTokens({
      keys: new JwtKeyRing([generateJwtKey('EdDSA', 0)]),
      issuer: 'i',
      audience: 'a',
      clock,
      manager,
    });
    const before = await manager.create({ subject: 'alice' });
    const old = tokens.issue({ subject: 'alice', sessionId: before.session.id });
    await manager.endEverySession();
    clock.advance(20);
    const after = await manager.create({ subject: 'alice' });
    const fresh = tokens.issue({ subject: 'alice', sessionId: after.session.id });
    assert.equal(fresh.claims.iat * 1000, Date.UTC(2026, 0, 1), 'issued in the same second as the cut-off');
    assert.ok((await tokens.verify(fresh.token, { strict: true })).ok, 'the new login works at once');
    assert.equal((await tokens.verify(old.token, { strict: true })).ok, false, 'the old one does not');
    await store.close();
  });

  it('strict mode with a store alone refuses tokens after "end every session" and after their session\'s logout', async () => {
    const clock = manualClock();
    const store = new MemoryStore();
    const tokens = new AccessTokens({
      keys: new JwtKeyRing([generateJwtKey('EdDSA', 0)]),
      issuer: 'i',
      audience: 'a',
      clock,
      store,
    });
    const sid = (n: number): string => `AAAA${String(n).padStart(22, '0')}`;
    const mine = tokens.issue({ subject: 'alice', sessionId: sid(1) });
    const other = tokens.issue({ subject: 'alice', sessionId: sid(2) });
    clock.advance(2000);
    await store.setSubjectNotBefore(sessionScope(sid(1)), clock(), clock() + HOUR);
    const loggedOut = await tokens.verify(mine.token, { strict: true });
    assert.equal(loggedOut.ok ? 'ok' : loggedOut.reason, 'revoked', "the session's own cut-off");
    assert.ok((await tokens.verify(other.token, { strict: true })).ok, 'another session of alice lives on');
    await store.setSubjectNotBefore(EVERYONE_SCOPE, clock(), clock() + HOUR);
    const everyone = await tokens.verify(other.token, { strict: true });
    assert.equal(everyone.ok ? 'ok' : everyone.reason, 'revoked', 'everyone cut-off');
    clock.advance(1000);
    const fresh = tokens.issue({ subject: 'bob', sessionId: sid(3) });
    assert.ok((await tokens.verify(fresh.token, { strict: true })).ok, 'tokens issued after it work');
    await store.close();
  });
});
