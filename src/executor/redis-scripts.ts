/**
 * The Lua scripts behind the Redis coordinator, one atomic step each. Keys live under the prefix
 * passed as ARGV[1]. Job records are JSON strings; `version` increases on every write and every
 * write publishes the new record on `job:{id}` and `jobs`.
 */

/** Shared Lua: write a job (terminal: retention TTL, leave queue/running, release lease, wake). */
const WRITE_JOB = `
local function write_job(p, j, retention)
  local id = j.id
  local out = cjson.encode(j)
  local terminal = j.status == 'COMPLETED' or j.status == 'FAILED' or j.status == 'CANCELLED'
  if terminal then
    redis.call('SET', p .. 'job:' .. id, out, 'EX', retention)
    redis.call('SREM', p .. 'running', id)
    redis.call('ZREM', p .. 'queue', id)
    redis.call('HDEL', p .. 'queue:meta', id)
    if j.channel ~= cjson.null and j.channel ~= nil then
      local lease = redis.call('GET', p .. 'lease:' .. j.channel)
      if lease and string.sub(lease, -(#id + 1)) == '|' .. id then
        redis.call('DEL', p .. 'lease:' .. j.channel)
      end
      redis.call('PUBLISH', p .. 'freed', j.channel)
    end
  else
    redis.call('SET', p .. 'job:' .. id, out)
  end
  redis.call('PUBLISH', p .. 'job:' .. id, out)
  redis.call('PUBLISH', p .. 'jobs', out)
  return out
end
`;

/** ARGV: prefix, jobJSON, enqueue(0|1), metaJSON {requestedChannel, instance, owner}, createdMs, indexCutoffMs */
export const CREATE_JOB = `
local p = ARGV[1]
local j = cjson.decode(ARGV[2])
redis.call('SET', p .. 'job:' .. j.id, ARGV[2])
if ARGV[3] == '1' then
  local seq = redis.call('INCR', p .. 'queue:seq')
  redis.call('ZADD', p .. 'queue', seq, j.id)
  redis.call('HSET', p .. 'queue:meta', j.id, ARGV[4])
end
redis.call('ZADD', p .. 'index', ARGV[5], j.id)
redis.call('ZREMRANGEBYSCORE', p .. 'index', '-inf', ARGV[6])
redis.call('PUBLISH', p .. 'job:' .. j.id, ARGV[2])
redis.call('PUBLISH', p .. 'jobs', ARGV[2])
return 1
`;

/**
 * ARGV: prefix, channel, instance, token, ttlMs, nowMs, day, cost, perDay, startJSON, nowIso,
 * lostPatchJSON, lostRetentionSec
 * Returns nil (nothing to claim), {-1} (no epoch: the store lost its data) or {fence, jobJSON,
 * reapedJSON...}: jobs still STARTED on this channel without a lease are finished first.
 */
export const CLAIM = `${WRITE_JOB}
local p, ch = ARGV[1], ARGV[2]
local epoch = redis.call('GET', p .. 'epoch')
if not epoch then return { -1 } end
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) < tonumber(cjson.decode(epoch).holdUntilMs) then return nil end
local acc = redis.call('GET', p .. 'account:' .. ch)
if not acc then return nil end
acc = cjson.decode(acc)
if acc.enabled == false then return nil end
if (tonumber(acc.cooldownUntil) or 0) > tonumber(ARGV[6]) then return nil end
if acc.exhaustedDay == ARGV[7] then return nil end
if redis.call('EXISTS', p .. 'lease:' .. ch) == 1 then return nil end
local creditKey = p .. 'credits:' .. ch .. ':' .. ARGV[7]
local used = tonumber(redis.call('GET', creditKey) or '0')
if used + tonumber(ARGV[8]) > tonumber(ARGV[9]) then return nil end
local head, meta
for _, id in ipairs(redis.call('ZRANGE', p .. 'queue', 0, -1)) do
  local raw = redis.call('HGET', p .. 'queue:meta', id)
  if raw then
    local m = cjson.decode(raw)
    if m.requestedChannel == cjson.null or m.requestedChannel == ch then head = id; meta = m; break end
  else
    redis.call('ZREM', p .. 'queue', id)
  end
end
if not head or meta.instance ~= ARGV[3] then return nil end
local raw = redis.call('GET', p .. 'job:' .. head)
if not raw then return nil end
local j = cjson.decode(raw)
local reaped = {}
for _, rid in ipairs(redis.call('SMEMBERS', p .. 'running')) do
  local rraw = redis.call('GET', p .. 'job:' .. rid)
  if rraw then
    local r = cjson.decode(rraw)
    if r.status == 'STARTED' and r.channel == ch then
      for k, v in pairs(cjson.decode(ARGV[12])) do r[k] = v end
      r.version = r.version + 1
      r.updated = ARGV[11]
      table.insert(reaped, write_job(p, r, tonumber(ARGV[13])))
    end
  else
    redis.call('SREM', p .. 'running', rid)
  end
end
local fence = redis.call('INCR', p .. 'fence:' .. ch)
redis.call('SET', p .. 'lease:' .. ch, ARGV[4] .. '|' .. head, 'PX', ARGV[5])
redis.call('INCRBY', creditKey, ARGV[8])
redis.call('EXPIRE', creditKey, 172800)
redis.call('ZREM', p .. 'queue', head)
redis.call('HDEL', p .. 'queue:meta', head)
redis.call('SADD', p .. 'running', head)
local start = cjson.decode(ARGV[10])
j.status = 'STARTED'
j.channel = ch
j.server = start.server
j.discord = start.discord
j.startedAt = start.startedAt
j.attempt = j.attempt + 1
j.version = j.version + 1
j.updated = ARGV[11]
local out = { fence, write_job(p, j, 0) }
for _, r in ipairs(reaped) do table.insert(out, r) end
return out
`;

