"""A real, throwaway PostgreSQL server for the tests of the PostgreSQL ledger.

``start_postgres()`` runs ``initdb`` into a fresh temporary directory and
starts ``postgres`` on a free loopback port (and a unix socket inside that
directory), with trust authentication, so a test can connect as ``postgres``
with no password.  The server can be killed (``SIGKILL``, as in a crash) and
restarted on the same data directory, where it recovers from its WAL.

PostgreSQL refuses to run as root.  When the tests run as root (containers,
CI), the server runs as the ``postgres`` user that Debian's package creates,
else as ``nobody``, in a directory chowned to that user.

Where no server binaries are installed the tests that need one are skipped,
unless ``CALLWINDOW_REQUIRE_SERVERS=1`` (CI), where they fail instead::

    @pytest.fixture(scope="session")
    def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
        with start_postgres(tmp_path_factory) as server:
            yield server
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

import pytest

__all__ = ["PostgresServer", "find_postgres_bindir", "start_postgres", "unavailable"]

SUPERUSER = "postgres"
DATABASE = "callwindow"
_MISSING = "PostgreSQL server binaries not found: apt-get install -y postgresql"
_READY_TIMEOUT = 90.0  # seconds to wait for the server to accept connections (crash
# recovery replays the WAL: on a loaded two-core machine that has taken over 30 s)


def unavailable(reason: str) -> NoReturn:
    """Skip the test for lack of a server, or fail it when servers are required (CI)."""
    if os.environ.get("CALLWINDOW_REQUIRE_SERVERS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def find_postgres_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``: on PATH, from
    ``pg_config --bindir``, or the newest ``/usr/lib/postgresql/*/bin``."""
    candidates: list[Path] = []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout.strip()
            if out:
                candidates.append(Path(out))
    versions = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    versions.sort(key=lambda p: float(p.parent.name) if p.parent.name.replace(".", "", 1)
                  .isdigit() else 0.0, reverse=True)
    candidates += versions
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Whom to run the server as: ``None`` (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root, and neither a 'postgres' nor a 'nobody' user exists "
                       "to run PostgreSQL as")


