-- Creates or changes an account's identity and manager in one step. A new account, or an existing
-- one without keepState, starts with the given (ACTIVE) health, no pacing wait and no foreign command;
-- fields of the health states' predecessors (enabled, disabledReason, cooldownUntil, exhaustedDay)
-- are dropped once the health is written.
-- KEYS[1] account hash, KEYS[2] accounts set
-- ARGV[1] event channel prefix, ARGV[2] channel, ARGV[3] identity JSON {field: string | null (unset)},
-- ARGV[4] manager (CONFIG | API), ARGV[5] keepState ('1' | '0'), ARGV[6] the publish command
-- (PUBLISH, or SPUBLISH on a Cluster), ARGV[7] the health a new (or reset) account starts with (JSON),
-- ARGV[8] the health of an existing account without one (JSON, read from its old fields; '' = reset)
-- Returns the account's fields (HGETALL).
local existed = redis.call('EXISTS', KEYS[1]) == 1
redis.call('HSET', KEYS[1], 'channel', ARGV[2], 'managed', ARGV[4])
for field, value in pairs(cjson.decode(ARGV[3])) do
  if value == cjson.null then redis.call('HDEL', KEYS[1], field) else redis.call('HSET', KEYS[1], field, value) end
end
local keep = existed and ARGV[5] == '1'
if keep and redis.call('HEXISTS', KEYS[1], 'health') == 0 then
  redis.call('HSET', KEYS[1], 'health', ARGV[8] ~= '' and ARGV[8] or ARGV[7])
elseif not keep then
  redis.call('HSET', KEYS[1], 'health', ARGV[7], 'readyAt', '0')
  redis.call('HDEL', KEYS[1], 'foreign')
end
redis.call('HDEL', KEYS[1], 'enabled', 'disabledReason', 'cooldownUntil', 'exhaustedDay')
redis.call('SADD', KEYS[2], ARGV[2])
redis.call(ARGV[6], ARGV[1] .. 'accounts', ARGV[2])
redis.call(ARGV[6], ARGV[1] .. 'freed', ARGV[2])
return redis.call('HGETALL', KEYS[1])
