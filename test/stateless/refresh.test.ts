import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import type { TesseraEvent } from '../../src/core/events.js';
import { createTessera } from '../../src/core/manager.js';
import { AccessTokens, generateJwtKey, JwtKeyRing } from '../../src/stateless/jwt/index.js';
import { parseRefreshToken, RefreshTokens, type TokenPair } from '../../src/stateless/refresh/index.js';
import type { SessionStore } from '../../src/core/store.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';

const SECRET = 'refresh-secret-with-plenty-of-entropy-0123456789';
const key = generateJwtKey('EdDSA', 0, 'k1');

async function setup(
  store: SessionStore,
  options: { grace?: number; familyLifetime?: number; bindGraceToClient?: boolean } = {},
  binding?: { ip?: 'exact'; userAgent?: boolean },
) {
  const clock = manualClock();
  const events: TesseraEvent[] = [];
  const manager = createTessera({
    store,
    clock,
    idleTimeout: 3600,
    absoluteTimeout: 86400,
    onEvent: (e) => events.push(e),
    ...(binding === undefined ? {} : { binding }),
  });
  const accessTokens = new AccessTokens({
    keys: new JwtKeyRing([key]),
    issuer: 'iss',
    audience: 'api',
    clock,
    manager,
  });
  const refresh = new RefreshTokens({ manager, accessTokens, secret: SECRET, ...options });
  const client = { ip: '203.0.113.7', userAgent: 'Tessera test browser' };
  const login = await manager.create({ subject: 'alice', ...client });
  const first = await refresh.exchange(login.token, client);
  assert.ok(first.ok, 'exchange works');
  return { clock, events, manager, accessTokens, refresh, login, first: first as TokenPair };
}

function expectPair(result: Awaited<ReturnType<RefreshTokens['refresh']>>): TokenPair {
  assert.ok(result.ok, `expected a pair, got ${JSON.stringify(result)}`);
  return result as TokenPair;
}

