import { isAbsolute, join, resolve } from 'node:path';
import type { SessionStore } from '../core/store.js';
import { MemoryStore } from '../stores/memory/memory-store.js';
import { ConfigError } from './config.js';

export interface OpenStoreOptions {
  /** Data folder: where `sqlite:` with no path puts its file. */
  dataDir: string;
}

/**
 * Opens the store named by TESSERA_STORE. One branch per scheme; a store module is imported only when its
 * scheme is used, so a service on SQLite never loads a PostgreSQL or Redis client.
 *
 * - `memory:` — in-process, lost on restart (tests and development);
 * - `sqlite:<path>` or a plain file path — the embedded default (WAL);
 * - `postgres://` / `postgresql://` — PostgreSQL (`?schema=<name>`, default `tessera`; migrated on first use);
 * - `redis://` / `rediss://` — Redis; `redis-cluster://host:port,host:port` — Redis Cluster
 *   (`?prefix=<key prefix>`, `?wait_replicas=<n>&wait_timeout_ms=<ms>` for replica-acknowledged writes).
 */
export async function openStore(url: string, options: OpenStoreOptions): Promise<SessionStore> {
  if (url === 'memory:' || url === 'memory://') return new MemoryStore();
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgres(url);
  if (/^rediss?(-cluster)?:\/\//i.test(url)) return openRedis(url);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return openSqlite(url, options);
  // Name only the scheme: the rest of a URL may carry a password.
  const scheme = url.slice(0, url.indexOf(':') + 1);
  throw new ConfigError(
    'TESSERA_STORE',
    `uses an unsupported scheme "${scheme}" (expected memory:, sqlite:<path>, a file path, postgres://, redis://, rediss:// or redis-cluster://)`,
  );
}

async function openSqlite(path: string, options: OpenStoreOptions): Promise<SessionStore> {
  const file =
    path === ''
      ? join(options.dataDir, 'tessera.sqlite')
      : path === ':memory:' || isAbsolute(path)
        ? path
        : resolve(path);
  const { SqliteStore } = await import('../stores/sqlite/index.js');
  return new SqliteStore({ path: file });
}

/** Removes Tessera's own query parameters from a store URL and returns them. */
function takeParams(url: string, names: readonly string[]): { url: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  const at = url.indexOf('?');
  if (at < 0) return { url, params };
  const query = new URLSearchParams(url.slice(at + 1));
  for (const name of names) {
    const value = query.get(name);
    if (value !== null) params.set(name, value);
    query.delete(name);
  }
  const rest = query.toString();
  return { url: url.slice(0, at) + (rest === '' ? '' : `?${rest}`), params };
}

async function openPostgres(url: string): Promise<SessionStore> {
  const { url: connectionString, params } = takeParams(url, ['schema']);
  const { PostgresStore } = await import('../stores/postgres/index.js');
  const schema = params.get('schema');
  return new PostgresStore({ connectionString, ...(schema === undefined ? {} : { schema }) });
}

async function openRedis(url: string): Promise<SessionStore> {
  const { url: connection, params } = takeParams(url, ['prefix', 'wait_replicas', 'wait_timeout_ms']);
  const { RedisStore } = await import('../stores/redis/index.js');
  const prefix = params.get('prefix');
  const replicas = params.get('wait_replicas');
  const waitTimeout = Number(params.get('wait_timeout_ms') ?? 500);
  if (replicas !== undefined && !(Number.isInteger(Number(replicas)) && Number(replicas) >= 1)) {
    throw new ConfigError('TESSERA_STORE', 'wait_replicas must be a positive integer');
  }
  return new RedisStore({
    connection,
    ...(prefix === undefined ? {} : { prefix }),
    ...(replicas === undefined
      ? {}
      : { waitForReplicas: { replicas: Number(replicas), timeoutMs: waitTimeout } }),
  });
}
