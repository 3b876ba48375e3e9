-- Extends a lease held by `token`, and the job's deadline in the running set.
-- KEYS[1] lease key, KEYS[2] running zset
-- ARGV[1] token, ARGV[2] lease TTL (ms)
-- Answers the token itself on success, so a reply matched to the wrong command (a connection out
-- of step) can never read as a renewal; 0 when the token does not hold the lease.
local lease = redis.call('GET', KEYS[1])
if not lease or string.sub(lease, 1, #ARGV[1] + 1) ~= ARGV[1] .. '|' then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), string.sub(lease, #ARGV[1] + 2))
return ARGV[1]
