"""The board WebSocket, end to end: a real ``inkroom serve``, real sockets, the real protocol."""

from __future__ import annotations

import asyncio
import math
import struct
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import msgpack
import pytest
import websockets

from server import protocol
from server.points import encode as encode_points
from server.protocol import CloseCode, ErrorCode, Limits
from tests.live_server import LiveServer, running
from tests.wire import BoardClient, StalledReader, new_id, stroke


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the bad-client tests (each on its own board), with a 1 s join deadline."""
    env = {"INKROOM_JOIN_TIMEOUT_SECONDS": "1"}
    with running(tmp_path_factory.mktemp("strict") / "inkroom.db", env) as live:
        yield live


async def joined(
    server: LiveServer,
    board_id: str,
    clients: list[BoardClient],
    *,
    user: str | None = None,
    last_seq: int = 0,
) -> BoardClient:
    client = BoardClient(server.ws_url(board_id), user=user)
    clients.append(client)
    await client.join(last_seq)
    return client


def seqs_of(messages: list[Any]) -> list[int]:
    """Sequence numbers of the committed and ack messages, in arrival order."""
    return [m.seq for m in messages if m.type in ("committed", "ack")]


def log_of(messages: list[Any]) -> dict[int, str]:
    """seq -> operation id, as one client saw the board's log; a seq seen twice must agree."""
    log: dict[int, str] = {}
    for message in messages:
        if message.type in ("committed", "ack"):
            op_id = message.op.id if message.type == "committed" else message.id
            assert log.setdefault(message.seq, op_id) == op_id, f"seq {message.seq} changed"
    return log


def head_seq(server: LiveServer, board_id: str) -> int:
    response = httpx.get(f"{server.url}/api/boards/{board_id}", timeout=5.0)
    response.raise_for_status()
    seq: int = response.json()["head_seq"]
    return seq


async def history(server: LiveServer, board_id: str, clients: list[BoardClient]) -> list[Any]:
    """What a brand-new client joining from 0 receives before ``synced``."""
    fresh = await joined(server, board_id, clients)
    return [m for m in fresh.received if m.type == "committed"]


class Scribe:
    """A client that keeps drawing small strokes while it reads what comes back."""

    def __init__(self, client: BoardClient) -> None:
        self.client = client
        self.sent: dict[str, protocol.StrokeOp] = {}
        self.acked: dict[str, int] = {}

    @property
    def unacked(self) -> list[protocol.StrokeOp]:
        return [op for op_id, op in self.sent.items() if op_id not in self.acked]

    async def draw(self, count: int, pause: float = 0.002) -> None:
        """Submit up to ``count`` strokes, reading meanwhile; returns once every one is acked,
        or when the connection drops."""
        sending = True

        async def send() -> None:
            nonlocal sending
            try:
                for i in range(count):
                    op = stroke(points=3, x=float(i))
                    self.sent[op.id] = op
                    await self.client.submit(op)
                    await asyncio.sleep(pause)
            except websockets.ConnectionClosed:
                pass
            finally:
                sending = False

        async def read() -> None:
            deadline = time.monotonic() + 30.0
            while sending or self.unacked:
                assert time.monotonic() < deadline, f"unacked: {len(self.unacked)}"
                try:
                    messages = await self.client.pull(0.2)
                except TimeoutError:
                    continue
                except websockets.ConnectionClosed:
                    return
                for message in messages:
                    assert message.type != "error", message
                    if message.type == "ack":
                        self.acked[message.id] = message.seq

        await asyncio.gather(send(), read())


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


# Two clients on one board


