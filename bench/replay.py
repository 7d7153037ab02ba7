"""Opening a board: a cold join through its snapshot, the plain replay, and a warm rejoin.

    .venv/bin/python -m bench.replay --strokes 1000 10000 100000 --points 50 --runs 3

Boards are filled through ``Store.append`` (the server's own storage code, in batches) on a
fresh database with the real migrations, then the real server is started on it. For each board:

- the snapshot: one join with ``snapshot: true`` tells the server the board is due for one; the
  build time is the server's own (``inkroom_snapshot_seconds`` in ``/metrics``), and the bench
  joins again until the welcome offers the snapshot;
- a cold join as the browser makes it: connect, join with ``snapshot: true``, fetch the offered
  parts over HTTP with ``Accept-Encoding: br`` three at a time (as the page's worker does) while
  reading the socket until ``synced``: the time until both are done, and the bytes received
  (socket frames and HTTP bodies, compressed, as they came);
- the plain replay (``snapshot: false``): every operation over the socket;
- a warm rejoin: another client stores 100 strokes, then a client that holds the board up to just
  before them joins with that ``last_seq`` and ``last_op``.

Medians of ``--runs`` runs; every join is checked to hold the whole board.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgpack
import websockets

from bench.strokes import pen_stroke
from server import protocol, snapshot
from server.config import database_url
from server.migrate import upgrade
from server.points import encode as encode_points
from server.store import Store, Submission, create_engines
from tests.live_server import LiveServer

BATCH = 500
# What the browser's snapshot worker fetches at once (frontend/js/snapshot-worker.js).
PARALLEL_PARTS = 3
NEW_OPERATIONS = 100
# The writer of the warm rejoin's new strokes must not be throttled; the joins are unaffected.
REPLAY_ENV = {"INKROOM_OPERATIONS_PER_SECOND": "100000", "INKROOM_OPERATIONS_BURST": "100000"}


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


def join_message(last_seq: int = 0, last_op: str | None = None, offer: bool = True) -> bytes:
    join = protocol.Join(
        type="join", user="late-joiner", name="Late", color="#e03131",
        last_seq=last_seq, last_op=last_op, snapshot=offer,
    )  # fmt: skip
    return protocol.encode_client(join)


@dataclass
class Opened:
    """One join: seconds until synced (and every snapshot part in), what it received."""

    seconds: float
    socket_bytes: int = 0
    frames: int = 0
    http_bytes: int = 0
    parts: int = 0
    operations: int = 0  # committed over the socket plus entries in the snapshot's parts
    snapshot_seq: int = 0
    head: int = 0

    @property
    def total_bytes(self) -> int:
        return self.socket_bytes + self.http_bytes


async def fetch_parts(
    http: httpx.AsyncClient, board: str, info: dict[str, Any], bodies: list[bytes]
) -> None:
    """Every part of the offered snapshot, ``PARALLEL_PARTS`` at a time, as the browser asks."""
    queue = [part["part"] for part in info["parts"]]

    async def worker() -> None:
        while queue:
            part = queue.pop(0)
            url = f"/api/boards/{board}/snapshots/{info['seq']}/{part}"
            async with http.stream("GET", url, headers={"Accept-Encoding": "br"}) as response:
                response.raise_for_status()
                assert response.headers["content-encoding"] == "br"
                bodies.append(b"".join([chunk async for chunk in response.aiter_raw()]))

    await asyncio.gather(*(worker() for _ in range(min(PARALLEL_PARTS, len(queue)))))


async def open_board(
    base_url: str, board: str, join: bytes, *, until_welcome: bool = False
) -> tuple[Opened, dict[str, Any]]:
    """Join and read until ``synced`` (fetching an offered snapshot meanwhile); the welcome."""
    ws_url = base_url.replace("http", "ws", 1) + f"/ws/boards/{board}"
    opened = Opened(0.0)
    welcome: dict[str, Any] = {}
    bodies: list[bytes] = []
    fetching: asyncio.Task[None] | None = None
    # Made before the clock starts: an httpx client loads its TLS certificates when made (~28 ms
    # here), which is this client's cost, not the server's. Its connections are new all the same.
    http = httpx.AsyncClient(base_url=base_url, timeout=60.0)
    started = time.perf_counter()
    async with http, websockets.connect(ws_url, compression=None, max_size=None) as ws:
        await ws.send(join)
        async for data in ws:
            assert isinstance(data, bytes)
            opened.socket_bytes += len(data)
            opened.frames += 1
            messages = msgpack.unpackb(data)
            for message in messages:
                if message["type"] == "welcome":
                    welcome = message
                    opened.head = message["head_seq"]
                    if until_welcome:
                        return opened, welcome
                    if message.get("snapshot"):
                        opened.snapshot_seq = message["snapshot"]["seq"]
                        fetching = asyncio.create_task(
                            fetch_parts(http, board, message["snapshot"], bodies)
                        )
                elif message["type"] == "committed":
                    opened.operations += 1
            if messages[-1]["type"] == "synced":
                break
        else:
            raise RuntimeError("the connection closed before synced")
        if fetching is not None:
            await fetching
    opened.seconds = time.perf_counter() - started
    opened.http_bytes = sum(map(len, bodies))
    opened.parts = len(bodies)
    # Outside the timing: the parts hold every operation up to the snapshot, once.
    for body in bodies:
        opened.operations += len(snapshot.read(body)[1])
    return opened, welcome


async def snapshot_builds(http: httpx.AsyncClient) -> tuple[float, float]:
    """How many snapshots the server has built, and the seconds they took, from /metrics."""
    text = (await http.get("/metrics")).text
    values = []
    for name in ("count", "sum"):
        found = re.search(rf"^inkroom_snapshot_seconds_{name} (\S+)$", text, re.MULTILINE)
        values.append(float(found.group(1)) if found else 0.0)
    return values[0], values[1]


async def build_snapshot(base_url: str, board: str) -> tuple[float, int, int]:
    """Have the server build the board's snapshot: its build time (s), parts, seq."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0) as http:
        builds, seconds = await snapshot_builds(http)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            _, welcome = await open_board(base_url, board, join_message(), until_welcome=True)
            if offered := welcome.get("snapshot"):
                # The build is counted just after the snapshot is stored: wait for it.
                while (now := await snapshot_builds(http))[0] == builds:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the snapshot's build was never counted")
                    await asyncio.sleep(0.05)
                return now[1] - seconds, len(offered["parts"]), offered["seq"]
            await asyncio.sleep(0.2)
    raise RuntimeError(f"board {board}: no snapshot offered within 600 s")


