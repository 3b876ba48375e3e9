-- Writes a change of a job: a terminal status or fields without a status change. A STARTED job only
-- with its holder's token; a status change only if the transition table allows it and it is terminal
-- (claim starts jobs, reap and claim requeue them).
-- A terminal write that releases the channel may pace its account: the account's readyAt is written in
-- the same step, so no claim comes in between.
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] the account key prefix
-- ARGV[1..5] the standard ARGV; ARGV[6] job id, ARGV[7] patch JSON, ARGV[8] token ('' = none),
-- ARGV[9] channel ('' = the job's; 'copy:<id>' for a job being copied), ARGV[10] retention (s), ARGV[11] caller's allowed current statuses
-- (CSV, '' = any), ARGV[12] transition table JSON {status: [next statuses]}, ARGV[13] the account's
-- readyAt (ms) with the release ('' = none)
-- Returns the new job JSON, or nil when refused.
-- @include job-writes
local raw = redis.call('GET', KEYS[1] .. ARGV[6])
if not raw then return nil end
local j = cjson.decode(raw)
if ARGV[11] ~= '' then
  local allowed = false
  for s in string.gmatch(ARGV[11], '[^,]+') do if s == j.status then allowed = true end end
  if not allowed then return nil end
end
local patch = cjson.decode(ARGV[7])
if present(patch.status) and patch.status ~= j.status then
  if not is_terminal(patch.status) then return nil end
  local permitted = false
  for _, s in ipairs(cjson.decode(ARGV[12])[j.status] or {}) do if s == patch.status then permitted = true end end
  if not permitted then return nil end
end
if j.status == 'STARTED' or ARGV[8] ~= '' then
  -- A job whose result is being copied is fenced by its copy lease (release-for-copy), not the channel's.
  local fence = j.channel
  if type(j.copying) == 'table' then fence = 'copy:' .. j.id end
  if ARGV[8] == '' or (ARGV[9] ~= '' and ARGV[9] ~= fence) then return nil end
  if redis.call('GET', KEYS[2] .. tostring(fence)) ~= ARGV[8] .. '|' .. j.id then return nil end
end
local old = cjson.decode(raw)
merge(j, patch)
touch(j)
local out = write_job(j, old, tonumber(ARGV[10]))
if ARGV[13] ~= '' and present(j.channel) and is_terminal(j.status) and not is_terminal(old.status) and type(old.copying) ~= 'table' then
  local account = KEYS[11] .. j.channel
  if redis.call('EXISTS', account) == 1 then redis.call('HSET', account, 'readyAt', ARGV[13]) end
end
return out
