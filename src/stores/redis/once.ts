import { checkOnceKey } from '../shared/once-key.js';
import type { RedisContext } from './context.js';

/**
 * KEYS: the one-time key. ARGV: expiresAt, now, ms for Redis to keep the key. The stored value is the expiry
 * in the store's clock (the one the callers pass), so "expired" means the same as in the other stores; Redis's own
 * expiry only reclaims the memory. A script so that a store that waits for replicas (`waitForReplicas`) waits
 * for this write too: a proof id acknowledged as used survives a failover.
 */
const USE_ONCE = `
local until_ = redis.call('GET', KEYS[1])
if until_ and tonumber(until_) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
`;

/**
 * One-time keys live at `<prefix>o:<key>` (outside the `{…}` keys that deleteAllSessions walks), each removed by
 * Redis when its window (plus the store's retention) ends: no sweep is needed. Atomic: one caller of a key wins.
 */
export async function useOnce(
  ctx: RedisContext,
  key: string,
  expiresAt: number,
  now: number,
): Promise<boolean> {
  ctx.redis.open();
  checkOnceKey(key, expiresAt, now);
  const keepFor = Math.max(1, expiresAt - now) + ctx.retention;
  const reply = await ctx.redis.eval(
    'useOnce',
    USE_ONCE,
    true,
    [ctx.keys.once(key)],
    [expiresAt, now, keepFor],
  );
  return reply === 1;
}
