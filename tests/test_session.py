"""Sessions in process: a fake socket per connection, the real store on a real SQLite file, the
real hub and committer. What a join reads from the database, counted statement by statement."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from server import protocol
from server.committer import Committer
from server.config import Settings
from server.hub import Hub
from server.metrics import Metrics
from server.migrate import upgrade
from server.rooms import Client
from server.services import Services
from server.session import Disconnected, Session, remembered_board
from server.shared_limits import Allowance, Seats
from server.snapshotter import Snapshotter
from server.store import Board, Store, create_engines
from tests.wire import stroke

DEADLINE = 30.0


class FakeSocket:
    """What the client sends waits in ``inbox``; what the server sends is kept decoded."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.received: list[Any] = []
        self.arrived = asyncio.Event()

    async def send(self, data: bytes) -> None:
        self.write_at_once(data)

    def write_at_once(self, data: bytes) -> bool:
        self.received.extend(protocol.decode_server_frame(data))
        self.arrived.set()
        return True

    async def close(self, code: int, reason: str) -> None:
        pass

    async def receive(self) -> bytes:
        data = await self.inbox.get()
        if data is None:
            raise Disconnected(1000)
        return data

    def of_type(self, kind: str) -> list[Any]:
        return [m for m in self.received if m.type == kind]

    async def wait_for(self, kind: str, count: int = 1) -> list[Any]:
        async with asyncio.timeout(DEADLINE):
            while len(self.of_type(kind)) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.of_type(kind)


@dataclass
class Server:
    services: Services
    statements: list[str] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def join(self, board_id: str, last_seq: int = 0) -> FakeSocket:
        """A connection the way the route makes one, from the board it found."""
        return self.join_board(self.remembered(board_id), last_seq)

    def remembered(self, board_id: str) -> Board:
        board = remembered_board(self.services.hub.rooms.get(board_id))
        assert board is not None, "the room does not know its board"
        return board

    def join_board(self, board: Board, last_seq: int = 0) -> FakeSocket:
        socket = FakeSocket()
        join = protocol.Join(
            type="join", user="ada-lovelace", name="Ada", color="#e03131", last_seq=last_seq
        )
        peer = protocol.Peer(
            peer=self.services.hub.next_peer_id(), user="ada-lovelace", name="Ada", color="#e03131"
        )
        client = Client(peer, socket, 1 << 20, self.services.metrics)
        session = Session(socket, board, join, client, self.services)
        self.tasks.append(asyncio.create_task(session.run()))
        return socket


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'session.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(database=str(tmp_path / "session.db"))
    store = Store(*create_engines(url))
    metrics = Metrics()
    hub = Hub(metrics=metrics, history=store)
    await hub.start()
    workers = ThreadPoolExecutor(1)
    snapshotter = Snapshotter(store, settings, metrics, workers)
    committer = Committer(store, hub.deliver, metrics)
    committer.start()
    services = Services(
        settings,
        store,
        hub,
        committer,
        snapshotter,
        metrics,
        board_connections=Seats("board", 100),
        address_connections=Seats("address", 100),
        board_creations=Allowance("board_creation", 100, 3600.0),
        image_uploads=Allowance("image", 100, 60.0),
        workers=workers,
    )
    running = Server(services)

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        running.statements.append(statement)

    for engine in {store.reader, store.writer}:
        event.listen(engine.sync_engine, "before_cursor_execute", count)
    yield running
    for task in running.tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    await committer.stop()
    await hub.stop()
    await store.dispose()
    workers.shutdown()


async def draw(socket: FakeSocket, strokes: int) -> None:
    acked = len(socket.of_type("ack"))
    for _ in range(strokes):
        submit = protocol.Submit(type="op", op=stroke(5))
        socket.inbox.put_nowait(protocol.encode_client(submit))
    await socket.wait_for("ack", acked + strokes)


