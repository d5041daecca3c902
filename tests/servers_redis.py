"""A real ``redis-server`` for tests: on a free loopback port, always stopped.

In a conftest::

    @pytest.fixture(scope="session")
    def redis_server(tmp_path_factory):
        with start_redis(tmp_path_factory) as server:
            yield server

The server appends every write to its log and syncs it (``appendfsync
always``), so the history survives ``kill()`` (SIGKILL) and ``restart()``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

__all__ = ["RedisCluster", "RedisServer", "free_port", "require_binary", "start_redis",
           "start_redis_cluster"]

#: Set to 1 (as CI does) to fail, not skip, when a server binary is missing.
REQUIRE_SERVERS = "CALLWINDOW_REQUIRE_SERVERS"
_HINT = "apt-get install -y redis-server"
_START_SECONDS = 10.0


def require_binary(name: str, hint: str) -> str:
    """The path of ``name``; if it is not on PATH, skip the test (fail under CI)."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} not found: {hint}"
        if os.environ.get(REQUIRE_SERVERS) == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (as of now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _cluster_node_port() -> int:
    """A free port whose cluster bus port (10000 higher, so at most 65535) is free too."""
    for _ in range(100):
        port = free_port()
        if port > 55535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a Redis Cluster node and its bus")


class RedisServer:
    """One ``redis-server`` process, its port and its data directory.

    ``cluster=True`` starts a one-node Redis Cluster holding every slot, so
    that a ``RedisCluster`` client, and the server's same-slot checks on
    scripts, can be tried in one process; with ``every_slot=False`` the node
    holds none, for ``start_redis_cluster`` to share the slots out.
    """

    def __init__(self, binary: str, directory: Path, *, cluster: bool = False,
                 every_slot: bool = True) -> None:
        self.binary = binary
        self.directory = directory
        self.cluster = cluster
        self.every_slot = every_slot
        self.port = _cluster_node_port() if cluster else free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server and wait until it answers; stop it again on failure."""
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                   "--dir", str(self.directory)]
        if self.cluster:
            command += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT)
        try:
            self._wait_until_ready()
        except BaseException:
            self.kill()
            raise
        return self

    def kill(self) -> None:
        """SIGKILL the server, as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        """Stop the server cleanly (SIGTERM), or kill it after 10 s."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The server hung for the block (``SIGSTOP``, connections open), then resumed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)

    def restart(self) -> None:
        """Start again on the same port with the same data (stopping it first if up)."""
        self.stop()
        self.start()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + _START_SECONDS
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}: "
                                   f"{self._log_tail()}")
            if self._ready():
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} not ready after "
                                   f"{_START_SECONDS:.0f} s: {self._log_tail()}")
            time.sleep(0.02)

    def _ready(self) -> bool:
        try:
            if self._ask("PING") != "+PONG":
                return False  # e.g. -LOADING while it replays its log
            if not (self.cluster and self.every_slot):
                return True
            info = self._ask("CLUSTER", "INFO")
            if "cluster_state:ok" in info:
                return True
            if "cluster_slots_assigned:0" in info:
                self._ask("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
            return False
        except OSError:
            return False

    def _ask(self, *command: str) -> str:
        """One command over a fresh socket, its reply as text (first line, or bulk)."""
        request = f"*{len(command)}\r\n" + "".join(f"${len(p)}\r\n{p}\r\n" for p in command)
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(request.encode())
            reply = sock.recv(65536).decode(errors="replace")
        return reply.strip()

    def _log_tail(self) -> str:
        log = self.directory / "redis.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        return " | ".join(lines[-5:]) or "(no log)"


def start_redis(tmp_path_factory: pytest.TempPathFactory, *,
                cluster: bool = False) -> RedisServer:
    """A started server in a new directory, to use in a ``with`` block (which stops it).

    Skips the test when ``redis-server`` is not installed, or fails it when
    ``CALLWINDOW_REQUIRE_SERVERS=1``.
    """
    binary = require_binary("redis-server", _HINT)
    directory = tmp_path_factory.mktemp("redis-cluster" if cluster else "redis")
    return RedisServer(binary, directory, cluster=cluster).start()


class RedisCluster:
    """A Redis Cluster of three masters (no replicas) on loopback, one process each.

    Made as an operator would: three ``redis-server --cluster-enabled yes``,
    then ``redis-cli --cluster create``, which shares the 16384 slots out
    (0-5460, 5461-10922, 10923-16383).  Use it in a ``with`` block, which
    stops every node (by its process).
    """

    def __init__(self, nodes: list[RedisServer]) -> None:
        self.nodes = nodes

    @property
    def url(self) -> str:
        """A URL of one node: the cluster client finds the others from it."""
        return self.nodes[0].url

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def __enter__(self) -> RedisCluster:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def start_redis_cluster(tmp_path_factory: pytest.TempPathFactory, *,
                        masters: int = 3) -> RedisCluster:
    """A started cluster of ``masters`` nodes, to use in a ``with`` block (which stops it).

    Skips the test without ``redis-server`` or ``redis-cli`` (fails it when
    ``CALLWINDOW_REQUIRE_SERVERS=1``).
    """
    binary = require_binary("redis-server", _HINT)
    cli = require_binary("redis-cli", _HINT)
    base = tmp_path_factory.mktemp("redis-cluster3")
    cluster = RedisCluster([])
    try:
        for n in range(masters):
            directory = base / f"node{n}"
            directory.mkdir()
            cluster.nodes.append(RedisServer(binary, directory, cluster=True,
                                             every_slot=False).start())
        created = subprocess.run(
            [cli, "--cluster", "create", *(f"127.0.0.1:{node.port}" for node in cluster.nodes),
             "--cluster-replicas", "0", "--cluster-yes"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
        if created.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed: {created.stdout[-2000:]} "
                               f"{created.stderr[-2000:]}")
        deadline = time.monotonic() + 30
        while not all("cluster_state:ok" in node._ask("CLUSTER", "INFO")
                      for node in cluster.nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the Redis Cluster did not reach cluster_state:ok in 30 s")
            time.sleep(0.05)
    except BaseException:
        cluster.stop()
        raise
    return cluster
