-- Creates a job's delivery task unless one exists (finished tasks stay as markers until they expire).
-- KEYS[1] task hash, KEYS[2] due zset
-- ARGV[1] job id, ARGV[2] url, ARGV[3] body, ARGV[4] first attempt due (ms), ARGV[5] created (ms)
-- Returns 1 when created, 0 when the job already has a task.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'url', ARGV[2], 'body', ARGV[3], 'status', 'PENDING', 'attempts', 0, 'created', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
