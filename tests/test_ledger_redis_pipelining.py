"""AsyncRedisLedger's auto-pipelining, against a real redis-server: the scripts of
concurrent tasks go out in few writes, each call still gets its own answer or its
own error, and a lost server fails every call waiting on it, once."""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

import pytest
import redis
import redis.asyncio

from callwindow import LedgerError
from callwindow.ledgers import Attempt, Constraint
from callwindow.ledgers._redis import AsyncRedisLedger
from servers_redis import RedisServer, start_redis

T0 = 1_700_000_000_123_457  # µs, in 2023: years before the server's clock
ONE = [Constraint("c:1", (), T0, None, 1)]  # at most one attempt of c:1 since T0
T = TypeVar("T")


class CountedConnection(redis.asyncio.Connection):
    """A connection that counts the writes that carry scripts (the round trips)."""

    writes = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if b"EVALSHA" in b"".join(bytes(part) for part in command):
            type(self).writes += 1
        await super().send_packed_command(command, check_health)


@pytest.fixture
def url(redis_server: RedisServer) -> str:
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    CountedConnection.writes = 0
    return redis_server.url


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A server of this test's own, to pause, kill and restart."""
    with start_redis(tmp_path_factory) as started:
        yield started


def counted(url: str, **options: Any) -> AsyncRedisLedger:
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        url, connection_class=CountedConnection, max_connections=64, timeout=2)
    return AsyncRedisLedger(redis.asyncio.Redis(connection_pool=pool), **options)


def attempt(subject: str, ts: int = T0, host_clock: bool = False) -> Attempt:
    return Attempt(ts, "pending", (subject,), 3600, host_clock)


def recorded(answer: tuple[str | None, Any]) -> Any:
    """The counts of an answer that recorded an attempt."""
    assert answer[0] is not None
    return answer[1]


def run(awaitable: Awaitable[T]) -> T:
    async def main() -> T:
        return await awaitable
    return asyncio.run(main())


