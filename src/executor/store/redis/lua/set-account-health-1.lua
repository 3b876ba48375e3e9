-- Replaces an account's health in one step and answers the health it replaced, so that exactly one
-- caller sees a state entered (and sends its alert).
-- KEYS[1] account hash
-- ARGV[1] event channel prefix, ARGV[2] channel, ARGV[3] health JSON, ARGV[4] states to leave as they
-- are (CSV, '' = none), ARGV[5] the publish command, ARGV[6] '1' when the new health lets the account
-- take jobs (its channel is freed)
-- Returns {applied (1 | 0: left as it was), previous health JSON, the account's fields (HGETALL)...},
-- or nil for an unknown account.
local previous = redis.call('HGET', KEYS[1], 'health')
if not previous then return nil end
local state = cjson.decode(previous).state
for s in string.gmatch(ARGV[4], '[^,]+') do
  if s == state then return { 0, previous, unpack(redis.call('HGETALL', KEYS[1])) } end
end
redis.call('HSET', KEYS[1], 'health', ARGV[3])
redis.call(ARGV[5], ARGV[1] .. 'accounts', ARGV[2])
if ARGV[6] == '1' then redis.call(ARGV[5], ARGV[1] .. 'freed', ARGV[2]) end
return { 1, previous, unpack(redis.call('HGETALL', KEYS[1])) }
