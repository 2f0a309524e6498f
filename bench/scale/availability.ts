/**
 * Whether each store's server is there, and what to call it in the tables (with the server's version). A
 * store whose server cannot be reached is skipped with the reason, as the other store benches do.
 */
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { sqliteAvailable } from '../lib/stores.js';
import type { ScaleSettings, ScaleStoreKind } from './config.js';

export type Availability =
  | { readonly ok: true; readonly label: string }
  | { readonly ok: false; readonly reason: string };

function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS version').get() as { version: string }).version;
  } finally {
    db.close();
  }
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return (result.rows[0]?.server_version ?? '?').split(' ')[0] as string;
  } finally {
    await client.end();
  }
}

async function redisVersion(url: string): Promise<string> {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? '?';
  } finally {
    redis.disconnect();
  }
}

export async function availability(kind: ScaleStoreKind, settings: ScaleSettings): Promise<Availability> {
  try {
    switch (kind) {
      case 'memory':
        return { ok: true, label: 'memory (MemoryStore, one process)' };
      case 'sqlite':
        if (!sqliteAvailable()) return { ok: false, reason: 'SqliteStore is not in this tree' };
        return {
          ok: true,
          label: `SQLite ${sqliteVersion()} (file, WAL, synchronous=FULL, mmap 2 GiB, cache 64 MiB)`,
        };
      case 'postgres':
        return { ok: true, label: `PostgreSQL ${await postgresVersion(settings.postgresUrl)}` };
      case 'redis':
        return { ok: true, label: `Redis ${await redisVersion(settings.redisUrl)}` };
    }
  } catch (error) {
    return { ok: false, reason: `no server (${error instanceof Error ? error.message : String(error)})` };
  }
}
