import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { manualClock } from '../../src/core/clock.js';
import { createTessera } from '../../src/core/manager.js';
import {
  AccessTokenAuthenticator,
  AccessTokens,
  generateJwtKey,
  JwtKeyRing,
} from '../../src/stateless/jwt/index.js';
import type { RequestFacts } from '../../src/transport/request.js';
import { audienceTag, refreshKeys } from '../../src/stateless/refresh/format.js';
import { parseRefreshToken, RefreshTokens, type TokenPair } from '../../src/stateless/refresh/index.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { keyObject } from '../support/key-objects.js';

// ASVS 5.0 9.2.4: a token names one audience, chosen per token from an allowed list, never all of them.
const SECRET = 'refresh-secret-with-plenty-of-entropy-0123456789';
const SID = 'AAAAbbbbccccddddeeeeffffgg';
const key = generateJwtKey('EdDSA', 0, 'k1');
const AUDIENCES = ['api-a', 'api-b'];
const CLIENT = { ip: '203.0.113.7', userAgent: 'Tessera test browser' };

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
}

function expectPair(result: unknown): TokenPair {
  assert.ok((result as { ok?: boolean }).ok, `expected a pair, got ${JSON.stringify(result)}`);
  return result as TokenPair;
}

async function setup(audience: string[] = AUDIENCES) {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const store = new MemoryStore();
  const manager = createTessera({ store, clock, idleTimeout: 3600, absoluteTimeout: 86400 });
  const accessTokens = new AccessTokens({
    keys: new JwtKeyRing([key]),
    issuer: 'iss',
    audience,
    clock,
    manager,
  });
  const refresh = new RefreshTokens({ manager, accessTokens, secret: SECRET });
  const login = await manager.create({ subject: 'alice', ...CLIENT });
  return { clock, store, manager, accessTokens, refresh, login };
}

describe('one audience per access token (ASVS 5.0 9.2.4)', () => {
  it('issues exactly one aud: the first configured audience by default, or the one asked for', () => {
    const tokens = new AccessTokens({ keys: new JwtKeyRing([key]), issuer: 'iss', audience: AUDIENCES });
    const byDefault = tokens.issue({ subject: 'alice', sessionId: SID });
    assert.equal(payloadOf(byDefault.token).aud, 'api-a', 'a string, not the configured list');
    assert.equal(byDefault.claims.aud, 'api-a');
    const forB = tokens.issue({ subject: 'alice', sessionId: SID, audience: 'api-b' });
    assert.equal(payloadOf(forB.token).aud, 'api-b');
    assert.throws(
      () => tokens.issue({ subject: 'alice', sessionId: SID, audience: 'api-c' }),
      (error: unknown) => error instanceof TypeError && /configured audiences/.test(error.message),
    );
  });

  it('verify with an audience refuses a token for another configured audience; without one, any is accepted', async () => {
    const tokens = new AccessTokens({ keys: new JwtKeyRing([key]), issuer: 'iss', audience: AUDIENCES });
    const forB = tokens.issue({ subject: 'alice', sessionId: SID, audience: 'api-b' }).token;
    assert.deepEqual(await tokens.verify(forB, { audience: 'api-a' }), {
      ok: false,
      code: 'token_invalid',
      status: 401,
      reason: 'audience',
    });
    assert.equal(tokens.verifySync(forB, { audience: 'api-a' }).ok, false, 'the sync check too');
    assert.equal((await tokens.verify(forB, { audience: 'api-b' })).ok, true);
    assert.equal((await tokens.verify(forB)).ok, true, 'no audience asked for: any configured one');
    await assert.rejects(tokens.verify(forB, { audience: 'api-c' }), TypeError);
  });

  it('with an audience, refuses a token whose aud is a list, even one naming it (issued before one aud per token)', async () => {
    const tokens = new AccessTokens({ keys: new JwtKeyRing([key]), issuer: 'iss', audience: AUDIENCES });
    const now = Math.floor(Date.now() / 1000);
    const listed = await new SignJWT({ sub: 'alice', sid: SID, jti: 'j1', iss: 'iss', aud: AUDIENCES })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' })
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .sign(keyObject(key.privateKey));
    assert.equal((await tokens.verify(listed)).ok, true, 'still accepted without an audience');
    const result = await tokens.verify(listed, { audience: 'api-a' });
    assert.equal(result.ok ? 'ok' : result.reason, 'audience');
  });
});

