"""A WebSocket connection's reading paused a turn late (``server.connections``), on a real asyncio
transport over a socket pair."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from server.connections import ReadingPausedNextTurn

DEADLINE = 10.0


class Received(asyncio.Protocol):
    def __init__(self) -> None:
        self.data = b""
        self.arrived = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        self.data += data
        self.arrived.set()


@pytest.fixture
async def pair() -> AsyncIterator[tuple[asyncio.Transport, Received, socket.socket]]:
    ours, theirs = socket.socketpair()
    loop = asyncio.get_running_loop()
    transport, received = await loop.connect_accepted_socket(Received, ours)
    yield transport, received, theirs
    transport.close()
    theirs.close()


async def next_turns(count: int = 3) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


async def test_a_pause_resumed_within_the_turn_never_stops_reading(
    pair: tuple[asyncio.Transport, Received, socket.socket],
) -> None:
    transport, received, theirs = pair
    paused_late = ReadingPausedNextTurn(transport, asyncio.get_running_loop())

    paused_late.pause_reading()  # what uvicorn does after each message...
    paused_late.resume_reading()  # ...and, once the app took it, in the same turn
    await next_turns()

    assert transport.is_reading()
    theirs.send(b"more")
    async with asyncio.timeout(DEADLINE):
        await received.arrived.wait()
    assert received.data == b"more"


async def test_a_pause_still_wanted_a_turn_later_stops_reading_until_resumed(
    pair: tuple[asyncio.Transport, Received, socket.socket],
) -> None:
    transport, received, theirs = pair
    paused_late = ReadingPausedNextTurn(transport, asyncio.get_running_loop())

    paused_late.pause_reading()
    await next_turns()

    assert not transport.is_reading()
    theirs.send(b"waits")
    await asyncio.sleep(0.05)  # time for it to arrive, were it read
    assert received.data == b""

    paused_late.resume_reading()
    async with asyncio.timeout(DEADLINE):
        await received.arrived.wait()
    assert received.data == b"waits"
