"""The abuse catalogue: hostile and broken clients against a real ``inkroom serve``.

Every case names its exact answer (close code, ``error`` code, HTTP status), then checks that
two clients already on the board keep drawing and seeing each other, and that the stored
history is what it was plus what was legitimately added. Cases share one server; each case
uses boards and a loopback source address of its own, so that per-address limits and the
board-creation budget of one case never touch another.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import struct
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import msgpack
import pytest
import websockets

from server import protocol
from server.points import encode as encode_points
from server.protocol import CloseCode, ErrorCode, Limits
from tests.live_server import LiveServer, running
from tests.wire import Guest, StalledReader, new_id, stored_log, stroke

FLOOD_TOLERANCE = 10
OPERATIONS_BURST = 40
EPHEMERAL_BURST = 20
BOARD_CONNECTIONS = 6
ADDRESS_CONNECTIONS = 10
BOARDS_PER_HOUR = 25

CATALOGUE_ENV = {
    "INKROOM_JOIN_TIMEOUT_SECONDS": "1",
    "INKROOM_FLOOD_TOLERANCE": str(FLOOD_TOLERANCE),
    "INKROOM_OPERATIONS_PER_SECOND": "5",
    "INKROOM_OPERATIONS_BURST": str(OPERATIONS_BURST),
    "INKROOM_LIVE_PER_SECOND": "1",
    "INKROOM_LIVE_BURST": str(EPHEMERAL_BURST),
    "INKROOM_CURSORS_PER_SECOND": "1",
    "INKROOM_CURSORS_BURST": str(EPHEMERAL_BURST),
    "INKROOM_MAX_CONNECTIONS_PER_BOARD": str(BOARD_CONNECTIONS),
    "INKROOM_MAX_CONNECTIONS_PER_ADDRESS": str(ADDRESS_CONNECTIONS),
    "INKROOM_BOARDS_PER_ADDRESS_PER_HOUR": str(BOARDS_PER_HOUR),
    "INKROOM_CLIENT_QUEUE_BYTES": str(256 * 1024),
    # The creation-rate case counts the boards that were made, in the list of all.
    "INKROOM_PUBLIC_GALLERY": "true",
}

Log = list[tuple[int, str, Any]]


def _serve(path: Path, env: dict[str, str]) -> Iterator[LiveServer]:
    with running(path / "inkroom.db", env) as live:
        yield live


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The server most cases share: low rate, connection and creation limits, 1 s to join."""
    yield from _serve(tmp_path_factory.mktemp("catalogue"), CATALOGUE_ENV)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Boards of at most 4 operations; connections idle for 2 s are closed."""
    env = {"INKROOM_MAX_BOARD_OPERATIONS": "4", "INKROOM_IDLE_TIMEOUT_SECONDS": "2"}
    yield from _serve(tmp_path_factory.mktemp("small"), env)


_addresses = itertools.count(1)


def fresh_address() -> str:
    """A loopback address no other case connects from (all of 127/8 reaches the server)."""
    n = next(_addresses)
    return f"127.0.{n // 250 + 1}.{n % 250 + 1}"


class Bench:
    """The boards and clients of one case, all from one loopback address of its own."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.source = fresh_address()
        self.opened: list[Guest] = []
        self.http = httpx.AsyncClient(
            base_url=server.url,
            timeout=10.0,
            transport=httpx.AsyncHTTPTransport(local_address=self.source),
        )

    async def board(self, title: str = "Abuse") -> str:
        response = await self.http.post("/api/boards", json={"title": title})
        assert response.status_code == 201, response.text
        board_id: str = response.json()["id"]
        return board_id

    def guest(self, board_id: str, **options: Any) -> Guest:
        options.setdefault("source", self.source)
        client = Guest(self.server.ws_url(board_id), **options)
        self.opened.append(client)
        return client

    async def joined(self, board_id: str, **options: Any) -> Guest:
        client = self.guest(board_id, **options)
        await client.join()
        return client

    async def log(self, board_id: str) -> Log:
        return await stored_log(self.server.ws_url(board_id), source=self.source)

    async def close(self) -> None:
        for client in self.opened:
            await client.close()
        await self.http.aclose()


async def _bench(server: LiveServer) -> AsyncIterator[Bench]:
    bench = Bench(server)
    try:
        yield bench
    finally:
        await bench.close()


@pytest.fixture
async def bench(catalogue: LiveServer) -> AsyncIterator[Bench]:
    async for opened in _bench(catalogue):
        yield opened


@pytest.fixture
async def small_bench(small: LiveServer) -> AsyncIterator[Bench]:
    async for opened in _bench(small):
        yield opened


def live_points() -> protocol.Live:
    return protocol.Live(
        type="live", stroke=new_id(), color="#123456", width=2.0,
        points=encode_points([0.0, 0.0, 1.0]),
    )  # fmt: skip


@dataclass
class Witnesses:
    """Two clients on a board that each stored an operation before the abuse starts."""

    bench: Bench
    board_id: str
    a: Guest
    b: Guest
    before: Log = field(default_factory=list)

    @classmethod
    async def gather(cls, bench: Bench) -> Witnesses:
        board_id = await bench.board()
        a = await bench.joined(board_id, name="Ann")
        b = await bench.joined(board_id, name="Bob")
        await expect_presence(a, "joined", b.user)
        for author, reader in ((a, b), (b, a)):
            op = stroke()
            await author.submit(op)
            seq = (await author.expect("ack", id=op.id)).seq
            await reader.expect("committed", seq=seq)
        before = await bench.log(board_id)
        assert [seq for seq, _, _ in before] == [1, 2]
        return cls(bench, board_id, a, b, before)

    async def left(self, client: Guest) -> Any:
        """The ``left`` presence of ``client`` as ``a`` receives it."""
        return await expect_presence(self.a, "left", client.user)

    async def assert_unharmed(self, added: Log | None = None) -> Log:
        """a and b still draw and see each other's ops and live ink, and the stored history is
        the one from before plus ``added`` plus their two new ops. Returns the stored history."""
        new: Log = []
        for author, reader in ((self.a, self.b), (self.b, self.a)):
            op = stroke(x=7.0)
            await author.submit(op)
            seq = (await author.expect("ack", id=op.id)).seq
            assert (await reader.expect("committed", seq=seq)).op == op
            new.append((seq, author.user, op))
        live = live_points()
        await self.b.send(live)
        await self.a.expect("live", stroke=live.stroke)
        after = await self.bench.log(self.board_id)
        expected = [*self.before, *(added or []), *new]
        assert after == sorted(expected, key=lambda entry: entry[0])
        assert [seq for seq, _, _ in after] == list(range(1, len(after) + 1))
        return after

    def joined_users(self, client: Guest) -> list[str]:
        """Who ``client`` saw arrive, history readers aside."""
        return [
            m.peer.user
            for m in client.received
            if m.type == "presence" and m.event == "joined" and m.peer.name != "History reader"
        ]


async def expect_presence(client: Guest, event: str, user: str, timeout: float = 5.0) -> Any:
    """The next ``presence`` of that event about that user; others stay in the inbox."""
    deadline = time.monotonic() + timeout
    while True:
        for message in client.inbox:
            if message.type == "presence" and (message.event, message.peer.user) == (event, user):
                client.inbox.remove(message)
                return message
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no presence {event} of {user}; inbox: {client.inbox}"
        await client.pull(remaining)


def errors_of(client: Guest) -> list[tuple[str, str | None]]:
    return [(m.code, m.id) for m in client.received if m.type == "error"]


# Frames built by hand: msgpack with 64-bit floats (so NaN, infinities and big numbers travel as
# they are), and byte-level surgery for what a msgpack library will not produce.


