"""Several ``inkroom serve`` processes on one PostgreSQL database and one Redis: migrations on
both engines, convergence, a killed process (its clients resume elsewhere, its people leave),
and Redis restarted or paused."""

from __future__ import annotations

import asyncio
import contextlib
import io
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from server import protocol
from server.config import database_url
from server.migrate import alembic_config
from tests.cluster import Deployment, shared_processes
from tests.services import PostgresServer, RedisServer
from tests.wire import BoardClient, new_id, stroke


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_inkroom_migrate_runs_the_same_history_on_both_engines(
    tmp_path: Path, postgres: PostgresServer, engine: str
) -> None:
    url = postgres.new_database() if engine == "postgresql" else str(tmp_path / "boards.db")
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate", "--database", url],
        capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    config = alembic_config(database_url(url))
    # No drift between the tables the code declares and what the migrations built, at the head.
    command.check(config)
    assert migrated_to(config) == ScriptDirectory.from_config(config).get_heads()
    # Every migration goes down and up again on this engine too.
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    command.check(config)


def migrated_to(config: Config) -> list[str]:
    """The revisions recorded in the database (``alembic current``)."""
    out = io.StringIO()
    config.stdout = out
    command.current(config)
    return [line.split()[0] for line in out.getvalue().splitlines() if line.strip()]


