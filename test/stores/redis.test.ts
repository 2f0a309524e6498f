import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import { createTessera } from '../../src/core/manager.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { BUCKET_MS, HINT_SHARDS, hintShard } from '../../src/stores/redis/sweeps.js';
import type { SessionStore } from '../../src/core/store.js';
import { runManagerConformance } from '../conformance/manager-suite.js';
import type { CommitFaults } from '../conformance/store-faults.js';
import { runStoreConformance } from '../conformance/store-suite.js';
import { createRedisFaultUser, type RedisFaultUser } from '../support/redis-faults.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';
import { REDIS_URL, requireService, uniqueName } from '../support/services.js';

const skip = await requireService('redis');
const base = uniqueName('redis');
let counter = 0;
const open = async (): Promise<RedisStore> =>
  new RedisStore({ connection: REDIS_URL, prefix: `${base}:${++counter}:` });

// Refused writes for real, on this connection only (the server is shared): each fault store connects as its
// own ACL user, whose keys `failCommits` makes read-only, so every write command and script answers NOPERM.
const faultUsers = new Map<SessionStore, RedisFaultUser>();
const faults: CommitFaults = {
  open: async () => {
    const prefix = `${base}:${++counter}:`;
    const user = await createRedisFaultUser(REDIS_URL, `${base}_${counter}`, prefix);
    const store = new RedisStore({ connection: user.url, prefix });
    faultUsers.set(store, user);
    return store;
  },
  failCommits: async (store) => {
    const user = faultUsers.get(store);
    if (user === undefined) throw new Error('failCommits: not a store from faults.open');
    return user.failWrites();
  },
};

after(async () => {
  if (skip) return;
  for (const user of faultUsers.values()) await user.remove();
  await deleteKeysWithPrefix(REDIS_URL, `${base}:`);
});

