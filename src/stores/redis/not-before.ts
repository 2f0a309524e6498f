import type { RedisContext } from './context.js';
import * as lua from './scripts.js';
import { hint } from './sweeps.js';

// Subject not-before times: one hash per subject (`<prefix>{<shard>}:n:<subject>`), in the subject's slot.

export async function getSubjectNotBefore(ctx: RedisContext, subject: string): Promise<number | null> {
  ctx.redis.open();
  const client = ctx.redis.client;
  const value = await ctx.redis.command('getSubjectNotBefore', () =>
    client.hget(ctx.keys.notBefore(subject), 'nb'),
  );
  return value === null ? null : Number(value);
}

/**
 * The latest not-before of several scopes. One script over all their keys on a single Redis; in a cluster the keys
 * live in different slots, so one `HGET` each, in parallel.
 */
export async function getLatestNotBefore(
  ctx: RedisContext,
  scopes: readonly string[],
): Promise<number | null> {
  ctx.redis.open();
  const keys = scopes.map((scope) => ctx.keys.notBefore(scope));
  let times: (number | null)[];
  if (ctx.redis.cluster || keys.length === 1) {
    const client = ctx.redis.client;
    const values = await Promise.all(
      keys.map((key) => ctx.redis.command('getLatestNotBefore', () => client.hget(key, 'nb'))),
    );
    times = values.map((value) => (value === null ? null : Number(value)));
  } else {
    const reply = await ctx.redis.eval('getLatestNotBefore', lua.LATEST_NOT_BEFORE, false, keys, []);
    times = [reply === null || reply === false ? null : Number(reply)];
  }
  let latest: number | null = null;
  for (const time of times) if (time !== null && (latest === null || time > latest)) latest = time;
  return latest;
}

export async function setSubjectNotBefore(
  ctx: RedisContext,
  subject: string,
  notBefore: number,
  expiresAtTime: number,
): Promise<void> {
  ctx.redis.open();
  await Promise.all([
    ctx.redis.eval(
      'setSubjectNotBefore',
      lua.NOT_BEFORE,
      true,
      [ctx.keys.notBefore(subject)],
      [notBefore, expiresAtTime, ctx.clock(), ctx.retention],
    ),
    hint(ctx, `n:${subject}`, expiresAtTime),
  ]);
}
