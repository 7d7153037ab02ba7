"""Two people on one board in Debian's Chromium: shapes seen while they are dragged, the laser
pointer's fading trail, and following someone's view."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.live_server import LiveServer
from tests.test_browser import drag, open_board

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(server: LiveServer, browser: Browser) -> tuple[Page, Page]:
    board = server.create_board("Together")
    url = f"{server.url}/b/{board}"
    return open_board(browser, url, "Alice"), open_board(browser, url, "Bob")


# Inked pixels of one canvas layer within a rectangle of the screen (left, top, right, bottom).
LAYER_INK = """([layer, left, top, right, bottom]) => {
    const canvas = document.getElementById(layer);
    const ratio = canvas.width / canvas.clientWidth;
    const { data } = canvas.getContext("2d").getImageData(
        left * ratio, top * ratio, (right - left) * ratio, (bottom - top) * ratio);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
    return inked;
}"""

# Every frame from now on, how many shapes the page shows: dragged by someone, and stored.
WATCH_FRAMES = """() => {
    window.framesSeen = [];
    const watch = () => {
        window.framesSeen.push([window.inkroom.drafting().length, window.inkroom.placed().length]);
        requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
}"""


def ink(page: Page, layer: str, box: tuple[int, int, int, int]) -> int:
    inked: int = page.evaluate(LAYER_INK, [layer, *box])
    return inked


def placed(page: Page) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = page.evaluate("window.inkroom.placed()")
    return items


def saved(page: Page) -> None:
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)


def view(page: Page) -> dict[str, float]:
    seen: dict[str, float] = page.evaluate("window.inkroom.view()")
    return seen


def same_view(page: Page, other: Page) -> None:
    """``page`` shows what ``other`` shows (the screens are the same size)."""
    page.wait_for_function(
        """(want) => {
            const { x, y, scale } = window.inkroom.view();
            return Math.abs(scale / want.scale - 1) < 1e-3 && Math.abs(x - want.x) < 0.5
                && Math.abs(y - want.y) < 0.5;
        }""",
        arg=view(other),
    )


def heard_after(sender: Page, receiver: Page) -> None:
    """Returns once ``receiver`` has seen ``sender``'s pointer move after this call: what the
    sender sent before has arrived too (one socket each, one room, in order)."""
    box = sender.locator("#board-canvas").bounding_box()
    assert box is not None
    for step in range(100):
        x = 800 + step
        sender.mouse.move(box["x"] + x, box["y"] + 500)
        want = sender.evaluate(f"window.inkroom.view().x + {x} / window.inkroom.view().scale")
        try:
            receiver.wait_for_function(
                "(x) => window.inkroom.cursors().some((c) => Math.abs(c.x - x) < 0.01)",
                arg=want,
                timeout=300,  # cursors go out at most every 50 ms: move again and look again
            )
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the receiver never saw the sender's pointer")


def test_a_rectangle_and_an_arrow_show_for_the_other_while_dragged_then_stay_stored(
    pair: tuple[Page, Page],
) -> None:
    alice, bob = pair
    bob.evaluate(WATCH_FRAMES)
    alice.keyboard.press("r")
    drag(alice, [(200, 200), (300, 260), (400, 320)], release=False)
    # Bob sees the rectangle being dragged, drawn, before Alice lets go; nothing is stored yet.
    bob.wait_for_function(
        "() => window.inkroom.drafting().some((s) => s.shape === 'rect'"
        " && Math.abs(s.x2 - (window.inkroom.view().x + 400)) < 1)"
    )
    bob.wait_for_function(f"() => ({LAYER_INK})(['layer-live', 390, 250, 410, 270]) > 0")
    assert ink(alice, "layer-live", (390, 250, 410, 270)) > 0  # and Alice sees her own
    assert placed(bob) == []
    alice.mouse.up()
    bob.wait_for_function("() => window.inkroom.placed().length === 1")
    bob.wait_for_function(f"() => ({LAYER_INK})(['layer-ink', 390, 250, 410, 270]) > 0")
    assert bob.evaluate("window.inkroom.drafting()") == []
    assert ink(bob, "layer-live", (390, 250, 410, 270)) == 0

    alice.keyboard.press("a")
    drag(alice, [(500, 400), (600, 450), (700, 500)], release=False)
    bob.wait_for_function("() => window.inkroom.drafting().some((s) => s.shape === 'arrow')")
    bob.wait_for_function(f"() => ({LAYER_INK})(['layer-live', 690, 490, 710, 510]) > 0")
    assert len(placed(bob)) == 1
    alice.mouse.up()
    bob.wait_for_function("() => window.inkroom.placed().length === 2")
    # Once a shape was shown, every frame showed it exactly once: dragged or stored, never
    # both (a double) and never neither (a flicker).
    frames: list[list[int]] = bob.evaluate("window.framesSeen")
    shown = [drafting + stored for drafting, stored in frames if drafting + stored]
    assert shown and shown[0] == 1
    first_two = shown.index(2)
    assert set(shown[:first_two]) == {1} and set(shown[first_two:]) == {2}, shown
    saved(alice)
    bob.reload()
    saved(bob)
    bob.wait_for_function("() => window.inkroom.placed().length === 2")
    assert [(item["kind"], item["color"]) for item in placed(bob)] == [
        ("shape", "#1e1e1e"), ("shape", "#1e1e1e")
    ]  # fmt: skip
    kinds = bob.evaluate("window.inkroom.visibleStrokes().map((op) => op.shape)")
    assert kinds == ["rect", "arrow"]


def test_a_laser_trail_shows_for_the_other_fades_within_seconds_and_is_never_stored(
    pair: tuple[Page, Page],
) -> None:
    alice, bob = pair
    laser = alice.locator("button[data-tool=laser]")
    expect(laser).to_have_attribute(
        "title", "Laser pointer: point for the others, draws nothing (K)"
    )
    alice.keyboard.press("k")
    expect(laser).to_have_class("active")
    drag(alice, [(200, 300), (400, 320), (600, 300)], release=False)
    bob.wait_for_function("() => window.inkroom.laserPoints() > 3")
    bob.wait_for_function(f"() => ({LAYER_INK})(['board-canvas', 150, 250, 650, 370]) > 0")
    alice.mouse.up()
    let_go = time.monotonic()
    bob.wait_for_function("() => window.inkroom.laserPoints() === 0", timeout=10_000)
    # About a second of fading (with room for a machine busy with other tests).
    assert time.monotonic() - let_go < 5
    heard_after(alice, bob)  # Alice's pointer (drawn on the same layer) away from the trail
    for page in (alice, bob):
        page.wait_for_function(f"() => ({LAYER_INK})(['board-canvas', 150, 250, 650, 370]) === 0")
    assert placed(alice) == [] and placed(bob) == []
    bob.reload()
    saved(bob)
    assert placed(bob) == [] and bob.evaluate("window.inkroom.lastSeq()") == 0


def test_the_laser_is_under_more_tools_on_a_phone(server: LiveServer, browser: Browser) -> None:
    board = server.create_board("Phone")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{server.url}/b/{board}")
    page.locator("#name-dialog .name-later").click()
    saved(page)
    page.locator("#tools-more").click()
    panel = page.locator("#tools-overflow")
    panel.locator("[data-tool=laser]").click()
    expect(panel).to_be_hidden()
    expect(page.locator("button[data-tool=laser]")).to_have_class("active")


def test_following_a_person_shows_their_view_until_one_pans_oneself(
    pair: tuple[Page, Page],
) -> None:
    alice, bob = pair
    bob.locator("#people button.follow", has_text="Alice").click()
    expect(bob.locator("#people li.followed")).to_contain_text("Alice")
    expect(bob.locator("#people li.followed")).to_contain_text("following")
    expect(alice.locator("#people li", has_text="Bob")).to_contain_text("follows you")
    # Alice pans with the hand tool and zooms in twice: Bob's view goes with her.
    alice.keyboard.press("h")
    drag(alice, [(500, 400), (400, 350), (300, 300)])
    alice.keyboard.press("+")
    alice.keyboard.press("+")
    alice.wait_for_function("() => window.inkroom.view().scale > 1.2")
    same_view(bob, alice)
    followed = view(bob)
    assert followed["scale"] > 1.2 and followed["x"] > 150

    # Bob zooms out himself: following stops, and the list says so.
    bob.keyboard.press("-")
    expect(bob.locator("#people li.followed")).to_have_count(0)
    expect(alice.locator("#people li", has_text="Bob")).not_to_contain_text("follows you")
    mine = view(bob)
    drag(alice, [(500, 400), (300, 300)])
    alice.wait_for_function(f"() => window.inkroom.view().x > {followed['x'] + 50}")
    heard_after(alice, bob)  # whatever Alice sent while panning has reached Bob by now
    assert view(bob) == mine

    # Following again, then stopping with the list's button.
    bob.locator("#people button.follow", has_text="Alice").click()
    same_view(bob, alice)
    bob.locator("#people .unfollow").click()
    expect(bob.locator("#people li.followed")).to_have_count(0)


# How much of the followed person's screen (left, top, right, bottom on the board) the page
# shows: each side's distance inside the page's own screen, and how far apart the two centres are.
FOLLOWED_BOX_IN_VIEW = """([left, top, right, bottom]) => {
    const { x, y, scale } = window.inkroom.view();
    const [width, height] = [innerWidth / scale, innerHeight / scale];
    return {
        inside: Math.min(left - x, top - y, x + width - right, y + height - bottom),
        offCentre: Math.hypot(
            (left + right) / 2 - (x + width / 2), (top + bottom) / 2 - (y + height / 2)),
    };
}"""


def test_a_follower_whose_window_is_resized_still_shows_the_whole_followed_view_centred(
    pair: tuple[Page, Page],
) -> None:
    alice, bob = pair
    bob.locator("#people button.follow", has_text="Alice").click()
    expect(alice.locator("#people li", has_text="Bob")).to_contain_text("follows you")
    alice.keyboard.press("h")
    drag(alice, [(500, 400), (400, 350), (300, 300)])
    alice.keyboard.press("+")
    alice.wait_for_function("() => window.inkroom.view().scale > 1.1")
    same_view(bob, alice)
    seen = view(alice)
    size = alice.viewport_size
    assert size is not None
    followed = [
        seen["x"],
        seen["y"],
        seen["x"] + size["width"] / seen["scale"],
        seen["y"] + size["height"] / seen["scale"],
    ]

    # Narrower and taller, then wider and lower: all of Alice's screen stays in Bob's, centred.
    for width, height in ((600, 800), (1200, 500)):
        bob.set_viewport_size({"width": width, "height": height})
        bob.wait_for_function(
            f"""([box, width]) => innerWidth === width
                && Math.abs(({FOLLOWED_BOX_IN_VIEW})(box).inside) < 0.5""",
            arg=[followed, width],
        )
        fit = bob.evaluate(FOLLOWED_BOX_IN_VIEW, followed)
        assert abs(fit["inside"]) < 0.5 and fit["offCentre"] < 0.5
        assert view(alice) == seen  # nothing Bob does moves Alice
    expect(bob.locator("#people li.followed")).to_contain_text("following")
