-- Creates the store's epoch if missing: channels are held until a lease TTL after the store
-- started, by Redis's clock, so no holder from before a data loss can still be acting.
-- KEYS[1] epoch
-- ARGV[1] new epoch id, ARGV[2] lease TTL (ms), ARGV[3] how long ago Redis started (ms)
-- Returns the current epoch JSON.
local current = redis.call('GET', KEYS[1])
if current then return current end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = cjson.encode({ id = ARGV[1], createdMs = now, holdUntilMs = now - tonumber(ARGV[3]) + tonumber(ARGV[2]) })
redis.call('SET', KEYS[1], out)
return out
