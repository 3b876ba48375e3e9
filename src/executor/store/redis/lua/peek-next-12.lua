-- Which queued job the next claim on a channel would take, by the claim's own rule (includes/
-- fair-queue.lua next_for; src/executor/store/fair-queue.ts), leaving aside the lease and the account's
-- eligibility. Reads only (stale queue entries are skipped, not deleted).
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] the channel's credits key for
-- the day, KEYS[12] reservation counters hash
-- ARGV[1..5] the standard ARGV; ARGV[6] channel, ARGV[7] credit cost of a job without its own,
-- ARGV[8] credits per day, ARGV[9] accepted-by instance ('' = any), ARGV[10] JSON array of job ids
-- to pass over (jobs staged for other channels; '[]' = none)
-- Returns the job JSON, or nil when none may run there now.
-- @include job-writes
-- @include places
-- @include fair-queue
local passed = {}
for _, id in ipairs(cjson.decode(ARGV[10] ~= nil and ARGV[10] ~= '' and ARGV[10] or '[]')) do passed[id] = true end
local h = next_for(ARGV[6], {
  drop = false,
  accepted_by = ARGV[9],
  used = tonumber(redis.call('GET', KEYS[11]) or '0'),
  per_day = tonumber(ARGV[8]),
  default_cost = tonumber(ARGV[7]),
  reserve = KEYS[12],
  passed = passed,
})
if not h then return nil end
return h.raw
