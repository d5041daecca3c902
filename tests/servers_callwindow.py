"""A real ``callwindow serve`` for tests and benchmarks: a subprocess on a free loopback port.

::

    with CallwindowServer(["--preset", "FR"], tmp_path).start() as server:
        httpx.post(server.url + "/v1/check", json=...)

It is stopped as an operator stops it (SIGTERM to its own pid, then SIGKILL
after 15 s); its JSON log lines are kept in a file and parsed by ``log()``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from servers_redis import free_port

__all__ = ["CallwindowServer"]

_START_SECONDS = 30.0


class CallwindowServer:
    """One ``python -m callwindow serve`` process, its port and its log."""

    def __init__(self, args: Sequence[str], directory: Path, *,
                 env: Mapping[str, str] | None = None) -> None:
        self.args = list(args)
        self.directory = directory
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.log_path = directory / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CallwindowServer:
        """Start the server and wait until ``/healthz`` answers; stop it again on failure."""
        command = [sys.executable, "-m", "callwindow", "serve", "--port", str(self.port),
                   *self.args]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, env=self.env)
        try:
            self._wait_until_up()
        except BaseException:
            self.kill()
            raise
        return self

    def stop(self) -> int | None:
        """SIGTERM, as systemd or Kubernetes would; SIGKILL after 15 s.  The exit code."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.process = None
        return code

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def log(self) -> list[dict[str, Any]]:
        """Every JSON line the server has logged so far."""
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def __enter__(self) -> CallwindowServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + _START_SECONDS
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"callwindow serve exited with {self.process.returncode}: "
                                   f"{self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"callwindow serve on port {self.port} not up after "
                                   f"{_START_SECONDS:.0f} s")
            time.sleep(0.05)
