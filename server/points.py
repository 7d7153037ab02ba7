"""A stroke's points as compact bytes: fixed-point integers, delta-coded, as zigzag varints.

Pure, no I/O; ``frontend/js/points.js`` is its twin and must produce the same bytes (a test
compares them). ``docs/protocol.md`` describes the layout for other clients.

A point is (x, y, p): x and y in board units, p the pressure in 0..1. They are quantized to
integers: x and y in 1/8 of a board unit, p in 1/32. A stroke drawn from them moves by a fraction
of a pixel at 100% (docs/benchmarks.md, "Bytes a point"), and every finer step is mostly the
pen's noise, which costs bytes in every snapshot. The first point is written as it is; after it,
x and y as second differences (the change of the step; the step before the second point counts
as 0) and p as a first difference. Every number is zigzag-mapped to a natural number and written
as an LEB128 varint: 7 bits a byte, low bits first, the high bit set on all bytes but the last. A
pen moves smoothly, so most second differences fit in one byte: about 3 bytes a point.

Boards stored before these units held x and y in 1/16 and p in 1/255 (``FORMER_UNITS``); a
migration re-encoded them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import accumulate

COORDINATE_SCALE = 8
PRESSURE_SCALE = 32
# (coordinate scale, pressure scale) of the encoding before 2026-12-03.
FORMER_UNITS = (16, 255)
# The encoding's number, which a client says when it joins: 2 since these units (1 before).
FORMAT = 2
MAX_VARINT_BYTES = 5  # 35 bits: room for the largest second difference within the limits

# Varints of more than one byte; most of a pen's numbers take one, decoded by table lookup.
_LONG_VARINT = re.compile(rb"[\x80-\xff]+[\x00-\x7f]?")
_UNZIGZAG = [(n >> 1) ^ -(n & 1) for n in range(128)]


def quantize(value: float, scale: int) -> int:
    """``value * scale`` rounded to the nearest integer, halves away from zero (as points.js)."""
    scaled = abs(value * scale)
    if not math.isfinite(scaled):
        raise ValueError("points must be finite numbers")
    rounded = math.floor(scaled + 0.5)
    return -rounded if value < 0 else rounded


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _varint(value: int, out: bytearray) -> None:
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def encode(
    flat: Sequence[float],
    coordinate_scale: int = COORDINATE_SCALE,
    pressure_scale: int = PRESSURE_SCALE,
) -> bytes:
    """Encode flat ``[x0, y0, p0, x1, y1, p1, ...]`` (p in 0..1) into the compact form (the
    scales are for migrations and benchmarks; the protocol speaks only the defaults).

    Raises:
        ValueError: the values are not whole triples, or one is not a finite number.
    """
    if len(flat) % 3:
        raise ValueError("points must hold x, y, pressure triples")
    out = bytearray()
    x = y = dx = dy = p = 0
    for i in range(0, len(flat), 3):
        qx = quantize(flat[i], coordinate_scale)
        qy = quantize(flat[i + 1], coordinate_scale)
        qp = quantize(flat[i + 2], pressure_scale)
        if i == 0:
            first = (qx, qy, qp)
        else:
            first = (qx - x - dx, qy - y - dy, qp - p)
            dx, dy = qx - x, qy - y
        x, y, p = qx, qy, qp
        for value in first:
            _varint(_zigzag(value), out)
    return bytes(out)


def _numbers(data: bytes) -> list[int]:
    """The signed numbers of a run of zigzag varints."""
    # The first point's three numbers often take several bytes each; after it a pen's numbers
    # nearly always take one, which the table turns into numbers at once.
    head: list[int] = []
    at = 0
    for _ in range(3):
        value = shift = 0
        while at < len(data) and shift < 7 * MAX_VARINT_BYTES:
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                head.append((value >> 1) ^ -(value & 1))
                break
        else:
            return _all_numbers(data)  # truncated or overlong: said below
    rest = data[at:]
    if rest.isascii():  # every byte below 0x80: one-byte varints
        head.extend(map(_UNZIGZAG.__getitem__, rest))
        return head
    return _all_numbers(data)


def _all_numbers(data: bytes) -> list[int]:
    numbers: list[int] = []
    single = _UNZIGZAG.__getitem__
    done = 0
    for match in _LONG_VARINT.finditer(data):
        start, end = match.span()
        if end - start > MAX_VARINT_BYTES:
            raise ValueError(f"a varint is longer than {MAX_VARINT_BYTES} bytes")
        if data[end - 1] & 0x80:
            raise ValueError("the last varint is truncated")
        numbers.extend(map(single, data[done:start]))
        value = 0
        for shift, byte in enumerate(data[start:end]):
            value |= (byte & 0x7F) << (7 * shift)
        numbers.append((value >> 1) ^ -(value & 1))
        done = end
    numbers.extend(map(single, data[done:]))
    return numbers


def units(
    data: bytes,
    max_points: int | None = None,
    max_coordinate: float | None = None,
    coordinate_scale: int = COORDINATE_SCALE,
    pressure_scale: int = PRESSURE_SCALE,
) -> tuple[list[int], list[int], list[int]]:
    """The quantized x, y and p of every point: x and y in 1/8 units, p in 0..32.

    Raises:
        ValueError: a truncated or overlong varint, values that are not whole triples, no points,
            more than ``max_points`` points, a coordinate beyond ``max_coordinate`` (in board
            units) or a pressure outside 0..32.
    """
    numbers = _numbers(data)
    if len(numbers) % 3:
        raise ValueError("points must hold x, y, pressure triples")
    if not numbers:
        raise ValueError("a stroke needs at least one point")
    if max_points is not None and len(numbers) // 3 > max_points:
        raise ValueError(f"at most {max_points} points")
    # The step before the second point is 0: steps are the running sum of the second
    # differences after the first point, positions the running sum of the steps.
    xs = list(accumulate(accumulate(numbers[3::3]), initial=numbers[0]))
    ys = list(accumulate(accumulate(numbers[4::3]), initial=numbers[1]))
    ps = list(accumulate(numbers[2::3]))
    if min(ps) < 0 or max(ps) > pressure_scale:
        raise ValueError(f"pressure must be within 0..{pressure_scale}")
    if max_coordinate is not None:
        bound = max_coordinate * coordinate_scale
        if min(min(xs), min(ys)) < -bound or max(max(xs), max(ys)) > bound:
            raise ValueError("a coordinate is out of range")
    return xs, ys, ps


def check(
    data: bytes,
    max_points: int | None = None,
    max_coordinate: float | None = None,
    coordinate_scale: int = COORDINATE_SCALE,
    pressure_scale: int = PRESSURE_SCALE,
) -> None:
    """Whether ``data`` holds valid points, as ``units`` finds, without working out every
    position when none can be out of range: a message's points are checked on the way in.

    Raises:
        ValueError: as ``units``.
    """
    numbers = _numbers(data)
    count = len(numbers) // 3
    if len(numbers) % 3 or not count or max_coordinate is None:
        units(data, max_points, max_coordinate, coordinate_scale, pressure_scale)
        return
    if max_points is not None and count > max_points:
        raise ValueError(f"at most {max_points} points")
    # A step is a running sum of second differences, so no step exceeds the sum of their sizes,
    # and no point strays further from the first than ``count`` such steps.
    bound = max_coordinate * coordinate_scale
    x_reach = abs(numbers[0]) + count * sum(map(abs, numbers[3::3]))
    y_reach = abs(numbers[1]) + count * sum(map(abs, numbers[4::3]))
    if x_reach > bound or y_reach > bound:
        units(data, max_points, max_coordinate, coordinate_scale, pressure_scale)
        return
    ps = list(accumulate(numbers[2::3]))
    if min(ps) < 0 or max(ps) > pressure_scale:
        raise ValueError(f"pressure must be within 0..{pressure_scale}")


def decode(
    data: bytes,
    max_points: int | None = None,
    max_coordinate: float | None = None,
    coordinate_scale: int = COORDINATE_SCALE,
    pressure_scale: int = PRESSURE_SCALE,
) -> list[float]:
    """Flat ``[x0, y0, p0, ...]`` floats of encoded points (the quantized values).

    Raises:
        ValueError: as ``units``.
    """
    xs, ys, ps = units(data, max_points, max_coordinate, coordinate_scale, pressure_scale)
    flat: list[float] = [0.0] * (3 * len(xs))
    flat[0::3] = [x / coordinate_scale for x in xs]
    flat[1::3] = [y / coordinate_scale for y in ys]
    flat[2::3] = [p / pressure_scale for p in ps]
    return flat


def first_point(data: bytes) -> tuple[float, float]:
    """The first point's x and y (board units), read without decoding the rest.

    Raises:
        ValueError: the bytes do not begin with two whole varints.
    """
    numbers: list[int] = []
    value = shift = 0
    for byte in data[: 2 * MAX_VARINT_BYTES]:
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            numbers.append((value >> 1) ^ -(value & 1))
            if len(numbers) == 2:
                return numbers[0] / COORDINATE_SCALE, numbers[1] / COORDINATE_SCALE
            value = shift = 0
    raise ValueError("the points do not begin with a whole point")


# One varint: its continuation bytes, then its last byte.
_VARINT = re.compile(rb"[\x80-\xff]*[\x00-\x7f]")


def streams(data: bytes) -> tuple[int, bytes, bytes, bytes, bytes]:
    """A stroke's point count, its first point's varints, and the varints of x, y and p after it
    apart, each in point order: for layouts that keep like numbers together (a snapshot's parts:
    brotli models each stream better than their interleaving). ``data`` must be valid points (as
    stored); ``interleave`` undoes it."""
    first = 0
    for _ in range(3):
        match = _VARINT.match(data, first)
        if match is None:
            raise ValueError("the points do not begin with a whole point")
        first = match.end()
    rest = data[first:]
    # After the first point a pen's numbers nearly always take one byte each: slice them apart.
    if rest.isascii():  # every byte below 0x80
        return 1 + len(rest) // 3, data[:first], rest[0::3], rest[1::3], rest[2::3]
    varints = _VARINT.findall(rest)
    x, y, p = (b"".join(varints[i::3]) for i in range(3))
    return 1 + len(varints) // 3, data[:first], x, y, p


def interleave(counts: Sequence[int], first: bytes, x: bytes, y: bytes, p: bytes) -> list[bytes]:
    """The points of each stroke from the streams of many strokes (their ``streams`` joined, in
    order; ``counts`` their point counts).

    Raises:
        ValueError: the streams do not hold exactly ``counts`` points.
    """
    firsts = _VARINT.findall(first)
    columns = [_VARINT.findall(stream) for stream in (x, y, p)]
    total = sum(counts) - len(counts)
    if (
        min(counts, default=1) < 1
        or len(firsts) != 3 * len(counts)
        or len(b"".join(firsts)) != len(first)
        or any(len(column) != total for column in columns)
        or sum(map(len, columns[0] + columns[1] + columns[2])) != len(x) + len(y) + len(p)
    ):
        raise ValueError("the point streams do not match the point counts")
    strokes: list[bytes] = []
    start = 0
    for index, count in enumerate(counts):
        end = start + count - 1
        head = b"".join(firsts[3 * index : 3 * index + 3])
        xs, ys, ps = (b"".join(column[start:end]) for column in columns)
        if len(xs) + len(ys) + len(ps) == 3 * (count - 1):  # one byte each: slot them in
            rest = bytearray(3 * (count - 1))
            rest[0::3], rest[1::3], rest[2::3] = xs, ys, ps
            strokes.append(head + rest)
        else:
            triples = zip(*(column[start:end] for column in columns), strict=True)
            strokes.append(head + b"".join(varint for triple in triples for varint in triple))
        start = end
    return strokes
