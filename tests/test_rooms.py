"""A room's fan-out in process, with a fake transport per client: the tick's shared frame (the
senders' own messages in it, for them to skip), order with committed operations, and slow
readers bounded."""

from __future__ import annotations

import asyncio
from typing import Any

from server import protocol
from server.events import CommittedOp
from server.metrics import Metrics
from server.points import encode as encode_points
from server.rooms import (
    EPHEMERAL_SHARE,
    PRESENCE_TICK_MAX_SECONDS,
    PRESENCE_TICK_SECONDS,
    TICK_SECONDS,
    WRITER_LINGER_SECONDS,
    Client,
    Pending,
    Room,
)

QUEUE_BYTES = 64 * 1024


class FakeTransport:
    """Keeps every frame as sent; a ``stalled`` one never finishes a send (a client that stopped
    reading)."""

    def __init__(self, stalled: bool = False) -> None:
        self.frames: list[bytes] = []
        self.closes: list[tuple[int, str]] = []
        self.stalled = stalled
        self.arrived = asyncio.Event()

    async def send(self, data: bytes) -> None:
        if self.stalled:
            await asyncio.Event().wait()
        self.frames.append(data)
        self.arrived.set()

    def write_at_once(self, data: bytes) -> bool:
        if self.stalled:
            return False
        self.frames.append(data)
        self.arrived.set()
        return True

    async def close(self, code: int, reason: str) -> None:
        self.closes.append((code, reason))

    def messages(self) -> list[Any]:
        return [m for data in self.frames for m in protocol.decode_server_frame(data)]


def joined(
    room: Room, number: int, stalled: bool = False, queue_bytes: int = QUEUE_BYTES
) -> tuple[Client, FakeTransport]:
    transport = FakeTransport(stalled)
    peer = protocol.Peer(peer=number, user=f"user-{number:04d}", name="Ada", color="#e03131")
    client = Client(peer, transport, queue_bytes, room.metrics)
    room.add(client)
    client.go_live(0)
    return client, transport


def live(peer: int, stroke: str) -> bytes:
    message = protocol.Live(
        type="live", stroke=stroke, color="#1971c2", width=3.0,
        points=encode_points([1.0, 2.0, 0.5, 3.0, 4.0, 0.5]),
    )  # fmt: skip
    return protocol.encode_peer_live(peer, message)


def committed_stroke(seq: int, stroke: str, author: Client) -> Pending:
    """A stroke of ``author``'s, committed at ``seq``, as the committer hands it to the room."""
    message = protocol.encode_committed(seq, author.peer.user, protocol.encode_operation(
        protocol.StrokeOp(kind="stroke", id=stroke, color="#1971c2", width=3.0,
                          points=encode_points([1.0, 2.0, 0.5]))
    ))  # fmt: skip
    return Pending(CommittedOp(seq, message), origin=author, op_id=stroke)


async def settled(*transports: FakeTransport, frames: int = 1) -> None:
    async with asyncio.timeout(10):
        for transport in transports:
            while len(transport.frames) < frames:
                transport.arrived.clear()
                await transport.arrived.wait()


async def introduced(room: Room, *transports: FakeTransport) -> None:
    """Send the tick that announces everyone to everyone, and forget it."""
    room.flush()
    async with asyncio.timeout(10):
        # Not every client hears of the others (the last to join has nothing to hear), so there
        # is no frame to wait for: the queues emptying is the condition.
        while any(client.queued_bytes for client in room.clients.values()):  # noqa: ASYNC110
            await asyncio.sleep(0.001)
    for transport in transports:
        transport.frames.clear()


def strokes_of(transport: FakeTransport) -> list[str]:
    return [m.stroke for m in transport.messages() if m.type == "live"]


async def test_live_points_of_a_tick_leave_as_one_frame_that_every_watcher_shares() -> None:
    room = Room("board-0001", metrics=Metrics())
    a, _ = joined(room, 1)
    b, _ = joined(room, 2)
    _, c = joined(room, 3)
    _, d = joined(room, 4)
    await introduced(room, c, d)

    room.relay(live(1, "stroke-a1"), a)
    room.relay(live(2, "stroke-b1"), b)
    room.relay(live(1, "stroke-a2"), a)
    await settled(c, d)

    assert strokes_of(c) == ["stroke-a1", "stroke-b1", "stroke-a2"]
    assert c.frames[0] is d.frames[0], "watchers get the very same bytes"


