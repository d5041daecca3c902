-- KEYS: the indexes every read counts, read after read, constraint after constraint.
-- ARGV: per read, a JSON array [attempt-hash prefix, constraints], each constraint
--       [since (a decimal string: a Lua number would round it), outcomes (a list,
--       or false: any), "also" keys (a list)].
-- Returns per read the times of each of its constraints.  Reads only (but for the
-- ids of expired attempts, dropped from their index as met).
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
    counted[i] = count(prefix, KEYS[k], c[1], outcomes, c[3])
    k = k + 1
  end
  found[r] = counted
end
return found
