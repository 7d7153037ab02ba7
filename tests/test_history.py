"""Version history over the real server: restore as an operation, any moment's exports, the
timeline, and who may restore."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import httpx

from server import protocol
from server.board import Board
from tests.live_server import LiveServer
from tests.test_access import room  # noqa: F401  (a protected board with three roles)
from tests.wire import BoardClient, new_id, stroke


def restore(at: int) -> protocol.RestoreOp:
    return protocol.RestoreOp(kind="restore", id=new_id(), at=at)


async def shown_to_a_late_joiner(server: LiveServer, board_id: str) -> list[str]:
    """What a person who opens the board now sees (ids, in paint order)."""
    late = BoardClient(server.ws_url(board_id))
    try:
        await late.join()
        board = Board()
        for message in late.received:
            if message.type == "committed":
                board.apply(message.seq, message.author, message.op)
        return [item.op.id for item in board.visible()]
    finally:
        await late.close()


async def store(client: BoardClient, op: Any) -> int:
    await client.submit(op)
    seq: int = (await client.expect("ack", id=op.id)).seq
    return seq


async def test_a_restore_brings_back_the_board_a_vandal_cleared_for_everyone_and_survives_kill_9(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    owner, vandal, watcher = (BoardClient(server.ws_url(board_id), name=n) for n in "OVW")
    clients += [owner, vandal, watcher]
    for client in (owner, vandal, watcher):
        await client.join()
    drawn = [stroke(x=float(i * 10)) for i in range(5)]
    for op in drawn:
        good_moment = await store(owner, op)
    ids = [op.id for op in drawn]
    # The vandal moves everything away, erases two strokes, then clears the board.
    await store(vandal, protocol.MoveOp(kind="move", id=new_id(), targets=ids, dx=900, dy=900))
    await store(vandal, protocol.EraseOp(kind="erase", id=new_id(), targets=ids[:2]))
    await store(vandal, protocol.ClearOp(kind="clear", id=new_id()))
    assert await shown_to_a_late_joiner(server, board_id) == []

    back = restore(good_moment)
    restored_at = await store(owner, back)
    seen = await watcher.expect("committed", seq=restored_at)
    assert seen.op == back  # everyone sees the restore live
    assert await shown_to_a_late_joiner(server, board_id) == ids

    server.kill()
    server.start()
    assert await shown_to_a_late_joiner(server, board_id) == ids

    again = BoardClient(server.ws_url(board_id), user=owner.user)
    clients.append(again)
    await again.join()
    undo = protocol.UndoOp(kind="undo", id=new_id(), target=back.id)
    await store(again, undo)
    assert await shown_to_a_late_joiner(server, board_id) == []  # as if never restored
    await store(again, protocol.RedoOp(kind="redo", id=new_id(), target=back.id))
    assert await shown_to_a_late_joiner(server, board_id) == ids


async def test_a_restore_to_a_moment_the_board_has_not_reached_is_refused(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    author = BoardClient(server.ws_url(board_id))
    clients.append(author)
    await author.join()
    await store(author, stroke())
    ahead = restore(50)
    await author.submit(ahead)
    refused = await author.expect("error", id=ahead.id)
    assert refused.code == protocol.ErrorCode.UNKNOWN_TARGET


async def test_viewers_may_not_restore_editors_and_owners_may(room: dict[str, Any]) -> None:  # noqa: F811
    stored = await store(room["editor"], stroke())
    attempt = restore(stored)
    await room["viewer"].submit(attempt)
    refused = await room["viewer"].expect("error", id=attempt.id)
    assert refused.code == protocol.ErrorCode.READ_ONLY
    for role in ("editor", "owner"):
        await store(room[role], restore(stored))


async def test_any_moment_can_be_exported_and_the_timeline_says_who_made_each_operation(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    alice = BoardClient(server.ws_url(board_id), name="Alice")
    bob = BoardClient(server.ws_url(board_id), name="Bob")
    clients += [alice, bob]
    await alice.join()
    await bob.join()
    first = stroke()
    await store(alice, first)
    moment = await store(bob, stroke(x=50.0))
    await store(alice, protocol.ClearOp(kind="clear", id=new_id()))

    async with httpx.AsyncClient(base_url=server.url) as http:
        then = (await http.get(f"/api/boards/{board_id}/export.json", params={"at": moment})).json()
        assert [item["seq"] for item in then["operations"]] == [1, 2]
        svg_then = (await http.get(f"/api/boards/{board_id}/export.svg?at={moment}")).text
        svg_now = (await http.get(f"/api/boards/{board_id}/export.svg")).text
        paths = [
            ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}path")
            for svg in (svg_then, svg_now)
        ]
        assert [len(list(found)) for found in paths] == [2, 0]

        response = await http.get(f"/api/boards/{board_id}/history")
        assert response.status_code == 200
        timeline = response.json()
        # Compressed as the client takes it: the same timeline either way.
        for asked, sent in (("br", "br"), ("br;q=0, gzip", "gzip"), ("identity", None)):
            answer = await http.get(
                f"/api/boards/{board_id}/history", headers={"Accept-Encoding": asked}
            )
            assert answer.headers.get("content-encoding") == sent
            assert answer.json() == timeline
    assert timeline["head"] == 3
    people = [timeline["people"][index] for index in timeline["author"]]
    assert [person["name"] for person in people] == ["Alice", "Bob", "Alice"]
    assert [timeline["kinds"][index] for index in timeline["kind"]] == ["stroke", "stroke", "clear"]
    assert len(timeline["time"]) == 3 and all(t >= 0 for t in timeline["time"])


async def test_an_edited_text_reads_as_it_did_at_each_moment_in_exports_and_comes_back_on_import(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    alice = BoardClient(server.ws_url(board_id), name="Alice")
    clients.append(alice)
    await alice.join()
    text = protocol.TextOp(kind="text", id=new_id(), x=10, y=20, text="Before", size=20,
                           color="#000000")  # fmt: skip
    before = await store(alice, text)
    edit = protocol.EditOp(kind="edit", id=new_id(), object=text.id, text="After\nedit")
    await store(alice, edit)

    def words(svg: str) -> str:
        root = ElementTree.fromstring(svg)
        return "|".join(
            "".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")
        )

    async with httpx.AsyncClient(base_url=server.url) as http:
        then = (await http.get(f"/api/boards/{board_id}/export.svg?at={before}")).text
        now = (await http.get(f"/api/boards/{board_id}/export.svg")).text
        assert "Before" in words(then) and "After" not in words(then)
        assert "After" in words(now) and "Before" not in words(now)
        document = (await http.get(f"/api/boards/{board_id}/export.json")).json()
        assert [item["op"]["kind"] for item in document["operations"]] == ["text", "edit"]
        imported = await http.post("/api/boards/import", json=document)
        assert imported.status_code == 201, imported.text
        again = (await http.get(f"/api/boards/{imported.json()['id']}/export.svg")).text
    assert words(again) == words(now)
