/**
 * The Redis floor: `store-floor.ts` on a Redis client. A session is one string key holding the record as one
 * JSON array (the fields of Tessera's record in a fixed order, then the data: about the bytes of Tessera's
 * value, itself a JSON array of the fixed fields and the data JSON); a check is one `GET` and one `JSON.parse`.
 * `node --import tsx redis-floor.ts <redis-url> [driver]`, driver one of:
 * - `ioredis` (default): the client options RedisStore uses (auto-pipelining, no offline queue, timeouts);
 * - `ioredis-plain`: the same without auto-pipelining (one write per command);
 * - `node-redis`: the `redis` package (node-redis), offline queue off, the same timeouts.
 */
import { Redis } from 'ioredis';
import { type FloorRow, serveStoreFloor } from './store-floor.js';

const url = process.argv[2] ?? 'redis://127.0.0.1:6379';
const driver = process.argv[3] ?? 'ioredis';
const prefix = `bench-floor:${process.pid}:`;

interface Client {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  del(keys: string[]): Promise<unknown>;
  keys(pattern: string): Promise<string[]>;
  quit(): Promise<unknown>;
}

async function open(): Promise<Client> {
  if (driver === 'node-redis') {
    const { createClient } = await import('redis');
    const client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 5000 },
    });
    client.on('error', () => {});
    await client.connect();
    return {
      get: (key) => client.get(key),
      set: (key, value) => client.set(key, value, { PX: 86_400_000 }),
      del: (keys) => client.del(keys),
      keys: (pattern) => client.keys(pattern),
      quit: () => client.quit(),
    };
  }
  if (driver !== 'ioredis' && driver !== 'ioredis-plain')
    throw new TypeError(`redis floor: unknown driver ${driver}`);
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 5000,
    connectTimeout: 5000,
    enableAutoPipelining: driver === 'ioredis',
  });
  redis.on('error', () => {});
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  return {
    get: (key) => redis.get(key),
    set: (key, value) => redis.set(key, value, 'PX', 86_400_000),
    del: (keys) => redis.del(...keys),
    keys: (pattern) => redis.keys(pattern),
    quit: () => redis.quit(),
  };
}

function encode(r: FloorRow): string {
  return JSON.stringify([
    r.subject,
    r.secretHash,
    r.previousSecretHash,
    r.previousSecretValidUntil,
    r.version,
    r.level,
    r.levelAt,
    r.createdAt,
    r.lastSeenAt,
    r.rotatedAt,
    r.idleExpiresAt,
    r.absoluteExpiresAt,
    r.ip,
    r.userAgent,
    r.data,
  ]);
}

const client = await open();
serveStoreFloor({
  async write(id, record) {
    await client.set(`${prefix}${id}`, encode(record));
  },
  async read(id) {
    const raw = await client.get(`${prefix}${id}`);
    if (raw === null) return null;
    const record = JSON.parse(raw) as unknown[];
    return {
      secretHash: record[1] as string,
      expiresAt: Math.min(record[10] as number, record[11] as number),
    };
  },
  async close() {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.quit();
  },
});
