/**
 * Removing what a scale run put in the shared servers: its PostgreSQL schema and its Redis keys. The worker
 * does it when it closes; the bench calls it again afterwards (idempotent), so a worker that died (out of
 * memory, killed) leaves nothing behind either.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

const SCHEMA = /^[a-z_][a-z0-9_]*$/;

/** `DROP SCHEMA … CASCADE` on a client you hold. */
export async function dropSchema(client: pg.Client, schema: string): Promise<void> {
  if (!SCHEMA.test(schema)) throw new TypeError(`scale: bad schema name ${schema}`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Unlinks every key under `prefix` (SCAN batches, so the server is never blocked for long). Returns how many. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  if (prefix.length < 4 || prefix.includes('*'))
    throw new TypeError(`scale: refusing to delete keys under ${prefix}`);
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

/** The parent's safety net: drops the schema and the keys with connections of its own. Never throws. */
export async function removeLeftovers(target: {
  postgresUrl?: string;
  schema?: string;
  redisUrl?: string;
  prefix?: string;
}): Promise<void> {
  if (target.postgresUrl !== undefined && target.schema !== undefined) {
    const client = new pg.Client({ connectionString: target.postgresUrl });
    try {
      await client.connect();
      await dropSchema(client, target.schema);
    } catch {
      // Nothing to drop when the server was never reachable.
    } finally {
      await client.end().catch(() => {});
    }
  }
  if (target.redisUrl !== undefined && target.prefix !== undefined) {
    const redis = new Redis(target.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await deleteKeys(redis, target.prefix);
    } catch {
      // As above.
    } finally {
      redis.disconnect();
    }
  }
}
