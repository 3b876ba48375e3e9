-- Moves a task's first attempt to another time, only while no attempt was claimed.
-- KEYS[1] task hash, KEYS[2] due zset
-- ARGV[1] job id, ARGV[2] due (ms)
if redis.call('HGET', KEYS[1], 'attempts') ~= '0' then
  return 0
end
return redis.call('ZADD', KEYS[2], 'XX', 'CH', ARGV[2], ARGV[1])
