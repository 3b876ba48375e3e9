-- Writes only the given state fields of an existing account (never its identity), in one step.
-- KEYS[1] account hash
-- ARGV[1] state JSON: any of enabled (boolean), disabledReason, cooldownUntil, exhaustedDay (null = clear)
-- Returns 1, or 0 when there is no such account.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for field, value in pairs(cjson.decode(ARGV[1])) do
  if value == cjson.null then
    redis.call('HDEL', KEYS[1], field)
  elseif type(value) == 'boolean' then
    redis.call('HSET', KEYS[1], field, value and '1' or '0')
  else
    redis.call('HSET', KEYS[1], field, tostring(value))
  end
end
return 1
