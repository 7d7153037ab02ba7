"""Runs the real ``inkroom serve`` in a child process for tests and benchmarks."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """``start`` / ``stop`` / ``kill`` the server; the port and database file stay the same."""

    def __init__(
        self,
        database: Path | str,
        port: int | None = None,
        *extra_args: str,
        env: Mapping[str, str] | None = None,
        open_files: int | None = None,
        log_path: Path | None = None,
    ) -> None:
        # An SQLite file, or a database URL (then ``log_path`` is needed).
        self.database = database
        # A lower limit on the server's open files (soft and hard), to reach it quickly.
        self.open_files = open_files
        self.port = port or free_port()
        self.extra_args = extra_args
        # Settings overrides, e.g. {"INKROOM_JOIN_TIMEOUT_SECONDS": "1"}.
        self.env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = log_path or Path(database).with_suffix(".log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, board_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/boards/{board_id}"

    def start(self, timeout: float = 60.0) -> None:
        command = [
            sys.executable, "-m", "server.cli", "serve",
            "--port", str(self.port),
            "--database", str(self.database),
            "--log-level", "warning",
            *self.extra_args,
        ]  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, preexec_fn=self._limits
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited at start:\n{self.log()}")
            try:
                httpx.get(f"{self.url}/healthz", timeout=1.0).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.kill()  # not left running behind the failed test
        raise RuntimeError(f"server did not start in {timeout} s:\n{self.log()}")

    def _limits(self) -> None:
        if self.open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    def stop(self) -> None:
        """SIGTERM, as Ctrl+C would, and wait."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to tidy up."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def create_board(self, title: str = "Untitled board") -> str:
        response = httpx.post(f"{self.url}/api/boards", json={"title": title}, timeout=5.0)
        response.raise_for_status()
        board_id: str = response.json()["id"]
        return board_id


@contextmanager
def running(database: Path, env: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    """A started server on ``database`` with settings overrides, stopped afterwards."""
    live = LiveServer(database, env=env)
    live.start()
    try:
        yield live
    finally:
        live.stop()