def evalsha_calls(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        stats: dict[str, Any] = client.info("commandstats")
    return int(stats.get("cmdstat_evalsha", {}).get("calls", 0))


def test_concurrent_calls_share_one_write_and_each_gets_its_own_answer(url: str) -> None:
    async def main() -> list[Any]:
        ledger = counted(url)
        # c:1 and c:2 have their one attempt; c:3 and c:4 have none.
        for subject in ("c:1", "c:2"):
            await ledger.check_and_record(subject, [], attempt(subject))
        await ledger.check_many([("c:1", ONE)])  # loads the reading script too
        CountedConnection.writes = 0
        before = evalsha_calls(url)
        answers = await asyncio.gather(
            ledger.check_and_record("c:1", ONE, attempt("c:1", T0 + 1)),
            ledger.check_and_record("c:3", [Constraint("c:3", (), T0, None, 1)],
                                    attempt("c:3", T0 + 2)),
            ledger.check_and_record("c:2", [Constraint("c:2", (), T0, None, 2)],
                                    attempt("c:2", T0 + 3)),
            # Two attempts of c:4 in one batch: the scripts still run one after
            # the other, so the second counts the first and is refused.
            ledger.check_and_record("c:4", [Constraint("c:4", (), T0, None, 1)],
                                    attempt("c:4", T0 + 4)),
            ledger.check_and_record("c:4", [Constraint("c:4", (), T0, None, 1)],
                                    attempt("c:4", T0 + 5)),
            ledger.check_many([("c:1", ONE), ("c:5", [])]))
        await ledger.aclose()
        return [*answers, evalsha_calls(url) - before]

    refused_c1, allowed_c3, allowed_c2, allowed_c4, refused_c4, read, ran = run(main())
    assert CountedConnection.writes == 1
    assert ran == 6  # each script ran once
    assert refused_c1 == (None, ((T0,),))
    assert recorded(allowed_c3) == ((),)
    assert recorded(allowed_c2) == ((T0,),)
    assert recorded(allowed_c4) == ((),)
    assert refused_c4 == (None, ((T0 + 4,),))
    assert read == [((T0,),), ()]


def test_a_batch_holds_at_most_256_calls(url: str) -> None:
    async def main() -> list[tuple[str | None, Any]]:
        ledger = counted(url)
        await ledger.check_and_record("c:0", [], None)  # nothing to ask: no write
        await ledger.check_and_record("c:0", [], attempt("c:0"))  # loads the script
        CountedConnection.writes = 0
        answers = await asyncio.gather(*(
            ledger.check_and_record(f"c:{n}", [Constraint(f"c:{n}", (), T0, None, 1)],
                                    attempt(f"c:{n}", T0 + 1)) for n in range(600)))
        await ledger.aclose()
        return answers

    answers = run(main())
    assert CountedConnection.writes == 3  # 256 + 256 + 88
    assert answers[0] == (None, ((T0,),))
    assert all(found == ((),) and attempt_id for attempt_id, found in answers[1:])


def test_without_pipelining_each_call_is_its_own_write(url: str) -> None:
    async def main() -> None:
        ledger = counted(url, pipelining=False)
        await ledger.check_and_record("c:0", [], attempt("c:0"))
        CountedConnection.writes = 0
        await asyncio.gather(*(ledger.check_and_record(f"c:{n}", [], attempt(f"c:{n}"))
                               for n in range(10)))
        await ledger.aclose()

    run(main())
    assert CountedConnection.writes == 10


def test_an_error_fails_only_its_own_call(url: str) -> None:
    now = time.time_ns() // 1000

    async def main() -> list[Any]:
        ledger = counted(url)
        await ledger.check_and_record("c:0", [], attempt("c:0"))  # loads the script
        CountedConnection.writes = 0
        answers = await asyncio.gather(
            ledger.check_and_record("c:1", ONE, attempt("c:1")),
            # Dated by this host's clock a day behind the server's: refused.
            ledger.check_and_record("c:2", [], attempt("c:2", now - 86_400_000_000, True)),
            ledger.check_and_record("c:1", ONE, attempt("c:1", T0 + 1)),
            return_exceptions=True)
        found = await ledger.check_and_record("c:2", [Constraint("c:2", (), 0, None, 1)], None)
        await ledger.aclose()
        return [*answers, found]

    allowed, skewed, refused, c2_history = run(main())
    assert CountedConnection.writes == 2  # the batch, then the read of c:2
    assert recorded(allowed) == ((),)
    assert isinstance(skewed, LedgerError)
    assert re.search(r"this host's clock is 24 h 0 min behind the server's", str(skewed))
    assert refused == (None, ((T0,),))
    assert c2_history == (None, ((),))  # nothing of the refused attempt was kept


def test_a_cancelled_call_does_not_break_its_batch(own_server: RedisServer) -> None:
    async def main() -> list[Any]:
        ledger = AsyncRedisLedger(own_server.url, socket_timeout=5)
        await ledger.check_and_record("c:0", [], attempt("c:0"))  # loads the script
        own_server.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
        try:
            calls = [asyncio.ensure_future(ledger.check_and_record(
                f"c:{n}", [], attempt(f"c:{n}"))) for n in (1, 2, 3)]
            await asyncio.sleep(0.2)  # the batch is written, its replies not read
            calls[1].cancel()
        finally:
            own_server.process.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
        answers = await asyncio.gather(*calls, return_exceptions=True)
        kept = await ledger.check_many([(f"c:{n}", [Constraint(f"c:{n}", (), 0, None, 1)])
                                        for n in (1, 2, 3)])
        await ledger.aclose()
        return [*answers, kept]

    first, cancelled, third, kept = run(main())
    assert recorded(first) == recorded(third) == ()
    assert isinstance(cancelled, asyncio.CancelledError)
    assert kept == [((T0,),), ((T0,),), ((T0,),)]  # the cancelled call's attempt ran too



def test_a_sender_cancelled_before_it_runs_leaves_no_call_waiting(url: str) -> None:
    # A shutdown handler (or a test's teardown) cancels every other task, the
    # pipeline's sender among them, after a call queued its script and before the
    # sender ran: the queued call and later ones are still sent and answered.
    async def main() -> list[Any]:
        ledger = AsyncRedisLedger(url)
        await ledger.check_and_record("c:0", [], attempt("c:0"))
        queued = asyncio.ensure_future(ledger.check_and_record("c:1", [], attempt("c:1")))
        await asyncio.sleep(0)  # the call is queued; its sender is created, not run
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task() and task is not queued:
                task.cancel()
        answers = [await asyncio.wait_for(queued, 3),
                   await asyncio.wait_for(ledger.check_and_record("c:2", [], attempt("c:2")), 3)]
        await ledger.aclose()
        return answers

    first, later = run(main())
    assert recorded(first) == recorded(later) == ()


def test_a_timed_out_aclose_leaves_other_tasks_batches_alone(own_server: RedisServer) -> None:
    # aclose() under a deadline stops waiting for the batches in flight; it does not
    # cancel them: the calls that were waiting get their own answers.
    async def main() -> list[Any]:
        ledger = AsyncRedisLedger(own_server.url, socket_timeout=5)
        await ledger.check_and_record("c:0", [], attempt("c:0"))
        own_server.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
        try:
            calls = [asyncio.ensure_future(ledger.check_and_record(
                f"c:{n}", [], attempt(f"c:{n}"))) for n in (1, 2)]
            await asyncio.sleep(0.2)  # the batch is written, its replies not read
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ledger.aclose(), 0.1)
        finally:
            own_server.process.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
        return list(await asyncio.gather(*calls, return_exceptions=True))

    answers = run(main())
    assert [recorded(answer) for answer in answers] == [(), ()]

