import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionRecord } from '../../src/core/session.js';
import type { BrowsableStore, SessionBrowse, SessionStore } from '../../src/core/store.js';
import { HOUR, MINUTE, makeRecord, T0 } from './fixtures.js';
import type { WithStore } from './store-suite.js';

const CREATE = { now: T0, maxPerSubject: null, overflow: 'refuse' } as const;

type Browsable = SessionStore & BrowsableStore;

function browsable(store: SessionStore): Browsable | null {
  const candidate = store as Partial<BrowsableStore>;
  const has = [typeof candidate.browseSessions, typeof candidate.countSessions].filter(
    (t) => t === 'function',
  );
  // Half a capability would make the console guess: a store offers both methods or neither.
  assert.notEqual(has.length, 1, `${store.kind}: browseSessions and countSessions come together`);
  return has.length === 2 ? (store as Browsable) : null;
}

/** Code-unit order of ids, as the contract asks (a database collation that sorts by locale would differ). */
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function expectedOrder(
  records: readonly SessionRecord[],
  order: SessionBrowse['order'],
  descending: boolean,
): string[] {
  const sign = descending ? -1 : 1;
  return [...records]
    .sort((a, b) => sign * (a[order] - b[order] || byId(a.id, b.id)))
    .map((record) => record.id);
}

/** Reads every page of a browse, following the keyset cursor; fails on a page that repeats an id. */
async function allPages(
  store: Browsable,
  query: Omit<SessionBrowse, 'after' | 'limit'>,
  limit: number,
): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  let after: SessionBrowse['after'] = null;
  for (let page = 0; page < 100; page++) {
    const rows = await store.browseSessions({ ...query, after, limit });
    assert.ok(rows.length <= limit, `a page holds at most ${limit}`);
    out.push(...rows);
    if (rows.length < limit) return out;
    const last = rows.at(-1) as SessionRecord;
    after = { value: last[query.order], id: last.id };
  }
  throw new Error('browse did not end within 100 pages');
}

/**
 * Sessions whose sort values tie in groups, so the id tiebreak decides most of the order; ids are random
 * base64url (upper and lower case, `-`, `_`), which a locale collation would sort differently.
 */
async function seed(store: SessionStore): Promise<SessionRecord[]> {
  const records: SessionRecord[] = [];
  for (let i = 0; i < 23; i++) {
    records.push(
      makeRecord(store, {
        createdAt: T0 - (i % 4) * MINUTE,
        lastSeenAt: T0 + (i % 3) * MINUTE,
        levelAt: T0,
        idleExpiresAt: T0 + HOUR,
        absoluteExpiresAt: T0 + 12 * HOUR,
        ip: i % 5 === 0 ? '198.51.100.9' : `203.0.113.${i}`,
        userAgent: `agent ${i}`,
      }),
    );
  }
  for (const record of records) assert.deepEqual(await store.create(record, CREATE), CREATE_OK);
  return records;
}
const CREATE_OK = { created: true, evicted: [] };

export function registerBrowseTests(withStore: WithStore): void {
  describe('browse (optional BrowsableStore: the console across subjects)', () => {
    it('countSessions counts what is live at now, across subjects', async () => {
      await withStore(async (store) => {
        const browse = browsable(store);
        if (browse === null) return;
        assert.equal(await browse.countSessions(T0), 0);
        const shortLived = makeRecord(store, { idleExpiresAt: T0 + MINUTE });
        await store.create(shortLived, CREATE);
        await store.create(makeRecord(store), CREATE);
        await store.create(makeRecord(store), CREATE);
        assert.equal(await browse.countSessions(T0), 3);
        assert.equal(await browse.countSessions(T0 + MINUTE), 2, 'a session is gone at its expiry');
        await store.delete(shortLived.id);
        assert.equal(await browse.countSessions(T0), 2);
      });
    });

    it('pages through every live session in each order and direction, ties broken by id, nothing twice', async () => {
      await withStore(async (store) => {
        const browse = browsable(store);
        if (browse === null) return;
        const records = await seed(store);
        const expired = makeRecord(store, { idleExpiresAt: T0 + 1000, lastSeenAt: T0 + 5 * MINUTE });
        await store.create(expired, CREATE);
        const now = T0 + 2000;
        for (const order of ['createdAt', 'lastSeenAt'] as const) {
          for (const descending of [false, true]) {
            const base = { now, ip: null, order, descending };
            const whole = await browse.browseSessions({ ...base, after: null, limit: 1000 });
            const want = expectedOrder(records, order, descending);
            const label = `${order} ${descending ? 'desc' : 'asc'}`;
            assert.deepEqual(
              whole.map((r) => r.id),
              want,
              `${label}: one page, in order, the expired one left out`,
            );
            for (const limit of [1, 5, 7]) {
              const paged = await allPages(browse, base, limit);
              assert.deepEqual(
                paged.map((r) => r.id),
                want,
                `${label}: pages of ${limit} add up to the whole`,
              );
            }
          }
        }
      });
    });

    it('returns whole records, and filters by exact address', async () => {
      await withStore(async (store) => {
        const browse = browsable(store);
        if (browse === null) return;
        const records = await seed(store);
        const base = { now: T0, order: 'createdAt', descending: false, after: null, limit: 100 } as const;
        const rows = await browse.browseSessions({ ...base, ip: '198.51.100.9' });
        const want = records.filter((r) => r.ip === '198.51.100.9');
        assert.equal(want.length, 5);
        assert.deepEqual(
          rows.map((r) => r.id),
          expectedOrder(want, 'createdAt', false),
        );
        for (const row of rows)
          assert.deepEqual(row, await store.get(row.id), 'the record as get returns it');
        assert.deepEqual(await browse.browseSessions({ ...base, ip: '198.51.100' }), [], 'no prefix match');
        assert.deepEqual(await browse.browseSessions({ ...base, ip: "x' OR '1'='1" }), []);
        assert.deepEqual(await browse.browseSessions({ ...base, ip: '%' }), []);
        assert.deepEqual(await browse.browseSessions({ ...base, ip: '\u0000' }), []);
      });
    });

    it('a cursor past the last session gives an empty page; a bad query is a TypeError', async () => {
      await withStore(async (store) => {
        const browse = browsable(store);
        if (browse === null) return;
        await seed(store);
        const base = { now: T0, ip: null, order: 'lastSeenAt', descending: true, limit: 10 } as const;
        assert.deepEqual(await browse.browseSessions({ ...base, after: { value: T0 - HOUR, id: '' } }), []);
        for (const bad of [
          { ...base, after: null, limit: 0 },
          { ...base, after: null, limit: 1001 },
          { ...base, after: null, limit: 1.5 },
          { ...base, after: null, order: 'id' as never },
          { ...base, after: null, now: Number.NaN },
        ]) {
          await assert.rejects(browse.browseSessions(bad), TypeError);
        }
      });
    });
  });
}
