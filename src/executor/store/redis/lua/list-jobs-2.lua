-- One page of a listing index, newest first: entries "<created ISO>|<id>" (all scores 0, so the
-- lexical order is the time order, the id breaking ties). An entry whose record expired is deleted
-- on the way (lazy retention). O(log n + page).
-- KEYS[1] index zset, KEYS[2] job key prefix
-- ARGV[1] upper bound ('+' or '(' .. the previous page's last entry), ARGV[2] how many records
-- Returns up to ARGV[2] {entry, jobJSON} pairs, flattened.
local want = tonumber(ARGV[2])
local bound = ARGV[1]
local out = {}
while #out < 2 * want do
  local entries = redis.call('ZRANGE', KEYS[1], bound, '-', 'BYLEX', 'REV', 'LIMIT', 0, want - #out / 2)
  if #entries == 0 then break end
  for _, entry in ipairs(entries) do
    local raw = redis.call('GET', KEYS[2] .. string.match(entry, '|(.*)$'))
    if raw then
      table.insert(out, entry)
      table.insert(out, raw)
    else
      redis.call('ZREM', KEYS[1], entry)
    end
  end
  bound = '(' .. entries[#entries]
end
return out
