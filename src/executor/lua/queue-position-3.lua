-- A queued job's 1-based position in the global FIFO order: jobs with a smaller sequence number in
-- the any-channel queue and in every channel's queue. O(queues × log n).
-- KEYS[1] qseq hash, KEYS[2] queue key prefix, KEYS[3] qchannels set
-- ARGV[1] job id
-- Returns the position, or nil when the job is not queued.
local seq = redis.call('HGET', KEYS[1], ARGV[1])
if not seq then return nil end
local queues = { KEYS[2] .. 'any' }
for _, ch in ipairs(redis.call('SMEMBERS', KEYS[3])) do table.insert(queues, KEYS[2] .. 'ch:' .. ch) end
local ahead, queued = 0, false
for _, q in ipairs(queues) do
  if redis.call('ZSCORE', q, ARGV[1]) then queued = true end
  ahead = ahead + redis.call('ZCOUNT', q, '-inf', '(' .. seq)
end
if not queued then return nil end
return ahead + 1
