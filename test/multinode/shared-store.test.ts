/**
 * Three `tessera serve` processes on one shared store (PostgreSQL, Redis, then a Redis Cluster of three primaries
 * with a replica each, started by the harness): a session created on node 1
 * validates on nodes 2 and 3; after a revoke on node 2, the very next request on nodes 1 and 3 is refused.
 * No node caches a session, so there is nothing to invalidate: every validation asks the store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Child, serve } from '../service/child.js';
import { dropSchemas } from '../support/postgres-schemas.js';
import { startRedisCluster } from '../support/redis-cluster.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';
import { POSTGRES_URL, REDIS_URL, requireService, uniqueName } from '../support/services.js';

const API_KEY = randomBytes(32).toString('base64url');
const schema = uniqueName('multinode');
const prefix = `${uniqueName('multinode')}:`;
const skipPostgres = await requireService('postgres');
const skipRedis = await requireService('redis');
const skipCluster = await requireService('redis-server');

after(async () => {
  if (!skipPostgres) await dropSchemas(POSTGRES_URL, [schema]);
  if (!skipRedis) await deleteKeysWithPrefix(REDIS_URL, prefix);
});

async function call(port: number, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? null : JSON.parse(text) };
}

async function withNodes(store: string, body: (ports: number[]) => Promise<void>): Promise<void> {
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'tessera-node-')));
  const nodes: Child[] = dirs.map((dir) =>
    serve({ TESSERA_STORE: store, TESSERA_API_KEY: API_KEY, TESSERA_DATA_DIR: dir }),
  );
  try {
    const ports = await Promise.all(nodes.map((node) => node.port));
    await body(ports);
  } finally {
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((node) => node.exited));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

async function scenario(ports: number[]): Promise<void> {
  const [one, two, three] = ports as [number, number, number];
  const created = await call(one, '/v1/sessions', { subject: 'shared-user', data: { plan: 'pro' } });
  assert.equal(created.status, 201);
  const { token } = created.json as { token: string };
  for (const port of [two, three, one]) {
    const validated = await call(port, '/v1/sessions/validate', { token });
    assert.equal(validated.status, 200, `validate on port ${port}`);
  }
  assert.equal((await call(two, '/v1/sessions/revoke', { token })).status, 204);
  for (const port of [one, three]) {
    const refused = await call(port, '/v1/sessions/validate', { token });
    assert.equal(refused.status, 401, `the next request on port ${port} after the revoke`);
    assert.equal((refused.json as { error: { code: string } }).error.code, 'token_invalid');
  }
}

describe('three service nodes on one store', () => {
  it('postgres: create on 1 validates on 2 and 3; revoke on 2 is refused next on 1 and 3', {
    skip: skipPostgres,
  }, async () => {
    await withNodes(`${POSTGRES_URL}?schema=${schema}`, scenario);
  });

  it('redis: create on 1 validates on 2 and 3; revoke on 2 is refused next on 1 and 3', {
    skip: skipRedis,
  }, async () => {
    await withNodes(`${REDIS_URL}?prefix=${encodeURIComponent(prefix)}`, scenario);
  });

  it('redis cluster: create on 1 validates on 2 and 3; revoke on 2 is refused next on 1 and 3', {
    skip: skipCluster,
  }, async () => {
    const cluster = await startRedisCluster();
    try {
      await withNodes(cluster.url, scenario);
    } finally {
      await cluster.stop();
    }
  });
});
