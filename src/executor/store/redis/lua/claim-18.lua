-- Gives a free, eligible channel to a job, in one step, and says why when it cannot:
-- 1. a live lease: held (answered first, at the cost of one PTTL: most misses are this one);
-- 2. the channel's previous job, if its holder vanished (lease gone, still STARTED): adopted by
--    this claim when its sent command is young enough to follow (no credits charged), back to its
--    place in its queue when nothing was sent, failed (lost patch) otherwise;
-- 3. else the job the fair queue puts next on the channel (src/executor/store/fair-queue.ts describes the
--    rule; includes/fair-queue.lua next_for): of the heads of the channel's queue and of the
--    any-channel queue (ZRANGE 0 0 each), the earlier place (round, then id) first, the first whose
--    cost (its `creditCost`, else ARGV[10]) fits the channel's credits left today and the credits
--    other queued jobs reserved on it. Cost does not grow with the queues. The claim charges the
--    channel and the job's token, releases the job's reservation and raises the current rounds.
-- The account's own rules (health, active hours, daily cap, a foreign command, pacing) come first,
-- includes/eligibility.lua; a timed state (cooldown, credits) that has ended is reset to ACTIVE.
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] epoch, KEYS[12] account hash,
-- KEYS[13] the channel's credits key for the day, KEYS[14] the account's command counter for its day,
-- KEYS[15] current rounds hash, KEYS[16] reservation counters hash, KEYS[17] reserved jobs hash,
-- KEYS[18] the day's token credits hash (owner → credits charged)
-- ARGV[1..5] the standard ARGV; ARGV[6] channel, ARGV[7] token, ARGV[8] lease TTL (ms), ARGV[9] UTC day,
-- ARGV[10] credit cost of a job without its own, ARGV[11] credits per day, ARGV[12] start fields JSON,
-- ARGV[13] lost patch JSON, ARGV[14] lost retention (s), ARGV[15] job timeout (ms),
-- ARGV[16] accepted-by instance ('' = any), ARGV[17] '1' when the holder records its commands
-- (the job starts with command = null), ARGV[18] the gate JSON (src/executor/store/eligibility.ts ClaimGate)
-- Returns {-1} (no epoch: the store lost its data), {0|1, jobJSON, reapedJSON...} (started |
-- adopted), {2, queued, reapedJSON...} (nothing here to claim; `queued` = jobs queued anywhere),
-- {3, leftMs} (held: the lease lasts leftMs more), {4, retryInMs, reapedJSON...} (not eligible:
-- an eligibility rule, out of credits, or the store's hold after a data loss; 0 = no known end).
-- @include job-writes
-- @include eligibility
-- @include places
-- @include fair-queue
-- @include credit-reservations
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
      publish('queue', h.id)
    else
      table.insert(reaped, finish_lost(h, cjson.decode(raw), ARGV[13], tonumber(ARGV[14])))
    end
  else
    redis.call('DEL', KEYS[3] .. ch)
  end
end

local h, cost = next_for(ch, {
  drop = true,
  accepted_by = ARGV[16],
  used = tonumber(redis.call('GET', KEYS[13]) or '0'),
  per_day = tonumber(ARGV[11]),
  default_cost = tonumber(ARGV[10]),
  reserve = KEYS[16],
})
if not h then
  if cost == 'empty' then return miss(2, redis.call('ZCARD', KEYS[7] .. 's:QUEUED')) end
  return miss(4, 0)
end
local j = h.job

take_lease(j.id)
redis.call('INCRBY', KEYS[13], cost)
redis.call('EXPIRE', KEYS[13], 172800)
redis.call('INCR', KEYS[14])
redis.call('EXPIRE', KEYS[14], 259200)
redis.call('HINCRBY', KEYS[18], j.owner, cost)
redis.call('EXPIRE', KEYS[18], 172800)
release_reservation(KEYS[16], KEYS[17], j.id)
raise_rounds(KEYS[15], ch, h.round)
redis.call('ZREM', KEYS[4] .. h.queue, j.id)
local start = cjson.decode(ARGV[12])
j.status = 'STARTED'
j.channel = ch
j.server = start.server
j.discord = start.discord
j.startedAt = start.startedAt
j.attempt = j.attempt + 1
j.reservation = cjson.null
if ARGV[17] == '1' then j.command = cjson.null else j.command = nil end
touch(j)
local out = write_job(j, cjson.decode(h.raw), 0)
publish('queue', j.id)
return miss(0, out)
