"""Images over HTTP and on the board, against a real ``inkroom serve``: adding, serving,
authorization, limits, the quota, exports and the import."""

from __future__ import annotations

import base64
import io
import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from server import protocol
from tests.live_server import LiveServer, running
from tests.wire import BoardClient, Guest, image, stroke

IMAGE_BYTES = 200_000
BOARD_BYTES = 700_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module, with limits small enough to reach: images of 200 kB, boards
    of 700 kB. Every test makes its own boards."""
    env = {"INKROOM_MAX_IMAGE_BYTES": str(IMAGE_BYTES), "INKROOM_MAX_BOARD_BYTES": str(BOARD_BYTES)}
    with running(tmp_path_factory.mktemp("images") / "inkroom.db", env) as live:
        yield live


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0) as client:
        yield client


def png(size: tuple[int, int] = (64, 48), noise: bool = False, seed: int = 0) -> bytes:
    """A PNG: one color, or ``noise`` (which does not compress: about 3 bytes a pixel)."""
    picture = Image.new("RGB", size, (30, 140, 220))
    if noise:
        rng = random.Random(seed)
        picture = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def create(http: httpx.Client, protected: bool = False) -> tuple[str, dict[str, str]]:
    response = http.post("/api/boards", json={"protected": protected})
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["links"]


def upload(
    http: httpx.Client, board_id: str, data: bytes, token: str | None = None
) -> httpx.Response:
    headers = {"Content-Type": "application/octet-stream"}
    if token:
        headers["X-Board-Token"] = token
    return http.post(f"/api/boards/{board_id}/images", content=data, headers=headers)


def added(
    http: httpx.Client, board_id: str, data: bytes, token: str | None = None
) -> dict[str, Any]:
    response = upload(http, board_id, data, token)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_added_image_is_served_by_its_hash_as_an_immutable_picture(http: httpx.Client) -> None:
    board_id, _ = create(http)
    kept = added(http, board_id, png())
    assert (kept["type"], kept["width"], kept["height"]) == ("image/png", 64, 48)
    url = f"/api/boards/{board_id}/images/{kept['hash']}"
    served = http.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert len(served.content) == kept["bytes"]
    assert Image.open(io.BytesIO(served.content)).size == (64, 48)
    again = http.get(url, headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304


def test_the_same_file_added_twice_is_kept_once(http: httpx.Client) -> None:
    board_id, _ = create(http)
    first = added(http, board_id, png())
    second = upload(http, board_id, png())
    assert second.status_code == 200
    assert second.json()["hash"] == first["hash"]


def test_an_image_of_another_board_is_not_served_here(http: httpx.Client) -> None:
    board_id, _ = create(http)
    other_id, _ = create(http)
    kept = added(http, board_id, png())
    assert http.get(f"/api/boards/{other_id}/images/{kept['hash']}").status_code == 404
    assert http.get(f"/api/boards/{board_id}/images/{'0' * 64}").status_code == 404
    assert http.get(f"/api/boards/{board_id}/images/not-a-hash").status_code == 422


async def test_an_image_operation_is_stored_and_reaches_the_others(
    server: LiveServer, http: httpx.Client, clients: list[BoardClient]
) -> None:
    board_id, _ = create(http)
    kept = added(http, board_id, png())
    a, b = BoardClient(server.ws_url(board_id)), BoardClient(server.ws_url(board_id))
    clients += [a, b]
    await a.join()
    await b.join()
    placed = image(kept["hash"], x=10, y=20, w=64, h=48)
    await a.submit(placed)
    await a.expect("ack", id=placed.id)
    seen = await b.expect("committed")
    assert seen.op == placed


async def test_an_image_operation_naming_an_image_the_board_does_not_hold_is_refused(
    server: LiveServer, http: httpx.Client, clients: list[BoardClient]
) -> None:
    board_id, _ = create(http)
    elsewhere, _ = create(http)
    kept = added(http, elsewhere, png())  # held by another board only
    a, b = BoardClient(server.ws_url(board_id)), BoardClient(server.ws_url(board_id))
    clients += [a, b]
    await a.join()
    await b.join()
    for missing in (kept["hash"], "f" * 64):
        placed = image(missing)
        await a.submit(placed)
        refused = await a.expect("error", id=placed.id)
        assert refused.code == protocol.ErrorCode.UNKNOWN_IMAGE
        assert "upload it first" in refused.reason
    ink = stroke()
    await a.submit(ink)  # the connection goes on
    await a.expect("ack", id=ink.id)
    assert [m.op.id for m in await b.drain() if m.type == "committed"] == [ink.id]


async def test_a_private_boards_images_need_its_link_and_only_editors_add_them(
    server: LiveServer, http: httpx.Client, clients: list[BoardClient]
) -> None:
    board_id, links = create(http, protected=True)
    assert upload(http, board_id, png()).status_code == 403
    assert upload(http, board_id, png(), token=links["viewer"]).status_code == 403
    kept = added(http, board_id, png(), token=links["editor"])
    url = f"/api/boards/{board_id}/images/{kept['hash']}"
    assert http.get(url).status_code == 403  # without the link: nothing, not even a 404
    assert http.get(url, headers={"X-Board-Token": "x" * 32}).status_code == 403
    shown = http.get(url, headers={"X-Board-Token": links["viewer"]})
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "private, max-age=31536000, immutable"
    # A viewer's image operation is refused like any of its operations.
    viewer = Guest(server.ws_url(board_id), token=links["viewer"])
    clients.append(viewer)
    await viewer.join()
    placed = image(kept["hash"])
    await viewer.submit(placed)
    assert (await viewer.expect("error", id=placed.id)).code == protocol.ErrorCode.READ_ONLY


def test_a_locked_board_takes_no_images_but_from_its_owners(http: httpx.Client) -> None:
    board_id, links = create(http)
    owner = {"X-Board-Token": links["owner"]}
    assert (
        http.patch(f"/api/boards/{board_id}", json={"locked": True}, headers=owner).status_code
        == 200
    )
    assert upload(http, board_id, png()).status_code == 403
    assert upload(http, board_id, png(), token=links["owner"]).status_code == 201


def test_a_file_over_the_size_limit_is_refused_with_413_before_it_is_read(
    http: httpx.Client,
) -> None:
    board_id, _ = create(http)
    refused = upload(http, board_id, b"\x89PNG" + b"\x00" * IMAGE_BYTES)
    assert refused.status_code == 413
    assert added(http, board_id, png())["type"] == "image/png"  # and nothing else is the worse


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415, "SVG"),
        (b"%PDF-1.4\n" + b"0" * 200, 415, "PNG, JPEG, WebP and GIF"),
        (b"BM" + b"\x00" * 200, 415, "PNG, JPEG, WebP and GIF"),
        (b"", 415, "PNG, JPEG, WebP and GIF"),
        (png((300, 300))[:200], 422, "broken"),
    ],
    ids=["svg", "pdf", "bmp-header", "empty", "truncated-png"],
)
def test_a_file_that_is_not_a_whole_picture_of_an_allowed_type_is_refused(
    http: httpx.Client, data: bytes, status: int, says: str
) -> None:
    board_id, _ = create(http)
    refused = upload(http, board_id, data)
    assert refused.status_code == status
    assert says in refused.json()["detail"]


def test_a_decompression_bomb_is_refused_and_costs_the_server_nothing_more(
    http: httpx.Client,
) -> None:
    board_id, _ = create(http)
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, "PNG")  # 48 kB, 400 million pixels
    refused = upload(http, board_id, bomb.getvalue())
    assert refused.status_code == 422
    assert "million pixels" in refused.json()["detail"]
    assert http.get("/healthz").json() == {"status": "ok"}
    assert added(http, board_id, png())["width"] == 64


def test_a_polyglot_is_served_as_its_picture_alone(http: httpx.Client) -> None:
    board_id, _ = create(http)
    polyglot = png() + b"<html><script>alert(document.cookie)</script></html>"
    kept = added(http, board_id, polyglot)
    served = http.get(f"/api/boards/{board_id}/images/{kept['hash']}")
    assert b"script" not in served.content
    assert served.headers["content-type"] == "image/png"


async def test_images_count_toward_the_boards_byte_quota(
    server: LiveServer, http: httpx.Client, clients: list[BoardClient]
) -> None:
    board_id, _ = create(http)
    # Noise that does not compress: 145 kB a file and some 50 kB its preview, so the quota of
    # 700 kB holds three.
    statuses = [upload(http, board_id, png((220, 220), noise=True, seed=n)).status_code
                for n in range(5)]  # fmt: skip
    assert statuses == [201, 201, 201, 507, 507]
    full = upload(http, board_id, png((220, 220), noise=True, seed=99))
    assert full.json()["detail"] == "the board holds as much as it may"
    # The images' bytes are the board's: what is left (less than one more image, under 200 kB)
    # takes at most one more stroke of 100 kB.
    client = BoardClient(server.ws_url(board_id))
    clients.append(client)
    await client.join()
    outcomes = []
    for _ in range(2):
        ink = stroke(points=10_000, jagged=True)
        await client.submit(ink)
        outcomes.append(await outcome(client, ink.id))
    assert outcomes[-1] == protocol.ErrorCode.BOARD_FULL


async def outcome(client: BoardClient, op_id: str) -> str:
    """``ack`` or the error code, whichever answers the operation ``op_id``."""
    while True:
        for message in client.inbox:
            if message.type in ("ack", "error") and message.id == op_id:
                client.inbox.remove(message)
                return "ack" if message.type == "ack" else str(message.code)
        await client.pull(timeout=10)


def test_a_deleted_boards_images_go_with_it(http: httpx.Client) -> None:
    board_id, links = create(http)
    kept = added(http, board_id, png())
    owner = {"X-Board-Token": links["owner"]}
    assert http.delete(f"/api/boards/{board_id}", headers=owner).status_code == 204
    assert http.get(f"/api/boards/{board_id}/images/{kept['hash']}").status_code == 404


async def board_with_an_image(
    server: LiveServer, http: httpx.Client, clients: list[BoardClient]
) -> tuple[str, dict[str, Any], protocol.ImageOp]:
    board_id, _ = create(http)
    kept = added(http, board_id, png((200, 100)))
    client = BoardClient(server.ws_url(board_id))
    clients.append(client)
    await client.join()
    placed = image(kept["hash"], x=5, y=6, w=200, h=100)
    await client.submit(placed)
    await client.expect("ack", id=placed.id)
    return board_id, kept, placed


async def test_the_svg_export_holds_the_image_and_the_thumbnail_its_small_copy(
    server: LiveServer, http: httpx.Client, clients: list[BoardClient]
) -> None:
    board_id, kept, _ = await board_with_an_image(server, http, clients)
    served = http.get(f"/api/boards/{board_id}/images/{kept['hash']}").content
    document = http.get(f"/api/boards/{board_id}/export.svg").text
    assert '<image x="5" y="6" width="200" height="100"' in document
    assert f"data:image/png;base64,{base64.b64encode(served).decode()}" in document
    thumbnail = http.get(f"/api/boards/{board_id}/export.svg", params={"thumbnail": "true"})
    assert "data:image/webp;base64," in thumbnail.text
    assert "data:image/png" not in thumbnail.text


async def test_the_board_file_holds_its_images_and_imports_back_with_them(
    server: LiveServer, http: httpx.Client, clients: list[BoardClient]
) -> None:
    board_id, kept, placed = await board_with_an_image(server, http, clients)
    document = http.get(f"/api/boards/{board_id}/export.json").json()
    assert [item["hash"] for item in document["images"]] == [kept["hash"]]
    assert document["operations"][0]["op"] == placed.model_dump()
    imported = http.post("/api/boards/import", json=document)
    assert imported.status_code == 201, imported.text
    copy_id = imported.json()["id"]
    copy = http.get(f"/api/boards/{copy_id}/export.json").json()
    image_hash = copy["operations"][0]["op"]["hash"]
    picture = http.get(f"/api/boards/{copy_id}/images/{image_hash}")
    assert picture.status_code == 200
    assert Image.open(io.BytesIO(picture.content)).size == (200, 100)


def test_an_imported_image_that_is_not_a_picture_is_refused_with_the_document(
    http: httpx.Client,
) -> None:
    fake = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    document = {
        "title": "Sneaky",
        "operations": [{"seq": 1, "author": "author-01", "op": {
            "kind": "image", "id": "image-000001", "hash": "a" * 64,
            "x": 0.0, "y": 0.0, "w": 10.0, "h": 10.0}}],
        "images": [{"hash": "a" * 64, "type": "image/png", "data": fake}],
    }  # fmt: skip
    refused = http.post("/api/boards/import", json=document)
    assert refused.status_code == 422
    assert "images.0" in refused.json()["detail"]
    del document["images"]
    refused = http.post("/api/boards/import", json=document)  # naming an image it does not hold
    assert refused.status_code == 422
    assert "upload it first" in refused.json()["detail"]


def test_too_many_images_from_one_address_are_refused_with_429(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    env = {"INKROOM_IMAGES_PER_ADDRESS_PER_MINUTE": "3"}
    with running(tmp_path_factory.mktemp("image-rate") / "inkroom.db", env) as live:
        with httpx.Client(base_url=live.url, timeout=30.0) as http:
            board_id, _ = create(http)
            statuses = [upload(http, board_id, png(seed=n)).status_code for n in range(4)]
            assert statuses[:3] == [201, 200, 200]
            refused = upload(http, board_id, png())
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "60"
