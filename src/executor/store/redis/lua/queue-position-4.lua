-- A queued job's 1-based position (src/executor/store/fair-queue.ts, Position): 1 + the queued jobs with an
-- earlier place in the queues its channels take (pinned: its channel's and the any-channel queue;
-- any channel: every queue). O(queues × log n).
-- KEYS[1] qseq hash, KEYS[2] queue key prefix, KEYS[3] qchannels set, KEYS[4] job key prefix
-- ARGV[1] job id
-- Returns the position, or nil when the job is not queued.
-- @include places
local id = ARGV[1]
local round = redis.call('HGET', KEYS[1], id)
local raw = redis.call('GET', KEYS[4] .. id)
if not round or not raw then return nil end
round = tonumber(round)
local channel = cjson.decode(raw).requestedChannel
local pinned = type(channel) == 'string'
local own = KEYS[2] .. (pinned and ('ch:' .. channel) or 'any')
if not redis.call('ZSCORE', own, id) then return nil end
local queues = { KEYS[2] .. 'any' }
if pinned then
  table.insert(queues, own)
else
  for _, ch in ipairs(redis.call('SMEMBERS', KEYS[3])) do table.insert(queues, KEYS[2] .. 'ch:' .. ch) end
end
local me = { round = round, id = id }
local ahead = 0
for _, q in ipairs(queues) do
  ahead = ahead + redis.call('ZCOUNT', q, '-inf', '(' .. round)
  for _, other in ipairs(redis.call('ZRANGE', q, round, round, 'BYSCORE')) do
    if place_before({ round = round, id = other }, me) then ahead = ahead + 1 end
  end
end
return ahead + 1
