"""Import benchmark: another board's ack latency while the largest allowed import runs.

    .venv/bin/python -m bench.import_stall --runs 3

Starts the real server on a fresh SQLite file, keeps one client storing a stroke every 50 ms on
its own board, posts a board document of tiny strokes as large as ``INKROOM_MAX_IMPORT_BYTES``
allows (16 MiB by default), and reports the ack latency p50/p99/max while the import ran, the
import's own duration, and the server's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from server.config import Settings
from tests.live_server import LiveServer
from tests.wire import BoardClient, new_id, stroke


def document(limit: int) -> bytes:
    author = new_id()

    def build(count: int) -> bytes:
        ops = [{"seq": i + 1, "author": author, "op": stroke(points=1).model_dump()}
               for i in range(count)]  # fmt: skip
        return json.dumps({"title": "Imported", "operations": ops}).encode()

    count = limit // 160
    while len(body := build(count)) > limit:
        count -= (len(body) - limit) // 150 + 1
    return body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(live: LiveServer, body: bytes) -> dict[str, Any]:
    board_id = await asyncio.to_thread(live.create_board)
    writer = BoardClient(live.ws_url(board_id))
    await writer.join()
    assert live.process is not None
    server = psutil.Process(live.process.pid)
    peak = server.memory_info().rss
    async with httpx.AsyncClient(base_url=live.url, timeout=600.0) as http:
        started = time.monotonic()
        importing = asyncio.create_task(
            http.post("/api/boards/import", content=body,
                      headers={"Content-Type": "application/json"})
        )  # fmt: skip
        latencies: list[float] = []
        while not importing.done():
            op = stroke()
            sent = time.monotonic()
            await writer.submit(op)
            await writer.expect("ack", id=op.id, timeout=60.0)
            latencies.append(time.monotonic() - sent)
            peak = max(peak, server.memory_info().rss)
            await asyncio.sleep(0.05)
        response = await importing
        took = time.monotonic() - started
    await writer.close()
    assert response.status_code == 201, response.text[:200]
    return {
        "import_s": round(took, 2),
        "acks": len(latencies),
        "ack_p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "ack_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "ack_max_ms": round(max(latencies) * 1000, 1),
        "server_peak_mb": round(peak / 2**20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bytes", type=int, default=Settings().max_import_bytes)
    args = parser.parse_args()
    body = document(args.bytes)
    print(f"document: {len(body):,} bytes")
    with tempfile.TemporaryDirectory() as directory:
        live = LiveServer(Path(directory) / "bench.db")
        live.start()
        try:
            for _ in range(args.runs):
                print(asyncio.run(run(live, body)))
        finally:
            live.stop()


if __name__ == "__main__":
    main()
