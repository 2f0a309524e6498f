import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionRecord } from '../../src/core/session.js';
import { HOUR, MINUTE, makeRecord, newHash, newId, newSubject, ODD_IDS, T0 } from './fixtures.js';
import type { WithStore } from './store-suite.js';

const CREATE = { now: T0, maxPerSubject: null, overflow: 'refuse' } as const;

export function registerSessionTests(withStore: WithStore): void {
  describe('create and get', () => {
    it('round-trips every field, unicode, nested data and a "__proto__" key', async () => {
      await withStore(async (store) => {
        const data = JSON.parse(
          '{"__proto__":{"polluted":true},"name":"Zoë 🙂 日本","nested":{"list":[1,2.5,"x",null,true,{"deep":[[]]}],"empty":{}},"n":-0.125,"big":9007199254740991,"quote":"\'\\"\\\\"}',
        );
        const record = makeRecord(store, {
          subject: `ü-${newSubject()}-🙂`,
          data,
          version: 7,
          level: 2,
          levelAt: T0 + 5,
          previousSecretHash: newHash(),
          previousSecretValidUntil: T0 + 10_000,
          rotatedAt: T0 + 3,
          lastSeenAt: T0 + 4,
          ip: '2001:db8::1',
          userAgent: 'Mozilla/5.0 (X11; Linux) «test» 🙂',
        });
        const result = await store.create(record, CREATE);
        assert.deepEqual(result, { created: true, evicted: [] });
        const got = await store.get(record.id);
        assert.ok(got);
        assert.deepEqual(got, record);
        assert.ok(Object.hasOwn(got.data, '__proto__'), '"__proto__" stays an own data key');
        assert.equal(Object.getPrototypeOf(got.data), Object.getPrototypeOf({}));
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });
    });

    it('round-trips null optional fields and empty data', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { levelAt: null, data: {} });
        await store.create(record, CREATE);
        assert.deepEqual(await store.get(record.id), record);
      });
    });

    it('keeps its own copy: changing the input or a returned record does not change the store', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: { a: 1 } });
        const original = structuredClone(record);
        await store.create(record, CREATE);
        record.level = 99;
        record.data = { a: 2 };
        const got = (await store.get(record.id)) as SessionRecord;
        assert.deepEqual(got, original);
        got.level = 42;
        got.secretHash = 'changed';
        assert.deepEqual(await store.get(record.id), original);
      });
    });

    it('refuses a duplicate id and keeps the first record', async () => {
      await withStore(async (store) => {
        const first = makeRecord(store);
        await store.create(first, CREATE);
        const second = makeRecord(store, { id: first.id, subject: first.subject, data: { other: true } });
        await assert.rejects(store.create(second, CREATE));
        assert.deepEqual(await store.get(first.id), first);
      });
    });

    it('answers unknown and odd ids with null or false, never a throw', async () => {
      await withStore(async (store) => {
        const now = T0;
        const hash = newHash();
        for (const id of [...ODD_IDS, newId(store, 'nobody')]) {
          assert.equal(await store.get(id), null);
          assert.equal(
            await store.touch(id, { now, expectedSecretHash: hash, lastSeenAt: now, idleExpiresAt: now + 1 }),
            false,
          );
          assert.equal(
            await store.rotate(id, {
              now,
              expectedSecretHash: hash,
              secretHash: newHash(),
              previousSecretHash: null,
              previousSecretValidUntil: null,
              rotatedAt: now,
              lastSeenAt: now,
              idleExpiresAt: now + 1,
            }),
            null,
          );
          assert.deepEqual(await store.updateData(id, { set: { a: 1 } }, { now, expectedVersion: null }), {
            status: 'not_found',
          });
          assert.equal(await store.delete(id), null);
          assert.deepEqual(await store.deleteBySubject(id, null), []);
          assert.deepEqual(await store.listBySubject(id, now), []);
          assert.equal(await store.getSubjectNotBefore(id), null);
          assert.equal(await store.getRefreshFamily(id), null);
          assert.equal(await store.revokeRefreshFamily(id, now), false);
          assert.equal(
            await store.advanceRefreshFamily(
              id,
              { generation: 0, currentHash: hash },
              { generation: 1, currentHash: newHash(), previousHash: hash, rotatedAt: now },
            ),
            false,
          );
          assert.equal(await store.get(id), null, 'no call above may insert');
        }
      });
    });
  });

  describe('touch', () => {
    it('slides lastSeenAt and idleExpiresAt on a live record with the right hash', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store);
        await store.create(record, CREATE);
        const now = T0 + 10 * MINUTE;
        const wrote = await store.touch(record.id, {
          now,
          expectedSecretHash: record.secretHash,
          lastSeenAt: now,
          idleExpiresAt: now + 30 * MINUTE,
        });
        assert.equal(wrote, true);
        assert.deepEqual(await store.get(record.id), {
          ...record,
          lastSeenAt: now,
          idleExpiresAt: now + 30 * MINUTE,
        });
      });
    });

    it('never extends idleExpiresAt past absoluteExpiresAt', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { absoluteExpiresAt: T0 + 40 * MINUTE });
        await store.create(record, CREATE);
        const now = T0 + 20 * MINUTE;
        assert.equal(
          await store.touch(record.id, {
            now,
            expectedSecretHash: record.secretHash,
            lastSeenAt: now,
            idleExpiresAt: now + 30 * MINUTE,
          }),
          true,
        );
        const got = (await store.get(record.id)) as SessionRecord;
        assert.equal(got.idleExpiresAt, T0 + 40 * MINUTE);
        assert.equal(got.absoluteExpiresAt, T0 + 40 * MINUTE);
      });
    });

    it('refuses a wrong expected hash and changes nothing', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store);
        await store.create(record, CREATE);
        const now = T0 + MINUTE;
        assert.equal(
          await store.touch(record.id, {
            now,
            expectedSecretHash: newHash(),
            lastSeenAt: now,
            idleExpiresAt: now + 30 * MINUTE,
          }),
          false,
        );
        assert.deepEqual(await store.get(record.id), record);
      });
    });

    it('refuses a record expired at `now` (idle or absolute, boundary included) and never revives it', async () => {
      await withStore(async (store) => {
        const idle = makeRecord(store, { idleExpiresAt: T0 + 30 * MINUTE });
        const absolute = makeRecord(store, { idleExpiresAt: T0 + 2 * HOUR, absoluteExpiresAt: T0 + HOUR });
        await store.create(idle, CREATE);
        await store.create(absolute, CREATE);
        for (const [record, now] of [
          [idle, T0 + 30 * MINUTE],
          [idle, T0 + 31 * MINUTE],
          [absolute, T0 + HOUR],
        ] as const) {
          assert.equal(
            await store.touch(record.id, {
              now,
              expectedSecretHash: record.secretHash,
              lastSeenAt: now,
              idleExpiresAt: now + 30 * MINUTE,
            }),
            false,
          );
          assert.deepEqual(await store.get(record.id), record);
        }
      });
    });

    it('does nothing on a deleted record: no resurrection', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store);
        await store.create(record, CREATE);
        await store.delete(record.id);
        const now = T0 + MINUTE;
        assert.equal(
          await store.touch(record.id, {
            now,
            expectedSecretHash: record.secretHash,
            lastSeenAt: now,
            idleExpiresAt: now + MINUTE,
          }),
          false,
        );
        assert.equal(await store.get(record.id), null);
        assert.deepEqual(await store.listBySubject(record.subject, now), []);
      });
    });
  });

  describe('rotate', () => {
    it('replaces the secret and timing fields, keeps data, version and level unless given', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: { cart: [1, 2] }, version: 3, level: 1, levelAt: T0 });
        await store.create(record, CREATE);
        const now = T0 + 5 * MINUTE;
        const secretHash = newHash();
        const update = {
          now,
          expectedSecretHash: record.secretHash,
          secretHash,
          previousSecretHash: record.secretHash,
          previousSecretValidUntil: now + 5000,
          rotatedAt: now,
          lastSeenAt: now,
          idleExpiresAt: now + 30 * MINUTE,
        };
        const rotated = await store.rotate(record.id, update);
        const expected: SessionRecord = {
          ...record,
          secretHash,
          previousSecretHash: record.secretHash,
          previousSecretValidUntil: now + 5000,
          rotatedAt: now,
          lastSeenAt: now,
          idleExpiresAt: now + 30 * MINUTE,
        };
        assert.deepEqual(rotated, expected);
        assert.deepEqual(await store.get(record.id), expected);
      });
    });

    it('records a new level and its time when given (elevation), clamped to the absolute limit', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { absoluteExpiresAt: T0 + 20 * MINUTE });
        await store.create(record, CREATE);
        const now = T0 + 10 * MINUTE;
        const rotated = await store.rotate(record.id, {
          now,
          expectedSecretHash: record.secretHash,
          secretHash: newHash(),
          previousSecretHash: null,
          previousSecretValidUntil: null,
          rotatedAt: now,
          lastSeenAt: now,
          idleExpiresAt: now + 30 * MINUTE,
          level: 2,
          levelAt: now,
        });
        assert.ok(rotated);
        assert.equal(rotated.level, 2);
        assert.equal(rotated.levelAt, now);
        assert.equal(rotated.idleExpiresAt, T0 + 20 * MINUTE);
        assert.deepEqual(await store.get(record.id), rotated);
      });
    });

    it('with absoluteExpiresAt (re-authentication) stores it, clamps idle to it, and the sweep follows it', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { idleExpiresAt: T0 + HOUR, absoluteExpiresAt: T0 + HOUR });
        await store.create(record, CREATE);
        const now = T0 + 50 * MINUTE;
        const absoluteExpiresAt = now + 2 * HOUR;
        const rotated = await store.rotate(record.id, {
          now,
          expectedSecretHash: record.secretHash,
          secretHash: newHash(),
          previousSecretHash: null,
          previousSecretValidUntil: null,
          rotatedAt: now,
          lastSeenAt: now,
          idleExpiresAt: now + 3 * HOUR,
          level: 2,
          levelAt: now,
          absoluteExpiresAt,
        });
        assert.ok(rotated);
        assert.equal(rotated.absoluteExpiresAt, absoluteExpiresAt);
        assert.equal(rotated.idleExpiresAt, absoluteExpiresAt, 'idle is clamped to the new absolute expiry');
        assert.deepEqual(await store.get(record.id), rotated);
        // Past the old absolute expiry: still live, not swept.
        assert.equal(await store.deleteExpired(T0 + HOUR + MINUTE, 100), 0);
        assert.deepEqual(await store.get(record.id), rotated);
        assert.equal((await store.listBySubject(record.subject, T0 + HOUR + MINUTE)).length, 1);
        // A plain rotation leaves the (new) absolute expiry as it is.
        const later = now + 10 * MINUTE;
        const plain = await store.rotate(record.id, {
          now: later,
          expectedSecretHash: rotated.secretHash,
          secretHash: newHash(),
          previousSecretHash: null,
          previousSecretValidUntil: null,
          rotatedAt: later,
          lastSeenAt: later,
          idleExpiresAt: later + 3 * HOUR,
        });
        assert.ok(plain);
        assert.equal(plain.absoluteExpiresAt, absoluteExpiresAt);
        assert.equal(plain.idleExpiresAt, absoluteExpiresAt);
        assert.deepEqual(await store.get(record.id), plain);
        assert.equal(await store.deleteExpired(absoluteExpiresAt, 100), 0);
        assert.equal(await store.deleteExpired(absoluteExpiresAt + 1, 100), 1);
        assert.equal(await store.get(record.id), null);
      });
    });

    it('with an earlier absoluteExpiresAt, the session is swept at the earlier time', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { idleExpiresAt: T0 + 6 * HOUR, absoluteExpiresAt: T0 + 12 * HOUR });
        await store.create(record, CREATE);
        const now = T0 + 10 * MINUTE;
        const rotated = await store.rotate(record.id, {
          now,
          expectedSecretHash: record.secretHash,
          secretHash: newHash(),
          previousSecretHash: null,
          previousSecretValidUntil: null,
          rotatedAt: now,
          lastSeenAt: now,
          idleExpiresAt: now + 3 * HOUR,
          absoluteExpiresAt: T0 + HOUR,
        });
        assert.ok(rotated);
        assert.equal(rotated.absoluteExpiresAt, T0 + HOUR);
        assert.equal(rotated.idleExpiresAt, T0 + HOUR);
        assert.equal(await store.deleteExpired(T0 + HOUR, 100), 0);
        assert.equal(await store.deleteExpired(T0 + HOUR + 1, 100), 1);
        assert.equal(await store.get(record.id), null);
      });
    });

    it('is a compare-and-set: a wrong hash, an expired record or a missing one gives null', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store);
        await store.create(record, CREATE);
        const base = {
          secretHash: newHash(),
          previousSecretHash: null,
          previousSecretValidUntil: null,
          rotatedAt: T0,
          lastSeenAt: T0,
          idleExpiresAt: T0 + HOUR,
        };
        assert.equal(
          await store.rotate(record.id, { ...base, now: T0, expectedSecretHash: newHash() }),
          null,
        );
        assert.equal(
          await store.rotate(record.id, {
            ...base,
            now: record.idleExpiresAt,
            expectedSecretHash: record.secretHash,
          }),
          null,
        );
        assert.deepEqual(await store.get(record.id), record);
        await store.delete(record.id);
        assert.equal(
          await store.rotate(record.id, { ...base, now: T0, expectedSecretHash: record.secretHash }),
          null,
        );
        assert.equal(await store.get(record.id), null);
      });
    });

    it('two concurrent rotations with the same expected hash: exactly one wins, its hash is stored', async () => {
      await withStore(async (store) => {
        for (let round = 0; round < 5; round++) {
          const record = makeRecord(store);
          await store.create(record, CREATE);
          const hashes = Array.from({ length: 4 }, () => newHash());
          const results = await Promise.all(
            hashes.map((secretHash) =>
              store.rotate(record.id, {
                now: T0,
                expectedSecretHash: record.secretHash,
                secretHash,
                previousSecretHash: null,
                previousSecretValidUntil: null,
                rotatedAt: T0,
                lastSeenAt: T0,
                idleExpiresAt: T0 + HOUR,
              }),
            ),
          );
          const winners = results.filter((result) => result !== null);
          assert.equal(winners.length, 1, 'exactly one rotation wins');
          const stored = (await store.get(record.id)) as SessionRecord;
          assert.equal(stored.secretHash, winners[0]?.secretHash);
          // The old secret no longer touches.
          assert.equal(
            await store.touch(record.id, {
              now: T0,
              expectedSecretHash: record.secretHash,
              lastSeenAt: T0,
              idleExpiresAt: T0 + HOUR,
            }),
            false,
          );
        }
      });
    });
  });

  describe('delete, deleteBySubject, listBySubject', () => {
    it('delete returns the removed record once, then null', async () => {
      await withStore(async (store) => {
        const record = makeRecord(store, { data: { k: 'v' } });
        await store.create(record, CREATE);
        assert.deepEqual(await store.delete(record.id), record);
        assert.equal(await store.delete(record.id), null);
        assert.equal(await store.get(record.id), null);
      });
    });

    it('deleteBySubject removes the subject only, honours `except`, returns the removed ids', async () => {
      await withStore(async (store) => {
        const subject = newSubject();
        const other = `${subject}x`;
        const mine = [0, 1, 2, 3].map((i) => makeRecord(store, { subject, createdAt: T0 + i }));
        const theirs = [0, 1].map((i) => makeRecord(store, { subject: other, createdAt: T0 + i }));
        for (const record of [...mine, ...theirs]) await store.create(record, CREATE);
        const keep = mine[1] as SessionRecord;
        const removed = await store.deleteBySubject(subject, keep.id);
        assert.deepEqual(
          [...removed].sort(),
          mine
            .filter((r) => r !== keep)
            .map((r) => r.id)
            .sort(),
        );
        assert.deepEqual(await store.get(keep.id), keep);
        for (const record of theirs) assert.deepEqual(await store.get(record.id), record);
        assert.deepEqual(
          (await store.listBySubject(subject, T0)).map((r) => r.id),
          [keep.id],
        );
        assert.deepEqual(await store.deleteBySubject(subject, null), [keep.id]);
        assert.equal(await store.get(keep.id), null);
        assert.deepEqual(await store.deleteBySubject(subject, null), []);
        assert.equal((await store.listBySubject(other, T0)).length, 2);
      });
    });

    it('deleteBySubject with an `except` of another subject removes all of this one', async () => {
      await withStore(async (store) => {
        const a = makeRecord(store);
        const b = makeRecord(store);
        await store.create(a, CREATE);
        await store.create(b, CREATE);
        assert.deepEqual(await store.deleteBySubject(a.subject, b.id), [a.id]);
        assert.deepEqual(await store.get(b.id), b);
      });
    });

    it('listBySubject returns only live sessions (expiry after now), oldest first, of that subject only', async () => {
      await withStore(async (store) => {
        const subject = newSubject('list');
        const now = T0 + 20 * MINUTE;
        const c = makeRecord(store, { subject, createdAt: T0 + 3, lastSeenAt: T0 + 3 });
        const a = makeRecord(store, { subject, createdAt: T0 + 1, lastSeenAt: T0 + 1 });
        const b = makeRecord(store, { subject, createdAt: T0 + 2, lastSeenAt: T0 + 2 });
        const idleGone = makeRecord(store, { subject, idleExpiresAt: now });
        const absoluteGone = makeRecord(store, { subject, absoluteExpiresAt: now - 1 });
        const similar = [`${subject}%`, `${subject}_`, `${subject}:x`, subject.slice(0, -1), `${subject} `];
        for (const record of [c, a, b, idleGone, absoluteGone]) await store.create(record, CREATE);
        for (const s of similar) await store.create(makeRecord(store, { subject: s }), CREATE);
        assert.deepEqual(await store.listBySubject(subject, now), [a, b, c]);
        // Each look-alike subject sees exactly its own one session.
        for (const s of similar) assert.equal((await store.listBySubject(s, now)).length, 1);
      });
    });

    it('subjects with pattern metacharacters are matched exactly', async () => {
      await withStore(async (store) => {
        const base = newSubject('meta');
        const subjects = [`${base}%`, `${base}_x`, `${base}*`, `${base}{x}`, `${base}[a]`, `${base}\\`];
        for (const s of subjects) await store.create(makeRecord(store, { subject: s }), CREATE);
        await store.create(makeRecord(store, { subject: `${base}ax` }), CREATE);
        assert.equal((await store.deleteBySubject(`${base}%`, null)).length, 1);
        assert.equal((await store.deleteBySubject(`${base}_x`, null)).length, 1);
        assert.equal((await store.deleteBySubject(`${base}*`, null)).length, 1);
        assert.equal((await store.listBySubject(`${base}ax`, T0)).length, 1);
        assert.equal((await store.listBySubject(`${base}{x}`, T0)).length, 1);
      });
    });
  });
}
