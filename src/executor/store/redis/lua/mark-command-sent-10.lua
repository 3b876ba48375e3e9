-- Records the command a holder sent for its STARTED job (field `command`), token-checked.
-- KEYS[1..10] the standard keys (includes/job-writes.lua)
-- ARGV[1..5] the standard ARGV; ARGV[6] job id, ARGV[7] channel, ARGV[8] token, ARGV[9] command JSON
-- Returns the new job JSON, or nil when refused.
-- @include job-writes
local raw = redis.call('GET', KEYS[1] .. ARGV[6])
if not raw then return nil end
local j = cjson.decode(raw)
if j.status ~= 'STARTED' or j.channel ~= ARGV[7] then return nil end
if redis.call('GET', KEYS[2] .. ARGV[7]) ~= ARGV[8] .. '|' .. j.id then return nil end
j.command = cjson.decode(ARGV[9])
touch(j)
return write_job(j, cjson.decode(raw), 0)
