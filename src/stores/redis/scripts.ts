/**
 * Lua scripts for the Redis store. Each runs atomically on the node that owns its keys. Every key a script
 * touches lies in one hash slot: a session key `<prefix>{<shard>}:s:<id>` and its subject's index
 * `<prefix>{<shard>}:u:<subject>` share the `{<shard>}` tag, so they work unchanged on Redis Cluster.
 * Scripts that derive the subject index from a session key build its name from ARGV (same slot, which
 * Redis Cluster allows for undeclared keys).
 *
 * Session hash fields: u subject, h secret hash, ph/pu previous hash and its end, v version, lv/la level and
 * its time, c created, l last seen, r rotated, i idle expiry, a absolute expiry, ip, ua, and `d:<key>` =
 * JSON of one top-level data key (patches are HSET/HDEL of fields: no JSON parsing in Lua, so numbers and
 * empty arrays keep their exact form). A missing field is null.
 */

const HELPERS = `
local function s(n) return string.format('%d', n) end
local function ttlFor(exp, now, retention)
  local t = exp - now
  if t < 0 then t = 0 end
  return t + retention
end
-- Sets a key's time to live, never shortening it (an index holds several sessions).
local function extend(k, ttl)
  local cur = redis.call('PTTL', k)
  if cur == -2 then return end
  if cur >= 0 and cur >= ttl then return end
  redis.call('PEXPIRE', k, s(ttl))
end
local function expiryOf(i, a)
  local x = tonumber(i)
  local y = tonumber(a)
  if x < y then return x, i end
  return y, a
end
`;

/** KEYS: session, index. ARGV: now, cap|'', overflow, retention, tag, id, expiry, then field/value pairs. */
export const CREATE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
local now = tonumber(ARGV[1])
local retention = tonumber(ARGV[4])
local tag = ARGV[5]
local id = ARGV[6]
-- Prune index entries whose sessions ended more than the retention ago (bounded).
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. s(now - retention), 'LIMIT', 0, 100)
for _, gone in ipairs(old) do
  redis.call('DEL', tag .. ':s:' .. gone)
  redis.call('ZREM', KEYS[2], gone)
end
local result = {'ok'}
if ARGV[2] ~= '' then
  local cap = tonumber(ARGV[2])
  local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. s(now), '+inf')
  local live = {}
  for _, other in ipairs(ids) do
    local f = redis.call('HMGET', tag .. ':s:' .. other, 'c', 'i', 'a')
    if not f[1] then
      redis.call('ZREM', KEYS[2], other)
    elseif expiryOf(f[2], f[3]) > now then
      table.insert(live, {tonumber(f[1]), other})
    end
  end
  local excess = #live + 1 - cap
  if excess > 0 then
    if ARGV[3] == 'refuse' then return {'limit'} end
    table.sort(live, function(x, y)
      if x[1] ~= y[1] then return x[1] < y[1] end
      return x[2] < y[2]
    end)
    for n = 1, excess do
      local victim = live[n][2]
      redis.call('DEL', tag .. ':s:' .. victim)
      redis.call('ZREM', KEYS[2], victim)
      table.insert(result, victim)
    end
  end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
