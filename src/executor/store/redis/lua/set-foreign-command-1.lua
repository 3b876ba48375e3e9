-- Marks a command this server did not send as running in the account's channel, or clears it once
-- the bot answered it (only the one with that interaction id: a later one stays).
-- KEYS[1] account hash
-- ARGV[1] event channel prefix, ARGV[2] channel, ARGV[3] foreign command JSON ('' = clear),
-- ARGV[4] its interaction id, ARGV[5] the publish command
-- Returns 1 when something changed.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'foreign', ARGV[3])
  redis.call(ARGV[5], ARGV[1] .. 'accounts', ARGV[2])
  return 1
end
local current = redis.call('HGET', KEYS[1], 'foreign')
if not current or cjson.decode(current).interactionId ~= ARGV[4] then return 0 end
redis.call('HDEL', KEYS[1], 'foreign')
redis.call(ARGV[5], ARGV[1] .. 'accounts', ARGV[2])
redis.call(ARGV[5], ARGV[1] .. 'freed', ARGV[2])
return 1
