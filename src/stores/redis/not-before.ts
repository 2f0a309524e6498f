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
