-- The fair queue in Lua: the twin of src/executor/store/fair-queue.ts, which describes the rule (keep the
-- two in step; test/executor/fair-queue.test.ts runs its cases on both stores). Include after
-- job-writes and places; uses the standard KEYS of job-writes.lua: KEYS[1] job prefix, KEYS[4] queue
-- prefix, KEYS[5] qseq (a queued or running job's round), KEYS[7] index prefix, KEYS[10] qchannels.
-- `rounds` is the hash of current rounds ('*', 'ch:<channel>'), `reserve` the hash of reservation
-- counters (includes/credit-reservations.lua).

local function round_field(channel)
  if present(channel) then return 'ch:' .. channel end
  return '*'
end

-- The current round where a job for `channel` waits: the highest round claimed there (a channel
-- never claimed on: the global one); before any claim, the earliest head round of the queues it
-- competes in (its channel's and the any-channel one), or 0.
local function current_round(rounds, channel)
  local known = redis.call('HGET', rounds, round_field(channel))
  if not known and present(channel) then known = redis.call('HGET', rounds, '*') end
  if known then return tonumber(known) end
  local queues = { 'any' }
  if present(channel) then table.insert(queues, 'ch:' .. channel) end
  local earliest
  for _, queue in ipairs(queues) do
    local head = tonumber(redis.call('ZRANGE', KEYS[4] .. queue, 0, 0, 'WITHSCORES')[2] or nil)
    if head and (not earliest or head < earliest) then earliest = head end
  end
  return earliest or 0
end

-- The round of the owner's newest queued job (by creation) other than `j`; nil when none.
local function owner_newest_round(j)
  local newest = redis.call('ZRANGE', KEYS[7] .. 'o:' .. j.owner .. ':s:QUEUED', -2, -1)
  for i = #newest, 1, -1 do
    local id = string.match(newest[i], '|(.*)$')
    if id ~= j.id then
      local round = redis.call('HGET', KEYS[5], id)
      return round and tonumber(round) or nil
    end
  end
  return nil
end

-- Puts a new job in its queue at the place the fair queue gives it; returns its round.
local function enqueue_new(rounds, j)
  local round = current_round(rounds, j.requestedChannel)
  local newest = owner_newest_round(j)
  if newest and newest + 1 > round then round = newest + 1 end
  redis.call('HSET', KEYS[5], j.id, round)
  redis.call('ZADD', KEYS[4] .. queue_name(j), round, j.id)
  if present(j.requestedChannel) then redis.call('SADD', KEYS[10], j.requestedChannel) end
  return round
end

-- A claim on `ch` took a job of `round`: the channel's current round and the global one reach it.
local function raise_rounds(rounds, ch, round)
  for _, field in ipairs({ '*', 'ch:' .. ch }) do
    if tonumber(redis.call('HGET', rounds, field) or '-1') < round then redis.call('HSET', rounds, field, round) end
  end
end

-- The first QUEUED entry of a queue, with its record. Stale entries (the record expired or moved
-- on) are deleted on the way with `drop`, else skipped; at most 8 per call. Ids in the set `passed`
-- (peek-next: jobs staged for other channels) are passed over, not counted in the 8.
local function head_of(queue, drop, passed)
  local skip = 0
  local budget = 8
  while budget > 0 do
    budget = budget - 1
    local entry = redis.call('ZRANGE', KEYS[4] .. queue, skip, skip, 'WITHSCORES')
    if not entry[1] then return nil end
    while passed and passed[entry[1]] do
      skip = skip + 1
      entry = redis.call('ZRANGE', KEYS[4] .. queue, skip, skip, 'WITHSCORES')
      if not entry[1] then return nil end
    end
    local raw = redis.call('GET', KEYS[1] .. entry[1])
    local j = raw and cjson.decode(raw)
    if j and j.status == 'QUEUED' then return { queue = queue, round = tonumber(entry[2]), id = entry[1], raw = raw, job = j } end
    if drop then redis.call('ZREM', KEYS[4] .. queue, entry[1]) else skip = skip + 1 end
  end
  return nil
end

-- The job the next claim on `ch` takes: of the heads of the channel's queue and of the any-channel
-- queue that `o.accepted_by` allows ('' = any instance), the earlier place first, the first whose
-- cost fits (o.used + cost + credits reserved on ch − its own reservation on ch ≤ o.per_day).
-- Returns the head and its cost, or nil and 'empty' (no head may run here) or 'unaffordable'.
local function next_for(ch, o)
  local heads = {}
  for _, queue in ipairs({ 'ch:' .. ch, 'any' }) do
    local h = head_of(queue, o.drop, o.passed)
    if h and (o.accepted_by == '' or h.job.instance == o.accepted_by) then table.insert(heads, h) end
  end
  if #heads == 0 then return nil, 'empty' end
  if #heads == 2 and place_before(heads[2], heads[1]) then heads[1], heads[2] = heads[2], heads[1] end
  local reserved_here = tonumber(redis.call('HGET', o.reserve, 'c:' .. ch) or '0')
  for _, h in ipairs(heads) do
    local cost = tonumber(h.job.creditCost) or o.default_cost
    local r = h.job.reservation
    local own = (type(r) == 'table' and r.channel == ch) and tonumber(r.cost) or 0
    if o.used + cost + reserved_here - own <= o.per_day then return h, cost end
  end
  return nil, 'unaffordable'
end
