import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionRecord } from '../../src/core/session.js';
import { HOUR, makeRecord, newHash, T0 } from './fixtures.js';
import type { WithStore } from './store-suite.js';

const CREATE = { now: T0, maxPerSubject: null, overflow: 'refuse' } as const;
const ANY = { now: T0, expectedVersion: null } as const;

export function registerUpdateTests(withStore: WithStore): void {
  describe('updateData', () => {
    it('sets and unsets top-level keys, increments version, returns and stores the record', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: { keep: 1, drop: 2, replace: { a: 1 } }, version: 4 });
        await store.create(record, CREATE);
        const result = await store.updateData(
          record.id,
          { set: { replace: [1, { b: 'ü' }], added: null }, unset: ['drop', 'never-there'] },
          ANY,
        );
        const expected: SessionRecord = {
          ...record,
          data: { keep: 1, replace: [1, { b: 'ü' }], added: null },
          version: 5,
        };
        assert.deepEqual(result, { status: 'ok', record: expected });
        assert.deepEqual(await store.get(record.id), expected);
      });
    });

    it('keeps a "__proto__" key as plain data', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store);
        await store.create(record, CREATE);
        const set = JSON.parse('{"__proto__":{"admin":true}}');
        const result = await store.updateData(record.id, { set }, ANY);
        assert.equal(result.status, 'ok');
        const got = (await store.get(record.id)) as SessionRecord;
        assert.ok(Object.hasOwn(got.data, '__proto__'));
        assert.deepEqual(Object.getOwnPropertyDescriptor(got.data, '__proto__')?.value, { admin: true });
        assert.equal((got.data as Record<string, unknown>).admin, undefined);
      });
    });

    it('checks expectedVersion: a match writes, a stale version gets conflict with the current one', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: { n: 0 } });
        await store.create(record, CREATE);
        const ok = await store.updateData(record.id, { set: { n: 1 } }, { now: T0, expectedVersion: 1 });
        assert.equal(ok.status, 'ok');
        const stale = await store.updateData(record.id, { set: { n: 99 } }, { now: T0, expectedVersion: 1 });
        assert.deepEqual(stale, { status: 'conflict', version: 2 });
        const ahead = await store.updateData(record.id, { set: { n: 99 } }, { now: T0, expectedVersion: 3 });
        assert.deepEqual(ahead, { status: 'conflict', version: 2 });
        const got = (await store.get(record.id)) as SessionRecord;
        assert.deepEqual(got.data, { n: 1 });
        assert.equal(got.version, 2);
      });
    });

    it('50 concurrent patches of different keys all survive', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: { base: true } });
        await store.create(record, CREATE);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.updateData(record.id, { set: { [`k${i}`]: i } }, ANY)),
        );
        assert.ok(results.every((result) => result.status === 'ok'));
        const versions = results.map((result) => (result.status === 'ok' ? result.record.version : 0));
        assert.deepEqual(
          [...versions].sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, i) => i + 2),
          'each patch got its own version',
        );
        const got = (await store.get(record.id)) as SessionRecord;
        assert.equal(got.version, 51);
        assert.equal(got.data.base, true);
        for (let i = 0; i < 50; i++) assert.equal(got.data[`k${i}`], i);
      });
    });

    it('concurrent patches naming the same version: exactly one wins, the rest conflict', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store);
        await store.create(record, CREATE);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.updateData(record.id, { set: { winner: i } }, { now: T0, expectedVersion: 1 }),
          ),
        );
        const ok = results.filter((result) => result.status === 'ok');
        assert.equal(ok.length, 1);
        for (const result of results) {
          if (result.status !== 'ok') assert.deepEqual(result, { status: 'conflict', version: 2 });
        }
        const got = (await store.get(record.id)) as SessionRecord;
        assert.equal(got.version, 2);
      });
    });

    it('refuses an expired record (at the boundary too) with not_found and leaves it unchanged', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { idleExpiresAt: T0 + HOUR });
        await store.create(record, CREATE);
        for (const now of [T0 + HOUR, T0 + 2 * HOUR]) {
          assert.deepEqual(
            await store.updateData(record.id, { set: { a: 1 } }, { now, expectedVersion: null }),
            {
              status: 'not_found',
            },
          );
        }
        assert.deepEqual(await store.get(record.id), record);
      });
    });

    it('updates, touches and rotations racing a delete never resurrect the session', async () => {
      await withStore(async (store) => {
        for (let round = 0; round < 20; round++) {
          const record = makeRecord(store);
          await store.create(record, CREATE);
          // The delete lands at a different point among the writers each round.
          const writers: (() => Promise<unknown>)[] = [
            () =>
              store.touch(record.id, {
                now: T0,
                expectedSecretHash: record.secretHash,
                lastSeenAt: T0,
                idleExpiresAt: T0 + HOUR,
              }),
            ...Array.from(
              { length: 5 },
              (_, i) => () => store.updateData(record.id, { set: { [`k${i}`]: i } }, ANY),
            ),
            () =>
              store.rotate(record.id, {
                now: T0,
                expectedSecretHash: record.secretHash,
                secretHash: newHash(),
                previousSecretHash: null,
                previousSecretValidUntil: null,
                rotatedAt: T0,
                lastSeenAt: T0,
                idleExpiresAt: T0 + HOUR,
              }),
          ];
          writers.splice(round % (writers.length + 1), 0, () => store.delete(record.id));
          const calls = writers.map((write) => write());
          await Promise.all(calls);
          assert.equal(await store.get(record.id), null, `round ${round}: session came back`);
          assert.deepEqual(await store.listBySubject(record.subject, T0), []);
        }
      });
    });

    // Values of 150 characters: each key adds ~157 bytes (a few more as PostgreSQL jsonb text), so 6 keys stay
    // well under 1000 bytes and a 7th passes it by ~100 bytes in either measure.
    const LIMIT = 1000;
    const big = (i: number): Record<string, string> => ({ [`k${i}`]: String(i % 10).repeat(150) });

    it('maxDataBytes: a patch whose result passes the limit is refused, changing nothing', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: { keep: 'a' }, version: 3 });
        await store.create(record, CREATE);
        for (const expectedVersion of [null, 3]) {
          const refused = await store.updateData(
            record.id,
            { set: { big: 'x'.repeat(2000) }, unset: ['keep'] },
            { now: T0, expectedVersion, maxDataBytes: LIMIT },
          );
          assert.equal(refused.status, 'too_large');
          if (refused.status === 'too_large') assert.ok(refused.bytes > 2000, `bytes ${refused.bytes}`);
          assert.deepEqual(await store.get(record.id), record, 'data and version unchanged');
        }
        // A stale version is a conflict first, whatever the size.
        assert.deepEqual(
          await store.updateData(
            record.id,
            { set: { big: 'x'.repeat(2000) } },
            { now: T0, expectedVersion: 1, maxDataBytes: LIMIT },
          ),
          { status: 'conflict', version: 3 },
        );
        // The limit is on the data after the patch: unsetting a big key makes room for another.
        const within = await store.updateData(
          record.id,
          { set: { small: 'y'.repeat(500) } },
          { now: T0, expectedVersion: 3, maxDataBytes: LIMIT },
        );
        assert.equal(within.status, 'ok');
        const swap = await store.updateData(
          record.id,
          { set: { other: 'z'.repeat(500) }, unset: ['small'] },
          { now: T0, expectedVersion: null, maxDataBytes: LIMIT },
        );
        assert.equal(swap.status, 'ok');
        const got = (await store.get(record.id)) as SessionRecord;
        assert.deepEqual(got.data, { keep: 'a', other: 'z'.repeat(500) });
        assert.equal(got.version, 5);
        // No limit (null) is no limit.
        const unlimited = await store.updateData(
          record.id,
          { set: { huge: 'h'.repeat(5000) } },
          { now: T0, expectedVersion: null, maxDataBytes: null },
        );
        assert.equal(unlimited.status, 'ok');
      });
    });

    it('maxDataBytes: growing by many small patches stops at the limit', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: {} });
        await store.create(record, CREATE);
        const statuses: string[] = [];
        for (let i = 0; i < 10; i++) {
          const result = await store.updateData(
            record.id,
            { set: big(i) },
            { now: T0, expectedVersion: null, maxDataBytes: LIMIT },
          );
          statuses.push(result.status);
        }
        assert.deepEqual(statuses, [...Array(6).fill('ok'), ...Array(4).fill('too_large')]);
        const got = (await store.get(record.id)) as SessionRecord;
        assert.deepEqual(got.data, Object.assign({}, ...Array.from({ length: 6 }, (_, i) => big(i))));
        assert.equal(got.version, 7);
        assert.ok(Buffer.byteLength(JSON.stringify(got.data)) <= LIMIT);
      });
    });

    it('maxDataBytes: 20 concurrent small patches: exactly as many as fit are written', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: {} });
        await store.create(record, CREATE);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.updateData(
              record.id,
              { set: big(i) },
              { now: T0, expectedVersion: null, maxDataBytes: LIMIT },
            ),
          ),
        );
        assert.equal(results.filter((result) => result.status === 'ok').length, 6);
        for (const result of results) {
          if (result.status !== 'ok') assert.equal(result.status, 'too_large');
        }
        const got = (await store.get(record.id)) as SessionRecord;
        assert.equal(Object.keys(got.data).length, 6);
        assert.equal(got.version, 7);
        assert.ok(Buffer.byteLength(JSON.stringify(got.data)) <= LIMIT);
      });
    });

    it('after delete: not_found, no insert', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store);
        await store.create(record, CREATE);
        await store.delete(record.id);
        assert.deepEqual(await store.updateData(record.id, { set: { a: 1 } }, ANY), { status: 'not_found' });
        assert.deepEqual(
          await store.updateData(record.id, { set: { a: 1 } }, { now: T0, expectedVersion: 1 }),
          {
            status: 'not_found',
          },
        );
        assert.equal(await store.get(record.id), null);
      });
    });
  });
}
