import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera } from '../../src/core/manager.js';
import { AccessTokens, generateJwtKey, JwtKeyRing } from '../../src/stateless/jwt/index.js';
import { RESERVED_CLAIMS } from '../../src/stateless/jwt/claims.js';
import { RefreshTokens, type TokenPair } from '../../src/stateless/refresh/index.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { DpopTestKey } from '../support/dpop-key.js';

const SECRET = 'refresh-secret-with-plenty-of-entropy-0123456789';
const key = generateJwtKey('EdDSA', 0, 'k1');
const client = { ip: '203.0.113.7', userAgent: 'Tessera test browser' };

async function setup(claims?: ConstructorParameters<typeof RefreshTokens>[0]['claims']) {
  const clock = manualClock();
  const events: TesseraEvent[] = [];
  const store = new MemoryStore();
  const manager = createTessera({
    store,
    clock,
    idleTimeout: 3600,
    absoluteTimeout: 86400,
    onEvent: (e) => events.push(e),
  });
  const accessTokens = new AccessTokens({
    keys: new JwtKeyRing([key]),
    issuer: 'iss',
    audience: 'api',
    clock,
    manager,
  });
  const refresh = new RefreshTokens({
    manager,
    accessTokens,
    secret: SECRET,
    ...(claims === undefined ? {} : { claims }),
  });
  const login = await manager.create({ subject: 'alice', data: { roles: ['reader'] }, ...client });
  const device = await DpopTestKey.create('ES256', clock);
  return { clock, events, store, manager, accessTokens, refresh, login, device };
}

function pair(result: unknown): TokenPair {
  assert.ok((result as { ok: boolean }).ok, `expected a pair, got ${JSON.stringify(result)}`);
  return result as TokenPair;
}

describe('DPoP-bound access tokens (cnf.jkt)', () => {
  it('carry the key thumbprint, verified like any claim', async () => {
    const { accessTokens, login, device } = await setup();
    const issued = accessTokens.issue({ subject: 'alice', sessionId: login.session.id, jkt: device.jkt });
    assert.deepEqual(issued.claims.cnf, { jkt: device.jkt });
    const verified = await accessTokens.verify(issued.token, { strict: true });
    assert.ok(verified.ok);
    assert.deepEqual(verified.claims.cnf, { jkt: device.jkt });
    assert.throws(
      () => accessTokens.issue({ subject: 'a', sessionId: login.session.id, jkt: 'short' }),
      TypeError,
    );
  });
});

describe('custom claims in access tokens', () => {
  it("carry the application's claims, as JSON", async () => {
    const { accessTokens, login } = await setup();
    const claims = { roles: ['admin', 'reader'], tenant: 't-42', limits: { rps: 10 }, beta: true };
    const issued = accessTokens.issue({ subject: 'alice', sessionId: login.session.id, claims });
    const verified = accessTokens.verifySync(issued.token);
    assert.ok(verified.ok);
    assert.deepEqual(verified.claims.roles, ['admin', 'reader']);
    assert.equal(verified.claims.tenant, 't-42');
    assert.deepEqual(verified.claims.limits, { rps: 10 });
    assert.equal(verified.claims.sub, 'alice');
  });

  it('refuse reserved names, non-JSON values, non-plain objects and too many bytes (TypeError)', async () => {
    const { accessTokens, login } = await setup();
    const issue = (claims: unknown) =>
      accessTokens.issue({
        subject: 'alice',
        sessionId: login.session.id,
        claims: claims as Record<string, unknown>,
      });
    for (const name of RESERVED_CLAIMS) assert.throws(() => issue({ [name]: 'x' }), TypeError, name);
    for (const bad of [
      { a: undefined },
      { a: () => 1 },
      { a: Number.NaN },
      { a: 1n },
      { a: [Number.POSITIVE_INFINITY] },
      new Map(),
      [1],
      'roles',
      null,
    ]) {
      assert.throws(() => issue(bad), TypeError, String(bad));
    }
    assert.throws(() => issue({ blob: 'x'.repeat(1100) }), /more than 1024 bytes/);
    assert.ok(issue({ blob: 'x'.repeat(1000) }).token);
    const wide = new AccessTokens({
      keys: new JwtKeyRing([key]),
      issuer: 'iss',
      audience: 'api',
      maxClaimsBytes: 4096,
    });
    assert.ok(
      wide.issue({ subject: 'alice', sessionId: login.session.id, claims: { blob: 'x'.repeat(3000) } }).token,
    );
  });

  it('come from the live session at every refresh (RefreshTokens claims option)', async () => {
    const { refresh, manager, login, accessTokens } = await setup((session) => ({
      roles: session.data.roles,
    }));
    const first = pair(await refresh.exchange(login.token, client));
    assert.deepEqual(first.claims.roles, ['reader']);
    await manager.update(login.session.id, { set: { roles: ['reader', 'editor'] } });
    const next = pair(await refresh.refresh(first.refreshToken, client));
    assert.deepEqual(next.claims.roles, ['reader', 'editor']);
    const verified = accessTokens.verifySync(next.accessToken);
    assert.ok(verified.ok);
    assert.deepEqual(verified.claims.roles, ['reader', 'editor']);
  });
});

