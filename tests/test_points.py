"""The compact points codec (server/points.py) and its browser twin (frontend/js/points.js)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.strokes import pen_stroke
from server import points
from server.protocol import Limits

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
BOUNDS = (Limits.MAX_STROKE_POINTS, Limits.MAX_COORDINATE)


def quantized(flat: list[float]) -> list[float]:
    """What the codec promises to give back: each value on its grid."""
    return [
        points.quantize(value, points.PRESSURE_SCALE if i % 3 == 2 else points.COORDINATE_SCALE)
        / (points.PRESSURE_SCALE if i % 3 == 2 else points.COORDINATE_SCALE)
        for i, value in enumerate(flat)
    ]


coordinates = st.floats(-Limits.MAX_COORDINATE, Limits.MAX_COORDINATE)
valid_points = st.lists(
    st.tuples(coordinates, coordinates, st.floats(0, 1)), min_size=1, max_size=200
).map(lambda triples: [value for triple in triples for value in triple])
pen_points = st.tuples(st.integers(0, 2**32), st.integers(1, 300)).map(
    lambda args: pen_stroke(random.Random(args[0]), args[1])
)


@settings(max_examples=300, deadline=None)
@given(valid_points | pen_points)
def test_decoding_an_encoding_gives_the_quantized_points(flat: list[float]) -> None:
    encoded = points.encode(flat)
    assert points.decode(encoded, *BOUNDS) == quantized(flat)
    assert points.encode(points.decode(encoded)) == encoded  # quantized values are fixed points


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=64) | valid_points.map(points.encode).map(lambda b: b[:-1] + b"\xff"))
def test_random_bytes_raise_nothing_but_value_errors(data: bytes) -> None:
    try:
        flat = points.decode(data, *BOUNDS)
    except ValueError:
        return
    assert len(flat) % 3 == 0 and flat
    assert all(0 <= p <= 1 for p in flat[2::3])
    assert all(abs(v) <= Limits.MAX_COORDINATE for i, v in enumerate(flat) if i % 3 != 2)


def test_a_mouse_pressure_of_one_half_stays_one_half() -> None:
    # The renderers let the pen's speed stand in for a pressure of exactly 0.5 (a mouse).
    assert points.decode(points.encode([1.0, 2.0, 0.5] * 3))[2::3] == [0.5] * 3


def test_points_in_the_former_units_re_encode_to_todays() -> None:
    units = points.FORMER_UNITS
    former = points.decode(
        points.encode(pen_stroke(random.Random(5), 80), *units), None, None, *units
    )
    assert points.decode(points.encode(former)) == quantized(former)


@settings(max_examples=200, deadline=None)
@given(st.lists(valid_points | pen_points, max_size=12))
def test_streams_of_strokes_interleave_back_to_their_points(strokes: list[list[float]]) -> None:
    encoded = [points.encode(flat) for flat in strokes]
    split = [points.streams(data) for data in encoded]
    counts = [count for count, *_ in split]
    assert counts == [len(flat) // 3 for flat in strokes]
    joined = [b"".join(parts[i] for parts in split) for i in range(1, 5)]
    assert points.interleave(counts, *joined) == encoded
    if encoded:
        with pytest.raises(ValueError, match="do not match"):
            points.interleave([*counts[:-1], counts[-1] + 1], *joined)
        with pytest.raises(ValueError, match="do not match"):
            points.interleave([*counts, 1], *joined)


def test_a_pen_stroke_takes_about_3_bytes_a_point() -> None:
    rng = random.Random(11)
    strokes = [pen_stroke(rng, 50) for _ in range(200)]
    total = sum(len(points.encode(flat)) for flat in strokes)
    assert total / (200 * 50) < 3.3


REFUSED = {
    "a truncated varint": (bytes([0, 0, 0x80]), "truncated"),
    "a varint of 6 bytes": (bytes([0x80] * 5 + [1, 0, 0]), "longer than 5"),
    "numbers that are not triples": (bytes([0, 0, 0, 0]), "triples"),
    "no points": (b"", "at least one"),
    "pressure above 32": (bytes([0, 0, 66]), "pressure"),
    "pressure below 0": (bytes([0, 0, 2, 0, 0, 5]), "pressure"),
    "a coordinate beyond the limit": (
        points.encode([Limits.MAX_COORDINATE, 0, 0]) + points.encode([0.125, 0, 0]),
        "out of range",
    ),
    "a coordinate driven out by second differences": (
        bytes([0, 0, 0]) + bytes([0xFE, 0xFF, 0xFF, 0x3F, 0, 0]) * 3,
        "out of range",
    ),
    "one point more than allowed": (
        points.encode([1.0, 1.0, 0.5] * (Limits.MAX_STROKE_POINTS + 1)),
        "at most",
    ),
}


@pytest.mark.parametrize("data,reason", REFUSED.values(), ids=REFUSED.keys())
def test_malformed_points_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        points.units(data, *BOUNDS)
    with pytest.raises(ValueError, match=reason):
        points.check(data, *BOUNDS)


def outcome(check: object, data: bytes, bounds: tuple[int, float]) -> str:
    try:
        check(data, *bounds)  # type: ignore[operator]
    except ValueError as error:
        return str(error)
    return "valid"


# Bounds tight enough that generated points reach them, and the protocol's own.
SOME_BOUNDS = [BOUNDS, (5, Limits.MAX_COORDINATE), (Limits.MAX_STROKE_POINTS, 40.0)]


@settings(max_examples=1000, deadline=None)
@given(
    st.binary(max_size=64)
    | valid_points.map(points.encode)
    | pen_points.map(points.encode)
    | valid_points.map(points.encode).map(lambda b: b[:-1] + b"\xff")
)
def test_the_check_on_the_way_in_finds_what_decoding_finds(data: bytes) -> None:
    # ``check`` skips adding up the positions when none can be out of range: same verdicts.
    for bounds in SOME_BOUNDS:
        assert outcome(points.check, data, bounds) == outcome(points.units, data, bounds)


def test_encoding_refuses_what_is_not_finite_triples() -> None:
    for flat in ([0.0, 0.0], [float("nan"), 0.0, 0.5], [float("inf"), 0.0, 0.5]):
        with pytest.raises(ValueError):
            points.encode(flat)


def test_the_limits_hold_exactly_at_the_edge() -> None:
    edge = [Limits.MAX_COORDINATE, -Limits.MAX_COORDINATE, 1.0] * 2
    assert points.decode(points.encode(edge), *BOUNDS) == edge
    many = [0.0, 0.0, 0.0] * Limits.MAX_STROKE_POINTS
    assert len(points.decode(points.encode(many), *BOUNDS)) == len(many)


NODE_TWIN = """
import { readFileSync } from "node:fs";
import { decodePoints, encodePoints } from "./js/points.js";
const inputs = JSON.parse(readFileSync(0, "utf8"));
const results = inputs.map((flat) => {
  const bytes = encodePoints(flat);
  return { hex: Buffer.from(bytes).toString("hex"), decoded: [...decodePoints(bytes)] };
});
process.stdout.write(JSON.stringify(results));
"""


def twin_inputs(rng: random.Random) -> list[list[float]]:
    inputs = [pen_stroke(rng, rng.randint(1, 120)) for _ in range(200)]
    for _ in range(100):  # anywhere on the board, any pressure, halves included
        flat: list[float] = []
        for _ in range(rng.randint(1, 30)):
            flat += [
                rng.choice([rng.uniform(-1, 1) * Limits.MAX_COORDINATE, rng.randint(-99, 99) / 16]),
                rng.uniform(-1e4, 1e4),
                rng.choice([rng.random(), rng.randint(0, 64) / 64]),
            ]
        inputs.append(flat)
    inputs.append([Limits.MAX_COORDINATE, -Limits.MAX_COORDINATE, 1.0, 0.0, 0.0, 0.0])
    inputs.append([0.0625, -0.0625, 0.5 / 32, -0.1875, 0.1875, 1.5 / 32])
    return inputs


def test_the_browser_codec_makes_the_same_bytes_and_numbers() -> None:
    node = shutil.which("node")
    assert node, "node is needed for the browser's codec"
    inputs = twin_inputs(random.Random(2029))
    ran = subprocess.run(
        [node, "--input-type=module", "-e", NODE_TWIN],
        input=json.dumps(inputs), capture_output=True, text=True, cwd=FRONTEND, check=True,
    )  # fmt: skip
    browser = json.loads(ran.stdout)
    assert len(browser) == len(inputs)
    for index, flat in enumerate(inputs):
        encoded = points.encode(flat)
        assert browser[index]["hex"] == encoded.hex(), f"input {index} encodes differently"
        assert browser[index]["decoded"] == points.decode(encoded), (
            f"input {index} decodes differently"
        )


NODE_STREAMS = """
import { readFileSync } from "node:fs";
import { joinStreams } from "./js/points.js";
const { counts, streams } = JSON.parse(readFileSync(0, "utf8"));
const bytes = streams.map((hex) => Uint8Array.from(Buffer.from(hex, "hex")));
const strokes = joinStreams(counts, ...bytes);
process.stdout.write(JSON.stringify(strokes.map((s) => Buffer.from(s).toString("hex"))));
"""


def test_the_browser_joins_a_snapshot_parts_streams_into_the_same_strokes() -> None:
    node = shutil.which("node")
    assert node, "node is needed for the browser's codec"
    encoded = [points.encode(flat) for flat in twin_inputs(random.Random(2030))]
    split = [points.streams(data) for data in encoded]
    document = {
        "counts": [count for count, *_ in split],
        "streams": [b"".join(parts[i] for parts in split).hex() for i in range(1, 5)],
    }
    ran = subprocess.run(
        [node, "--input-type=module", "-e", NODE_STREAMS],
        input=json.dumps(document), capture_output=True, text=True, cwd=FRONTEND, check=True,
    )  # fmt: skip
    assert json.loads(ran.stdout) == [data.hex() for data in encoded]
