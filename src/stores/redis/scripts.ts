/**
 * Lua scripts for the Redis store. Each runs atomically on the node that owns its keys. Every key a script
 * touches lies in one hash slot: a session key `<prefix>{<shard>}:s:<id>` and its subject's index
 * `<prefix>{<shard>}:u:<subject>` share the `{<shard>}` tag, so they work unchanged on Redis Cluster.
 * Scripts that derive the subject index from a session key build its name from ARGV (same slot, which
 * Redis Cluster allows for undeclared keys).
 *
 * A session is one string of three lines (codec.ts, format 2): the fixed fields (comma-separated, times in base
 * 36), the free text as a JSON array `[subject, ip, userAgent]`, and `data`, the application's JSON,
 * which Lua never parses (so numbers, empty arrays and key names keep their exact form); a data patch is
 * applied by the client and written back with a compare-and-set on the version.
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
-- The fixed line of a session (codec.ts, format 2): 1 format, 2 hash, 3 previous hash, 4 previous valid until,
-- 5 version, 6 level, 7 level at, 8 created (whole ms, base 36), 9 last seen, 10 rotated, 11 idle expiry,
-- 12 absolute expiry. Every time but 8 is its distance from 8, in base 36; '' is null.
local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local function b36(n)
  n = math.floor(n + 0.5)
  if n == 0 then return '0' end
  local sign = ''
  if n < 0 then
    sign = '-'
    n = -n
  end
  local out = {}
  while n > 0 do
    local r = n % 36
    table.insert(out, 1, string.sub(DIGITS, r + 1, r + 1))
    n = (n - r) / 36
  end
  return sign .. table.concat(out)
end
local function from36(t)
  if string.sub(t, 1, 1) == '-' then return -tonumber(string.sub(t, 2), 36) end
  return tonumber(t, 36)
end
local function timeOf(meta, n)
  if meta[n] == '' then return nil end
  return from36(meta[8]) + from36(meta[n])
end
local function setTime(meta, n, value)
  if value == nil then meta[n] = '' else meta[n] = b36(value - from36(meta[8])) end
end
local function expiryOf(meta)
  local i = timeOf(meta, 11)
  local a = timeOf(meta, 12)
  if i < a then return i end
  return a
end
-- Returns the fixed fields, the text line (JSON [subject, ip, user agent]), the data JSON and the whole value.
local function load(key)
  local raw = redis.call('GET', key)
  if not raw then return nil end
  local a = string.find(raw, '\\n', 1, true)
  local b = a and string.find(raw, '\\n', a + 1, true)
  if not b or string.sub(raw, 1, 2) ~= '2,' then error('tessera: unknown Redis session format') end
  local meta = {}
  for f in string.gmatch(string.sub(raw, 1, a - 1) .. ',', '([^,]*),') do meta[#meta + 1] = f end
  return meta, string.sub(raw, a + 1, b - 1), string.sub(raw, b + 1), raw
end
local function subjectOf(text) return cjson.decode(text)[1] end
local function save(key, meta, text, data)
  local raw = table.concat(meta, ',') .. '\\n' .. text .. '\\n' .. data
  redis.call('SET', key, raw, 'KEEPTTL')
  return raw
end
`;

/** KEYS: session, index. ARGV: now, cap|'', overflow, retention, tag, id, expiry, value. */
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
    local meta = load(tag .. ':s:' .. other)
    if not meta then
      redis.call('ZREM', KEYS[2], other)
    elseif expiryOf(meta) > now then
      table.insert(live, {from36(meta[8]), other})
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
local ttl = ttlFor(tonumber(ARGV[7]), now, retention)
redis.call('SET', KEYS[1], ARGV[8], 'PX', s(ttl))
redis.call('ZADD', KEYS[2], ARGV[7], id)
extend(KEYS[2], ttl)
return result
`;

/** KEYS: session. ARGV: now, expected hash, lastSeenAt, idleExpiresAt, retention, tag, id. */
export const TOUCH = `${HELPERS}
local meta, text, data = load(KEYS[1])
if not meta or meta[2] ~= ARGV[2] then return 0 end
local now = tonumber(ARGV[1])
if expiryOf(meta) <= now then return 0 end
local absolute = timeOf(meta, 12)
local idle = tonumber(ARGV[4])
if idle > absolute then idle = absolute end
setTime(meta, 9, tonumber(ARGV[3]))
setTime(meta, 11, idle)
save(KEYS[1], meta, text, data)
local exp = expiryOf(meta)
local ttl = ttlFor(exp, now, tonumber(ARGV[5]))
extend(KEYS[1], ttl)
local index = ARGV[6] .. ':u:' .. subjectOf(text)
redis.call('ZADD', index, 'XX', s(exp), ARGV[7])
extend(index, ttl)
return 1
`;

/**
 * KEYS: session. ARGV: now, expected hash, new hash, previous hash|'', previous valid until|'', rotatedAt,
 * lastSeenAt, idleExpiresAt, level|'', levelAt|'' , retention, tag, id, absolute expiry|''. Returns the new
 * value, or nil. A new absolute expiry (re-authentication) moves the index score and, when later, the key's
 * time to live; an earlier end leaves the key to the sweep (the caller re-hints it), never dropping it early.
 */
export const ROTATE = `${HELPERS}
local meta, text, data = load(KEYS[1])
if not meta or meta[2] ~= ARGV[2] then return false end
local now = tonumber(ARGV[1])
if expiryOf(meta) <= now then return false end
if ARGV[14] ~= '' then setTime(meta, 12, tonumber(ARGV[14])) end
local absolute = timeOf(meta, 12)
local idle = tonumber(ARGV[8])
if idle > absolute then idle = absolute end
meta[2] = ARGV[3]
if ARGV[4] == '' then
  meta[3] = ''
  meta[4] = ''
