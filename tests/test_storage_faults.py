"""Storage faults under a real ``inkroom serve``: a database locked by someone else while
clients draw, and the server killed (SIGKILL) in the middle of committing."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from server import protocol
from server.points import encode as encode_points
from server.protocol import ErrorCode
from tests.live_server import LiveServer, running
from tests.wire import Guest, new_id, stored_log, stroke


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with running(tmp_path / "inkroom.db", {"INKROOM_OPERATIONS_BURST": "100000"}) as live:
        yield live


@pytest.fixture
async def clients() -> AsyncIterator[list[Guest]]:
    opened: list[Guest] = []
    yield opened
    for client in opened:
        await client.close()


async def enter(server: LiveServer, board_id: str, clients: list[Guest], **guest: Any) -> Guest:
    client = Guest(server.ws_url(board_id), **guest)
    clients.append(client)
    await client.join()
    return client


async def create_board(server: LiveServer) -> str:
    async with httpx.AsyncClient(base_url=server.url, timeout=10.0) as http:
        response = await http.post("/api/boards", json={"title": "Faults"})
    assert response.status_code == 201
    board_id: str = response.json()["id"]
    return board_id


class ExclusiveLock:
    """Another process's write transaction on the same file (``BEGIN EXCLUSIVE``)."""

    def __init__(self, database: Path) -> None:
        self.connection = sqlite3.connect(database, isolation_level=None, timeout=10.0)

    def __enter__(self) -> ExclusiveLock:
        self.connection.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *_: object) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def check_database(database: Path, board_id: str) -> list[tuple[int, str]]:
    """``PRAGMA integrity_check`` passes and the board row agrees with its operations; returns
    (seq, op id) in order."""
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        head, stored_bytes = db.execute(
            "SELECT head_seq, stored_bytes FROM boards WHERE id = ?", (board_id,)
        ).fetchone()
        rows = db.execute(
            "SELECT seq, op_id, length(payload) FROM operations WHERE board_id = ? ORDER BY seq",
            (board_id,),
        ).fetchall()
    db.close()
    assert [seq for seq, _, _ in rows] == list(range(1, head + 1)), "seq gap or head mismatch"
    assert sum(size for _, _, size in rows) == stored_bytes
    return [(seq, op_id) for seq, op_id, _ in rows]


async def test_a_locked_database_refuses_ops_with_storage_unavailable_and_they_succeed_when_resent(
    server: LiveServer, clients: list[Guest]
) -> None:
    board_id = await create_board(server)
    a = await enter(server, board_id, clients, name="Ann")
    b = await enter(server, board_id, clients, name="Bob")
    first = stroke()
    await a.submit(first)
    assert (await a.expect("ack", id=first.id)).seq == 1
    await b.expect("committed", seq=1)

    pending = {a: [stroke(x=float(i)) for i in range(3)], b: [stroke(x=float(i)) for i in range(2)]}
    started = time.monotonic()
    with ExclusiveLock(server.database):
        for client, ops in pending.items():
            for op in ops:
                await client.submit(op)
        # While the writes wait, everything that only reads or relays goes on.
        ink = protocol.Live(
            type="live", stroke=new_id(), color="#000000", width=2, points=encode_points([1, 1, 1])
        )
        await b.send(ink)
        await a.expect("live", stroke=ink.stroke)
        late = await enter(server, board_id, clients, name="Late")
        assert [m.op for m in late.received if m.type == "committed"] == [first]
        async with httpx.AsyncClient(base_url=server.url, timeout=10.0) as http:
            assert (await http.get(f"/api/boards/{board_id}")).json()["head_seq"] == 1
        for client, ops in pending.items():
            for op in ops:
                error = await client.expect("error", id=op.id, timeout=15.0)
                assert error.code == ErrorCode.STORAGE_UNAVAILABLE
        # Each waiting batch gave up after the 5 s busy timeout, and nothing was stored.
        assert time.monotonic() - started > 5.0
        assert [m for c in (a, b, late) for m in c.received if m.type in ("ack", "committed")
                and m.seq > 1] == []  # fmt: skip
    assert server.process is not None and server.process.poll() is None, "the server died"

    for client, ops in pending.items():
        for op in ops:
            await client.submit(op)
    acked = {op.id: (await client.expect("ack", id=op.id)).seq
             for client, ops in pending.items() for op in ops}  # fmt: skip
    assert sorted(acked.values()) == [2, 3, 4, 5, 6]
    for op in pending[a]:
        assert (await b.expect("committed", seq=acked[op.id])).op == op
        assert (await late.expect("committed", seq=acked[op.id])).op == op
    # A resend after the success is a replay: the same seq, stored once.
    await a.submit(pending[a][0])
    assert (await a.expect("ack", id=pending[a][0].id)).seq == acked[pending[a][0].id]

    log = await stored_log(server.ws_url(board_id))
    assert [(seq, op.id) for seq, _, op in log] == sorted(
        [(1, first.id), *((seq, op_id) for op_id, seq in acked.items())]
    )
    assert check_database(server.database, board_id) == [(seq, op.id) for seq, _, op in log]
    assert "operations failed" in server.log()  # logged, not fatal


