"""The networked ledger: one Redis server (or cluster) shared by dialers on many hosts."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Sequence
from typing import Any

import redis
import redis.cluster
from redis.backoff import NoBackoff
from redis.retry import Retry

from .._errors import LedgerError
from .._frequency import Attempt, Constraint
from ._base import KeyedLedger, Matches

__all__ = ["RedisLedger"]

#: The hash tag of the unsharded layout: every key in one cluster slot.
_ALL = "all"
_SHARD_TAG = re.compile(r"[0-9a-f]{16}")

# Keys: ``<prefix>:{<tag>}:k:<key>`` is the index of one key, a sorted set of
# attempt ids scored by the attempt's time (µs); ``<prefix>:{<tag>}:a:<id>`` is
# one attempt, a hash of its time ``t`` (the exact decimal string, never a Lua
# number), outcome ``o`` and keys ``k`` (a JSON list).  The hash expires with
# the attempt's retention; an index lives at least as long as its longest-kept
# member, and ids whose hash is gone are dropped from it as scripts meet them.

# Extend an index to outlive an attempt just added to it: its TTL only grows,
# and an attempt kept forever (ms == '') makes it persistent.
_KEEP_INDEX = """
local function keep_index(index, ts, id, ms)
  local ttl = redis.call('PTTL', index)
  redis.call('ZADD', index, ts, id)
  if ms == '' then
    if ttl >= 0 then redis.call('PERSIST', index) end
  elseif ttl == -2 or (ttl >= 0 and ttl < tonumber(ms)) then
    redis.call('PEXPIRE', index, ms)
  end
end
"""

# KEYS: the n constraint indexes; when recording, then the new attempt's hash
#       and the indexes of its keys.
# ARGV: attempt-hash prefix, n, new id ('': only count), its time, outcome,
#       keys (JSON), retention ms ('': forever); then per constraint: since,
#       limit, number of outcomes (-1: any), the outcomes, number of "also"
#       keys, the keys.
# Returns {new id or '', times of constraint 1, ..., times of constraint n}.
_CHECK_AND_RECORD = _KEEP_INDEX + """
local prefix, n, new_id = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local seen = {}  -- attempt id -> {time, outcome, keys JSON, key set} or false (gone)

local function attempt(index, id)
  local a = seen[id]
  if a == nil then
    local f = redis.call('HMGET', prefix .. id, 't', 'o', 'k')
    if f[1] then a = {f[1], f[2], f[3]} else a = false end
    seen[id] = a
  end
  if a == false then redis.call('ZREM', index, id) end
  return a
end