def pack(value: Any) -> bytes:
    packed: bytes = msgpack.packb(value, use_single_float=False)
    return packed


def stroke_op(**fields: Any) -> dict[str, Any]:
    op = {
        "kind": "stroke", "id": new_id(), "color": "#1e1e1e", "width": 4.0,
        "points": encode_points([0.0, 0.0, 0.5, 1.0, 1.0, 0.5]),
    }  # fmt: skip
    return {**op, **fields}


def shape_op(**fields: Any) -> dict[str, Any]:
    op = {
        "kind": "shape", "id": new_id(), "shape": "rect", "x1": 0.0, "y1": 0.0, "x2": 10.0,
        "y2": 10.0, "color": "#1e1e1e", "width": 2.0,
    }  # fmt: skip
    return {**op, **fields}


def text_op(**fields: Any) -> dict[str, Any]:
    op = {
        "kind": "text", "id": new_id(), "x": 1.0, "y": 2.0, "text": "hello", "size": 16.0,
        "color": "#1e1e1e",
    }  # fmt: skip
    return {**op, **fields}


def submit(op: dict[str, Any]) -> bytes:
    return pack({"type": "op", "op": op})


def join_frame(**fields: Any) -> bytes:
    join = {"type": "join", "user": new_id(), "name": "Mallory", "color": "#000000",
            "point_format": protocol.Limits.POINT_FORMAT}  # fmt: skip
    return pack({**join, **fields})


def with_raw_text(frame: bytes, placeholder: str, raw: bytes) -> bytes:
    """Replace the bytes of a text ``placeholder`` with ``raw`` (same length): invalid UTF-8."""
    encoded = placeholder.encode()
    assert len(raw) == len(encoded) and frame.count(encoded) == 1
    return frame.replace(encoded, raw)


def nested_maps(depth: int) -> bytes:
    return b"\x81\xa4kind" * depth + b"\x01"


SUBMIT_HEAD = b"\x82\xa4type\xa2op\xa2op"  # {"type": "op", "op": <what follows>}
NAN, INF = float("nan"), float("inf")


@dataclass(frozen=True)
class Bad:
    """A frame and the exact answer to it: a close code, after an ``error`` if ``error``."""

    case: str
    frame: bytes | str
    close: int
    error: str | None = ErrorCode.INVALID_MESSAGE

    def param(self) -> Any:
        return pytest.param(self.frame, self.close, self.error, id=self.case)


INVALID = CloseCode.INVALID_PAYLOAD
BAD_FRAMES = [
    # Not msgpack at all
    Bad("malformed msgpack (reserved byte 0xc1)", b"\xc1", INVALID),
    Bad("truncated frame", submit(stroke_op())[:-7], INVALID),
    Bad("trailing bytes after the message", submit(stroke_op()) + b"\x00", INVALID),
    Bad("empty frame", b"", INVALID),
    Bad("frame of exactly the size limit holding garbage", b"\x00" * Limits.MAX_FRAME_BYTES,
        INVALID),
    Bad("frame one byte over the size limit", b"\x00" * (Limits.MAX_FRAME_BYTES + 1), 1009, None),
    Bad("text frame", "hello", CloseCode.UNSUPPORTED_DATA, None),
    Bad("text frame holding a valid op as JSON",
        json.dumps({"type": "op", "op": stroke_op()}, default=list),
        CloseCode.UNSUPPORTED_DATA, None),
    Bad("array header announcing 4 billion items", b"\xdd\xff\xff\xff\xff", INVALID),
    Bad("map header announcing 4 billion entries", b"\xdf\xff\xff\xff\xff", INVALID),
    Bad("string header announcing 2 GB", b"\xdb\x7f\xff\xff\xff", INVALID),
    Bad("arrays nested 100,000 deep", b"\x91" * 100_000 + b"\xc0", INVALID),
    Bad("maps nested 1,000 deep inside an op", SUBMIT_HEAD + nested_maps(1_000), INVALID),
    Bad("msgpack extension type", b"\xd6\xff\x00\x00\x00\x00", INVALID),
    Bad("binary where a string belongs", pack({"type": b"cursor", "x": 1.0, "y": 2.0}), INVALID),
    Bad("a map of 17 entries", pack({f"k{i}": i for i in range(17)}), INVALID),
    # msgpack, but not a message
    Bad("nil instead of a map", b"\xc0", INVALID),
    Bad("an array instead of a map", pack(["op", stroke_op()]), INVALID),
    Bad("an integer map key", pack({1: "cursor"}), INVALID),
    Bad("no type", pack({"x": 1.0, "y": 2.0}), INVALID),
    Bad("type that is not a string", pack({"type": 7}), INVALID),
    Bad("unknown message type", pack({"type": "delete_board"}), INVALID),
    Bad("a server message sent to the server (forged committed)",
        pack({"type": "committed", "seq": 1, "author": new_id(), "op": stroke_op()}), INVALID),
    Bad("extra field on a message", pack({"type": "cursor", "x": 1.0, "y": 2.0, "admin": True}),
        INVALID),
    Bad("extra field on an op (choosing its own seq)", submit(stroke_op(seq=1)), INVALID),
    Bad("extra field on an op (claiming another author)", submit(stroke_op(author="someone-else")),
        INVALID),
    Bad("unknown op kind", submit({"kind": "drop_table", "id": new_id()}), INVALID),
    Bad("op without its color", submit({k: v for k, v in stroke_op().items() if k != "color"}),
        INVALID),
    Bad("op that is a list", pack({"type": "op", "op": [stroke_op()]}), INVALID),
    Bad("undo without a target", submit({"kind": "undo", "id": new_id()}), INVALID),
    # Wrong types and values
    Bad("coordinate as a string", pack({"type": "cursor", "x": "1", "y": 2.0}), INVALID),
    Bad("coordinate as a boolean", pack({"type": "cursor", "x": True, "y": 2.0}), INVALID),
    Bad("points as a map", submit(stroke_op(points={"x": 1.0})), INVALID),
    Bad("points as a list of numbers (the old form)",
        submit(stroke_op(points=[0.0, 0.0, 0.5])), INVALID),
    Bad("points as a string", submit(stroke_op(points="\x00\x00\x01")), INVALID),
    Bad("+infinity in a cursor", pack({"type": "cursor", "x": INF, "y": 0.0}), INVALID),
    Bad("-infinity in a shape", submit(shape_op(x2=-INF)), INVALID),
    Bad("NaN width", submit(stroke_op(width=NAN)), INVALID),
    Bad("live points as a list of numbers",
        pack({**live_points().model_dump(), "points": [0.0, 0.0, 0.5]}), INVALID),
    Bad("duplicate key whose later value is NaN",
        b"\x83\xa4type\xa6cursor\xa1x\x01\xa1x" + struct.pack(">Bd", 0xCB, NAN), INVALID),
    Bad("coordinate beyond 10,000,000", submit(text_op(x=Limits.MAX_COORDINATE + 1)), INVALID),
    Bad("integer coordinate of 2**64-1", pack({"type": "cursor", "x": 2**64 - 1, "y": 0}), INVALID),
    # Malformed point bytes (server/points.py)
    Bad("pressure above 255", submit(stroke_op(points=bytes([0, 0, 0x80, 0x04]))), INVALID),
    Bad("pressure below 0", submit(stroke_op(points=bytes([0, 0, 1]))), INVALID),
    Bad("pressure pushed below 0 by its difference",
        submit(stroke_op(points=bytes([0, 0, 2, 0, 0, 5]))), INVALID),
    Bad("points not in x, y, pressure triples", submit(stroke_op(points=bytes([0, 0]))), INVALID),
    Bad("stroke without points", submit(stroke_op(points=b"")), INVALID),
    Bad("a truncated varint", submit(stroke_op(points=bytes([0, 0, 0x80]))), INVALID),
    Bad("a varint of 6 bytes", submit(stroke_op(points=bytes([0xFF] * 5 + [0x01, 0, 0]))),
        INVALID),
    Bad("a coordinate beyond 10,000,000 (first point)",
        submit(stroke_op(points=bytes([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0]))), INVALID),
    Bad("a coordinate driven beyond 10,000,000 by its second differences",
        submit(stroke_op(points=bytes([0, 0, 0]) + bytes([0xFE, 0xFF, 0xFF, 0x3F, 0, 0]) * 3)),
        INVALID),
    Bad("live points that are not triples", pack({**live_points().model_dump(), "points": b"\x00"}),
        INVALID),
    Bad("points of 400 kB (within a frame, over the bytes 10,000 points may take)",
        submit(stroke_op(points=b"\x00" * 400_000)), INVALID),
    Bad("width below the minimum", submit(stroke_op(width=0.1)), INVALID),
    Bad("unknown tool", submit(stroke_op(tool="flamethrower")), INVALID),
    Bad("color that smuggles CSS", submit(stroke_op(color="red;background:url(//x)")), INVALID),
    Bad("op id with path traversal", submit(stroke_op(id="../../etc/passwd")), INVALID),
    Bad("op id shorter than 8 characters", submit(stroke_op(id="abc")), INVALID),
    Bad("kick of peer 0", pack({"type": "kick", "peer": 0}), INVALID),
    # Over the size limits
    Bad("stroke of 10,001 points (over the points limit)",
        submit(stroke_op(points=bytes(3 * (Limits.MAX_STROKE_POINTS + 1)))), INVALID),
    Bad("live message of 1,001 points",
        pack({**live_points().model_dump(), "points": bytes(3 * (Limits.MAX_LIVE_POINTS + 1))}),
        INVALID),
    Bad("erase of 1,001 targets",
        submit({"kind": "erase", "id": new_id(), "targets": [new_id() for _ in range(1_001)]}),
        INVALID),
    Bad("text of 2,001 characters", submit(text_op(text="x" * (Limits.MAX_TEXT_CHARS + 1))),
        INVALID),
    # Invalid UTF-8
    Bad("invalid UTF-8 in a text op", with_raw_text(submit(text_op(text="PLACEH")), "PLACEH",
        b"ok\xff\xfe!!"), INVALID),
    Bad("UTF-8 encoded surrogate in a text op", with_raw_text(submit(text_op(text="PLAC")), "PLAC",
        b"\xed\xa0\x80!"), INVALID),
]  # fmt: skip


