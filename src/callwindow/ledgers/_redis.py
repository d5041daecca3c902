"""The networked ledger: one Redis server (or cluster) shared by dialers on many hosts."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

import redis
import redis.asyncio
import redis.asyncio.cluster
import redis.asyncio.retry
import redis.cluster
from redis.backoff import NoBackoff
from redis.retry import Retry

from .._errors import InvalidInputError, LedgerError
from .._frequency import Attempt, Constraint
from .._time import US
from ._base import MAX_CLOCK_SKEW, KeyedLedger, Matches, Read, clock_skew, seconds

__all__ = ["AsyncRedisLedger", "RedisLedger"]

#: The hash tag of the unsharded layout: every key in one cluster slot.
_ALL = "all"
_SHARD_TAG = re.compile(r"[0-9a-f]{16}")

# Keys: ``<prefix>:{<tag>}:k:<key>`` is the index of one key, a sorted set of
# attempt ids scored by the attempt's time (µs); ``<prefix>:{<tag>}:a:<id>`` is
# one attempt, a hash of its time ``t`` (the exact decimal string, never a Lua
# number), outcome ``o`` and keys ``k`` (a JSON list).  The hash expires with
# the attempt's retention; an index lives at least as long as its longest-kept
# member, and ids whose hash is gone are dropped from it as scripts meet them.

_SCRIPTS = resources.files(__package__) / "lua"
_KEEP_INDEX = (_SCRIPTS / "keep_index.lua").read_text()
_COUNT = (_SCRIPTS / "count.lua").read_text()
#: The Lua scripts, as package data (``lua/*.lua``); keep_index and count are helpers.
CHECK_AND_RECORD = (_KEEP_INDEX + _COUNT
                    + (_SCRIPTS / "check_and_record.lua").read_text())
READ_MANY = _COUNT + (_SCRIPTS / "read_many.lua").read_text()
SET_OUTCOME = _KEEP_INDEX + (_SCRIPTS / "set_outcome.lua").read_text()
FORGET = (_SCRIPTS / "forget.lua").read_text()


class _Layout(KeyedLedger):
    """What both Redis ledgers share: the keys, the scripts' arguments, their replies.

    Only the transport differs between ``RedisLedger`` (redis-py) and
    ``AsyncRedisLedger`` (``redis.asyncio``).
    """

    def __init__(self, client: Any, owned: bool, secret: bytes | str | None, prefix: str,
                 shard_by_subject: bool, max_clock_skew: float | None) -> None:
        super().__init__(secret)
        self._skew = ("" if max_clock_skew is None else
                      round(seconds(max_clock_skew, "max_clock_skew", MAX_CLOCK_SKEW) * US))
        if not prefix or "{" in prefix or "}" in prefix:
            raise InvalidInputError(
                f"prefix {prefix!r}: give a non-empty prefix without braces "
                f"(braces would change the Redis Cluster hash tag)", field="prefix")
        self._prefix = prefix
        self._sharded = shard_by_subject
        self._client = client
        self._owned = owned  # opened from a URL: closed with the ledger
        self._where = _describe(client)
        self._check = client.register_script(CHECK_AND_RECORD)
        self._read_many = client.register_script(READ_MANY)
        self._set_outcome = client.register_script(SET_OUTCOME)
        self._forget = client.register_script(FORGET)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self._where!r}, prefix={self._prefix!r}, "
                f"sharded={self._sharded}, hashed={self.hashes_keys})")

    def _check_call(self, subject: str, constraints: Sequence[Constraint],
                    attempt: Attempt | None) -> tuple[list[str], list[str | int]] | None:
        """The keys and arguments of one check-and-record script; ``None``: nothing to ask."""
        subject, constraints, attempt = self.stored(subject, constraints, attempt)
        if not constraints and attempt is None:
            return None
        tag = self._tag(subject)
        self._check_sharding(subject, constraints)
        base = f"{self._prefix}:{{{tag}}}:"
        keys = [base + "k:" + constraint.key for constraint in constraints]
        args: list[str | int] = [base + "a:", len(constraints)]
        if attempt is None:
            args += ["", "", "", "", "", ""]
        else:
            attempt_id = os.urandom(12).hex()
            if self._sharded:
                attempt_id = f"{tag}.{attempt_id}"
            stored_keys = list(dict.fromkeys(attempt.keys))
            keys.append(base + "a:" + attempt_id)
            keys += [base + "k:" + key for key in stored_keys]
            args += [attempt_id, attempt.ts, attempt.outcome, json.dumps(stored_keys),
                     _milliseconds(attempt.retention), self._skew if attempt.host_clock else ""]
        for constraint in constraints:
            args += [constraint.since, constraint.limit]
            if constraint.outcomes is None:
                args.append(-1)
            else:
                args.append(len(constraint.outcomes))
                args += sorted(constraint.outcomes)
            args.append(len(constraint.also))
            args += constraint.also
        return keys, args

    def _read_call(self, reads: Sequence[Read]) -> tuple[list[str], list[str]]:
        """The keys and arguments of one read-many script: every read of a batch."""
        keys: list[str] = []
        args: list[str] = []
        # Reads of one list mostly ask the same questions of other keys: each distinct
        # set of questions (and key prefix) is written as JSON once per batch.
        written: dict[tuple[str, tuple[tuple[int, frozenset[str] | None, tuple[str, ...],
                                            int], ...]], str] = {}
        for subject, constraints in reads:
            subject, constraints, _ = self.stored(subject, constraints, None)
            self._check_sharding(subject, constraints)
            base = f"{self._prefix}:{{{self._tag(subject)}}}:"
            own: dict[str, int] = {}  # the read's keys, each sent once
            which = [own.setdefault(c.key, len(own) + 1) for c in constraints]
            keys += [base + "k:" + key for key in own]
            asked = (base, tuple((c.since, c.outcomes, c.also, n)
                                 for c, n in zip(constraints, which, strict=True)))
            arg = written.get(asked)
            if arg is None:
                arg = written[asked] = json.dumps([base + "a:", [
                    [str(c.since), False if c.outcomes is None else sorted(c.outcomes),
                     list(c.also), n] for c, n in zip(constraints, which, strict=True)],
                    len(own)])
            args.append(arg)
        return keys, args

    def _check_sharding(self, subject: str, constraints: Sequence[Constraint]) -> None:
        if self._sharded:
            for constraint in constraints:
                if constraint.key != subject and subject not in constraint.also:
                    raise LedgerError(
                        f"Redis ledger {self._where}: a rule that counts attempts per "
                        f"phone number or per tag, shared between consumers, cannot be "
                        f"counted with shard_by_subject=True (each consumer's history is "
                        f"in its own slot); use the default, unsharded layout")

    def _batched(self) -> bool:
        """Whether a batch is one script: on one server, yes; on a cluster the reads go
        one by one (one script may touch one slot only, and sharded reads span many)."""
        return not isinstance(self._client, redis.cluster.RedisCluster
                              | redis.asyncio.cluster.RedisCluster)

    def _set_outcome_call(self, attempt_id: str, outcome: str, retention: int | None
                          ) -> tuple[list[str], list[str | int]] | None:
        """The keys and arguments of one set-outcome script; ``None``: not an id of ours."""
        tag, dot, _ = attempt_id.rpartition(".")
        if not dot:
            tag = _ALL
        elif not _SHARD_TAG.fullmatch(tag):
            return None
        base = f"{self._prefix}:{{{tag}}}:"
        return ([base + "a:" + attempt_id],
                [outcome, _milliseconds(retention), base + "k:", attempt_id])

    def _forget_calls(self, subjects: Sequence[str]
                      ) -> list[tuple[list[str], list[str | int]]]:
        """The keys and arguments of the forget scripts: one per cluster slot."""
        slots: dict[str, list[str]] = {}
        for subject in dict.fromkeys(subjects):
            key = self.stored_key(subject)
            slots.setdefault(self._tag(key), []).append(key)
        calls: list[tuple[list[str], list[str | int]]] = []
        for tag, keys in slots.items():
            base = f"{self._prefix}:{{{tag}}}:"
            calls.append(([base + "k:" + key for key in keys], [base + "a:", base + "k:"]))
        return calls

    def _tag(self, stored_subject: str) -> str:
        if not self._sharded:
            return _ALL
        return hashlib.sha256(stored_subject.encode()).hexdigest()[:16]

    def _failed(self, error: Exception) -> LedgerError:
        problem = str(error) or type(error).__name__
        if problem.startswith("CLOCK_SKEW "):  # from the script: the offset, in µs
            assert isinstance(self._skew, int)
            return clock_skew(f"Redis ledger {self._where}", int(problem.split()[1]),
                              self._skew / US)
        return LedgerError(f"Redis ledger {self._where}: {problem}")


def _checked(reply: Any) -> tuple[str | None, Matches]:
    recorded = _text(reply[0])
    return recorded or None, tuple(tuple(map(int, times)) for times in reply[1:])


def _read_replies(reply: Any, reads: Sequence[Read]) -> list[Matches]:
    """The counts of each read, from the reply of one read-many script (see
    read_many.lua); a read's text met again (no history: the commas alone) is
    parsed once."""
    text = reply.decode() if isinstance(reply, bytes) else str(reply)
    parsed: dict[str, Matches] = {}
    found: list[Matches] = []
    for part, (_subject, constraints) in zip(text.split(";"), reads, strict=True):
        if not constraints:
            found.append(())
            continue
        matches = parsed.get(part)
        if matches is None:
            matches = parsed[part] = tuple(tuple(map(int, times.split()))
                                           for times in part.split(","))
        found.append(matches)
    return found


class RedisLedger(_Layout):
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
    raises ``LedgerError``, never an empty history.  ``AsyncRedisLedger`` is
    the same ledger for asyncio programs (the same keys and scripts: the two
    share one history).

    Args:
        url_or_client: a ``redis://``, ``rediss://`` or ``unix://`` URL, or a
            client (``redis.Redis`` or ``redis.cluster.RedisCluster``), used
            as it is and not closed by ``close()``.
        secret: store keyed hashes of ids and numbers instead of the values.
        prefix: the first part of every key, to share a database with others.
        shard_by_subject: spread the history over cluster slots by subject.
        socket_timeout: seconds to wait to connect and for a reply (URL only):
            the deadline of every call.
        max_clock_skew: seconds an attempt dated by this host's clock may be
            from the server's (``TIME``) before it is refused (``LedgerError``);
            ``None``: not checked.
        cluster: the URL names a node of a Redis Cluster: connect with the
            cluster client (``redis.cluster.RedisCluster``), which finds the
            other nodes from it.
    """

    def __init__(self, url_or_client: str | redis.Redis | redis.cluster.RedisCluster, *,
                 secret: bytes | str | None = None, prefix: str = "callwindow",
                 shard_by_subject: bool = False, socket_timeout: float = 2.0,
                 max_clock_skew: float | None = MAX_CLOCK_SKEW, cluster: bool = False) -> None:
        client: redis.Redis | redis.cluster.RedisCluster
        if isinstance(url_or_client, str) and cluster:
            client = redis.cluster.RedisCluster.from_url(
                url_or_client, socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout)
        elif isinstance(url_or_client, str):
            client = redis.Redis.from_url(url_or_client,
                                          **_client_options(socket_timeout, Retry))
        else:
            client = url_or_client
        super().__init__(client, isinstance(url_or_client, str), secret, prefix,
                         shard_by_subject, max_clock_skew)

    def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                         attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        call = self._check_call(subject, constraints, attempt)
        if call is None:
            return None, ()
        return _checked(self._run(self._check, *call))

    def check_many(self, reads: Sequence[Read]) -> list[Matches]:
        """The counts of each read, in order (see ``Ledger``): one script, so one round
        trip (on a cluster, one script per read)."""
        if not reads:
            return []
        if not self._batched():
            return [self.check_and_record(subject, constraints, None)[1]
                    for subject, constraints in reads]
        return _read_replies(self._run(self._read_many, *self._read_call(reads)), reads)

    def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        call = self._set_outcome_call(attempt_id, outcome, retention)
        return call is not None and bool(self._run(self._set_outcome, *call))

    def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``; sharded, one script per subject's slot."""
        return sum(int(self._run(self._forget, *call)) for call in self._forget_calls(subjects))

    def close(self) -> None:
        """Close the connections, if this ledger opened them (from a URL)."""
        if self._owned:
            with contextlib.suppress(redis.exceptions.RedisError, OSError):
                self._client.close()  # sockets to a server that may be gone

    def _run(self, script: Any, keys: list[str], args: Sequence[str | int]) -> Any:
        try:
            return script(keys=keys, args=args)
        except (redis.exceptions.RedisError, OSError) as error:
            raise self._failed(error) from error