local found, allowed, at = {new_id}, true, 8
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
  local times = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[i], since, '+inf')) do
    local a = attempt(KEYS[i], id)
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
"""

# KEYS: the attempt's hash.
# ARGV: outcome, retention ms ('': forever), index prefix, the attempt's id.
# Returns 1 when the attempt is kept (and now updated), else 0.
_SET_OUTCOME = _KEEP_INDEX + """
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
"""

# KEYS: the indexes of the subjects to forget (one slot).
# ARGV: attempt-hash prefix, index prefix.
# Returns how many distinct attempts were erased.
_FORGET = """
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
"""


class RedisLedger(KeyedLedger):
    """Attempts in Redis: shared by every dialer process on every host that reaches it.

    Each call is one Lua script, so one round trip, and atomic: Redis runs a
    script to the end before any other command, so no acquire can count
    between another's count and its write.  Attempts expire by Redis TTLs
    (an attempt kept forever, such as an opt-out, has none); nothing runs in
    the background.

    Every key a script touches carries the same Redis Cluster hash tag, so it
    runs on a cluster too (pass a ``redis.cluster.RedisCluster``).  By default
    the tag is one constant: correct for every rule, but the whole history is
    one slot, so one node.  ``shard_by_subject=True`` tags keys by subject
    instead, spreading consumers over the cluster; then every rule must count
    per consumer (a rule per phone number or per tag alone, shared between
    consumers, is refused with ``LedgerError``), and ``forget`` finds the
    attempts recorded with the given keys as their subject.

    Needs Redis 5 or later.  Every failure of the server or the connection
    raises ``LedgerError``, never an empty history.

    Args:
        url_or_client: a ``redis://``, ``rediss://`` or ``unix://`` URL, or a
            client (``redis.Redis`` or ``redis.cluster.RedisCluster``), used
            as it is and not closed by ``close()``.
        secret: store keyed hashes of ids and numbers instead of the values.
        prefix: the first part of every key, to share a database with others.
        shard_by_subject: spread the history over cluster slots by subject.
        socket_timeout: seconds to wait to connect and for a reply (URL only).
    """


    def __init__(self, url_or_client: str | redis.Redis | redis.cluster.RedisCluster, *,
                 secret: bytes | str | None = None, prefix: str = "callwindow",
                 shard_by_subject: bool = False, socket_timeout: float = 2.0) -> None:
        super().__init__(secret)
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError(f"prefix {prefix!r}: give a non-empty prefix without braces "
                             f"(braces would change the Redis Cluster hash tag)")
        self._owned = isinstance(url_or_client, str)
        client: redis.Redis | redis.cluster.RedisCluster
        if isinstance(url_or_client, str):
            # One immediate retry, for a pooled connection the server has
            # since closed; not redis-py's default of ten with backoff, which
            # holds a dialer for seconds when the server is down.  Never on a
            # timeout: the script may have run, and would record twice.
            client = redis.Redis.from_url(
                url_or_client, socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout,
                retry=Retry(NoBackoff(), 1, (redis.exceptions.ConnectionError,)))
        else:
            client = url_or_client
        self._client = client
        self._where = _describe(client)
        self._prefix = prefix
        self._sharded = shard_by_subject
        self._check = client.register_script(_CHECK_AND_RECORD)
        self._set_outcome = client.register_script(_SET_OUTCOME)
        self._forget = client.register_script(_FORGET)

    def __repr__(self) -> str:
        return (f"RedisLedger({self._where!r}, prefix={self._prefix!r}, "
                f"sharded={self._sharded}, hashed={self.hashes_keys})")

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        subject, constraints, attempt = self.stored(subject, constraints, attempt)
        if not constraints and attempt is None:
            return None, ()
        tag = self._tag(subject)
        if self._sharded:
            for constraint in constraints:
                if constraint.key != subject and subject not in constraint.also:
                    raise LedgerError(
                        f"Redis ledger {self._where}: a rule that counts attempts per "
                        f"phone number or per tag, shared between consumers, cannot be "
                        f"counted with shard_by_subject=True (each consumer's history is "
                        f"in its own slot); use the default, unsharded layout")
        base = f"{self._prefix}:{{{tag}}}:"
        keys = [base + "k:" + constraint.key for constraint in constraints]
        args: list[str | int] = [base + "a:", len(constraints)]
        if attempt is None:
            args += ["", "", "", "", ""]
        else:
            attempt_id = os.urandom(12).hex()
            if self._sharded:
                attempt_id = f"{tag}.{attempt_id}"
            stored_keys = list(dict.fromkeys(attempt.keys))
            keys.append(base + "a:" + attempt_id)
            keys += [base + "k:" + key for key in stored_keys]
            args += [attempt_id, attempt.ts, attempt.outcome, json.dumps(stored_keys),
                     _milliseconds(attempt.retention)]
        for constraint in constraints:
            args += [constraint.since, constraint.limit]
            if constraint.outcomes is None:
                args.append(-1)
            else:
                args.append(len(constraint.outcomes))
                args += sorted(constraint.outcomes)
            args.append(len(constraint.also))
            args += constraint.also
        reply = self._run(self._check, keys, args)
        recorded = _text(reply[0])
        return recorded or None, tuple(tuple(map(int, times)) for times in reply[1:])

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        tag, dot, _ = attempt_id.rpartition(".")
        if not dot:
            tag = _ALL
        elif not _SHARD_TAG.fullmatch(tag):
            return False  # not an id this ledger made
        base = f"{self._prefix}:{{{tag}}}:"
        reply = self._run(self._set_outcome, [base + "a:" + attempt_id],
                          [outcome, _milliseconds(retention), base + "k:", attempt_id])
        return bool(reply)

    def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``; sharded, one script per subject's slot."""
        slots: dict[str, list[str]] = {}
        for subject in dict.fromkeys(subjects):
            key = self.stored_key(subject)
            slots.setdefault(self._tag(key), []).append(key)
        erased = 0
        for tag, keys in slots.items():
            base = f"{self._prefix}:{{{tag}}}:"
            erased += int(self._run(self._forget, [base + "k:" + key for key in keys],
                                    [base + "a:", base + "k:"]))
        return erased

    def close(self) -> None:
        """Close the connections, if this ledger opened them (from a URL)."""
        if self._owned:
            with contextlib.suppress(redis.exceptions.RedisError, OSError):
                self._client.close()  # sockets to a server that may be gone

    def _tag(self, stored_subject: str) -> str:
        if not self._sharded:
            return _ALL
        return hashlib.sha256(stored_subject.encode()).hexdigest()[:16]

    def _run(self, script: Any, keys: list[str], args: Sequence[str | int]) -> Any:
        try:
            return script(keys=keys, args=args)
        except (redis.exceptions.RedisError, OSError) as error:
            problem = str(error) or type(error).__name__
            raise LedgerError(f"Redis ledger {self._where}: {problem}") from error


def _milliseconds(retention: int | None) -> str:
    """A retention (seconds) as Redis TTL milliseconds; '' for kept forever."""
    return "" if retention is None else str(max(0, retention) * 1000)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _describe(client: redis.Redis | redis.cluster.RedisCluster) -> str:
    """Where the client connects, for error messages (no password)."""
    if isinstance(client, redis.cluster.RedisCluster):
        nodes = ",".join(node.name for node in client.startup_nodes)
        return f"cluster {nodes}"
    options = client.connection_pool.connection_kwargs
    if "path" in options:
        return f"unix:{options['path']}"
    return f"{options.get('host', 'localhost')}:{options.get('port', 6379)}"
