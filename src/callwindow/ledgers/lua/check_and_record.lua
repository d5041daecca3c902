-- KEYS: the n constraint indexes; when recording, then the new attempt's hash
--       and the indexes of its keys.
-- ARGV: attempt-hash prefix, n, new id ('': only count), its time, outcome,
--       keys (JSON), retention ms ('': forever), clock skew allowed in µs ('':
--       its time is the caller's, not checked); then per constraint: since,
--       limit, number of outcomes (-1: any), the outcomes, number of "also"
--       keys, the keys.
-- Returns {new id or '', times of constraint 1, ..., times of constraint n},
-- or the error 'CLOCK_SKEW <offset µs>' when the time is too far from the
-- server's clock (then nothing is recorded).
local prefix, n, new_id = ARGV[1], tonumber(ARGV[2]), ARGV[3]
-- This very attempt is kept already: the script was sent again (a client retrying
-- after its connection broke before the reply came back) and has run before. The
-- first run recorded it, so it was allowed: say so again, and record nothing more.
if new_id ~= '' and redis.call('EXISTS', KEYS[n + 1]) == 1 then
  local found = {new_id}
  for i = 1, n do found[i + 1] = {} end
  return found
end
if new_id ~= '' and ARGV[8] ~= '' then
  local now = redis.call('TIME')
  local offset = tonumber(ARGV[4]) - (tonumber(now[1]) * 1000000 + tonumber(now[2]))
  if math.abs(offset) > tonumber(ARGV[8]) then
    return redis.error_reply(string.format('CLOCK_SKEW %d', offset))
  end
end

local found, allowed, at = {new_id}, true, 9
for i = 1, n do
  local since, limit, n_outcomes = ARGV[at], tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  at = at + 3
  local outcomes = nil
  if n_outcomes >= 0 then
    outcomes = {}
    for j = 1, n_outcomes do outcomes[ARGV[at]] = true; at = at + 1 end
  end
  local also = {}
  for j = 1, tonumber(ARGV[at]) do also[j] = ARGV[at + j] end
  at = at + 1 + #also
  local times = count(prefix, KEYS[i], since, outcomes, also)
  if #times >= limit then allowed = false end
  found[i + 1] = times
end

if allowed and new_id ~= '' then
  local ts, ms = ARGV[4], ARGV[7]
  redis.call('HSET', KEYS[n + 1], 't', ts, 'o', ARGV[5], 'k', ARGV[6])
  if ms ~= '' then redis.call('PEXPIRE', KEYS[n + 1], ms) end
  for i = n + 2, #KEYS do
    local index = KEYS[i]
    keep_index(index, ts, new_id, ms)
    -- An index kept alive by one permanent attempt would otherwise gather
    -- the ids of every expired one; check its 16 oldest on every write.
    for _, id in ipairs(redis.call('ZRANGE', index, 0, 15)) do
      if seen[id] == false or (seen[id] == nil and redis.call('EXISTS', prefix .. id) == 0) then
        redis.call('ZREM', index, id)
      end
    end
  end
else
  found[1] = ''
end
return found