describe('redis store', { skip }, () => {
  runStoreConformance('redis', open, { faults });
  runManagerConformance('redis', open);

  describe('redis specifics', () => {
    it('validates with one command and no write when no renewal is due', async () => {
      const store = await open();
      try {
        const manager = createTessera({ store });
        const issued = await manager.create({ subject: 'one-trip', data: { theme: 'dark' } });
        const seen: string[] = [];
        const client = store.client;
        const original = client.sendCommand.bind(client);
        client.sendCommand = ((command: { name: string }) => {
          seen.push(command.name);
          return original(command as never);
        }) as typeof client.sendCommand;
        const result = await manager.validate(issued.token);
        client.sendCommand = original;
        assert.equal(result.ok, true);
        assert.deepEqual(seen, ['get']);
      } finally {
        await store.close();
      }
    });

    it('keys carry a time to live: the session end plus the retention', async () => {
      const store = new RedisStore({ connection: REDIS_URL, prefix: `${base}:ttl:`, retentionMs: 60_000 });
      try {
        const manager = createTessera({ store, idleTimeout: 600, absoluteTimeout: 3600 });
        const issued = await manager.create({ subject: 'ttl' });
        const client = store.client;
        const sessionTtl = await client.pttl(store.keys.session(issued.session.id));
        const indexTtl = await client.pttl(store.keys.index('ttl'));
        for (const ttl of [sessionTtl, indexTtl]) {
          assert.ok(ttl > 600_000 && ttl <= 660_000, `ttl ${ttl} should be idle + retention`);
        }
        // The sweep hint's bucket (a list) and its shard's bucket set outlive the minute the session ends in.
        const entry = 'u:ttl';
        const k = hintShard(entry);
        const start = Math.floor(issued.session.idleExpiresAt / BUCKET_MS) * BUCKET_MS;
        assert.deepEqual(await client.lrange(store.keys.hintBucket(k, start), 0, -1), [entry]);
        assert.equal(await client.zscore(store.keys.hintBuckets(k), String(start)), String(start));
        for (const key of [store.keys.hintBucket(k, start), store.keys.hintBuckets(k)]) {
          const ttl = await client.pttl(key);
          assert.ok(ttl >= sessionTtl - 1000 && ttl <= 660_000 + BUCKET_MS, `hint ttl ${ttl}`);
        }
      } finally {
        await store.close();
      }
    });

    it('a subject keeps every key in one hash slot, named by the session id', async () => {
      const store = await open();
      try {
        const manager = createTessera({ store });
        const issued = await manager.create({ subject: 'slot' });
        const tag = `{${issued.session.id.slice(0, 4)}}`;
        assert.ok(store.keys.session(issued.session.id).includes(tag));
        assert.ok(store.keys.index('slot').includes(tag));
        assert.ok(store.keys.notBefore('slot').includes(tag));
      } finally {
        await store.close();
      }
    });

    it('sweep hints: one list entry per login, none per touch, a bucket not yet due is kept whole', async () => {
      const store = await open();
      try {
        const clock = manualClock(Date.UTC(2026, 11, 1, 10, 0, 20));
        const manager = createTessera({ store, clock, idleTimeout: 600, absoluteTimeout: 3600 });
        const subjects = Array.from({ length: 40 }, (_, n) => `hinted-${n}`);
        const issued = [];
        for (const subject of subjects) issued.push(await manager.create({ subject }));
        const client = store.client;
        const start = Math.floor((clock() + 600_000) / BUCKET_MS) * BUCKET_MS;
        const lengths = async (bucket = start): Promise<number> => {
          let total = 0;
          for (let k = 0; k < HINT_SHARDS; k += 1)
            total += await client.llen(store.keys.hintBucket(k, bucket));
          return total;
        };
        assert.equal(await lengths(), 40);
        const shards = new Set(subjects.map((subject) => hintShard(`u:${subject}`)));
        assert.ok(shards.size >= 8, `40 subjects over ${shards.size} hint shards`);
        // `before` inside the bucket, before every session's end: nothing removed, every entry still there.
        assert.equal(await store.deleteExpired(start + 1, 500), 0);
        assert.equal(await lengths(), 40);
        clock.advance(410_000);
        for (const one of issued) {
          const result = await manager.validate(one.token);
          assert.equal(result.ok && result.session.idleExpiresAt, clock() + 600_000, 'renewed');
        }
        assert.equal(await lengths(), 40, 'a touch writes no hint');
        // Past the old bucket, before the renewed ends: nothing removed, the entries move to their new minute.
        const later = Math.floor((clock() + 600_000) / BUCKET_MS) * BUCKET_MS;
        assert.equal(await store.deleteExpired(start + BUCKET_MS, 500), 0);
        assert.equal(await lengths(), 0);
        assert.equal(await lengths(later), 40);
        assert.equal(await store.deleteExpired(later + BUCKET_MS, 500), 40);
        for (let k = 0; k < HINT_SHARDS; k += 1) {
          assert.equal(await client.zcard(store.keys.hintBuckets(k)), 0, `shard ${k} keeps no bucket`);
        }
      } finally {
        await store.close();
      }
    });

    it('sweep hints: a bucket whose list expired unswept leaves its shard set at the next hint', async () => {
      const store = await open();
      try {
        const manager = createTessera({ store });
        const subject = 'stale-bucket';
        const k = hintShard(`u:${subject}`);
        await store.ping();
        const client = store.client;
        await client.zadd(store.keys.hintBuckets(k), 60_000, '60000');
        await manager.create({ subject });
        assert.equal(await client.zscore(store.keys.hintBuckets(k), '60000'), null);
        assert.equal(await client.zcard(store.keys.hintBuckets(k)), 1);
      } finally {
        await store.close();
      }
    });

    it('times before a session began survive the scripts that rewrite them (negative base-36 distances)', async () => {
      const store = await open();
      try {
        const t0 = Date.UTC(2026, 11, 1);
        const subject = 'early';
        const id = `${store.shardFor(subject)}${'A'.repeat(22)}`;
        const record = {
          id,
          subject,
          secretHash: 'h1',
          previousSecretHash: null,
          previousSecretValidUntil: null,
          data: { n: 1 },
          version: 1,
          level: 2,
          levelAt: t0 - 90_061,
          createdAt: t0,
          lastSeenAt: t0 - 1,
          rotatedAt: null,
          idleExpiresAt: t0 + 600_000,
          absoluteExpiresAt: t0 + 3_600_000,
          ip: '203.0.113.9',
          userAgent: null,
        };
        await store.create(record, { now: t0, maxPerSubject: null, overflow: 'refuse' });
        assert.deepEqual(await store.get(id), record);
        assert.equal(
          await store.touch(id, {
            now: t0,
            expectedSecretHash: 'h1',
            lastSeenAt: t0 - 35,
            idleExpiresAt: t0 + 700_000,
          }),
          true,
        );
        assert.deepEqual(await store.get(id), {
          ...record,
          lastSeenAt: t0 - 35,
          idleExpiresAt: t0 + 700_000,
        });
        const rotated = await store.rotate(id, {
          now: t0,
          expectedSecretHash: 'h1',
          secretHash: 'h2',
          previousSecretHash: 'h1',
          previousSecretValidUntil: t0 - 1_296,
          rotatedAt: t0 - 36 ** 3,
          lastSeenAt: t0 + 36 ** 4,
          idleExpiresAt: t0 + 9_999_999,
          level: 3,
          levelAt: t0 - 1,
        });
        const expected = {
          ...record,
          secretHash: 'h2',
          previousSecretHash: 'h1',
          previousSecretValidUntil: t0 - 1_296,
          rotatedAt: t0 - 36 ** 3,
          lastSeenAt: t0 + 36 ** 4,
          idleExpiresAt: t0 + 3_600_000,
          level: 3,
          levelAt: t0 - 1,
        };
        assert.deepEqual(rotated, expected);
        assert.deepEqual(await store.get(id), expected);
      } finally {
        await store.close();
      }
    });

    it('refuses a key prefix with braces and an id that does not carry its shard', async () => {
      assert.throws(() => new RedisStore({ connection: REDIS_URL, prefix: 'a{b}:' }), TypeError);
      const store = await open();
      try {
        const manager = createTessera({ store });
        const issued = await manager.create({ subject: 'shard' });
        const wrong = {
          ...issued.session,
          secretHash: 'x',
          previousSecretHash: null,
          previousSecretValidUntil: null,
          subject: 'someone-else',
          id: `____${issued.session.id.slice(4)}`,
        };
        await assert.rejects(
          store.create(wrong, { now: Date.now(), maxPerSubject: null, overflow: 'refuse' }),
          TypeError,
        );
      } finally {
        await store.close();
      }
    });
  });
});
