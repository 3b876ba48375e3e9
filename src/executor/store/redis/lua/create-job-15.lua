-- Stores a new job and, with enqueue, puts it in its queue at the place the fair queue gives it
-- (src/executor/store/fair-queue.ts). With admission terms (TOKEN_DAILY_CREDITS), in the same step: the
-- token's share and a credit reservation (src/executor/store/credit-reservations.ts); a refused job leaves
-- nothing written. Trims the job's listing indexes of entries older than the retention (records
-- gone by then).
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] current rounds hash,
-- KEYS[12] reservation counters hash, KEYS[13] reserved jobs hash, KEYS[14] the day's token credits
-- hash (owner → credits charged), KEYS[15] credits key prefix (+ '<channel>:<day>')
-- ARGV[1..5] the standard ARGV; ARGV[6] job JSON, ARGV[7] enqueue ('1' | '0'),
-- ARGV[8] index cutoff (ISO: entries created before it are dropped), ARGV[9] admission terms JSON
-- (AdmissionTerms; '' = none)
-- Returns {0, channel, cost} when stored (the reservation: '' and 0 without one), {1, spent,
-- reserved, cost} over the token's share, {2, room, cost} when no account the job may run on has
-- room for it.
-- @include job-writes
-- @include places
-- @include fair-queue
-- @include credit-reservations
local j = cjson.decode(ARGV[6])
if ARGV[9] ~= '' then
  local refused = admit(j, cjson.decode(ARGV[9]), KEYS[12], KEYS[14], KEYS[15])
  if refused then return refused end
  hold_reservation(KEYS[12], KEYS[13], j)
end
if ARGV[7] == '1' then enqueue_new(KEYS[11], j) end
write_job(j, nil, 0)
if ARGV[7] == '1' then publish('queue', j.id) end
for _, n in ipairs(index_names(j)) do redis.call('ZREMRANGEBYLEX', KEYS[7] .. n, '-', '(' .. ARGV[8]) end
local r = j.reservation
if type(r) == 'table' then return { 0, r.channel, r.cost } end
return { 0, '', 0 }