class AsyncRedisLedger(_Layout):
    """``RedisLedger`` for asyncio programs, on ``redis.asyncio``: the same keys,
    scripts and guarantees, and one connection pool for every task.

    The scripts of tasks that call at about the same time are pipelined: sent
    together in one write on one connection, each still answered (or failed)
    on its own; see ``pipelining``.

    Args are ``RedisLedger``'s, and:
        max_connections: the pool's size (a task waits up to ``socket_timeout``
            for a free connection), and so the most pipelines in flight at once.
        pipelining: send the scripts of concurrent tasks in batches (up to 256
            a batch), as ioredis and Lettuce do; several times the acquires per
            second of one process, for a loop turn of latency.  Turn it off to
            have every call go through the client's own command path (seen by
            tracing that wraps ``execute_command``).  A cluster client is never
            pipelined.

    A client passed in must be a ``redis.asyncio.Redis`` (or
    ``redis.asyncio.cluster.RedisCluster``).
    """

    def __init__(self, url_or_client: str | redis.asyncio.Redis | Any, *,
                 secret: bytes | str | None = None, prefix: str = "callwindow",
                 shard_by_subject: bool = False, socket_timeout: float = 2.0,
                 max_connections: int = 64, max_clock_skew: float | None = MAX_CLOCK_SKEW,
                 cluster: bool = False, pipelining: bool = True) -> None:
        client: Any = url_or_client
        if isinstance(url_or_client, str) and cluster:
            client = redis.asyncio.cluster.RedisCluster.from_url(
                url_or_client, socket_timeout=socket_timeout,
                socket_connect_timeout=socket_timeout)
        elif isinstance(url_or_client, str):
            # A bounded pool that makes a task wait for a free connection (up to
            # the socket timeout) rather than fail: hundreds of tasks share a few
            # connections, as they would share a server's file descriptors.
            pool = redis.asyncio.BlockingConnectionPool.from_url(
                url_or_client, max_connections=max_connections, timeout=socket_timeout,
                **_client_options(socket_timeout, redis.asyncio.retry.Retry))
            client = redis.asyncio.Redis(connection_pool=pool)
        super().__init__(client, isinstance(url_or_client, str), secret, prefix,
                         shard_by_subject, max_clock_skew)
        self._loaded = False
        self._loading: asyncio.Lock | None = None  # made in the loop that first loads
        # A cluster client routes each script to its slot's node, with its own
        # retries on MOVED, ASK and lost connections: there is no one connection
        # to pipeline on, and a batch it re-sent could record twice.  Each call
        # goes on its own there.
        self._pipeline = (_Pipeline(client, self._failed)
                          if pipelining and self._batched() else None)

    async def check_and_record(self, subject: str, constraints: Sequence[Constraint],
                               attempt: Attempt | None) -> tuple[str | None, Matches]:
        """See ``Ledger.check_and_record``."""
        call = self._check_call(subject, constraints, attempt)
        if call is None:
            return None, ()
        return _checked(await self._run(self._check, *call))

    async def check_many(self, reads: Sequence[Read]) -> list[Matches]:
        """See ``RedisLedger.check_many``."""
        if not reads:
            return []
        if not self._batched():
            return [(await self.check_and_record(subject, constraints, None))[1]
                    for subject, constraints in reads]
        return _read_replies(await self._run(self._read_many, *self._read_call(reads)), reads)

    async def set_outcome(self, attempt_id: str, outcome: str, retention: int | None) -> bool:
        """See ``Ledger.set_outcome``."""
        call = self._set_outcome_call(attempt_id, outcome, retention)
        return call is not None and bool(await self._run(self._set_outcome, *call))

    async def forget(self, subjects: Sequence[str]) -> int:
        """See ``Ledger.forget``."""
        erased = 0
        for call in self._forget_calls(subjects):
            erased += int(await self._run(self._forget, *call))
        return erased

    async def _load(self) -> None:
        """Load the scripts on the server (every master of a cluster), once.

        A script runs by its hash and is loaded when the server does not know
        it.  redis-py's asyncio cluster client loads it on every master from
        whichever task first meets the miss, on connections other tasks may be
        opening at that moment, and fails (``AttributeError``) when many tasks
        start at once: one task loads the scripts first, the others wait.
        """
        if self._loading is None:
            self._loading = asyncio.Lock()
        async with self._loading:
            if not self._loaded:
                for script in (self._check, self._read_many, self._set_outcome, self._forget):
                    script.sha = await self._client.script_load(script.script)
                self._loaded = True

    async def aclose(self) -> None:
        """Close the connections, if this ledger opened them (from a URL), once the
        batches in flight are answered."""
        if self._pipeline is not None:
            await self._pipeline.drain()
        if self._owned:
            with contextlib.suppress(redis.exceptions.RedisError, OSError):
                await self._client.aclose()

    async def _run(self, script: Any, keys: list[str], args: Sequence[str | int]) -> Any:
        if self._pipeline is not None:
            return await self._pipeline.run(script, keys, args)
        try:
            if not self._loaded:
                await self._load()
            return await script(keys=keys, args=args)
        except (redis.exceptions.RedisError, OSError) as error:
            raise self._failed(error) from error


