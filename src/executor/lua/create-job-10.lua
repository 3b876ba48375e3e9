-- Stores a new job and, with enqueue, puts it at the tail of its queue (global sequence number).
-- Trims the job's listing indexes of entries older than the retention (records gone by then).
-- KEYS[1..10] the standard keys (includes/job-writes.lua)
-- ARGV[1..5] the standard ARGV; ARGV[6] job JSON, ARGV[7] enqueue ('1' | '0'),
-- ARGV[8] index cutoff (ISO: entries created before it are dropped)
-- Returns 1.
-- @include job-writes
local j = cjson.decode(ARGV[6])
if ARGV[7] == '1' then
  local seq = redis.call('INCR', KEYS[4] .. 'seq')
  redis.call('HSET', KEYS[5], j.id, seq)
  redis.call('ZADD', KEYS[4] .. queue_name(j), seq, j.id)
  if present(j.requestedChannel) then redis.call('SADD', KEYS[10], j.requestedChannel) end
end
write_job(j, nil, 0)
for _, n in ipairs(index_names(j)) do redis.call('ZREMRANGEBYLEX', KEYS[7] .. n, '-', '(' .. ARGV[8]) end
return 1
