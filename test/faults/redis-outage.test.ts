import { after, describe, it } from 'node:test';
import { RedisStore } from '../../src/stores/redis/index.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';
import { REDIS_URL, requireService, uniqueName } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { outageScenario } from './outage-harness.js';

const skip = await requireService('redis');
const prefix = `${uniqueName('redisfault')}:`;

after(async () => {
  if (!skip) await deleteKeysWithPrefix(REDIS_URL, prefix);
});

async function withProxiedStore(body: (store: RedisStore, proxy: TcpProxy) => Promise<void>): Promise<void> {
  const target = new URL(REDIS_URL);
  const proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
  const store = new RedisStore({
    connection: `redis://127.0.0.1:${proxy.port}`,
    prefix,
    commandTimeoutMs: 500,
    connectTimeoutMs: 500,
  });
  try {
    await store.ping();
    await body(store, proxy);
  } finally {
    await store.close();
    await proxy.close();
  }
}

describe('redis outage', { skip }, () => {
  it('connections reset mid-traffic: 503 store_unavailable with Retry-After, then recovery', async () => {
    await withProxiedStore((store, proxy) => outageScenario(store, proxy, 'cut'));
  });

  it('network stalls mid-traffic: command timeouts answer 503 (no hang), then recovery', async () => {
    await withProxiedStore((store, proxy) => outageScenario(store, proxy, 'stall'));
  });
});
