import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreUnavailableError } from '../../src/core/errors.js';
import type { SessionRecord } from '../../src/core/session.js';
import { callStore } from '../../src/core/store-fault.js';
import type { RefreshFamilyRecord, SessionStore } from '../../src/core/store.js';
import { HOUR, MINUTE, makeFamily, makeRecord, newHash, newSubject, T0 } from './fixtures.js';
import type { OpenStore } from './store-suite.js';

/**
 * Optional fixture of the store suite: a real fault that makes a store's commits fail. SQLite: a full
 * filesystem (SQLITE_FULL); PostgreSQL: deferred triggers that fail the commit
 * (test/support/postgres-faults.ts); Redis and Redis Cluster: writes the server refuses
 * (test/support/redis-faults.ts). Stores without one leave it out and the fault cases are not registered.
 * The memory store has no hook: it has no commit that can fail (a write is a synchronous change of a Map).
 */
export interface CommitFaults {
  /** Opens an isolated, empty store that `failCommits` can reach (may differ from the suite's `open`). */
  open: OpenStore;
  /** Makes every later commit of `store` fail; resolves to an undo that lets commits succeed again. */
  failCommits(store: SessionStore): Promise<() => Promise<void>>;
}

/**
 * What each fault case seeds: sessions of one subject (one about to expire), families and cut-offs, plus a
 * session and a family the creating cases write (not stored yet).
 */
interface World {
  subject: string;
  sessions: SessionRecord[];
  family: RefreshFamilyRecord;
  expiredFamily: RefreshFamilyRecord;
  otherSubject: string;
  newSession: SessionRecord;
  newFamily: RefreshFamilyRecord;
}

interface WriteCase {
  name: string;
  write(store: SessionStore, world: World): Promise<unknown>;
}

const LATER = T0 + 24 * HOUR;

async function seed(store: SessionStore): Promise<World> {
  const subject = newSubject('fault');
  const otherSubject = newSubject('fault-other');
  const sessions = [
    makeRecord(store, { subject, data: { n: 1 } }),
    makeRecord(store, { subject, createdAt: T0 + 1 }),
    makeRecord(store, { subject, createdAt: T0 + 2, idleExpiresAt: T0 + MINUTE }),
  ];
  for (const record of sessions) {
    await store.create(record, { now: T0, maxPerSubject: null, overflow: 'refuse' });
  }
  const family = makeFamily({ subject });
  const expiredFamily = makeFamily({ subject, expiresAt: T0 + MINUTE });
  await store.createRefreshFamily(family);
  await store.createRefreshFamily(expiredFamily);
  await store.setSubjectNotBefore(subject, T0, T0 + HOUR);
  await store.setSubjectNotBefore(otherSubject, T0, T0 + MINUTE);
  const newSession = makeRecord(store, { subject, createdAt: T0 + 3 });
  const newFamily = makeFamily({ subject });
  return { subject, sessions, family, expiredFamily, otherSubject, newSession, newFamily };
}

/** Everything a fault case can change, read back through the store. */
async function snapshot(store: SessionStore, world: World): Promise<unknown> {
  return {
    sessions: await Promise.all([...world.sessions, world.newSession].map((record) => store.get(record.id))),
    listed: await store.listBySubject(world.subject, T0),
    families: [
      await store.getRefreshFamily(world.family.familyId),
      await store.getRefreshFamily(world.expiredFamily.familyId),
      await store.getRefreshFamily(world.newFamily.familyId),
    ],
    notBefore: [
      await store.getSubjectNotBefore(world.subject),
      await store.getSubjectNotBefore(world.otherSubject),
    ],
  };
}

