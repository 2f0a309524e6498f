import type { Cluster, Redis } from 'ioredis';
import type { RedisContext } from './context.js';
import * as lua from './scripts.js';

/** KEYS: one refresh family. Returns how many keys it removed (0 or 1). */
const DELETE_KEY = `return redis.call('DEL', KEYS[1])`;

/** Keys per SCAN round trip (a hint to Redis, which may return more or fewer). */
const SCAN_COUNT = 500;

/** `{<shard>}:s:<id>` or `{<shard>}:u:<subject>` after the prefix. */
const SUBJECT_KEY = /^(\{[A-Za-z0-9_-]{4}\}):([su]):(.+)$/s;

/**
 * "End every session of every user": walks the store's keys with SCAN (`<prefix>{*`) on every primary (one
 * node when standalone) and removes each session, subject index and refresh family it finds, each with the
 * store's own script in its slot: an index takes its sessions with it (DELETE_BY_SUBJECT), a session leaves
 * its index (DELETE), so no session is ever left that its subject's index does not name. SCAN returns every
 * key present for the whole walk, so every session that exists when the call starts and is not removed by
 * something else meanwhile is removed; a session created during the walk (a new login) may survive. A slot
 * that moves to another primary during the walk (resharding, failover) may be missed: run it again then.
 * Not-before times (`:n:`) and the sweep hints stay. Returns how many sessions it removed.
 */
export async function deleteAllSessions(ctx: RedisContext): Promise<number> {
  const { redis } = ctx;
  redis.open();
  const client = redis.client;
  // Inside `command`, so a cluster client has connected and knows its primaries before we list them.
  const nodes = await redis.command(
    'deleteAllSessions',
    async (): Promise<Redis[]> => (redis.cluster ? (client as Cluster).nodes('master') : [client as Redis]),
  );
  let removed = 0;
  for (const node of nodes) removed += await wipeNode(ctx, node);
  return removed;
}

async function wipeNode(ctx: RedisContext, node: Redis): Promise<number> {
  const { redis, keys } = ctx;
  const pattern = `${escapeGlob(keys.prefix)}{*`;
  let cursor = '0';
  let removed = 0;
  do {
    const [next, found] = await redis.command('deleteAllSessions', () =>
      node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
    );
    cursor = next;
    // The scripts go through the store's client, which routes each to the primary that owns its slot now.
    const counts = await Promise.all(found.map((key) => removeKey(ctx, key)));
    for (const count of counts) removed += count;
  } while (cursor !== '0');
  return removed;
}

/** Removes one key the walk found; returns how many sessions went with it. */
async function removeKey(ctx: RedisContext, key: string): Promise<number> {
  const { redis, keys } = ctx;
  if (!key.startsWith(keys.prefix)) return 0;
  const rest = key.slice(keys.prefix.length);
  const match = SUBJECT_KEY.exec(rest);
  if (match !== null) {
    const tag = `${keys.prefix}${match[1] as string}`;
    if (match[2] === 'u') {
      const ids = await redis.eval('deleteAllSessions', lua.DELETE_BY_SUBJECT, true, [key], [tag, '']);
      return (ids as string[]).length;
    }
    const raw = await redis.eval('deleteAllSessions', lua.DELETE, true, [key], [tag, match[3] as string]);
    return raw === null ? 0 : 1;
  }
  if (rest.startsWith('{f:') && rest.endsWith('}')) {
    await redis.eval('deleteAllSessions', DELETE_KEY, true, [key], []);
  }
  return 0;
}

/** Escapes Redis glob metacharacters, so a prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]^]/g, (char) => `\\${char}`);
}