@pytest.mark.parametrize(("frame", "close", "error"), [bad.param() for bad in BAD_FRAMES])
async def test_a_bad_frame_closes_only_its_sender_and_changes_nothing_stored(
    bench: Bench, frame: bytes | str, close: int, error: str | None
) -> None:
    w = await Witnesses.gather(bench)
    bad = await bench.joined(w.board_id, name="Mallory")
    await bad.send_raw(frame)
    assert (await bad.closed())[0] == close
    assert errors_of(bad) == ([(error, None)] if error else [])
    await w.left(bad)
    await w.assert_unharmed()


BAD_JOINS = [
    Bad("an op before join", submit(stroke_op()), INVALID),
    Bad("a cursor before join", pack({"type": "cursor", "x": 1.0, "y": 1.0}), INVALID),
    Bad("malformed msgpack before join", b"\x93\xc1", INVALID),
    Bad("a text frame before join", "join", CloseCode.UNSUPPORTED_DATA, None),
    Bad("an oversized frame before join", b"\x00" * (Limits.MAX_FRAME_BYTES + 1), 1009, None),
    Bad("invalid UTF-8 in the name", with_raw_text(join_frame(name="PLACEH"), "PLACEH",
        b"Ma\xffory"), INVALID),
    Bad("overlong UTF-8 encoding of '<' in the name", with_raw_text(join_frame(name="PLACEH"),
        "PLACEH", b"\xc0\xbcscr>"), INVALID),
    Bad("a bell character in the name", join_frame(name="Mal\x07lory"), INVALID),
    Bad("an ANSI escape sequence in the name", join_frame(name="Mal\x1b[31mlory"), INVALID),
    Bad("a newline in the name", join_frame(name="Mal\nlory"), INVALID),
    Bad("a NUL in the name", join_frame(name="Mal\x00lory"), INVALID),
    Bad("a C1 control character (U+009B) in the name", join_frame(name="Mal\x9b31mlory"), INVALID),
    Bad("a leading blank in the name", join_frame(name=" Mallory"), INVALID),
    Bad("an empty name", join_frame(name=""), INVALID),
    Bad("a name of 41 characters", join_frame(name="M" * (Limits.MAX_NAME_CHARS + 1)), INVALID),
    Bad("a user id with path traversal", join_frame(user="../../../etc"), INVALID),
    Bad("a user id with a NUL", join_frame(user="mallory\x00admin"), INVALID),
    Bad("a negative last_seq", join_frame(last_seq=-1), INVALID),
    Bad("a last_seq that is not an integer", join_frame(last_seq=1.5), INVALID),
    Bad("a link token with SQL in it", join_frame(token="' OR 1=1 --"), INVALID),
    Bad("a join without a color", pack({"type": "join", "user": new_id(), "name": "Mallory"}),
        INVALID),
    Bad("a join with a role field", join_frame(role="owner"), INVALID),
]  # fmt: skip


@pytest.mark.parametrize(("frame", "close", "error"), [bad.param() for bad in BAD_JOINS])
async def test_a_bad_first_message_is_refused_before_the_room_hears_of_the_sender(
    bench: Bench, frame: bytes | str, close: int, error: str | None
) -> None:
    w = await Witnesses.gather(bench)
    bad = bench.guest(w.board_id)
    await bad.connect()
    await bad.send_raw(frame)
    assert await refusal_code(bad) == close
    assert errors_of(bad) == ([(error, None)] if error else [])
    await w.assert_unharmed()
    assert w.joined_users(w.a) == [w.b.user], "the room heard of the refused client"


async def refusal_code(client: Guest) -> int | None:
    """The close code of a connection that must be refused: fails at once on anything but an
    ``error`` (a ``welcome`` means the client was let in)."""
    assert client.ws is not None
    try:
        while True:
            for message in await client.pull(5.0):
                assert message.type == "error", f"the server let it in: {message}"
    except websockets.ConnectionClosed:
        pass
    return client.ws.close_code


# Markup and odd text: stored and relayed verbatim (the browser renders it inert, checked by a
# Playwright test); here it must round-trip unchanged, and the SVG export must escape it.

MARKUP = [
    pytest.param("<script>alert(1)</script>", id="script tag"),
    pytest.param("<img src=x onerror=alert(1)>", id="img onerror"),
    pytest.param('"><svg onload=alert(1)>', id="attribute breakout"),
    pytest.param("javascript:alert(document.cookie)", id="javascript URL"),
    pytest.param("{{7*7}} ${7*7} <%= 7*7 %>", id="template injection"),
    pytest.param("Robert'); DROP TABLE operations;--", id="SQL injection"),
    pytest.param("gnp.exe \u200b\u200d\ufeff", id="zero-width characters"),
    pytest.param(
        "Z\u0337\u0322a\u0336l\u0337g\u0338o 👩\u200d💻 \U0001d518\U0001d52b\U0001d526",
        id="combining marks and astral",
    ),
    pytest.param("&lt;b&gt; &#60;i&#62; ]]><![CDATA[x]]>", id="entities and CDATA"),
]


