/**
 * Writes the Redis server refuses, for the store suite's fault cases. Redis has no commit to fail: a write
 * fails when the server refuses the command or the script's first write (the script then stops, so nothing
 * of it is applied). Two ways to stage that for real:
 * - `RedisFaultUser`: on the shared server, a store connects as its own ACL user; `failWrites()` narrows the
 *   user's key permission to read-only (`%R~<prefix>*`, Redis 7.0+), so every write command and script of
 *   that one connection answers NOPERM while every other test on the server is unaffected;
 * - `failClusterWrites`: on a test's private cluster, `min-replicas-to-write` above the replicas each primary
 *   has, so every write answers NOREPLICAS (what a primary that lost its replicas says).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisClusterHandle } from './redis-cluster.js';

/** An ACL user of the shared server with full access to one key prefix, until `failWrites`. */
export interface RedisFaultUser {
  /** The server URL with this user's name and password. */
  readonly url: string;
  /** Makes the user's keys read-only; resolves to an undo that gives write access back. */
  failWrites(): Promise<() => Promise<void>>;
  /** Deletes the user (which also disconnects its clients). */
  remove(): Promise<void>;
}

const PLAIN = /^[A-Za-z0-9_:.-]+$/;

/** Creates a user `name` (unique per test) that may run every non-admin command on keys under `prefix`. */
export async function createRedisFaultUser(
  adminUrl: string,
  name: string,
  prefix: string,
): Promise<RedisFaultUser> {
  if (!PLAIN.test(name) || !PLAIN.test(prefix)) throw new TypeError('fault user: plain name and prefix only');
  const password = randomBytes(16).toString('hex');
  const keys = async (access: string): Promise<void> => {
    await admin(adminUrl, (client) =>
      client.call('ACL', 'SETUSER', name, 'resetkeys', `${access}${prefix}*`),
    );
  };
  await admin(adminUrl, (client) =>
    client.call('ACL', 'SETUSER', name, 'reset', 'on', `>${password}`, `~${prefix}*`, '+@all', '-@admin'),
  );
  const url = new URL(adminUrl);
  url.username = name;
  url.password = password;
  return {
    url: url.href,
    async failWrites(): Promise<() => Promise<void>> {
      await keys('%R~');
      return () => keys('~');
    },
    async remove(): Promise<void> {
      await admin(adminUrl, (client) => client.call('ACL', 'DELUSER', name));
    },
  };
}

/**
 * Makes every node of a private test cluster refuse writes (NOREPLICAS); resolves to an undo. Never use it
 * on a shared server: the setting is server-wide.
 */
export async function failClusterWrites(cluster: RedisClusterHandle): Promise<() => Promise<void>> {
  const urls = cluster.nodes.filter((node) => node.alive).map((node) => `redis://127.0.0.1:${node.port}`);
  const set = async (value: number): Promise<void> => {
    await Promise.all(
      urls.map((url) =>
        admin(url, (client) => client.call('CONFIG', 'SET', 'min-replicas-to-write', String(value))),
      ),
    );
  };
  // More than any primary has: `connected_slaves` of INFO replication (0 on a replica).
  const replicas = await Promise.all(
    urls.map(async (url) => {
      const info = await admin(url, (client) => client.info('replication'));
      return Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
    }),
  );
  await set(Math.max(0, ...replicas) + 1);
  return () => set(0);
}

/** Runs `run` on a short-lived connection of the default (admin) user. */
async function admin<T>(url: string, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    return await run(client);
  } finally {
    client.disconnect();
  }
}