const stores: Array<[string, () => Promise<{ store: SessionStore; done: () => Promise<void> }>]> = [
  [
    'memory',
    async () => {
      const store = new MemoryStore();
      return { store, done: () => store.close() };
    },
  ],
  [
    'sqlite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tessera-refresh-'));
      const store = new SqliteStore({ path: join(dir, 'db.sqlite') });
      return {
        store,
        done: async () => {
          await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

for (const [name, open] of stores) {
  describe(`refresh tokens (${name} store)`, () => {
    let store: SessionStore;
    let done: () => Promise<void>;
    before(async () => {
      ({ store, done } = await open());
    });
    after(() => done());

    it('rotates on every use; the new access token verifies; the store keeps only hashes', async () => {
      const { refresh, accessTokens, first, clock } = await setup(store);
      clock.advance(60_000);
      const second = expectPair(await refresh.refresh(first.refreshToken));
      assert.notEqual(second.refreshToken, first.refreshToken);
      assert.notEqual(second.accessToken, first.accessToken);
      assert.ok(
        (await accessTokens.verify(second.accessToken, { strict: true })).ok,
        'access token verifies',
      );
      const family = await store.getRefreshFamily(first.familyId);
      const secret = parseRefreshToken(second.refreshToken)?.secret as string;
      assert.ok(family !== null && !JSON.stringify(family).includes(secret), 'no secret at rest');
      assert.equal(family?.generation, 1);
    });

    it('gives every concurrent refresh of one token the same successor pair inside the grace window', async () => {
      const { refresh, first, clock } = await setup(store);
      clock.advance(60_000);
      const results = await Promise.all(
        Array.from({ length: 25 }, () => refresh.refresh(first.refreshToken)),
      );
      const pairs = results.map(expectPair);
      assert.equal(new Set(pairs.map((pair) => pair.refreshToken)).size, 1, 'one refresh successor');
      assert.equal(new Set(pairs.map((pair) => pair.accessToken)).size, 1, 'one access successor');
      clock.advance(4_000);
      const late = expectPair(await refresh.refresh(first.refreshToken));
      assert.equal(
        late.refreshToken,
        pairs[0]?.refreshToken,
        'a late tab inside the grace gets the same pair',
      );
      assert.equal(late.accessToken, pairs[0]?.accessToken);
      const next = expectPair(await refresh.refresh(late.refreshToken));
      assert.notEqual(next.refreshToken, late.refreshToken, 'the successor itself still rotates');
    });

    it('serves the grace window only to the client that rotated: a copy from elsewhere is reuse, even inside it', async () => {
      const { refresh, first, clock, events, manager, login } = await setup(store);
      const victim = { ip: '203.0.113.7', userAgent: 'Tessera test browser' };
      clock.advance(60_000);
      const second = expectPair(await refresh.refresh(first.refreshToken, victim));
      clock.advance(1_000);
      const sameTab = expectPair(await refresh.refresh(first.refreshToken, victim));
      assert.equal(
        sameTab.refreshToken,
        second.refreshToken,
        'the rotating client still gets its pair in the grace',
      );
      const thief = { ip: '198.51.100.9', userAgent: 'Tessera test browser' };
      const stolen = await refresh.refresh(first.refreshToken, thief);
      assert.deepEqual(
        stolen,
        { ok: false, code: 'refresh_reused', status: 401 },
        'the copy is judged as reuse',
      );
      const event = events.find((e) => e.type === 'refresh-reuse');
      assert.equal(event?.detail?.withinGrace, true, 'the event says the copy came inside the grace');
      const successor = await refresh.refresh(second.refreshToken, victim);
      assert.equal(successor.ok, false, 'the family is ended, successor and all');
      assert.equal(await manager.get(login.session.id), null, 'and the session with it');
      const forgedAgent = await setup(store);
      forgedAgent.clock.advance(60_000);
      expectPair(await forgedAgent.refresh.refresh(forgedAgent.first.refreshToken, victim));
      const otherAgent = await forgedAgent.refresh.refresh(forgedAgent.first.refreshToken, {
        ip: victim.ip,
        userAgent: 'curl/8.0',
      });
      assert.equal(otherAgent.ok, false, 'another user agent from the same address is another client');
    });

    it('serves anyone inside the grace when bindGraceToClient is off (the previous behaviour, opt-in)', async () => {
      const { refresh, first, clock, manager, accessTokens } = await setup(store, {
        bindGraceToClient: false,
      });
      clock.advance(60_000);
      const second = expectPair(await refresh.refresh(first.refreshToken, { ip: '203.0.113.7' }));
      const other = expectPair(await refresh.refresh(first.refreshToken, { ip: '198.51.100.9' }));
      assert.equal(other.refreshToken, second.refreshToken);
      assert.throws(
        () =>
          new RefreshTokens({
            manager,
            accessTokens,
            secret: SECRET,
            bindGraceToClient: 'yes' as unknown as boolean,
          }),
        /bindGraceToClient must be a boolean/,
      );
    });

    it('revokes the family and the session on reuse after the grace window, with a refresh-reuse event', async () => {
      const { refresh, first, clock, events, manager, login, accessTokens } = await setup(store);
      const second = expectPair(await refresh.refresh(first.refreshToken));
      clock.advance(5_001);
      const reused = await refresh.refresh(first.refreshToken);
      assert.deepEqual(reused, { ok: false, code: 'refresh_reused', status: 401 });
      const event = events.find((e) => e.type === 'refresh-reuse');
      assert.ok(event !== undefined, 'refresh-reuse event');
      assert.equal(event.sessionId, login.session.id);
      assert.ok(
        !JSON.stringify(event).includes(parseRefreshToken(first.refreshToken)?.secret as string),
        'no secret in event',
      );
      const successor = await refresh.refresh(second.refreshToken);
      assert.equal(successor.ok ? 'ok' : successor.code === 'token_invalid' && successor.reason, 'revoked');
      assert.equal(await manager.get(login.session.id), null, 'session revoked');
      const strict = await accessTokens.verify(second.accessToken, { strict: true });
      assert.equal(strict.ok, false, 'strict access check sees the revocation');
      assert.equal((await manager.validate(login.token)).ok, false, 'session token dead');
    });

    it('does not let a forged old token for a known family trigger a revocation', async () => {
      const { refresh, first, clock, events } = await setup(store);
      const second = expectPair(await refresh.refresh(first.refreshToken));
      clock.advance(60_000);
      const parsed = parseRefreshToken(first.refreshToken);
      assert.ok(parsed !== null, 'parses');
      const forgedSecret = `${parsed.secret.slice(0, -1)}${parsed.secret.endsWith('A') ? 'B' : 'A'}`;
      const forged = `rt1.${parsed.familyId}.0.${forgedSecret}.${parsed.mac}`;
      const result = await refresh.refresh(forged);
      assert.equal(result.ok ? 'ok' : result.code === 'token_invalid' && result.reason, 'forged');
      const wrongMac = `rt1.${parsed.familyId}.0.${parsed.secret}.${'A'.repeat(22)}`;
      assert.equal((await refresh.refresh(wrongMac)).ok, false);
      assert.equal(events.filter((e) => e.type === 'refresh-reuse').length, 0, 'no theft alarm');
      expectPair(await refresh.refresh(second.refreshToken));
    });

    it('ends the family with its session and at its absolute lifetime', async () => {
      const one = await setup(store);
      await one.manager.revokeById(one.login.session.id);
      const afterRevoke = await one.refresh.refresh(one.first.refreshToken);
      assert.equal(
        afterRevoke.ok ? 'ok' : afterRevoke.code === 'token_invalid' && afterRevoke.reason,
        'session',
      );
      const two = await setup(store, { familyLifetime: 600 });
      let pair = two.first;
      for (let i = 0; i < 4; i += 1) {
        two.clock.advance(120_000);
        pair = expectPair(await two.refresh.refresh(pair.refreshToken));
      }
      two.clock.advance(121_000);
      const expired = await two.refresh.refresh(pair.refreshToken);
      assert.equal(expired.ok ? 'ok' : expired.code === 'token_invalid' && expired.reason, 'expired');
    });

    it('applies the session binding to refreshes: another address is refused, with binding-mismatch', async () => {
      const { refresh, events, first, login } = await setup(store, {}, { ip: 'exact', userAgent: true });
      const home = { ip: '203.0.113.7', userAgent: 'Tessera test browser' };
      const second = expectPair(await refresh.refresh(first.refreshToken, home));
      const stolen = await refresh.refresh(second.refreshToken, {
        ip: '198.51.100.9',
        userAgent: home.userAgent,
      });
      assert.equal(stolen.ok ? 'ok' : stolen.code === 'token_invalid' && stolen.reason, 'session');
      const mismatch = events.find((e) => e.type === 'binding-mismatch');
      assert.ok(mismatch, 'a binding-mismatch event');
      assert.equal(mismatch.sessionId, login.session.id);
    });

    it('reports an expired session met through a refresh as expired, like a session token', async () => {
      const { refresh, events, first, clock } = await setup(store);
      clock.advance(3600 * 1000 + 1000);
      const result = await refresh.refresh(first.refreshToken);
      assert.equal(result.ok ? 'ok' : result.code === 'token_invalid' && result.reason, 'session');
      assert.ok(
        events.some((e) => e.type === 'expired' && e.reason === 'idle'),
        'an expired event',
      );
    });

    it('refuses malformed tokens and session tokens that are not valid', async () => {
      const { refresh } = await setup(store);
      for (const token of [
        null,
        '',
        'rt1.x',
        'ts1.abc',
        `rt1.${'A'.repeat(22)}.01.${'A'.repeat(43)}.${'A'.repeat(22)}`,
      ]) {
        const result = await refresh.refresh(token);
        assert.equal(result.ok ? 'ok' : result.code === 'token_invalid' && result.reason, 'malformed');
      }
      const bad = await refresh.exchange('ts1.nope');
      assert.equal(bad.ok, false);
    });
  });
}