class Scribe:
    """Keeps up to ``WINDOW`` strokes in flight, as a client drawing fast does, and records the
    acks until the connection drops."""

    WINDOW = 16

    def __init__(self, client: Guest) -> None:
        self.client = client
        self.sent: list[protocol.StrokeOp] = []
        self.acked: dict[str, int] = {}
        self.progress = asyncio.Event()

    async def draw_until_dropped(self) -> None:
        async def send() -> None:
            while True:
                while len(self.sent) - len(self.acked) >= self.WINDOW:
                    self.progress.clear()
                    await self.progress.wait()
                op = stroke(points=20, x=float(len(self.sent)))
                self.sent.append(op)
                await self.client.submit(op)

        async def read() -> None:
            while True:
                for message in await self.client.pull(10.0):
                    assert message.type != "error", message
                    if message.type == "ack":
                        self.acked[message.id] = message.seq
                        self.progress.set()

        tasks = [asyncio.create_task(send()), asyncio.create_task(read())]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if not isinstance(task.exception(), websockets.ConnectionClosed):
                    task.result()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def test_every_acked_op_survives_sigkill_mid_commit_exactly_once_and_the_file_stays_intact(
    server: LiveServer, clients: list[Guest]
) -> None:
    board_id = await create_board(server)
    users = [new_id() for _ in range(3)]
    everyone: list[Scribe] = []
    for round_ in range(3):
        scribes = [Scribe(await enter(server, board_id, clients, user=user)) for user in users]
        drawing = [asyncio.create_task(s.draw_until_dropped()) for s in scribes]
        deadline = time.monotonic() + 20.0
        while sum(len(s.acked) for s in scribes) < 150:
            assert time.monotonic() < deadline, "the scribes are not getting acks"
            await asyncio.sleep(0.005)
        server.kill()  # while all three keep submitting
        await asyncio.wait_for(asyncio.gather(*drawing), 15.0)
        everyone += scribes

        rows = check_database(server.database, board_id)
        stored = {op_id: seq for seq, op_id in rows}
        assert len(stored) == len(rows), "an op id stored twice"
        for scribe in everyone:
            lost = {i: seq for i, seq in scribe.acked.items() if stored.get(i) != seq}
            assert lost == {}, f"acked ops lost or renumbered by SIGKILL in round {round_}"
            assert set(stored) <= {op.id for s in everyone for op in s.sent}
        await asyncio.to_thread(server.start)

    # Every client resends what it never saw acknowledged: nothing is stored twice.
    for user in users:
        mine = [s for s in everyone if s.client.user == user]
        resender = await enter(server, board_id, clients, user=user)
        unacked = [op for s in mine for op in s.sent if op.id not in s.acked]
        for op in unacked:
            await resender.submit(op)
        for op in unacked:
            await resender.expect("ack", id=op.id, timeout=10.0)
    final = check_database(server.database, board_id)
    sent = [op.id for s in everyone for op in s.sent]
    assert sorted(op_id for _, op_id in final) == sorted(sent)
    log = await stored_log(server.ws_url(board_id))
    assert [(seq, op.id) for seq, _, op in log] == final
