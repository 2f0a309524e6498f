/**
 * "End every session of every user" across nodes: two `tessera serve` processes on one shared store (Redis,
 * then PostgreSQL). Sessions validated on node A are refused on node B by the very next request after
 * `POST /v1/sessions/end-all` on node A, and so are access tokens node B issued; logins afterwards work on both.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Child, serve } from '../service/child.js';
import { dropSchemas } from '../support/postgres-schemas.js';
import { deleteKeysWithPrefix } from '../support/redis-keys.js';
import { POSTGRES_URL, REDIS_URL, requireService, uniqueName } from '../support/services.js';

const API_KEY = randomBytes(32).toString('base64url');
const schema = uniqueName('endall');
const prefix = `${uniqueName('endall')}:`;
const skipPostgres = await requireService('postgres');
const skipRedis = await requireService('redis');

after(async () => {
  if (!skipPostgres) await dropSchemas(POSTGRES_URL, [schema]);
  if (!skipRedis) await deleteKeysWithPrefix(REDIS_URL, prefix);
});

interface Answer {
  status: number;
  json: Record<string, unknown> | null;
}

async function post(port: number, path: string, body: unknown): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
  };
}

async function withNodes(store: string, body: (a: number, b: number) => Promise<void>): Promise<void> {
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'tessera-node-')));
  const nodes: Child[] = dirs.map((dir) =>
    serve({ TESSERA_STORE: store, TESSERA_API_KEY: API_KEY, TESSERA_DATA_DIR: dir }),
  );
  try {
    const [a, b] = (await Promise.all(nodes.map((node) => node.port))) as [number, number];
    await body(a, b);
  } finally {
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((node) => node.exited));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

async function scenario(a: number, b: number): Promise<void> {
  const tokens: string[] = [];
  for (const [port, subject] of [
    [a, 'node-user-1'],
    [b, 'node-user-2'],
    [a, 'node-user-3'],
    [b, 'node-user-1'],
  ] as const) {
    const created = await post(port, '/v1/sessions', { subject });
    assert.equal(created.status, 201);
    tokens.push(created.json?.token as string);
  }
  for (const token of tokens) {
    assert.equal((await post(a, '/v1/sessions/validate', { token })).status, 200, 'valid on node A');
    assert.equal((await post(b, '/v1/sessions/validate', { token })).status, 200, 'valid on node B');
  }
  const pair = await post(b, '/v1/tokens', { token: tokens[0] });
  assert.equal(pair.status, 201);
  const accessToken = pair.json?.accessToken as string;
  // Each node here has its own signing keys (its own data folder): node B verifies what it issued.
  assert.equal((await post(b, '/v1/tokens/verify', { accessToken })).status, 200);

  const ended = await post(a, '/v1/sessions/end-all', { confirm: 'end every session' });
  assert.equal(ended.status, 200);
  assert.deepEqual(ended.json, { ended: tokens.length });

  for (const token of tokens) {
    const refused = await post(b, '/v1/sessions/validate', { token });
    assert.equal(refused.status, 401, 'the next request on node B after end-all on node A');
    assert.equal((refused.json?.error as { code?: string } | undefined)?.code, 'token_invalid');
  }
  assert.equal((await post(b, '/v1/tokens/verify', { accessToken })).status, 401, 'strict access token');
  const fresh = await post(b, '/v1/sessions', { subject: 'node-user-1' });
  assert.equal(fresh.status, 201);
  assert.equal((await post(a, '/v1/sessions/validate', { token: fresh.json?.token })).status, 200);
}

describe('end every session across two service nodes on one store', () => {
  it('redis: end-all on node A; node B refuses every earlier session at once', {
    skip: skipRedis,
  }, async () => {
    await withNodes(`${REDIS_URL}?prefix=${encodeURIComponent(prefix)}`, scenario);
  });

  it('postgres: end-all on node A; node B refuses every earlier session at once', {
    skip: skipPostgres,
  }, async () => {
    await withNodes(`${POSTGRES_URL}?schema=${schema}`, scenario);
  });
});