describe('DPoP-bound refresh tokens (RFC 9449 5)', () => {
  it('bind the whole family: every refresh needs a proof by the same key, every access token carries cnf', async () => {
    const { refresh, login, device } = await setup();
    const first = pair(await refresh.exchange(login.token, client, { jkt: device.jkt }));
    assert.deepEqual(first.claims.cnf, { jkt: device.jkt });
    const second = pair(await refresh.refresh(first.refreshToken, client, { jkt: device.jkt }));
    assert.deepEqual(second.claims.cnf, { jkt: device.jkt });
    const third = pair(await refresh.refresh(second.refreshToken, client, { jkt: device.jkt }));
    assert.equal(third.familyId, first.familyId);
  });

  it("make a stolen refresh token useless without the key, and a thief cannot end the user's family", async () => {
    const { refresh, login, device, events, manager, clock } = await setup();
    const first = pair(await refresh.exchange(login.token, client, { jkt: device.jkt }));
    const thief = await DpopTestKey.create('ES256', clock);
    assert.deepEqual(await refresh.refresh(first.refreshToken, client), {
      ok: false,
      code: 'token_invalid',
      status: 401,
      reason: 'dpop',
    });
    assert.equal((await refresh.refresh(first.refreshToken, client, { jkt: thief.jkt })).ok, false);
    // The user goes on: the thief's attempts were not judged as reuse and changed nothing.
    const mine = pair(await refresh.refresh(first.refreshToken, client, { jkt: device.jkt }));
    assert.ok(mine.accessToken);
    assert.equal(events.filter((e) => e.type === 'refresh-reuse').length, 0);
    assert.ok((await manager.get(login.session.id)) !== null);
  });

  it('close the grace window: a copy of the replaced token, same address and agent, is refused without the key', async () => {
    const { refresh, login, device } = await setup();
    const first = pair(await refresh.exchange(login.token, client, { jkt: device.jkt }));
    pair(await refresh.refresh(first.refreshToken, client, { jkt: device.jkt }));
    // Inside the grace window, with the victim's exact facts: without the key, nothing.
    const stolen = await refresh.refresh(first.refreshToken, client);
    assert.equal(stolen.ok === false && 'reason' in stolen && stolen.reason, 'dpop');
    // The same client (a second tab, same key) still gets the successor inside the grace.
    const tab = pair(await refresh.refresh(first.refreshToken, client, { jkt: device.jkt }));
    assert.deepEqual(tab.claims.cnf, { jkt: device.jkt });
  });

  it('bind a bearer family to the first key that refreshes it with a proof (roll-out), from then on', async () => {
    const { refresh, login, device } = await setup();
    const bearer = pair(await refresh.exchange(login.token, client));
    assert.equal(bearer.claims.cnf, undefined);
    const upgraded = pair(await refresh.refresh(bearer.refreshToken, client, { jkt: device.jkt }));
    assert.deepEqual(upgraded.claims.cnf, { jkt: device.jkt });
    const without = await refresh.refresh(upgraded.refreshToken, client);
    assert.equal(without.ok === false && 'reason' in without && without.reason, 'dpop');
  });

  it('refuse a refresh token whose key part was changed (the MAC covers it)', async () => {
    const { refresh, login, device, clock } = await setup();
    const first = pair(await refresh.exchange(login.token, client, { jkt: device.jkt }));
    const thief = await DpopTestKey.create('ES256', clock);
    const swapped = first.refreshToken.replace(device.jkt, thief.jkt);
    assert.notEqual(swapped, first.refreshToken);
    const result = await refresh.refresh(swapped, client, { jkt: thief.jkt });
    assert.equal(result.ok === false && 'reason' in result && result.reason, 'forged');
    const stripped = first.refreshToken.replace(`.${device.jkt}`, '');
    const bare = await refresh.refresh(stripped, client);
    assert.equal(bare.ok === false && 'reason' in bare && bare.reason, 'forged');
  });
});
