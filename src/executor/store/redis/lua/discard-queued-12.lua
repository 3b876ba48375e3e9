-- Deletes a QUEUED job outright: record, queue entry, indexes, credit reservation (a fail-fast
-- request refused before it was accepted).
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] reservation counters hash,
-- KEYS[12] reserved jobs hash
-- ARGV[1..5] the standard ARGV; ARGV[6] job id
-- Returns 1 when deleted, 0 when the job is not queued.
-- @include job-writes
-- @include credit-reservations
local raw = redis.call('GET', KEYS[1] .. ARGV[6])
if not raw then return 0 end
local j = cjson.decode(raw)
if j.status ~= 'QUEUED' then return 0 end
redis.call('DEL', KEYS[1] .. j.id)
redis.call('ZREM', KEYS[4] .. queue_name(j), j.id)
redis.call('HDEL', KEYS[5], j.id)
release_reservation(KEYS[11], KEYS[12], j.id)
move_indexes(j, nil)
publish('queue', j.id)
return 1
