-- Creates the store's epoch if missing: channels are held until a lease TTL after the store
-- started, by Redis's clock, so no holder from before a data loss can still be acting.
-- KEYS[1] epoch
-- ARGV[1] new epoch id, ARGV[2] lease TTL (ms)
-- The uptime is read here, from the node that owns the key (on a Cluster, another node's INFO
-- would describe another process).
-- Returns the current epoch JSON.
local current = redis.call('GET', KEYS[1])
if current then return current end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local uptime_sec = tonumber(string.match(redis.call('INFO', 'server'), 'uptime_in_seconds:(%d+)') or '0')
local out = cjson.encode({ id = ARGV[1], createdMs = now, holdUntilMs = now - uptime_sec * 1000 + tonumber(ARGV[2]) })
redis.call('SET', KEYS[1], out)
return out
