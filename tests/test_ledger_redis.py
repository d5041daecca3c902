"""What only the Redis ledger has, against a real redis-server: one round trip per
acquire, TTLs, the cluster layouts, and failures that are loud.  What every ledger
must do is in test_ledgers.py."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
import redis
import redis.cluster

from aio_bridge import BlockingLedger, LoopThread
from callwindow import LedgerError
from callwindow.ledgers import Attempt, Constraint, MemoryLedger, ledger_from_url
from callwindow.ledgers._redis import AsyncRedisLedger, RedisLedger
from servers_redis import RedisCluster, RedisServer, free_port, start_redis
from test_ledgers import replay

T0 = 1_700_000_000_123_457  # µs: far beyond what a Lua number prints exactly
SECRET = "a secret of at least sixteen bytes"


@pytest.fixture
def server(redis_server: RedisServer) -> RedisServer:
    """The session's server (conftest); this module's tests flush it as they go."""
    return redis_server


@pytest.fixture(scope="module")
def cluster_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A one-node Redis Cluster (it takes 2 s to declare itself ready)."""
    with start_redis(tmp_path_factory, cluster=True) as started:
        yield started


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A server of this test's own, to kill and restart."""
    with start_redis(tmp_path_factory) as started:
        yield started


@pytest.fixture
def client(server: RedisServer) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(server.url)
    connection.flushall()
    yield connection
    connection.close()


@pytest.fixture
def ledger(server: RedisServer, client: redis.Redis) -> Iterator[RedisLedger]:
    opened = RedisLedger(server.url)
    yield opened
    opened.close()


# --------------------------------------------------------------------------
# Same answers as the reference ledger
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sharded", [False, True], ids=["one-slot", "by-subject"])
@pytest.mark.parametrize("shell", ["sync", "async"])
def test_same_answers_on_a_three_master_cluster(redis_cluster: RedisCluster, sharded: bool,
                                                shell: str,
                                                event_loop_thread: LoopThread) -> None:
    # Each master refuses a script that touches keys of two slots, and the
    # client sends a script to the master of its keys' slot: the hash tags
    # hold, and sharded consumers land on all three masters.
    prefix = f"same-{shell}-{sharded}"
    tested: Any
    if shell == "sync":
        tested = RedisLedger(redis_cluster.url, cluster=True, shard_by_subject=sharded,
                             prefix=prefix)
    else:
        tested = BlockingLedger(AsyncRedisLedger(redis_cluster.url, cluster=True,
                                                 shard_by_subject=sharded, prefix=prefix),
                                event_loop_thread)
    try:
        replay(7, (MemoryLedger(), tested), sharded)
    finally:
        tested.close()
    holding = 0  # masters holding some of the history
    for node in redis_cluster.nodes:
        with redis.Redis.from_url(node.url) as client:
            holding += bool(client.keys(f"{prefix}:*"))
    assert holding == (3 if sharded else 1)


@pytest.mark.parametrize("sharded", [False, True], ids=["one-slot", "by-subject"])
def test_same_answers_on_a_cluster(cluster_node: RedisServer, sharded: bool) -> None:
    # The cluster node refuses a script that touches keys of two slots, even
    # keys it did not declare: this proves the hash tags hold.
    cluster = redis.cluster.RedisCluster(host="127.0.0.1", port=cluster_node.port)
    try:
        cluster.flushall()
        tested = RedisLedger(cluster, shard_by_subject=sharded)
        replay(7, (MemoryLedger(), tested), sharded)
        tested.close()  # a client passed in stays open
        assert cluster.ping()
    finally:
        cluster.close()


@pytest.mark.parametrize("sharded", [False, True], ids=["one-slot", "by-subject"])
def test_check_many_on_a_cluster_reads_one_by_one(cluster_node: RedisServer,
                                                  sharded: bool) -> None:
    cluster = redis.cluster.RedisCluster(host="127.0.0.1", port=cluster_node.port)
    try:
        cluster.flushall()
        tested = RedisLedger(cluster, shard_by_subject=sharded)
        tested.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1",), 60))
        tested.check_and_record("c:2", [], Attempt(T0 + 1, "refusal", ("c:2",), 60))
        reads = [("c:1", [Constraint("c:1", (), T0, None, 5)]), ("c:3", []),
                 ("c:2", [Constraint("c:2", (), T0, frozenset({"refusal"}), 5)])]
        assert tested.check_many(reads) == [((T0,),), (), ((T0 + 1,),)]
    finally:
        cluster.close()