@pytest.mark.parametrize("markup", MARKUP)
async def test_markup_in_names_titles_and_text_round_trips_verbatim(
    bench: Bench, markup: str
) -> None:
    board_id = await bench.board(title=markup)
    a = await bench.joined(board_id, name=markup)
    b = await bench.joined(board_id)
    welcome = next(m for m in b.received if m.type == "welcome")
    assert (welcome.title, [p.name for p in welcome.peers]) == (markup, [markup])
    text = protocol.TextOp(
        kind="text", id=new_id(), x=5, y=5, text=f"{markup}\n{markup}", size=20, color="#000000"
    )
    await a.submit(text)
    seq = (await a.expect("ack", id=text.id)).seq
    assert (await b.expect("committed", seq=seq)).op == text
    assert await bench.log(board_id) == [(seq, a.user, text)]

    document = (await bench.http.get(f"/api/boards/{board_id}/export.json")).json()
    assert document["title"] == markup
    assert document["operations"][0]["op"]["text"] == text.text
    response = await bench.http.get(f"/api/boards/{board_id}/export.svg")
    assert response.status_code == 200
    svg = ElementTree.fromstring(response.text)  # escaped: it parses, and holds no markup
    assert not [
        e.tag for e in svg.iter() if e.tag.split("}")[-1] in ("script", "img", "foreignObject")
    ]
    assert markup in "".join(svg.itertext())
    await a.close()
    assert (await expect_presence(b, "left", a.user)).peer.name == markup


@pytest.mark.parametrize(
    ("title", "text"),
    [
        pytest.param("bell\x07 vt\x0b esc\x1b", "plain", id="control characters in the title"),
        pytest.param("Plain", "bell\x07 vt\x0b esc\x1b", id="control characters in a text"),
        pytest.param("Plain", "nul\x00here", id="a NUL in a text"),
        pytest.param("Plain", "C1\x85\x9b and \ufffe", id="C1 controls and a noncharacter"),
    ],
)
async def test_control_characters_in_a_text_or_title_are_refused_or_still_export_valid_svg(
    bench: Bench, title: str, text: str
) -> None:
    """XML cannot hold most control characters: the server may refuse them (HTTP 422, or
    ``invalid_message`` and 1007) or store them, but the SVG export (the gallery thumbnail)
    must stay well-formed."""
    created = await bench.http.post("/api/boards", json={"title": title})
    assert created.status_code in (201, 422), created.text
    board_id = created.json()["id"] if created.status_code == 201 else await bench.board()
    a = await bench.joined(board_id)
    op = text_op(text=text)
    await a.send_raw(submit(op))
    answer = (await a.pull())[0]
    if answer.type == "ack":
        assert [(entry[1], entry[2].text) for entry in await bench.log(board_id)] == [
            (a.user, text)
        ]
    else:
        assert (answer.code, await refusal_code(a)) == (ErrorCode.INVALID_MESSAGE, INVALID)
        assert await bench.log(board_id) == []
    response = await bench.http.get(f"/api/boards/{board_id}/export.svg")
    assert response.status_code == 200
    try:
        ElementTree.fromstring(response.text)
    except ElementTree.ParseError as error:
        pytest.fail(f"export.svg (the gallery thumbnail) is not well-formed XML: {error}")


# Refused operations: an error naming the op, the connection stays open, nothing is stored.


@dataclass
class Refusal:
    sender: Guest
    message: Any
    code: str
    op_id: str | None
    stored: Log = field(default_factory=list)  # what the scenario stored on purpose first


async def store(client: Guest, op: Any) -> tuple[int, str, Any]:
    await client.submit(op)
    return ((await client.expect("ack", id=op.id)).seq, client.user, op)


def undo(target: str, kind: str = "undo") -> Any:
    return protocol.operation_adapter.validate_python(
        {"kind": kind, "id": new_id(), "target": target}
    )


async def _undo_of_another_users_op(w: Witnesses) -> Refusal:
    a_op = w.before[0][2]
    op = undo(a_op.id)
    return Refusal(w.b, protocol.Submit(type="op", op=op), ErrorCode.FORBIDDEN, op.id)


async def _redo_of_another_users_op(w: Witnesses) -> Refusal:
    stored = await store(w.a, undo(w.before[0][2].id))
    op = undo(w.before[0][2].id, "redo")
    return Refusal(w.b, protocol.Submit(type="op", op=op), ErrorCode.FORBIDDEN, op.id, [stored])


async def _undo_of_an_undo(w: Witnesses) -> Refusal:
    stored = await store(w.a, undo(w.before[0][2].id))
    op = undo(stored[2].id)
    return Refusal(w.a, protocol.Submit(type="op", op=op), ErrorCode.FORBIDDEN, op.id, [stored])


async def _undo_of_an_unknown_op(w: Witnesses) -> Refusal:
    op = undo(new_id())
    return Refusal(w.a, protocol.Submit(type="op", op=op), ErrorCode.UNKNOWN_TARGET, op.id)


async def _redo_of_an_unknown_op(w: Witnesses) -> Refusal:
    op = undo(new_id(), "redo")
    return Refusal(w.a, protocol.Submit(type="op", op=op), ErrorCode.UNKNOWN_TARGET, op.id)


async def _undo_of_own_op_on_another_board(w: Witnesses) -> Refusal:
    elsewhere = await w.bench.joined(await w.bench.board(), user=w.a.user)
    mine = stroke()
    await store(elsewhere, mine)
    op = undo(mine.id)
    return Refusal(w.a, protocol.Submit(type="op", op=op), ErrorCode.UNKNOWN_TARGET, op.id)


async def _undo_of_itself(w: Witnesses) -> Refusal:
    op_id = new_id()
    op = protocol.UndoOp(kind="undo", id=op_id, target=op_id)
    return Refusal(w.a, protocol.Submit(type="op", op=op), ErrorCode.UNKNOWN_TARGET, op_id)


async def _op_id_of_another_user(w: Witnesses) -> Refusal:
    a_op = w.before[0][2]
    op = stroke(x=50.0).model_copy(update={"id": a_op.id})
    return Refusal(w.b, protocol.Submit(type="op", op=op), ErrorCode.DUPLICATE_ID, a_op.id)


async def _same_op_replayed_by_another_user(w: Witnesses) -> Refusal:
    a_op = w.before[0][2]
    return Refusal(w.b, protocol.Submit(type="op", op=a_op), ErrorCode.DUPLICATE_ID, a_op.id)


async def _second_join(w: Witnesses) -> Refusal:
    join = protocol.Join(type="join", user=new_id(), name="Twice", color="#000000")
    return Refusal(w.a, join, ErrorCode.ALREADY_JOINED, None)


async def _kick_from_an_editor(w: Witnesses) -> Refusal:
    peer = next(m.peer for m in w.b.received if m.type == "welcome")
    return Refusal(w.a, protocol.Kick(type="kick", peer=peer), ErrorCode.FORBIDDEN, None)


async def _kick_of_nobody_from_an_editor(w: Witnesses) -> Refusal:
    return Refusal(w.a, protocol.Kick(type="kick", peer=2**52), ErrorCode.FORBIDDEN, None)


REFUSALS = [
    pytest.param(_undo_of_another_users_op, id="undo of another user's op"),
    pytest.param(_redo_of_another_users_op, id="redo of another user's op"),
    pytest.param(_undo_of_an_undo, id="undo of an undo"),
    pytest.param(_undo_of_an_unknown_op, id="undo of an unknown op"),
    pytest.param(_redo_of_an_unknown_op, id="redo of an unknown op"),
    pytest.param(_undo_of_own_op_on_another_board, id="undo of an op on another board"),
    pytest.param(_undo_of_itself, id="undo of itself"),
    pytest.param(_op_id_of_another_user, id="op id of another user"),
    pytest.param(_same_op_replayed_by_another_user, id="another user's op replayed verbatim"),
    pytest.param(_second_join, id="second join"),
    pytest.param(_kick_from_an_editor, id="kick from an editor"),
    pytest.param(_kick_of_nobody_from_an_editor, id="kick of an unknown peer"),
]


