"""The wire protocol: every message round-trips; bad frames fail with ProtocolError only."""

from __future__ import annotations

import math
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import protocol
from server.points import encode as encode_points
from server.protocol import Limits, ProtocolError

STROKE = protocol.StrokeOp(
    kind="stroke",
    id="stroke-0001",
    color="#112233",
    width=3.0,
    points=encode_points([1.0, 2.0, 0.5]),
)
OPERATIONS: list[Any] = [
    STROKE,
    protocol.StrokeOp(
        kind="stroke", id="stroke-0002", tool="highlighter", color="#ffcc00", width=16.0,
        points=encode_points([0.0, 0.0, 0.25, 10.5, -3.25, 1.0]),
    ),
    protocol.ShapeOp(
        kind="shape", id="shape-0001", shape="arrow", x1=0, y1=0, x2=10, y2=20,
        color="#000000", width=2.0,
    ),
    protocol.ShapeOp(
        kind="shape", id="shape-0002", shape="rect", x1=-5, y1=-5, x2=5, y2=5,
        color="#000000", width=2.0, fill="#ff0000",
    ),
    protocol.TextOp(
        kind="text", id="text-00001", x=1, y=2, text="hi\nthere", size=24, color="#000000"
    ),
    protocol.MoveOp(kind="move", id="move-00001", targets=["stroke-0001"], dx=1.5, dy=-2.0),
    protocol.EraseOp(kind="erase", id="erase-0001", targets=["stroke-0001", "shape-0001"]),
    protocol.UndoOp(kind="undo", id="undo-00001", target="stroke-0001"),
    protocol.RedoOp(kind="redo", id="redo-00001", target="stroke-0001"),
    protocol.ClearOp(kind="clear", id="clear-0001"),
]  # fmt: skip
CLIENT_MESSAGES: list[Any] = [
    protocol.Join(type="join", user="user-0001", name="Ada", color="#e03131"),
    protocol.Join(
        type="join", user="user-0001", name="Ada", color="#e03131", last_seq=7, token="t" * 32
    ),
    protocol.Live(
        type="live",
        stroke="stroke-0001",
        color="#000000",
        width=2,
        points=encode_points([1, 2, 0.5]),
    ),
    protocol.Cursor(type="cursor", x=-10.5, y=3),
    protocol.Kick(type="kick", peer=3),
    *(protocol.Submit(type="op", op=op) for op in OPERATIONS),
]
PEER = protocol.Peer(peer=1, user="user-0001", name="Ada", color="#e03131")
SERVER_MESSAGES: list[Any] = [
    protocol.Welcome(
        peer=2, color="#2f9e44", board="board-0001", title="A board", head_seq=9, peers=[PEER],
        role="editor", protected=False, locked=False,
    ),
    *(protocol.Committed(seq=i + 1, author="user-0001", op=op) for i, op in enumerate(OPERATIONS)),
    protocol.Synced(head_seq=9),
    protocol.Ack(id="stroke-0001", seq=4),
    protocol.Presence(event="joined", peer=PEER),
    protocol.PeerLive(peer=1, stroke="stroke-0001", color="#000000", width=2,
                  points=encode_points([1, 2, 0.5])),
    protocol.PeerCursor(peer=1, x=1, y=2),
    protocol.BoardInfo(title="Renamed", locked=True),
    protocol.Error(code="forbidden", reason="no", id="undo-00001"),
    protocol.Error(code="invalid_message", reason="bad"),
]  # fmt: skip


@pytest.mark.parametrize("message", CLIENT_MESSAGES, ids=lambda m: m.type)
def test_every_client_message_survives_a_round_trip(message: Any) -> None:
    assert protocol.decode_client(protocol.encode_client(message)) == message


@pytest.mark.parametrize("message", SERVER_MESSAGES, ids=lambda m: m.type)
def test_every_server_message_survives_a_round_trip_in_a_frame(message: Any) -> None:
    frame = protocol.frame([protocol.encode_server(message)])
    assert protocol.decode_server_frame(frame) == [message]


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.kind)
def test_committed_built_around_a_stored_payload_equals_the_encoded_model(op: Any) -> None:
    spliced = protocol.encode_committed(12, "user-0001", protocol.encode_operation(op))
    modelled = protocol.encode_server(protocol.Committed(seq=12, author="user-0001", op=op))
    assert msgpack.unpackb(spliced) == msgpack.unpackb(modelled)
    assert protocol.decode_operation(protocol.encode_operation(op)) == op


