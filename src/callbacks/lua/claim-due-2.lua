-- Claims the attempts that are due: each one's attempt count goes up, its due time moves to the end
-- of the lease (so no other instance claims it meanwhile) and it gets a token that commit requires.
-- KEYS[1] due zset, KEYS[2] task key prefix (a task's key is KEYS[2] .. job id: same hash tag, same slot)
-- ARGV[1] now (ms), ARGV[2] lease end (ms), ARGV[3] limit, ARGV[4] token base
-- Returns {job id, attempt, token, url, body or '', job snapshot or '', previous lastError or nil}
-- per claimed attempt: a task created with the job's terminal state holds the job (the body is made
-- from it), one created by `create` holds the body.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local claimed = {}
for _, id in ipairs(ids) do
  local key = KEYS[2] .. id
  if redis.call('HGET', key, 'status') ~= 'PENDING' then
    -- Finished or expired under us: nothing to deliver.
    redis.call('ZREM', KEYS[1], id)
  else
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    local attempt = redis.call('HINCRBY', key, 'attempts', 1)
    local token = ARGV[4] .. ':' .. id .. ':' .. attempt
    redis.call('HSET', key, 'token', token)
    local fields = redis.call('HMGET', key, 'url', 'body', 'job', 'lastError')
    table.insert(claimed, { id, attempt, token, fields[1], fields[2] or '', fields[3] or '', fields[4] })
  end
end
return claimed
