-- Recounts the reservation counters from the reservations counted: an entry whose job is no longer
-- QUEUED (it left the queue and the step that releases it did not run) is dropped. O(reservations).
-- KEYS[1] reservation counters hash, KEYS[2] reserved jobs hash, KEYS[3] job key prefix
-- Returns the number of entries dropped.
local entries = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[1])
local dropped = 0
for i = 1, #entries, 2 do
  local id, entry = entries[i], entries[i + 1]
  local raw = redis.call('GET', KEYS[3] .. id)
  if raw and cjson.decode(raw).status == 'QUEUED' then
    local channel, cost, owner = string.match(entry, '^([^|]*)|([^|]*)|(.*)$')
    redis.call('HINCRBY', KEYS[1], 'c:' .. channel, cost)
    redis.call('HINCRBY', KEYS[1], 'o:' .. owner, cost)
  else
    redis.call('HDEL', KEYS[2], id)
    dropped = dropped + 1
  end
end
return dropped
