"""Deployments for tests: one process on SQLite, or several ``inkroom serve`` processes sharing
one PostgreSQL database and one Redis."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from tests.live_server import LiveServer
from tests.services import PostgresServer, RedisServer


class Deployment:
    """``servers[i]``; a client numbered ``n`` goes to server ``n % len(servers)``."""

    def __init__(self, servers: list[LiveServer]) -> None:
        self.servers = servers

    def ws_url(self, board_id: str, n: int = 0) -> str:
        return self.servers[n % len(self.servers)].ws_url(board_id)

    def create_board(self, title: str = "Test board") -> str:
        return self.servers[0].create_board(title)

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@contextmanager
def sqlite_process(tmp: Path, env: Mapping[str, str] | None = None) -> Iterator[Deployment]:
    deployment = Deployment([LiveServer(tmp / "inkroom.db", env=env)])
    deployment.servers[0].start()
    try:
        yield deployment
    finally:
        deployment.stop()


@contextmanager
def shared_processes(
    tmp: Path,
    postgres: PostgresServer,
    redis: RedisServer,
    count: int,
    env: Mapping[str, str] | None = None,
) -> Iterator[Deployment]:
    """``count`` processes on a new PostgreSQL database, migrated once before they start."""
    url = postgres.new_database()
    migrate = [sys.executable, "-m", "server.cli", "migrate", "--database", url]
    subprocess.run(migrate, check=True, capture_output=True, timeout=120)
    servers = [
        LiveServer(url, None, "--redis", redis.url, "--no-migrate", env=env,
                   log_path=tmp / f"inkroom-{n}.log")
        for n in range(count)
    ]  # fmt: skip
    deployment = Deployment(servers)
    try:
        # Started side by side: each takes a second or two, mostly imports.
        with ThreadPoolExecutor(count) as starting:
            list(starting.map(lambda server: server.start(timeout=60.0), servers))
        yield deployment
    finally:
        deployment.stop()
