import type { RedisContext } from './context.js';
import * as lua from './scripts.js';

/**
 * Sweep hints. An entry (`u:<subject>`, `f:<family>`, `n:<subject>`) says "something of this expires at about
 * this time". Entries live in buckets of one minute, each a Redis list (about 27 bytes an entry, where a sorted
 * set member took about 118), spread over HINT_SHARDS shards, each its own cluster slot. Every shard keeps a
 * sorted set of its buckets by start time, so the sweep finds what is due without looking at anything else.
 * An entry is written when something is created or its end moves earlier, never on a touch: the sweep, finding
 * an entry's subject extended, queues it again at its new expiry.
 */
export const HINT_SHARDS = 16;
/** Width of a hint bucket (ms). */
export const BUCKET_MS = 60_000;
/** Due entries taken per round (one `LPOP … count`). */
const ENTRIES_PER_ROUND = 32;

/** Which hint shard an entry belongs to (FNV-1a of its text). */
export function hintShard(entry: string): number {
  let hash = 0x811c9dc5;
  for (let n = 0; n < entry.length; n += 1) {
    hash ^= entry.charCodeAt(n);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % HINT_SHARDS;
}

function bucketOf(at: number): number {
  return Math.floor(at / BUCKET_MS) * BUCKET_MS;
}

/** Queues `entry` for a sweep at `at` (the bucket of that minute). */
export async function hint(ctx: RedisContext, entry: string, at: number): Promise<void> {
  const k = hintShard(entry);
  const start = bucketOf(at);
  await ctx.redis.eval(
    'hint',
    lua.HINT,
    false,
    [ctx.keys.hintBuckets(k), ctx.keys.hintBucket(k, start)],
    [start, entry, ctx.clock(), ctx.retention, BUCKET_MS, ctx.keys.hintBucket(k, 0).slice(0, -1)],
  );
}

/**
 * Keys expire by themselves; this removes what expired before `before` (by the caller's clock) in bounded
 * work. It asks every hint shard for its oldest due bucket (one pipelined round trip), then drains the due
 * buckets oldest first: it takes up to a batch of entries (`LPOP`, so concurrent sweepers never take the same
 * one), cleans each subject / family / not-before entry with a script in its own slot (concurrently: one round
 * trip for the batch), and queues each entry again at its next expiry, if it has one. A bucket is drained at
 * most once per call (up to the length it had when this call came to it), so the entries of the bucket that
 * `before` falls in, which go back to that bucket, are not taken twice; an emptied bucket leaves its shard's set.
 * Each entry gets its share of what is left of `limit`, so the total never passes it.
 */
export async function deleteExpired(ctx: RedisContext, before: number, limit: number): Promise<number> {
  ctx.redis.open();
  const shards = Array.from({ length: HINT_SHARDS }, (_, k) => k);
  const firsts = await Promise.all(shards.map((k) => dueBuckets(ctx, k, before, '-inf')));
  let removed = 0;
  for (const k of shards) {
    let due = firsts[k] as number[];
    while (due.length > 0 && removed < limit) {
      for (const start of due) {
        removed += await drainBucket(ctx, k, start, before, limit - removed);
        if (removed >= limit) break;
      }
      due = removed >= limit ? [] : await dueBuckets(ctx, k, before, `(${due[due.length - 1] as number}`);
    }
  }
  return removed;
}

/** Start times of up to 8 due buckets of shard `k` after `after`, oldest first. */
async function dueBuckets(ctx: RedisContext, k: number, before: number, after: string): Promise<number[]> {
  const client = ctx.redis.client;
  const starts = await ctx.redis.command('deleteExpired', () =>
    client.zrangebyscore(ctx.keys.hintBuckets(k), after, `(${before}`, 'LIMIT', 0, 8),
  );
  return starts.map(Number);
}

/**
 * Drains one due bucket: takes at most the entries it held when this call came to it, and keeps working on an
 * entry whose subject has more due than its share gave it, while `limit` allows. Returns how many it removed.
 */
async function drainBucket(
  ctx: RedisContext,
  k: number,
  start: number,
  before: number,
  limit: number,
): Promise<number> {
  const { redis, keys } = ctx;
  const bucket = keys.hintBucket(k, start);
  let removed = 0;
  let left: number | null = null;
  let again: { entry: string; next: number }[] = [];
  while (removed < limit) {
    let entries = again.map(({ entry }) => entry);
    again = [];
    if (entries.length === 0) {
      if (left === 0) break;
      const take = Math.min(ENTRIES_PER_ROUND, limit - removed, left ?? ENTRIES_PER_ROUND);
      const [length, ...taken] = (await redis.eval('deleteExpired', lua.TAKE, false, [bucket], [take])) as [
        number,
        ...string[],
      ];
      left = (left ?? Number(length)) - taken.length;
      if (taken.length === 0) break;
      entries = taken;
    }
    const share = Math.max(1, Math.floor((limit - removed) / entries.length));
    const replies = await Promise.all(entries.map((entry) => sweepOne(ctx, entry, before, share)));
    const later: Promise<void>[] = [];
    entries.forEach((entry, n) => {
      const [count, nextText] = replies[n] as [number, number | string];
      removed += Number(count);
      const next = Number(nextText);
      if (next < 0) return;
      if (next < before) again.push({ entry, next });
      else later.push(hint(ctx, entry, next));
    });
    await Promise.all(later);
  }
  // Entries left with due work when `limit` ran out go back to the bucket of their next expiry.
  await Promise.all(again.map(({ entry, next }) => hint(ctx, entry, next)));
  await redis.eval('deleteExpired', lua.DROP_BUCKET, false, [keys.hintBuckets(k), bucket], [start]);
  return removed;
}

/** Cleans one hinted entry: up to `budget` of a subject's expired sessions, or one family / not-before hash. */
async function sweepOne(
  ctx: RedisContext,
  entry: string,
  before: number,
  budget: number,
): Promise<[number, number | string]> {
  const { redis, keys } = ctx;
  const name = entry.slice(2);
  if (entry.startsWith('u:')) {
    return (await redis.eval(
      'deleteExpired',
      lua.SWEEP_SUBJECT,
      true,
      [keys.index(name)],
      [before, budget, keys.tag(keys.shardFor(name))],
    )) as [number, number | string];
  }
  const key = entry.startsWith('f:') ? keys.family(name) : keys.notBefore(name);
  return (await redis.eval('deleteExpired', lua.SWEEP_ONE, true, [key], [before])) as [
    number,
    number | string,
  ];
}
