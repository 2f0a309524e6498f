import { after, describe, it } from 'node:test';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { dropSchemas } from '../support/postgres-schemas.js';
import { POSTGRES_URL, requireService, uniqueName } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { outageScenario } from './outage-harness.js';

const skip = await requireService('postgres');
const schemas: string[] = [];

after(async () => {
  if (!skip) await dropSchemas(POSTGRES_URL, schemas);
});

async function withProxiedStore(
  body: (store: PostgresStore, proxy: TcpProxy) => Promise<void>,
): Promise<void> {
  const target = new URL(POSTGRES_URL);
  const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
  const through = new URL(POSTGRES_URL);
  through.hostname = '127.0.0.1';
  through.port = String(proxy.port);
  const schema = uniqueName('pgfault');
  schemas.push(schema);
  const store = new PostgresStore({
    connectionString: through.toString(),
    schema,
    statementTimeoutMs: 500,
    connectTimeoutMs: 500,
    maxConnections: 4,
  });
  try {
    await store.migrate();
    await body(store, proxy);
  } finally {
    await store.close();
    await proxy.close();
  }
}

describe('postgres outage', { skip }, () => {
  it('connections reset mid-traffic: 503 store_unavailable with Retry-After, then recovery', async () => {
    await withProxiedStore((store, proxy) => outageScenario(store, proxy, 'cut'));
  });

  it('network stalls mid-traffic: timeouts answer 503 (no hang), then recovery', async () => {
    await withProxiedStore((store, proxy) => outageScenario(store, proxy, 'stall'));
  });
});