local ttl = ttlFor(tonumber(ARGV[7]), now, retention)
redis.call('PEXPIRE', KEYS[1], s(ttl))
redis.call('ZADD', KEYS[2], ARGV[7], id)
extend(KEYS[2], ttl)
return result
`;

/** KEYS: session. ARGV: now, expected hash, lastSeenAt, idleExpiresAt, retention, tag, id. */
export const TOUCH = `${HELPERS}
local f = redis.call('HMGET', KEYS[1], 'h', 'i', 'a', 'u')
if not f[1] or f[1] ~= ARGV[2] then return 0 end
local now = tonumber(ARGV[1])
if expiryOf(f[2], f[3]) <= now then return 0 end
local idle = ARGV[4]
if tonumber(idle) > tonumber(f[3]) then idle = f[3] end
redis.call('HSET', KEYS[1], 'l', ARGV[3], 'i', idle)
local exp, expText = expiryOf(idle, f[3])
local ttl = ttlFor(exp, now, tonumber(ARGV[5]))
extend(KEYS[1], ttl)
local index = ARGV[6] .. ':u:' .. f[4]
redis.call('ZADD', index, 'XX', expText, ARGV[7])
extend(index, ttl)
return 1
`;

/**
 * KEYS: session. ARGV: now, expected hash, new hash, previous hash|'', previous valid until|'', rotatedAt,
 * lastSeenAt, idleExpiresAt, level|'', levelAt|'' , retention, tag, id.
 */
export const ROTATE = `${HELPERS}
local f = redis.call('HMGET', KEYS[1], 'h', 'i', 'a', 'u')
if not f[1] or f[1] ~= ARGV[2] then return false end
local now = tonumber(ARGV[1])
if expiryOf(f[2], f[3]) <= now then return false end
local idle = ARGV[8]
if tonumber(idle) > tonumber(f[3]) then idle = f[3] end
redis.call('HSET', KEYS[1], 'h', ARGV[3], 'r', ARGV[6], 'l', ARGV[7], 'i', idle)
if ARGV[4] == '' then redis.call('HDEL', KEYS[1], 'ph', 'pu')
else redis.call('HSET', KEYS[1], 'ph', ARGV[4], 'pu', ARGV[5]) end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[1], 'lv', ARGV[9])
  if ARGV[10] == '' then redis.call('HDEL', KEYS[1], 'la') else redis.call('HSET', KEYS[1], 'la', ARGV[10]) end
end
local exp, expText = expiryOf(idle, f[3])
local ttl = ttlFor(exp, now, tonumber(ARGV[11]))
extend(KEYS[1], ttl)
local index = ARGV[12] .. ':u:' .. f[4]
redis.call('ZADD', index, 'XX', expText, ARGV[13])
extend(index, ttl)
return redis.call('HGETALL', KEYS[1])
`;

/** KEYS: session. ARGV: now, expected version|'', number of unset keys, unset fields..., set field/value pairs. */
export const UPDATE = `${HELPERS}
local f = redis.call('HMGET', KEYS[1], 'v', 'i', 'a')
if not f[1] then return {'not_found'} end
if expiryOf(f[2], f[3]) <= tonumber(ARGV[1]) then return {'not_found'} end
if ARGV[2] ~= '' and ARGV[2] ~= f[1] then return {'conflict', f[1]} end
local unset = tonumber(ARGV[3])
if unset > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV, 4, 3 + unset)) end
if #ARGV > 3 + unset then redis.call('HSET', KEYS[1], unpack(ARGV, 4 + unset)) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 'ok')
return out
`;

/** KEYS: session. ARGV: tag, id. Returns the removed hash (flat), or an empty list. */
export const DELETE = `
local all = redis.call('HGETALL', KEYS[1])
if #all == 0 then return all end
redis.call('DEL', KEYS[1])
for n = 1, #all, 2 do
  if all[n] == 'u' then redis.call('ZREM', ARGV[1] .. ':u:' .. all[n + 1], ARGV[2]) end
end
return all
`;

/** KEYS: index. ARGV: tag, except id|''. Returns the removed ids. */
export const DELETE_BY_SUBJECT = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local removed = {}
for _, id in ipairs(ids) do
  if id ~= ARGV[2] then
    if redis.call('DEL', ARGV[1] .. ':s:' .. id) == 1 then table.insert(removed, id) end
    redis.call('ZREM', KEYS[1], id)
  end
end
return removed
`;

