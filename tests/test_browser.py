"""The browser client in Debian's Chromium, against a real server: what a person would see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import LiveServer

pytestmark = pytest.mark.browser

INK_PIXELS = """() => {
    let inked = 0;
    for (const canvas of document.querySelectorAll("canvas")) {
        const context = canvas.getContext("2d");
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
    }
    return inked;
}"""


def open_board(browser: Browser, url: str, name: str = "Tester") -> Page:
    page = browser.new_context(viewport={"width": 1000, "height": 700}).new_page()
    page.goto(url)
    enter_name(page, name)
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    return page


def enter_name(page: Page, name: str) -> None:
    """The first visit offers to choose a name (the page is on the board already); returns once
    the page is on the board under it."""
    page.locator("#name-input").fill(name)
    page.locator("#name-dialog button.primary").click()
    expect(page.locator("#people")).to_contain_text(f"{name} (you)", timeout=20_000)


def visible_strokes(page: Page) -> list[dict[str, object]]:
    strokes: list[dict[str, object]] = page.evaluate("window.inkroom.visibleStrokes()")
    return strokes


def drag(page: Page, points: list[tuple[int, int]], release: bool = True) -> None:
    box = page.locator("#board-canvas").bounding_box()
    assert box is not None
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x0 + x, y0 + y, steps=4)
    if release:
        page.mouse.up()


def test_new_board_opens_with_an_unguessable_id_and_is_listed_on_the_home_page(
    server: LiveServer, browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(server.url)
    page.locator("#new-board").click()
    page.wait_for_url(re.compile(r"/b/[A-Za-z0-9_-]{22}$"))
    board_path = page.url.removeprefix(server.url)
    enter_name(page, "Ada")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    page.goto(server.url)
    expect(page.locator(f'#board-list a[href="{board_path}"]')).to_be_visible()
    page.context.close()


def test_ink_drawn_in_one_page_appears_in_another_while_drawn_and_survives_a_reload(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Shared')}"
    alice, bob = open_board(browser, url), open_board(browser, url)
    assert bob.evaluate(INK_PIXELS) == 0
    stroke = [(100, 100), (160, 130), (220, 120), (300, 200)]
    drag(alice, stroke, release=False)
    # The pen is still down: Bob already sees the ink being drawn.
    bob.wait_for_function(f"() => ({INK_PIXELS})() > 50", timeout=5_000)
    alice.mouse.up()
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 1", timeout=5_000)
    expect(alice.locator("#status")).to_have_attribute("data-state", "saved")
    drawn = visible_strokes(alice)[0]
    assert visible_strokes(bob)[0]["id"] == drawn["id"]
    bob.reload()  # the name is remembered: no question this time
    expect(bob.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 1", timeout=5_000)
    assert visible_strokes(bob)[0]["points"] == drawn["points"]
    assert bob.evaluate(INK_PIXELS) > 50


def test_a_page_never_shows_its_own_ink_or_cursor_as_someone_elses(
    server: LiveServer, browser: Browser
) -> None:
    """The room sends one frame to everyone, the drawer included: its own messages are skipped."""
    url = f"{server.url}/b/{server.create_board('Echo')}"
    alice, bob = open_board(browser, url), open_board(browser, url)
    alice_peer = alice.evaluate("window.inkroom.ownPeer()")
    bob_peer = bob.evaluate("window.inkroom.ownPeer()")
    drag(alice, [(100, 100), (160, 130), (220, 120), (300, 200)], release=False)
    bob.wait_for_function(f"() => window.inkroom.liveFrom().includes({alice_peer})", timeout=10_000)
    # Bob draws after Alice: once Alice sees his ink, whatever the room sent before it has arrived.
    drag(bob, [(400, 300), (460, 330), (520, 320)], release=False)
    alice.wait_for_function(f"() => window.inkroom.liveFrom().includes({bob_peer})", timeout=10_000)
    assert alice.evaluate("window.inkroom.liveFrom()") == [bob_peer]
    assert bob.evaluate("window.inkroom.liveFrom()") == [alice_peer]
    alice.mouse.up()
    bob.mouse.up()
    for page in (alice, bob):
        page.wait_for_function("() => window.inkroom.visibleStrokes().length === 2", timeout=10_000)
        expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    # Pointers moved without drawing: each sees the other's cursor, never its own.
    for page in (alice, bob):
        for step in range(1, 6):
            page.mouse.move(300 + 20 * step, 200 + 10 * step)
    for page, other in ((alice, bob_peer), (bob, alice_peer)):
        page.wait_for_function(
            f"() => window.inkroom.cursorsFrom().includes({other})", timeout=10_000
        )
    assert alice.evaluate("window.inkroom.cursorsFrom()") == [bob_peer]
    assert bob.evaluate("window.inkroom.cursorsFrom()") == [alice_peer]


# Each person the page lists, by name ("(you)" left off), with the color of their dot.
PEOPLE_COLORS = """() => Object.fromEntries(
    [...document.querySelectorAll("#people li")].map((li) => [
        li.querySelector("bdi").textContent.replace(/ \\(you\\)$/, ""),
        getComputedStyle(li.querySelector(".dot")).getPropertyValue("--color").trim(),
    ]))"""
PURPLE = "#9c36b5"


def test_guests_who_made_up_the_same_color_each_show_in_one_nobody_else_has(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Colors')}"
    pages = {}
    for name in ("Alice", "Bob", "Chloé"):
        context = browser.new_context(viewport={"width": 1000, "height": 700})
        # Each browser made up purple on a first visit (what the page keeps, it keeps).
        context.add_init_script(
            "localStorage.getItem('inkroom.color')"
            f" || localStorage.setItem('inkroom.color', '{PURPLE}')"
        )
        page = context.new_page()
        page.goto(url)
        enter_name(page, name)
        pages[name] = page
    for page in pages.values():
        expect(page.locator("#people li")).to_have_count(3, timeout=20_000)
        # A name chosen reaches the others a moment after its person joined as a guest.
        for name in pages:
            expect(page.locator("#people")).to_contain_text(name, timeout=20_000)
    seen = [page.evaluate(PEOPLE_COLORS) for page in pages.values()]
    assert seen[0] == seen[1] == seen[2]
    colors = seen[0]
    assert colors["Alice"] == PURPLE and len(set(colors.values())) == 3

    # Bob's color is his from now on: a reload keeps it, and the others still see it.
    bob = pages["Bob"]
    bob.reload()
    expect(bob.locator("#people li")).to_have_count(3, timeout=20_000)
    assert bob.evaluate(PEOPLE_COLORS) == colors
    assert bob.evaluate("localStorage.getItem('inkroom.color')") == colors["Bob"]
    pages["Alice"].wait_for_function(
        f"() => ({PEOPLE_COLORS})().Bob === {colors['Bob']!r}", timeout=20_000
    )
    for page in pages.values():
        page.context.close()


def test_undo_in_the_browser_removes_only_ones_own_stroke(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Undo')}"
    alice, bob = open_board(browser, url), open_board(browser, url)
    drag(alice, [(100, 100), (200, 150)])
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 1")
    drag(bob, [(300, 300), (400, 350)])
    alice.wait_for_function("() => window.inkroom.visibleStrokes().length === 2")
    alice.keyboard.press("Control+z")
    alice.keyboard.press("Control+z")  # nothing more of Alice's to undo: Bob's stays
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 1")
    remaining = visible_strokes(bob)
    assert remaining == visible_strokes(alice)
    alice.keyboard.press("Control+Shift+z")
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 2")


def test_pages_reconnect_after_the_server_is_killed_and_send_what_was_drawn_meanwhile(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Crash')}"
    alice, bob = open_board(browser, url), open_board(browser, url)
    drag(alice, [(100, 100), (200, 150)])
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 1")
    # Bob may see the stroke a moment before Alice's ack reaches her: the kill must come after.
    expect(alice.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)

    server.kill()
    expect(alice.locator("#status")).to_have_attribute("data-state", "offline", timeout=10_000)
    drag(alice, [(300, 300), (400, 350)])  # drawn while the server is down
    expect(alice.locator("#status")).to_contain_text("1 unsaved")
    assert len(visible_strokes(alice)) == 2

    server.start()
    for page in (alice, bob):
        expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 2", timeout=10_000)
    assert [s["id"] for s in visible_strokes(bob)] == [s["id"] for s in visible_strokes(alice)]
