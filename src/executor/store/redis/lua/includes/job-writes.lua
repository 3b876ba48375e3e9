-- Shared by every script that writes a job. The standard KEYS of those scripts:
--   KEYS[1] job key prefix        KEYS[2] lease key prefix     KEYS[3] holder key prefix
--   KEYS[4] queue key prefix      KEYS[5] qseq hash            KEYS[6] running zset
--   KEYS[7] index key prefix      KEYS[8] callback task prefix KEYS[9] callback due zset
--   KEYS[10] qchannels set
-- Per-job keys are these prefixes followed by an id read from the data; every key shares the
-- executor's hash tag (src/executor/store/keys.ts), so a script never leaves its slot.
-- The standard ARGV: ARGV[1] event channel prefix, ARGV[2] the caller's time (ISO, for `updated`),
-- ARGV[3] callback default URL ('' = none), ARGV[4] the caller's time (ms), ARGV[5] the publish
-- command: PUBLISH, or SPUBLISH on a Redis Cluster (the channels share the keys' hash tag, so a
-- sharded publish stays on the script's slot; src/redis/pubsub.ts).
-- Decisions on liveness (leases, the running set, the epoch hold) use redis.call('TIME').

local function time_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function publish(event, message)
  redis.call(ARGV[5], ARGV[1] .. event, message)
end

local function present(v)
  return v ~= nil and v ~= cjson.null
end

local function is_terminal(status)
  return status == 'COMPLETED' or status == 'FAILED' or status == 'CANCELLED'
end

-- ISO 8601 UTC ('2026-12-01T08:06:36.123Z') → epoch ms; nil when it is not one.
local function iso_ms(s)
  if type(s) ~= 'string' then return nil end
  local y, mo, d, h, mi, sec, frac = string.match(s, '^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.?(%d*)Z$')
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  local ms = frac == '' and 0 or tonumber(string.sub(frac .. '00', 1, 3))
  return ((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60000 + tonumber(sec) * 1000 + ms
end

local function queue_name(j)
  if present(j.requestedChannel) then return 'ch:' .. j.requestedChannel end
  return 'any'
end

-- The listing indexes of a job (src/executor/store/keys.ts indexNames: keep the two in step).
local function index_names(j)
  local owner, status = 'o:' .. j.owner, 's:' .. j.status
  local names = { 'all', owner, status, owner .. ':' .. status }
  local ch = present(j.channel) and j.channel or j.requestedChannel
  if present(ch) then
    local c = 'c:' .. ch
    table.insert(names, c)
    table.insert(names, c .. ':' .. status)
    table.insert(names, owner .. ':' .. c)
    table.insert(names, owner .. ':' .. c .. ':' .. status)
  end
  return names
end

-- Moves the job's index entries from the indexes of `old` to those of `new` (either may be nil).
local function move_indexes(old, new)
  local ref = new or old
  local member = ref.created .. '|' .. ref.id
  local wanted, had = {}, {}
  if new then for _, n in ipairs(index_names(new)) do wanted[n] = true end end
  if old then for _, n in ipairs(index_names(old)) do had[n] = true end end
  for n in pairs(had) do if not wanted[n] then redis.call('ZREM', KEYS[7] .. n, member) end end
  for n in pairs(wanted) do if not had[n] then redis.call('ZADD', KEYS[7] .. n, 0, member) end end
end

-- The callback task of a job that just became terminal, created with it (src/callbacks/redis-store.ts).
local function create_callback(j)
  local url = j.replyUrl
  if not present(url) or url == '' then url = ARGV[3] end
  if url == '' or redis.call('EXISTS', KEYS[8] .. j.id) == 1 then return end
  j.callback = { status = 'PENDING', attempts = 0, lastError = cjson.null, deliveredAt = cjson.null }
  redis.call('HSET', KEYS[8] .. j.id, 'url', url, 'job', cjson.encode(j), 'status', 'PENDING', 'attempts', 0, 'created', ARGV[4])
  redis.call('ZADD', KEYS[9], ARGV[4], j.id)
end

local function release_channel(j)
  if not present(j.channel) then return end
  local lease = redis.call('GET', KEYS[2] .. j.channel)
  if lease and string.sub(lease, -(#j.id + 1)) == '|' .. j.id then redis.call('DEL', KEYS[2] .. j.channel) end
  if redis.call('GET', KEYS[3] .. j.channel) == j.id then redis.call('DEL', KEYS[3] .. j.channel) end
end

-- Stores `j` (whose previous record is `old`, nil for a new one), bumps nothing: callers set version.
-- A job entering a terminal state gets its callback task, its retention TTL, and frees its channel.
local function write_job(j, old, retention)
  local id = j.id
  local terminal = is_terminal(j.status)
  local entering = terminal and old ~= nil and not is_terminal(old.status)
  if entering then create_callback(j) end
  local out = cjson.encode(j)
  if terminal then
    redis.call('SET', KEYS[1] .. id, out, 'EX', retention)
    redis.call('ZREM', KEYS[6], id)
    redis.call('HDEL', KEYS[5], id)
    redis.call('ZREM', KEYS[4] .. queue_name(j), id)
    if entering then
      release_channel(j)
      -- A job that was being copied had released its channel already (release-for-copy).
      redis.call('DEL', KEYS[2] .. 'copy:' .. id)
      if present(j.channel) and type(old.copying) ~= 'table' then publish('freed', j.channel) end
    end
  else
    redis.call('SET', KEYS[1] .. id, out)
  end
  move_indexes(old, j)
  publish('job:' .. id, out)
  publish('jobs', out)
  return out
end

local function touch(j)
  j.version = j.version + 1
  j.updated = ARGV[2]
end

local function merge(j, patch)
  for k, v in pairs(patch) do j[k] = v end
end

-- What becomes of a STARTED job whose holder is gone: 'requeue' (nothing sent), 'adopt' (a sent
-- command young enough to follow; with the ms left) or 'lost'. A record without a `command` field
-- comes from a holder that does not record its commands: it may have sent one, so it is lost.
local function fate_of(j, now_ms, timeout_ms)
  local c = j.command
  if c == cjson.null then return 'requeue' end
  if type(c) ~= 'table' then return 'lost' end
  local sent = iso_ms(c.sentAt)
  if not sent or now_ms - sent >= timeout_ms then return 'lost' end
  return 'adopt', sent + timeout_ms - now_ms
end

-- Back to its queue at its original place (its sequence number), as if it never started.
local function requeue(j, old)
  local seq = redis.call('HGET', KEYS[5], j.id)
  j.status = 'QUEUED'
  j.channel = present(j.requestedChannel) and j.requestedChannel or cjson.null
  j.server = cjson.null
  j.discord = cjson.null
  j.startedAt = cjson.null
  touch(j)
  redis.call('ZREM', KEYS[6], j.id)
  if redis.call('GET', KEYS[3] .. old.channel) == j.id then redis.call('DEL', KEYS[3] .. old.channel) end
  if not seq then seq = redis.call('INCR', KEYS[4] .. 'seq') redis.call('HSET', KEYS[5], j.id, seq) end
  redis.call('ZADD', KEYS[4] .. queue_name(j), seq, j.id)
  if present(j.requestedChannel) then redis.call('SADD', KEYS[10], j.requestedChannel) end
  return write_job(j, old, 0)
end

local function finish_lost(j, old, patch_json, retention)
  merge(j, cjson.decode(patch_json))
  touch(j)
  return write_job(j, old, retention)
end
