-- Whether an account may take a job now: the rules of src/executor/store/eligibility.ts, in the same
-- order and with the same meaning (keep the two in step; the coordinator contract test runs each
-- rule on both stores). `a` = { health (decoded), readyAt, foreignUntil, commandsToday } and `g` =
-- the caller's gate { dailyCommands (null: no cap), dayEndsInMs, closedForMs }. Returns nil when
-- the account is eligible, else the wait in ms (0: no known end: a person or an event must act).

local HELD_STATES = { NEEDS_PERSON = true, PAUSED = true }
local TIMED_STATES = { COOLING_DOWN = true, OUT_OF_CREDITS = true }

local function left(until_ms, now)
  if until_ms > now then return until_ms - now end
  return nil
end

local ELIGIBILITY_RULES = {
  -- state
  function(a, _, now)
    local h = a.health
    if HELD_STATES[h.state] then return 0 end
    if TIMED_STATES[h.state] then
      if h['until'] == nil or h['until'] == cjson.null then return 0 end
      return left(tonumber(h['until']), now)
    end
    return nil
  end,
  -- active hours
  function(_, g) if g.closedForMs > 0 then return g.closedForMs end return nil end,
  -- daily cap
  function(a, g)
    if g.dailyCommands ~= cjson.null and a.commandsToday >= g.dailyCommands then return math.max(1, g.dayEndsInMs) end
    return nil
  end,
  -- foreign command
  function(a, _, now) return left(a.foreignUntil, now) end,
  -- pacing
  function(a, _, now) return left(a.readyAt, now) end,
}

local function ineligible(a, g, now)
  for _, rule in ipairs(ELIGIBILITY_RULES) do
    local wait = rule(a, g, now)
    if wait ~= nil then return wait end
  end
  return nil
end

-- The account fields the rules read, from its hash (`key`) and its day's command counter.
local function account_for_claim(key, commands_key)
  local f = redis.call('HMGET', key, 'health', 'readyAt', 'foreign')
  if not f[1] then return nil end
  local foreign = f[3] and cjson.decode(f[3]) or cjson.null
  return {
    health = cjson.decode(f[1]),
    readyAt = tonumber(f[2]) or 0,
    foreignUntil = (foreign ~= cjson.null and tonumber(foreign['until'])) or 0,
    commandsToday = tonumber(redis.call('GET', commands_key) or '0'),
  }
end
