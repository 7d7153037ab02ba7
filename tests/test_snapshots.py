"""Snapshots: a board's operations in parts, fetched over HTTP, then the tail over the socket."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server import protocol, snapshot
from server.board import Board
from tests.live_server import LiveServer
from tests.test_board_twins import random_log
from tests.wire import BoardClient, stroke

FAST_SNAPSHOTS = {
    "INKROOM_SNAPSHOT_EVERY_OPS": "20",
    "INKROOM_SNAPSHOT_OFFER_AFTER_OPS": "5",
    "INKROOM_SNAPSHOT_PART_OBJECTS": "8",
    "INKROOM_SNAPSHOT_QUIET_SECONDS": "1",
    "INKROOM_SNAPSHOT_MIN_INTERVAL_SECONDS": "0",
}


def _rows(log: list[dict[str, Any]]) -> list[snapshot.Row]:
    return [
        (
            int(entry["seq"]),
            str(entry["author"]),
            protocol.encode_operation(protocol.operation_adapter.validate_python(entry["op"])),
        )
        for entry in log
    ]


def _view(entries: list[tuple[int, str, Any]]) -> list[tuple[Any, ...]]:
    """What the board shows, in paint order: where each object is and how it reads and looks."""
    board = Board()
    for seq, author, op in sorted(entries, key=lambda entry: entry[0]):
        board.apply(seq, author, protocol.operation_adapter.validate_python(op))
    return [
        (item.op.id, item.matrix, getattr(item.op, "text", None), getattr(item.op, "color", None),
         getattr(item.op, "width", None))
        for item in board.visible()
    ]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), length=st.integers(1, 70), parts=st.integers(1, 12))
def test_a_snapshot_and_the_operations_after_it_show_what_the_whole_log_shows(
    seed: int, length: int, parts: int
) -> None:
    log = random_log(random.Random(seed), length)
    rows = _rows(log)
    whole = _view([(seq, author, msgpack.unpackb(payload)) for seq, author, payload in rows])
    for cut in range(1, length + 1):
        built = snapshot.build("board-id", cut, rows[:cut], parts)
        entries: list[tuple[int, str, Any]] = []
        for part in built:
            seq, read = snapshot.read(part.body)
            assert seq == cut
            entries += read
        assert sorted(entry[0] for entry in entries) == list(range(1, cut + 1))
        tail = [(seq, author, msgpack.unpackb(payload)) for seq, author, payload in rows[cut:]]
        assert _view(entries + tail) == whole


def test_objects_are_grouped_with_their_neighbours_and_each_part_knows_its_bounds() -> None:
    rows = []
    for index in range(40):
        x = 0.0 if index % 2 else 5000.0  # two clusters far apart
        op = stroke(points=3, x=x + index)
        rows.append((index + 1, "author-a", protocol.encode_operation(op)))
    built = snapshot.build("board-id", 40, rows, 20)
    assert [part.count for part in built] == [0, 20, 20]
    lefts = sorted(part.bounds[0] for part in built if part.bounds)
    rights = sorted(part.bounds[2] for part in built if part.bounds)
    assert rights[0] < 100 and lefts[1] >= 5000


async def _join_until_offered(
    url: str, token: str | None = None, timeout: float = 30.0
) -> protocol.Welcome:
    """Join (asking for snapshots) until the server has built one and offers it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        client = BoardClient(url)
        await client.connect()
        join = protocol.Join(
            type="join", user=client.user, name="Late", color="#123456", snapshot=True, token=token
        )
        await client.send(join)
        welcome = await client.expect("welcome")
        await client.expect("synced")
        await client.close()
        if welcome.snapshot is not None:
            return welcome
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("no snapshot was offered")
        await asyncio.sleep(0.2)


