import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createTessera } from '../../src/core/manager.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';
import { REDIS_URL, requireService, uniqueName } from '../support/services.js';

const skip = await requireService('redis');
const base = uniqueName('redis_wipe');

after(async () => {
  if (!skip) await deleteKeysWithPrefix(REDIS_URL, `${base}:`);
});

describe('redis store: deleteAllSessions stays inside its key prefix', { skip }, () => {
  it('a prefix with glob characters matches only itself: stores whose prefix it would match keep theirs', async () => {
    const globby = new RedisStore({ connection: REDIS_URL, prefix: `${base}:*?[ab]:` });
    // Each of these would match the glob `<base>:*?[ab]:{*` if the prefix were not escaped.
    const others = ['xya', 'zzb', '*?[ab]b'].map(
      (name) => new RedisStore({ connection: REDIS_URL, prefix: `${base}:${name}:` }),
    );
    try {
      const mine = await createTessera({ store: globby }).create({ subject: 'wipe-glob' });
      const theirs = await Promise.all(
        others.map((store) => createTessera({ store }).create({ subject: 'wipe-glob' })),
      );
      assert.equal(await globby.deleteAllSessions(), 1);
      assert.equal(await globby.get(mine.session.id), null);
      for (const [n, store] of others.entries()) {
        const issued = theirs[n];
        assert.ok(issued);
        assert.ok(await store.get(issued.session.id), `${store.keys.prefix} keeps its session`);
        assert.equal((await store.listBySubject('wipe-glob', Date.now())).length, 1);
      }
    } finally {
      await Promise.all([globby, ...others].map((store) => store.close()));
    }
  });

  it('removes a session its index lost and an index whose sessions are gone (left by TTLs or a crash)', async () => {
    const store = new RedisStore({ connection: REDIS_URL, prefix: `${base}:orphans:` });
    try {
      const manager = createTessera({ store });
      const orphan = await manager.create({ subject: 'wipe-orphan' });
      const stale = await manager.create({ subject: 'wipe-stale' });
      const client = store.client;
      // A session no index names, and an index naming a session that is gone.
      await client.zrem(store.keys.index('wipe-orphan'), orphan.session.id);
      await client.del(store.keys.session(stale.session.id));
      assert.equal(await client.exists(store.keys.index('wipe-stale')), 1);
      assert.equal(await store.deleteAllSessions(), 1);
      assert.equal(await client.exists(store.keys.session(orphan.session.id)), 0);
      assert.equal(await client.exists(store.keys.index('wipe-stale')), 0);
    } finally {
      await store.close();
    }
  });
});
