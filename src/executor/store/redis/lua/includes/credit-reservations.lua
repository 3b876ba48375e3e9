-- Credit reservations in Lua: the twin of src/executor/store/credit-reservations.ts, which describes them
-- (keep the two in step). `reserve` is the hash of counters ('c:<channel>', 'o:<owner>': credits
-- queued jobs reserved), `reserved` the hash job id → 'channel|cost|owner' of the reservations
-- counted (each released exactly once).

local function count_reservation(reserve, channel, owner, amount)
  redis.call('HINCRBY', reserve, 'c:' .. channel, amount)
  redis.call('HINCRBY', reserve, 'o:' .. owner, amount)
end

-- Counts the reservation the job carries (admission set it).
local function hold_reservation(reserve, reserved, j)
  local r = j.reservation
  if type(r) ~= 'table' then return end
  redis.call('HSET', reserved, j.id, r.channel .. '|' .. r.cost .. '|' .. j.owner)
  count_reservation(reserve, r.channel, j.owner, r.cost)
end

-- Releases the job's reservation if it is still counted; returns whether it was.
local function release_reservation(reserve, reserved, id)
  local entry = redis.call('HGET', reserved, id)
  if not entry then return false end
  redis.call('HDEL', reserved, id)
  local channel, cost, owner = string.match(entry, '^([^|]*)|([^|]*)|(.*)$')
  count_reservation(reserve, channel, owner, -tonumber(cost))
  return true
end

-- Admission of `j` under the terms `t` (AdmissionTerms): its token's share, then the account with the
-- most room for its cost. Sets j.reservation and returns nil when admitted; else {1, spent, reserved,
-- cost} (over the share) or {2, room, cost} (no account has room).
local function admit(j, t, reserve, token_credits, credits_prefix)
  local cost = tonumber(j.creditCost) or tonumber(t.configuredCost)
  local spent = tonumber(redis.call('HGET', token_credits, j.owner) or '0')
  local held = tonumber(redis.call('HGET', reserve, 'o:' .. j.owner) or '0')
  if spent + held + cost > tonumber(t.share) then return { 1, spent, held, cost } end
  if cost == 0 then return nil end
  local best, room
  for _, channel in ipairs(t.channels) do
    local used = tonumber(redis.call('GET', credits_prefix .. channel .. ':' .. t.day) or '0')
    local r = tonumber(t.creditsPerDay) - used - tonumber(redis.call('HGET', reserve, 'c:' .. channel) or '0')
    if not best or r > room then best, room = channel, r end
  end
  if not best or room < cost then return { 2, math.max(0, room or 0), cost } end
  j.reservation = { channel = best, cost = cost }
  return nil
end
