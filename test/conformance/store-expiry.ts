import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVERYONE_SCOPE, sessionScope } from '../../src/core/cutoffs.js';
import { HOUR, MINUTE, makeFamily, makeRecord, newSubject, T0 } from './fixtures.js';
import type { WithStore } from './store-suite.js';

const CREATE = { now: T0, maxPerSubject: null, overflow: 'refuse' } as const;

export function registerExpiryTests(withStore: WithStore): void {
  describe('deleteExpired', () => {
    it('removes only sessions whose expiry (the earlier limit) is before `before`', async () => {
      await withStore(async (store) => {
        const before = T0 + HOUR;
        const idleGone = makeRecord(store, { idleExpiresAt: before - 1 });
        const absoluteGone = makeRecord(store, {
          idleExpiresAt: before + HOUR,
          absoluteExpiresAt: before - 1,
        });
        const boundary = makeRecord(store, { idleExpiresAt: before });
        const live = makeRecord(store, { idleExpiresAt: before + 1 });
        for (const record of [idleGone, absoluteGone, boundary, live]) await store.create(record, CREATE);
        assert.equal(await store.deleteExpired(before, 100), 2);
        assert.equal(await store.get(idleGone.id), null);
        assert.equal(await store.get(absoluteGone.id), null);
        assert.deepEqual(await store.get(boundary.id), boundary);
        assert.deepEqual(await store.get(live.id), live);
        assert.deepEqual(await store.listBySubject(idleGone.subject, T0), []);
        assert.equal(await store.deleteExpired(before, 100), 0);
      });
    });

    it('works in batches of at most `limit`', async () => {
      await withStore(async (store) => {
        const subject = newSubject('sweep');
        const records = Array.from({ length: 10 }, (_, i) =>
          makeRecord(store, { subject, createdAt: T0 + i, idleExpiresAt: T0 + MINUTE + i }),
        );
        for (const record of records) await store.create(record, CREATE);
        const keep = makeRecord(store, { subject, idleExpiresAt: T0 + HOUR });
        await store.create(keep, CREATE);
        const counts: number[] = [];
        for (;;) {
          const removed = await store.deleteExpired(T0 + 2 * MINUTE, 3);
          assert.ok(removed <= 3, `removed ${removed} with a limit of 3`);
          counts.push(removed);
          if (removed === 0) break;
          assert.ok(counts.length < 20, 'deleteExpired never finishes');
        }
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          10,
        );
        for (const record of records) assert.equal(await store.get(record.id), null);
        assert.deepEqual(await store.get(keep.id), keep);
      });
    });

    it('uses the current expiry: a session touched after creation is kept', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { idleExpiresAt: T0 + 30 * MINUTE });
        await store.create(record, CREATE);
        const now = T0 + 20 * MINUTE;
        await store.touch(record.id, {
          now,
          expectedSecretHash: record.secretHash,
          lastSeenAt: now,
          idleExpiresAt: now + 30 * MINUTE,
        });
        assert.equal(await store.deleteExpired(T0 + 40 * MINUTE, 100), 0);
        assert.ok(await store.get(record.id));
        assert.equal(await store.deleteExpired(T0 + 51 * MINUTE, 100), 1);
        assert.equal(await store.get(record.id), null);
      });
    });

    it('also removes expired refresh families and not-before entries, and only those', async () => {
      await withStore(async (store) => {
        const before = T0 + HOUR;
        const gone = makeFamily({ expiresAt: before - 1 });
        const kept = makeFamily({ expiresAt: before });
        await store.createRefreshFamily(gone);
        await store.createRefreshFamily(kept);
        const oldSubject = newSubject('nb-old');
        const newSubjectName = newSubject('nb-new');
        await store.setSubjectNotBefore(oldSubject, T0, before - 1);
        await store.setSubjectNotBefore(newSubjectName, T0, before + 1);
        let removed = 0;
        for (let i = 0; i < 10; i++) {
          const batch = await store.deleteExpired(before, 100);
          if (batch === 0) break;
          removed += batch;
        }
        assert.equal(removed, 2);
        assert.equal(await store.getRefreshFamily(gone.familyId), null);
        assert.deepEqual(await store.getRefreshFamily(kept.familyId), kept);
        assert.equal(await store.getSubjectNotBefore(oldSubject), null);
        assert.equal(await store.getSubjectNotBefore(newSubjectName), T0);
      });
    });
  });

  describe('subject not-before', () => {
    it('is null until set, then never moves backwards; subjects are independent', async () => {
      await withStore(async (store) => {
        const subject = newSubject('nb');
        const other = `${subject}-other`;
        assert.equal(await store.getSubjectNotBefore(subject), null);
        await store.setSubjectNotBefore(subject, T0 + 100, T0 + HOUR);
        assert.equal(await store.getSubjectNotBefore(subject), T0 + 100);
        await store.setSubjectNotBefore(subject, T0 + 50, T0 + HOUR);
        assert.equal(await store.getSubjectNotBefore(subject), T0 + 100);
        await store.setSubjectNotBefore(subject, T0 + 200, T0 + HOUR);
        assert.equal(await store.getSubjectNotBefore(subject), T0 + 200);
        assert.equal(await store.getSubjectNotBefore(other), null);
        await Promise.all(
          [300, 250, 400, 350].map((n) => store.setSubjectNotBefore(subject, T0 + n, T0 + HOUR)),
        );
        assert.equal(await store.getSubjectNotBefore(subject), T0 + 400);
      });
    });

    it('getLatestNotBefore reads the latest of several scopes, reserved ones included, in any order', async () => {
      await withStore(async (store) => {
        const subject = newSubject('nb-latest');
        const session = sessionScope(`${subject}-s`);
        assert.equal(await store.getLatestNotBefore([subject, EVERYONE_SCOPE, session]), null, 'none set');
        assert.equal(await store.getLatestNotBefore([]), null, 'no scopes');
        await store.setSubjectNotBefore(session, T0 + 30, T0 + HOUR);
        assert.equal(await store.getLatestNotBefore([subject, session]), T0 + 30, 'a session scope');
        await store.setSubjectNotBefore(subject, T0 + 50, T0 + HOUR);
        assert.equal(await store.getLatestNotBefore([session, subject]), T0 + 50, 'the later one wins');
        assert.equal(await store.getLatestNotBefore([session]), T0 + 30, 'one scope alone');
        assert.equal(await store.getLatestNotBefore([`${subject}-other`]), null, 'others untouched');
      });
    });

    it('keeps the entry until the latest expiresAt it was given', async () => {
      await withStore(async (store) => {
        const subject = newSubject('nb-keep');
        await store.setSubjectNotBefore(subject, T0 + 10, T0 + 2 * HOUR);
        // A later call with an earlier expiresAt must not shorten how long the entry is kept.
        await store.setSubjectNotBefore(subject, T0 + 20, T0 + HOUR);
        await store.deleteExpired(T0 + 90 * MINUTE, 100);
        assert.equal(await store.getSubjectNotBefore(subject), T0 + 20);
        await store.deleteExpired(T0 + 3 * HOUR, 100);
        assert.equal(await store.getSubjectNotBefore(subject), null);
      });
    });
  });

  describe('useOnce (one-time keys)', () => {
    it('is true the first time a key is used and false after, until its record expires', async () => {
      await withStore(async (store) => {
        const key = `once-${newSubject('k')}`;
        assert.equal(await store.useOnce(key, T0 + MINUTE, T0), true, 'first use');
        assert.equal(await store.useOnce(key, T0 + MINUTE, T0 + 1000), false, 'a replay');
        assert.equal(await store.useOnce(key, T0 + 2 * MINUTE, T0 + MINUTE - 1), false, 'still inside');
        assert.equal(await store.useOnce(`${key}-other`, T0 + MINUTE, T0), true, 'keys are independent');
        assert.equal(await store.useOnce(key.toUpperCase(), T0 + MINUTE, T0), true, 'case matters');
      });
    });

    it('of many concurrent uses of one key, exactly one is first', async () => {
      await withStore(async (store) => {
        const key = `race-${newSubject('k')}`;
        const results = await Promise.all(
          Array.from({ length: 12 }, () => store.useOnce(key, T0 + MINUTE, T0)),
        );
        assert.equal(results.filter(Boolean).length, 1);
      });
    });

    it('refuses keys that are not 1..200 printable ASCII characters, and writes nothing', async () => {
      await withStore(async (store) => {
        for (const bad of ['', 'a b', 'nul\0', 'é', 'x'.repeat(201), 42 as unknown as string]) {
          await assert.rejects(store.useOnce(bad, T0 + MINUTE, T0), TypeError, JSON.stringify(bad));
        }
        await assert.rejects(store.useOnce('k', Number.NaN, T0), TypeError);
        assert.equal(await store.useOnce('x'.repeat(200), T0 + MINUTE, T0), true, '200 characters is fine');
      });
    });

    it('deleteExpired removes expired one-time keys (and counts them); live ones stay used', async () => {
      await withStore(async (store) => {
        const gone = `gone-${newSubject('k')}`;
        const live = `live-${newSubject('k')}`;
        assert.equal(await store.useOnce(gone, T0 + MINUTE, T0), true);
        assert.equal(await store.useOnce(live, T0 + HOUR, T0), true);
        await store.deleteExpired(T0 + 2 * MINUTE, 100);
        assert.equal(await store.useOnce(live, T0 + HOUR, T0 + 2 * MINUTE), false, 'live key still used');
        assert.equal(await store.useOnce(gone, T0 + 3 * MINUTE, T0 + 2 * MINUTE), true, 'expired key free');
      });
    });
  });
}