async def write_strokes(
    base_url: str, board: str, count: int, held: tuple[int, str] | None = None, first: int = 0
) -> str:
    """Another person stores ``count`` strokes and waits for their acks; the id of the last one.

    The writer holds the board up to ``held`` (seq, operation id), or else joins with
    ``snapshot: true`` and fetches nothing: either way it is not replayed the whole board.
    """
    ws_url = base_url.replace("http", "ws", 1) + f"/ws/boards/{board}"
    first = held[0] + 1 if held else first
    rng = random.Random(first)
    ids = [f"other-{first + n:08d}" for n in range(count)]
    async with websockets.connect(ws_url, compression=None, max_size=None) as ws:
        join = protocol.Join(
            type="join", user="another-person", name="Other", color="#1971c2",
            last_seq=held[0] if held else 0, last_op=held[1] if held else None,
            snapshot=held is None,
        )  # fmt: skip
        await ws.send(protocol.encode_client(join))
        async for data in ws:
            if msgpack.unpackb(data)[-1]["type"] == "synced":
                break
        for op_id in ids:
            op = protocol.StrokeOp(kind="stroke", id=op_id, color="#1971c2", width=3.0,
                                   points=encode_points(pen_stroke(rng, 50)))  # fmt: skip
            await ws.send(protocol.encode_client(protocol.Submit(type="op", op=op)))
        waiting = set(ids)
        async for data in ws:
            for message in msgpack.unpackb(data):
                if message["type"] == "ack":
                    waiting.discard(message["id"])
                elif message["type"] == "error":
                    raise RuntimeError(f"refused: {message}")
            if not waiting:
                break
    return ids[-1]


def median_of(runs: list[Opened], value: Callable[[Opened], float]) -> float:
    return statistics.median(value(run) for run in runs)


def report(label: str, runs: list[Opened]) -> None:
    each = ", ".join(f"{run.seconds * 1000:.0f}" for run in runs)
    first = runs[0]
    parts = f" + {first.parts} parts {first.http_bytes / 1e6:.3f} MB" if first.parts else ""
    print(
        f"  {label:<14} {median_of(runs, lambda r: r.seconds) * 1000:>7.0f} ms "
        f"(runs {each} ms); {median_of(runs, lambda r: r.total_bytes) / 1e6:.3f} MB: socket "
        f"{first.socket_bytes / 1e6:.3f} MB in {first.frames} frames{parts}"
    )


async def measure_board(base_url: str, board: str, size: int, runs: int) -> None:
    print(f"{size} strokes")
    seconds, parts, seq = await build_snapshot(base_url, board)
    print(f"  snapshot at {seq} in {parts} parts, built by the server in {seconds * 1000:.0f} ms")

    cold = [(await open_board(base_url, board, join_message()))[0] for _ in range(runs)]
    for run in cold:
        assert run.snapshot_seq and run.operations == run.head == size, run
    print(f"  snapshot compressed (brotli, as sent): {cold[0].http_bytes / 1e6:.3f} MB")
    report("cold, snapshot", cold)

    plain = [(await open_board(base_url, board, join_message(offer=False)))[0] for _ in range(runs)]
    for run in plain:
        assert run.operations == run.head == size, run
    report("plain replay", plain)

    warm = []
    held_seq, held_op = size, f"stroke-{size - 1:08d}"
    for _ in range(runs):
        last = await write_strokes(base_url, board, NEW_OPERATIONS, (held_seq, held_op))
        opened, welcome = await open_board(base_url, board, join_message(held_seq, held_op))
        assert welcome["resume"] == held_seq and opened.operations == NEW_OPERATIONS, opened
        warm.append(opened)
        held_seq, held_op = held_seq + NEW_OPERATIONS, last
    report(f"warm, +{NEW_OPERATIONS} ops", warm)


def database_bytes(path: Path) -> int:
    """The database file and its write-ahead log."""
    return sum(os.path.getsize(p) for p in (path, Path(f"{path}-wal")) if p.exists())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "replay.db"
        url = database_url(str(path))
        upgrade(url)
        began = time.perf_counter()
        boards = asyncio.run(fill(url, args.strokes, args.points))
        strokes = sum(args.strokes)
        filled = database_bytes(path)
        print(
            f"filled in {time.perf_counter() - began:.1f} s; database {filled / 1e6:.1f} MB "
            f"({filled / strokes:.0f} B/stroke of {args.points} points)"
        )
        server = LiveServer(path, env=REPLAY_ENV)
        server.start()
        try:
            for size, board in boards.items():
                asyncio.run(measure_board(server.url, board, size, args.runs))
        finally:
            server.stop()
        after = database_bytes(path)
        print(f"database with the snapshots (two kept a board): {after / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