@pytest.mark.parametrize("scenario", REFUSALS)
async def test_a_refused_request_gets_its_error_and_the_sender_keeps_its_connection(
    bench: Bench, scenario: Callable[[Witnesses], Awaitable[Refusal]]
) -> None:
    w = await Witnesses.gather(bench)
    refusal = await scenario(w)
    await refusal.sender.send(refusal.message)
    error = await refusal.sender.expect("error", code=refusal.code)
    assert error.id == refusal.op_id
    # The sender is still on the board: its next op is stored (assert_unharmed draws with it).
    await w.assert_unharmed(added=refusal.stored)
    assert refusal.op_id not in [m.id for m in refusal.sender.received if m.type == "ack"]
    assert errors_of(refusal.sender) == [(refusal.code, refusal.op_id)]


# Replays: the same author sending an op id again gets the original ack, and it is stored once.


async def _resent_on_the_same_connection(w: Witnesses, op: Any) -> Guest:
    await w.a.submit(op)
    return w.a


async def _resent_after_reconnecting(w: Witnesses, op: Any) -> Guest:
    again = await w.bench.joined(w.board_id, user=w.a.user)
    await again.submit(op)
    return again


async def _resent_from_a_second_connection(w: Witnesses, op: Any) -> Guest:
    return await _resent_after_reconnecting(w, op)


async def _resent_with_altered_content(w: Witnesses, op: Any) -> Guest:
    await w.a.submit(
        op.model_copy(update={"color": "#ff0000", "points": encode_points([9.0, 9.0, 1.0])})
    )
    return w.a


async def _resent_with_another_kind(w: Witnesses, op: Any) -> Guest:
    await w.a.submit(protocol.ClearOp(kind="clear", id=op.id))
    return w.a


async def _sent_twice_back_to_back(w: Witnesses, op: Any) -> Guest:
    await w.a.submit(op)
    await w.a.submit(op)
    return w.a


REPLAYS = [
    pytest.param(_resent_on_the_same_connection, 1, id="resent on the same connection"),
    pytest.param(_resent_after_reconnecting, 1, id="resent after reconnecting"),
    pytest.param(_resent_with_altered_content, 1, id="same id with altered content"),
    pytest.param(_resent_with_another_kind, 1, id="same id with another kind"),
    pytest.param(_sent_twice_back_to_back, 2, id="sent twice back to back"),
]


@pytest.mark.parametrize(("replay", "extra_acks"), REPLAYS)
async def test_a_replayed_op_id_is_acked_with_its_original_seq_and_stored_once(
    bench: Bench, replay: Callable[[Witnesses, Any], Awaitable[Guest]], extra_acks: int
) -> None:
    w = await Witnesses.gather(bench)
    original = stroke(x=3.0)
    stored = await store(w.a, original)
    await w.b.expect("committed", seq=stored[0])
    sender = await replay(w, original)
    seqs = [(await sender.expect("ack", id=original.id)).seq for _ in range(extra_acks)]
    assert seqs == [stored[0]] * extra_acks
    after = await w.assert_unharmed(added=[stored])
    assert [m.seq for m in w.b.received if m.type == "committed"].count(stored[0]) == 1
    assert [op for _, _, op in after].count(original) == 1
    assert errors_of(sender) == []


# Board ids: traversal, NUL, homoglyphs and over-long ids never reach another board.


def _swap_case(real: str) -> str:
    assert real.swapcase() != real
    return real.swapcase()


# Latin letters and the Cyrillic letters that look the same.
HOMOGLYPHS = dict(zip("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ", strict=True))  # noqa: RUF001


def _homoglyph(real: str) -> str:
    """The real id with its first look-alike letter swapped for the Cyrillic one."""
    index = next(i for i, c in enumerate(real) if c in HOMOGLYPHS)
    return real[:index] + quote(HOMOGLYPHS[real[index]]) + real[index + 1 :]


def _fullwidth(real: str) -> str:
    return "".join(
        "".join(f"%{b:02X}" for b in chr(ord(c) + 0xFEE0).encode()) if c.isalnum() else c
        for c in real
    )


REFUSED_UPGRADE = 403
BOARD_IDS: list[Any] = [
    pytest.param(lambda real: "..%2F..", REFUSED_UPGRADE, id="..%2F.. (traversal)"),
    pytest.param(lambda real: f"..%2F..%2Fapi%2Fboards%2F{real}", REFUSED_UPGRADE,
                 id="traversal back to the real board"),
    pytest.param(lambda real: f"{real}/", REFUSED_UPGRADE, id="trailing slash"),
    pytest.param(lambda real: f"{real}%2F..", REFUSED_UPGRADE, id="encoded slash after the id"),
    pytest.param(lambda real: "%2e%2e", CloseCode.BOARD_NOT_FOUND, id="encoded dot-dot"),
    pytest.param(lambda real: "%00", CloseCode.BOARD_NOT_FOUND, id="a NUL byte"),
    pytest.param(lambda real: f"{real}%00", CloseCode.BOARD_NOT_FOUND, id="the real id and a NUL"),
    pytest.param(lambda real: f"{real}%E2%80%8B", CloseCode.BOARD_NOT_FOUND,
                 id="the real id and a zero-width space"),
    pytest.param(_swap_case, CloseCode.BOARD_NOT_FOUND, id="the real id in swapped case"),
    pytest.param(_homoglyph, CloseCode.BOARD_NOT_FOUND, id="a Cyrillic homoglyph in the real id"),
    pytest.param(_fullwidth, CloseCode.BOARD_NOT_FOUND, id="the real id in fullwidth letters"),
    pytest.param(lambda real: "x'%20OR%20'1'='1", CloseCode.BOARD_NOT_FOUND, id="SQL injection"),
    pytest.param(lambda real: "%FF%FE%FD", CloseCode.BOARD_NOT_FOUND, id="invalid UTF-8"),
    pytest.param(lambda real: real + "A" * 43, CloseCode.BOARD_NOT_FOUND, id="65 characters"),
    pytest.param(lambda real: "A" * 8_000, CloseCode.BOARD_NOT_FOUND, id="8,000 characters"),
]  # fmt: skip


async def _upgrade_answer(url: str, source: str, headers: dict[str, str] | None = None) -> int:
    """An HTTP status if the upgrade is refused, else the close code after sending nothing."""
    try:
        ws = await websockets.connect(
            url, compression=None, proxy=None, additional_headers=headers,
            local_addr=(source, 0), open_timeout=5,
        )  # fmt: skip
    except websockets.InvalidStatus as refused:
        return refused.response.status_code
    async with ws:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5.0)
        assert ws.close_code is not None
        return ws.close_code


@pytest.mark.parametrize(("make_id", "answer"), BOARD_IDS)
async def test_a_socket_for_a_tricky_board_id_never_reaches_a_board(
    bench: Bench, make_id: Callable[[str], str], answer: int
) -> None:
    w = await Witnesses.gather(bench)
    url = f"ws://127.0.0.1:{bench.server.port}/ws/boards/{make_id(w.board_id)}"
    assert await _upgrade_answer(url, bench.source) == answer
    await w.assert_unharmed()
    assert w.joined_users(w.a) == [w.b.user]