async def test_live_points_reach_everyone_in_one_frame_with_the_senders_peer_id(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    a_peer = next(m.peer for m in a.received if m.type == "welcome")
    # The tick that announced b is gone: from now on a gets the room's frame like everyone.
    await a.expect("presence", event="joined", timeout=10)
    live = protocol.Live(
        type="live",
        stroke=new_id(),
        color="#ff0000",
        width=3.0,
        points=encode_points([1.0, 2.0, 0.5]),
    )
    await a.send(live)
    got = await b.expect("live", stroke=live.stroke)
    assert (got.peer, got.color, got.width, got.points) == (
        a_peer,
        "#ff0000",
        3.0,
        encode_points([1.0, 2.0, 0.5]),
    )
    # The sender gets the room's frame too, its own points in it under its own peer id (a
    # page skips those): the same frame as everyone's, not one built for each sender.
    echoed = await a.expect("live", stroke=live.stroke)
    assert echoed.peer == a_peer


async def test_typing_reaches_the_other_client_as_it_is_typed_and_is_never_stored(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    a_peer = next(m.peer for m in a.received if m.type == "welcome")
    text_id = new_id()
    for typed in ("H", "Hi", "Hi\nthere"):
        await a.send(protocol.Typing(type="typing", id=text_id, x=5.0, y=6.0, size=24.0,
                                     color="#1971c2", text=typed))  # fmt: skip
        got = await b.expect("typing", text=typed)
        assert (got.peer, got.id, got.object, got.x, got.size, got.ended) == (
            a_peer, text_id, None, 5.0, 24.0, False
        )  # fmt: skip
    assert head_seq(server, board_id) == 0
    assert [m for m in a.received if m.type == "typing"] == []


async def test_a_transform_under_way_reaches_the_others_and_only_its_operation_is_stored(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    drawn = stroke()
    await a.submit(drawn)
    await b.expect("committed", op=drawn)
    gesture = new_id()
    for turn in (0.1, 0.2, 0.3):
        # As float32, the wire's numbers: what is stored is what was sent.
        cos, sin = math.cos(turn), math.sin(turn)
        matrix = list(struct.unpack("6f", struct.pack("6f", cos, sin, -sin, cos, 0.0, 0.0)))
        await a.send(protocol.Transforming(type="transforming", id=gesture, targets=[drawn.id],
                                           matrix=matrix))  # fmt: skip
        got = await b.expect("transforming", id=gesture)
        assert (got.targets, got.matrix, got.ended) == ([drawn.id], matrix, False)
    assert head_seq(server, board_id) == 1
    done = protocol.TransformOp(kind="transform", id=gesture, targets=[drawn.id], matrix=matrix)
    await a.submit(done)
    stored = await b.expect("committed", op=done)
    assert stored.seq == 2


async def test_a_shape_being_drawn_reaches_the_others_and_only_its_operation_is_stored(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    a_peer = next(m.peer for m in a.received if m.type == "welcome")
    shape_id = new_id()
    for corner in (10.0, 20.0, 40.0):
        await a.send(protocol.Drafting(type="drafting", id=shape_id, shape="rect", x1=0.0,
                                       y1=0.0, x2=corner, y2=corner / 2, color="#e03131",
                                       width=4.0, fill="#e03131"))  # fmt: skip
        got = await b.expect("drafting", x2=corner)
        assert (got.peer, got.id, got.shape, got.y2, got.fill, got.ended) == (
            a_peer, shape_id, "rect", corner / 2, "#e03131", False
        )  # fmt: skip
    assert head_seq(server, board_id) == 0
    done = protocol.ShapeOp(kind="shape", id=shape_id, shape="rect", x1=0, y1=0, x2=40, y2=20,
                            color="#e03131", width=4, fill="#e03131")  # fmt: skip
    await a.submit(done)
    assert (await b.expect("committed", op=done)).seq == 1
    given_up = new_id()
    await a.send(protocol.Drafting(type="drafting", id=given_up, shape="arrow", x1=0, y1=0,
                                   x2=5, y2=5, color="#000000", width=2, ended=True))  # fmt: skip
    assert (await b.expect("drafting", id=given_up)).ended is True
    assert head_seq(server, board_id) == 1
    # What a hears of its own drag is under its own peer id (a page skips that).
    assert all(m.peer == a_peer for m in a.received if m.type == "drafting")


async def test_a_laser_trail_reaches_the_others_and_is_never_stored(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    trail = new_id()
    for x in (1.0, 2.0):
        points = encode_points([x, 5.0, 0.5, x + 0.5, 6.0, 0.5])
        await a.send(protocol.Laser(type="laser", id=trail, color="#e03131", points=points))
        got = await b.expect("laser", points=points)
        assert (got.id, got.color) == (trail, "#e03131")
    assert head_seq(server, board_id) == 0
    assert [m for m in (await history(server, board_id, clients))] == []


async def test_a_follower_is_announced_and_the_followed_view_reaches_it(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    a_peer = next(m.peer for m in a.received if m.type == "welcome")
    b_peer = next(m.peer for m in b.received if m.type == "welcome")
    await b.send(protocol.Follow(type="follow", target=a_peer))
    asked = await a.expect("follow")
    assert (asked.peer, asked.target, asked.on) == (b_peer, a_peer, True)
    await a.send(protocol.Viewport(type="viewport", left=-10, top=0, right=990, bottom=700))
    seen = await b.expect("viewport")
    assert (seen.peer, seen.left, seen.top, seen.right, seen.bottom) == (a_peer, -10, 0, 990, 700)
    await b.send(protocol.Follow(type="follow", target=a_peer, on=False))
    assert (await a.expect("follow", on=False)).target == a_peer
    assert head_seq(server, board_id) == 0


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ({"type": "drafting", "id": "shape-0001", "shape": "star", "x1": 0, "y1": 0, "x2": 1,
          "y2": 1, "color": "#000000", "width": 2}, "shape"),
        ({"type": "drafting", "id": "shape-0001", "shape": "rect", "x1": 0, "y1": 0,
          "x2": 1e12, "y2": 1, "color": "#000000", "width": 2}, "x2"),
        ({"type": "laser", "id": "trail-0001", "color": "#000000",
          "points": encode_points([1.0, 1.0, 0.5] * (Limits.MAX_LIVE_POINTS + 1))}, "points"),
        ({"type": "follow", "target": 0}, "target"),
        ({"type": "viewport", "left": 10, "top": 0, "right": 5, "bottom": 7}, "right"),
        ({"type": "viewport", "left": 0, "top": 0, "right": 5}, "bottom"),
    ],
)  # fmt: skip
async def test_a_malformed_drafting_laser_follow_or_viewport_is_refused_and_nothing_is_relayed(
    server: LiveServer,
    board_id: str,
    clients: list[BoardClient],
    message: dict[str, Any],
    reason: str,
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    await a.send_raw(msgpack.packb(message))
    error = await a.expect("error")
    assert error.code == ErrorCode.INVALID_MESSAGE and reason in error.reason
    assert (await a.closed(timeout=5.0))[0] == CloseCode.INVALID_PAYLOAD
    await b.drain(0.3)
    assert [m for m in b.received if m.type == message["type"]] == []
    assert head_seq(server, board_id) == 0


async def test_a_transform_that_flattens_objects_is_refused_with_a_reason(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    flat = {"type": "op", "op": {"kind": "transform", "id": new_id(), "targets": [new_id()],
                                 "matrix": [1.0, 2.0, 2.0, 4.0, 0.0, 0.0]}}  # fmt: skip
    await a.send_raw(msgpack.packb(flat))
    error = await a.expect("error")
    assert error.code == ErrorCode.INVALID_MESSAGE and "determinant" in error.reason
    assert (await a.closed(timeout=5.0))[0] == CloseCode.INVALID_PAYLOAD
    assert head_seq(server, board_id) == 0


async def test_anyone_may_edit_a_text_and_only_the_editor_may_undo_the_edit(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    text = protocol.TextOp(kind="text", id=new_id(), x=0, y=0, text="Hello", size=20,
                           color="#000000")  # fmt: skip
    await a.submit(text)
    await b.expect("committed", op=text)
    edit = protocol.EditOp(kind="edit", id=new_id(), object=text.id, text="Hello\nworld")
    await b.submit(edit)
    stored = await a.expect("committed", op=edit)
    assert stored.author == b.user
    refused = protocol.UndoOp(kind="undo", id=new_id(), target=edit.id)
    await a.submit(refused)
    assert (await a.expect("error", id=refused.id)).code == ErrorCode.FORBIDDEN
    undo = protocol.UndoOp(kind="undo", id=new_id(), target=edit.id)
    await b.submit(undo)
    await b.expect("ack", id=undo.id)


async def test_the_author_gets_an_ack_and_the_other_client_the_committed_op_with_the_same_seq(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    ops = [stroke(x=float(i)) for i in range(3)]
    for op in ops:
        await a.submit(op)
    acks = [await a.expect("ack", id=op.id) for op in ops]
    assert [ack.seq for ack in acks] == [1, 2, 3]
    for op, ack in zip(ops, acks, strict=True):
        got = await b.expect("committed", seq=ack.seq)
        assert (got.op, got.author) == (op, a.user)
    await a.drain(0.2)
    assert [m for m in a.received if m.type == "committed"] == [], "the author got its own op"


async def test_presence_announces_joins_and_leaves_and_welcome_lists_the_peers_already_there(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    a_welcome = next(m for m in a.received if m.type == "welcome")
    assert a_welcome.peers == []
    b = await joined(server, board_id, clients)
    b_welcome = next(m for m in b.received if m.type == "welcome")
    assert [p.peer for p in b_welcome.peers] == [a_welcome.peer]
    assert (b_welcome.peers[0].user, b_welcome.peers[0].name) == (a.user, a.name)
    joined_b = await a.expect("presence", event="joined")
    assert (joined_b.peer.peer, joined_b.peer.user) == (b_welcome.peer, b.user)
    assert b_welcome.peer != a_welcome.peer

    await b.close()
    left = await a.expect("presence", event="left")
    assert left.peer.peer == b_welcome.peer
    c = await joined(server, board_id, clients)
    c_welcome = next(m for m in c.received if m.type == "welcome")
    assert [p.peer for p in c_welcome.peers] == [a_welcome.peer]


async def test_newcomers_asking_for_the_same_color_each_get_one_nobody_else_has(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    # Every BoardClient asks for the same color, as two pages that made up the same one would.
    first = await joined(server, board_id, clients)
    welcomes = [next(m for m in first.received if m.type == "welcome")]
    assert welcomes[0].color == "#3366ff"
    for _ in range(2):
        newcomer = await joined(server, board_id, clients)
        welcomes.append(next(m for m in newcomer.received if m.type == "welcome"))
    colors = [welcome.color for welcome in welcomes]
    assert len(set(colors)) == 3 and set(colors[1:]) <= set(protocol.PERSON_COLORS)
    # The others see each newcomer in the color its own welcome says.
    assert {p.peer: p.color for p in welcomes[2].peers} == dict(
        zip([w.peer for w in welcomes[:2]], colors[:2], strict=True)
    )
    for welcome in welcomes[1:]:
        presence = await first.expect("presence", event="joined")
        assert (presence.peer.peer, presence.peer.color) == (welcome.peer, welcome.color)


async def test_joins_at_once_get_different_colors_and_one_persons_tabs_share_theirs(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    people = [BoardClient(server.ws_url(board_id)) for _ in range(4)]
    clients.extend(people)
    welcomes = await asyncio.gather(*(person.join() for person in people))
    assert len({welcome.color for welcome in welcomes}) == 4
    # The same person in another tab (or a reload not yet seen to leave) keeps their color.
    tab = BoardClient(server.ws_url(board_id), user=people[1].user)
    clients.append(tab)
    assert (await tab.join()).color == welcomes[1].color


# History


@pytest.mark.parametrize(
    "server", [{"INKROOM_REPLAY_PAGE_OPS": "7"}], ids=["small replay pages"], indirect=True
)
async def test_a_late_joiner_gets_every_op_once_in_seq_order_while_others_keep_drawing(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    scribes = [Scribe(await joined(server, board_id, clients)) for _ in range(3)]
    # 80 each stays within the default burst of operations a connection may send.
    drawing = [asyncio.create_task(s.draw(count=80, pause=0.004)) for s in scribes]
    await wait_until(lambda: sum(len(s.acked) for s in scribes) >= 30)
    late = await joined(server, board_id, clients)
    replayed = len(late.received)
    await asyncio.gather(*drawing)

    total = sum(len(s.sent) for s in scribes)
    assert total == 240
    await late.expect("committed", seq=total, timeout=10.0)
    await late.drain(0.3)
    welcome = next(m for m in late.received if m.type == "welcome")
    assert 0 < welcome.head_seq < total, "the late joiner did not join mid-stream"
    assert replayed < len(late.received), "nothing arrived live after the replay"
    assert seqs_of(late.received) == list(range(1, total + 1))
    acked = {seq: op_id for s in scribes for op_id, seq in s.acked.items()}
    assert log_of(late.received) == acked


async def test_a_client_reconnecting_with_last_seq_gets_exactly_the_ops_after_it(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    ops = [stroke(x=float(i)) for i in range(6)]
    for op in ops:
        await a.submit(op)
    for op in ops:
        await a.expect("ack", id=op.id)
    await a.close()

    for last_seq, expected in ((3, ops[3:]), (6, []), (0, ops)):
        again = await joined(server, board_id, clients, user=a.user, last_seq=last_seq)
        got = [m for m in again.received if m.type == "committed"]
        assert [m.seq for m in got] == list(range(last_seq + 1, 7)), f"last_seq={last_seq}"
        assert [m.op for m in got] == expected
        synced = next(m for m in again.received if m.type == "synced")
        assert synced.head_seq == 6
        await again.drain(0.2)
        kinds = [m.type for m in again.received]
        assert kinds == ["welcome", *["committed"] * len(expected), "synced"]
        await again.close()


async def test_an_op_resent_after_reconnect_is_acked_with_its_original_seq_and_stored_once(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    first, second = stroke(x=1.0), stroke(x=2.0)
    await a.submit(first)
    await a.submit(second)
    assert (await a.expect("ack", id=first.id)).seq == 1
    assert (await a.expect("ack", id=second.id)).seq == 2
    await b.expect("committed", seq=2)
    await a.close()
    b.inbox.clear()

    a.inbox.clear()
    await a.join()  # resumes from last_seq 2
    await a.submit(first)
    assert (await a.expect("ack", id=first.id)).seq == 1
    assert [m for m in await b.drain(0.3) if m.type == "committed"] == []
    assert [(m.seq, m.op.id) for m in await history(server, board_id, clients)] == [
        (1, first.id),
        (2, second.id),
    ]
    assert head_seq(server, board_id) == 2


async def test_undo_of_another_users_stroke_is_forbidden_and_an_own_undo_is_committed(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    ink = stroke()
    await a.submit(ink)
    await a.expect("ack", id=ink.id)
    await b.expect("committed", seq=1)

    theft = protocol.UndoOp(kind="undo", id=new_id(), target=ink.id)
    await b.submit(theft)
    error = await b.expect("error", id=theft.id)
    assert error.code == ErrorCode.FORBIDDEN
    assert [m for m in await a.drain(0.2) if m.type == "committed"] == []
    assert [m.op for m in await history(server, board_id, clients)] == [ink]
    assert head_seq(server, board_id) == 1

    undo = protocol.UndoOp(kind="undo", id=new_id(), target=ink.id)
    await a.submit(undo)
    assert (await a.expect("ack", id=undo.id)).seq == 2
    assert (await b.expect("committed", seq=2)).op == undo


# Crashes


async def test_every_acked_op_survives_kill_9_and_clients_converge_after_resending(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    scribes = [Scribe(await joined(server, board_id, clients)) for _ in range(3)]
    # 100 each stays within the default burst of operations a connection may send.
    drawing = [asyncio.create_task(s.draw(count=100, pause=0.001)) for s in scribes]
    await wait_until(lambda: sum(len(s.acked) for s in scribes) >= 120)
    server.kill()
    await asyncio.wait_for(asyncio.gather(*drawing), 10.0)
    await asyncio.to_thread(server.start)

    stored = {m.op.id: m.seq for m in await history(server, board_id, clients)}
    assert sorted(stored.values()) == list(range(1, len(stored) + 1))
    for scribe in scribes:
        lost = {i: seq for i, seq in scribe.acked.items() if stored.get(i) != seq}
        assert lost == {}, "acknowledged ops lost or renumbered by kill -9"

    for scribe in scribes:
        scribe.client.inbox.clear()
        await scribe.client.join()  # from its last_seq
        for op in scribe.unacked:
            await scribe.client.submit(op)
    await asyncio.gather(*(s.draw(count=0) for s in scribes))

    final = head_seq(server, board_id)
    everyone = [s.client for s in scribes] + [await joined(server, board_id, clients)]
    for client in everyone:
        while len(log_of(client.received)) < final:
            await client.pull()
    logs = [log_of(client.received) for client in everyone]
    assert all(log == logs[-1] for log in logs)
    sent = [op_id for s in scribes for op_id in s.sent]
    assert sorted(logs[-1].values()) == sorted(sent), "an op is missing or stored twice"
    assert sorted(logs[-1]) == list(range(1, final + 1))


# Bad clients


async def _send_bad_msgpack_after_join(client: BoardClient) -> None:
    await client.join()
    await client.send_raw(b"\xc1")  # a byte msgpack never uses


async def _send_bad_msgpack_first(client: BoardClient) -> None:
    await client.connect()
    await client.send_raw(b"\x93\xc1")


async def _send_text_frame(client: BoardClient) -> None:
    await client.join()
    await client.send_raw("hello")


async def _send_oversized_frame(client: BoardClient) -> None:
    await client.join()
    await client.send_raw(b"\x00" * (Limits.MAX_FRAME_BYTES + 1))


async def _send_cursor_first(client: BoardClient) -> None:
    await client.connect()
    await client.send(protocol.Cursor(type="cursor", x=1.0, y=2.0))


async def _send_nothing(client: BoardClient) -> None:
    await client.connect()


async def _join_as_a_page_from_before_point_formats(client: BoardClient) -> None:
    # Its strokes would be in the former units: it must reload, not have them misread.
    await client.connect()
    join = protocol.Join(type="join", user=new_id(), name="Old page", color="#000000")
    await client.send_raw(msgpack.packb(join.model_dump(exclude={"point_format"})))


async def _join_speaking_another_point_format(client: BoardClient) -> None:
    await client.connect()
    join = protocol.Join(type="join", user=new_id(), name="Old page", color="#000000")
    await client.send(join.model_copy(update={"point_format": Limits.POINT_FORMAT - 1}))


BAD_CLIENTS: list[tuple[Callable[[BoardClient], Awaitable[None]], int, bool]] = [
    # (what the client does, close code, whether an ``error`` message comes first)
    (_send_bad_msgpack_after_join, CloseCode.INVALID_PAYLOAD, True),
    (_send_bad_msgpack_first, CloseCode.INVALID_PAYLOAD, True),
    (_send_text_frame, CloseCode.UNSUPPORTED_DATA, False),
    (_send_oversized_frame, CloseCode.TOO_BIG, False),
    (_send_cursor_first, CloseCode.INVALID_PAYLOAD, True),
    (_send_nothing, CloseCode.JOIN_TIMEOUT, False),
    (_join_as_a_page_from_before_point_formats, CloseCode.OUTDATED_CLIENT, False),
    (_join_speaking_another_point_format, CloseCode.OUTDATED_CLIENT, False),
]


@pytest.mark.parametrize(
    ("misbehave", "code", "error_first"),
    BAD_CLIENTS,
    ids=[
        "bad msgpack after join",
        "bad msgpack as first message",
        "text frame",
        "frame over the size limit",
        "first message not join",
        "no join in time",
        "join without a point format",
        "join with another point format",
    ],
)
async def test_a_bad_client_is_closed_with_its_code_while_the_board_keeps_working(
    strict_server: LiveServer,
    clients: list[BoardClient],
    misbehave: Callable[[BoardClient], Awaitable[None]],
    code: int,
    error_first: bool,
) -> None:
    server = strict_server
    board_id = await asyncio.to_thread(server.create_board)
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    before = stroke(x=1.0)
    await a.submit(before)
    await a.expect("ack", id=before.id)

    bad = BoardClient(server.ws_url(board_id))
    clients.append(bad)
    started = time.monotonic()
    await misbehave(bad)
    assert (await bad.closed(timeout=5.0))[0] == code
    errors = [m for m in bad.received if m.type == "error"]
    if error_first:
        assert [e.code for e in errors] == [ErrorCode.INVALID_MESSAGE]
    else:
        assert errors == []
    if code == CloseCode.JOIN_TIMEOUT:
        assert time.monotonic() - started > 0.9

    await assert_board_works(server, board_id, clients, a, b, stored=[before])


async def test_a_socket_for_an_unknown_board_is_closed_4404_and_other_boards_keep_working(
    strict_server: LiveServer, clients: list[BoardClient]
) -> None:
    server = strict_server
    board_id = await asyncio.to_thread(server.create_board)
    a = await joined(server, board_id, clients)
    b = await joined(server, board_id, clients)
    before = stroke()
    await a.submit(before)
    await a.expect("ack", id=before.id)

    stray = BoardClient(server.ws_url("NoSuchBoard0000000000x"))
    clients.append(stray)
    await stray.connect()
    assert await stray.closed() == (CloseCode.BOARD_NOT_FOUND, "board not found")
    await assert_board_works(server, board_id, clients, a, b, stored=[before])


async def assert_board_works(
    server: LiveServer,
    board_id: str,
    clients: list[BoardClient],
    a: BoardClient,
    b: BoardClient,
    stored: list[protocol.StrokeOp],
) -> None:
    """a and b can still draw and see each other's ops, and nothing stored is lost."""
    after = stroke(x=9.0)
    await a.submit(after)
    seq = (await a.expect("ack", id=after.id)).seq
    assert (await b.expect("committed", seq=seq)).op == after
    live = protocol.Live(
        type="live",
        stroke=new_id(),
        color="#123456",
        width=2.0,
        points=encode_points([0.0, 0.0, 1.0]),
    )
    await b.send(live)
    await a.expect("live", stroke=live.stroke)
    assert [m.op for m in await history(server, board_id, clients)] == [*stored, after]


@pytest.mark.parametrize(
    "server",
    [{"INKROOM_CLIENT_QUEUE_BYTES": str(512 * 1024), "INKROOM_OPERATIONS_BURST": "1000"}],
    ids=["512 KiB queue"],
    indirect=True,
)
async def test_a_client_that_stops_reading_is_dropped_without_slowing_the_room(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    author = await joined(server, board_id, clients)
    watcher = await joined(server, board_id, clients)
    sleepy = StalledReader(server.ws_url(board_id))
    try:
        await sleepy.join()
        sleepy_peer = (await watcher.expect("presence", event="joined", timeout=5.0)).peer
        assert sleepy_peer.user == sleepy.user

        # ~30 kB strokes; the kernel buffers a few MB before the server's queue grows at all.
        slowest = 0.0
        for i in range(250):
            op = stroke(points=3_000, x=float(i), jagged=True)
            started = time.monotonic()
            await author.submit(op)
            seq = (await author.expect("ack", id=op.id)).seq
            await watcher.expect("committed", seq=seq)
            slowest = max(slowest, time.monotonic() - started)
            author.received.clear()
            watcher.received.clear()
            if any(m.type == "presence" and m.event == "left" for m in watcher.inbox):
                break
        assert slowest < 2.0, f"an ack or a committed op took {slowest:.2f} s"
        try:
            left = await watcher.expect("presence", event="left", timeout=5.0)
        except (AssertionError, TimeoutError):
            pytest.fail("the client that stopped reading is still in the room")
        assert left.peer == sleepy_peer

        newcomer = await joined(server, board_id, clients)
        welcome = next(m for m in newcomer.received if m.type == "welcome")
        assert sleepy_peer not in welcome.peers
        assert await sleepy.closed() in (CloseCode.FELL_BEHIND, None)
    finally:
        sleepy.close()
