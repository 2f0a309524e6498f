import type { RefreshAdvance, RefreshExpectation, RefreshFamilyRecord } from '../../core/store.js';
import { decodeFamily, encodeFamily } from './codec.js';
import type { RedisContext } from './context.js';
import * as lua from './scripts.js';
import { hint } from './sweeps.js';

// Refresh families: one hash per family (`<prefix>{f:<family>}`), each in its own slot.

export async function createRefreshFamily(ctx: RedisContext, record: RefreshFamilyRecord): Promise<void> {
  ctx.redis.open();
  const ttl = Math.max(record.expiresAt - ctx.clock(), 0) + ctx.retention;
  const [reply] = await Promise.all([
    ctx.redis.eval(
      'createRefreshFamily',
      lua.FAMILY_CREATE,
      true,
      [ctx.keys.family(record.familyId)],
      [ttl, ...encodeFamily(record)],
    ),
    hint(ctx, `f:${record.familyId}`, record.expiresAt),
  ]);
  if (reply !== 1) throw new Error(`refresh family already exists: ${record.familyId}`);
}

export async function getRefreshFamily(
  ctx: RedisContext,
  familyId: string,
): Promise<RefreshFamilyRecord | null> {
  ctx.redis.open();
  const client = ctx.redis.client;
  const hash = await ctx.redis.command('getRefreshFamily', () => client.hgetall(ctx.keys.family(familyId)));
  return decodeFamily(familyId, hash);
}

export async function advanceRefreshFamily(
  ctx: RedisContext,
  familyId: string,
  expected: RefreshExpectation,
  next: RefreshAdvance,
): Promise<boolean> {
  ctx.redis.open();
  const reply = await ctx.redis.eval(
    'advanceRefreshFamily',
    lua.FAMILY_ADVANCE,
    true,
    [ctx.keys.family(familyId)],
    [
      expected.generation,
      expected.currentHash,
      next.generation,
      next.currentHash,
      next.previousHash,
      next.rotatedAt,
    ],
  );
  return reply === 1;
}

export async function revokeRefreshFamily(
  ctx: RedisContext,
  familyId: string,
  now: number,
): Promise<boolean> {
  ctx.redis.open();
  const reply = await ctx.redis.eval(
    'revokeRefreshFamily',
    lua.FAMILY_REVOKE,
    true,
    [ctx.keys.family(familyId)],
    [now],
  );
  return reply === 1;
}
