"""Limits that protect the service hold across processes: connections per address and per board,
boards created and images added per address, counted in Redis for two ``inkroom serve``
processes; a process killed with -9 stops counting, and while Redis is away each process counts
alone."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from itertools import count
from pathlib import Path

import httpx
import pytest
import websockets
from PIL import Image

from server.metrics import Metrics
from server.protocol import CloseCode
from server.shared_limits import Allowance, Seats, SharedCounts
from tests.cluster import Deployment, shared_processes
from tests.services import PostgresServer, RedisServer
from tests.wire import Guest

_addresses = count(1)


def fresh_address() -> str:
    """A loopback address of this module's own (all of 127/8 reaches the servers)."""
    n = next(_addresses)
    return f"127.0.{200 + n // 250}.{n % 250 + 1}"


@pytest.fixture
async def guests() -> AsyncIterator[list[Guest]]:
    opened: list[Guest] = []
    yield opened
    for guest in opened:
        await guest.close()


async def joined(url: str, source: str, guests: list[Guest]) -> Guest:
    guest = Guest(url, source=source)
    guests.append(guest)
    await guest.join()
    return guest


async def refused(url: str, source: str) -> tuple[int | None, str]:
    guest = Guest(url, source=source)
    await guest.connect()
    try:
        return await guest.closed(timeout=15)
    finally:
        await guest.close()


async def admitted_within(url: str, source: str, guests: list[Guest], seconds: float) -> float:
    """Joins again and again until one is let in; returns how long that took."""
    start = time.monotonic()
    while True:
        try:
            await joined(url, source, guests)
            return time.monotonic() - start
        except (AssertionError, websockets.ConnectionClosed):
            guests.pop()
            if time.monotonic() - start > seconds:
                raise AssertionError(f"still refused after {seconds} s") from None
            await asyncio.sleep(0.2)


def http_from(source: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(transport=transport, timeout=30.0)


def metric(deployment: Deployment, n: int, name: str) -> float:
    text = httpx.get(f"{deployment.servers[n].url}/metrics", timeout=10.0).text
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.split()[1])


def healthz(deployment: Deployment, n: int) -> dict[str, str]:
    body: dict[str, str] = httpx.get(f"{deployment.servers[n].url}/healthz", timeout=10).json()
    return body


ADDRESS_CAP = {"INKROOM_MAX_CONNECTIONS_PER_ADDRESS": "3"}


async def test_connections_from_one_address_are_capped_across_the_processes(
    tmp_path: Path, postgres: PostgresServer, own_redis: RedisServer, guests: list[Guest]
) -> None:
    with shared_processes(tmp_path, postgres, own_redis, 2, ADDRESS_CAP) as deployment:
        crowd = fresh_address()
        board_id = deployment.create_board()
        # Two on the first process, one on the second: the address holds its three.
        for n in (0, 1, 0):
            await joined(deployment.ws_url(board_id, n), crowd, guests)
        for n in (0, 1):
            assert await refused(deployment.ws_url(board_id, n), crowd) == (
                CloseCode.TOO_MANY_CONNECTIONS,
                "too many connections from your address",
            )
        # Another address is welcome on either.
        await joined(deployment.ws_url(board_id, 1), fresh_address(), guests)
        # A seat given back on the first process is free on the second.
        await guests[0].close()
        await admitted_within(deployment.ws_url(board_id, 1), crowd, guests, 10)


async def test_a_board_is_full_for_everyone_when_its_seats_are_taken_on_both_processes(
    tmp_path: Path, postgres: PostgresServer, own_redis: RedisServer, guests: list[Guest]
) -> None:
    env = {"INKROOM_MAX_CONNECTIONS_PER_BOARD": "2"}
    with shared_processes(tmp_path, postgres, own_redis, 2, env) as deployment:
        board_id, other_board = deployment.create_board(), deployment.create_board()
        await joined(deployment.ws_url(board_id, 0), fresh_address(), guests)
        await joined(deployment.ws_url(board_id, 1), fresh_address(), guests)
        for n in (0, 1):
            assert await refused(deployment.ws_url(board_id, n), fresh_address()) == (
                CloseCode.TOO_MANY_CONNECTIONS,
                "this board is full",
            )
        await joined(deployment.ws_url(other_board, 0), fresh_address(), guests)


async def test_a_killed_process_stops_counting_its_connections_within_its_lease(
    tmp_path: Path, postgres: PostgresServer, own_redis: RedisServer, guests: list[Guest]
) -> None:
    with shared_processes(tmp_path, postgres, own_redis, 2, ADDRESS_CAP) as deployment:
        crowd = fresh_address()
        board_id = deployment.create_board()
        for _ in range(3):
            await joined(deployment.ws_url(board_id, 0), crowd, guests)
        code, _ = await refused(deployment.ws_url(board_id, 1), crowd)
        assert code == CloseCode.TOO_MANY_CONNECTIONS
        deployment.servers[0].kill()  # no chance to give its seats back
        # Its lease is three heartbeats (3 s): then the address has its three seats again.
        waited = await admitted_within(deployment.ws_url(board_id, 1), crowd, guests, 20)
        assert waited < 10
        for _ in range(2):
            await joined(deployment.ws_url(board_id, 1), crowd, guests)
        code, _ = await refused(deployment.ws_url(board_id, 1), crowd)
        assert code == CloseCode.TOO_MANY_CONNECTIONS