/**
 * ARGV: prefix, channel, token, ttlMs. Answers the token itself on success, so a reply matched to
 * the wrong command (a connection out of step) can never read as a renewal.
 */
export const RENEW = `
local lease = redis.call('GET', ARGV[1] .. 'lease:' .. ARGV[2])
if lease and string.sub(lease, 1, #ARGV[3] + 1) == ARGV[3] .. '|' then
  redis.call('PEXPIRE', ARGV[1] .. 'lease:' .. ARGV[2], ARGV[4])
  return ARGV[3]
end
return 0
`;

/**
 * ARGV: prefix, id, fromCSV, patchJSON, token ('' = unfenced), channel, retentionSec, nowIso, mode
 * mode 'lost': only a STARTED job whose lease is gone or held by another job.
 */
export const UPDATE_JOB = `${WRITE_JOB}
local p, id = ARGV[1], ARGV[2]
local raw = redis.call('GET', p .. 'job:' .. id)
if not raw then return nil end
local j = cjson.decode(raw)
local allowed = false
for s in string.gmatch(ARGV[3], '[^,]+') do if s == j.status then allowed = true end end
if not allowed then return nil end
if ARGV[5] ~= '' then
  if redis.call('GET', p .. 'lease:' .. ARGV[6]) ~= ARGV[5] .. '|' .. id then return nil end
end
if ARGV[9] == 'lost' then
  local lease = redis.call('GET', p .. 'lease:' .. tostring(j.channel))
  if lease and string.sub(lease, -(#id + 1)) == '|' .. id then return nil end
end
for k, v in pairs(cjson.decode(ARGV[4])) do j[k] = v end
j.version = j.version + 1
j.updated = ARGV[8]
return write_job(p, j, tonumber(ARGV[7]))
`;

/** ARGV: prefix, id */
export const DISCARD_QUEUED = `
local p, id = ARGV[1], ARGV[2]
local raw = redis.call('GET', p .. 'job:' .. id)
if not raw or cjson.decode(raw).status ~= 'QUEUED' then return 0 end
redis.call('DEL', p .. 'job:' .. id)
redis.call('ZREM', p .. 'queue', id)
redis.call('HDEL', p .. 'queue:meta', id)
redis.call('ZREM', p .. 'index', id)
return 1
`;

/**
 * ARGV: prefix, epochId, ttlMs, redisStartedAgoMs. Creates the epoch if missing: channels are held
 * until a lease TTL after the store started, by Redis's clock. Returns the current epoch JSON.
 */
export const ENSURE_EPOCH = `
local p = ARGV[1]
local current = redis.call('GET', p .. 'epoch')
if current then return current end
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = cjson.encode({ id = ARGV[2], createdMs = nowMs, holdUntilMs = nowMs - tonumber(ARGV[4]) + tonumber(ARGV[3]) })
redis.call('SET', p .. 'epoch', out)
return out
`;

/** ARGV: prefix, jobJSON, createdMs, retentionSec. Writes the job only if absent; QUEUED re-enters the queue. */
export const RESTORE_JOB = `${WRITE_JOB}
local p = ARGV[1]
local j = cjson.decode(ARGV[2])
if redis.call('EXISTS', p .. 'job:' .. j.id) == 1 then return 0 end
if j.status == 'QUEUED' then
  local seq = redis.call('INCR', p .. 'queue:seq')
  redis.call('ZADD', p .. 'queue', seq, j.id)
  redis.call('HSET', p .. 'queue:meta', j.id, cjson.encode({ requestedChannel = j.requestedChannel, instance = j.instance, owner = j.owner }))
end
redis.call('ZADD', p .. 'index', ARGV[3], j.id)
write_job(p, j, tonumber(ARGV[4]))
return 1
`;
