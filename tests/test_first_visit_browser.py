"""The first five minutes on a board, at a desktop's size, a phone's and a narrow phone's: what a
newcomer sees before naming themselves, pages that fit, dead ends that say so, a lock everyone
sees, zoom steps. Screenshots go to ``tests/artifacts/`` (kept by CI)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.live_server import LiveServer
from tests.test_browser import drag, open_board, visible_strokes

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
    "narrow": {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True},
}
SAVED = 20_000  # ms: generous, for a busy machine


@pytest.fixture(params=list(SCREENS))
def screen(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def visit(browser: Browser, screen: str) -> Page:
    """A browser that has never been here (its own storage), at the screen's size; confirms are
    accepted."""
    page = browser.new_context(**SCREENS[screen]).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def keep(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def assert_on_screen(page: Page, locator: Locator) -> None:
    """Visible and wholly inside the viewport: nothing cut off."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"] + 0.5, (box, size)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (box, size)


def assert_one_row_of_tools(page: Page) -> None:
    toolbar = page.locator(".toolbar")
    assert_on_screen(page, toolbar)
    buttons = page.locator(".toolbar button:visible, .toolbar input:visible")
    boxes = [box for box in (button.bounding_box() for button in buttons.all()) if box]
    middles = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(middles) - min(middles) < 2, middles  # one row
    for button in buttons.all():
        assert_on_screen(page, button)


def create_owned(page: Page, server: LiveServer, private: bool = False) -> str:
    """A board created from the home page, so this browser owns it; its address."""
    page.goto(server.url)
    if private:
        page.check("#new-protected")
    page.click("#new-board")
    page.wait_for_url("**/b/**")
    if page.evaluate("localStorage.getItem('inkroom.named')") != "1":  # the first visit offers
        page.locator("#name-dialog .name-later").click()
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    return page.url


