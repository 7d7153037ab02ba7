"""Fan-out on one board: inkroom against the two reference relays, same driver, same sitting.

    .venv/bin/python -m bench.fanout --clients 50 100 200 500 --runs 3
    .venv/bin/python -m bench.fanout --clients 1010 --senders 10      # 1,000 watchers, 10 drawers
    .venv/bin/python -m bench.fanout --clients 1000 --idle            # memory and time of joins
    .venv/bin/python -m bench.fanout --processes 2 --targets inkroom  # one board on 2 processes

For each number of clients and each target (``inkroom``, the per-client relay
``bench/relay_queue.py``, the shared-frame relay ``bench/relay_tick.py``) it starts the server,
runs the Node driver (``bench/node/fanout.mjs``: every sender sends ``live`` messages of
``--points`` points ``--rate`` times a second), samples the server's CPU over the sending window
and prints one line per run: delivered share, latency p50/p99/max, server CPU, CPU per delivered
message, the driver's own CPU. With ``--idle`` nobody sends: it reports the time for everyone to
join and the server's resident memory per joined connection. While inkroom is loaded, a probe
times ``/metrics``, a join to the busy board (to ``synced``) and a stroke's ack on another board.
With ``--processes N`` inkroom runs as N processes on a throwaway PostgreSQL and Redis (started as
the tests start them), the clients spread over them in turn; CPU and memory are all N's together.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.load import BENCH_ENV
from bench.strokes import pen_stroke
from server import protocol
from server.points import encode as encode_points
from tests.cluster import shared_processes
from tests.live_server import LiveServer, free_port
from tests.services import PostgresServer, RedisServer
from tests.wire import BoardClient, stroke

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "bench" / "node" / "fanout.mjs"
RELAYS = {"relay_queue": "bench.relay_queue:app", "relay_tick": "bench.relay_tick:app"}
# inkroom and the shared-frame relay send each sender its own messages too: the driver counts
# them out.
ECHOES = {"inkroom", "relay_tick"}


def live_runs(count: int, points: int) -> list[str]:
    """Hex of ``count`` encoded runs of ``points`` pen points (what a browser's ``live`` holds)."""
    rng = random.Random(7)
    return [encode_points(pen_stroke(rng, points)).hex() for _ in range(count)]


@contextmanager
def started(target: str, workdir: Path, processes: int = 1) -> Any:
    """Yields (pids, ws url(s) of the board, comma-separated, first server or None) of a running
    target."""
    if target == "inkroom":
        env = {
            **BENCH_ENV,
            "INKROOM_MAX_CONNECTIONS_PER_BOARD": "100000",
            "INKROOM_MAX_HTTP_CONNECTIONS_PER_ADDRESS": "100000",
        }
        if processes > 1:
            with several(workdir, processes, env) as servers:
                board = servers[0].create_board("fan-out")
                pids = [server.process.pid for server in servers if server.process]
                yield pids, ",".join(server.ws_url(board) for server in servers), servers[0]
            return
        live = LiveServer(workdir / f"{target}.db", env=env)
        live.start(timeout=90)
        try:
            assert live.process is not None
            yield [live.process.pid], live.ws_url(live.create_board("fan-out")), live
        finally:
            live.stop()
        return
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", RELAYS[target], "--port", str(port),
        "--ws", "websockets-sansio", "--ws-per-message-deflate", "false",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{target} did not start") from None
                time.sleep(0.05)
        yield [process.pid], f"ws://127.0.0.1:{port}/ws/boards/bench", None
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # a starved relay may take longer: not left behind
            process.kill()
            process.wait()


@contextmanager
def several(workdir: Path, processes: int, env: dict[str, str]) -> Any:
    """``processes`` inkroom processes on a new PostgreSQL database and a Redis of their own."""
    postgres, redis = PostgresServer(), RedisServer()
    postgres.start()
    redis.start()
    try:
        with shared_processes(workdir, postgres, redis, processes, env) as deployment:
            yield deployment.servers
    finally:
        redis.close()
        postgres.stop()


@dataclass
class Probe:
    """Times what must stay quick while the board is loaded, once a second, in its own thread."""

    live: LiveServer
    ws_url: str
    metrics: list[float] = field(default_factory=list)
    joins: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        thread.start()
        return thread

    async def _run(self) -> None:
        try:
            board = await asyncio.to_thread(self.live.create_board, "quiet")
            quiet = BoardClient(self.live.ws_url(board))
            await quiet.join()
        except Exception as exc:
            self.failures.append(f"probe set-up: {exc!r}")
            return
        async with httpx.AsyncClient(timeout=30) as http:
            while not self.done.is_set():
                try:
                    began = time.perf_counter()
                    (await http.get(f"{self.live.url}/metrics")).raise_for_status()
                    self.metrics.append(time.perf_counter() - began)
                    began = time.perf_counter()
                    joiner = BoardClient(self.ws_url)
                    await asyncio.wait_for(joiner.join(), 30)
                    self.joins.append(time.perf_counter() - began)
                    await joiner.close()
                    began = time.perf_counter()
                    op = stroke(20)
                    await quiet.send(protocol.Submit(type="op", op=op))
                    await quiet.expect("ack", timeout=30, id=op.id)
                    self.acks.append(time.perf_counter() - began)
                except Exception as exc:
                    self.failures.append(repr(exc))
                await asyncio.sleep(1.0)
        await quiet.close()

    def summary(self) -> str:
        def worst(values: list[float]) -> str:
            return f"{max(values) * 1000:.0f}" if values else "-"

        text = f"probe max ms: /metrics {worst(self.metrics)}, join {worst(self.joins)}, "
        text += f"ack {worst(self.acks)} ({len(self.acks)} probes)"
        return text + (f", failures: {self.failures[:3]}" if self.failures else "")


def run_once(
    target: str, args: argparse.Namespace, clients: int, runs: list[str]
) -> dict[str, Any]:
    processes = args.processes if target == "inkroom" else 1
    with (
        tempfile.TemporaryDirectory() as tmp,
        started(target, Path(tmp), processes) as (pids, url, live),
    ):
        servers = [psutil.Process(pid) for pid in pids]

        def rss() -> int:
            return sum(server.memory_info().rss for server in servers)

        def cpu_seconds() -> float:
            return sum(sum(server.cpu_times()[:2]) for server in servers)

        rss_before = rss()
        senders = 0 if args.idle else min(args.senders or clients, clients)
        command = [
            "node", str(DRIVER), "--url", url, "--clients", str(clients),
            "--senders", str(senders), "--rate", str(args.rate),
            "--seconds", str(0 if args.idle else args.seconds), "--points", ",".join(runs),
            "--hold", "2" if args.idle else "1",
        ]  # fmt: skip
        if target in ECHOES:
            command.append("--echo")
        driver = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert driver.stdout is not None
        probe = Probe(live, url.split(",")[0]) if live is not None and not args.idle else None
        report: dict[str, Any] = {"target": target, "clients": clients, "processes": processes}
        cpu_start = 0.0
        for line in driver.stdout:
            event = json.loads(line)
            if event["event"] == "joined":
                report["join_s"] = event["seconds"]
                time.sleep(1.5 if args.idle else 0)
                report["kB_per_connection"] = (rss() - rss_before) / clients / 1024
            elif event["event"] == "start":
                cpu_start = cpu_seconds()
                wall_start = time.perf_counter()
                if probe:
                    probe.start()
            elif event["event"] == "result":
                cpu = cpu_seconds() - cpu_start
                wall = time.perf_counter() - wall_start
                report.update(event)
                if probe:
                    # Each probe's join brings everyone a presence joined and left: not live points.
                    event["delivered"] -= 2 * clients * len(probe.joins)
                    report["delivered"] = event["delivered"]
                    report["delivered_share"] = event["delivered"] / max(event["expected"], 1)
                report["server_cpu_share"] = cpu / wall
                delivered = max(event["delivered"], 1)
                report["cpu_us_per_delivery"] = cpu / delivered * 1e6
        driver.wait(30)
        if live is not None and not args.idle:
            report["drops"] = drops(live.url)
        if probe:
            probe.done.set()
            report["probe"] = probe.summary()
        return report


def show(report: dict[str, Any]) -> str:
    if report.get("sent", 0) == 0:
        return (
            f"{report['target']:<12} {report['clients']:>5} clients joined in "
            f"{report['join_s']:.2f} s, {report['kB_per_connection']:.1f} kB per connection"
        )

    def ms(key: str) -> str:
        value = report.get(key)
        return "-" if value is None else f"{value:.1f}"

    target = report["target"]
    if report.get("processes", 1) > 1:
        target += f" x{report['processes']}"
    text = (
        f"{target:<12} {report['clients']:>5} clients {report['senders']:>4} senders: "
        f"delivered {report['delivered_share'] * 100:6.2f} %, p50 {ms('p50_ms')} ms, "
        f"p99 {ms('p99_ms')} ms, max {ms('max_ms')} ms, "
        f"server CPU {report['server_cpu_share'] * 100:.0f} %, "
        f"{report['cpu_us_per_delivery']:.2f} us/delivery, "
        f"driver CPU {report['driver_cpu_share'] * 100:.0f} %"
    )
    if "probe" in report:
        text += f"\n{'':12} {report['probe']}"
    if report.get("drops"):
        shed = ", ".join(f"{kind} {count:,}" for kind, count in report["drops"].items())
        text += f"\n{'':12} dropped (inkroom_queue_drops): {shed}"
    return text


def drops(url: str) -> dict[str, int]:
    """What the server dropped, by kind: live points shed on the way in (``live_in``), ticks a
    busy client missed (``ephemeral``), clients cut off (``fell_behind``)."""
    found: dict[str, int] = {}
    for line in httpx.get(f"{url}/metrics", timeout=30).text.splitlines():
        matched = re.match(r'inkroom_queue_drops_total\{kind="(\w+)"\} ([0-9.e+]+)', line)
        if matched:
            found[matched.group(1)] = int(float(matched.group(2)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--senders", type=int, default=0, help="how many send (0: all)")
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--points", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--targets", nargs="+", default=["inkroom", "relay_queue", "relay_tick"])
    parser.add_argument("--idle", action="store_true", help="join only: memory and join time")
    parser.add_argument(
        "--processes", type=int, default=1,
        help="inkroom as this many processes on PostgreSQL and Redis (clients spread over them)",
    )  # fmt: skip
    args = parser.parse_args()
    runs = live_runs(16, args.points)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)
    for clients in args.clients:
        reports: dict[str, list[dict[str, Any]]] = {}
        for _ in range(args.runs):
            for target in args.targets:
                report = run_once(target, args, clients, runs)
                reports.setdefault(target, []).append(report)
                print(show(report), flush=True)
        if "inkroom" in reports and "relay_tick" in reports and not args.idle:
            ratio = statistics.median(r["cpu_us_per_delivery"] for r in reports["inkroom"])
            ratio /= statistics.median(r["cpu_us_per_delivery"] for r in reports["relay_tick"])
            print(f"{'':12} CPU per delivery, inkroom / shared-frame relay: {ratio:.2f}x")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)


if __name__ == "__main__":
    main()
