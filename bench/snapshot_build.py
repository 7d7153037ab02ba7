"""Time to build a board's snapshot (``server.snapshot.build``: split, pack, compress), in process.

    .venv/bin/python -m bench.snapshot_build --strokes 10000 --points 50 --runs 5

The board's strokes are pen strokes (``bench.strokes``, seed 7) stored as the store stores them;
the server builds the same way in its worker process, after reading the rows. Prints the median
build time (CPU time of this process, which other work on the machine disturbs less than the
time on the clock; then the clock's) and the parts' compressed size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench.strokes import pen_stroke
from server import protocol, snapshot
from server.points import encode as encode_points

PART_OBJECTS = 8192  # INKROOM_SNAPSHOT_PART_OBJECTS's default


def rows(strokes: int, points: int) -> list[snapshot.Row]:
    rng = random.Random(7)
    return [
        (seq, "author-01", protocol.encode_operation(protocol.StrokeOp(
            kind="stroke", id=f"stroke-{seq:08d}", color="#1e1e1e", width=4.0,
            points=encode_points(pen_stroke(rng, points)),
        )))
        for seq in range(1, strokes + 1)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    board = rows(args.strokes, args.points)
    cpu: list[float] = []
    clock: list[float] = []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        parts = snapshot.build("bench-board-0001", len(board), board, PART_OBJECTS)
        cpu.append(time.process_time() - started_cpu)
        clock.append(time.perf_counter() - started)
    size = sum(len(part.body) for part in parts)
    runs = ", ".join(f"{t * 1000:.0f}" for t in cpu)
    print(
        f"{args.strokes} strokes: built in {statistics.median(cpu) * 1000:.0f} ms of CPU "
        f"(runs {runs} ms; {statistics.median(clock) * 1000:.0f} ms on the clock), "
        f"{len(parts)} parts, {size / 1e6:.3f} MB"
    )


if __name__ == "__main__":
    main()
