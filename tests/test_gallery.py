"""The home page's gallery in Debian's Chromium, against a real server: the boards this browser
created or opened (and nobody else's), rename, delete, import."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from server import protocol
from server.points import decode as decode_points
from tests.live_server import LiveServer
from tests.test_browser import enter_name
from tests.wire import Guest, stroke

pytestmark = pytest.mark.browser

BOARD_PATH = re.compile(r"/b/([A-Za-z0-9_-]{22})$")
THUMBNAIL_LOADED = """(id) => {
    const image = document.querySelector(`.card[data-board="${id}"] .thumb img`);
    return Boolean(image && image.complete && image.naturalWidth > 0);
}"""


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser profile of its own (its own localStorage), closed after the test."""
    opened = browser.new_context(viewport={"width": 1100, "height": 800})
    yield opened
    opened.close()


def card(page: Page, board_id: str) -> Locator:
    return page.locator(f'#board-list .card[data-board="{board_id}"]')


def create_from_home(page: Page, server: LiveServer) -> str:
    """Clicks "New board" on the home page; returns the new board's id once its page is open."""
    page.goto(server.url)
    page.locator("#new-board").click()
    page.wait_for_url(BOARD_PATH)
    enter_name(page, "Gallery tester")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    found = BOARD_PATH.search(page.url)
    assert found is not None
    return found.group(1)


def open_board(page: Page, server: LiveServer, board_id: str, fragment: str = "") -> None:
    """Opens a board's page as a person following its address would, until it is saved and
    remembered by this browser."""
    page.goto(f"{server.url}/b/{board_id}{fragment}")
    if page.evaluate("localStorage.getItem('inkroom.named')") != "1":  # the first visit asks
        enter_name(page, "Gallery tester")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    page.wait_for_function(REMEMBERED, arg=board_id, timeout=5_000)


REMEMBERED = """(id) => JSON.parse(localStorage.getItem("inkroom.boards") ?? "[]")
    .some((board) => board.id === id)"""


def submit_stroke(server: LiveServer, board_id: str) -> protocol.StrokeOp:
    return submit_stroke_with(server, board_id, None)


def submit_stroke_with(server: LiveServer, board_id: str, token: str | None) -> protocol.StrokeOp:
    """One stroke committed over the board protocol (in a thread: Playwright owns this one's
    event loop)."""

    async def draw() -> protocol.StrokeOp:
        client = Guest(server.ws_url(board_id), token=token)
        try:
            await client.join()
            op = stroke(points=8, color="#e03131", width=6.0)
            await client.submit(op)
            await client.expect("ack", id=op.id)
            return op
        finally:
            await client.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, draw()).result(timeout=30)


def test_a_board_created_from_the_home_page_is_listed_with_a_thumbnail_that_loaded(
    server: LiveServer, context: BrowserContext
) -> None:
    page = context.new_page()
    board_id = create_from_home(page, server)
    page.go_back()
    page.reload()  # not the page as it was before the board existed
    link = page.locator(f'#board-list a[href="/b/{board_id}"]')
    expect(link).to_have_text("Untitled board")
    expect(card(page, board_id).locator("time")).to_have_text("just now")
    page.wait_for_function(THUMBNAIL_LOADED, arg=board_id, timeout=5_000)
    link.click()
    page.wait_for_url(f"**/b/{board_id}")


def test_renaming_from_a_card_shows_the_new_title_after_a_reload_and_in_the_api(
    server: LiveServer, context: BrowserContext
) -> None:
    # Any editor may rename an open board: this browser holds no token for it.
    board_id = server.create_board("Before")
    page = context.new_page()
    open_board(page, server, board_id)
    page.goto(server.url)
    card(page, board_id).locator("button.rename").click()
    field = card(page, board_id).locator(".rename-form input")
    expect(field).to_be_focused()
    expect(field).to_have_value("Before")
    field.fill("  After the <b>rename</b>  ")
    field.press("Enter")
    link = card(page, board_id).locator("a.card-link")
    expect(link).to_have_text("After the <b>rename</b>")
    page.reload()
    expect(link).to_have_text("After the <b>rename</b>")
    assert httpx.get(f"{server.url}/api/boards/{board_id}").json()["title"] == (
        "After the <b>rename</b>"
    )
    expect(page.locator("#message")).to_be_hidden()


