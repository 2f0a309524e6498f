import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionRecord } from '../../src/core/session.js';
import type { CreateResult } from '../../src/core/store.js';
import { MINUTE, makeRecord, newSubject, T0 } from './fixtures.js';
import type { WithStore } from './store-suite.js';

export function registerCapTests(withStore: WithStore): void {
  describe('per-subject cap', () => {
    it('refuse: the session past the cap is not stored; other subjects and expired sessions do not count', async () => {
      await withStore(async (store) => {
        const subject = newSubject('cap');
        const options = { now: T0 + 10 * MINUTE, maxPerSubject: 3, overflow: 'refuse' } as const;
        // An expired session of the subject and a live session of another subject: neither counts.
        const expired = makeRecord(store, { subject, idleExpiresAt: T0 + 10 * MINUTE });
        await store.create(expired, { ...options, now: T0 });
        await store.create(makeRecord(store, { subject: `${subject}-other` }), { ...options, now: T0 });
        const records = [1, 2, 3].map((i) => makeRecord(store, { subject, createdAt: T0 + i }));
        for (const record of records) {
          assert.deepEqual(await store.create(record, options), { created: true, evicted: [] });
        }
        const extra = makeRecord(store, { subject, createdAt: T0 + 4 });
        assert.deepEqual(await store.create(extra, options), { created: false, reason: 'limit' });
        assert.equal(await store.get(extra.id), null);
        assert.deepEqual(await store.listBySubject(subject, options.now), records);
      });
    });

    it('evict-oldest: removes the oldest live sessions (by createdAt) and returns their ids', async () => {
      await withStore(async (store) => {
        const subject = newSubject('evict');
        const none = { now: T0, maxPerSubject: null, overflow: 'evict-oldest' } as const;
        // Created out of order and without a cap: five live sessions.
        const records = [3, 1, 5, 2, 4].map((i) => makeRecord(store, { subject, createdAt: T0 + i }));
        for (const record of records) await store.create(record, none);
        const byAge = [...records].sort((a, b) => a.createdAt - b.createdAt);
        const next = makeRecord(store, { subject, createdAt: T0 + 6 });
        const result = await store.create(next, { now: T0, maxPerSubject: 3, overflow: 'evict-oldest' });
        assert.equal(result.created, true);
        const evicted = result.created ? result.evicted : [];
        assert.deepEqual(
          [...evicted].sort(),
          byAge
            .slice(0, 3)
            .map((r) => r.id)
            .sort(),
        );
        for (const id of evicted) assert.equal(await store.get(id), null);
        assert.deepEqual(await store.listBySubject(subject, T0), [...byAge.slice(3), next]);
      });
    });

    it('evict-oldest does not count or evict expired sessions', async () => {
      await withStore(async (store) => {
        const subject = newSubject('evict-exp');
        const now = T0 + 31 * MINUTE;
        const expired = makeRecord(store, { subject, createdAt: T0, idleExpiresAt: T0 + 30 * MINUTE });
        const live = makeRecord(store, { subject, createdAt: T0 + 1, idleExpiresAt: T0 + 60 * MINUTE });
        await store.create(expired, { now: T0, maxPerSubject: null, overflow: 'evict-oldest' });
        await store.create(live, { now: T0, maxPerSubject: null, overflow: 'evict-oldest' });
        const next = makeRecord(store, { subject, createdAt: now, idleExpiresAt: now + 30 * MINUTE });
        const result = await store.create(next, { now, maxPerSubject: 2, overflow: 'evict-oldest' });
        assert.deepEqual(result, { created: true, evicted: [] });
        assert.deepEqual(await store.listBySubject(subject, now), [live, next]);
      });
    });

    for (const overflow of ['refuse', 'evict-oldest'] as const) {
      it(`is atomic under concurrency (${overflow}): 20 parallel creates with a cap of 5 leave 5 live`, async () => {
        await withStore(async (store) => {
          const subject = newSubject(`race-${overflow}`);
          const records = Array.from({ length: 20 }, (_, i) =>
            makeRecord(store, { subject, createdAt: T0 + i }),
          );
          const results: CreateResult[] = await Promise.all(
            records.map((record) => store.create(record, { now: T0, maxPerSubject: 5, overflow })),
          );
          const live = await store.listBySubject(subject, T0);
          assert.equal(live.length, 5);
          const created = records.filter((_, i) => results[i]?.created === true);
          if (overflow === 'refuse') {
            assert.equal(created.length, 5, 'exactly the first five to commit were stored');
            assert.deepEqual(live.map((r) => r.id).sort(), created.map((r) => r.id).sort());
          } else {
            assert.equal(created.length, 20);
            const evicted = results.flatMap((result) => (result.created ? result.evicted : []));
            assert.equal(evicted.length, 15, 'every eviction is reported once');
            assert.equal(new Set(evicted).size, 15);
            const liveIds = new Set(live.map((r: SessionRecord) => r.id));
            for (const id of evicted) assert.ok(!liveIds.has(id));
          }
        });
      });
    }
  });
}