@pytest.mark.parametrize("server", [FAST_SNAPSHOTS], indirect=True)
async def test_a_late_joiner_gets_a_snapshot_then_only_what_came_after_it(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    author = BoardClient(server.ws_url(board_id))
    clients.append(author)
    await author.join()
    ops = [stroke(points=4, x=float(i * 10)) for i in range(60)]
    for op in ops:
        await author.submit(op)
        await author.expect("ack", id=op.id)
    welcome = await _join_until_offered(server.ws_url(board_id))
    offered = welcome.snapshot
    assert offered is not None and welcome.resume == offered.seq
    assert sum(part.count for part in offered.parts) == offered.seq
    assert len(offered.parts) > 2  # rules, then objects in parts of at most 8

    late = BoardClient(server.ws_url(board_id))
    clients.append(late)
    welcome = await late.join(snapshot=True)
    assert welcome.snapshot is not None
    tail = [m for m in late.received if m.type == "committed"]
    assert all(m.seq > welcome.resume for m in tail)
    entries: list[tuple[int, str, Any]] = []
    base = f"{server.url}/api/boards/{board_id}/snapshots/{welcome.snapshot.seq}"
    async with httpx.AsyncClient() as http:
        for part in welcome.snapshot.parts:
            response = await http.get(f"{base}/{part.part}", headers={"Accept-Encoding": "br"})
            assert response.status_code == 200
            assert response.headers["content-encoding"] == "br"
            assert "immutable" in response.headers["cache-control"]
            document = msgpack.unpackb(response.content)
            assert len(document["entries"]) == part.count
            entries += [(s, document["authors"][a], op) for s, a, op in document["entries"]]
    received = sorted([e[0] for e in entries] + [m.seq for m in tail])
    assert received == list(range(1, received[-1] + 1)) and received[-1] >= len(ops)
    ids = {op["id"] for _, _, op in entries} | {m.op.id for m in tail}
    assert ids == {op.id for op in ops}


@pytest.mark.parametrize("server", [FAST_SNAPSHOTS], indirect=True)
async def test_a_snapshot_part_is_cached_by_its_etag_and_sent_in_a_form_the_client_takes(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    author = BoardClient(server.ws_url(board_id))
    clients.append(author)
    await author.join()
    for index in range(30):
        op = stroke(x=float(index))
        await author.submit(op)
        await author.expect("ack", id=op.id)
    offered = (await _join_until_offered(server.ws_url(board_id))).snapshot
    assert offered is not None
    url = f"{server.url}/api/boards/{board_id}/snapshots/{offered.seq}/1"
    async with httpx.AsyncClient() as http:
        first = await http.get(url, headers={"Accept-Encoding": "br"})
        again = await http.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and not again.content
        assert first.headers["content-encoding"] == "br"
        # One that refuses brotli gets gzip; one that takes neither, the plain bytes.
        gzipped = await http.get(url, headers={"Accept-Encoding": "br;q=0, gzip"})
        assert gzipped.headers["content-encoding"] == "gzip"
        assert gzipped.content == first.content
        plain = await http.get(url, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.content == first.content
        # Other bytes, other tags: a cache never answers one form's tag with another's bytes.
        tags = {answer.headers["etag"] for answer in (first, gzipped, plain)}
        assert len(tags) == 3
        kept = await http.get(
            url, headers={"Accept-Encoding": "gzip", "If-None-Match": gzipped.headers["etag"]}
        )
        assert kept.status_code == 304
        other = await http.get(
            url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]}
        )
        assert other.status_code == 200 and other.content == first.content
        missing = await http.get(f"{server.url}/api/boards/{board_id}/snapshots/999999/0")
        assert missing.status_code == 404
    assert msgpack.unpackb(first.content)["seq"] == offered.seq


async def test_a_copy_whose_last_operation_differs_is_sent_everything_again(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    author = BoardClient(server.ws_url(board_id))
    clients.append(author)
    await author.join()
    ops = [stroke(x=float(i)) for i in range(6)]
    for op in ops:
        await author.submit(op)
        await author.expect("ack", id=op.id)

    trusted = BoardClient(server.ws_url(board_id))
    clients.append(trusted)
    welcome = await trusted.join(last_seq=4, last_op=ops[3].id)
    assert welcome.resume == 4
    assert [m.seq for m in trusted.received if m.type == "committed"] == [5, 6]

    foreign = BoardClient(server.ws_url(board_id))
    clients.append(foreign)
    welcome = await foreign.join(last_seq=4, last_op="not-this-boards-op")
    assert welcome.resume == 0
    assert [m.seq for m in foreign.received if m.type == "committed"] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("server", [FAST_SNAPSHOTS], indirect=True)
async def test_a_private_boards_snapshot_needs_its_link(server: LiveServer) -> None:
    async with httpx.AsyncClient() as http:
        created = (await http.post(f"{server.url}/api/boards", json={"protected": True})).json()
    board_id, token = created["id"], created["links"]["editor"]
    author = BoardClient(server.ws_url(board_id))
    await author.connect()
    await author.send(
        protocol.Join(type="join", user=author.user, name="A", color="#123456", token=token)
    )
    await author.expect("synced")
    for index in range(30):
        op = stroke(x=float(index))
        await author.submit(op)
        await author.expect("ack", id=op.id)
    await author.close()
    offered = (await _join_until_offered(server.ws_url(board_id), token)).snapshot
    assert offered is not None
    url = f"{server.url}/api/boards/{board_id}/snapshots/{offered.seq}/0"
    async with httpx.AsyncClient() as http:
        refused = await http.get(url)
        assert refused.status_code == 403
        allowed = await http.get(url, headers={"X-Board-Token": token})
        assert allowed.status_code == 200
        assert allowed.headers["cache-control"].startswith("private")