def test_escape_cancels_a_rename(server: LiveServer, context: BrowserContext) -> None:
    board_id = server.create_board("Kept")
    page = context.new_page()
    open_board(page, server, board_id)
    page.goto(server.url)
    card(page, board_id).locator("button.rename").click()
    field = card(page, board_id).locator(".rename-form input")
    field.fill("Not wanted")
    field.press("Escape")
    expect(card(page, board_id).locator("a.card-link")).to_have_text("Kept")
    assert httpx.get(f"{server.url}/api/boards/{board_id}").json()["title"] == "Kept"


def test_deleting_from_a_card_asks_first_then_removes_the_card_and_the_board(
    server: LiveServer, context: BrowserContext
) -> None:
    page = context.new_page()
    board_id = create_from_home(page, server)
    page.goto(server.url)
    delete = card(page, board_id).locator("button.delete")

    page.once("dialog", lambda dialog: dialog.dismiss())
    delete.click()
    expect(card(page, board_id)).to_be_visible()
    assert httpx.get(f"{server.url}/api/boards/{board_id}").status_code == 200

    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(card(page, board_id)).to_have_count(0)
    assert httpx.get(f"{server.url}/api/boards/{board_id}").status_code == 404
    page.reload()
    expect(page.locator("#board-list .empty")).to_be_visible()
    expect(page.locator("#message")).to_be_hidden()


def test_another_browser_sees_a_board_only_once_it_opened_it_and_then_without_delete(
    server: LiveServer, browser: Browser, context: BrowserContext
) -> None:
    owner = context.new_page()
    board_id = create_from_home(owner, server)
    owner.goto(server.url)
    expect(card(owner, board_id).locator("button.delete")).to_be_visible()

    stranger = browser.new_context()
    try:
        page = stranger.new_page()
        page.goto(server.url)
        expect(page.locator("#board-list .empty")).to_be_visible()
        expect(card(page, board_id)).to_have_count(0)
        open_board(page, server, board_id)  # given the address, as people share boards
        page.goto(server.url)
        expect(card(page, board_id).locator("button.rename")).to_be_visible()
        expect(card(page, board_id).locator("button.delete")).to_have_count(0)
    finally:
        stranger.close()


def test_boards_made_by_others_are_not_in_the_gallery_and_no_list_is_fetched(
    server: LiveServer, context: BrowserContext
) -> None:
    others = server.create_board("Someone else's")
    page = context.new_page()
    mine = create_from_home(page, server)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(server.url)
    expect(card(page, mine)).to_be_visible()
    expect(card(page, others)).to_have_count(0)
    assert f"{server.url}/api/boards" not in [url.split("?")[0] for url in asked]
    assert httpx.get(f"{server.url}/api/boards").status_code == 403
    expect(page.locator("#gallery-heading")).to_contain_text("Your boards")


@pytest.mark.parametrize("server", [{"INKROOM_PUBLIC_GALLERY": "true"}], indirect=True)
def test_on_a_public_gallery_the_home_page_lists_every_open_board_on_the_server(
    server: LiveServer, context: BrowserContext
) -> None:
    others = [server.create_board(f"Someone else's {n}") for n in range(3)]
    hidden = httpx.post(f"{server.url}/api/boards", json={"protected": True}).json()["id"]
    page = context.new_page()
    mine = create_from_home(page, server)
    page.goto(server.url)
    expect(page.locator("#gallery-heading")).to_contain_text("Boards on this server")
    for board_id in [*others, mine]:
        expect(card(page, board_id)).to_be_visible()
    expect(card(page, others[0]).locator("a")).to_have_text("Someone else's 0")
    expect(card(page, others[0]).locator("button.delete")).to_have_count(0)  # not this browser's
    expect(card(page, mine).locator("button.delete")).to_be_visible()
    expect(card(page, hidden)).to_have_count(0)  # protected boards are never listed
    expect(page.locator("#board-count")).to_have_text("4")


