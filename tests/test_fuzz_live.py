"""Random frames against a live ``inkroom serve``: random bytes, random msgpack structures and
mutated valid messages over several connections at once. The server must stay up (a fresh
client joins and draws), and the stored history may only grow by valid operations the fuzzing
connections sent, including every one they saw acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Iterator
from typing import Any

import httpx
import msgpack
import pytest
import websockets
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from server import protocol
from server.points import encode as encode_points
from server.protocol import ErrorCode, ProtocolError
from tests.live_server import LiveServer, running
from tests.wire import Guest, new_id, stroke

CONNECTIONS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {
        "INKROOM_JOIN_TIMEOUT_SECONDS": "2",
        "INKROOM_BOARDS_PER_ADDRESS_PER_HOUR": "100000",
        "INKROOM_PUBLIC_GALLERY": "true",  # the last test finds a fuzzed board in the list
    }
    with running(tmp_path_factory.mktemp("fuzz") / "inkroom.db", env) as live:
        yield live


# Strategies

KEYS = [
    "type", "op", "kind", "id", "x", "y", "points", "color", "width", "user", "name", "last_seq",
    "token", "stroke", "targets", "target", "text", "size", "shape", "x1", "y1", "x2", "y2",
    "dx", "dy", "peer", "tool", "fill", "object", "ended", "matrix", "to", "on", "left", "top",
    "right", "bottom",
]  # fmt: skip
TAGS = ["join", "live", "typing", "transforming", "drafting", "laser", "follow", "viewport",
        "cursor", "op", "kick", "welcome", "committed",
        "ack", "stroke", "shape", "text", "edit", "move", "transform", "style", "order", "erase",
        "undo", "redo", "clear"]  # fmt: skip

ids = st.from_regex(r"[A-Za-z0-9_-]{8,16}", fullmatch=True)
colors = st.from_regex(r"#[0-9a-f]{6}", fullmatch=True)
coordinates = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
widths = st.floats(min_value=0.5, max_value=200)
# Turned and scaled a little (never flat): what the select tool sends.
matrices = st.tuples(st.floats(-3.14, 3.14), st.floats(0.1, 10), coordinates, coordinates).map(
    lambda t: [
        t[1] * math.cos(t[0]), t[1] * math.sin(t[0]), -t[1] * math.sin(t[0]),
        t[1] * math.cos(t[0]), t[2], t[3],
    ]
)  # fmt: skip
points = st.lists(
    st.tuples(coordinates, coordinates, st.floats(0, 1)), min_size=1, max_size=12
).map(lambda triples: encode_points([value for triple in triples for value in triple]))
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats()
    | st.text(max_size=12)
    | st.binary(max_size=12)
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5),
    max_leaves=20,
)


def _op(kind: str, draw: Any) -> dict[str, Any]:
    op: dict[str, Any] = {"kind": kind, "id": draw(ids)}
    if kind == "stroke":
        op |= {"color": draw(colors), "width": draw(widths), "points": draw(points)}
    elif kind == "shape":
        shape = draw(st.sampled_from(["line", "arrow", "rect", "ellipse"]))
        corners = {k: draw(coordinates) for k in ("x1", "y1", "x2", "y2")}
        op |= {"shape": shape, **corners, "color": draw(colors), "width": draw(widths)}
    elif kind == "text":
        op |= {"x": draw(coordinates), "y": draw(coordinates), "text": draw(st.text(min_size=1)),
               "size": draw(st.floats(4, 400)), "color": draw(colors)}  # fmt: skip
    elif kind == "edit":
        op |= {"object": draw(ids), "text": draw(st.text(min_size=1))}
    elif kind in ("move", "erase"):
        op["targets"] = draw(st.lists(ids, min_size=1, max_size=4))
        if kind == "move":
            op |= {"dx": draw(coordinates), "dy": draw(coordinates)}
    elif kind in ("undo", "redo"):
        op["target"] = draw(ids)
    elif kind in ("transform", "style", "order"):
        op["targets"] = draw(st.lists(ids, min_size=1, max_size=4))
        if kind == "transform":
            op["matrix"] = draw(matrices)
        elif kind == "style":
            op |= {
                "color": draw(colors),
                "width": draw(widths),
                "fill": draw(colors | st.just("none")),
            }
        else:
            op["to"] = draw(st.sampled_from(["front", "back"]))
    return op


@st.composite
def valid_messages(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["join", "live", "typing", "transforming", "drafting", "laser",
                                 "follow", "viewport", "cursor", "kick", "op"]))  # fmt: skip
    if kind == "join":
        return {"type": "join", "user": draw(ids), "name": "Fuzzer", "color": draw(colors),
                "last_seq": draw(st.integers(0, 50)),
                "point_format": protocol.Limits.POINT_FORMAT}  # fmt: skip
    if kind == "live":
        return {"type": "live", "stroke": draw(ids), "color": draw(colors), "width": draw(widths),
                "points": draw(points)}  # fmt: skip
    if kind == "typing":
        return {"type": "typing", "id": draw(ids), "x": draw(coordinates), "y": draw(coordinates),
                "size": draw(st.floats(4, 400)), "color": draw(colors),
                "text": draw(st.text())}  # fmt: skip
    if kind == "cursor":
        return {"type": "cursor", "x": draw(coordinates), "y": draw(coordinates)}
    if kind == "transforming":
        return {"type": "transforming", "id": draw(ids), "matrix": draw(matrices),
                "targets": draw(st.lists(ids, min_size=1, max_size=4))}  # fmt: skip
    if kind == "drafting":
        return {"type": "drafting", "id": draw(ids),
                "shape": draw(st.sampled_from(["line", "arrow", "rect", "ellipse"])),
                "x1": draw(coordinates), "y1": draw(coordinates), "x2": draw(coordinates),
                "y2": draw(coordinates), "color": draw(colors), "width": draw(widths)}  # fmt: skip
    if kind == "laser":
        return {"type": "laser", "id": draw(ids), "color": draw(colors), "points": draw(points)}
    if kind == "follow":
        return {"type": "follow", "target": draw(st.integers(1, 1_000)), "on": draw(st.booleans())}
    if kind == "viewport":
        left, top = draw(coordinates), draw(coordinates)
        width, height = draw(st.floats(1, 1e4)), draw(st.floats(1, 1e4))
        return {"type": "viewport", "left": left, "top": top, "right": left + width,
                "bottom": top + height}  # fmt: skip
    if kind == "kick":
        return {"type": "kick", "peer": draw(st.integers(1, 1_000))}
    every_kind = ["stroke", "shape", "text", "edit", "move", "transform", "style", "order",
                  "erase", "undo", "redo", "clear"]  # fmt: skip
    op_kind = draw(st.sampled_from(every_kind))
    return {"type": "op", "op": _op(op_kind, draw)}


@st.composite
def valid_ops(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["stroke", "shape", "text", "edit", "move", "transform", "style",
                                 "order", "erase", "clear"]))  # fmt: skip
    return {"type": "op", "op": _op(kind, draw)}


def pack(value: Any) -> bytes:
    packed: bytes = msgpack.packb(value, use_single_float=False)
    return packed


@st.composite
def mutated_messages(draw: Any) -> bytes:
    message = draw(valid_messages())
    target = message["op"] if "op" in message and draw(st.booleans()) else message
    how = draw(st.sampled_from(["drop", "replace", "add", "retag", "flip", "truncate", "append"]))
    if how == "drop":
        del target[draw(st.sampled_from(sorted(target)))]
    elif how == "replace":
        target[draw(st.sampled_from(sorted(target)))] = draw(values)
    elif how == "add":
        target[draw(st.sampled_from(KEYS) | st.text(max_size=6))] = draw(values)
    elif how == "retag":
        target["kind" if "kind" in target else "type"] = draw(st.sampled_from(TAGS) | values)
    frame = pack(message)
    if how == "flip":
        at = draw(st.integers(0, len(frame) - 1))
        frame = frame[:at] + bytes((frame[at] ^ draw(st.integers(1, 255)),)) + frame[at + 1 :]
    elif how == "truncate":
        frame = frame[: draw(st.integers(0, len(frame) - 1))]
    elif how == "append":
        frame += draw(st.binary(min_size=1, max_size=8))
    return frame


frames = st.one_of(
    st.binary(max_size=200),
    values.map(pack),
    mutated_messages(),
    mutated_messages(),
    valid_messages().map(pack),
    valid_ops().map(pack),
    valid_ops().map(pack),
    st.text(max_size=40),  # a text frame
)
plans = st.lists(
    st.tuples(st.booleans(), st.lists(frames, min_size=1, max_size=6)),
    min_size=CONNECTIONS,
    max_size=CONNECTIONS,
)


# One example: the connections of a plan, each joined first or not, send their frames.


class Fuzzer:
    def __init__(self, url: str, join_first: bool, sent: list[bytes | str]) -> None:
        self.client = Guest(url, name="Fuzzer")
        self.join_first = join_first
        self.frames = sent
        self.user: str | None = None  # "" when the first message was no join
        self.second_joins = 0
        self.valid_ops: list[tuple[str, Any]] = []  # (author, op as it would be stored)

    async def run(self) -> None:
        await self.client.connect()
        if self.join_first:
            await self.client.send(
                protocol.Join(type="join", user=self.client.user, name="Fuzzer", color="#000000")
            )
            self.user = self.client.user
        with contextlib.suppress(websockets.ConnectionClosed):
            for frame in self.frames:
                self._note(frame)
                await self.client.send_raw(frame)
            await self._settle()

    def _note(self, frame: bytes | str) -> None:
        """What the server may store because of this frame, judged by the protocol module."""
        try:
            message = protocol.decode_client(frame) if isinstance(frame, bytes) else None
        except ProtocolError:
            message = None
        if self.user is None:  # the first message: anything but a join closes the connection
            self.user = message.user if isinstance(message, protocol.Join) else ""
        elif isinstance(message, protocol.Join):
            self.second_joins += 1
        elif self.user and isinstance(message, protocol.Submit):
            stored = protocol.decode_operation(protocol.encode_operation(message.op))
            self.valid_ops.append((self.user, stored))

    async def _settle(self) -> None:
        """Returns once the server has handled every frame: it has answered a second join sent
        after them (counting the fuzzed ones), or has closed the connection."""
        probe = protocol.Join(type="join", user=new_id(), name="Probe", color="#000000")
        await self.client.send(probe)
        for _ in range(self.second_joins + 1):
            await self.client.expect("error", code=ErrorCode.ALREADY_JOINED, timeout=10.0)

    def acks(self) -> dict[str, int]:
        return {m.id: m.seq for m in self.client.received if m.type == "ack"}


async def run_example(server: LiveServer, plan: list[tuple[bool, list[Any]]]) -> None:
    """One example on a board of its own, whose first operation is the witness's."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10.0) as http:
        url = server.ws_url((await http.post("/api/boards")).json()["id"])
    witness = Guest(url, name="Witness")
    fresh = Guest(url, name="Fresh")
    fuzzers = [Fuzzer(url, join_first, sent) for join_first, sent in plan]
    try:
        await witness.join(0)
        seed = stroke()
        await witness.submit(seed)
        before = [((await witness.expect("ack", id=seed.id)).seq, witness.user, seed)]
        await asyncio.gather(*(fuzzer.run() for fuzzer in fuzzers))
        assert server.process is not None and server.process.poll() is None, server.log()[-2000:]

        await fresh.join(0)  # the server still takes newcomers, who can draw
        drawn = stroke()
        await fresh.submit(drawn)
        drawn_seq = (await fresh.expect("ack", id=drawn.id)).seq
        assert (await witness.expect("committed", seq=drawn_seq)).op == drawn
        log = [(m.seq, m.author, m.op) for m in fresh.received if m.type == "committed"]
        log.append((drawn_seq, fresh.user, drawn))
    finally:
        for client in (witness, fresh, *(fuzzer.client for fuzzer in fuzzers)):
            await client.close()

    assert [seq for seq, _, _ in log] == list(range(1, len(log) + 1))
    assert log[: len(before)] == before, "a stored operation changed"
    valid = [entry for fuzzer in fuzzers for entry in fuzzer.valid_ops]
    added = log[len(before) : -1]
    event(f"fuzzed ops stored: {min(len(added), 3)}{'+' if len(added) >= 3 else ''}")
    event(f"fuzzers let in: {sum(bool(f.user) for f in fuzzers)}")
    for seq, author, op in added:
        assert (author, op) in valid, f"stored #{seq} by {author} was not a valid op sent: {op}"
    stored = {op.id: (seq, author) for seq, author, op in log}
    for fuzzer in fuzzers:
        for op_id, seq in fuzzer.acks().items():
            assert stored.get(op_id, (None, None))[0] == seq, f"acked {op_id} as {seq}, not stored"


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans)
def test_random_frames_on_several_connections_never_bring_down_the_server_or_alter_history(
    server: LiveServer, plan: list[tuple[bool, list[Any]]]
) -> None:
    asyncio.run(run_example(server, plan))


def test_the_fuzzed_server_still_serves_http(server: LiveServer) -> None:
    listed = httpx.get(f"{server.url}/api/boards", timeout=10.0)
    assert listed.status_code == 200 and listed.json()
    exported = httpx.get(f"{server.url}/api/boards/{listed.json()[0]['id']}/export.json")
    assert exported.status_code == 200 and exported.json()["operations"]