#: The most scripts in one pipeline: a batch's write and replies stay small
#: (tens of kB), and the calls behind them go in the next batch.
MAX_BATCH = 256

_Entry = tuple["asyncio.Future[Any]", Any, list[str], Sequence[str | int]]


class _Pipeline:
    """Auto-pipelining: the scripts of concurrent tasks, written together.

    A call queues its script and waits on a future.  A sender, started on the
    loop's next turn, takes every script queued by then (up to ``MAX_BATCH``),
    writes them in one write on one pooled connection and reads the replies in
    order, settling each call with its own reply or error.  Calls made while
    batches are in flight queue for the next one, and up to the pool's size of
    batches are in flight at once, so one slow batch holds up no other: the
    design of ioredis' and Lettuce's auto-pipelining.

    Written on the connection rather than with redis-py's ``Pipeline``, whose
    retry policy re-sends the whole batch after a lost connection: the server
    may have run part of it, and those attempts would be recorded twice.  A
    batch is written at most once (a connection the server closed while idle
    is replaced by the pool before the write); when its connection fails, every
    call not yet answered fails with ``LedgerError``.  Each read waits at most
    ``socket_timeout``, and a call waits for at most the batches ahead of it.
    A task cancelled while it waits only stops waiting: its script may still
    run, as a cancelled call could before.
    """

    def __init__(self, client: Any, failed: Callable[[Exception], LedgerError]) -> None:
        self._client = client
        self._pool = client.connection_pool
        self._failed = failed
        self._limit = max(1, int(getattr(self._pool, "max_connections", 1)))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: list[_Entry] = []
        self._senders: set[asyncio.Task[None]] = set()
        #: The sender started and not yet running, which will take the next batch.
        self._collector: asyncio.Task[None] | None = None

    async def run(self, script: Any, keys: list[str], args: Sequence[str | int]) -> Any:
        """The reply of one script, sent in the next batch."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop: nothing of the last one's is in flight here
            self._loop, self._queue, self._senders, self._collector = loop, [], set(), None
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.append((future, script, keys, args))
        self._start()
        return await future

    async def drain(self) -> None:
        """Wait for the batches in flight (``asyncio.wait``: a caller that stops
        waiting, e.g. under a timeout, does not cancel other tasks' batches)."""
        while self._senders and self._loop is asyncio.get_running_loop():
            await asyncio.wait(set(self._senders))

    def _start(self) -> None:
        if self._queue and self._collector is None and len(self._senders) < self._limit:
            assert self._loop is not None
            sender = self._collector = self._loop.create_task(self._send())
            self._senders.add(sender)
            sender.add_done_callback(self._done)

    def _done(self, sender: asyncio.Task[None]) -> None:
        self._senders.discard(sender)
        if self._collector is sender:  # cancelled before it took its batch: another will
            self._collector = None
        self._start()

    async def _send(self) -> None:
        batch = self._queue[:MAX_BATCH]
        del self._queue[:MAX_BATCH]
        self._collector = None
        self._start()  # more than a batch queued: the next sender takes the rest
        try:
            missing = await self._write(batch)
            if missing:  # the server lost its scripts (restarted, flushed): none of these ran
                for script in {id(entry[1]): entry[1] for entry in missing}.values():
                    script.sha = await self._client.script_load(script.script)
                await self._write(missing, resent=True)
        except (redis.exceptions.RedisError, OSError) as error:
            self._settle(batch, error)
        finally:  # interrupted (the loop closing): no caller waits forever
            self._settle(batch, RuntimeError("the batch was interrupted"))

    async def _write(self, batch: list[_Entry], resent: bool = False) -> list[_Entry]:
        """Write ``batch`` once and settle each call as its reply is read; return
        the calls whose script the server did not know (so did not run), unless
        ``resent``.  A lost connection fails every call not yet answered."""
        missing: list[_Entry] = []
        answered = 0
        connection = await self._pool.get_connection()
        try:
            await connection.send_packed_command(connection.pack_commands(
                [("EVALSHA", script.sha, len(keys), *keys, *args)
                 for _, script, keys, args in batch]))
            for entry in batch:
                try:
                    reply = await connection.read_response()
                except redis.exceptions.NoScriptError as error:
                    if resent:
                        self._settle([entry], error)
                    else:
                        missing.append(entry)
                except redis.exceptions.ResponseError as error:
                    self._settle([entry], error)
                else:
                    if not entry[0].done():
                        entry[0].set_result(reply)
                answered += 1
        except (redis.exceptions.RedisError, OSError) as error:
            self._settle(batch[answered:], error)
        finally:
            await self._pool.release(connection)
        return missing

    def _settle(self, entries: list[_Entry], error: Exception) -> None:
        """Fail each call of ``entries`` still waiting, with the ledger's error."""
        for future, *_ in entries:
            if not future.done():
                failure = self._failed(error)
                failure.__cause__ = error
                future.set_exception(failure)


def _client_options(socket_timeout: float, retry: type[Any]) -> dict[str, Any]:
    # One immediate retry, for a pooled connection the server has since
    # closed; not redis-py's default of ten with backoff, which holds a dialer
    # for seconds when the server is down.  Never on a timeout: the script
    # may have run, and would record twice.
    return {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout,
            "retry": retry(NoBackoff(), 1, (redis.exceptions.ConnectionError,))}


def _milliseconds(retention: int | None) -> str:
    """A retention (seconds) as Redis TTL milliseconds; '' for kept forever."""
    return "" if retention is None else str(max(0, retention) * 1000)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _describe(client: Any) -> str:
    """Where the client connects, for error messages (no password)."""
    if isinstance(client, redis.cluster.RedisCluster):
        nodes = ",".join(node.name for node in client.startup_nodes)
        return f"cluster {nodes}"
    if isinstance(client, redis.asyncio.cluster.RedisCluster):
        return "cluster " + ",".join(client.nodes_manager.startup_nodes)
    options = client.connection_pool.connection_kwargs
    if "path" in options:
        return f"unix:{options['path']}"
    return f"{options.get('host', 'localhost')}:{options.get('port', 6379)}"
