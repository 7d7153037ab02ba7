"""Hubs in one Python process, joined by the memory fan-out as processes are by Redis: a fake
transport per client, a real store on a real SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server import events, protocol
from server.events import CommittedOp
from server.fanout import MemoryBus, MemoryFanout
from server.hub import Hub
from server.metrics import Metrics
from server.migrate import upgrade
from server.rooms import Client
from server.store import Store, create_engines
from server.submission import Submission
from tests.wire import stroke


class FakeTransport:
    def __init__(self) -> None:
        self.messages: list[object] = []
        self.arrived = asyncio.Event()

    async def send(self, data: bytes) -> None:
        self.write_at_once(data)

    def write_at_once(self, data: bytes) -> bool:
        self.messages.extend(protocol.decode_server_frame(data))
        self.arrived.set()
        return True

    async def close(self, code: int, reason: str) -> None:
        pass

    def seqs(self) -> list[int]:
        return [m.seq for m in self.messages if m.type in ("committed", "ack")]  # type: ignore[attr-defined]

    async def wait_for(self, count: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.seqs()) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await asyncio.to_thread(upgrade, url)
    opened = Store(*create_engines(url))
    yield opened
    await opened.dispose()


async def hub_on(bus: MemoryBus, store: Store, lossy: bool = False) -> Hub:
    fanout = MemoryFanout(bus)
    fanout.lossy = lossy
    hub = Hub(fanout=fanout, history=store, heartbeat=0.1, gap_wait=0.1)
    await hub.start()
    return hub


def client_of(hub: Hub) -> tuple[Client, FakeTransport]:
    transport = FakeTransport()
    peer = protocol.Peer(peer=hub.next_peer_id(), user="user-0001", name="Ada", color="#e03131")
    client = Client(peer, transport, 1 << 20, Metrics())
    return client, transport


async def committed(store: Store, board_id: str, count: int) -> list[Submission]:
    batch = []
    for _ in range(count):
        op = stroke()
        payload = protocol.encode_operation(op)
        batch.append(Submission(board_id, op.id, "user-0002", "stroke", None, payload))
    await store.append(batch)
    return batch


def ops(batch: list[Submission]) -> list[CommittedOp]:
    return [
        CommittedOp(s.seq or 0, protocol.encode_committed(s.seq or 0, s.author, s.payload))
        for s in batch
    ]


async def test_an_operation_that_arrives_early_waits_for_the_ones_before_it(store: Store) -> None:
    bus = MemoryBus()
    here, there = await hub_on(bus, store), await hub_on(bus, store)
    board, _ = await store.create_board("Hub")
    client, transport = client_of(here)
    room = here.join(board.id, client)
    room.start_at(0)
    client.go_live(0)
    first, second = ops(await committed(store, board.id, 2))
    there.fanout.publish(board.id, events.committed(there.node, [second]))
    there.fanout.publish(board.id, events.committed(there.node, [first]))
    await transport.wait_for(2)
    assert transport.seqs() == [1, 2]
    await here.stop()
    await there.stop()


async def test_a_lost_event_is_read_from_the_database_in_order(store: Store) -> None:
    bus = MemoryBus()
    here, there = await hub_on(bus, store, lossy=True), await hub_on(bus, store)
    board, _ = await store.create_board("Hub")
    client, transport = client_of(here)
    room = here.join(board.id, client)
    room.start_at(0)
    client.go_live(0)
    batch = ops(await committed(store, board.id, 3))
    # Only the last one's event comes through; the first two were lost on the way.
    there.fanout.publish(board.id, events.committed(there.node, batch[2:]))
    await transport.wait_for(3)
    assert transport.seqs() == [1, 2, 3]
    await here.stop()
    await there.stop()


async def test_peers_of_a_silent_process_leave_after_three_heartbeats(store: Store) -> None:
    bus = MemoryBus()
    here, there = await hub_on(bus, store), await hub_on(bus, store)
    board, _ = await store.create_board("Hub")
    watcher, seen = client_of(here)
    here.join(board.id, watcher).start_at(0)
    watcher.go_live(0)
    other, _ = client_of(there)
    there.join(board.id, other)
    async with asyncio.timeout(10):
        while not any(getattr(m, "event", "") == "joined" for m in seen.messages):
            seen.arrived.clear()
            await seen.arrived.wait()
    # The other process dies without a word: its hub stops publishing.
    await there.fanout.stop()
    async with asyncio.timeout(10):
        while not any(getattr(m, "event", "") == "left" for m in seen.messages):
            seen.arrived.clear()
            await seen.arrived.wait()
    await here.stop()
