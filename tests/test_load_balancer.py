"""The documented nginx example (``deploy/nginx-inkroom.conf``) in front of two processes on
PostgreSQL and Redis: clients that land on different processes draw together, and when one
process is killed its client reconnects through nginx to the other and resumes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.cluster import Deployment, behind_nginx, connections
from tests.services import NginxServer, PostgresServer, RedisServer
from tests.wire import BoardClient, stroke


@pytest.fixture
def balanced(
    tmp_path: Path, postgres: PostgresServer, redis_server: RedisServer
) -> Iterator[tuple[NginxServer, Deployment]]:
    rates = {"INKROOM_OPERATIONS_PER_SECOND": "1000", "INKROOM_OPERATIONS_BURST": "1000"}
    with behind_nginx(tmp_path, postgres, redis_server, rates) as running:
        yield running


async def wait_connections(deployment: Deployment, total: int) -> list[float]:
    async with asyncio.timeout(20):
        while sum(counts := connections(deployment)) != total:  # noqa: ASYNC110 (polls HTTP)
            await asyncio.sleep(0.1)
    return counts


async def drain_until(client: BoardClient, head: int, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while client.last_seq < head:
            await client.pull(timeout)


def committed_log(client: BoardClient) -> dict[int, str]:
    """seq -> operation id as this client saw the log; a seq never names two operations."""
    log: dict[int, str] = {}
    for m in client.received:
        if m.type in ("committed", "ack"):
            op_id = m.op.id if m.type == "committed" else m.id
            assert log.setdefault(m.seq, op_id) == op_id, f"seq {m.seq} named two operations"
    return log


async def test_two_clients_through_nginx_on_different_processes_draw_together(
    balanced: tuple[NginxServer, Deployment],
) -> None:
    nginx, deployment = balanced
    async with httpx.AsyncClient(timeout=10.0) as http:
        page = await http.get(f"{nginx.url}/")
        assert page.status_code == 200
        created = await http.post(f"{nginx.url}/api/boards", json={"title": "Balanced"})
        assert created.status_code == 201
    board_id = created.json()["id"]
    a, b = BoardClient(nginx.ws_url(board_id)), BoardClient(nginx.ws_url(board_id), name="B")
    try:
        await a.join()
        first = (await wait_connections(deployment, 1)).index(1)  # a's process
        await b.join()
        # least_conn sends the second socket to the other process.
        assert await wait_connections(deployment, 2) == [1, 1]
        assert (await a.expect("presence", event="joined", timeout=20)).peer.name == "B"
        ink = stroke()
        await a.submit(ink)
        assert (await a.expect("ack", id=ink.id, timeout=20)).seq == 1
        assert (await b.expect("committed", seq=1, timeout=20)).op.id == ink.id
        reply = stroke(x=40)
        await b.submit(reply)
        assert (await a.expect("committed", seq=2, timeout=20)).op.id == reply.id

        # a's process dies while a draws: a reconnects through nginx, to the other process.
        sent = [stroke(x=100 + n) for n in range(200)]

        async def burst() -> None:
            with contextlib.suppress(websockets.ConnectionClosed):
                for op in sent:
                    await a.submit(op)
                    await asyncio.sleep(0.01)

        sending = asyncio.create_task(burst())
        await a.expect("ack", id=sent[20].id, timeout=20)
        deployment.servers[first].kill()
        await sending
        await a.drain()
        acked = {m.id for m in a.received if m.type == "ack"}
        assert 20 < len(acked) < len(sent)  # killed mid-burst
        again = BoardClient(nginx.ws_url(board_id), user=a.user)
        await again.join(last_seq=a.last_seq)
        assert await wait_connections(deployment, 2) == [2]  # b, and a again, on the survivor
        unacked = [op for op in sent if op.id not in acked]
        for op in unacked:
            await again.submit(op)
        for op in unacked:
            await again.expect("ack", id=op.id, timeout=30)
        final = 2 + len(sent)
        await drain_until(b, final)
        late = BoardClient(nginx.ws_url(board_id))
        await late.join()
        log = committed_log(late)
        assert sorted(log) == list(range(1, final + 1))
        assert sorted(log.values()) == sorted([ink.id, reply.id, *(op.id for op in sent)])
        assert committed_log(b) == log
        await again.close()
        await late.close()
    finally:
        await a.close()
        await b.close()