async def test_boards_created_and_images_added_by_one_address_are_counted_across_processes(
    tmp_path: Path, postgres: PostgresServer, own_redis: RedisServer
) -> None:
    env = {"INKROOM_BOARDS_PER_ADDRESS_PER_HOUR": "3", "INKROOM_IMAGES_PER_ADDRESS_PER_MINUTE": "2"}
    with shared_processes(tmp_path, postgres, own_redis, 2, env) as deployment:
        first, second = (server.url for server in deployment.servers)
        source = fresh_address()
        async with http_from(source) as http:
            made = [await http.post(f"{url}/api/boards", json={}) for url in (first, second, first)]
            assert [r.status_code for r in made] == [201, 201, 201]
            for url in (second, first):
                over = await http.post(f"{url}/api/boards", json={})
                assert over.status_code == 429
                assert over.headers["retry-after"] == "600"
                assert "too many boards" in over.json()["detail"]
            board_id = made[0].json()["id"]
            picture = io.BytesIO()
            Image.new("RGB", (8, 8), (200, 0, 0)).save(picture, "PNG")
            added = [
                await http.post(f"{url}/api/boards/{board_id}/images", content=picture.getvalue())
                for url in (first, second, second)
            ]
            assert [r.status_code for r in added[:2]] == [201, 200]  # the second is the same file
            assert added[2].status_code == 429
            assert added[2].headers["retry-after"] == "60"
        # Another address still creates boards on either process.
        async with http_from(fresh_address()) as http:
            assert (await http.post(f"{second}/api/boards", json={})).status_code == 201


async def test_while_redis_is_away_each_process_counts_its_own_connections(
    tmp_path: Path, postgres: PostgresServer, own_redis: RedisServer, guests: list[Guest]
) -> None:
    with shared_processes(tmp_path, postgres, own_redis, 2, ADDRESS_CAP) as deployment:
        board_id = deployment.create_board()
        assert metric(deployment, 0, "inkroom_limits_shared") == 1
        own_redis.pause()
        try:
            deadline = time.monotonic() + 20
            while metric(deployment, 0, "inkroom_limits_shared") != 0:
                assert time.monotonic() < deadline, "the process did not notice Redis away"
                await asyncio.sleep(0.2)
            health = healthz(deployment, 0)
            assert health["status"] == "degraded"
            assert health["limits"] == "this process only"
            # Each process admits up to the limit on its own, and no more.
            crowd = fresh_address()
            for _ in range(3):
                await joined(deployment.ws_url(board_id, 0), crowd, guests)
            code, _ = await refused(deployment.ws_url(board_id, 0), crowd)
            assert code == CloseCode.TOO_MANY_CONNECTIONS
        finally:
            own_redis.resume()
        deadline = time.monotonic() + 20
        while metric(deployment, 0, "inkroom_limits_shared") != 1:
            assert time.monotonic() < deadline, "the process did not notice Redis back"
            await asyncio.sleep(0.2)
        # Back: the three seats the first process took alone count for the second too.
        code, _ = await refused(deployment.ws_url(board_id, 1), crowd)
        assert code == CloseCode.TOO_MANY_CONNECTIONS


# The counts themselves, two processes' worth in one event loop on a real Redis.


@pytest.fixture
async def two_processes(own_redis: RedisServer) -> AsyncIterator[tuple[SharedCounts, ...]]:
    pair = tuple(
        SharedCounts(own_redis.url, node, Metrics(), timeout=0.5, heartbeat=0.2)
        for node in ("first", "second")
    )
    for shared in pair:
        await shared.start()
    yield pair
    for shared in pair:
        await shared.stop()


async def until(condition: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():  # noqa: ASYNC110 (asks Redis)
            await asyncio.sleep(0.05)


async def test_seats_given_back_by_one_process_are_taken_by_the_other(
    two_processes: tuple[SharedCounts, ...],
) -> None:
    first, second = (Seats("address", 2, shared) for shared in two_processes)
    assert await first.take("198.51.100.7")
    assert await second.take("198.51.100.7")
    assert not await first.take("198.51.100.7")
    assert not await second.take("198.51.100.7")
    assert await second.take("203.0.113.9")  # another key has seats of its own
    first.give_back("198.51.100.7")
    await until(lambda: second.take("198.51.100.7"))
    assert second.local.counts["198.51.100.7"] == 2


async def test_a_restarted_redis_learns_every_process_counts_again(
    own_redis: RedisServer, two_processes: tuple[SharedCounts, ...]
) -> None:
    first, second = (Seats("board", 3, shared) for shared in two_processes)
    for _ in range(3):
        assert await first.take("b1")
    own_redis.restart()  # forgets everything

    async def refused_again() -> bool:
        if await second.take("b1"):
            second.give_back("b1")
            return False
        return second.shared is not None and second.shared.up

    # Within a heartbeat or two the first process has written its three seats again.
    await until(refused_again, timeout=10)
    assert second.local.counts.get("b1", 0) == 0


async def test_board_creations_are_one_allowance_for_both_processes(
    two_processes: tuple[SharedCounts, ...],
) -> None:
    first, second = (Allowance("board_creation", 3, 3600.0, shared) for shared in two_processes)
    assert [await first.allow("a"), await second.allow("a"), await first.allow("a")] == [True] * 3
    assert not await second.allow("a")
    assert not await first.allow("a")
    assert await second.allow("b")
