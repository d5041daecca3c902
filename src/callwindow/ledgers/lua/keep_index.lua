-- Extend an index to outlive an attempt just added to it: its TTL only grows,
-- and an attempt kept forever (ms == '') makes it persistent.
local function keep_index(index, ts, id, ms)
  local ttl = redis.call('PTTL', index)
  redis.call('ZADD', index, ts, id)
  if ms == '' then
    if ttl >= 0 then redis.call('PERSIST', index) end
  elseif ttl == -2 or (ttl >= 0 and ttl < tonumber(ms)) then
    redis.call('PEXPIRE', index, ms)
  end
end
