-- A queued job's place (src/executor/store/fair-queue.ts): its round (the queue's score), then its id.
-- Ids compare byte by byte, as a zset orders members of equal score (Lua's `<` on strings follows
-- the server's locale).

local function id_before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function place_before(a, b)
  if a.round ~= b.round then return a.round < b.round end
  return id_before(a.id, b.id)
end
