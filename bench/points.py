"""Bytes a point of stroke encodings, point units and snapshot layouts, on pen-like strokes
(``bench.strokes``), and how far each unit moves a stroke's outline on screen.

    .venv/bin/python -m bench.points --strokes 10000 --points 50

First the encodings of one stroke's points ("gzip" is the whole board's payloads compressed
together). Then, for units of x/y and pressure: the order-0 entropy of the numbers the encoding
writes, the board's points brotli-compressed as a snapshot part would hold them (each stroke's
points together, or in streams: first points, then every x, every y, every p), and the distance
between the outline drawn from the quantized points and from the exact ones (perfect-freehand, as
the browser draws; the largest distance from a point of either outline to the other), in pixels at
100% and 400% (device pixels at a device pixel ratio of 1).
"""

from __future__ import annotations

import argparse
import gzip
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise

import brotli
import msgpack

from bench.strokes import pen_stroke
from server import outline, points
from server.snapshot import BROTLI_QUALITY

UNITS = [(16, 255), (16, 64), (8, 255), (8, 64), (8, 32), (4, 32)]
OUTLINE_STROKES = 200
OUTLINE_WIDTHS = (4.0, 20.0)


def _varints(numbers: list[int]) -> bytes:
    out = bytearray()
    for value in numbers:
        zigzag = value * 2 if value >= 0 else -value * 2 - 1
        while zigzag > 0x7F:
            out.append((zigzag & 0x7F) | 0x80)
            zigzag >>= 7
        out.append(zigzag)
    return bytes(out)


def _differences(values: list[int], order: int) -> list[int]:
    # The first value stays absolute; the step before the second point counts as 0.
    for done in range(order):
        values = values[: done + 1] + [b - a for a, b in pairwise(values[done:])]
    return values


def _quantized(flat: list[float]) -> tuple[list[int], list[int], list[int]]:
    return (
        [points.quantize(v, points.COORDINATE_SCALE) for v in flat[0::3]],
        [points.quantize(v, points.COORDINATE_SCALE) for v in flat[1::3]],
        [points.quantize(v, points.PRESSURE_SCALE) for v in flat[2::3]],
    )


def fixed(order_xy: int, order_p: int, interleaved: bool) -> Callable[[list[float]], bytes]:
    def encode(flat: list[float]) -> bytes:
        xs, ys, ps = _quantized(flat)
        columns = (
            _differences(xs, order_xy),
            _differences(ys, order_xy),
            _differences(ps, order_p),
        )
        if interleaved:
            return _varints([n for point in zip(*columns, strict=True) for n in point])
        return _varints([n for column in columns for n in column])

    return encode


def float32(flat: list[float]) -> bytes:
    packed: bytes = msgpack.packb(flat, use_single_float=True)
    return packed


ENCODINGS: dict[str, Callable[[list[float]], bytes]] = {
    "float32 msgpack list (2026-11-25)": float32,
    "fixed, x/y 1st diff, p 1st diff, by point": fixed(1, 1, True),
    "fixed, x/y 2nd diff, p 1st diff, by point (chosen)": points.encode,
    "fixed, x/y 2nd diff, p 2nd diff, by point": fixed(2, 2, True),
    "fixed, x/y 2nd diff, p 1st diff, by column": fixed(2, 1, False),
}


def entropy(numbers: Sequence[int]) -> float:
    """Order-0 entropy in bits a number."""
    counts = Counter(numbers)
    return -sum(n / len(numbers) * math.log2(n / len(numbers)) for n in counts.values())


def _brotli(data: bytes) -> int:
    return len(brotli.compress(data, quality=BROTLI_QUALITY))


