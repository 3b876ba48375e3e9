-- The bot answered a STARTED job whose result files are still to be copied: in one step, writes the
-- answer in `copying` (nothing a client reads changes), releases the channel (lease and holder; the account's pacing readyAt;
-- publishes freed) and gives the job a copy lease of its own (lease key 'copy:<id>'), its running-set
-- deadline following that lease. The job stays STARTED (src/executor/result-copies/).
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] the account key prefix
-- ARGV[1..5] the standard ARGV; ARGV[6] job id, ARGV[7] channel, ARGV[8] the holder's token,
-- ARGV[9] the pending copy JSON ({answer, answeredAt}), ARGV[10] copy token, ARGV[11] copy lease TTL (ms), ARGV[12] the account's
-- readyAt (ms) with the release ('' = none)
-- Returns the new job JSON, or nil when refused (not STARTED, already copying, or not the holder).
-- @include job-writes
local id, ch = ARGV[6], ARGV[7]
local raw = redis.call('GET', KEYS[1] .. id)
if not raw then return nil end
local j = cjson.decode(raw)
if j.status ~= 'STARTED' or type(j.copying) == 'table' or j.channel ~= ch then return nil end
if redis.call('GET', KEYS[2] .. ch) ~= ARGV[8] .. '|' .. id then return nil end
local old = cjson.decode(raw)
j.copying = cjson.decode(ARGV[9])
touch(j)
redis.call('DEL', KEYS[2] .. ch)
if redis.call('GET', KEYS[3] .. ch) == id then redis.call('DEL', KEYS[3] .. ch) end
redis.call('SET', KEYS[2] .. 'copy:' .. id, ARGV[10] .. '|' .. id, 'PX', ARGV[11])
redis.call('ZADD', KEYS[6], time_ms() + tonumber(ARGV[11]), id)
if ARGV[12] ~= '' and redis.call('EXISTS', KEYS[11] .. ch) == 1 then redis.call('HSET', KEYS[11] .. ch, 'readyAt', ARGV[12]) end
local out = write_job(j, old, 0)
publish('freed', ch)
return out
