"""The boards HTTP API and the board page, against a real ``inkroom serve``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.live_server import LiveServer, running
from tests.wire import BoardClient, stroke

URL_SAFE_22 = re.compile(r"^[A-Za-z0-9_-]{22}$")
UNKNOWN_ID = "NoSuchBoard00000000000"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for this module: every test makes its own boards."""
    with running(tmp_path_factory.mktemp("api") / "inkroom.db") as live:
        yield live


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        yield client


def test_creating_a_board_returns_a_22_character_url_safe_id_that_differs_every_time(
    http: httpx.Client,
) -> None:
    first = http.post("/api/boards", json={"title": "Sketches"})
    second = http.post("/api/boards")
    assert (first.status_code, second.status_code) == (201, 201)
    one, two = first.json(), second.json()
    assert URL_SAFE_22.match(one["id"]) and URL_SAFE_22.match(two["id"])
    assert one["id"] != two["id"]
    assert (one["title"], one["head_seq"]) == ("Sketches", 0)
    assert two["title"] == "Untitled board"
    fetched = http.get(f"/api/boards/{one['id']}").json()
    fields = ("id", "title", "created_at", "updated_at", "head_seq")
    assert {k: fetched[k] for k in fields} == {k: one[k] for k in fields}


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A public gallery: anyone may list its open boards."""
    path = tmp_path_factory.mktemp("gallery") / "inkroom.db"
    with running(path, {"INKROOM_PUBLIC_GALLERY": "true"}) as live:
        yield live


async def test_boards_are_listed_most_recently_changed_first(gallery: LiveServer) -> None:
    server = gallery
    older, middle, newer = (server.create_board(title) for title in ("older", "middle", "newer"))
    client = BoardClient(server.ws_url(older))
    try:
        await client.join()
        op = stroke()
        await client.submit(op)
        await client.expect("ack", id=op.id)
    finally:
        await client.close()
    async with httpx.AsyncClient(base_url=server.url, timeout=5.0) as http:
        listed = (await http.get("/api/boards", params={"limit": 200})).json()
    ids = [board["id"] for board in listed if board["id"] in (older, middle, newer)]
    assert ids == [older, newer, middle]
    changed = [board["updated_at"] for board in listed]
    assert changed == sorted(changed, reverse=True)


def test_an_unknown_board_is_404(http: httpx.Client) -> None:
    response = http.get(f"/api/boards/{UNKNOWN_ID}")
    assert response.status_code == 404
    assert response.json() == {"detail": "board not found"}


@pytest.mark.parametrize(
    "board_id", ["short", "x" * 65, "bad$chars$here"], ids=["too short", "too long", "bad chars"]
)
def test_a_malformed_board_id_is_422(http: httpx.Client, board_id: str) -> None:
    assert http.get(f"/api/boards/{board_id}").status_code == 422


def test_the_page_of_an_unknown_board_is_404(http: httpx.Client) -> None:
    assert http.get(f"/b/{UNKNOWN_ID}").status_code == 404