def _segment_distance(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = (
        0.0
        if length == 0
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    )
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def outline_distance(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """The largest distance from a vertex of either closed outline to the other outline."""

    def one_way(source: list[tuple[float, float]], target: list[tuple[float, float]]) -> float:
        edges = list(zip(target, target[1:] + target[:1], strict=True))
        return max(min(_segment_distance(p, s, e) for s, e in edges) for p in source)

    return max(one_way(a, b), one_way(b, a))


def units_row(strokes: list[list[float]], coordinate: int, pressure: int) -> str:
    encoded = [points.encode(flat, coordinate, pressure) for flat in strokes]
    split = [points.streams(data) for data in encoded]
    total = sum(count for count, *_ in split)
    xy: list[int] = []
    ps: list[int] = []
    for data in encoded:
        xs, ys, pressures = points.units(data, None, None, coordinate, pressure)
        xy += _differences(xs, 2)[1:] + _differences(ys, 2)[1:]
        ps += _differences(pressures, 1)[1:]
    together = _brotli(b"".join(encoded))
    streams = _brotli(b"".join(b"".join(parts[i] for parts in split) for i in range(1, 5)))
    distances: dict[float, list[float]] = {width: [] for width in OUTLINE_WIDTHS}
    for flat in strokes[:OUTLINE_STROKES]:
        coarse = points.decode(
            points.encode(flat, coordinate, pressure), None, None, coordinate, pressure
        )
        for width, found in distances.items():
            found.append(
                outline_distance(outline.outline(coarse, width), outline.outline(flat, width))
            )
    shifts = "; ".join(
        f"{statistics.median(found):.2f} / {4 * statistics.median(found):.2f} "
        f"(p95 {4 * statistics.quantiles(found, n=20)[-1]:.2f})"
        for found in distances.values()
    )
    return (
        f"1/{coordinate:<3} 1/{pressure:<4} {entropy(xy):>5.2f} {entropy(ps):>5.2f}  "
        f"{together / 1e6:>6.3f} MB {together / total:>4.2f} B/pt  "
        f"{streams / 1e6:>6.3f} MB {streams / total:>4.2f} B/pt  {shifts}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=1000)
    parser.add_argument("--points", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(7)
    strokes = [pen_stroke(rng, args.points) for _ in range(args.strokes)]
    total = args.strokes * args.points
    assert fixed(2, 1, True)(strokes[0]) == points.encode(strokes[0])
    print(f"{args.strokes} strokes x {args.points} points")
    print(f"{'encoding (today units)':<52} {'B/point':>8} {'gzip B/point':>13}")
    for name, encode in ENCODINGS.items():
        encoded = [encode(flat) for flat in strokes]
        raw = sum(map(len, encoded))
        zipped = len(gzip.compress(b"".join(encoded)))
        print(f"{name:<52} {raw / total:>8.2f} {zipped / total:>13.2f}")
    print()
    print(f"units: x/y, p; entropy (bits a number) of x/y 2nd and p 1st differences; brotli "
          f"{BROTLI_QUALITY} of the board's points by stroke, then in streams; outline shift, "
          f"median px at 100% / 400% (p95 at 400%), widths {OUTLINE_WIDTHS} "
          f"({min(OUTLINE_STROKES, args.strokes)} strokes)")  # fmt: skip
    for coordinate, pressure in UNITS:
        print(units_row(strokes, coordinate, pressure), flush=True)
    print()
    encoded = [points.encode(flat) for flat in strokes]
    started = time.perf_counter()
    for _ in range(5):
        for data in encoded:
            points.units(data, 10_000, 10_000_000.0)
    each = (time.perf_counter() - started) / (5 * len(encoded))
    print(f"validating decode (server.points.units): {each * 1e6:.1f} us a stroke")
    started = time.perf_counter()
    split = [points.streams(data) for data in encoded]
    each = (time.perf_counter() - started) / len(encoded)
    print(f"split into streams (server.points.streams): {each * 1e6:.1f} us a stroke")
    counts = [count for count, *_ in split]
    joined = [b"".join(parts[i] for parts in split) for i in range(1, 5)]
    started = time.perf_counter()
    points.interleave(counts, *joined)
    each = (time.perf_counter() - started) / len(encoded)
    print(f"streams back to strokes (server.points.interleave): {each * 1e6:.1f} us a stroke")


if __name__ == "__main__":
    main()
