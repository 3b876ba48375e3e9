-- Gives a free, eligible channel to a job, in one step:
-- 1. the channel's previous job, if its holder vanished (lease gone, still STARTED): adopted by
--    this claim when its sent command is young enough to follow (no credits charged), back to the
--    head of its queue when nothing was sent, failed (lost patch) otherwise;
-- 2. else the earliest queued job that may run here: the heads of the channel's queue and of the
--    any-channel queue (ZRANGE 0 0 each), the smaller sequence first. Cost does not grow with the queues.
-- KEYS[1..10] the standard keys (includes/job-writes.lua); KEYS[11] epoch, KEYS[12] account hash,
-- KEYS[13] the channel's credits key for the day
-- ARGV[1..5] the standard ARGV; ARGV[6] channel, ARGV[7] token, ARGV[8] lease TTL (ms), ARGV[9] UTC day,
-- ARGV[10] credit cost, ARGV[11] credits per day, ARGV[12] start fields JSON, ARGV[13] lost patch JSON,
-- ARGV[14] lost retention (s), ARGV[15] job timeout (ms), ARGV[16] accepted-by instance ('' = any),
-- ARGV[17] '1' when the holder records its commands (the job starts with command = null)
-- Returns nil (nothing to claim), {-1} (no epoch: the store lost its data), or
-- {kind, jobJSON, reapedJSON...}: kind 0 started, 1 adopted, 2 nothing claimed (jobJSON '').
-- @include job-writes
local epoch = redis.call('GET', KEYS[11])
if not epoch then return { -1 } end
local now = time_ms()
if now < tonumber(cjson.decode(epoch).holdUntilMs) then return nil end
local account = redis.call('HMGET', KEYS[12], 'enabled', 'cooldownUntil', 'exhaustedDay')
if account[1] ~= '1' then return nil end
if (tonumber(account[2]) or 0) > tonumber(ARGV[4]) then return nil end
if account[3] == ARGV[9] then return nil end
local ch = ARGV[6]
if redis.call('EXISTS', KEYS[2] .. ch) == 1 then return nil end

local function take_lease(id)
  redis.call('SET', KEYS[2] .. ch, ARGV[7] .. '|' .. id, 'PX', ARGV[8])
  redis.call('SET', KEYS[3] .. ch, id)
  redis.call('ZADD', KEYS[6], now + tonumber(ARGV[8]), id)
end

local reaped = {}
local function nothing()
  if #reaped == 0 then return nil end
  local out = { 2, '' }
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

if tonumber(redis.call('GET', KEYS[13]) or '0') + tonumber(ARGV[10]) > tonumber(ARGV[11]) then return nothing() end

local raw, queue
for _ = 1, 8 do
  local mine = redis.call('ZRANGE', KEYS[4] .. 'ch:' .. ch, 0, 0, 'WITHSCORES')
  local any = redis.call('ZRANGE', KEYS[4] .. 'any', 0, 0, 'WITHSCORES')
  local id
  if mine[1] and (not any[1] or tonumber(mine[2]) < tonumber(any[2])) then
    id, queue = mine[1], 'ch:' .. ch
  else
    id, queue = any[1], 'any'
  end
  if not id then return nothing() end
  raw = redis.call('GET', KEYS[1] .. id)
  if raw and cjson.decode(raw).status == 'QUEUED' then break end
  -- A stale entry (its record expired or moved on): drop it and look at the next head.
  redis.call('ZREM', KEYS[4] .. queue, id)
  raw = nil
end
if not raw then return nothing() end
local j = cjson.decode(raw)
if ARGV[16] ~= '' and j.instance ~= ARGV[16] then return nothing() end

take_lease(j.id)
redis.call('INCRBY', KEYS[13], ARGV[10])
redis.call('EXPIRE', KEYS[13], 172800)
redis.call('ZREM', KEYS[4] .. queue, j.id)
local start = cjson.decode(ARGV[12])
j.status = 'STARTED'
j.channel = ch
j.server = start.server
j.discord = start.discord
j.startedAt = start.startedAt
j.attempt = j.attempt + 1
if ARGV[17] == '1' then j.command = cjson.null else j.command = nil end
touch(j)
local out = { 0, write_job(j, cjson.decode(raw), 0) }
for _, r in ipairs(reaped) do table.insert(out, r) end
return out