class PostgresServer:
    """One PostgreSQL server in a temporary directory, owned by the test session.

    The data live in a directory of the system's temporary directory (short,
    for the unix socket's path, and reachable by the unprivileged user), which
    ``stop`` removes; the server's log is copied to ``logs`` first, if given.
    Use it in a ``with`` block, which stops it.

    Attributes:
        url: ``postgresql://postgres@127.0.0.1:<port>/callwindow``, the test database.
        admin_url: the same server's ``postgres`` database.
        port: the TCP port on 127.0.0.1 (kept across ``restart``).
        base: the temporary directory (data directory, socket directory, log).
    """

    def __init__(self, bindir: Path, logs: Path | None = None) -> None:
        self.bindir = bindir
        self.logs = logs
        self._user = _unprivileged_user()
        self.base = Path(tempfile.mkdtemp(prefix="cw-pg-"))  # short: unix socket paths
        self.data = self.base / "data"
        self.sockets = self.base / "sockets"
        self.log = self.base / "server.log"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._databases = 0
        if self._user is not None:
            os.chmod(self.base, 0o755)
            os.chown(self.base, self._user.pw_uid, self._user.pw_gid)

    @property
    def admin_url(self) -> str:
        """A URL for the server's ``postgres`` database, as the superuser."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        """A URL for the test database, as the superuser (trust authentication)."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    # -- lifecycle ----------------------------------------------------------------

    def init(self) -> None:
        """Create the cluster (``initdb``) and start it, on a free port."""
        self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                   "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"])
        self.sockets.mkdir()
        if self._user is not None:
            os.chown(self.sockets, self._user.pw_uid, self._user.pw_gid)
        for attempt in range(3):  # another process may take the port we picked
            self.port = _free_port()
            try:
                self.start()
                break
            except RuntimeError:
                if attempt == 2 or "could not bind" not in self.read_log():
                    raise
        self.create_database(DATABASE)

    def start(self) -> None:
        """Start the postmaster on ``self.port`` and wait until it accepts connections."""
        if self._process is not None and self._process.poll() is None:
            raise RuntimeError("PostgreSQL is already running")
        with open(self.log, "ab") as log:
            self._process = subprocess.Popen(
                [str(self.bindir / "postgres"), "-D", str(self.data),
                 "-c", "listen_addresses=127.0.0.1", "-p", str(self.port),
                 "-k", str(self.sockets), "-c", "fsync=on", "-c", "max_connections=50",
                 "-c", "shared_buffers=32MB"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # no terminal's Ctrl-C reaches it
                **self._identity())
        self._wait_ready()

    def kill(self) -> None:
        """Crash the server: ``SIGKILL`` to the postmaster and every backend.

        Backends would notice the postmaster's death by themselves, but only
        after a moment in which a query could still be answered; killing them
        too makes the crash immediate.
        """
        process = self._process
        if process is None or process.poll() is not None:
            return
        children = _children(process.pid)
        process.kill()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)

    def restart(self) -> None:
        """Start again on the same port and data directory (crash recovery from WAL).

        Backends of a killed server may take a moment to go; until they
        have, the postmaster refuses to start, so this retries for a while.
        """
        self.kill()
        deadline = time.monotonic() + _READY_TIMEOUT
        while True:
            try:
                self.start()
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server at once and remove its directory (safe to call twice)."""
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGQUIT)  # immediate shutdown
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._process = None
        if self.logs is not None and self.log.exists():
            with contextlib.suppress(OSError):
                shutil.copyfile(self.log, self.logs / "server.log")
        shutil.rmtree(self.base, ignore_errors=True)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The server hung for the block: every process stopped (``SIGSTOP``), its
        connections open and unanswered, then resumed (``SIGCONT``)."""
        process = self._process
        assert process is not None
        assert process.poll() is None
        pids = [process.pid, *_children(process.pid)]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    # -- helpers ----------------------------------------------------------------

    def fresh_database_url(self) -> str:
        """The URL of a new, empty database: a test's data kept apart from others'."""
        self._databases += 1
        return self.create_database(f"{DATABASE}_{self._databases}")

    def create_database(self, name: str) -> str:
        """Create the database ``name``; its URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            # FILE_COPY (PostgreSQL 15+'s default is WAL_LOG) writes a few WAL
            # records, not the whole template: after kill(), crash recovery
            # replays seconds of WAL, not every database the session made.
            strategy = " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""
            conn.execute(sql.SQL("CREATE DATABASE {}" + strategy).format(sql.Identifier(name)))
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def read_log(self) -> str:
        """The server's log so far."""
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def _wait_ready(self) -> None:
        import psycopg

        process = self._process
        assert process is not None
        deadline = time.monotonic() + _READY_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited with status {process.returncode}:\n"
                                   + self.read_log()[-3000:])
            try:
                psycopg.connect(self.admin_url, connect_timeout=2).close()
                return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"PostgreSQL did not accept connections within "
                                       f"{_READY_TIMEOUT:.0f} s: {error}\n"
                                       + self.read_log()[-3000:]) from error
                time.sleep(0.1)

    def _identity(self) -> dict[str, Any]:
        """``Popen`` arguments that drop root for the unprivileged user."""
        user = self._user
        if user is None:
            return {}
        env = {**os.environ, "HOME": str(self.base), "USER": user.pw_name,
               "LOGNAME": user.pw_name}
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [],
                "env": env, "cwd": str(self.base)}

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=180, check=False, **self._identity())
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}")


def start_postgres(tmp_path_factory: pytest.TempPathFactory | None = None) -> PostgresServer:
    """A running server with a ``callwindow`` database, to use in a ``with`` block
    (or ``stop()`` it).

    Skips the test (or fails it, when ``CALLWINDOW_REQUIRE_SERVERS=1``)
    without server binaries or ``psycopg``.  With ``tmp_path_factory`` the
    server's log is kept in pytest's temporary directory after it stops.
    """
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed: pip install 'callwindow[postgres]'")
    bindir = find_postgres_bindir()
    if bindir is None:
        unavailable(_MISSING)
    logs = None if tmp_path_factory is None else tmp_path_factory.mktemp("postgres")
    server = PostgresServer(bindir, logs)
    try:
        server.init()
    except BaseException:
        server.stop()
        raise
    return server


def _children(pid: int) -> list[int]:
    """The ids of the processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found
