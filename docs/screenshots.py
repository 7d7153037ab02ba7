"""Makes the README's screenshot and the user guide's pictures from the real thing.

Three people (Ada, Ben and Chloé), each in a page of Debian's Chromium, draw on one board of a
real server (``inkroom serve`` on a temporary SQLite file): shapes, text, pen and highlighter ink;
the picture is taken while the others' cursors and names show. Then the gallery, the share
dialog of an open and of a private board, and the History panel.

Run from the project root: ``.venv/bin/python -m docs.screenshots`` (or ``make screenshots``).
It writes ``docs/screenshot.png`` and ``docs/guide/*.png``.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser import chromium
from tests.live_server import running

DOCS = Path(__file__).resolve().parent
GUIDE = DOCS / "guide"
SIZE: ViewportSize = {"width": 1280, "height": 800}
SAVED = 30_000  # ms


def person(browser: Browser, url: str, name: str) -> Page:
    """A browser of its own on ``url``, under ``name`` once it is on the board."""
    page = browser.new_context(viewport=SIZE).new_page()
    page.goto(url)
    page.wait_for_url("**/b/**")
    if page.evaluate("localStorage.getItem('inkroom.named')") != "1":
        page.locator("#name-input").fill(name)
        page.locator("#name-dialog button.primary").click()
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    return page


def stroke(page: Page, points: list[tuple[float, float]], steps: int = 3) -> None:
    """A drag through ``points`` (board-canvas pixels) with the tool in hand."""
    box = page.locator("#board-canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=steps)
    page.mouse.up()


def shape(page: Page, key: str, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.keyboard.press(key)
    stroke(page, [start, end], steps=8)


def text(page: Page, at: tuple[float, float], words: str) -> None:
    box = page.locator("#board-canvas").bounding_box()
    assert box is not None
    page.keyboard.press("t")
    page.mouse.click(box["x"] + at[0], box["y"] + at[1])
    page.keyboard.type(words, delay=15)
    page.keyboard.press("Escape")


def wave(x0: float, x1: float, y: float, height: float, turns: float) -> list[tuple[float, float]]:
    return [
        (x0 + (x1 - x0) * t / 40, y + height * math.sin(turns * 2 * math.pi * t / 40))
        for t in range(41)
    ]


def loop(cx: float, cy: float, rx: float, ry: float) -> list[tuple[float, float]]:
    """A hand-drawn ring: a little more than once round, a little off."""
    return [
        (
            cx + rx * (1 + 0.04 * math.sin(5 * a)) * math.cos(a),
            cy + ry * (1 + 0.04 * math.cos(3 * a)) * math.sin(a),
        )
        for a in (i * 2 * math.pi / 48 - 0.4 for i in range(54))
    ]


def settled(*pages: Page) -> None:
    """Everyone's operations stored and every page showing all of them."""
    for page in pages:
        page.wait_for_function("() => window.inkroom.pending() === 0", timeout=SAVED)
    last = pages[0].evaluate("window.inkroom.lastSeq()")
    for page in pages:
        page.wait_for_function(f"() => window.inkroom.lastSeq() >= {last}", timeout=SAVED)
    pages[0].wait_for_timeout(300)  # a frame or two for the renderer


def new_board(page: Page, url: str, title: str, private: bool = False) -> None:
    """Named beside New board on the home page, as the guide says."""
    page.goto(url)
    page.locator("#new-title").fill(title)
    if private:
        page.check("#new-protected")
    page.locator("#new-board").click()
    page.wait_for_url("**/b/**")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)


def the_board(browser: Browser, url: str) -> Page:
    """The README's picture: three people drawing together; Ada's page, the others' cursors."""
    ada = browser.new_context(viewport=SIZE).new_page()
    new_board(ada, url, "Spring launch plan")
    ada.locator("#name-input").fill("Ada")
    ada.locator("#name-dialog button.primary").click()
    board_url = ada.url.split("#")[0]
    ben = person(browser, board_url, "Ben")
    chloe = person(browser, board_url, "Chloé")

    # Ada: three steps in blue boxes, red arrows between them, a green circle below.
    ada.keyboard.press("4")
    for left in (110, 500, 890):
        shape(ada, "r", (left, 150), (left + 260, 290))
    ada.keyboard.press("2")
    shape(ada, "a", (380, 220), (490, 220))
    shape(ada, "a", (770, 220), (880, 220))
    ada.keyboard.press("3")
    ada.keyboard.press("Shift+3")
    shape(ada, "o", (540, 380), (760, 520))

    # Ben: the words.
    ben.keyboard.press("1")
    text(ben, (130, 175), "Sketch ideas")
    text(ben, (520, 175), "Prototype")
    text(ben, (910, 175), "Launch day")
    text(ben, (130, 230), "Monday 10:00")
    text(ben, (570, 435), "Beta testers")

    # Chloé: pen and highlighter ink.
    chloe.keyboard.press("p")
    chloe.keyboard.press("5")
    chloe.keyboard.press("Shift+2")
    stroke(chloe, loop(1020, 220, 165, 95))
    chloe.keyboard.press("2")
    stroke(chloe, wave(120, 460, 350, 10, 3))
    stroke(chloe, [(930, 380), (950, 405), (990, 350)])  # a tick
    chloe.keyboard.press("i")
    chloe.keyboard.press("5")
    chloe.keyboard.press("Shift+4")
    stroke(chloe, [(125, 612), (440, 612)])
    settled(chloe, ben)
    ben.keyboard.press("4")
    text(ben, (130, 610), "Questions: pricing? press kit?")  # over the highlight

    settled(ada, ben, chloe)
    # Everyone points at something: the others' cursors show on Ada's page with their names.
    ada.keyboard.press("v")
    box = ada.locator("#board-canvas").bounding_box()
    assert box is not None
    for page, (x, y) in ((ben, (735, 500)), (chloe, (1080, 380))):
        page.keyboard.press("v")
        page.mouse.move(box["x"] + x - 40, box["y"] + y - 30)
        page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
    ada.mouse.move(box["x"] + 20, box["y"] + 700)
    expect(ada.locator("#people li")).to_have_count(3, timeout=SAVED)
    ada.wait_for_timeout(800)  # the cursors' last positions arrive
    ada.screenshot(path=DOCS / "screenshot.png")
    ben.context.close()
    chloe.context.close()
    return ada


