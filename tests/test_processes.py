"""The board socket's essentials on each deployment: one process on SQLite, and two processes
sharing PostgreSQL and Redis with the clients of a board spread over both."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from server import protocol
from tests.cluster import Deployment, shared_processes, sqlite_process
from tests.services import PostgresServer, RedisServer
from tests.wire import BoardClient, image, new_id, stroke


@pytest.fixture(scope="module", params=["sqlite-1-process", "postgres-redis-2-processes"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """One deployment of each kind for the module; every test draws on a board of its own."""
    tmp_path = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite-1-process":
        with sqlite_process(tmp_path) as one:
            yield one
    else:
        postgres: PostgresServer = request.getfixturevalue("postgres")
        redis: RedisServer = request.getfixturevalue("redis_server")
        with shared_processes(tmp_path, postgres, redis, 2) as two:
            yield two


async def joined(
    deployment: Deployment,
    board_id: str,
    n: int,
    clients: list[BoardClient],
    user: str | None = None,
    **join: int,
) -> BoardClient:
    client = BoardClient(deployment.ws_url(board_id, n), user=user, name=f"Person {n}")
    clients.append(client)
    await client.join(**join)
    return client


def committed_ids(messages: list[object]) -> dict[int, str]:
    return {m.seq: m.op.id for m in messages if getattr(m, "type", "") == "committed"}  # type: ignore[attr-defined]


async def test_a_stroke_is_acknowledged_to_its_author_and_reaches_the_other_process(
    deployment: Deployment, clients: list[BoardClient]
) -> None:
    board_id = deployment.create_board()
    a = await joined(deployment, board_id, 0, clients)
    b = await joined(deployment, board_id, 1, clients)
    ink = stroke()
    await a.submit(ink)
    assert (await a.expect("ack", id=ink.id)).seq == 1
    seen = await b.expect("committed", timeout=10)
    assert (seen.seq, seen.op.id) == (1, ink.id)


async def test_presence_spans_processes_and_names_arrive(
    deployment: Deployment, clients: list[BoardClient]
) -> None:
    board_id = deployment.create_board()
    a = await joined(deployment, board_id, 0, clients)
    b = await joined(deployment, board_id, 1, clients)
    arrived = await a.expect("presence", event="joined", timeout=10)
    assert arrived.peer.name == "Person 1"
    # b learns of a either in its welcome or right after it.
    known = [p.name for p in (await_welcome_peers(b))]
    if "Person 0" not in known:
        assert (await b.expect("presence", event="joined", timeout=10)).peer.name == "Person 0"
    await b.close()
    assert (await a.expect("presence", event="left", timeout=10)).peer.name == "Person 1"


def await_welcome_peers(client: BoardClient) -> list[protocol.Peer]:
    welcome = next(m for m in client.received if m.type == "welcome")
    return list(welcome.peers)


async def test_live_points_and_cursors_reach_the_other_process(
    deployment: Deployment, clients: list[BoardClient]
) -> None:
    board_id = deployment.create_board()
    a = await joined(deployment, board_id, 0, clients)
    b = await joined(deployment, board_id, 1, clients)
    live = protocol.Live(
        type="live", stroke=new_id(), color="#1e1e1e", width=4, points=stroke().points
    )
    # The first messages may pass before b's process has subscribed: send until one arrives.
    for _ in range(50):
        await a.send(live)
        await a.send(protocol.Cursor(type="cursor", x=5, y=6))
        try:
            await b.expect("live", timeout=0.2)
            break
        except (AssertionError, TimeoutError):
            continue
    else:
        raise AssertionError("no live points crossed")
    assert (await b.expect("cursor", timeout=10)).x == 5


async def test_a_late_joiner_on_either_process_replays_everything_in_order(
    deployment: Deployment, clients: list[BoardClient]
) -> None:
    board_id = deployment.create_board()
    a = await joined(deployment, board_id, 0, clients)
    b = await joined(deployment, board_id, 1, clients)
    sent = []
    for n in range(20):
        ink = stroke(x=n)
        sent.append(ink.id)
        await (a if n % 2 else b).submit(ink)
    for client in (a, b):
        while client.last_seq < 20:
            await client.pull(10)
    for n in range(2):
        late = await joined(deployment, board_id, n, clients)
        assert sorted(committed_ids(late.received)) == list(range(1, 21))
        assert set(committed_ids(late.received).values()) == set(sent)
    # Everyone saw one order: each seq names the same operation everywhere.
    logs = [committed_ids(c.received) for c in (a, b)]
    for seq in range(1, 21):
        ids = {log[seq] for log in logs if seq in log}
        assert len(ids) <= 1


async def test_a_resume_sends_only_what_was_missed_and_undo_crosses(
    deployment: Deployment, clients: list[BoardClient]
) -> None:
    board_id = deployment.create_board()
    a = await joined(deployment, board_id, 0, clients)
    first = stroke()
    await a.submit(first)
    await a.expect("ack", id=first.id)
    await a.close()
    b = await joined(deployment, board_id, 1, clients)
    more = stroke(x=9)
    await b.submit(more)
    await b.expect("ack", id=more.id)
    # a comes back on the other process with what it had.
    again = await joined(deployment, board_id, 1, clients, user=a.user, last_seq=1)
    assert committed_ids(again.received) == {2: more.id}
    undo = protocol.UndoOp(kind="undo", id=new_id(), target=first.id)
    await again.submit(undo)
    assert (await again.expect("ack", id=undo.id)).seq == 3
    assert (await b.expect("committed", seq=3, timeout=10)).op.target == first.id
    # A resend of an acknowledged operation gets its number back, not a second copy.
    await again.submit(undo)
    assert (await again.expect("ack", id=undo.id)).seq == 3


async def test_an_image_added_on_one_process_is_placed_and_served_on_the_other(
    deployment: Deployment, clients: list[BoardClient]
) -> None:
    board_id = deployment.create_board()
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 60)).save(picture, "PNG")
    first, last = deployment.servers[0], deployment.servers[-1]
    async with httpx.AsyncClient(timeout=30.0) as http:
        added = await http.post(
            f"{first.url}/api/boards/{board_id}/images", content=picture.getvalue()
        )
        assert added.status_code == 201, added.text
        image_hash = added.json()["hash"]
        a = await joined(deployment, board_id, 0, clients)
        b = await joined(deployment, board_id, 1, clients)
        placed = image(image_hash, w=40, h=30)
        await b.submit(placed)  # on the other process, which did not store the image
        await b.expect("ack", id=placed.id)
        assert (await a.expect("committed", timeout=10)).op == placed
        served = await http.get(f"{last.url}/api/boards/{board_id}/images/{image_hash}")
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size == (40, 30)