HTTP_IDS: list[Any] = [
    pytest.param(lambda real: "..%2F..", (404,), id="..%2F.. (traversal)"),
    pytest.param(lambda real: f"..%2F..%2Fboards%2F{real}", (404,), id="traversal to the board"),
    pytest.param(lambda real: "%2e%2e", (422,), id="encoded dot-dot"),
    pytest.param(lambda real: "%00" * 10, (422,), id="NUL bytes"),
    pytest.param(lambda real: f"{real}%00", (422,), id="the real id and a NUL"),
    pytest.param(_swap_case, (404,), id="the real id in swapped case"),
    pytest.param(_homoglyph, (422,), id="a Cyrillic homoglyph in the real id"),
    pytest.param(_fullwidth, (422,), id="the real id in fullwidth letters"),
    pytest.param(lambda real: "%FF%FE%FD%FC%FB%FA%F9%F8", (422,), id="invalid UTF-8"),
    pytest.param(lambda real: "A" * 10_000, (422,), id="10,000 characters"),
]  # fmt: skip
HTTP_ROUTES = [
    ("GET", ""), ("GET", "/export.json"), ("GET", "/export.svg"), ("PATCH", ""),
    ("DELETE", ""), ("POST", "/links/editor"), ("DELETE", "/links/viewer"),
]  # fmt: skip


@pytest.mark.parametrize(("make_id", "statuses"), HTTP_IDS)
async def test_the_http_api_answers_a_tricky_board_id_with_404_or_422_never_500(
    bench: Bench, make_id: Callable[[str], str], statuses: tuple[int, ...]
) -> None:
    w = await Witnesses.gather(bench)
    board_id = make_id(w.board_id)
    for method, suffix in HTTP_ROUTES:
        body = {"title": "pwned"} if method == "PATCH" else None
        response = await bench.http.request(method, f"/api/boards/{board_id}{suffix}", json=body)
        assert response.status_code in statuses, (method, suffix, response.text)
        assert "detail" in response.json()
    await w.assert_unharmed()
    assert (await bench.http.get(f"/api/boards/{w.board_id}")).json()["title"] == "Abuse"


ORIGINS: list[Any] = [
    pytest.param("https://evil.example", 403, id="another site"),
    pytest.param("null", 403, id="null (sandboxed frame or file page)"),
    pytest.param("http://127.0.0.1:{port}.evil.example", 403, id="our host as a prefix"),
    pytest.param("http://localhost:{port}", 403, id="another name for the host"),
    pytest.param("http://127.0.0.1:{port}", None, id="the app's own origin"),
    pytest.param("https://127.0.0.1:{port}", None, id="the app's own origin over https"),
]


@pytest.mark.parametrize(("origin", "status"), ORIGINS)
async def test_a_foreign_origin_is_refused_before_the_upgrade(
    bench: Bench, origin: str, status: int | None
) -> None:
    w = await Witnesses.gather(bench)
    headers = {"Origin": origin.format(port=bench.server.port)}
    visitor = bench.guest(w.board_id, headers=headers)
    if status is None:
        await visitor.join()
        await expect_presence(w.a, "joined", visitor.user)
    else:
        with pytest.raises(websockets.InvalidStatus) as refused:
            await visitor.join()
        assert refused.value.response.status_code == status
        assert json.loads(refused.value.response.body) == {"detail": "origin not allowed"}
    await w.assert_unharmed()


# Floods


@pytest.mark.parametrize("kind", ["cursor", "live"])
async def test_a_flood_of_cursors_or_live_points_is_dropped_then_closed_4429(
    bench: Bench, kind: str
) -> None:
    w = await Witnesses.gather(bench)
    flooder = await bench.joined(w.board_id, name="Flood")
    peer = (await expect_presence(w.a, "joined", flooder.user)).peer.peer
    message: Any = (
        protocol.Cursor(type="cursor", x=1.0, y=2.0) if kind == "cursor" else live_points()
    )
    frame = protocol.encode_client(message)
    for _ in range(300):
        await flooder.send_raw(frame)
    assert (await flooder.closed())[0] == CloseCode.RATE_LIMITED
    assert errors_of(flooder) == [(ErrorCode.RATE_LIMITED, None)]
    await w.left(flooder)
    await w.assert_unharmed()
    relayed = [m for m in w.a.received if m.type == kind and m.peer == peer]
    # The burst got through (a token or two may refill meanwhile); the rest was dropped.
    assert EPHEMERAL_BURST <= len(relayed) <= EPHEMERAL_BURST + 2


async def test_a_flood_of_ops_is_refused_with_their_ids_then_closed_4429(bench: Bench) -> None:
    w = await Witnesses.gather(bench)
    flooder = await bench.joined(w.board_id, name="Flood")
    sent = [stroke(x=float(i)) for i in range(OPERATIONS_BURST + 3 * FLOOD_TOLERANCE)]
    for op in sent:
        await flooder.submit(op)
    assert (await flooder.closed())[0] == CloseCode.RATE_LIMITED
    refused = [op_id for code, op_id in errors_of(flooder) if code == ErrorCode.RATE_LIMITED]
    assert refused[-1] is None, "the last error is the flood's, without an id"
    refused = refused[:-1]
    assert len(refused) == FLOOD_TOLERANCE
    # Ops accepted before the close may still be on their way to disk: one more op from a
    # witness queues behind them.
    marker = await store(w.a, stroke())
    log = await bench.log(w.board_id)
    flooded = [op for _, author, op in log if author == flooder.user]
    # What was stored is a prefix of what was sent, and the refused ops follow it at once.
    assert OPERATIONS_BURST <= len(flooded) <= OPERATIONS_BURST + 2
    assert flooded == sent[: len(flooded)]
    assert refused == [op.id for op in sent[len(flooded) : len(flooded) + FLOOD_TOLERANCE]]
    acked = {m.id: m.seq for m in flooder.received if m.type == "ack"}
    assert all((seq, flooder.user, op) in log for op in sent if (seq := acked.get(op.id)))
    await w.assert_unharmed(added=[marker, *(entry for entry in log if entry[1] == flooder.user)])


async def test_ops_refused_for_rate_are_not_stored_and_are_accepted_when_sent_again_later(
    bench: Bench,
) -> None:
    w = await Witnesses.gather(bench)
    eager = await bench.joined(w.board_id, name="Eager")
    sent = [stroke(x=float(i)) for i in range(OPERATIONS_BURST + 4)]
    for op in sent:
        await eager.submit(op)
    answers: dict[str, Any] = {}
    while len(answers) < len(sent):
        await eager.pull()
        for message in [m for m in eager.inbox if m.type in ("ack", "error")]:
            eager.inbox.remove(message)
            assert message.id not in answers, "two answers to one op"
            answers[message.id] = message
    refused = [op for op in sent if answers[op.id].type == "error"]
    assert {answers[op.id].code for op in refused} == {ErrorCode.RATE_LIMITED}
    assert 1 <= len(refused) <= 4 and refused == sent[-len(refused) :]
    log = await bench.log(w.board_id)
    assert not {op.id for op in refused} & {op.id for _, _, op in log}

    await asyncio.sleep(len(refused) / 5 + 0.3)  # 5 operations a second come back
    for op in refused:
        await eager.submit(op)
    resent = [(await eager.expect("ack", id=op.id)).seq for op in refused]
    stored = [entry for entry in await bench.log(w.board_id) if entry[1] == eager.user]
    assert [op for _, _, op in stored] == sent
    assert [seq for seq, _, _ in stored[-len(refused) :]] == resent
    await w.assert_unharmed(added=stored)


