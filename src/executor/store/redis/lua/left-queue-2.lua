-- A job left the queue by a write of its own (cancelled, or failed while queued: update-job): its
-- credit reservation, if still counted, is released, and the queue's subscribers are told.
-- KEYS[1] reservation counters hash, KEYS[2] reserved jobs hash
-- ARGV[1] event channel prefix, ARGV[2] the publish command (PUBLISH | SPUBLISH), ARGV[3] job id
-- Returns 1 when a reservation was released, else 0.
-- @include credit-reservations
local released = release_reservation(KEYS[1], KEYS[2], ARGV[3])
redis.call(ARGV[2], ARGV[1] .. 'queue', ARGV[3])
return released and 1 or 0
