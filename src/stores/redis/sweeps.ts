import type { RedisContext } from './context.js';
import * as lua from './scripts.js';

/** Schedules a sweep of `member` no later than `at` (ZADD LT keeps the earliest time). */
export async function hint(ctx: RedisContext, member: string, at: number): Promise<void> {
  await ctx.redis.eval('hint', lua.HINT, false, [ctx.keys.hint], [at, member, ctx.clock(), ctx.retention]);
}

/** Due hints read per round (one `ZRANGEBYSCORE`). */
const HINTS_PER_ROUND = 32;

/**
 * Keys expire by themselves; this removes what expired before `before` (by the caller's clock) in bounded
 * work: it reads up to a batch of due entries from the sweep-hint set, cleans each subject / family /
 * not-before entry with a script in its own slot, and reschedules or drops each hint. The scripts of a batch
 * run concurrently (auto-pipelined: one round trip for the batch, not two per entry), each with its share of
 * what is left of `limit`, so the total never passes it; an entry that had more to remove than its share keeps
 * its hint, due, for the next round.
 */
export async function deleteExpired(ctx: RedisContext, before: number, limit: number): Promise<number> {
  const { redis, keys } = ctx;
  redis.open();
  const client = redis.client;
  const hint = keys.hint;
  let removed = 0;
  for (let round = 0; removed < limit && round < 1000; round += 1) {
    const left = limit - removed;
    const due = await redis.command('deleteExpired', () =>
      client.zrangebyscore(
        hint,
        '-inf',
        `(${before}`,
        'WITHSCORES',
        'LIMIT',
        0,
        Math.min(HINTS_PER_ROUND, left),
      ),
    );
    if (due.length === 0) break;
    const entries: { member: string; seen: string }[] = [];
    for (let n = 0; n + 1 < due.length; n += 2)
      entries.push({ member: due[n] as string, seen: due[n + 1] as string });
    const share = Math.max(1, Math.floor(left / entries.length));
    const replies = await Promise.all(entries.map(({ member }) => sweepOne(ctx, member, before, share)));
    await Promise.all(
      entries.map(({ member, seen }, n) => {
        const next = Number((replies[n] as [number, number | string])[1]);
        return next < 0
          ? redis.eval('deleteExpired', lua.UNHINT, false, [hint], [member, seen])
          : redis.command('deleteExpired', () => client.zadd(hint, next, member));
      }),
    );
    for (const reply of replies) removed += Number(reply[0]);
  }
  return removed;
}

/** Cleans one hinted entry: up to `budget` of a subject's expired sessions, or one family / not-before hash. */
async function sweepOne(
  ctx: RedisContext,
  member: string,
  before: number,
  budget: number,
): Promise<[number, number | string]> {
  const { redis, keys } = ctx;
  const name = member.slice(2);
  if (member.startsWith('u:')) {
    return (await redis.eval(
      'deleteExpired',
      lua.SWEEP_SUBJECT,
      true,
      [keys.index(name)],
      [before, budget, keys.tag(keys.shardFor(name))],
    )) as [number, number | string];
  }
  const key = member.startsWith('f:') ? keys.family(name) : keys.notBefore(name);
  return (await redis.eval('deleteExpired', lua.SWEEP_ONE, true, [key], [before])) as [
    number,
    number | string,
  ];
}
