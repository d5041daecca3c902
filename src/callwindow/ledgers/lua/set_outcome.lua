-- KEYS: the attempt's hash.
-- ARGV: outcome, retention ms ('': forever), index prefix, the attempt's id.
-- Returns 1 when the attempt is kept (and now updated), else 0.
local hash = KEYS[1]
local f = redis.call('HMGET', hash, 't', 'k')
if not f[1] then return 0 end
local ms = ARGV[2]
redis.call('HSET', hash, 'o', ARGV[1])
-- Never shorten: another engine's rules may need the attempt longer.
local ttl = redis.call('PTTL', hash)
if ms == '' then
  redis.call('PERSIST', hash)
elseif ttl >= 0 and ttl < tonumber(ms) then
  redis.call('PEXPIRE', hash, ms)
end
-- A permanent outcome (an opt-out) must outlive the indexes that find it.
for _, key in ipairs(cjson.decode(f[2])) do keep_index(ARGV[3] .. key, f[1], ARGV[4], ms) end
return 1
