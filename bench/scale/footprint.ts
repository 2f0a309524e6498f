/**
 * Bytes a store spends on its sessions, one method per store, each the same measure taken on the empty store
 * subtracted (so schema pages, code and a fresh process's heap are not charged to sessions):
 * - memory: V8 heap plus ArrayBuffer bytes in use after two full collections (the worker runs nothing else);
 * - SQLite: the database file after a `wal_checkpoint(TRUNCATE)` (so pages are counted once, in the file);
 * - PostgreSQL: `pg_table_size` + `pg_indexes_size` of every table in the store's schema (heap, TOAST, free
 *   space and visibility maps, indexes);
 * - Redis: `MEMORY USAGE … SAMPLES 0` summed over every key under the store's prefix (exact, whatever the key
 *   layout), with the server's `INFO used_memory` delta as a check (server-wide, so other clients move it).
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { collectGarbage } from '../lib/harness.js';
import type { Footprint } from './protocol.js';

/**
 * Memory in use after full collections (two: a first one can leave work a second one finishes): the V8 heap plus
 * the bytes of ArrayBuffers (Buffers and typed arrays), where the memory store keeps its number columns and its
 * off-heap text records.
 */
export function heapInUse(): number {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

export function heapFootprint(emptyHeap: number): Footprint {
  const heap = heapInUse();
  return {
    bytes: heap - emptyHeap,
    parts: { heapAndArrayBuffers: heap, empty: emptyHeap },
    check: null,
    method: 'V8 heapUsed + arrayBuffers after full GC, minus the same before the first fill',
  };
}

/** Checkpoints the WAL into the file and truncates it (another connection to the same file), then sizes both. */
export function sqliteFiles(path: string): { file: number; wal: number; checkpointed: boolean } {
  const db = new Database(path);
  let checkpointed = false;
  try {
    const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    checkpointed = row?.busy === 0;
  } finally {
    db.close();
  }
  const size = (file: string): number => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return { file: size(path), wal: size(`${path}-wal`), checkpointed };
}

export function sqliteFootprint(path: string, emptyBytes: number): Footprint {
  const { file, wal, checkpointed } = sqliteFiles(path);
  return {
    bytes: file + wal - emptyBytes,
    parts: { file, wal, emptyFile: emptyBytes },
    check: null,
    method: checkpointed
      ? 'database file after wal_checkpoint(TRUNCATE), minus the empty file'
      : 'database file + WAL (the checkpoint was busy), minus the empty file',
  };
}

/** Heap (with TOAST and maps) and index bytes of every table in `schema`, by table. */
export async function postgresTables(
  client: pg.Client,
  schema: string,
): Promise<Record<string, { table: number; indexes: number }>> {
  const result = await client.query<{ relname: string; table: string; indexes: string }>(
    `SELECT c.relname, pg_table_size(c.oid) AS table, pg_indexes_size(c.oid) AS indexes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [schema],
  );
  const tables: Record<string, { table: number; indexes: number }> = {};
  for (const row of result.rows)
    tables[row.relname] = { table: Number(row.table), indexes: Number(row.indexes) };
  return tables;
}

export function totalOf(tables: Record<string, { table: number; indexes: number }>): number {
  return Object.values(tables).reduce((sum, entry) => sum + entry.table + entry.indexes, 0);
}

export async function postgresFootprint(
  client: pg.Client,
  schema: string,
  emptyBytes: number,
): Promise<Footprint> {
  const tables = await postgresTables(client, schema);
  const sessions = tables.sessions ?? { table: 0, indexes: 0 };
  const total = totalOf(tables);
  return {
    bytes: total - emptyBytes,
    parts: {
      sessionsTable: sessions.table,
      sessionsIndexes: sessions.indexes,
      otherTables: total - sessions.table - sessions.indexes,
      empty: emptyBytes,
    },
    check: null,
    method: 'pg_table_size + pg_indexes_size of every table in the schema, minus the empty schema',
  };
}

/** `used_memory` from INFO memory. */
export async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/** Which part of the key layout a key is (by its name; anything unrecognised is "other"). */
function redisPart(key: string): string {
  if (key.includes(':s:')) return 'sessionStrings';
  if (key.includes(':u:')) return 'subjectIndexes';
  if (key.includes('{sweep:')) return 'sweepHints';
  return 'otherKeys';
}

/** MEMORY USAGE of every key under `prefix`, pipelined per SCAN batch; bytes by part and the key count. */
export async function redisKeyBytes(
  redis: Redis,
  prefix: string,
): Promise<{ parts: Record<string, number>; keys: number }> {
  const parts: Record<string, number> = { sessionStrings: 0, subjectIndexes: 0, sweepHints: 0, otherKeys: 0 };
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const replies = (await pipeline.exec()) ?? [];
    batch.forEach((key, index) => {
      const bytes = Number(replies[index]?.[1] ?? 0);
      if (bytes > 0) keys += 1;
      const part = redisPart(key);
      parts[part] = (parts[part] ?? 0) + bytes;
    });
  } while (cursor !== '0');
  return { parts, keys };
}

export async function redisFootprint(
  redis: Redis,
  prefix: string,
  emptyUsedMemory: number,
): Promise<Footprint> {
  const { parts, keys } = await redisKeyBytes(redis, prefix);
  const bytes = Object.values(parts).reduce((sum, value) => sum + value, 0);
  return {
    bytes,
    parts: { ...parts, keys },
    check: { name: 'INFO used_memory delta', bytes: (await redisUsedMemory(redis)) - emptyUsedMemory },
    method: 'MEMORY USAGE (SAMPLES 0) summed over every key under the prefix',
  };
}
