import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RefreshFamilyRecord } from '../../src/core/store.js';
import { makeFamily, newHash, T0 } from './fixtures.js';
import type { WithStore } from './store-suite.js';

function advanceFrom(family: RefreshFamilyRecord, at = T0 + 1000) {
  const currentHash = newHash();
  return {
    expected: { generation: family.generation, currentHash: family.currentHash },
    next: { generation: family.generation + 1, currentHash, previousHash: family.currentHash, rotatedAt: at },
  };
}

export function registerRefreshTests(withStore: WithStore): void {
  describe('refresh families', () => {
    it('create/get round trip; a duplicate id is refused and the first kept', async () => {
      await withStore(async (store) => {
        const family = makeFamily({ subject: 'ü🙂-subject', previousHash: newHash(), rotatedAt: T0 + 5 });
        await store.createRefreshFamily(family);
        assert.deepEqual(await store.getRefreshFamily(family.familyId), family);
        await assert.rejects(store.createRefreshFamily({ ...family, currentHash: newHash() }));
        assert.deepEqual(await store.getRefreshFamily(family.familyId), family);
      });
    });

    it('advance is a compare-and-set on generation and current hash', async () => {
      await withStore(async (store) => {
        const family = makeFamily();
        await store.createRefreshFamily(family);
        const { expected, next } = advanceFrom(family);
        assert.equal(
          await store.advanceRefreshFamily(family.familyId, { ...expected, generation: 1 }, next),
          false,
        );
        assert.equal(
          await store.advanceRefreshFamily(family.familyId, { ...expected, currentHash: newHash() }, next),
          false,
        );
        assert.deepEqual(await store.getRefreshFamily(family.familyId), family);
        assert.equal(await store.advanceRefreshFamily(family.familyId, expected, next), true);
        const advanced = { ...family, ...next };
        assert.deepEqual(await store.getRefreshFamily(family.familyId), advanced);
        // The same expectation again is now stale.
        assert.equal(
          await store.advanceRefreshFamily(family.familyId, expected, advanceFrom(family).next),
          false,
        );
        assert.deepEqual(await store.getRefreshFamily(family.familyId), advanced);
      });
    });

    it('concurrent advances of the same generation: exactly one wins', async () => {
      await withStore(async (store) => {
        for (let round = 0; round < 5; round++) {
          const family = makeFamily();
          await store.createRefreshFamily(family);
          const attempts = Array.from({ length: 5 }, () => advanceFrom(family));
          const results = await Promise.all(
            attempts.map(({ expected, next }) => store.advanceRefreshFamily(family.familyId, expected, next)),
          );
          assert.equal(results.filter(Boolean).length, 1);
          const winner = attempts[results.indexOf(true)];
          assert.deepEqual(await store.getRefreshFamily(family.familyId), { ...family, ...winner?.next });
        }
      });
    });

    it('a revoked family cannot advance; revoking keeps the first revocation time', async () => {
      await withStore(async (store) => {
        const family = makeFamily();
        await store.createRefreshFamily(family);
        assert.equal(await store.revokeRefreshFamily(family.familyId, T0 + 10), true);
        assert.equal((await store.getRefreshFamily(family.familyId))?.revokedAt, T0 + 10);
        const { expected, next } = advanceFrom(family);
        assert.equal(await store.advanceRefreshFamily(family.familyId, expected, next), false);
        assert.equal(await store.revokeRefreshFamily(family.familyId, T0 + 20), true);
        assert.deepEqual(await store.getRefreshFamily(family.familyId), { ...family, revokedAt: T0 + 10 });
      });
    });

    it('a revoke racing an advance leaves the family revoked', async () => {
      await withStore(async (store) => {
        for (let round = 0; round < 5; round++) {
          const family = makeFamily();
          await store.createRefreshFamily(family);
          const { expected, next } = advanceFrom(family);
          await Promise.all([
            store.advanceRefreshFamily(family.familyId, expected, next),
            store.revokeRefreshFamily(family.familyId, T0 + 10),
          ]);
          const got = await store.getRefreshFamily(family.familyId);
          assert.equal(got?.revokedAt, T0 + 10);
        }
      });
    });
  });
}