else
  meta[3] = ARGV[4]
  if ARGV[5] == '' then meta[4] = '' else setTime(meta, 4, tonumber(ARGV[5])) end
end
setTime(meta, 10, tonumber(ARGV[6]))
setTime(meta, 9, tonumber(ARGV[7]))
setTime(meta, 11, idle)
if ARGV[9] ~= '' then
  meta[6] = ARGV[9]
  if ARGV[10] == '' then meta[7] = '' else setTime(meta, 7, tonumber(ARGV[10])) end
end
local raw = save(KEYS[1], meta, text, data)
local exp = expiryOf(meta)
local ttl = ttlFor(exp, now, tonumber(ARGV[11]))
extend(KEYS[1], ttl)
local index = ARGV[12] .. ':u:' .. subjectOf(text)
redis.call('ZADD', index, 'XX', s(exp), ARGV[13])
extend(index, ttl)
return raw
`;

/**
 * KEYS: session. ARGV: now, version the client read, new data JSON. Compare-and-set: writes only if the
 * version is unchanged, then increments it. Returns {'ok', value} | {'conflict', version} | {'not_found'}.
 */
export const UPDATE = `${HELPERS}
local meta, text = load(KEYS[1])
if not meta then return {'not_found'} end
if expiryOf(meta) <= tonumber(ARGV[1]) then return {'not_found'} end
if meta[5] ~= ARGV[2] then return {'conflict', meta[5]} end
meta[5] = s(tonumber(meta[5]) + 1)
return {'ok', save(KEYS[1], meta, text, ARGV[3])}
`;

/** KEYS: session. ARGV: tag, id. Returns the removed value, or nil. */
export const DELETE = `${HELPERS}
local meta, text, _, raw = load(KEYS[1])
if not meta then return false end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[1] .. ':u:' .. subjectOf(text), ARGV[2])
return raw
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

/** KEYS: index. ARGV: now, retention, tag. Returns the live sessions as a flat {id, value, id, value, …}. */
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
  local raw = redis.call('GET', ARGV[3] .. ':s:' .. id)
  if not raw then
    redis.call('ZREM', KEYS[1], id)
  else
    table.insert(out, id)
    table.insert(out, raw)
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
  local meta = load(key)
  if not meta then
    redis.call('ZREM', KEYS[1], id)
  else
    local exp = expiryOf(meta)
    if exp < before then
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[1], id)
      removed = removed + 1
    else
      redis.call('ZADD', KEYS[1], s(exp), id)
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

/**
 * KEYS: a hint shard's bucket set, one bucket. ARGV: bucket start, entry, now, retention, bucket width, the
 * shard's bucket key prefix. Appends the entry (unless it is already last) and lists the bucket; both expire a
 * retention after the bucket ends. Drops up to two of the oldest buckets whose lists expired unswept, so the set
 * stays bounded when no sweeper runs.
 */
export const HINT = `${HELPERS}
if redis.call('LINDEX', KEYS[2], -1) ~= ARGV[2] then redis.call('RPUSH', KEYS[2], ARGV[2]) end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1])
local ttl = ttlFor(tonumber(ARGV[1]) + tonumber(ARGV[5]), tonumber(ARGV[3]), tonumber(ARGV[4]))
extend(KEYS[2], ttl)
extend(KEYS[1], ttl)
for _, start in ipairs(redis.call('ZRANGE', KEYS[1], 0, 1)) do
  if redis.call('EXISTS', ARGV[6] .. start) == 0 then redis.call('ZREM', KEYS[1], start) end
end
return 1
`;

/** KEYS: one bucket. ARGV: count. Returns {length before, entry, …}: up to `count` entries taken from its head. */
export const TAKE = `
local length = redis.call('LLEN', KEYS[1])
local taken = redis.call('LPOP', KEYS[1], ARGV[1])
if not taken then return {length} end
return {length, unpack(taken)}
`;

/** KEYS: a hint shard's bucket set, one bucket. ARGV: bucket start. Unlists the bucket once it is empty. */
export const DROP_BUCKET = `
if redis.call('LLEN', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[1]) end
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

/** KEYS: not-before hashes. Returns the largest `nb` among them (as a string), or false when none has one. */
export const LATEST_NOT_BEFORE = `
local latest = false
for i = 1, #KEYS do
  local nb = redis.call('HGET', KEYS[i], 'nb')
  if nb and (not latest or tonumber(nb) > tonumber(latest)) then latest = nb end
end
return latest
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
