-- Records the command a holder sent for its STARTED job (field `command`), token-checked.
-- KEYS[1..10] the standard keys (includes/job-writes.lua)
-- ARGV[1..4] the standard ARGV; ARGV[5] job id, ARGV[6] channel, ARGV[7] token, ARGV[8] command JSON
-- Returns the new job JSON, or nil when refused.
-- @include job-writes
local raw = redis.call('GET', KEYS[1] .. ARGV[5])
if not raw then return nil end
local j = cjson.decode(raw)
if j.status ~= 'STARTED' or j.channel ~= ARGV[6] then return nil end
if redis.call('GET', KEYS[2] .. ARGV[6]) ~= ARGV[7] .. '|' .. j.id then return nil end
j.command = cjson.decode(ARGV[8])
touch(j)
return write_job(j, cjson.decode(raw), 0)
