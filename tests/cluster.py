"""Deployments for tests: one process on SQLite, or several ``inkroom serve`` processes sharing
one PostgreSQL database and one Redis, alone or behind nginx."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.live_server import LiveServer
from tests.services import NginxServer, PostgresServer, RedisServer


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


@contextmanager
def behind_nginx(
    tmp: Path,
    postgres: PostgresServer,
    redis: RedisServer,
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[NginxServer, Deployment]]:
    """Two processes as ``shared_processes`` starts them, behind nginx with the documented
    example configuration; the processes trust nginx's X-Forwarded-For."""
    env = {"INKROOM_TRUSTED_PROXIES": '["127.0.0.1"]', **(env or {})}
    with shared_processes(tmp, postgres, redis, 2, env) as deployment:
        nginx = NginxServer([server.port for server in deployment.servers])
        nginx.start()
        try:
            yield nginx, deployment
        finally:
            nginx.stop()


def connections(deployment: Deployment) -> list[float]:
    """Each running process's open board sockets, from its own /metrics."""
    counts = []
    for server in (server for server in deployment.servers if server.process is not None):
        text = httpx.get(f"{server.url}/metrics", timeout=10.0).text
        line = next(line for line in text.splitlines() if line.startswith("inkroom_connections "))
        counts.append(float(line.split()[1]))
    return counts
