-- Writes a job record only if it does not exist (recovery after a store loss); a QUEUED one
-- re-enters its queue at the place the fair queue gives a new job (the tail of its owner's line),
-- with its credit reservation counted again. No callback task is created (the job was terminal already).
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] current rounds hash,
-- KEYS[12] reservation counters hash, KEYS[13] reserved jobs hash
-- ARGV[1..5] the standard ARGV; ARGV[6] job JSON, ARGV[7] retention (s)
-- Returns 1 when written, 0 when a record exists.
-- @include job-writes
-- @include places
-- @include fair-queue
-- @include credit-reservations
local j = cjson.decode(ARGV[6])
if redis.call('EXISTS', KEYS[1] .. j.id) == 1 then return 0 end
if j.status == 'QUEUED' then
  enqueue_new(KEYS[11], j)
  hold_reservation(KEYS[12], KEYS[13], j)
end
write_job(j, nil, tonumber(ARGV[7]))
if j.status == 'QUEUED' then publish('queue', j.id) end
return 1
