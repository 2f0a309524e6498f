import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ValidationResult } from '../../src/core/outcome.js';
import type { SessionRecord } from '../../src/core/session.js';
import { parseToken } from '../../src/core/token.js';
import { newSubject } from './fixtures.js';
import type { WithManager } from './manager-setup.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

function expectOk(result: ValidationResult): asserts result is Extract<ValidationResult, { ok: true }> {
  assert.equal(result.ok, true, `expected a valid session, got ${JSON.stringify(result)}`);
}

export function registerLifetimeScenarios(withManager: WithManager): void {
  describe('lifetime', () => {
    it('idle expiry: valid until the idle timeout, then 440 session_expired naming "idle"', async () => {
      await withManager({ idleTimeout: 1800, absoluteTimeout: 43200 }, async ({ manager, clock, events }) => {
        const { token, session } = await manager.create({ subject: newSubject() });
        assert.equal(session.idleExpiresAt - session.createdAt, 30 * MINUTE);
        // No validation in between: the idle window was never slid, so it ends 30 minutes after creation.
        clock.set(session.createdAt + 30 * MINUTE);
        const result = await manager.validate(token);
        assert.deepEqual(result, {
          ok: false,
          code: 'session_expired',
          status: 440,
          limit: 'idle',
          sessionId: session.id,
        });
        assert.ok(
          events.some((e) => e.type === 'expired' && e.reason === 'idle' && e.sessionId === session.id),
        );
      });
    });

    it('a session just inside its idle window is valid', async () => {
      await withManager({ idleTimeout: 1800 }, async ({ manager, clock }) => {
        const { token } = await manager.create({ subject: newSubject() });
        clock.advance(30 * MINUTE - 1);
        expectOk(await manager.validate(token));
      });
    });

    it('absolute expiry: activity keeps it alive only until the absolute limit, then 440 "absolute"', async () => {
      await withManager({ idleTimeout: 1800, absoluteTimeout: 3600 }, async ({ manager, clock, store }) => {
        const { token, session } = await manager.create({ subject: newSubject() });
        for (let minute = 20; minute < 60; minute += 20) {
          clock.set(session.createdAt + minute * MINUTE);
          const result = await manager.validate(token);
          expectOk(result);
          assert.ok(result.session.idleExpiresAt <= session.absoluteExpiresAt);
        }
        const stored = (await store.get(session.id)) as SessionRecord;
        assert.equal(
          stored.idleExpiresAt,
          session.absoluteExpiresAt,
          'renewal is clamped to the absolute limit',
        );
        clock.set(session.absoluteExpiresAt);
        const result = await manager.validate(token);
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.code, 'session_expired');
        assert.equal(!result.ok && result.status, 440);
        assert.equal(!result.ok && result.code === 'session_expired' && result.limit, 'absolute');
      });
    });

    it('sliding renewal writes at most once per renewal fraction of the idle window', async () => {
      await withManager(
        { idleTimeout: 1000, absoluteTimeout: 100_000, renewalFraction: 0.1 },
        async ({ manager, clock, calls, store }) => {
          const { token, session } = await manager.create({ subject: newSubject() });
          const touches = (): number => calls.get('touch') ?? 0;
          // 100 s renewal step; validate every 10 s for 1000 s.
          let renewedCount = 0;
          for (let step = 1; step <= 100; step++) {
            clock.set(session.createdAt + step * 10 * SECOND);
            const result = await manager.validate(token);
            expectOk(result);
            if (result.renewed) renewedCount += 1;
          }
          assert.equal(touches(), renewedCount);
          assert.equal(touches(), 10, 'one write per 100 s of activity');
          const stored = (await store.get(session.id)) as SessionRecord;
          assert.equal(stored.lastSeenAt, session.createdAt + 1000 * SECOND);
          assert.equal(stored.idleExpiresAt, session.createdAt + 2000 * SECOND);
        },
      );
    });

    it('an expired session is never revived: no touch, no rotation, the store row is unchanged', async () => {
      await withManager({ idleTimeout: 600 }, async ({ manager, clock, store, calls }) => {
        const { token, session } = await manager.create({ subject: newSubject() });
        clock.advance(11 * MINUTE);
        const before = await store.get(session.id);
        assert.equal((await manager.validate(token)).ok, false);
        const rotated = await manager.rotate(token);
        assert.equal(rotated.ok, false);
        assert.equal(!rotated.ok && rotated.code, 'session_expired');
        assert.equal(calls.get('touch') ?? 0, 0);
        assert.equal(calls.get('rotate') ?? 0, 0);
        assert.equal((await manager.update(session.id, { set: { a: 1 } })).ok, false);
        assert.deepEqual(await store.get(session.id), before);
        assert.equal(await manager.get(session.id), null);
        assert.deepEqual(await manager.list(session.subject), []);
        // Even a direct touch with the right hash (a racing request) cannot revive it.
        const record = before as SessionRecord;
        const now = clock();
        assert.equal(
          await store.touch(session.id, {
            now,
            expectedSecretHash: record.secretHash,
            lastSeenAt: now,
            idleExpiresAt: now + 10 * MINUTE,
          }),
          false,
        );
        assert.equal((await manager.validate(token)).ok, false);
      });
    });

    it('rotation: the old token is dead at once, the new one works, data and id are kept', async () => {
      await withManager({}, async ({ manager, clock, events }) => {
        const { token, session } = await manager.create({ subject: newSubject(), data: { cart: [1] } });
        clock.advance(MINUTE);
        const rotated = await manager.rotate(token);
        assert.equal(rotated.ok, true);
        if (!rotated.ok) return;
        assert.notEqual(rotated.token, token);
        assert.equal(rotated.session.id, session.id);
        assert.deepEqual(rotated.session.data, { cart: [1] });
        assert.equal(rotated.session.rotatedAt, clock());
        const old = await manager.validate(token);
        assert.equal(!old.ok && old.code, 'token_invalid');
        expectOk(await manager.validate(rotated.token));
        const again = await manager.rotate(token);
        assert.equal(!again.ok && again.code, 'token_invalid');
        assert.ok(events.some((e) => e.type === 'rotated' && e.sessionId === session.id));
      });
    });

    it('concurrent rotations of one token: exactly one new token is issued', async () => {
      await withManager({}, async ({ manager }) => {
        const { token } = await manager.create({ subject: newSubject() });
        const results = await Promise.all([1, 2, 3, 4].map(() => manager.rotate(token)));
        const winners = results.filter((r) => r.ok);
        assert.equal(winners.length, 1);
        for (const r of results) if (!r.ok) assert.equal(r.code, 'token_invalid');
      });
    });

    it('rotationGrace: the old token keeps working (stale) for the grace only, and cannot rotate', async () => {
      await withManager({ rotationGrace: 10 }, async ({ manager, clock }) => {
        const { token } = await manager.create({ subject: newSubject() });
        const rotated = await manager.rotate(token);
        assert.ok(rotated.ok);
        clock.advance(5 * SECOND);
        const stale = await manager.validate(token);
        expectOk(stale);
        assert.equal(stale.stale, true);
        const rotateStale = await manager.rotate(token);
        assert.equal(!rotateStale.ok && rotateStale.code, 'token_invalid');
        clock.advance(5 * SECOND);
        assert.equal((await manager.validate(token)).ok, false);
        if (rotated.ok) expectOk(await manager.validate(rotated.token));
      });
    });

    it('elevate rotates and records the level and its time', async () => {
      await withManager({}, async ({ manager, clock, events }) => {
        const { token, session } = await manager.create({ subject: newSubject(), level: 1 });
        clock.advance(5 * MINUTE);
        const elevated = await manager.elevate(token, 2);
        assert.ok(elevated.ok);
        if (!elevated.ok) return;
        assert.equal(elevated.session.level, 2);
        assert.equal(elevated.session.levelAt, clock());
        assert.notEqual(elevated.token, token);
        assert.equal((await manager.validate(token)).ok, false);
        const now = await manager.validate(elevated.token);
        expectOk(now);
        assert.equal(now.session.level, 2);
        assert.ok(manager.hasLevel(now.session, { level: 2, maxAge: 60 }));
        clock.advance(2 * MINUTE);
        assert.ok(!manager.hasLevel(now.session, { level: 2, maxAge: 60 }));
        assert.ok(!manager.hasLevel(now.session, { level: 3 }));
        const event = events.find((e) => e.type === 'elevated');
        assert.equal(event?.sessionId, session.id);
        assert.equal(event?.detail?.level, 2);
      });
    });

    it('re-authentication (elevate) resets both timeouts; a plain rotate keeps the absolute limit (7.1.1)', async () => {
      const HOUR = 60 * MINUTE;
      await withManager({ idleTimeout: 4 * 3600, absoluteTimeout: 12 * 3600 }, async (setup) => {
        const { manager, clock, events } = setup;
        const reauthenticated = await manager.create({ subject: newSubject(), level: 1 });
        const rotatedOnly = await manager.create({ subject: newSubject(), level: 1 });
        const start = reauthenticated.session.createdAt;
        let plainToken = rotatedOnly.token;
        for (const hour of [3, 6, 9]) {
          clock.set(start + hour * HOUR);
          expectOk(await manager.validate(reauthenticated.token));
          expectOk(await manager.validate(plainToken));
        }
        clock.set(start + 11 * HOUR);
        const elevated = await manager.elevate(reauthenticated.token, 2);
        assert.ok(elevated.ok);
        if (!elevated.ok) return;
        assert.equal(elevated.session.absoluteExpiresAt, clock() + 12 * HOUR, 'a fresh overall window');
        assert.equal(elevated.session.idleExpiresAt, clock() + 4 * HOUR, 'a fresh inactivity window');
        assert.equal(elevated.session.createdAt, start);
        const plain = await manager.rotate(plainToken);
        assert.ok(plain.ok);
        if (!plain.ok) return;
        plainToken = plain.token;
        assert.equal(plain.session.absoluteExpiresAt, start + 12 * HOUR, 'a plain rotation keeps the limit');
        assert.ok(
          events.some(
            (e) => e.type === 'elevated' && e.sessionId === elevated.session.id && e.at === clock(),
          ),
        );
        clock.set(start + 13 * HOUR);
        expectOk(await manager.validate(elevated.token));
        const plainAt13 = await manager.validate(plainToken);
        assert.equal(!plainAt13.ok && plainAt13.code === 'session_expired' && plainAt13.limit, 'absolute');
        for (const hour of [16, 19, 22]) {
          clock.set(start + hour * HOUR);
          expectOk(await manager.validate(elevated.token));
        }
        clock.set(start + 23 * HOUR - 1);
        expectOk(await manager.validate(elevated.token));
        clock.set(start + 23 * HOUR);
        const ended = await manager.validate(elevated.token);
        assert.equal(!ended.ok && ended.code === 'session_expired' && ended.limit, 'absolute');
      });
    });

    it('sweepExpired removes sessions only after the retention window', async () => {
      await withManager({ idleTimeout: 600, expiredRetention: 600 }, async ({ manager, clock, store }) => {
        const { token, session } = await manager.create({ subject: newSubject() });
        clock.advance(15 * MINUTE);
        assert.equal(await manager.sweepExpired(), 0);
        const expired = await manager.validate(token);
        assert.equal(!expired.ok && expired.code, 'session_expired');
        clock.advance(10 * MINUTE);
        assert.equal(await manager.sweepExpired(), 1);
        assert.equal(await store.get(session.id), null);
        const gone = await manager.validate(token);
        assert.equal(!gone.ok && gone.code, 'token_invalid');
        assert.ok(parseToken(token));
      });
    });
  });
}