async def drain_until(client: BoardClient, head: int, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while client.last_seq < head:
            await client.pull(timeout)


def ops_of(client: BoardClient) -> dict[int, str]:
    """seq -> operation id as this client saw the log (committed and acks); a seq never changes."""
    log: dict[int, str] = {}
    for m in client.received:
        if m.type in ("committed", "ack"):
            op_id = m.op.id if m.type == "committed" else m.id
            assert log.setdefault(m.seq, op_id) == op_id, f"seq {m.seq} named two operations"
    return log


def head(deployment: Deployment, board_id: str, n: int = 0) -> int:
    url = deployment.servers[n].url
    response = httpx.get(f"{url}/api/boards/{board_id}", timeout=5.0)
    seq: int = response.json()["head_seq"]
    return seq


async def test_twelve_clients_on_three_processes_converge_with_disconnects(
    tmp_path: Path, postgres: PostgresServer, redis_server: RedisServer
) -> None:
    rng = random.Random(7)
    with shared_processes(tmp_path, postgres, redis_server, 3) as deployment:
        board_id = deployment.create_board()
        clients = [BoardClient(deployment.ws_url(board_id, n), name=f"P{n}") for n in range(12)]
        for client in clients:
            await client.join()
        own: dict[int, list[str]] = {n: [] for n in range(12)}
        acked: set[str] = set()
        try:
            for round_ in range(6):
                for n, client in enumerate(clients):
                    if own[n] and rng.random() < 0.2:
                        op: Any = protocol.UndoOp(kind="undo", id=new_id(), target=own[n][-1])
                    else:
                        op = stroke(x=round_ * 100 + n)
                        own[n].append(op.id)
                    await client.submit(op)
                    await client.expect("ack", id=op.id, timeout=20)
                    acked.add(op.id)
                # Someone drops and comes back on another process, resuming from its last seq.
                n = rng.randrange(12)
                await clients[n].close()
                clients[n] = BoardClient(
                    deployment.ws_url(board_id, n + 1), user=clients[n].user, name=f"P{n}"
                )
                await clients[n].join(last_seq=max(ops_of_all(clients[n]), default=0))
            final = head(deployment, board_id)
            assert final == len(acked)
            for client in clients:
                await drain_until(client, final)
            late = BoardClient(deployment.ws_url(board_id, 2))
            await late.join()
            expected = ops_of(late)
            assert sorted(expected) == list(range(1, final + 1))
            assert set(expected.values()) == acked
            for client in clients:
                seen = ops_of(client)
                assert all(expected[seq] == op_id for seq, op_id in seen.items())
            await late.close()
        finally:
            for client in clients:
                await client.close()


def ops_of_all(client: BoardClient) -> list[int]:
    return list(ops_of(client))


async def test_a_killed_process_loses_nothing_acknowledged_and_its_clients_resume_elsewhere(
    tmp_path: Path, postgres: PostgresServer, redis_server: RedisServer
) -> None:
    rates = {"INKROOM_OPERATIONS_PER_SECOND": "1000", "INKROOM_OPERATIONS_BURST": "1000"}
    with shared_processes(tmp_path, postgres, redis_server, 2, rates) as deployment:
        board_id = deployment.create_board()
        watcher = BoardClient(deployment.ws_url(board_id, 1))
        drawer = BoardClient(deployment.ws_url(board_id, 0))
        await watcher.join()
        await drawer.join()
        sent = [stroke(x=n) for n in range(300)]

        async def burst() -> None:
            with contextlib.suppress(websockets.ConnectionClosed):
                for op in sent:
                    await drawer.submit(op)
                    await asyncio.sleep(0.01)

        sending = asyncio.create_task(burst())
        try:
            # Some are acknowledged, then the drawer's process dies mid-burst.
            await drawer.expect("ack", id=sent[20].id, timeout=20)
            deployment.servers[0].kill()
            await sending
            await drawer.drain()
            acked = {m.id for m in drawer.received if m.type == "ack"}
            assert 20 < len(acked) < len(sent)
            again = BoardClient(deployment.ws_url(board_id, 1), user=drawer.user)
            await again.join(last_seq=drawer.last_seq)
            unacked = [op for op in sent if op.id not in acked]
            for op in unacked:
                await again.submit(op)
            for op in unacked:
                await again.expect("ack", id=op.id, timeout=30)
            final = head(deployment, board_id, 1)
            assert final == len(sent)
            await drain_until(watcher, final)
            late = BoardClient(deployment.ws_url(board_id, 1))
            await late.join()
            log = ops_of(late)
            assert sorted(log) == list(range(1, final + 1))
            assert sorted(log.values()) == sorted(op.id for op in sent)
            assert ops_of(watcher) == log
            await again.close()
            await late.close()
        finally:
            await watcher.close()
            await drawer.close()


async def test_the_people_of_a_killed_process_leave_the_others_lists_within_three_heartbeats(
    tmp_path: Path, postgres: PostgresServer, redis_server: RedisServer
) -> None:
    with shared_processes(tmp_path, postgres, redis_server, 2) as deployment:
        board_id = deployment.create_board()
        stays = BoardClient(deployment.ws_url(board_id, 1), name="Stays")
        await stays.join()
        doomed = BoardClient(deployment.ws_url(board_id, 0), name="Doomed")
        welcome = await doomed.join()
        try:
            arrived = await stays.expect("presence", event="joined", timeout=20)
            assert (arrived.peer.peer, arrived.peer.name) == (welcome.peer, "Doomed")
            deployment.servers[0].kill()  # it tells nobody that its people left
            killed = asyncio.get_running_loop().time()
            left = await stays.expect("presence", event="left", timeout=20)
            waited = asyncio.get_running_loop().time() - killed
            assert left.peer.peer == welcome.peer
            # Three heartbeats of 1 s, and the tick that notices.
            assert waited < 6, waited
            # A newcomer on the survivor is not told of the dead process's people either.
            newcomer = BoardClient(deployment.ws_url(board_id, 1))
            names = [peer.name for peer in (await newcomer.join()).peers]
            assert names == ["Stays"]
            await newcomer.close()
        finally:
            await stays.close()
            await doomed.close()


def health(deployment: Deployment, n: int) -> dict[str, str]:
    body: dict[str, str] = httpx.get(f"{deployment.servers[n].url}/healthz", timeout=5.0).json()
    return body


async def wait_health(deployment: Deployment, n: int, status: str, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while health(deployment, n)["status"] != status:  # noqa: ASYNC110 (polls HTTP)
            await asyncio.sleep(0.1)


def metric(deployment: Deployment, n: int, name: str) -> float:
    text = httpx.get(f"{deployment.servers[n].url}/metrics", timeout=5.0).text
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.split()[1])


async def wait_metric(
    deployment: Deployment, n: int, name: str, value: float, timeout: float = 20.0
) -> None:
    async with asyncio.timeout(timeout):
        while metric(deployment, n, name) != value:  # noqa: ASYNC110 (polls HTTP)
            await asyncio.sleep(0.1)


@pytest.mark.parametrize("fault", ["restart", "pause"])
async def test_rooms_recover_by_themselves_when_redis_comes_back(
    tmp_path: Path, postgres: PostgresServer, own_redis: RedisServer, fault: str
) -> None:
    with shared_processes(tmp_path, postgres, own_redis, 2) as deployment:
        board_id = deployment.create_board()
        a = BoardClient(deployment.ws_url(board_id, 0))
        b = BoardClient(deployment.ws_url(board_id, 1))
        await a.join()
        await b.join()
        try:
            first = stroke()
            await a.submit(first)
            await b.expect("committed", seq=1, timeout=20)
            away = asyncio.get_running_loop().time()
            if fault == "restart":
                own_redis.stop()
            else:
                own_redis.pause()  # SIGSTOP: connections stay open, nothing answers
            for n in (0, 1):
                await wait_health(deployment, n, "degraded")
                await wait_metric(deployment, n, "inkroom_fanout_up", 0)
                await wait_metric(deployment, n, "inkroom_limits_shared", 0)
            # Each process still serves its own clients, and stores what they draw.
            during = [stroke(x=n) for n in range(5)]
            for op in during:
                await a.submit(op)
                await a.expect("ack", id=op.id, timeout=20)
            theirs = stroke(x=30)
            await b.submit(theirs)
            await b.expect("ack", id=theirs.id, timeout=20)
            if fault == "restart":
                own_redis.start()
            else:
                # Paused for 10 s in all, as a stalled Redis would be.
                await asyncio.sleep(max(0.0, away + 10 - asyncio.get_running_loop().time()))
                own_redis.resume()
            for n in (0, 1):
                await wait_health(deployment, n, "ok")
                # A reconnect that comes up may drop once more on a busy machine: up in the end.
                await wait_metric(deployment, n, "inkroom_fanout_up", 1)
                await wait_metric(deployment, n, "inkroom_limits_shared", 1)
            # What each missed is read from the database, in order, without a reconnect.
            await drain_until(a, 7)
            await drain_until(b, 7)
            assert ops_of(a) == ops_of(b)
            assert sorted(ops_of(a).values()) == sorted(op.id for op in [first, *during, theirs])
            assert [op_id for op_id in ops_of(b).values() if op_id in {o.id for o in during}] == [
                op.id for op in during
            ]
            # And traffic flows again both ways.
            after = stroke(x=50)
            await b.submit(after)
            assert (await a.expect("committed", seq=8, timeout=20)).op.id == after.id
        finally:
            await a.close()
            await b.close()