# --------------------------------------------------------------------------
# One round trip, TTLs, housekeeping
# --------------------------------------------------------------------------


def _evalsha_calls(client: redis.Redis) -> int:
    stats: dict[str, Any] = client.info("commandstats")
    return int(stats.get("cmdstat_evalsha", {}).get("calls", 0))


def test_one_script_per_batch_of_reads(server: RedisServer, client: redis.Redis) -> None:
    tested = RedisLedger(redis.Redis.from_url(server.url), prefix="batch")
    tested.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1", "t:1:d=A"), 60))
    reads = [(f"c:{n}", [Constraint(f"c:{n}", (), T0, None, 5),
                         Constraint(f"c:{n}", ("t:1:d=A",), T0, frozenset({"pending"}), 5)])
             for n in range(1, 401)]
    tested.check_many(reads[:1])  # loads the script
    before = _evalsha_calls(client)
    found = tested.check_many(reads)
    assert _evalsha_calls(client) == before + 1
    assert found[0] == ((T0,), (T0,))
    assert found[1:] == [((), ())] * 399
    tested.close()


def test_one_round_trip_per_check_and_record(server: RedisServer, client: redis.Redis,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    watched = redis.Redis.from_url(server.url)
    tested = RedisLedger(watched)
    rules = [Constraint("c:1", (), T0, None, 5), Constraint("p:1", ("c:1",), T0, None, 5)]
    attempt = Attempt(T0, "pending", ("c:1", "p:1"), 60)
    tested.check_and_record("c:1", rules, attempt)  # loads the script
    sent: list[object] = []
    send: Callable[..., Any] = watched.execute_command

    def counted(*args: Any, **options: Any) -> Any:
        sent.append(args[0])
        return send(*args, **options)

    monkeypatch.setattr(watched, "execute_command", counted)
    before = _evalsha_calls(client)
    attempt_id, _ = tested.check_and_record("c:1", rules, attempt)
    assert attempt_id is not None
    assert sent == ["EVALSHA"]
    assert _evalsha_calls(client) == before + 1
    watched.close()


def _ttls(client: redis.Redis, attempt_id: str) -> tuple[int, int, int]:
    return (client.pttl(f"callwindow:{{all}}:a:{attempt_id}"),
            client.pttl("callwindow:{all}:k:c:1"), client.pttl("callwindow:{all}:k:p:1"))


def test_ttls_follow_retention(ledger: RedisLedger, client: redis.Redis) -> None:
    kept, _ = ledger.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1", "p:1"), 1000))
    assert kept is not None
    attempt_ttl, *index_ttls = _ttls(client, kept)
    assert 990_000 < attempt_ttl <= 1_000_000
    assert all(990_000 < ttl <= 1_000_000 for ttl in index_ttls)
    # A shorter-lived attempt never shortens the indexes it joins.
    brief, _ = ledger.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1", "p:1"), 10))
    assert brief is not None
    attempt_ttl, *index_ttls = _ttls(client, brief)
    assert 0 < attempt_ttl <= 10_000
    assert all(ttl > 990_000 for ttl in index_ttls)
    # An opt-out is kept until forgotten, and so are the indexes that find it.
    assert ledger.set_outcome(brief, "opt_out", None)
    assert _ttls(client, brief) == (-1, -1, -1)
    assert client.hget(f"callwindow:{{all}}:a:{brief}", "o") == b"opt_out"
    forever, _ = ledger.check_and_record("c:2", [], Attempt(T0, "opt_out", ("c:2",), None))
    assert forever is not None
    assert client.pttl(f"callwindow:{{all}}:a:{forever}") == -1
    assert client.pttl("callwindow:{all}:k:c:2") == -1


def test_expired_attempts_leave_the_index(ledger: RedisLedger, client: redis.Redis) -> None:
    ledger.check_and_record("c:1", [], Attempt(T0 - 100, "opt_out", ("c:1",), None))
    for i in range(20):  # kept 0 s: gone as soon as written
        ledger.check_and_record("c:1", [], Attempt(T0 + i, "pending", ("c:1",), 0))
    ledger.check_and_record("c:1", [], Attempt(T0 + 50, "pending", ("c:1",), 60))
    assert client.zcard("callwindow:{all}:k:c:1") == 2
    _, matches = ledger.check_and_record("c:1", [Constraint("c:1", (), 0, None, 9)], None)
    assert matches == ((T0 - 100, T0 + 50),)


def test_set_outcome_and_forget_of_what_is_not_kept(ledger: RedisLedger) -> None:
    assert not ledger.set_outcome("00" * 12, "answered", 60)
    assert not ledger.set_outcome("not-an-id.{x}", "answered", 60)
    assert ledger.forget(["c:nobody"]) == 0
    attempt_id, _ = ledger.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1",), 60))
    assert attempt_id is not None
    assert ledger.forget(["c:1", "c:1"]) == 1
    assert not ledger.set_outcome(attempt_id, "answered", 60)


def test_a_shared_rule_is_refused_when_sharded(server: RedisServer, client: redis.Redis
                                                ) -> None:
    sharded = RedisLedger(server.url, shard_by_subject=True)
    per_phone = Constraint("p:+33612345678", (), T0, None, 1)
    with pytest.raises(LedgerError, match="unsharded"):
        sharded.check_and_record("c:1", [per_phone], Attempt(T0, "pending", ("c:1",), 60))
    assert client.keys("*") == []
    per_phone_of_consumer = Constraint("p:+33612345678", ("c:1",), T0, None, 1)
    assert sharded.check_and_record("c:1", [per_phone_of_consumer], None) == (None, ((),))
    sharded.close()


def test_a_client_that_decodes_replies(server: RedisServer, client: redis.Redis) -> None:
    texts = redis.Redis.from_url(server.url, decode_responses=True)
    tested = RedisLedger(texts)
    attempt_id, _ = tested.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1",), 60))
    assert attempt_id is not None
    assert tested.check_and_record("c:1", [Constraint("c:1", (), T0, None, 2)], None) == (
        None, ((T0,),))
    assert tested.set_outcome(attempt_id, "answered", 60)
    texts.close()


def test_from_url(server: RedisServer, client: redis.Redis) -> None:
    opened = ledger_from_url(server.url, secret=SECRET, prefix="other")
    assert isinstance(opened, RedisLedger)
    assert opened.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1",), 60))[0]
    keys = cast(list[bytes], client.keys("*"))
    assert keys
    assert all(key.startswith(b"other:{all}:") for key in keys)
    opened.close()
    with pytest.raises(ValueError, match="braces"):
        RedisLedger(server.url, prefix="a{b}")


# --------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------


def test_a_dead_server_is_an_error_not_an_empty_history(own_server: RedisServer) -> None:
    tested = RedisLedger(own_server.url, socket_timeout=1.0)
    rule = [Constraint("c:1", (), T0, None, 1)]
    tested.check_and_record("c:1", rule, Attempt(T0, "pending", ("c:1",), 60))
    own_server.kill()
    started = time.monotonic()
    with pytest.raises(LedgerError, match=re.escape(f"127.0.0.1:{own_server.port}")):
        tested.check_and_record("c:1", rule, Attempt(T0 + 1, "pending", ("c:1",), 60))
    with pytest.raises(LedgerError):
        tested.set_outcome("00" * 12, "answered", 60)
    with pytest.raises(LedgerError):
        tested.forget(["c:1"])
    assert time.monotonic() - started < 5
    tested.close()


def test_nothing_listening_fails_on_use_not_on_construction() -> None:
    tested = RedisLedger(f"redis://127.0.0.1:{free_port()}/0", socket_timeout=0.5)
    with pytest.raises(LedgerError, match=re.escape("127.0.0.1:")):
        tested.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1",), 60))
    tested.close()




def test_an_acquire_script_run_twice_records_once_and_answers_alike(
        server: RedisServer, client: redis.Redis) -> None:
    # A client that retries after its connection broke between the script's run and
    # its reply sends the same script, with the same attempt id, again.  The second
    # run must not count the first run's attempt against it (that would refuse a
    # call whose attempt is kept) nor record another.
    from callwindow.ledgers._redis import _checked

    ledger = RedisLedger(server.url, max_clock_skew=None)
    limit = [Constraint("c:1", (), T0, None, 1)]  # one attempt of c:1 since T0
    call = ledger._check_call("c:1", limit, Attempt(T0, "pending", ("c:1",), 3600, False))
    assert call is not None
    keys, args = call
    first = _checked(ledger._check(keys=keys, args=args))
    again = _checked(ledger._check(keys=keys, args=args))
    assert first[0] is not None
    assert again == (first[0], ((),))
    assert ledger.check_and_record("c:1", [Constraint("c:1", (), 0, None, 5)],
                                   None)[1] == ((T0,),)
    ledger.close()
