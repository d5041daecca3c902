"""What only the SQLite ledger has: its timeout in the URL, errors that name the file
and the real cause, and erasure that reaches the write-ahead log.  What every ledger
must do is in test_ledgers.py."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import callwindow as cw
from callwindow.ledgers import Attempt, Constraint, SQLiteLedger

T0 = 1_793_000_000_000_000  # 2026-10-26T09:33:20Z, in microseconds
DAY = 86400


def test_the_timeout_is_five_seconds_unless_set_in_the_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'attempts.db'}"
    default, short, told = (cw.ledger_from_url(url), cw.ledger_from_url(url + "?timeout=0.2"),
                            cw.ledger_from_url(url + "?timeout=0.2", timeout=1))
    assert isinstance(short, SQLiteLedger)
    assert [getattr(ledger, "timeout", None) for ledger in (default, short, told)] == [
        5.0, 0.2, 1.0]
    with pytest.raises(ValueError, match="timeout: expected a positive number of seconds, "
                                         "got 'soon'"):
        cw.ledger_from_url(url + "?timeout=soon")
    with pytest.raises(ValueError, match="unknown parameter 'mode'"):
        cw.ledger_from_url(url + "?mode=ro")
    # A write lock held by another process: refused once the timeout has passed.
    holder = sqlite3.connect(tmp_path / "attempts.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(cw.LedgerError) as raised:
        short.check_and_record("c:1", [], Attempt(T0, "pending", ("c:1",), DAY))
    assert time.monotonic() - started < 2.0
    assert str(raised.value).startswith(f"SQLite ledger {tmp_path / 'attempts.db'}: "
                                        f"another connection held the write lock for "
                                        f"longer than the timeout (0.2 s)")
    holder.execute("ROLLBACK")
    for ledger in (default, short, told):
        ledger.close()


def test_a_full_disk_is_named_as_such(tmp_path: Path) -> None:
    ledger = SQLiteLedger(tmp_path / "attempts.db")
    ledger.check_and_record("c:0", [], Attempt(T0, "pending", ("c:0",), DAY))
    # The file may not grow: SQLite fails as on a full disk (SQLITE_FULL).
    pages = ledger._connect().execute("PRAGMA page_count").fetchone()[0]
    ledger._connect().execute(f"PRAGMA max_page_count = {pages}")
    def fill() -> None:
        for n in range(1, 2000):
            ledger.check_and_record(f"c:{n}", [],
                                    Attempt(T0, "pending", (f"c:{n}", "x" * 500), DAY))

    with pytest.raises(cw.LedgerError) as raised:
        fill()
    message = str(raised.value)
    assert message.startswith(f"SQLite ledger {tmp_path / 'attempts.db'}: the disk is full")
    assert "database or disk is full" in message
    assert "rollback" not in message
    ledger.close()


def _open_as(user: pwd.struct_passwd | None, path: Path) -> str:
    """The error opening a ledger at ``path`` gives, as ``user`` (root reads and
    writes anything: a forked child drops to the user first)."""
    if user is None:
        with pytest.raises(cw.LedgerError) as raised:
            SQLiteLedger(path)
        return str(raised.value)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no return from here
        status = 1
        try:
            os.close(reader)
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            try:
                SQLiteLedger(path)
                message = "opened"
            except cw.LedgerError as error:
                message = str(error)
            os.write(writer, message.encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    return message


@pytest.fixture
def read_only_directory() -> Iterator[Path]:
    """A directory nobody may write in, in one everybody may enter."""
    base = Path(tempfile.mkdtemp(prefix="cw-ro-"))
    base.chmod(0o755)
    directory = base / "read-only"
    directory.mkdir(mode=0o555)
    yield directory
    directory.chmod(0o755)
    shutil.rmtree(base)


def test_a_read_only_directory_is_named_as_the_cause(read_only_directory: Path) -> None:
    directory = read_only_directory
    user = None
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("running as root, and no 'nobody' user to drop to")
    message = _open_as(user, directory / "attempts.db")
    assert message.startswith(
        f"SQLite ledger {directory / 'attempts.db'}: the directory {directory} is not "
        f"writable by this process (SQLite creates the database and its -wal and -shm "
        f"files there) (SQLite: ")
    assert not (directory / "attempts.db").exists()


def test_forget_leaves_no_id_or_number_in_the_files(tmp_path: Path) -> None:
    ledger = SQLiteLedger(tmp_path / "attempts.db")
    keys = ("c:CUST-8841-zq", "p:+33612345678", "t:6:debtor=ACME-77")
    for n in range(5):
        ledger.check_and_record(keys[0], [], Attempt(T0 + n, "pending", keys, DAY))
    ledger.check_and_record("c:other", [], Attempt(T0, "pending", ("c:other",), DAY))
    files = [tmp_path / name for name in ("attempts.db", "attempts.db-wal")]

    def found() -> set[bytes]:
        data = b"".join(path.read_bytes() for path in files if path.exists())
        return {needle for needle in (b"CUST-8841-zq", b"+33612345678", b"ACME-77", b"other")
                if needle in data}

    assert found() == {b"CUST-8841-zq", b"+33612345678", b"ACME-77", b"other"}
    assert ledger.forget(["c:CUST-8841-zq", "p:+33612345678"]) == 5
    assert found() == {b"other"}  # the connection still open, the log in place
    assert ledger.check_and_record(
        "c:other", [Constraint("c:other", (), 0, None, 9)], None) == (None, ((T0,),))
    ledger.close()
