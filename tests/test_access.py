"""Who may do what: protected boards and their links, locks, kicks, and sign-in with JWT,
against a real ``inkroom serve``."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import websockets

from server import protocol
from server.points import encode as encode_points
from server.protocol import CloseCode, ErrorCode
from tests.live_server import LiveServer, running
from tests.wire import Guest, new_id, stored_log, stroke

SECRET = "inkroom-test-secret-0123456789abcdef"
NEEDS_LINK = (CloseCode.LINK_REQUIRED, "this board needs a valid link")


def _serve(path: Path, env: dict[str, str]) -> Iterator[LiveServer]:
    with running(
        path / "inkroom.db", {"INKROOM_BOARDS_PER_ADDRESS_PER_HOUR": "100000", **env}
    ) as live:
        yield live


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Boards with and without links; every test makes its own."""
    yield from _serve(tmp_path_factory.mktemp("links"), {})


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server where every request needs a JWT signed with ``SECRET``."""
    yield from _serve(tmp_path_factory.mktemp("jwt"), {"INKROOM_JWT_SECRET": SECRET})


@pytest.fixture
async def clients() -> AsyncIterator[list[Guest]]:
    opened: list[Guest] = []
    yield opened
    for client in opened:
        await client.close()


def token_for(sub: str = "user-alice-01", expires_in: float = 600, **claims: Any) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time() + expires_in), **claims}, SECRET)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def request(method: str, url: str, **options: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=5.0) as http:
        return await http.request(method, url, **options)


async def create(
    server: LiveServer, protected: bool = True, **headers: str
) -> tuple[str, dict[str, str]]:
    """A new board and its link tokens by role."""
    response = await request(
        "POST", f"{server.url}/api/boards", json={"protected": protected}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], body["links"]


async def enter(
    server: LiveServer, board_id: str, clients: list[Guest], token: str | None = None, **guest: Any
) -> Guest:
    client = Guest(server.ws_url(board_id), token=token, **guest)
    clients.append(client)
    await client.join()
    return client


async def turned_away(
    server: LiveServer, board_id: str, clients: list[Guest], token: str | None = None, **guest: Any
) -> tuple[int | None, str]:
    """Close code and reason of a join that must be refused (fails at once if welcomed)."""
    client = Guest(server.ws_url(board_id), token=token, **guest)
    clients.append(client)
    with pytest.raises(websockets.ConnectionClosed):
        await client.join()
    assert [m.type for m in client.received] == [], "it was let in"
    assert client.ws is not None and client.ws.protocol.close_rcvd is not None
    close = client.ws.protocol.close_rcvd
    return close.code, close.reason


def welcome_of(client: Guest) -> Any:
    return next(m for m in client.received if m.type == "welcome")


async def store(client: Guest, op: Any) -> tuple[int, str, Any]:
    await client.submit(op)
    return ((await client.expect("ack", id=op.id)).seq, client.user, op)


async def history(server: LiveServer, board_id: str, token: str | None = None) -> list[Any]:
    return await stored_log(server.ws_url(board_id), token=token)


@pytest.fixture
async def room(server: LiveServer, clients: list[Guest]) -> dict[str, Any]:
    """A protected board with its owner, an editor and a viewer on it (joined in that order)."""
    board_id, links = await create(server)
    members = {role: await enter(server, board_id, clients, links[role], name=role.title())
               for role in ("owner", "editor", "viewer")}  # fmt: skip
    for role, member in members.items():
        assert welcome_of(member).role == role
        assert welcome_of(member).protected is True
    return {"id": board_id, "links": links, **members}


# Protected boards


async def test_a_protected_board_comes_with_three_distinct_links_and_an_open_one_with_an_owner_link(
    server: LiveServer,
) -> None:
    _, links = await create(server)
    assert sorted(links) == ["editor", "owner", "viewer"]
    assert len(set(links.values())) == 3
    assert all(len(token) == 32 for token in links.values())
    _, open_links = await create(server, protected=False)
    assert sorted(open_links) == ["owner"]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="no token"),
        pytest.param("W" * 32, id="a made-up token"),
        pytest.param("other-board-owner", id="the owner token of another board"),
    ],
)
async def test_a_protected_board_closes_a_socket_without_a_valid_link_4403(
    server: LiveServer, clients: list[Guest], room: dict[str, Any], token: str | None
) -> None:
    if token == "other-board-owner":
        token = (await create(server))[1]["owner"]
    assert await turned_away(server, room["id"], clients, token) == NEEDS_LINK
    await room["owner"].drain(0.2)
    stored = await store(room["editor"], stroke())
    await room["viewer"].expect("committed", seq=stored[0])
    joined = [m for m in room["owner"].received if m.type == "presence" and m.event == "joined"]
    assert [m.peer.name for m in joined] == ["Editor", "Viewer"]


def _viewer_ops(editor_op_id: str) -> list[Any]:
    return [
        stroke(),
        protocol.ShapeOp(kind="shape", id=new_id(), shape="line", x1=0, y1=0, x2=5, y2=5,
                         color="#000000", width=2),
        protocol.TextOp(kind="text", id=new_id(), x=0, y=0, text="hi", size=12, color="#000000"),
        protocol.MoveOp(kind="move", id=new_id(), targets=[editor_op_id], dx=1, dy=1),
        protocol.TransformOp(kind="transform", id=new_id(), targets=[editor_op_id],
                             matrix=[2, 0, 0, 2, 0, 0]),
        protocol.StyleOp(kind="style", id=new_id(), targets=[editor_op_id], color="#ff0000"),
        protocol.OrderOp(kind="order", id=new_id(), targets=[editor_op_id], to="back"),
        protocol.EditOp(kind="edit", id=new_id(), object=editor_op_id, text="mine now"),
        protocol.EraseOp(kind="erase", id=new_id(), targets=[editor_op_id]),
        protocol.UndoOp(kind="undo", id=new_id(), target=editor_op_id),
        protocol.RedoOp(kind="redo", id=new_id(), target=editor_op_id),
        protocol.ClearOp(kind="clear", id=new_id()),
    ]  # fmt: skip


VIEWER_KINDS = ["stroke", "shape", "text", "move", "transform", "style", "order", "edit", "erase",
                "undo", "redo", "clear"]  # fmt: skip


@pytest.mark.parametrize("kind", VIEWER_KINDS)
async def test_a_viewer_sees_the_board_live_but_every_change_it_sends_is_read_only(
    server: LiveServer, room: dict[str, Any], kind: str
) -> None:
    editor, viewer = room["editor"], room["viewer"]
    drawn = await store(editor, stroke())
    assert (await viewer.expect("committed", seq=drawn[0])).op == drawn[2]
    ink = protocol.Live(
        type="live", stroke=new_id(), color="#000000", width=2, points=encode_points([1, 1, 1])
    )
    await editor.send(ink)
    await viewer.expect("live", stroke=ink.stroke)

    op = _viewer_ops(drawn[2].id)[VIEWER_KINDS.index(kind)]
    await viewer.submit(op)
    error = await viewer.expect("error", id=op.id)
    assert error.code == ErrorCode.READ_ONLY
    await viewer.send(protocol.Live(type="live", stroke=op.id, color="#000000", width=2,
                                    points=encode_points([1, 1, 1])))  # fmt: skip
    assert (await viewer.expect("error", code=ErrorCode.READ_ONLY)).id is None
    typing = protocol.Typing(type="typing", id=op.id, x=0, y=0, size=12, color="#000000",
                             text="no")  # fmt: skip
    await viewer.send(typing)
    await viewer.expect("error", code=ErrorCode.READ_ONLY, id=None)
    gesture = protocol.Transforming(type="transforming", id=op.id, targets=[drawn[2].id],
                                    matrix=[1, 0, 0, 1, 5, 5])  # fmt: skip
    await viewer.send(gesture)
    await viewer.expect("error", code=ErrorCode.READ_ONLY, id=None)
    shape = protocol.Drafting(type="drafting", id=op.id, shape="rect", x1=0, y1=0, x2=9, y2=9,
                              color="#000000", width=2)  # fmt: skip
    await viewer.send(shape)
    await viewer.expect("error", code=ErrorCode.READ_ONLY, id=None)
    await viewer.send(protocol.Cursor(type="cursor", x=4.0, y=2.0))  # a viewer may point
    assert (await editor.expect("cursor")).x == 4.0
    laser = protocol.Laser(type="laser", id=op.id, color="#e03131", points=encode_points([4, 2, 1]))
    await viewer.send(laser)
    assert (await editor.expect("laser")).id == op.id
    await viewer.send(protocol.Viewport(type="viewport", left=0, top=0, right=10, bottom=10))
    assert (await editor.expect("viewport")).right == 10
    assert await history(server, room["id"], room["links"]["viewer"]) == [drawn]
    await editor.drain(0.2)
    assert [m for m in editor.received if m.type == "live" and m.stroke == op.id] == []
    assert [m for m in editor.received if m.type in ("typing", "transforming", "drafting")] == []


async def test_an_editor_draws_on_a_protected_board_but_only_an_owner_may_clear_it(
    server: LiveServer, room: dict[str, Any]
) -> None:
    owner, editor = room["owner"], room["editor"]
    drawn = await store(editor, stroke())
    clear = protocol.ClearOp(kind="clear", id=new_id())
    await editor.submit(clear)
    assert (await editor.expect("error", id=clear.id)).code == ErrorCode.FORBIDDEN
    cleared = await store(owner, protocol.ClearOp(kind="clear", id=new_id()))
    assert (await editor.expect("committed", seq=cleared[0])).op == cleared[2]
    assert await history(server, room["id"], room["links"]["owner"]) == [drawn, cleared]


async def test_only_an_owner_can_remove_a_participant_who_is_then_closed_4003(
    server: LiveServer, clients: list[Guest], room: dict[str, Any]
) -> None:
    owner, editor, viewer = room["owner"], room["editor"], room["viewer"]
    peers = {role: welcome_of(room[role]).peer for role in ("owner", "editor", "viewer")}
    for kicker, target in ((editor, "viewer"), (viewer, "editor"), (editor, "owner")):
        await kicker.send(protocol.Kick(type="kick", peer=peers[target]))
        assert (await kicker.expect("error", code=ErrorCode.FORBIDDEN)).id is None
    # An owner's kick does not reach beyond its board.
    other_id, other_links = await create(server)
    bystander = await enter(server, other_id, clients, other_links["editor"])
    await owner.send(protocol.Kick(type="kick", peer=welcome_of(bystander).peer))

    await owner.send(protocol.Kick(type="kick", peer=peers["editor"]))
    assert await editor.closed() == (CloseCode.KICKED, "removed by the board's owner")
    assert (await viewer.expect("presence", event="left")).peer.peer == peers["editor"]
    assert await store(bystander, stroke())
    assert await store(owner, stroke())
    assert [m.type for m in owner.received if m.type == "error"] == []


async def test_locking_a_board_makes_it_read_only_for_all_but_owners_until_it_is_unlocked(
    server: LiveServer, clients: list[Guest], room: dict[str, Any]
) -> None:
    owner, editor, viewer = room["owner"], room["editor"], room["viewer"]
    url = f"{server.url}/api/boards/{room['id']}"
    refused = await request(
        "PATCH", url, json={"locked": True}, headers={"X-Board-Token": room["links"]["editor"]}
    )
    assert refused.status_code == 403
    locked = await request(
        "PATCH", url, json={"locked": True}, headers={"X-Board-Token": room["links"]["owner"]}
    )
    assert (locked.status_code, locked.json()["locked"]) == (200, True)
    for member in (owner, editor, viewer):
        assert (await member.expect("board")).locked is True

    op = stroke()
    await editor.submit(op)
    assert (await editor.expect("error", id=op.id)).code == ErrorCode.READ_ONLY
    owners = await store(owner, stroke())
    late = await enter(server, room["id"], clients, room["links"]["editor"])
    assert welcome_of(late).locked is True

    unlocked = await request(
        "PATCH", url, json={"locked": False}, headers={"X-Board-Token": room["links"]["owner"]}
    )
    assert (unlocked.status_code, unlocked.json()["locked"]) == (200, False)
    assert (await editor.expect("board")).locked is False
    again = await store(editor, op)
    assert await history(server, room["id"], room["links"]["viewer"]) == [owners, again]


async def test_an_editor_joining_a_locked_board_learns_its_role_and_the_lock(
    server: LiveServer, clients: list[Guest]
) -> None:
    board_id, links = await create(server)
    headers = {"X-Board-Token": links["owner"]}
    await request(
        "PATCH", f"{server.url}/api/boards/{board_id}", json={"locked": True}, headers=headers
    )
    editor = await enter(server, board_id, clients, links["editor"])
    owner = await enter(server, board_id, clients, links["owner"])
    assert (welcome_of(owner).role, welcome_of(owner).locked) == ("owner", True)
    # Welcome.role is the role granted; while the board is locked, non-owners may only look.
    # GET /api/boards/{id} reports the same pair.
    got = await request(
        "GET", f"{server.url}/api/boards/{board_id}", headers={"X-Board-Token": links["editor"]}
    )
    assert (got.json()["role"], got.json()["locked"]) == ("editor", True)
    assert (welcome_of(editor).role, welcome_of(editor).locked) == ("editor", True)


async def test_replacing_the_editor_link_closes_its_sockets_4403_and_only_the_new_token_works(
    server: LiveServer, clients: list[Guest], room: dict[str, Any]
) -> None:
    owner, editor, viewer = room["owner"], room["editor"], room["viewer"]
    url = f"{server.url}/api/boards/{room['id']}/links/editor"
    for role in ("editor", "viewer"):
        denied = await request("POST", url, headers={"X-Board-Token": room["links"][role]})
        assert denied.status_code == 403
    response = await request("POST", url, headers={"X-Board-Token": room["links"]["owner"]})
    assert response.status_code == 200
    new_token = response.json()["token"]
    assert response.json()["role"] == "editor" and new_token != room["links"]["editor"]

    assert await editor.closed() == (CloseCode.LINK_REQUIRED, "the link you used was replaced")
    assert await turned_away(server, room["id"], clients, room["links"]["editor"]) == NEEDS_LINK
    old = await request(
        "GET",
        f"{server.url}/api/boards/{room['id']}",
        headers={"X-Board-Token": room["links"]["editor"]},
    )
    assert old.status_code == 403
    returning = await enter(server, room["id"], clients, new_token)
    assert welcome_of(returning).role == "editor"
    drawn = await store(returning, stroke())
    for member in (owner, viewer):  # came by other links: still here
        assert (await member.expect("committed", seq=drawn[0])).op == drawn[2]


async def test_revoking_the_viewer_link_closes_its_sockets_4403_and_the_token_stops_working(
    server: LiveServer, clients: list[Guest], room: dict[str, Any]
) -> None:
    url = f"{server.url}/api/boards/{room['id']}/links/viewer"
    assert (
        await request("DELETE", url, headers={"X-Board-Token": room["links"]["editor"]})
    ).status_code == 403
    assert (
        await request("DELETE", url, headers={"X-Board-Token": room["links"]["owner"]})
    ).status_code == 204
    assert await room["viewer"].closed() == (
        CloseCode.LINK_REQUIRED,
        "the link you used was replaced",
    )
    assert await turned_away(server, room["id"], clients, room["links"]["viewer"]) == NEEDS_LINK
    await store(room["editor"], stroke())


async def test_deleting_a_board_closes_its_sockets_4410_and_it_is_gone(
    server: LiveServer, clients: list[Guest], room: dict[str, Any]
) -> None:
    await store(room["editor"], stroke())
    url = f"{server.url}/api/boards/{room['id']}"
    assert (
        await request("DELETE", url, headers={"X-Board-Token": room["links"]["editor"]})
    ).status_code == 403
    assert (
        await request("DELETE", url, headers={"X-Board-Token": room["links"]["owner"]})
    ).status_code == 204
    for role in ("owner", "editor", "viewer"):
        assert await room[role].closed() == (CloseCode.BOARD_DELETED, "board deleted")
    assert (
        await request("GET", url, headers={"X-Board-Token": room["links"]["owner"]})
    ).status_code == 404
    assert await turned_away(server, room["id"], clients, room["links"]["owner"]) == (
        CloseCode.BOARD_NOT_FOUND,
        "board not found",
    )


# The HTTP API: (method, path after the board's, body, link role or None, expected status)
RENAME = {"title": "Renamed"}
PROTECTED_HTTP: list[Any] = [
    ("GET", "", None, None, 403), ("GET", "", None, "wrong", 403),
    ("GET", "", None, "viewer", 200), ("GET", "", None, "editor", 200),
    ("GET", "/export.json", None, None, 403), ("GET", "/export.json", None, "viewer", 200),
    ("GET", "/export.svg", None, None, 403), ("GET", "/export.svg", None, "viewer", 200),
    ("PATCH", "", RENAME, None, 403), ("PATCH", "", RENAME, "viewer", 403),
    ("PATCH", "", RENAME, "editor", 403), ("PATCH", "", RENAME, "owner", 200),
    ("PATCH", "", {"locked": True}, "editor", 403), ("PATCH", "", {"locked": True}, "owner", 200),
    ("DELETE", "", None, None, 403), ("DELETE", "", None, "viewer", 403),
    ("DELETE", "", None, "editor", 403), ("DELETE", "", None, "owner", 204),
    ("POST", "/links/viewer", None, "viewer", 403), ("POST", "/links/owner", None, "editor", 403),
    ("POST", "/links/viewer", None, "owner", 200), ("DELETE", "/links/editor", None, "editor", 403),
]  # fmt: skip
OPEN_HTTP: list[Any] = [
    ("GET", "/export.json", None, None, 200), ("PATCH", "", {"title": "Renamed"}, None, 200),
    ("PATCH", "", {"locked": True}, None, 403), ("PATCH", "", {"locked": True}, "owner", 200),
    ("DELETE", "", None, None, 403), ("POST", "/links/owner", None, None, 403),
]  # fmt: skip


def _http_id(case: tuple[str, str, Any, str | None, int]) -> str:
    method, path, body, role, status = case
    what = f"{method} {path or '/'}{' ' + json.dumps(body) if body else ''}"
    return f"{what} with {role or 'no'} token -> {status}"


@pytest.mark.parametrize(
    ("protected", "case"),
    [pytest.param(True, case, id=f"protected: {_http_id(case)}") for case in PROTECTED_HTTP]
    + [pytest.param(False, case, id=f"open: {_http_id(case)}") for case in OPEN_HTTP],
)
async def test_the_http_api_gives_each_link_role_what_it_may_do(
    server: LiveServer, protected: bool, case: tuple[str, str, Any, str | None, int]
) -> None:
    method, path, body, role, status = case
    board_id, links = await create(server, protected)
    headers = {"X-Board-Token": "W" * 32 if role == "wrong" else links[role]} if role else {}
    url = f"{server.url}/api/boards/{board_id}{path}"
    response = await request(method, url, json=body, headers=headers, timeout=5.0)
    assert response.status_code == status, response.text
    after = await request(
        "GET", f"{server.url}/api/boards/{board_id}", headers={"X-Board-Token": links["owner"]}
    )
    if status >= 400:  # a refusal changed nothing
        assert (after.status_code, after.json()["title"], after.json()["locked"]) == (
            200,
            "Untitled board",
            False,
        )
    if method == "GET" and status == 200 and path == "":
        assert response.json()["role"] == role


async def test_protected_boards_are_never_listed_even_to_an_admin(signed_in: LiveServer) -> None:
    admin = bearer(token_for(admin=True))
    hidden, _ = await create(signed_in, **admin)
    shown, _ = await create(signed_in, protected=False, **admin)
    url = f"{signed_in.url}/api/boards?limit=200"
    listed = [b["id"] for b in (await request("GET", url, headers=admin)).json()]
    assert shown in listed and hidden not in listed


# Sign-in with JWT


def _forged() -> str:
    return jwt.encode({"sub": "user-alice-01", "exp": int(time.time()) + 600}, "not-the-secret" * 3)


def _alg_none() -> str:
    return jwt.encode(
        {"sub": "user-alice-01", "exp": int(time.time()) + 600}, None, algorithm="none"
    )


BAD_TOKENS: list[Any] = [
    pytest.param(lambda board: None, 401, "sign-in required: no token", id="no token"),
    pytest.param(lambda board: _forged(), 401, "invalid token: InvalidSignatureError",
                 id="forged signature"),
    pytest.param(lambda board: _alg_none(), 401, "invalid token: InvalidAlgorithmError",
                 id="alg none"),
    pytest.param(lambda board: token_for(expires_in=-60), 401, "token expired", id="expired"),
    pytest.param(lambda board: "not.a.jwt", 401, "invalid token: DecodeError", id="not a JWT"),
    pytest.param(lambda board: jwt.encode({"sub": "user-alice-01"}, SECRET), 401,
                 "invalid token: MissingRequiredClaimError", id="no exp"),
    pytest.param(lambda board: jwt.encode({"exp": int(time.time()) + 60}, SECRET), 401,
                 "invalid token: MissingRequiredClaimError", id="no sub"),
    pytest.param(lambda board: token_for(role="admin"), 401, "invalid token: unknown role",
                 id="unknown role"),
    pytest.param(lambda board: token_for(boards="all"), 401,
                 "invalid token: boards must be a list of ids or '*'", id="boards not a list"),
    pytest.param(lambda board: token_for(boards=["SomeOtherBoard00000000"]), 403,
                 "token not valid for this board", id="token for other boards"),
]  # fmt: skip


@pytest.mark.parametrize(("make_token", "status", "detail"), BAD_TOKENS)
@pytest.mark.parametrize("carrier", ["cookie", "query"])
async def test_a_socket_without_a_good_jwt_is_refused_before_the_upgrade(
    signed_in: LiveServer,
    clients: list[Guest],
    make_token: Any,
    status: int,
    detail: str,
    carrier: str,
) -> None:
    board_id, _ = await create(signed_in, protected=False, **bearer(token_for()))
    watcher = await enter(signed_in, board_id, clients, headers=_carry(token_for(), "cookie"))
    token = make_token(board_id)
    stranger = Guest(signed_in.ws_url(board_id), headers=_carry(token, carrier) if token else {})
    if token and carrier == "query":
        stranger.url += f"?access_token={token}"
    clients.append(stranger)
    with pytest.raises(websockets.InvalidStatus) as refused:
        await stranger.join()
    assert refused.value.response.status_code == status
    assert json.loads(refused.value.response.body) == {"detail": detail}
    assert await store(watcher, stroke())
    assert [m for m in watcher.received if m.type == "presence"] == []


def _carry(token: str, carrier: str) -> dict[str, str]:
    if carrier == "cookie":
        return {"Cookie": f"inkroom_token={token}"}
    if carrier == "header":
        return bearer(token)
    return {}


@pytest.mark.parametrize("carrier", ["cookie", "query", "header"])
@pytest.mark.parametrize(
    ("sub", "user"),
    [
        pytest.param("user-alice-01", "user-alice-01", id="an id-shaped sub"),
        pytest.param("alice@example.com", None, id="an e-mail as sub"),
        pytest.param("Ålice Ωmega", None, id="a sub with spaces and accents"),
        pytest.param("a" * 100, None, id="a 100-character sub"),
        pytest.param("u" + "0" * 31, None, id="a sub shaped like a hashed one"),
    ],
)
async def test_a_good_jwt_is_accepted_and_the_peer_carries_its_sub_and_name(
    signed_in: LiveServer, clients: list[Guest], carrier: str, sub: str, user: str | None
) -> None:
    board_id, _ = await create(signed_in, protected=False, **bearer(token_for()))
    watcher = await enter(signed_in, board_id, clients, headers=_carry(token_for(), "cookie"))
    token = token_for(sub=sub, name="Alice from the JWT")
    client = Guest(signed_in.ws_url(board_id), user="ignored-user-id", name="Client name",
                   headers=_carry(token, carrier))  # fmt: skip
    if carrier == "query":
        client.url += f"?access_token={token}"
    clients.append(client)
    welcome = await client.join()
    assert welcome.role == "editor"
    peer = (await watcher.expect("presence", event="joined")).peer
    expected = user or "u" + hashlib.sha256(sub.encode()).hexdigest()[:31]
    assert (peer.user, peer.name) == (expected, "Alice from the JWT")
    drawn = await store(client, stroke())
    assert (await watcher.expect("committed", seq=drawn[0])).author == expected


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(" Alice ", id="blanks around the name"),
        pytest.param("Al\x07ice", id="a control character in the name"),
        pytest.param("A" * 39 + " B", id="a name whose first 40 characters end in a blank"),
        pytest.param("A" * 200, id="a 200-character name"),
    ],
)
async def test_a_jwt_name_that_is_no_valid_display_name_does_not_break_the_join(
    signed_in: LiveServer, clients: list[Guest], name: str
) -> None:
    board_id, _ = await create(signed_in, protected=False, **bearer(token_for()))
    watcher = await enter(signed_in, board_id, clients, headers=_carry(token_for(), "cookie"))
    token = token_for(sub="user-bob-0001", name=name)
    try:
        await enter(signed_in, board_id, clients, headers=_carry(token, "cookie"))
    except websockets.ConnectionClosed as closed:
        pytest.fail(f"the join failed: {closed}")
    peer = (await watcher.expect("presence", event="joined")).peer
    assert peer.user == "user-bob-0001"
    protocol.Peer.model_validate(peer.model_dump())


HTTP_WITH_JWT: list[Any] = [
    pytest.param("GET", "/api/boards", {}, 401, id="list without a token"),
    pytest.param("GET", "/api/boards", bearer(_forged()), 401, id="list with a forged token"),
    pytest.param("GET", "/api/boards", bearer(token_for(expires_in=-5)), 401,
                 id="list with an expired token"),
    pytest.param("GET", "/api/boards", bearer(token_for()), 403, id="list without admin"),
    pytest.param("GET", "/api/boards", bearer(token_for(admin=True)), 200,
                 id="list as an admin with a bearer token"),
    pytest.param("GET", "/api/boards", {"Cookie": f"inkroom_token={token_for(admin=True)}"}, 200,
                 id="list as an admin with the cookie"),
    pytest.param("POST", "/api/boards", {}, 401, id="create without a token"),
    pytest.param("POST", "/api/boards", bearer(token_for()), 201, id="create with a bearer token"),
    pytest.param("POST", "/api/boards", bearer(token_for(role="viewer")), 403,
                 id="create as a viewer"),
    pytest.param("GET", "/api/boards/{board}", {}, 401, id="get without a token"),
    pytest.param("GET", "/api/boards/{board}", bearer(token_for()), 200, id="get with a token"),
    pytest.param("GET", "/api/boards/{board}/export.json",
                 bearer(token_for(boards=["SomeOtherBoard00000000"])), 403,
                 id="export with a token for other boards"),
    pytest.param("GET", "/api/boards/{board}/export.json", bearer(token_for(boards="*")), 200,
                 id="export with a token for every board"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "headers", "status"), HTTP_WITH_JWT)
async def test_the_http_api_needs_a_jwt_when_sign_in_is_on(
    signed_in: LiveServer, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    board_id, _ = await create(signed_in, protected=False, **bearer(token_for()))
    url = signed_in.url + path.format(board=board_id)
    response = await request(method, url, headers=headers, timeout=5.0)
    assert response.status_code == status, response.text


async def test_a_viewer_jwt_cannot_draw_unless_a_board_link_raises_its_role(
    signed_in: LiveServer, clients: list[Guest]
) -> None:
    board_id, links = await create(signed_in, protected=True, **bearer(token_for()))
    viewer_jwt = _carry(token_for(sub="user-viewer-1", role="viewer"), "cookie")
    viewer = await enter(signed_in, board_id, clients, headers=viewer_jwt)
    assert welcome_of(viewer).role == "viewer"
    op = stroke()
    await viewer.submit(op)
    assert (await viewer.expect("error", id=op.id)).code == ErrorCode.READ_ONLY

    raised = await enter(signed_in, board_id, clients, links["editor"], headers=viewer_jwt)
    assert welcome_of(raised).role == "editor"
    drawn = await store(raised, op)
    owner_jwt = _carry(token_for(sub="user-owner-1", role="owner"), "cookie")
    never_lowered = await enter(signed_in, board_id, clients, links["viewer"], headers=owner_jwt)
    assert welcome_of(never_lowered).role == "owner"
    assert await stored_log(signed_in.ws_url(board_id), headers=owner_jwt) == [
        (drawn[0], "user-viewer-1", op)
    ]
