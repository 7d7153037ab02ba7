"""Private boards, view-only links and hostile names, as people meet them in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.live_server import LiveServer
from tests.test_browser import drag, enter_name, visible_strokes

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.pwned=1">'


def new_page(browser: Browser) -> Page:
    page = browser.new_context(viewport={"width": 1100, "height": 700}).new_page()
    alerts: list[str] = []

    def refuse(dialog: Dialog) -> None:
        alerts.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.alerts = alerts  # type: ignore[attr-defined]
    return page


def test_a_private_board_admits_its_links_only_and_the_view_link_cannot_draw(
    server: LiveServer, browser: Browser
) -> None:
    owner = new_page(browser)
    owner.goto(server.url)
    owner.check("#new-protected")
    owner.click("#new-board")
    owner.wait_for_url("**/b/**")
    enter_name(owner, "Owner")
    expect(owner.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    owner.click("#menu-button")
    owner.click("#share")
    edit_link, view_link = owner.eval_on_selector_all(
        ".share-row input", "fields => fields.map(field => field.value)"
    )
    owner.click("#share-dialog button.primary")
    assert "#token=" in edit_link and "#token=" in view_link and edit_link != view_link

    stranger = new_page(browser)
    stranger.goto(owner.url.split("#")[0])
    expect(stranger.locator("#dead-end")).to_contain_text("This board is private")

    viewer = new_page(browser)
    viewer.goto(view_link)
    enter_name(viewer, "Viewer")
    expect(viewer.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    expect(viewer.locator("body")).to_have_class("board-page read-only")
    drag(viewer, [(100, 100), (300, 200)])
    drag(owner, [(400, 300), (500, 400)])
    viewer.wait_for_function("() => window.inkroom.visibleStrokes().length === 1")
    owner.wait_for_timeout(500)
    assert len(visible_strokes(owner)) == 1  # the viewer's attempt never reached the board

    editor = new_page(browser)
    editor.goto(edit_link)
    enter_name(editor, "Editor")
    expect(editor.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    drag(editor, [(600, 300), (700, 380)])
    owner.wait_for_function("() => window.inkroom.visibleStrokes().length === 2")


def test_names_and_text_full_of_markup_stay_text(server: LiveServer, browser: Browser) -> None:
    url = f"{server.url}/b/{server.create_board('Markup')}"
    mallory, alice = new_page(browser), new_page(browser)
    mallory.goto(url)
    enter_name(mallory, HOSTILE)
    alice.goto(url)
    enter_name(alice, "Alice")
    for page in (mallory, alice):
        expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    mallory.keyboard.press("t")
    mallory.mouse.click(200, 200)
    mallory.keyboard.type(HOSTILE)
    mallory.keyboard.press("Enter")
    mallory.mouse.move(400, 400)
    mallory.mouse.move(420, 410)
    alice.wait_for_function("() => window.inkroom.visibleStrokes().length === 1")
    expect(alice.locator("#people")).to_contain_text(HOSTILE)
    assert visible_strokes(alice)[0]["text"] == HOSTILE
    for page in (alice, mallory):
        assert page.locator("#people img, #board img").count() == 0
        assert page.evaluate("() => window.pwned") is None
        assert page.alerts == []  # type: ignore[attr-defined]