async def _pipelined_creations(
    server: LiveServer, source: str, count: int, headers: str = ""
) -> list[tuple[int, dict[str, str]]]:
    """``count`` board creations pipelined on one keep-alive connection: (status, headers)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port, local_addr=(source, 0))
    body = json.dumps({"title": f"spam from {source}"}).encode()
    request = (
        f"POST /api/boards HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{headers}\r\n"
    ).encode() + body
    writer.write(request * count)
    answers: list[tuple[int, dict[str, str]]] = []
    try:
        while len(answers) < count:
            status = int((await reader.readline()).split()[1])
            fields: dict[str, str] = {}
            while (line := await reader.readline()) != b"\r\n":
                name, _, value = line.decode().partition(":")
                fields[name.strip().lower()] = value.strip()
            await reader.readexactly(int(fields["content-length"]))
            answers.append((status, fields))
    finally:
        writer.close()
        await writer.wait_closed()
    return answers


async def test_a_burst_of_1000_board_creations_from_one_address_is_cut_off_with_429(
    bench: Bench,
) -> None:
    w = await Witnesses.gather(bench)
    spammer = fresh_address()
    bursts = await asyncio.gather(
        *(_pipelined_creations(bench.server, spammer, 100) for _ in range(10))
    )
    statuses = [status for burst in bursts for status, _ in burst]
    assert (statuses.count(201), statuses.count(429)) == (BOARDS_PER_HOUR, 1_000 - BOARDS_PER_HOUR)
    refused = [fields for burst in bursts for status, fields in burst if status == 429]
    assert all(int(fields["retry-after"]) > 0 for fields in refused)
    # A forged X-Forwarded-For from an untrusted address does not reset the count.
    forged = await _pipelined_creations(
        bench.server, spammer, 1, "X-Forwarded-For: 203.0.113.7\r\n"
    )
    assert forged[0][0] == 429
    assert (await bench.http.post("/api/boards")).status_code == 201, "another address was cut off"
    listed = (await bench.http.get("/api/boards", params={"limit": 200})).json()
    assert [b["title"] for b in listed].count(f"spam from {spammer}") == BOARDS_PER_HOUR
    await w.assert_unharmed()


# Connection limits


async def test_connections_over_the_per_board_limit_are_closed_4430(bench: Bench) -> None:
    w = await Witnesses.gather(bench)
    others = [await bench.joined(w.board_id) for _ in range(BOARD_CONNECTIONS - 2)]
    extra = bench.guest(w.board_id)
    await extra.connect()
    assert await extra.closed() == (CloseCode.TOO_MANY_CONNECTIONS, "this board is full")
    elsewhere = await bench.joined(await bench.board())  # other boards still take people
    await others[0].close()
    await _until_admitted(bench, w.board_id)
    await elsewhere.close()
    await others[1].close()
    await w.assert_unharmed()


async def _until_admitted(bench: Bench, board_id: str, **options: Any) -> Guest:
    """The server frees a seat when the session behind it ends: retry for a moment."""
    deadline = time.monotonic() + 5.0
    while True:
        late = bench.guest(board_id, **options)
        try:
            await late.join()
            return late
        except websockets.ConnectionClosed:
            assert time.monotonic() < deadline, "the seat was never freed"
            await asyncio.sleep(0.1)


async def test_connections_over_the_per_address_limit_are_closed_4430(bench: Bench) -> None:
    w = await Witnesses.gather(bench)
    crowd = fresh_address()
    boards = [w.board_id, await bench.board(), await bench.board()]
    opened = [await bench.joined(boards[i % 3], source=crowd) for i in range(ADDRESS_CONNECTIONS)]
    extra = bench.guest(await bench.board(), source=crowd)
    await extra.connect()
    assert await extra.closed() == (
        CloseCode.TOO_MANY_CONNECTIONS,
        "too many connections from your address",
    )
    await bench.joined(boards[1])  # another address is still welcome
    await opened[-1].close()
    await _until_admitted(bench, boards[2], source=crowd)
    await w.assert_unharmed()


# Clients that stop reading, vanish, or never finish opening


async def test_a_client_that_stops_reading_is_dropped_while_the_others_keep_pace(
    bench: Bench,
) -> None:
    w = await Witnesses.gather(bench)
    sleepy = StalledReader(bench.server.ws_url(w.board_id))
    try:
        await sleepy.join()
        sleepy_peer = (await expect_presence(w.b, "joined", sleepy.user)).peer
        # 100 kB strokes: the kernel buffers about 4 MB before the server's queue grows at all.
        added: Log = []
        slowest = 0.0
        for i in range(50):
            author, reader = (w.a, w.b) if i % 2 == 0 else (w.b, w.a)
            op = stroke(points=Limits.MAX_STROKE_POINTS, x=float(i), jagged=True)
            started = time.monotonic()
            seq = (await store(author, op))[0]
            await reader.expect("committed", seq=seq)
            slowest = max(slowest, time.monotonic() - started)
            added.append((seq, author.user, op))
            for client in (w.a, w.b):
                client.received = [m for m in client.received if m.type != "committed"]
        assert slowest < 2.0, f"an ack or a committed op took {slowest:.2f} s"
        left = await expect_presence(w.b, "left", sleepy.user, timeout=10.0)
        assert left.peer == sleepy_peer
        assert await sleepy.closed() in (CloseCode.FELL_BEHIND, None)
    finally:
        sleepy.close()
    await w.assert_unharmed(added=added)


def _vanish_with_reset(client: Guest) -> None:
    assert client.ws is not None
    sock = client.ws.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.ws.transport.abort()


def _vanish_with_fin(client: Guest) -> None:
    assert client.ws is not None
    client.ws.transport.close()  # TCP FIN, but no WebSocket close frame


@pytest.mark.parametrize(
    "vanish", [_vanish_with_reset, _vanish_with_fin], ids=["TCP reset", "TCP FIN without close"]
)
async def test_a_client_that_vanishes_without_closing_is_announced_as_left(
    bench: Bench, vanish: Callable[[Guest], None]
) -> None:
    w = await Witnesses.gather(bench)
    ghost = await bench.joined(w.board_id, name="Ghost")
    await store(ghost, stroke())
    vanish(ghost)
    await w.left(ghost)
    await w.assert_unharmed(added=[e for e in await bench.log(w.board_id) if e[1] == ghost.user])
    newcomer = await bench.joined(w.board_id)
    welcome = next(m for m in newcomer.received if m.type == "welcome")
    assert ghost.user not in [p.user for p in welcome.peers]


def _raw_socket(server: LiveServer, source: str) -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", server.port))
    return sock


async def _tcp_only(bench: Bench, board_id: str) -> tuple[list[socket.socket], int | None]:
    return [_raw_socket(bench.server, bench.source) for _ in range(30)], None


async def _half_a_request(bench: Bench, board_id: str) -> tuple[list[socket.socket], int | None]:
    sock = _raw_socket(bench.server, bench.source)
    sock.sendall(
        f"GET /ws/boards/{board_id} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n".encode()
    )
    return [sock], None


async def _handshake_without_join(bench: Bench, board_id: str) -> Guest:
    silent = bench.guest(board_id)
    await silent.connect()
    return silent


async def _join_frame_never_finished(bench: Bench, board_id: str) -> Guest:
    client = await _handshake_without_join(bench, board_id)
    assert client.ws is not None
    # A masked binary frame announcing 256 bytes, of which 10 arrive.
    client.ws.transport.write(b"\x82\xfe\x01\x00" + b"\x00" * 4 + join_frame()[:10])
    return client


async def _join_fragment_never_continued(bench: Bench, board_id: str) -> Guest:
    client = await _handshake_without_join(bench, board_id)
    assert client.ws is not None
    head = join_frame()[:20]
    client.ws.transport.write(bytes((0x02, 0x80 | len(head))) + b"\x00" * 4 + head)  # FIN unset
    return client


async def close_received(client: Guest, timeout: float = 5.0) -> int:
    """The code of the close frame the server sent, without waiting for the closing handshake
    to finish (a client that left a frame half-sent cannot finish it)."""
    assert client.ws is not None
    deadline = time.monotonic() + timeout
    while (close := client.ws.protocol.close_rcvd) is None:
        assert time.monotonic() < deadline, "the server did not close the connection"
        await asyncio.sleep(0.02)
    return close.code


HALF_OPEN: list[Any] = [
    pytest.param(_tcp_only, None, id="30 TCP connections that send nothing"),
    pytest.param(_half_a_request, None, id="half an HTTP upgrade request"),
    pytest.param(_handshake_without_join, CloseCode.JOIN_TIMEOUT, id="handshake, then no join"),
    pytest.param(_join_frame_never_finished, CloseCode.JOIN_TIMEOUT, id="join frame cut short"),
    pytest.param(_join_fragment_never_continued, CloseCode.JOIN_TIMEOUT,
                 id="join fragment never continued"),
]  # fmt: skip


@pytest.mark.parametrize(("open_halfway", "close"), HALF_OPEN)
async def test_a_half_open_connection_does_not_hold_up_the_board(
    bench: Bench, open_halfway: Callable[[Bench, str], Awaitable[Any]], close: int | None
) -> None:
    w = await Witnesses.gather(bench)
    started = time.monotonic()
    opened = await open_halfway(bench, w.board_id)
    try:
        newcomer = await bench.joined(w.board_id)  # joining and drawing go on meanwhile
        await w.assert_unharmed()
        if close is not None:
            assert await close_received(opened) == close
            assert time.monotonic() - started >= 0.9, "closed before the join deadline"
    finally:
        if close is None:
            for sock in opened[0]:
                sock.close()
        else:  # its own half-sent frame would swallow its answer to the close
            opened.ws.transport.abort()
    await newcomer.close()
    assert w.joined_users(w.a) == [w.b.user, newcomer.user], "a half-open client joined"


# Quotas and timeouts (on a server of their own, as the settings are server-wide)


async def test_a_full_board_refuses_ops_with_board_full_and_still_acks_replays(
    small_bench: Bench,
) -> None:
    bench = small_bench
    board_id = await bench.board()
    a = await bench.joined(board_id)
    b = await bench.joined(board_id)
    stored = [await store(a, stroke(x=float(i))) for i in range(3)]
    stored.append(await store(b, stroke()))
    for client in (a, b):
        op = stroke()
        await client.submit(op)
        assert (await client.expect("error", id=op.id)).code == ErrorCode.BOARD_FULL
    first = stored[0][2]
    await a.submit(first)  # a replay takes no room
    assert (await a.expect("ack", id=first.id)).seq == 1
    cursor = protocol.Cursor(type="cursor", x=3.0, y=4.0)
    await a.send(cursor)  # still connected, still live
    assert (await b.expect("cursor")).x == 3.0
    assert await bench.log(board_id) == stored
    other = await bench.joined(await bench.board())
    await store(other, stroke())


async def test_an_idle_connection_is_closed_4008_and_a_busy_one_stays(small_bench: Bench) -> None:
    bench = small_bench
    board_id = await bench.board()
    idle = await bench.joined(board_id)
    busy = await bench.joined(board_id)
    started = time.monotonic()

    async def keep_busy() -> None:
        while True:
            await busy.send(protocol.Cursor(type="cursor", x=1.0, y=1.0))
            await asyncio.sleep(0.5)

    pinging = asyncio.create_task(keep_busy())
    try:
        assert (await idle.closed(timeout=6.0))[0] == CloseCode.IDLE
        assert 1.8 <= time.monotonic() - started < 4.0
        await asyncio.sleep(1.0)
        stored = await store(busy, stroke())
    finally:
        pinging.cancel()
    assert await bench.log(board_id) == [stored]


async def test_a_close_in_the_middle_of_a_fragmented_message_is_answered_with_a_normal_close(
    bench: Bench,
) -> None:
    """Autobahn TestSuite's case 7.1.5: the peer's close (1000) comes after the first fragment of
    a message; RFC 6455 has the server echo it, not fail the connection (1002)."""
    board_id = await bench.board()
    client = await bench.joined(board_id)
    assert client.ws is not None
    fragment = bytes((0x02, 0x80 | 5)) + b"\x00" * 4 + b"ink.."  # FIN unset
    close = bytes((0x88, 0x80 | 2)) + b"\x00" * 4 + CloseCode.NORMAL.to_bytes(2, "big")
    client.ws.transport.write(fragment + close)
    assert await close_received(client) == CloseCode.NORMAL


async def test_a_client_offering_compression_gets_none(bench: Bench) -> None:
    """permessage-deflate stays off: it cost ~800x in p99 latency on a busy room, and a
    compressed frame could inflate past the size limit before it is checked."""
    board_id = await bench.board()
    async with websockets.connect(bench.server.ws_url(board_id), compression="deflate") as ws:
        assert ws.response is not None
        assert "Sec-WebSocket-Extensions" not in ws.response.headers


# An upgrade request whose path is over 8 KiB (the line limit of websockets' handshake parser,
# which left it unanswered). The server is stopped and started again, so this runs on the small
# server, last.


def _answer_to_upgrade(sock: socket.socket) -> str:
    """The status line of the answer, and the close code that follows a 101, read within the
    small server's 2 s idle timeout."""
    sock.settimeout(1.5)
    received = b""
    try:
        while b"\r\n\r\n" not in received or (
            received.startswith(b"HTTP/1.1 101") and len(received.split(b"\r\n\r\n", 1)[1]) < 4
        ):
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    except TimeoutError:
        pass
    if not received:
        return "nothing in 1.5 s"
    head, _, frames = received.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode()
    if status.startswith("HTTP/1.1 101") and frames[:1] == b"\x88" and len(frames) >= 4:
        return f"{status}, then close {int.from_bytes(frames[2:4], 'big')}"
    return status


