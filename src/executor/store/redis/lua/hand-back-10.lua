-- The holder gives back a STARTED job whose command never ran (its account failed before the
-- command was sent): back to its queue at its own place (the head of its owner's line, in the round
-- it had: src/executor/store/fair-queue.ts), the channel released and freed, in one step.
-- KEYS[1..10] the standard keys (includes/job-writes.lua)
-- ARGV[1..5] the standard ARGV; ARGV[6] job id, ARGV[7] channel, ARGV[8] the holder's token
-- Returns the job JSON, or nil when the caller does not hold the job's lease.
-- @include job-writes
local id, ch = ARGV[6], ARGV[7]
local raw = redis.call('GET', KEYS[1] .. id)
if not raw then return nil end
local j = cjson.decode(raw)
if j.status ~= 'STARTED' or j.channel ~= ch then return nil end
if redis.call('GET', KEYS[2] .. ch) ~= ARGV[8] .. '|' .. id then return nil end
redis.call('DEL', KEYS[2] .. ch)
local out = requeue(j, cjson.decode(raw))
publish('freed', ch)
publish('queue', id)
return out