@pytest.mark.parametrize("peers", [0, 1, 20])
def test_a_welcome_around_encoded_peers_equals_the_encoded_model(peers: int) -> None:
    listed = [
        protocol.Peer(peer=n + 2, user=f"user-{n:04d}", name=f"Person {n}", color="#1971c2")
        for n in range(peers)
    ]
    welcome = protocol.Welcome(
        peer=1, color="#e03131", board="board-0001", title="Sketches", head_seq=3, peers=listed,
        role="editor", protected=False, locked=False,
    )  # fmt: skip
    spliced = protocol.encode_welcome(welcome, [protocol.encode_peer(p) for p in listed])
    assert protocol.decode_server_frame(protocol.frame([spliced])) == [welcome]


def test_relayed_live_points_and_cursors_equal_the_encoded_models() -> None:
    points = encode_points([1.0, 2.0, 0.5, 3.0, 4.0, 0.6])
    live = protocol.Live(type="live", stroke="stroke-0001", color="#1971c2", width=3.5,
                         points=points)  # fmt: skip
    relayed = protocol.PeerLive(peer=7, stroke="stroke-0001", color="#1971c2", width=3.5,
                                points=points)  # fmt: skip
    assert protocol.encode_peer_live(7, live) == protocol.encode_server(relayed)
    cursor = protocol.Cursor(type="cursor", x=1.5, y=-2.0)
    moved = protocol.PeerCursor(peer=7, x=1.5, y=-2.0)
    assert protocol.encode_peer_cursor(7, cursor) == protocol.encode_server(moved)


@pytest.mark.parametrize("count", [1, 15, 16, 65_535, 65_536])
def test_a_frame_holds_any_number_of_messages(count: int) -> None:
    ack = protocol.encode_server(protocol.Ack(id="stroke-0001", seq=1))
    assert len(protocol.decode_server_frame(protocol.frame([ack] * count))) == count


def packed(value: Any) -> bytes:
    data: bytes = msgpack.packb(value)
    return data


def op_frame(**fields: Any) -> bytes:
    op = {"kind": "stroke", "id": "stroke-0001", "color": "#000000", "width": 2.0}
    op.update(fields)
    return packed({"type": "op", "op": {k: v for k, v in op.items() if v is not None}})


POINT = encode_points([1, 2, 0.5])


def cursor(x: Any) -> bytes:
    return packed({"type": "cursor", "x": x, "y": 0})


def join(**fields: Any) -> bytes:
    message = {"type": "join", "user": "user-0001", "name": "Ada", "color": "#000000"}
    message.update(fields)
    return packed(message)