/** KEYS: index. ARGV: now, retention, tag. Returns the live sessions, each as {id, field, value, …}. */
export const LIST = `${HELPERS}
local now = tonumber(ARGV[1])
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. s(now - tonumber(ARGV[2])), 'LIMIT', 0, 100)
for _, gone in ipairs(old) do
  redis.call('DEL', ARGV[3] .. ':s:' .. gone)
  redis.call('ZREM', KEYS[1], gone)
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. s(now), '+inf')
local out = {}
for _, id in ipairs(ids) do
  local all = redis.call('HGETALL', ARGV[3] .. ':s:' .. id)
  if #all == 0 then
    redis.call('ZREM', KEYS[1], id)
  else
    table.insert(all, 1, id)
    table.insert(out, all)
  end
end
return out
`;

/**
 * KEYS: index. ARGV: before, limit, tag. Removes sessions of one subject that expired before \`before\`.
 * Returns {removed, next expiry in the index or -1}.
 */
export const SWEEP_SUBJECT = `${HELPERS}
local before = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, limit)
local removed = 0
for _, id in ipairs(ids) do
  local key = ARGV[3] .. ':s:' .. id
  local f = redis.call('HMGET', key, 'i', 'a')
  if not f[1] then
    redis.call('ZREM', KEYS[1], id)
  else
    local exp, expText = expiryOf(f[1], f[2])
    if exp < before then
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[1], id)
      removed = removed + 1
    else
      redis.call('ZADD', KEYS[1], expText, id)
    end
  end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return {removed, -1} end
return {removed, first[2]}
`;

/** KEYS: a hash with expiry field \`x\` (family or not-before). ARGV: before. Returns {removed, expiry or -1}. */
export const SWEEP_ONE = `
local x = redis.call('HGET', KEYS[1], 'x')
if not x then return {0, -1} end
if tonumber(x) < tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return {1, -1}
end
return {0, x}
`;

/** KEYS: hint. ARGV: due time, member, now, retention. ZADD LT keeps the earliest due time; the set expires too. */
export const HINT = `${HELPERS}
redis.call('ZADD', KEYS[1], 'LT', ARGV[1], ARGV[2])
local ttl = ttlFor(tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4]))
local cur = redis.call('PTTL', KEYS[1])
if cur >= 0 and cur < ttl or cur == -1 then redis.call('PEXPIRE', KEYS[1], s(ttl)) end
return 1
`;

/** KEYS: hint. ARGV: member, score seen. Removes the member only if nobody rescheduled it meanwhile. */
export const UNHINT = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1
`;

/** KEYS: not-before hash. ARGV: notBefore, expiresAt, now, retention. Never moves either value backwards. */
export const NOT_BEFORE = `${HELPERS}
local f = redis.call('HMGET', KEYS[1], 'nb', 'x')
local nb = ARGV[1]
local x = ARGV[2]
if f[1] and tonumber(f[1]) > tonumber(nb) then nb = f[1] end
if f[2] and tonumber(f[2]) > tonumber(x) then x = f[2] end
redis.call('HSET', KEYS[1], 'nb', nb, 'x', x)
local ttl = ttlFor(tonumber(x), tonumber(ARGV[3]), tonumber(ARGV[4]))
local cur = redis.call('PTTL', KEYS[1])
if cur < ttl then redis.call('PEXPIRE', KEYS[1], s(ttl)) end
return 1
`;

/** KEYS: family. ARGV: ttl ms, field/value pairs. */
export const FAMILY_CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

/** KEYS: family. ARGV: expected generation, expected hash, generation, hash, previous hash, rotatedAt. */
export const FAMILY_ADVANCE = `
local f = redis.call('HMGET', KEYS[1], 'g', 'h', 'rv')
if not f[1] or f[3] then return 0 end
if f[1] ~= ARGV[1] or f[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'g', ARGV[3], 'h', ARGV[4], 'ph', ARGV[5], 'r', ARGV[6])
return 1
`;

/** KEYS: family. ARGV: now. */
export const FAMILY_REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSETNX', KEYS[1], 'rv', ARGV[1])
return 1
`;
