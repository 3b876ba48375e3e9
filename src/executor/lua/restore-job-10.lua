-- Writes a job record only if it does not exist (recovery after a store loss); a QUEUED one
-- re-enters its queue at the tail. No callback task is created (the job was terminal already).
-- KEYS[1..10] the standard keys (includes/job-writes.lua)
-- ARGV[1..5] the standard ARGV; ARGV[6] job JSON, ARGV[7] retention (s)
-- Returns 1 when written, 0 when a record exists.
-- @include job-writes
local j = cjson.decode(ARGV[6])
if redis.call('EXISTS', KEYS[1] .. j.id) == 1 then return 0 end
if j.status == 'QUEUED' then
  local seq = redis.call('INCR', KEYS[4] .. 'seq')
  redis.call('HSET', KEYS[5], j.id, seq)
  redis.call('ZADD', KEYS[4] .. queue_name(j), seq, j.id)
  if present(j.requestedChannel) then redis.call('SADD', KEYS[10], j.requestedChannel) end
end
write_job(j, nil, tonumber(ARGV[7]))
return 1
