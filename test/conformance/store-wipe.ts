import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVERYONE_SCOPE } from '../../src/core/cutoffs.js';
import type { SessionRecord } from '../../src/core/session.js';
import type { RefreshFamilyRecord, SessionStore } from '../../src/core/store.js';
import { HOUR, makeFamily, makeRecord, newSubject, T0 } from './fixtures.js';
import type { OpenStore, WithStore } from './store-suite.js';

const CREATE = { now: T0, maxPerSubject: null, overflow: 'refuse' } as const;

interface Population {
  subjects: string[];
  records: SessionRecord[];
  families: RefreshFamilyRecord[];
}

/** Sessions of many subjects (enough to land on every primary of a cluster), odd names included. */
async function populate(store: SessionStore, subjectCount: number): Promise<Population> {
  const subjects = [
    `glob-*?[a]-${newSubject()}`,
    `a:b{c}-${newSubject()}`,
    `é🙂-${newSubject()}`,
    ...Array.from({ length: subjectCount }, () => newSubject('wipe')),
  ];
  const records: SessionRecord[] = [];
  const families: RefreshFamilyRecord[] = [];
  for (const [n, subject] of subjects.entries()) {
    for (let k = 0; k < 1 + (n % 3); k++) {
      const record = makeRecord(store, { subject, createdAt: T0 + k, data: { n, k } });
      await store.create(record, CREATE);
      records.push(record);
    }
    const family = makeFamily({ subject, sessionId: (records.at(-1) as SessionRecord).id });
    await store.createRefreshFamily(family);
    if (n % 4 === 0) await store.revokeRefreshFamily(family.familyId, T0 + 1);
    families.push(family);
  }
  return { subjects, records, families };
}

async function assertGone(store: SessionStore, population: Population): Promise<void> {
  for (const record of population.records) assert.equal(await store.get(record.id), null, record.id);
  for (const subject of population.subjects) {
    assert.deepEqual(await store.listBySubject(subject, T0), [], subject);
    assert.deepEqual(await store.deleteBySubject(subject, null), [], subject);
  }
  for (const family of population.families) {
    assert.equal(await store.getRefreshFamily(family.familyId), null, family.familyId);
  }
}

export function registerWipeTests(withStore: WithStore, open: OpenStore): void {
  describe('deleteAllSessions (end every session of every user)', () => {
    it('removes every session, index and refresh family of every subject and returns the count', async () => {
      await withStore(async (store) => {
        const population = await populate(store, 40);
        assert.equal(await store.deleteAllSessions(), population.records.length);
        await assertGone(store, population);
        // Expired-looking times change nothing: no record is left for a later `now` either.
        for (const subject of population.subjects.slice(0, 3)) {
          assert.deepEqual(await store.listBySubject(subject, T0 - HOUR), []);
        }
        assert.equal(await store.deleteAllSessions(), 0);
      });
    });

    it('an empty store answers 0', async () => {
      await withStore(async (store) => {
        assert.equal(await store.deleteAllSessions(), 0);
      });
    });

    it('a login afterwards works, for a subject that had sessions too, and the cap counts only it', async () => {
      await withStore(async (store) => {
        const population = await populate(store, 3);
        await store.deleteAllSessions();
        const subject = population.subjects[0] as string;
        const fresh = makeRecord(store, { subject, createdAt: T0 + 10 });
        const capped = { now: T0 + 10, maxPerSubject: 1, overflow: 'refuse' } as const;
        assert.deepEqual(await store.create(fresh, capped), { created: true, evicted: [] });
        assert.deepEqual(await store.get(fresh.id), fresh);
        assert.deepEqual(
          (await store.listBySubject(subject, T0 + 10)).map((r) => r.id),
          [fresh.id],
        );
        const family = makeFamily({ subject, sessionId: fresh.id });
        await store.createRefreshFamily(family);
        assert.deepEqual(await store.getRefreshFamily(family.familyId), family);
        assert.equal(await store.deleteAllSessions(), 1);
        assert.equal(await store.get(fresh.id), null);
      });
    });

    it('keeps "not before" times, the everyone cut-off included', async () => {
      await withStore(async (store) => {
        const population = await populate(store, 2);
        const subject = population.subjects[1] as string;
        await store.setSubjectNotBefore(subject, T0 + 5, T0 + HOUR);
        await store.setSubjectNotBefore(EVERYONE_SCOPE, T0 + 7, T0 + HOUR);
        await store.deleteAllSessions();
        assert.equal(await store.getSubjectNotBefore(subject), T0 + 5);
        assert.equal(await store.getSubjectNotBefore(EVERYONE_SCOPE), T0 + 7);
      });
    });

    it('removes only its own store: another store on the same server keeps its sessions', async () => {
      await withStore(async (store) => {
        const other = await open();
        try {
          const mine = await populate(store, 2);
          const theirs = await populate(other, 2);
          assert.equal(await store.deleteAllSessions(), mine.records.length);
          await assertGone(store, mine);
          for (const record of theirs.records) assert.deepEqual(await other.get(record.id), record);
          for (const family of theirs.families) {
            assert.ok(await other.getRefreshFamily(family.familyId));
          }
        } finally {
          await other.close();
        }
      });
    });
  });
}
