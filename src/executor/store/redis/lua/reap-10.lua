-- Settles STARTED jobs whose lease deadline passed, reading only those entries of the running set
-- (ZRANGEBYSCORE -inf now LIMIT): still leased (renewed) → deadline moved; nothing sent → back to
-- the head of its queue; a sent command young enough → left for the channel's next claim to adopt,
-- reconsidered when it would be too old; otherwise failed with the lost patch. A result copy whose
-- copy lease lapsed (release-for-copy) is taken over with ARGV[10]'s token, if given.
-- KEYS[1..10] the standard keys (includes/job-writes.lua)
-- ARGV[1..5] the standard ARGV; ARGV[6] lost patch JSON, ARGV[7] lost retention (s),
-- ARGV[8] job timeout (ms), ARGV[9] limit, ARGV[10] the token taking over copies ('' = none),
-- ARGV[11] the copy lease TTL (ms)
-- Returns {more (0|1), failed count, copies count, failedJSON..., copiesJSON..., requeuedJSON...}.
-- @include job-writes
local now = time_ms()
local limit = tonumber(ARGV[9])
local ids = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now, 'LIMIT', 0, limit + 1)
local failed, requeued, copies = {}, {}, {}
for i, id in ipairs(ids) do
  if i > limit then break end
  local raw = redis.call('GET', KEYS[1] .. id)
  local j = raw and cjson.decode(raw)
  if not j or j.status ~= 'STARTED' then
    redis.call('ZREM', KEYS[6], id)
  else
    local copying = type(j.copying) == 'table'
    local fence = copying and ('copy:' .. id) or j.channel
    local lease = redis.call('GET', KEYS[2] .. fence)
    if lease and string.sub(lease, -(#id + 1)) == '|' .. id then
      redis.call('ZADD', KEYS[6], now + redis.call('PTTL', KEYS[2] .. fence), id)
    elseif copying then
      if ARGV[10] ~= '' then
        redis.call('SET', KEYS[2] .. fence, ARGV[10] .. '|' .. id, 'PX', ARGV[11])
        redis.call('ZADD', KEYS[6], now + tonumber(ARGV[11]), id)
        table.insert(copies, raw)
      end
    else
      local fate, left = fate_of(j, tonumber(ARGV[4]), tonumber(ARGV[8]))
      if fate == 'adopt' then
        redis.call('ZADD', KEYS[6], now + left, id)
      elseif fate == 'requeue' then
        local channel = j.channel
        table.insert(requeued, requeue(j, cjson.decode(raw)))
        if not lease then publish('freed', channel) end
      else
        table.insert(failed, finish_lost(j, cjson.decode(raw), ARGV[6], tonumber(ARGV[7])))
      end
    end
  end
end
local out = { #ids > limit and 1 or 0, #failed, #copies }
for _, r in ipairs(failed) do table.insert(out, r) end
for _, r in ipairs(copies) do table.insert(out, r) end
for _, r in ipairs(requeued) do table.insert(out, r) end
return out
