import type { RedisContext } from './context.js';
import * as lua from './scripts.js';

/** Schedules a sweep of `member` no later than `at` (ZADD LT keeps the earliest time). */
export async function hint(ctx: RedisContext, member: string, at: number): Promise<void> {
  await ctx.redis.eval('hint', lua.HINT, false, [ctx.keys.hint], [at, member, ctx.clock(), ctx.retention]);
}

/**
 * Keys expire by themselves; this removes what expired before `before` (by the caller's clock) in bounded
 * work: it reads up to a batch of due entries from the sweep-hint set, cleans that one subject / family /
 * not-before entry with a script in its own slot, and reschedules or drops the hint.
 */
export async function deleteExpired(ctx: RedisContext, before: number, limit: number): Promise<number> {
  const { redis, keys } = ctx;
  redis.open();
  const client = redis.client;
  const hint = keys.hint;
  let removed = 0;
  for (let round = 0; removed < limit && round < 1000; round += 1) {
    const due = await redis.command('deleteExpired', () =>
      client.zrangebyscore(hint, '-inf', `(${before}`, 'WITHSCORES', 'LIMIT', 0, 32),
    );
    if (due.length === 0) break;
    for (let n = 0; n + 1 < due.length && removed < limit; n += 2) {
      const member = due[n] as string;
      const seen = due[n + 1] as string;
      const name = member.slice(2);
      let reply: [number, number | string];
      if (member.startsWith('u:')) {
        reply = (await redis.eval(
          'deleteExpired',
          lua.SWEEP_SUBJECT,
          true,
          [keys.index(name)],
          [before, limit - removed, keys.tag(keys.shardFor(name))],
        )) as [number, number | string];
      } else {
        const key = member.startsWith('f:') ? keys.family(name) : keys.notBefore(name);
        reply = (await redis.eval('deleteExpired', lua.SWEEP_ONE, true, [key], [before])) as [
          number,
          number | string,
        ];
      }
      removed += Number(reply[0]);
      const next = Number(reply[1]);
      if (next < 0) await redis.eval('deleteExpired', lua.UNHINT, false, [hint], [member, seen]);
      else await redis.command('deleteExpired', () => client.zadd(hint, next, member));
    }
  }
  return removed;
}