async def test_senders_get_the_same_frame_as_everyone_with_their_own_messages_to_skip() -> None:
    room = Room("board-0001", metrics=Metrics())
    a, to_a = joined(room, 1)
    b, to_b = joined(room, 2)
    await introduced(room, to_a, to_b)

    room.relay(live(1, "stroke-a1"), a)
    room.relay(live(2, "stroke-b1"), b)
    room.relay(live(1, "stroke-a2"), a)
    room.relay(live(2, "stroke-b2"), b)
    await settled(to_a, to_b)

    assert to_a.frames[0] is to_b.frames[0], "one frame for the room, senders included"
    others_for_a = [m.stroke for m in to_a.messages() if m.type == "live" and m.peer != 1]
    assert others_for_a == ["stroke-b1", "stroke-b2"]
    assert strokes_of(to_b) == ["stroke-a1", "stroke-b1", "stroke-a2", "stroke-b2"]


async def test_a_joiner_is_announced_to_the_others_with_the_next_tick_but_not_to_itself() -> None:
    room = Room("board-0001", metrics=Metrics())
    _, to_a = joined(room, 1)
    room.flush()
    _, to_b = joined(room, 2)
    await settled(to_a)

    announced = [m for m in to_a.messages() if m.type == "presence"]
    assert [(m.event, m.peer.peer) for m in announced] == [("joined", 2)]
    await asyncio.sleep(3 * TICK_SECONDS)  # a tick that would wrongly carry its own presence
    assert [m for m in to_b.messages() if m.type == "presence"] == []


async def test_live_points_sent_before_a_commit_arrive_before_it() -> None:
    room = Room("board-0001", metrics=Metrics())
    a, _ = joined(room, 1)
    _, to_b = joined(room, 2)
    room.start_at(0)
    await introduced(room, to_b)

    room.relay(live(1, "stroke-a1"), a)
    room.take(committed_stroke(1, "stroke-a1", author=a))
    await settled(to_b, frames=2)

    assert [m.type for m in to_b.messages()] == ["live", "committed"]


async def test_a_tick_is_written_at_once_to_a_client_with_nothing_waiting() -> None:
    room = Room("board-0001", metrics=Metrics())
    a, _ = joined(room, 1)
    _, to_b = joined(room, 2)
    await introduced(room, to_b)

    room.relay(live(1, "stroke-a1"), a)
    room.flush()

    # Nothing awaited since the tick: written by the tick itself, not by b's writer task.
    assert strokes_of(to_b) == ["stroke-a1"]


async def test_a_tick_waits_behind_what_is_already_queued_for_a_client() -> None:
    room = Room("board-0001", metrics=Metrics())
    a, _ = joined(room, 1)
    _, to_b = joined(room, 2)
    room.start_at(0)
    await introduced(room, to_b)

    room.take(committed_stroke(1, "stroke-a1", author=a))
    room.relay(live(1, "stroke-a2"), a)
    room.flush()  # before b's writer has had a turn: the commit still waits in b's queue
    await settled(to_b, frames=2)

    assert [m.type for m in to_b.messages()] == ["committed", "live"]


async def test_a_reader_that_stopped_misses_ticks_and_never_holds_up_the_others() -> None:
    metrics = Metrics()
    room = Room("board-0001", metrics=metrics)
    a, _ = joined(room, 1)
    slow, _ = joined(room, 2, stalled=True)
    _, to_c = joined(room, 3)
    await introduced(room, to_c)

    ticks = 200
    for tick in range(ticks):
        for n in range(5):
            room.relay(live(1, f"stroke-{tick:04d}-{n}"), a)
        room.flush()
        await asyncio.sleep(0)
    await settled(to_c, frames=ticks)

    assert len(strokes_of(to_c)) == ticks * 5
    # The stalled client holds at most what its live share allows, plus the frame that crossed it.
    frame_bytes = len(to_c.frames[-1])
    assert slow.queued_bytes <= QUEUE_BYTES // EPHEMERAL_SHARE + frame_bytes
    assert not slow.closing, "missing live points is no reason to cut a client off"
    dropped = metrics.registry.get_sample_value("inkroom_queue_drops_total", {"kind": "ephemeral"})
    assert dropped is not None and dropped > 0


