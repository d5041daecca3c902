-- KEYS: the indexes every read counts, read after read, each read's once.
-- ARGV: per read, a JSON array [attempt-hash prefix, constraints, how many keys of
--       KEYS are the read's], each constraint [since (a decimal string: a Lua number
--       would round it), outcomes (a list, or false: any), "also" keys (a list),
--       which of the read's keys it counts (from 1)].
-- Returns one string: per read (separated by ';'), the times of each of its
-- constraints (separated by ','), each time a decimal string (separated by ' '):
-- one bulk reply, which a client reads at once, where nested arrays cost it a
-- parse per element.  Reads only (but for the ids of expired attempts, dropped
-- from their index as met).
local found, k = {}, 1
for r = 1, #ARGV do
  local read = cjson.decode(ARGV[r])
  local prefix, counted = read[1], {}
  for i, c in ipairs(read[2]) do
    local outcomes = nil
    if c[2] then
      outcomes = {}
      for _, outcome in ipairs(c[2]) do outcomes[outcome] = true end
    end
    counted[i] = table.concat(count(prefix, KEYS[k + c[4] - 1], c[1], outcomes, c[3]), ' ')
  end
  k = k + read[3]
  found[r] = table.concat(counted, ',')
end
return table.concat(found, ';')
