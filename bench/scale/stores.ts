/**
 * The store a scale worker fills and serves, with what the bench needs around it: a handle to fill through,
 * the empty-store measure, its footprint, and a close that removes everything it made.
 * Fills go through the store contract (`create`), never around it, so the figures hold whatever a store's
 * encoding becomes. SQLite fills through a second handle on the same file with `synchronous: 'normal'` (WAL:
 * no fsync per commit), because a million fsynced logins would take hours on this disk; everything measured
 * uses the default handle (`synchronous: 'full'`). PostgreSQL likewise fills through a second pool whose
 * connections set `synchronous_commit = off`.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import type { SessionStore } from '../../src/core/store.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { openStore } from '../lib/stores.js';
import { deleteKeys, dropSchema } from './cleanup.js';
import {
  heapFootprint,
  heapInUse,
  postgresFootprint,
  postgresTables,
  redisFootprint,
  redisUsedMemory,
  sqliteFiles,
  sqliteFootprint,
  totalOf,
} from './footprint.js';
import type { Footprint, WorkerConfig } from './protocol.js';

export interface ScaleStore {
  /** What the HTTP server and every timed operation use. */
  readonly store: SessionStore;
  /** What fills go through (the same store, but for SQLite). */
  readonly fillStore: SessionStore;
  /** Takes the empty-store measure; call once, just before the first fill. */
  markEmpty(): Promise<void>;
  /** After a fill: PostgreSQL gets `ANALYZE` (what autovacuum would do after so many inserts). */
  afterFill(): Promise<void>;
  footprint(): Promise<Footprint>;
  /** Closes the store and removes its data (schema, keys; the parent removes the SQLite folder). */
  close(): Promise<void>;
}

async function openMemory(): Promise<ScaleStore> {
  const opened = await openStore('memory');
  let empty = Number.NaN;
  return {
    store: opened.store,
    fillStore: opened.store,
    async markEmpty() {
      empty = heapInUse();
    },
    async afterFill() {},
    async footprint() {
      return heapFootprint(empty);
    },
    close: () => opened.close(),
  };
}

function openSqlite(path: string): ScaleStore {
  const store = new SqliteStore({ path });
  const fillStore = new SqliteStore({ path, synchronous: 'normal' });
  let empty = Number.NaN;
  return {
    store,
    fillStore,
    async markEmpty() {
      const files = sqliteFiles(path);
      empty = files.file + files.wal;
    },
    async afterFill() {},
    async footprint() {
      return sqliteFootprint(path, empty);
    },
    async close() {
      await fillStore.close();
      await store.close();
    },
  };
}

async function openPostgres(url: string, schema: string): Promise<ScaleStore> {
  const store = new PostgresStore({ connectionString: url, schema });
  await store.migrate();
  // Fills commit without waiting for the WAL flush (a session setting of these connections only): the rows
  // and indexes are the same, the fill is several times faster.
  const fillPool = new pg.Pool({
    connectionString: url,
    max: 10,
    statement_timeout: 30_000,
    options: '-c synchronous_commit=off',
  });
  fillPool.on('error', () => {});
  const fillStore = new PostgresStore({ pool: fillPool, schema, migrate: false });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let empty = Number.NaN;
  return {
    store,
    fillStore,
    async markEmpty() {
      empty = totalOf(await postgresTables(client, schema));
    },
    async afterFill() {
      await client.query(`ANALYZE "${schema}".sessions`);
    },
    footprint: () => postgresFootprint(client, schema, empty),
    async close() {
      await fillStore.close();
      await fillPool.end();
      await store.close();
      await dropSchema(client, schema).catch(() => {});
      await client.end();
    },
  };
}

async function openRedis(url: string, prefix: string): Promise<ScaleStore> {
  const store = new RedisStore({ connection: url, prefix });
  await store.ping();
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  let empty = Number.NaN;
  return {
    store,
    fillStore: store,
    async markEmpty() {
      empty = await redisUsedMemory(redis);
    },
    async afterFill() {},
    footprint: () => redisFootprint(redis, prefix, empty),
    async close() {
      await store.close();
      await deleteKeys(redis, prefix).catch(() => 0);
      redis.disconnect();
    },
  };
}

export function openScaleStore(config: WorkerConfig): Promise<ScaleStore> {
  switch (config.kind) {
    case 'memory':
      return openMemory();
    case 'sqlite':
      return Promise.resolve(openSqlite(config.sqlitePath));
    case 'postgres':
      return openPostgres(config.postgresUrl, config.schema);
    case 'redis':
      return openRedis(config.redisUrl, config.prefix);
  }
}
