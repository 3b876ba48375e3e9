-- Creates or changes an account's identity in one step. A new account, or an existing one without
-- keepState, starts enabled with no exhaustion; a cooldown is never reset here.
-- KEYS[1] account hash, KEYS[2] accounts set
-- ARGV[1] event channel prefix, ARGV[2] channel, ARGV[3] server, ARGV[4] token, ARGV[5] label ('' = none),
-- ARGV[6] keepState ('1' | '0'), ARGV[7] the publish command (PUBLISH, or SPUBLISH on a Cluster),
-- ARGV[8] plan ('' = none: the default plan)
-- Returns the account's fields (HGETALL).
local existed = redis.call('EXISTS', KEYS[1]) == 1
redis.call('HSET', KEYS[1], 'channel', ARGV[2], 'server', ARGV[3], 'discord', ARGV[4])
if ARGV[5] == '' then redis.call('HDEL', KEYS[1], 'label') else redis.call('HSET', KEYS[1], 'label', ARGV[5]) end
if ARGV[8] == '' then redis.call('HDEL', KEYS[1], 'plan') else redis.call('HSET', KEYS[1], 'plan', ARGV[8]) end
if not existed or ARGV[6] ~= '1' then
  redis.call('HSET', KEYS[1], 'enabled', '1')
  redis.call('HDEL', KEYS[1], 'disabledReason', 'exhaustedDay')
end
if not existed then redis.call('HSET', KEYS[1], 'cooldownUntil', '0') end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call(ARGV[7], ARGV[1] .. 'freed', ARGV[2])
return redis.call('HGETALL', KEYS[1])