BAD_FRAMES = {
    "not msgpack": (b"\xc1", "not valid msgpack"),
    "truncated": (packed({"type": "cursor", "x": 1, "y": 2})[:-3], "not valid msgpack"),
    "trailing bytes": (cursor(1) + b"\x00", "not valid msgpack"),
    "a list at the top": (packed([1, 2]), "message"),
    "unknown type": (packed({"type": "paint"}), "does not match"),
    "no type": (packed({"x": 1}), "Unable to extract tag"),
    "extra field": (packed({"type": "cursor", "x": 1, "y": 2, "z": 3}), "cursor.z"),
    "missing field": (packed({"type": "cursor", "x": 1}), "cursor.y"),
    "NaN": (cursor(math.nan), "finite"),
    "infinity": (cursor(math.inf), "finite"),
    "minus infinity": (cursor(-math.inf), "finite"),
    "beyond the board": (cursor(Limits.MAX_COORDINATE * 2), "less than or equal"),
    "a string for a number": (cursor("1"), "valid number"),
    "a bool for a number": (cursor(True), "valid number"),
    "points as a list of numbers": (op_frame(points=[1.0, 2.0, 0.5]), "bytes"),
    "points not in triples": (op_frame(points=bytes([2, 4, 1, 8])), "triples"),
    "pressure above 255": (op_frame(points=bytes([2, 4, 0x80, 0x04])), "pressure"),
    "a truncated varint": (op_frame(points=bytes([2, 4, 0x81])), "truncated"),
    "a varint of 6 bytes": (op_frame(points=bytes([0x80] * 5 + [1, 2, 2])), "longer"),
    "a coordinate beyond the board": (
        op_frame(
            points=encode_points([Limits.MAX_COORDINATE, 0, 0.5, Limits.MAX_COORDINATE + 1, 0, 0.5])
        ),
        "out of range",
    ),
    "too many points": (
        op_frame(points=encode_points([1.0, 2.0, 0.5] * (Limits.MAX_STROKE_POINTS + 1))),
        "points",
    ),
    "no points": (op_frame(points=b""), "points"),
    "bad color": (op_frame(points=POINT, color="red"), "color"),
    "width zero": (op_frame(points=POINT, width=0), "width"),
    "id too short": (op_frame(points=POINT, id="abc"), "id"),
    "id with a slash": (op_frame(points=POINT, id="../../etc/x"), "id"),
    "id with unicode": (op_frame(points=POINT, id="strøke-0001"), "id"),
    "unknown op kind": (packed({"type": "op", "op": {"kind": "paint", "id": "x" * 10}}), "op"),
    "too many erase targets": (
        packed(
            {
                "type": "op",
                "op": {
                    "kind": "erase",
                    "id": "erase-0001",
                    "targets": ["target-01"] * (Limits.MAX_ERASE_TARGETS + 1),
                },
            }
        ),
        "targets",
    ),
    "text too long": (
        packed(
            {
                "type": "op",
                "op": {
                    "kind": "text",
                    "id": "text-00001",
                    "x": 0,
                    "y": 0,
                    "text": "x" * (Limits.MAX_TEXT_CHARS + 1),
                    "size": 20,
                    "color": "#000000",
                },
            }
        ),
        "text",
    ),
    "name with a control character": (join(name="Ada\x07"), "name"),
    "name with a leading blank": (join(name=" Ada"), "name"),
    "name too long": (join(name="A" * (Limits.MAX_NAME_CHARS + 1)), "name"),
    "invalid UTF-8": (
        b"\x83\xa4type\xa4join\xa4user\xa9user-0001\xa4name\xa2\xff\xfe",
        "not valid msgpack",
    ),
    "bytes for a string": (join(name=b"Ada"), "name"),
    "an ext type": (packed({"type": "cursor", "x": msgpack.ExtType(1, b"x"), "y": 0}), ""),
    "deep nesting": (b"\x91" * 100_000, "not valid msgpack"),
    "over the size limit": (b"\x00" * (Limits.MAX_FRAME_BYTES + 1), "too large"),
}


@pytest.mark.parametrize("frame,reason", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_a_bad_frame_is_refused_with_a_reason(frame: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        protocol.decode_client(frame)
    assert reason in str(refused.value)
    assert len(str(refused.value).encode()) <= 123, "reasons become close reasons"


msgpack_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats()
    | st.text(max_size=20) | st.binary(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)  # fmt: skip
typed_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(["join", "live", "cursor", "op", "kick"])},
    optional={
        "x": msgpack_values, "y": msgpack_values, "op": msgpack_values, "user": msgpack_values,
        "name": msgpack_values, "color": msgpack_values, "points": msgpack_values,
    },
)  # fmt: skip


def decodes_or_refuses(frame: bytes) -> None:
    try:
        message = protocol.decode_client(frame)
    except ProtocolError:
        return
    assert isinstance(message, protocol.Message)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_random_bytes_raise_nothing_but_protocol_errors(frame: bytes) -> None:
    decodes_or_refuses(frame)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(msgpack_values | typed_messages)
def test_random_msgpack_values_raise_nothing_but_protocol_errors(value: Any) -> None:
    decodes_or_refuses(packed(value))


def test_a_style_that_sets_nothing_and_a_flattening_transform_are_refused_with_reasons() -> None:
    empty = {"type": "op", "op": {"kind": "style", "id": "style-0001", "targets": ["stroke-0001"]}}
    with pytest.raises(protocol.ProtocolError, match="at least one of"):
        protocol.decode_client(msgpack.packb(empty))
    for matrix, why in [([0.0, 0.0, 0.0, 0.0, 1.0, 1.0], "determinant"),
                        ([5000.0, 0.0, 0.0, 1.0, 1.0, 1.0], "scales at most")]:  # fmt: skip
        op = {"kind": "transform", "id": "transform-1", "targets": ["stroke-01"], "matrix": matrix}
        with pytest.raises(protocol.ProtocolError, match=why):
            protocol.decode_client(msgpack.packb({"type": "op", "op": op}))