def kitchen(page: Page) -> None:
    shape(page, "r", (200, 150), (700, 450))
    shape(page, "r", (220, 170), (420, 230))
    shape(page, "o", (500, 300), (640, 420))


def retro(page: Page) -> None:
    page.keyboard.press("3")
    text(page, (200, 160), "Went well")
    page.keyboard.press("2")
    text(page, (600, 160), "To change")
    shape(page, "l", (520, 140), (520, 480))


def logo(page: Page) -> None:
    page.keyboard.press("p")
    page.keyboard.press("Shift+3")
    stroke(page, loop(420, 300, 120, 120))
    page.keyboard.press("4")
    stroke(page, wave(320, 520, 300, 40, 1))


def the_gallery(ada: Page, url: str) -> None:
    """More boards, then Ada's home page, with search and order."""
    drawings = {"Kitchen layout": kitchen, "Sprint 12 retro": retro, "Logo sketches": logo}
    for title, draw in drawings.items():
        new_board(ada, url, title, private=title == "Logo sketches")
        draw(ada)
        settled(ada)
    new_board(ada, url, "Reading group")  # nothing drawn yet
    ada.goto(url)
    expect(ada.locator("#board-list .card")).to_have_count(5)
    ada.wait_for_function(
        """() => [...document.querySelectorAll('.card .thumb:not(.blank) img')]
            .every((image) => image.complete && image.naturalWidth > 0)""",
        timeout=SAVED,
    )
    ada.mouse.move(0, 0)
    ada.screenshot(path=GUIDE / "gallery.png", full_page=True)
    ada.locator("#board-search").fill("spr")
    ada.locator("#board-sort").select_option("title")
    expect(ada.locator("#board-list .card:visible")).to_have_count(2)
    ada.screenshot(path=GUIDE / "gallery-search.png")
    ada.locator("#board-search").fill("")


def sharing(ada: Page, board_url: str, url: str) -> None:
    ada.goto(url)
    ada.locator("#board-list .card", has_text="Logo sketches").locator("a").click()
    expect(ada.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    ada.click("#menu-button")
    ada.click("#share")
    expect(ada.locator("#share-dialog")).to_be_visible()
    ada.screenshot(path=GUIDE / "sharing-private.png")
    ada.click("#share-dialog button.primary")

    new_board(ada, url, "")  # no name given: sharing it offers one
    ada.click("#menu-button")
    ada.click("#share")
    expect(ada.locator("#share-name")).to_be_visible()
    ada.locator("#share-title").fill("Offsite agenda")
    ada.screenshot(path=GUIDE / "sharing-name.png")
    ada.click("#share-dialog button.primary")
    ada.goto(board_url)
    expect(ada.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)


def history(ada: Page) -> None:
    ada.keyboard.press("Shift+H")
    slider = ada.locator("#history-slider")
    expect(slider).to_be_visible()
    ada.wait_for_function("() => Number(document.querySelector('#history-slider').max) > 10")
    middle = int(int(slider.get_attribute("max") or "2") * 0.6)
    slider.fill(str(middle))
    ada.wait_for_function("() => window.inkroom.historyPictured()", timeout=SAVED)
    ada.wait_for_timeout(300)
    ada.screenshot(path=GUIDE / "history.png")
    ada.keyboard.press("Escape")


def main() -> None:
    GUIDE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, running(Path(folder) / "inkroom.db") as live:
        with chromium() as browser:
            ada = the_board(browser, live.url)
            board_url = ada.url.split("#")[0]
            history(ada)
            the_gallery(ada, live.url)
            sharing(ada, board_url, live.url)
    for picture in [DOCS / "screenshot.png", *sorted(GUIDE.glob("*.png"))]:
        print(picture.relative_to(DOCS.parent))


if __name__ == "__main__":
    main()