// Each case is a real write against the seeded world (a no-op would have nothing to commit).
const WRITES: readonly WriteCase[] = [
  {
    name: 'create (evicting the oldest at the cap)',
    write: (store, { newSession }) =>
      store.create(newSession, {
        now: T0,
        maxPerSubject: 2,
        overflow: 'evict-oldest',
      }),
  },
  {
    name: 'create (no cap)',
    write: (store, { newSession }) =>
      store.create(newSession, { now: T0, maxPerSubject: null, overflow: 'evict-oldest' }),
  },
  {
    name: 'touch',
    write: (store, { sessions: [first] }) =>
      store.touch(first!.id, {
        now: T0,
        expectedSecretHash: first!.secretHash,
        lastSeenAt: T0 + MINUTE,
        idleExpiresAt: T0 + 31 * MINUTE,
      }),
  },
  {
    name: 'rotate',
    write: (store, { sessions: [first] }) =>
      store.rotate(first!.id, {
        now: T0,
        expectedSecretHash: first!.secretHash,
        secretHash: newHash(),
        previousSecretHash: first!.secretHash,
        previousSecretValidUntil: T0 + MINUTE,
        rotatedAt: T0 + 1000,
        lastSeenAt: T0 + 1000,
        idleExpiresAt: T0 + 31 * MINUTE,
        level: 2,
        levelAt: T0 + 1000,
      }),
  },
  {
    name: 'rotate with a new absolute expiry (re-authentication)',
    write: (store, { sessions: [first] }) =>
      store.rotate(first!.id, {
        now: T0,
        expectedSecretHash: first!.secretHash,
        secretHash: newHash(),
        previousSecretHash: null,
        previousSecretValidUntil: null,
        rotatedAt: T0 + 1000,
        lastSeenAt: T0 + 1000,
        idleExpiresAt: T0 + 31 * MINUTE,
        absoluteExpiresAt: T0 + 13 * HOUR,
        level: 2,
        levelAt: T0 + 1000,
      }),
  },
  {
    name: 'updateData',
    write: (store, { sessions: [first] }) =>
      store.updateData(first!.id, { set: { n: 2 } }, { now: T0, expectedVersion: 1 }),
  },
  { name: 'delete', write: (store, { sessions: [first] }) => store.delete(first!.id) },
  { name: 'deleteBySubject', write: (store, { subject }) => store.deleteBySubject(subject, null) },
  { name: 'deleteExpired', write: (store) => store.deleteExpired(LATER, 1000) },
  { name: 'deleteAllSessions', write: (store) => store.deleteAllSessions() },
  {
    name: 'setSubjectNotBefore',
    write: (store, { subject }) => store.setSubjectNotBefore(subject, T0 + 5000, T0 + 2 * HOUR),
  },
  {
    name: 'createRefreshFamily',
    write: (store, { newFamily }) => store.createRefreshFamily(newFamily),
  },
  {
    name: 'advanceRefreshFamily',
    write: (store, { family }) =>
      store.advanceRefreshFamily(
        family.familyId,
        { generation: family.generation, currentHash: family.currentHash },
        { generation: 1, currentHash: newHash(), previousHash: family.currentHash, rotatedAt: T0 + 1000 },
      ),
  },
  {
    name: 'revokeRefreshFamily',
    write: (store, { family }) => store.revokeRefreshFamily(family.familyId, T0 + 1000),
  },
];

/**
 * A write whose commit fails must reject as a store error (the manager then answers 503), and leave nothing
 * half-done: once the fault is gone the store reads exactly as before the write. The same write then
 * succeeds and changes what the store reads, which shows the case was a real write.
 */
export function registerFaultTests(faults: CommitFaults | undefined): void {
  if (faults === undefined) return;
  describe('failed commits', () => {
    for (const { name, write } of WRITES) {
      it(`${name}: a failed commit rejects and changes nothing`, async () => {
        const store = await faults.open();
        try {
          const world = await seed(store);
          const before = await snapshot(store, world);
          const undo = await faults.failCommits(store);
          let outcome: { resolved: unknown } | { rejected: unknown };
          try {
            // Through the engines' one store wrapper, as the manager calls the store: the answer must be 503.
            outcome = await callStore(store.kind, name, () => write(store, world)).then(
              (value) => ({ resolved: value }),
              (error: unknown) => ({ rejected: error }),
            );
          } finally {
            await undo();
          }
          assert.ok('rejected' in outcome, `${name} reported success although its commit failed`);
          assert.ok(
            outcome.rejected instanceof StoreUnavailableError,
            `${name} must fail as a store error (503), not ${String(outcome.rejected)}`,
          );
          assert.deepEqual(await snapshot(store, world), before, `${name} left a partial write`);
          await write(store, world);
          assert.notDeepEqual(await snapshot(store, world), before, `${name} is not a write`);
        } finally {
          await store.close();
        }
      });
    }

    it('useOnce: a failed commit rejects and leaves the key unused', async () => {
      const store = await faults.open();
      try {
        const key = `fault-once-${newHash()}`;
        // A first write, so a store that sets itself up on first use (migrations) has done so.
        assert.equal(await store.useOnce(`${key}-warm`, T0 + MINUTE, T0), true);
        const undo = await faults.failCommits(store);
        let outcome: { resolved: unknown } | { rejected: unknown };
        try {
          outcome = await callStore(store.kind, 'useOnce', () => store.useOnce(key, T0 + MINUTE, T0)).then(
            (value) => ({ resolved: value }),
            (error: unknown) => ({ rejected: error }),
          );
        } finally {
          await undo();
        }
        assert.ok('rejected' in outcome, 'useOnce reported success although its commit failed');
        assert.ok(outcome.rejected instanceof StoreUnavailableError);
        // Not recorded: its first real use is still the first (a proof refused by an outage can be sent again).
        assert.equal(await store.useOnce(key, T0 + MINUTE, T0), true);
        assert.equal(await store.useOnce(key, T0 + MINUTE, T0), false);
      } finally {
        await store.close();
      }
    });
  });
}
