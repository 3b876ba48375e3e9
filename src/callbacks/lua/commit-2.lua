-- Records an attempt's result, if the caller's token still holds the lease.
-- KEYS[1] task hash, KEYS[2] due zset
-- ARGV[1] job id, ARGV[2] token, ARGV[3] status, ARGV[4] attempts, ARGV[5] lastError ('' = none),
-- ARGV[6] deliveredAt ('' = none), ARGV[7] next attempt due (ms; '' = finished), ARGV[8] finished TTL (ms)
-- Returns 1 when recorded, 0 when the lease was lost.
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'attempts', ARGV[4])
if ARGV[5] == '' then redis.call('HDEL', KEYS[1], 'lastError') else redis.call('HSET', KEYS[1], 'lastError', ARGV[5]) end
if ARGV[6] == '' then redis.call('HDEL', KEYS[1], 'deliveredAt') else redis.call('HSET', KEYS[1], 'deliveredAt', ARGV[6]) end
redis.call('HDEL', KEYS[1], 'token')
if ARGV[7] == '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[1], 'body', 'job')
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
else
  redis.call('ZADD', KEYS[2], ARGV[7], ARGV[1])
end
return 1
