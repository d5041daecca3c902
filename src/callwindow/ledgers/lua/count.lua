-- What check_and_record and read_many share: the attempts one index holds that
-- a constraint counts.  `seen` caches each attempt read within one script.
local seen = {}  -- attempt id -> {time, outcome, keys JSON, key set} or false (gone)

local function attempt(prefix, index, id)
  local a = seen[id]
  if a == nil then
    local f = redis.call('HMGET', prefix .. id, 't', 'o', 'k')
    if f[1] then a = {f[1], f[2], f[3]} else a = false end
    seen[id] = a
  end
  if a == false then redis.call('ZREM', index, id) end
  return a
end

-- The times (exact decimal strings) of the attempts of `index` at or after `since`
-- whose outcome is in the set `outcomes` (nil: any) and that carry every key of `also`.
local function count(prefix, index, since, outcomes, also)
  local times = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', index, since, '+inf')) do
    local a = attempt(prefix, index, id)
    if a and (outcomes == nil or outcomes[a[2]]) then
      local counts = true
      if #also > 0 then
        if a[4] == nil then
          a[4] = {}
          for _, key in ipairs(cjson.decode(a[3])) do a[4][key] = true end
        end
        for _, key in ipairs(also) do
          if not a[4][key] then counts = false; break end
        end
      end
      if counts then times[#times + 1] = a[1] end
    end
  end
  return times
end