async def test_a_join_to_a_live_room_reads_nothing_from_the_database(server: Server) -> None:
    board, _ = await server.services.store.create_board("Live")
    first = server.join_board(board)
    await first.wait_for("synced")
    await draw(first, 3)
    server.statements.clear()

    second = server.join(board.id)
    await second.wait_for("synced")

    assert server.statements == []
    [welcome] = second.of_type("welcome")
    assert (welcome.title, welcome.head_seq) == ("Live", 3)
    assert [m.seq for m in second.of_type("committed")] == [1, 2, 3]
    # And it is live: the next stroke reaches it, once.
    await draw(first, 1)
    await second.wait_for("committed", 4)
    assert [m.seq for m in second.of_type("committed")] == [1, 2, 3, 4]


async def test_a_join_to_a_live_room_sees_the_title_and_lock_changed_since(server: Server) -> None:
    board, _ = await server.services.store.create_board("Before")
    first = server.join_board(board)
    await first.wait_for("synced")
    changed = await server.services.store.change_board(board.id, title="After", locked=True)
    assert changed is not None
    server.services.hub.board_changed(board.id, changed.title, changed.locked)
    server.statements.clear()

    second = server.join(board.id)
    [welcome] = await second.wait_for("welcome")

    assert (welcome.title, welcome.locked) == ("After", True)
    assert server.statements == []


async def test_a_deleted_board_is_not_remembered_by_its_room(server: Server) -> None:
    board, _ = await server.services.store.create_board("Going")
    first = server.join_board(board)
    await first.wait_for("synced")
    await server.services.store.delete_board(board.id)
    server.services.hub.close_room(board.id, 4404, "board deleted")

    assert remembered_board(server.services.hub.rooms.get(board.id)) is None


async def test_a_join_from_before_the_rooms_tail_reads_the_rest_from_the_database(
    server: Server,
) -> None:
    board, _ = await server.services.store.create_board("Long")
    first = server.join_board(board)
    await first.wait_for("synced")
    room = server.services.hub.rooms[board.id]
    assert room.tail is not None
    room.tail.max_bytes = 1  # keeps only the newest operation
    await draw(first, 4)
    server.statements.clear()

    second = server.join(board.id)
    await second.wait_for("synced")

    assert [m.seq for m in second.of_type("committed")] == [1, 2, 3, 4]
    assert any("operations" in statement for statement in server.statements)


async def test_a_rooms_first_join_leaves_what_it_read_for_the_next_one(server: Server) -> None:
    board, _ = await server.services.store.create_board("Reopened")
    first = server.join_board(board)
    await first.wait_for("synced")
    await draw(first, 3)
    first.inbox.put_nowait(None)  # everyone leaves: the room goes
    await asyncio.wait_for(server.tasks[0], DEADLINE)
    assert board.id not in server.services.hub.rooms

    opener = server.join_board(board)  # the route read the board: it is in no room now
    await opener.wait_for("synced")
    server.statements.clear()
    second = server.join(board.id)
    await second.wait_for("synced")

    assert [m.seq for m in opener.of_type("committed")] == [1, 2, 3]
    assert [m.seq for m in second.of_type("committed")] == [1, 2, 3]
    assert server.statements == []


async def test_a_connection_the_room_closes_stops_being_read_and_leaves(server: Server) -> None:
    board, _ = await server.services.store.create_board("Closing")
    socket = server.join_board(board)
    await socket.wait_for("synced")
    [session] = server.tasks

    server.services.hub.close_room(board.id, 4404, "board deleted")

    # Nothing more arrives from the client, yet the session ends: it read in its own task, and
    # the room's close stopped it.
    await asyncio.wait_for(session, DEADLINE)
    assert board.id not in server.services.hub.rooms
    assert socket.inbox.empty()


async def test_a_crowd_joining_a_board_nobody_is_on_reads_it_once(server: Server) -> None:
    board, _ = await server.services.store.create_board("Crowded")
    server.statements.clear()

    crowd = [server.join_board(board) for _ in range(20)]
    for socket in crowd:
        await socket.wait_for("synced")

    board_reads = [s for s in server.statements if "FROM boards" in s]
    assert len(board_reads) == 1, board_reads
    assert {socket.of_type("welcome")[0].title for socket in crowd} == {"Crowded"}
    # Everyone is live: a stroke reaches the whole crowd, once each.
    await draw(crowd[0], 1)
    for socket in crowd[1:]:
        assert [m.seq for m in await socket.wait_for("committed")] == [1]
