"""Bytes a point and decode time of stroke encodings, on pen-like strokes (``bench.strokes``).

    .venv/bin/python -m bench.points --strokes 1000 --points 50

Compares the former float32 list with fixed-point variants: first or second differences, the
numbers of a point together or each coordinate's numbers apart. "gzip" is the whole board's
payloads compressed together, as a compressed transfer or snapshot would see them.
"""

from __future__ import annotations

import argparse
import gzip
import random
import time
from collections.abc import Callable
from itertools import pairwise

import msgpack

from bench.strokes import pen_stroke
from server import points


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
    "float32 msgpack list (before)": float32,
    "fixed, x/y 1st diff, p 1st diff, by point": fixed(1, 1, True),
    "fixed, x/y 2nd diff, p 1st diff, by point (chosen)": points.encode,
    "fixed, x/y 2nd diff, p 2nd diff, by point": fixed(2, 2, True),
    "fixed, x/y 2nd diff, p 1st diff, by column": fixed(2, 1, False),
}


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
    print(f"{'encoding':<52} {'B/point':>8} {'gzip B/point':>13}")
    for name, encode in ENCODINGS.items():
        encoded = [encode(flat) for flat in strokes]
        raw = sum(map(len, encoded))
        zipped = len(gzip.compress(b"".join(encoded)))
        print(f"{name:<52} {raw / total:>8.2f} {zipped / total:>13.2f}")
    encoded = [points.encode(flat) for flat in strokes]
    started = time.perf_counter()
    for _ in range(5):
        for data in encoded:
            points.units(data, 10_000, 10_000_000.0)
    each = (time.perf_counter() - started) / (5 * len(encoded))
    print(f"validating decode (server.points.units): {each * 1e6:.1f} us a stroke")


if __name__ == "__main__":
    main()
