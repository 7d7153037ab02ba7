"""Load benchmark: C clients on one board, each sending R messages a second for D seconds.

    .venv/bin/python -m bench.load --clients 50 --rate 30 --seconds 10
    .venv/bin/python -m bench.load --clients 20 --rate 10 --ops     # committed strokes instead
    .venv/bin/python -m bench.load --clients 20 --ops --in-flight 8 --points 50   # flat out

By default it starts the real server (``inkroom serve``) on a temporary SQLite file. Live mode
sends ``live`` points; every receiver measures delivery latency from the moment the sender sent
the message (all clients live in this process, so they share one clock: the sender notes the
time under the message's stroke id). ``--ops`` sends ``stroke`` operations and measures the
author's ack latency and the delivery of ``committed`` messages to everyone else.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import msgpack
import psutil
import websockets

from bench.strokes import pen_stroke
from server import protocol
from server.points import encode as encode_points
from tests.live_server import LiveServer

# The limits that protect a public server would throttle the benchmark itself.
BENCH_ENV = {
    "INKROOM_MAX_CONNECTIONS_PER_ADDRESS": "10000",
    "INKROOM_MAX_CONNECTIONS_PER_BOARD": "10000",
    "INKROOM_MAX_HTTP_CONNECTIONS_PER_ADDRESS": "10000",
    "INKROOM_OPERATIONS_PER_SECOND": "100000",
    "INKROOM_OPERATIONS_BURST": "100000",
    "INKROOM_LIVE_PER_SECOND": "100000",
    "INKROOM_LIVE_BURST": "100000",
}


@dataclass
class Tally:
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    ack_latencies: list[float] = field(default_factory=list)
    deliveries: int = 0
    bytes_in: int = 0
    frames_in: int = 0
    # Per client: a slot for each stroke it may have unacknowledged (``--in-flight``).
    windows: dict[int, asyncio.Semaphore] = field(default_factory=dict)


def message_id(client: int, counter: int) -> str:
    return f"c{client:05d}n{counter:08d}"


def client_of(key: str) -> int:
    return int(key[1:6])


async def run_client(
    index: int, url: str, args: argparse.Namespace, tally: Tally, start: asyncio.Event
) -> None:
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        join = protocol.Join(type="join", user=f"bench-user-{index:05d}", name=f"Bench {index}",
                             color="#1971c2")  # fmt: skip
        await ws.send(protocol.encode_client(join))
        reader = asyncio.create_task(read(ws, tally, index))
        await start.wait()
        interval = 1.0 / args.rate
        rng = random.Random(index)
        deadline = time.perf_counter() + args.seconds
        next_send = time.perf_counter() + interval * (index % 10) / 10  # spread the clients
        window = tally.windows.get(index)
        counter = 0
        while (now := time.perf_counter()) < deadline:
            if window is not None:
                try:
                    await asyncio.wait_for(window.acquire(), deadline - now)
                except TimeoutError:
                    break
            elif now < next_send:
                await asyncio.sleep(next_send - now)
            next_send += interval
            counter += 1
            key = message_id(index, counter)
            points = encode_points(pen_stroke(rng, args.points))
            if args.ops:
                body = {"kind": "stroke", "id": key, "color": "#1971c2", "width": 3.0,
                        "points": points}  # fmt: skip
                frame = msgpack.packb({"type": "op", "op": body}, use_single_float=True)
            else:
                frame = msgpack.packb(
                    {"type": "live", "stroke": key, "color": "#1971c2", "width": 3.0,
                     "points": points},
                    use_single_float=True,
                )  # fmt: skip
            tally.sent_at[key] = time.perf_counter()
            await ws.send(frame)
        await asyncio.sleep(args.drain)
        reader.cancel()


async def read(ws: websockets.ClientConnection, tally: Tally, index: int) -> None:
    async for data in ws:
        received = time.perf_counter()
        assert isinstance(data, bytes)
        tally.frames_in += 1
        tally.bytes_in += len(data)
        for message in msgpack.unpackb(data):
            kind = message["type"]
            if kind == "live":
                if client_of(message["stroke"]) == index:
                    continue  # the room's frame carries the sender's own points too
                sent = tally.sent_at.get(message["stroke"])
            elif kind == "committed":
                sent = tally.sent_at.get(message["op"]["id"])
            elif kind == "ack":
                sent = tally.sent_at.get(message["id"])
                if sent is not None:
                    tally.ack_latencies.append(received - sent)
                    window = tally.windows.get(client_of(message["id"]))
                    if window is not None:
                        window.release()
                continue
            else:
                continue
            if sent is not None:
                tally.deliveries += 1
                tally.latencies.append(received - sent)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(
    args: argparse.Namespace, base_url: str, board: str, server_pid: int | None
) -> None:
    ws_url = base_url.replace("http", "ws", 1) + f"/ws/boards/{board}"
    tally = Tally()
    if args.in_flight:
        tally.windows = {i: asyncio.Semaphore(args.in_flight) for i in range(args.clients)}
    start = asyncio.Event()
    server = psutil.Process(server_pid) if server_pid else None
    me = psutil.Process()
    clients = [
        asyncio.create_task(run_client(i, ws_url, args, tally, start)) for i in range(args.clients)
    ]
    await asyncio.sleep(1.0 + args.clients / 200)  # everyone has joined
    snapshots_before = await snapshots_built(base_url)
    server_cpu = sum(server.cpu_times()[:2]) if server else 0.0
    own_cpu = sum(me.cpu_times()[:2])
    began = time.perf_counter()
    start.set()
    peak_rss = 0
    while not all(c.done() for c in clients):
        await asyncio.sleep(0.5)
        if server:
            peak_rss = max(peak_rss, server.memory_info().rss)
    elapsed = time.perf_counter() - began - args.drain
    for client in clients:
        client.result()
    sent = len(tally.sent_at)
    expected = sent * (args.clients - 1)
    lat = [v * 1000 for v in tally.latencies]
    report = {
        "mode": "ops" if args.ops else "live",
        "clients": args.clients,
        "rate per client": f"{args.in_flight} in flight" if args.in_flight else args.rate,
        "points per message": args.points,
        "seconds": args.seconds,
        "messages sent": sent,
        "deliveries expected": expected,
        "deliveries received": tally.deliveries,
        "deliveries/s": round(tally.deliveries / elapsed),
        "latency p50 ms": round(percentile(lat, 0.50), 2),
        "latency p99 ms": round(percentile(lat, 0.99), 2),
        "latency max ms": round(max(lat, default=float("nan")), 2),
        "frames received": tally.frames_in,
        "MB received": round(tally.bytes_in / 1e6, 1),
        "client CPU s": round(sum(me.cpu_times()[:2]) - own_cpu, 1),
    }
    count, seconds = await snapshots_built(base_url)
    report["snapshots built"] = count - snapshots_before[0]
    report["snapshot build s"] = round(seconds - snapshots_before[1], 2)
    if args.ops:
        acks = [v * 1000 for v in tally.ack_latencies]
        report["acks"] = len(acks)
        report["commits/s"] = round(len(acks) / elapsed)
        report["ack p50 ms"] = round(percentile(acks, 0.5), 2)
        report["ack p99 ms"] = round(percentile(acks, 0.99), 2)
    if server:
        report["server CPU s"] = round(sum(server.cpu_times()[:2]) - server_cpu, 1)
        report["server peak RSS MB"] = round(peak_rss / 2**20)
    width = max(map(len, report))
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")


async def snapshots_built(base_url: str) -> tuple[float, float]:
    """How many snapshots the server has built, and the seconds they took, from /metrics."""
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{base_url}/metrics")).text
    values = {}
    for name in ("count", "sum"):
        found = re.search(rf"^inkroom_snapshot_seconds_{name} (\S+)$", text, re.MULTILINE)
        values[name] = float(found.group(1)) if found else 0.0
    return values["count"], values["sum"]


def new_board(base_url: str) -> str:
    board: str = httpx.post(f"{base_url}/api/boards", json={"title": "bench"}).json()["id"]
    return board


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=30.0, help="messages per second per client")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--drain", type=float, default=2.0, help="seconds to wait for stragglers")
    parser.add_argument("--ops", action="store_true", help="send committed strokes")
    parser.add_argument("--points", type=int, default=4, help="points a message (stroke)")
    parser.add_argument(
        "--in-flight", type=int, default=0,
        help="with --ops: keep this many strokes unacknowledged a client, ignoring --rate",
    )  # fmt: skip
    parser.add_argument("--url", help="an already running server, e.g. http://127.0.0.1:8000")
    args = parser.parse_args()
    if args.url:
        asyncio.run(measure(args, args.url, new_board(args.url), None))
        return
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "bench.db", env=BENCH_ENV)
        server.start()
        try:
            assert server.process is not None
            asyncio.run(measure(args, server.url, new_board(server.url), server.process.pid))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