async def test_an_upgrade_with_a_path_over_8_kib_is_answered_and_shutdown_stays_graceful(
    small: LiveServer, small_bench: Bench
) -> None:
    bench = small_bench
    board_id = await bench.board()
    a = await bench.joined(board_id)
    stored = await store(a, stroke())
    sock = _raw_socket(small, bench.source)
    try:
        sock.sendall(
            f"GET /ws/boards/{'A' * 9_000} HTTP/1.1\r\nHost: 127.0.0.1:{small.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
        )
        answer = _answer_to_upgrade(sock)
        await a.send(protocol.Cursor(type="cursor", x=0.0, y=0.0))
        assert small.process is not None
        small.process.terminate()  # with that connection still open
        code, _ = await a.closed(timeout=10.0)
        exit_status = await asyncio.to_thread(small.process.wait, 15)
    finally:
        sock.close()
        small.kill()
    seen = f"upgrade answer: {answer!r}; close code {code}; exit status {exit_status}"
    await asyncio.to_thread(small.start)
    assert await bench.log(board_id) == [stored]
    # Not a board id, so no such board: refused like any unknown board (after the upgrade, so
    # that a browser learns the code), or by the HTTP parser.
    unknown_board = f"HTTP/1.1 101 Switching Protocols, then close {CloseCode.BOARD_NOT_FOUND}"
    assert answer == unknown_board or answer.startswith("HTTP/1.1 4"), seen
    assert code in (CloseCode.GOING_AWAY, CloseCode.SERVICE_RESTART), seen
    assert exit_status in (0, -15), seen
