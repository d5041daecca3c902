-- KEYS: the indexes of the subjects to forget (one slot).
-- ARGV: attempt-hash prefix, index prefix.
-- Returns how many distinct attempts were erased.
local erased, done = 0, {}
for _, index in ipairs(KEYS) do
  for _, id in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    if not done[id] then
      done[id] = true
      local hash = ARGV[1] .. id
      local keys = redis.call('HGET', hash, 'k')
      if keys then
        for _, key in ipairs(cjson.decode(keys)) do redis.call('ZREM', ARGV[2] .. key, id) end
        redis.call('DEL', hash)
        erased = erased + 1
      end
    end
  end
  redis.call('DEL', index)
end
return erased