def test_a_server_killed_mid_batch_fails_every_waiting_call(own_server: RedisServer) -> None:
    async def main() -> tuple[list[Any], float, Any]:
        ledger = AsyncRedisLedger(own_server.url, socket_timeout=5)
        await ledger.check_and_record("c:0", [], attempt("c:0"))  # loads the script
        own_server.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
        calls = asyncio.gather(*(ledger.check_and_record(f"c:{n}", [], attempt(f"c:{n}"))
                                 for n in range(1, 41)), return_exceptions=True)
        await asyncio.sleep(0.2)  # the batch is written, its replies not read
        started = time.monotonic()
        own_server.kill()
        answers = await calls
        took = time.monotonic() - started
        own_server.start()  # the same port and data; the scripts are gone from its cache
        after = await ledger.check_many([("c:0", [Constraint("c:0", (), 0, None, 1)]),
                                         ("c:1", [Constraint("c:1", (), 0, None, 1)])])
        await ledger.aclose()
        return answers, took, after

    answers, took, after = run(main())
    assert all(isinstance(answer, LedgerError) for answer in answers)
    assert str(answers[0]).startswith(f"Redis ledger 127.0.0.1:{own_server.port}: ")
    assert took < 2  # the lost connection, not the 5 s timeout
    # Reconnected; the stopped server had read none of the batch, and nothing was re-sent.
    assert after == [((T0,),), ((),)]


def test_a_server_that_stops_answering_fails_the_batch_after_the_timeout(
        own_server: RedisServer) -> None:
    async def main() -> tuple[list[Any], float, Any, int]:
        ledger = AsyncRedisLedger(own_server.url, socket_timeout=0.5)
        await ledger.check_and_record("c:0", [], attempt("c:0"))  # loads the script
        before = evalsha_calls(own_server.url)
        own_server.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
        started = time.monotonic()
        try:
            answers = await asyncio.gather(*(
                ledger.check_and_record(f"c:{n}", [], attempt(f"c:{n}"))
                for n in range(1, 11)), return_exceptions=True)
        finally:
            own_server.process.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
        took = time.monotonic() - started
        after = await ledger.check_and_record("c:0", [Constraint("c:0", (), 0, None, 2)],
                                              None)
        await ledger.aclose()
        return answers, took, after, evalsha_calls(own_server.url) - before

    answers, took, after, ran = run(main())
    assert all(isinstance(answer, LedgerError) and "Timeout" in str(answer)
               for answer in answers)
    assert took < 2
    assert after == (None, ((T0,),))
    # The server may run the scripts it had read before it stopped, but never twice.
    assert ran <= 10 + 1
