"""Fixtures: a real inkroom server (the ``inkroom`` command, uvicorn on a free port) on a real
SQLite file, and protocol clients that talk to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser import chromium
from tests.live_server import LiveServer, running
from tests.services import PostgresServer, RedisServer
from tests.wire import BoardClient


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A server of the test's own; ``indirect`` parametrization passes settings overrides."""
    with running(tmp_path / "inkroom.db", getattr(request, "param", {})) as live:
        yield live


@pytest.fixture
def board_id(server: LiveServer) -> str:
    return server.create_board("Test board")


@pytest.fixture
async def clients() -> AsyncIterator[list[BoardClient]]:
    """A list to put connected clients in; all are closed after the test."""
    opened: list[BoardClient] = []
    yield opened
    for client in opened:
        await client.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module; each test opens its own contexts (its own storage).

    Not per session: Playwright's sync API keeps an event loop running while it is open, and
    the asyncio tests of other modules need the thread to themselves.
    """
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL for the session; each user takes a database of its own."""
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One throwaway Redis for the tests that do not stop it (channels are per board)."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis for one test, which it may restart or pause, or whose counts it keeps apart."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()
