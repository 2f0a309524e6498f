import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTessera } from '../../src/core/manager.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { runManagerConformance } from '../conformance/manager-suite.js';
import type { CommitFaults } from '../conformance/store-faults.js';
import { runStoreConformance } from '../conformance/store-suite.js';
import { type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster.js';
import { failClusterWrites } from '../support/redis-faults.js';
import { requireService, uniqueName } from '../support/services.js';

const skip = await requireService('redis-server');
const base = uniqueName('cluster');
let cluster: RedisClusterHandle | null = null;
let counter = 0;

before(async () => {
  if (!skip) cluster = await startRedisCluster();
});
after(async () => {
  await cluster?.stop();
});

const open = async (): Promise<RedisStore> => {
  if (cluster === null) throw new Error('cluster not started');
  return new RedisStore({ connection: cluster.url, prefix: `${base}:${++counter}:` });
};

// Refused writes for real: the cluster is this file's own, so a server-wide CONFIG SET is safe here; every
// primary then wants more replicas than it has and answers every write with NOREPLICAS.
const faults: CommitFaults = {
  open,
  failCommits: () => {
    if (cluster === null) throw new Error('cluster not started');
    return failClusterWrites(cluster);
  },
};

describe('redis cluster store', { skip }, () => {
  runStoreConformance('redis-cluster', open, { faults });
  runManagerConformance('redis-cluster', open);

  it('spreads subjects over the primaries while each subject stays in one slot', async () => {
    const store = await open();
    try {
      assert.equal(store.kind, 'redis-cluster');
      const manager = createTessera({ store });
      const owners = new Set<number>();
      for (let n = 0; n < 12; n += 1) {
        const issued = await manager.create({ subject: `spread-${n}` });
        assert.equal((await manager.validate(issued.token)).ok, true);
        owners.add(await (cluster as RedisClusterHandle).primaryFor(store.keys.session(issued.session.id)));
        assert.equal(await manager.revokeSubject(`spread-${n}`), 1);
      }
      assert.ok(owners.size >= 2, 'sessions should land on more than one primary');
    } finally {
      await store.close();
    }
  });
});