def test_a_board_deleted_elsewhere_drops_out_of_the_gallery(
    server: LiveServer, context: BrowserContext
) -> None:
    created = httpx.post(f"{server.url}/api/boards", json={"title": "Short-lived"}).json()
    kept = server.create_board("Kept")
    page = context.new_page()
    open_board(page, server, created["id"])
    open_board(page, server, kept)
    page.goto(server.url)
    expect(card(page, created["id"])).to_be_visible()

    headers = {"X-Board-Token": created["links"]["owner"]}
    httpx.delete(f"{server.url}/api/boards/{created['id']}", headers=headers).raise_for_status()
    page.reload()
    expect(card(page, kept)).to_be_visible()
    expect(card(page, created["id"])).to_have_count(0)
    assert not page.evaluate(REMEMBERED, created["id"]), "a deleted board stays remembered"
    expect(page.locator("#message")).to_be_hidden()


def test_a_protected_board_opened_by_its_link_is_listed_until_the_link_is_revoked(
    server: LiveServer, context: BrowserContext
) -> None:
    created = httpx.post(f"{server.url}/api/boards", json={"protected": True}).json()
    board_id, links = created["id"], created["links"]
    submit_stroke_with(server, board_id, links["editor"])
    page = context.new_page()
    open_board(page, server, board_id, f"#token={links['editor']}")
    page.goto(server.url)
    expect(card(page, board_id).locator("a.card-link")).to_have_text("Untitled board")
    page.wait_for_function(THUMBNAIL_LOADED, arg=board_id, timeout=5_000)

    owner = {"X-Board-Token": links["owner"]}
    revoked = httpx.delete(f"{server.url}/api/boards/{board_id}/links/editor", headers=owner)
    assert revoked.status_code == 204
    page.reload()
    expect(page.locator("#board-list .empty")).to_be_visible()
    assert not page.evaluate(REMEMBERED, board_id)


def test_importing_an_exported_file_opens_a_new_board_with_its_stroke(
    server: LiveServer, context: BrowserContext, tmp_path: Path
) -> None:
    original = server.create_board("Exported")
    drawn = submit_stroke(server, original)
    exported = httpx.get(f"{server.url}/api/boards/{original}/export.json")
    exported.raise_for_status()
    file = tmp_path / "exported.json"
    file.write_text(exported.text)

    page = context.new_page()
    page.goto(server.url)
    page.locator("#import-file").set_input_files(file)
    page.wait_for_url(BOARD_PATH)
    found = BOARD_PATH.search(page.url)
    assert found is not None and found.group(1) != original
    enter_name(page, "Importer")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    page.wait_for_function("() => window.inkroom.visibleStrokes().length === 1", timeout=5_000)
    strokes = page.evaluate("window.inkroom.visibleStrokes()")
    assert strokes[0]["id"] == drawn.id
    # The board file holds the points as numbers; the import quantizes them to the same values.
    assert strokes[0]["points"] == decode_points(drawn.points)

    # The importing browser owns the copy: its card offers delete.
    page.goto(server.url)
    expect(card(page, found.group(1)).locator("button.delete")).to_be_visible()
    expect(card(page, found.group(1)).locator("a.card-link")).to_have_text("Exported")


def test_an_import_the_api_refuses_shows_its_reason_on_the_page(
    server: LiveServer, context: BrowserContext, tmp_path: Path
) -> None:
    file = tmp_path / "future.json"
    newer = {"format": "inkroom-board", "version": 2, "title": "Newer", "operations": []}
    file.write_text(json.dumps(newer))
    page = context.new_page()
    page.goto(server.url)
    page.locator("#import-file").set_input_files(file)
    message = page.locator("#message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Could not import “future.json”: version")
    assert page.url.rstrip("/") == server.url

    not_json = tmp_path / "notes.json"
    not_json.write_text("{ this is not json")
    page.locator("#import-file").set_input_files(not_json)
    expect(message).to_contain_text("“notes.json”: it is not a JSON file")
