"""Replay benchmark: how long a late joiner waits for a board's whole history.

    .venv/bin/python -m bench.replay --strokes 1000 10000 --points 50 --runs 3

Boards are filled through ``Store.append`` (the server's own storage code, in batches) on a
fresh database with the real migrations, then the real server is started on it and a client
joins each board from sequence 0 and reads until ``synced``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

import msgpack
import websockets

from bench.strokes import pen_stroke
from server import protocol
from server.config import database_url
from server.migrate import upgrade
from server.points import encode as encode_points
from server.store import Store, Submission, create_engines
from tests.live_server import LiveServer

BATCH = 500


def random_stroke(rng: random.Random, index: int, points: int) -> protocol.StrokeOp:
    return protocol.StrokeOp(
        kind="stroke", id=f"stroke-{index:08d}", color="#1e1e1e", width=4.0,
        points=encode_points(pen_stroke(rng, points)),
    )  # fmt: skip


async def fill(url: str, sizes: list[int], points: int) -> dict[int, str]:
    store = Store(*create_engines(url, "NORMAL"))
    rng = random.Random(7)
    boards = {}
    try:
        for size in sizes:
            board, _ = await store.create_board(f"{size} strokes")
            for start in range(0, size, BATCH):
                batch = []
                for index in range(start, min(size, start + BATCH)):
                    op = random_stroke(rng, index, points)
                    payload = protocol.encode_operation(op)
                    batch.append(Submission(board.id, op.id, "bench-user", "stroke", None, payload))
                await store.append(batch)
            boards[size] = board.id
    finally:
        await store.dispose()
    return boards


async def join_once(ws_url: str) -> tuple[float, int, int, int]:
    """Seconds from connecting to ``synced``, bytes, frames and operations received."""
    started = time.perf_counter()
    received = frames = operations = 0
    async with websockets.connect(ws_url, compression=None, max_size=None) as ws:
        join = protocol.Join(type="join", user="late-joiner", name="Late", color="#e03131")
        await ws.send(protocol.encode_client(join))
        async for data in ws:
            assert isinstance(data, bytes)
            received += len(data)
            frames += 1
            messages = msgpack.unpackb(data)
            operations += sum(1 for m in messages if m["type"] == "committed")
            if messages[-1]["type"] == "synced":
                return time.perf_counter() - started, received, frames, operations
    raise RuntimeError("the connection closed before synced")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "replay.db"
        url = database_url(str(path))
        upgrade(url)
        began = time.perf_counter()
        boards = asyncio.run(fill(url, args.strokes, args.points))
        megabytes = path.stat().st_size / 1e6
        print(f"filled in {time.perf_counter() - began:.1f} s; database {megabytes:.1f} MB")
        server = LiveServer(path)
        server.start()
        try:
            for size, board in boards.items():
                runs = [asyncio.run(join_once(server.ws_url(board))) for _ in range(args.runs)]
                seconds = statistics.median(run[0] for run in runs)
                _, size_bytes, frames, operations = runs[0]
                assert operations == size, f"replayed {operations} of {size}"
                each = ", ".join(f"{run[0] * 1000:.0f} ms" for run in runs)
                print(
                    f"{size:>6} strokes x {args.points} points: median {seconds * 1000:.0f} ms "
                    f"to synced, {size_bytes / 1e6:.2f} MB in {frames} frames "
                    f"({size_bytes / size:.0f} B/stroke); runs: {each}"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