def test_a_first_time_visitor_sees_the_board_and_its_people_before_choosing_a_name(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    url = f"{server.url}/b/{server.create_board('Welcome')}"
    alice = open_board(browser, url, "Alice")
    drag(alice, [(300, 300), (420, 360)])
    alice.wait_for_function("() => window.inkroom.pending() === 0")

    visitor = visit(browser, screen)
    visitor.goto(url)
    card = visitor.locator("#name-dialog")
    assert_on_screen(visitor, card)
    expect(visitor.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    visitor.wait_for_function("() => window.inkroom.visibleStrokes().length === 1")
    expect(visitor.locator("#people")).to_contain_text("Alice")
    expect(visitor.locator("#people")).to_contain_text("(you)")
    assert not card.evaluate("dialog => dialog.matches(':modal')")  # nothing blocks the board
    # Nothing focused in it either: a phone's keyboard does not come up over the board.
    assert visitor.evaluate("document.activeElement?.id") != "name-input"
    expect(alice.locator("#people")).to_contain_text("Guest")  # here already, under a made-up name
    keep(visitor, f"first-visit-{screen}")

    # The board works behind the card: a stroke drawn now reaches Alice.
    drag(visitor, [(60, 200), (160, 260)])
    alice.wait_for_function("() => window.inkroom.visibleStrokes().length === 2")

    visitor.locator("#name-input").fill("Vera")
    visitor.locator("#name-dialog button.primary").click()
    expect(card).to_be_hidden()
    expect(alice.locator("#people")).to_contain_text("Vera", timeout=SAVED)

    # Changed again later, from the list of people.
    visitor.locator("#people .rename-me").click()
    assert_on_screen(visitor, card)
    visitor.locator("#name-input").fill("Vera K")
    visitor.locator("#name-input").press("Enter")
    expect(alice.locator("#people")).to_contain_text("Vera K", timeout=SAVED)
    expect(visitor.locator("#people")).to_contain_text("Vera K (you)")

    # Answered once: the next board does not ask again.
    visitor.goto(f"{server.url}/b/{server.create_board('Another')}")
    expect(visitor.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    expect(card).to_be_hidden()


def test_home_and_board_pages_fit_the_screen_with_one_row_of_tools_and_a_way_home(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    page = visit(browser, screen)
    page.goto(server.url)
    for control in ("#new-board", ".protect", "label[for=import-file]", ".brand"):
        assert_on_screen(page, page.locator(control))
    keep(page, f"home-{screen}")

    create_owned(page, server)
    assert_one_row_of_tools(page)
    # A separator only between two groups that show something.
    separators = page.evaluate(
        """() => [...document.querySelectorAll('.toolbar > .group')]
            .filter((group) => group.offsetParent)
            .map((group) => [group.children.length, getComputedStyle(group).borderLeftWidth])"""
    )
    assert all(count > 0 for count, _ in separators)
    assert separators[0][1] == "0px"
    assert all(width == "1px" for _, width in separators[1:])
    for control in (".home-link", "#zoom-reset", "#zoom-fit", "#menu-button", "#status"):
        assert_on_screen(page, page.locator(control))
    keep(page, f"board-{screen}")

    more = page.locator("#tools-more")
    if screen == "desktop":
        expect(more).to_be_hidden()
        assert page.locator(".toolbar [data-tool]").count() == 11
    else:
        more.click()
        panel = page.locator("#tools-overflow")
        assert_on_screen(page, panel)
        keep(page, f"more-tools-{screen}")
        panel.locator("[data-tool=rect]").click()
        expect(panel).to_be_hidden()
        expect(page.locator("button[data-tool=rect]")).to_have_class(re.compile("active"))
        expect(more).to_have_class(re.compile("active"))  # the tool in use is under it

    page.click("#menu-button")
    assert_on_screen(page, page.locator("#menu"))
    page.click("#share")
    assert_on_screen(page, page.locator("#share-dialog"))
    keep(page, f"share-{screen}")
    page.click("#share-dialog button.primary")

    if screen != "desktop":  # turned sideways while the History panel hides the toolbar
        size = page.viewport_size
        assert size is not None
        page.keyboard.press("Shift+H")
        expect(page.locator(".toolbar")).to_be_hidden()
        page.set_viewport_size({"width": size["height"], "height": size["width"]})
        page.click("#history-close")
        assert_one_row_of_tools(page)
        keep(page, f"board-sideways-{screen}")

    page.locator(".home-link").click()
    page.wait_for_url(f"{server.url}/")
    expect(page.locator("#board-list")).to_be_visible()


def test_a_board_one_cannot_open_says_why_and_what_to_do_instead_of_showing_tools(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    owner = visit(browser, "desktop")
    private_url = create_owned(owner, server, private=True).split("#")[0]
    page = visit(browser, screen)

    def dead_end(heading: str, shot: str) -> None:
        card = page.locator("#dead-end")
        expect(card.locator("h1")).to_have_text(heading, timeout=SAVED)
        assert_on_screen(page, card.locator(".dead-end-card"))
        assert_on_screen(page, card.get_by_role("link", name="Go to your boards"))
        assert_on_screen(page, card.get_by_role("button", name="Start a new board"))
        for gone in (".toolbar", "#name-dialog", ".zoom", "#menu-button"):
            expect(page.locator(gone)).to_be_hidden()
        keep(page, f"dead-end-{shot}-{screen}")

    page.goto(private_url)
    dead_end("This board is private", "private")
    expect(page.locator("#dead-end")).to_contain_text("Ask the person who shared it")

    page.goto(f"{server.url}/b/no-such-board")
    dead_end("There is no board here", "missing")

    # Removed by the owner while on the board; coming back is offered.
    open_url = create_owned(owner, server)
    page.goto(open_url.split("#")[0])
    expect(owner.locator("#people li")).to_have_count(2, timeout=SAVED)
    owner.locator("#people .kick").click()
    dead_end("You were removed from this board", "removed")
    page.get_by_role("button", name="Open the board again").click()
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)

    # Deleted while on it.
    board_id = open_url.split("/b/")[1].split("#")[0]
    token = owner.evaluate(f"localStorage.getItem('inkroom.token.{board_id}')")
    httpx.delete(
        f"{server.url}/api/boards/{board_id}", headers={"X-Board-Token": token}
    ).raise_for_status()
    dead_end("This board was deleted", "deleted")

    page.get_by_role("button", name="Start a new board").click()
    page.wait_for_url(re.compile(r"/b/(?!" + re.escape(board_id) + ")"))
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    assert_on_screen(page, page.locator(".toolbar"))


def test_a_locked_board_tells_everyone_on_it_and_who_may_unlock_it(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    owner = visit(browser, screen)
    url = create_owned(owner, server).split("#")[0]
    editor = visit(browser, screen)
    editor.goto(url)
    expect(editor.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    banners = [page.locator("#lock-banner") for page in (owner, editor)]
    for banner in banners:
        expect(banner).to_be_hidden()

    owner.click("#menu-button")
    owner.click("#lock")
    expect(banners[0]).to_contain_text("only its owners can change it", timeout=SAVED)
    assert_on_screen(owner, owner.locator("#lock-unlock"))
    expect(banners[1]).to_contain_text("Only its owner can unlock it", timeout=SAVED)
    expect(editor.locator("#lock-unlock")).to_be_hidden()
    assert_on_screen(editor, banners[1])
    keep(owner, f"locked-owner-{screen}")
    keep(editor, f"locked-editor-{screen}")

    editor.reload()  # arriving on a locked board
    expect(banners[1]).to_contain_text("Only its owner can unlock it", timeout=SAVED)
    drag(editor, [(100, 300), (200, 340)])
    owner.wait_for_timeout(300)
    assert visible_strokes(owner) == []

    owner.locator("#lock-unlock").click()
    for banner in banners:
        expect(banner).to_be_hidden(timeout=SAVED)


def test_zoom_buttons_and_keys_stop_at_the_usual_steps_and_the_wheel_zooms_freely(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    page = visit(browser, screen)
    create_owned(page, server)
    readout = page.locator("#zoom-level")
    expect(readout).to_have_text("100%")
    if screen == "desktop":
        for expected in ("75%", "50%", "25%", "10%", "10%"):
            page.click("#zoom-out")
            expect(readout).to_have_text(expected)
        for expected in ("25%", "50%"):
            page.click("#zoom-in")
            expect(readout).to_have_text(expected)
        page.mouse.move(640, 400)
        page.mouse.wheel(0, -300)  # free: lands between steps
    else:
        touch = page.context.new_cdp_session(page)

        def touches(kind: str, *points: tuple[int, int]) -> None:
            points_ = [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]
            touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points_})

        touches("touchStart", (150, 400), (230, 400))
        for step in range(1, 8):
            touches("touchMove", (150 - step * 7, 400), (230 + step * 7, 400))
        touches("touchEnd")
    page.wait_for_function("() => ![0.5, 1].includes(window.inkroom.view().scale)")
    scale = page.evaluate("() => window.inkroom.view().scale")
    expect(readout).to_have_text(f"{round(scale * 100)}%")  # the true value
    page.keyboard.press("-")
    steps = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4]
    lower = max(step for step in steps if step < scale * 0.999)
    expect(readout).to_have_text(f"{round(lower * 100)}%")
    page.keyboard.press("+")
    page.keyboard.press("+")
    upper = min(step for step in steps if step > lower * 1.001)
    upper = min(step for step in steps if step > upper * 1.001)
    expect(readout).to_have_text(f"{round(upper * 100)}%")
    keep(page, f"zoom-{screen}")
    # Opened again, the board is where this person left it, and the readout says so.
    board_id = page.url.rsplit("/", 1)[-1]
    page.wait_for_function(
        f"() => JSON.parse(localStorage.getItem('inkroom:view:{board_id}'))?.scale === {upper}"
    )
    page.reload()
    expect(readout).to_have_text(f"{round(upper * 100)}%")
    assert page.evaluate("() => window.inkroom.view().scale") == upper