async def test_presence_is_not_dropped_for_a_busy_client() -> None:
    room = Room("board-0001", metrics=Metrics())
    a, _ = joined(room, 1)
    slow, _ = joined(room, 2, stalled=True)
    room.flush()
    while not slow.queued_bytes > QUEUE_BYTES // EPHEMERAL_SHARE:
        room.relay(live(1, "stroke-fill"), a)
        room.flush()
        await asyncio.sleep(0)

    queued = slow.queued_bytes
    joined(room, 3)
    room.flush()

    assert slow.queued_bytes > queued, "the presence of the newcomer waits in its queue"


async def test_a_newcomer_hears_nothing_of_what_came_before_its_welcome_in_the_same_tick() -> None:
    room = Room("board-0001", metrics=Metrics())
    _, to_a = joined(room, 1)
    _, to_b = joined(room, 2)  # in the same tick: its welcome lists peer 1 already
    room.flush()
    await settled(to_a)
    await asyncio.sleep(3 * TICK_SECONDS)

    assert [(m.event, m.peer.peer) for m in to_a.messages()] == [("joined", 2)]
    assert to_b.messages() == []


def committed(seq: int) -> bytes:
    op = protocol.StrokeOp(
        kind="stroke", id=f"stroke-{seq:04d}", color="#1971c2", width=3.0,
        points=encode_points([1.0, 2.0, 0.5]),
    )  # fmt: skip
    return protocol.encode_committed(seq, "user-0001", protocol.encode_operation(op))


async def writer_ended(client: Client) -> None:
    async with asyncio.timeout(10 * WRITER_LINGER_SECONDS + 10):
        while client.writing:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_client_with_nothing_to_send_holds_no_writer_task() -> None:
    room = Room("board-0001", metrics=Metrics())
    client, transport = joined(room, 1)
    assert not client.writing, "nothing queued yet"

    client.deliver(committed(1), 1)
    assert client.writing
    await settled(transport)
    await writer_ended(client)

    assert not client.closing and not client.closed, "the connection stays open"


async def test_a_writer_that_ended_starts_again_and_nothing_is_lost_or_reordered() -> None:
    room = Room("board-0001", metrics=Metrics())
    client, transport = joined(room, 1)
    seq = 0
    for round in range(3):
        for _ in range(50):
            seq += 1
            client.deliver(committed(seq), seq)
        assert client.writing, f"round {round}: a writer for what was queued"
        await writer_ended(client)

    assert [m.seq for m in transport.messages()] == list(range(1, seq + 1))


async def test_a_message_queued_while_the_writer_waits_for_more_keeps_that_writer() -> None:
    room = Room("board-0001", metrics=Metrics())
    client, transport = joined(room, 1)
    client.deliver(committed(1), 1)
    await settled(transport)
    # Just before the writer would give up, more comes: it is sent, in order, by a writer that
    # then waits its whole time again.
    await asyncio.sleep(WRITER_LINGER_SECONDS * 0.8)
    client.deliver(committed(2), 2)
    await settled(transport, frames=2)
    await asyncio.sleep(WRITER_LINGER_SECONDS * 0.5)
    assert client.writing, "it waits its whole time from the last message"
    await writer_ended(client)

    assert [m.seq for m in transport.messages()] == [1, 2]


async def test_an_idle_client_closed_by_the_room_gets_its_close_frame() -> None:
    room = Room("board-0001", metrics=Metrics())
    client, transport = joined(room, 1)
    client.deliver(committed(1), 1)
    await settled(transport)
    await writer_ended(client)

    client.deliver(protocol.encode_server(protocol.Error(code="forbidden", reason="no")))
    client.close(4403, "removed")

    assert await client.wait_closed(10)
    assert transport.closes == [(4403, "removed")]
    assert [m.type for m in transport.messages()] == ["committed", "error"]


async def test_on_a_crowded_board_presence_waits_longer_but_never_past_a_second() -> None:
    room = Room("board-0001", metrics=Metrics())
    # Queues that hold the presence of the whole crowd at once.
    _, watcher = joined(room, 1, queue_bytes=1 << 20)
    for number in range(2, 1001):
        joined(room, number, queue_bytes=1 << 20)
    await introduced(room, watcher)
    loop = asyncio.get_running_loop()

    began = loop.time()
    joined(room, 1001)
    await settled(watcher)
    waited = loop.time() - began

    # 1,001 people: half a second, so that presence alone costs about 2,000 frames a second.
    assert PRESENCE_TICK_SECONDS * 3 < waited < PRESENCE_TICK_MAX_SECONDS + 0.5
    assert [(m.event, m.peer.peer) for m in watcher.messages()] == [("joined", 1001)]