describe('a refresh family keeps its audience', () => {
  it('every pair refreshed from a family carries the audience of its first pair', async () => {
    const { refresh, clock, login } = await setup();
    const first = expectPair(await refresh.exchange(login.token, CLIENT, { audience: 'api-b' }));
    assert.equal(payloadOf(first.accessToken).aud, 'api-b');
    clock.advance(60_000);
    const second = expectPair(await refresh.refresh(first.refreshToken, CLIENT));
    assert.equal(payloadOf(second.accessToken).aud, 'api-b');
    clock.advance(1_000);
    const again = expectPair(await refresh.refresh(first.refreshToken, CLIENT));
    assert.equal(again.accessToken, second.accessToken, 'the grace path gives the same pair, same audience');
    clock.advance(60_000);
    const third = expectPair(await refresh.refresh(second.refreshToken, CLIENT));
    assert.equal(payloadOf(third.accessToken).aud, 'api-b');

    const byDefault = expectPair(await refresh.exchange(login.token, CLIENT));
    assert.equal(payloadOf(byDefault.accessToken).aud, 'api-a', 'the first configured audience by default');
    clock.advance(60_000);
    const refreshed = expectPair(await refresh.refresh(byDefault.refreshToken, CLIENT));
    assert.equal(payloadOf(refreshed.accessToken).aud, 'api-a');
  });

  it('a refresh token minted for one audience cannot be refreshed into another: the audience is under the MAC', async () => {
    const { refresh, clock, login } = await setup();
    const forB = expectPair(await refresh.exchange(login.token, CLIENT, { audience: 'api-b' }));
    const parsed = parseRefreshToken(forB.refreshToken);
    assert.ok(parsed !== null && parsed.audienceTag === audienceTag('api-b'));
    const moved = `rt1.${parsed.familyId}.0.${parsed.secret}.${audienceTag('api-a')}.${parsed.mac}`;
    clock.advance(60_000);
    assert.deepEqual(await refresh.refresh(moved, CLIENT), {
      ok: false,
      code: 'token_invalid',
      status: 401,
      reason: 'forged',
    });
    const stripped = `rt1.${parsed.familyId}.0.${parsed.secret}.${parsed.mac}`;
    assert.equal((await refresh.refresh(stripped, CLIENT)).ok, false, 'nor by dropping the audience part');
    const real = expectPair(await refresh.refresh(forB.refreshToken, CLIENT));
    assert.equal(payloadOf(real.accessToken).aud, 'api-b', 'the forgeries changed nothing');
    await assert.rejects(
      refresh.exchange(login.token, CLIENT, { audience: 'api-c' }),
      TypeError,
      'an audience outside the list is misuse',
    );
    await assert.rejects(
      refresh.exchange('not-a-session-token', CLIENT, { audience: 'api-c' }),
      TypeError,
      'checked before the session token is even looked at',
    );
  });

  it('refuses a family whose audience is no longer configured, and refreshes a token from before the audience part into the first', async () => {
    const { refresh, manager, clock, login } = await setup();
    const forB = expectPair(await refresh.exchange(login.token, CLIENT, { audience: 'api-b' }));
    const narrowed = new RefreshTokens({
      manager,
      accessTokens: new AccessTokens({
        keys: new JwtKeyRing([key]),
        issuer: 'iss',
        audience: 'api-a',
        clock,
      }),
      secret: SECRET,
    });
    clock.advance(60_000);
    const dropped = await narrowed.refresh(forB.refreshToken, CLIENT);
    assert.equal(dropped.ok ? 'ok' : (dropped as { reason?: string }).reason, 'audience');

    // A token in the earlier five-part form (what this server issued before), for a live family.
    const parsed = parseRefreshToken(forB.refreshToken);
    assert.ok(parsed !== null);
    const body = `rt1.${parsed.familyId}.0.${parsed.secret}`;
    const mac = createHmac('sha256', refreshKeys(SECRET).mac).update(body).digest().subarray(0, 16);
    const legacy = `${body}.${mac.toString('base64url')}`;
    assert.equal(parseRefreshToken(legacy)?.audienceTag, null);
    const upgraded = expectPair(await refresh.refresh(legacy, CLIENT));
    assert.equal(payloadOf(upgraded.accessToken).aud, 'api-a');
    assert.equal(parseRefreshToken(upgraded.refreshToken)?.audienceTag, audienceTag('api-a'));
  });
});

describe('Bearer routes name their audience', () => {
  it('AccessTokenAuthenticator with an audience answers 401 to a token for another configured audience', async () => {
    const { accessTokens } = await setup();
    const facts = (token: string): RequestFacts => ({
      method: 'GET',
      url: '/',
      ip: '127.0.0.1',
      header: (name) => (name === 'authorization' ? `Bearer ${token}` : null),
    });
    const forA = accessTokens.issue({ subject: 'alice', sessionId: SID, audience: 'api-a' }).token;
    const forB = accessTokens.issue({ subject: 'alice', sessionId: SID, audience: 'api-b' }).token;
    const routesOfB = new AccessTokenAuthenticator(accessTokens, { audience: 'api-b' });
    const refused = await routesOfB.authenticate(facts(forA));
    assert.equal(refused.result.ok ? 'ok' : refused.result.code, 'token_invalid');
    assert.ok((await routesOfB.authenticate(facts(forB))).result.ok, 'its own audience passes');
    assert.ok(
      (await new AccessTokenAuthenticator(accessTokens).authenticate(facts(forA))).result.ok,
      'no audience: any',
    );
    assert.throws(() => new AccessTokenAuthenticator(accessTokens, { audience: 'api-c' }), TypeError);
  });
});
