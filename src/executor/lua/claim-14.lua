-- Gives a free, eligible channel to a job, in one step, and says why when it cannot:
-- 1. a live lease: held (answered first, at the cost of one PTTL: most misses are this one);
-- 2. the channel's previous job, if its holder vanished (lease gone, still STARTED): adopted by
--    this claim when its sent command is young enough to follow (no credits charged), back to the
--    head of its queue when nothing was sent, failed (lost patch) otherwise;
-- 3. else the earliest queued job that may run here and whose cost (its `creditCost`, else ARGV[10])
--    fits the channel's credits left today: the heads of the channel's queue and of the any-channel
--    queue (ZRANGE 0 0 each), the smaller sequence first. Cost does not grow with the queues.
-- The account's own rules (health, active hours, daily cap, a foreign command, pacing) come first,
-- includes/eligibility.lua; a timed state (cooldown, credits) that has ended is reset to ACTIVE.
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] epoch, KEYS[12] account hash,
-- KEYS[13] the channel's credits key for the day, KEYS[14] the account's command counter for its day
-- ARGV[1..5] the standard ARGV; ARGV[6] channel, ARGV[7] token, ARGV[8] lease TTL (ms), ARGV[9] UTC day,
-- ARGV[10] credit cost of a job without its own, ARGV[11] credits per day, ARGV[12] start fields JSON,
-- ARGV[13] lost patch JSON, ARGV[14] lost retention (s), ARGV[15] job timeout (ms),
-- ARGV[16] accepted-by instance ('' = any), ARGV[17] '1' when the holder records its commands
-- (the job starts with command = null), ARGV[18] the gate JSON (src/executor/eligibility.ts ClaimGate)
-- Returns {-1} (no epoch: the store lost its data), {0|1, jobJSON, reapedJSON...} (started |
-- adopted), {2, queued, reapedJSON...} (nothing here to claim; `queued` = jobs queued anywhere),
-- {3, leftMs} (held: the lease lasts leftMs more), {4, retryInMs, reapedJSON...} (not eligible:
-- an eligibility rule, out of credits, or the store's hold after a data loss; 0 = no known end).
-- @include job-writes
-- @include eligibility
local ch = ARGV[6]
local left = redis.call('PTTL', KEYS[2] .. ch)
if left ~= -2 then return { 3, left > 0 and left or tonumber(ARGV[8]) } end
local epoch = redis.call('GET', KEYS[11])
if not epoch then return { -1 } end
local now = time_ms()
local hold_until = tonumber(cjson.decode(epoch).holdUntilMs)
if now < hold_until then return { 4, hold_until - now } end
local account = account_for_claim(KEYS[12], KEYS[14])
if not account then return { 4, 0 } end
local wait = ineligible(account, cjson.decode(ARGV[18]), tonumber(ARGV[4]))
if wait then return { 4, wait } end
if TIMED_STATES[account.health.state] then
  redis.call('HSET', KEYS[12], 'health', cjson.encode({ state = 'ACTIVE', reason = cjson.null, message = cjson.null,
    evidence = cjson.null, since = tonumber(ARGV[4]), ['until'] = cjson.null }))
  publish('accounts', ch)
end

local function take_lease(id)
  redis.call('SET', KEYS[2] .. ch, ARGV[7] .. '|' .. id, 'PX', ARGV[8])
  redis.call('SET', KEYS[3] .. ch, id)
  redis.call('ZADD', KEYS[6], now + tonumber(ARGV[8]), id)
end

local reaped = {}
local function miss(kind, value)
  local out = { kind, value }
  for _, r in ipairs(reaped) do table.insert(out, r) end
  return out
end

local held = redis.call('GET', KEYS[3] .. ch)
if held then
  local raw = redis.call('GET', KEYS[1] .. held)
  local h = raw and cjson.decode(raw)
  if h and h.status == 'STARTED' and h.channel == ch then
    local fate = fate_of(h, tonumber(ARGV[4]), tonumber(ARGV[15]))
    if fate == 'adopt' then
      take_lease(h.id)
      touch(h)
      return { 1, write_job(h, cjson.decode(raw), 0) }
    elseif fate == 'requeue' then
      requeue(h, cjson.decode(raw))
    else
      table.insert(reaped, finish_lost(h, cjson.decode(raw), ARGV[13], tonumber(ARGV[14])))
    end
  else
    redis.call('DEL', KEYS[3] .. ch)
  end
end

-- The first QUEUED entry of a queue with its record; stale entries (the record expired or moved
-- on) are dropped on the way, at most 8 per call.
local function head_of(queue)
  for _ = 1, 8 do
    local entry = redis.call('ZRANGE', KEYS[4] .. queue, 0, 0, 'WITHSCORES')
    if not entry[1] then return nil end
    local raw = redis.call('GET', KEYS[1] .. entry[1])
    local j = raw and cjson.decode(raw)
    if j and j.status == 'QUEUED' then return { queue = queue, seq = tonumber(entry[2]), raw = raw, job = j } end
    redis.call('ZREM', KEYS[4] .. queue, entry[1])
  end
  return nil
end

local heads = {}
for _, queue in ipairs({ 'ch:' .. ch, 'any' }) do
  local h = head_of(queue)
  if h and (ARGV[16] == '' or h.job.instance == ARGV[16]) then table.insert(heads, h) end
end
if #heads == 0 then return miss(2, redis.call('ZCARD', KEYS[7] .. 's:QUEUED')) end
table.sort(heads, function(a, b) return a.seq < b.seq end)
local used = tonumber(redis.call('GET', KEYS[13]) or '0')
local pick, cost
for _, h in ipairs(heads) do
  local c = tonumber(h.job.creditCost) or tonumber(ARGV[10])
  if used + c <= tonumber(ARGV[11]) then
    pick, cost = h, c
    break
  end
end
if not pick then return miss(4, 0) end
local j = pick.job

take_lease(j.id)
redis.call('INCRBY', KEYS[13], cost)
redis.call('EXPIRE', KEYS[13], 172800)
redis.call('INCR', KEYS[14])
redis.call('EXPIRE', KEYS[14], 259200)
redis.call('ZREM', KEYS[4] .. pick.queue, j.id)
local start = cjson.decode(ARGV[12])
j.status = 'STARTED'
j.channel = ch
j.server = start.server
j.discord = start.discord
j.startedAt = start.startedAt
j.attempt = j.attempt + 1
if ARGV[17] == '1' then j.command = cjson.null else j.command = nil end
touch(j)
return miss(0, write_job(j, cjson.decode(pick.raw), 0))
