"""Light and dark, the keyboard and axe-core, at a desktop's size and a phone's: the pages follow
the system's color scheme, ? lists every shortcut, Tab reaches every tool with a visible focus,
dialogs keep the focus and give it back, and axe-core finds nothing serious or critical.
Screenshots go to ``tests/artifacts/`` (kept by CI)."""

from __future__ import annotations

import re
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.live_server import LiveServer
from tests.test_browser import drag
from tests.test_first_visit_browser import SAVED, SCREENS, create_owned, keep

pytestmark = pytest.mark.browser

AXE = Path(__file__).parents[1] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = ["desktop", "phone"]
SCHEMES = ["light", "dark"]


@pytest.fixture(params=SIZES)
def screen(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(params=SCHEMES)
def scheme(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def visit(browser: Browser, screen: str, scheme: str) -> Page:
    """A new browser at the screen's size whose system prefers ``scheme``. The pages' policy
    lets no inline script run; it is bypassed only so that axe-core can be put in the page."""
    context = browser.new_context(**SCREENS[screen], color_scheme=scheme, bypass_csp=True)  # type: ignore[arg-type]
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds serious or critical in the page as it stands."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const { violations } = await axe.run(document, { resultTypes: ["violations"] });
            return violations
                .filter((violation) => ["serious", "critical"].includes(violation.impact))
                .map((violation) => ({
                    rule: violation.id,
                    help: violation.help,
                    nodes: violation.nodes.map(
                        (node) => `${node.target.join(" ")}: ${node.failureSummary}`,
                    ),
                }));
        }"""
    )
    return found


def assert_accessible(page: Page, what: str) -> None:
    found = serious_violations(page)
    assert not found, f"{what}: {found}"


def background(page: Page, selector: str) -> tuple[int, int, int]:
    """The color painted behind ``selector``: its own background, or its nearest ancestor's."""
    rgb: list[int] = page.eval_on_selector(
        selector,
        """(element) => {
            for (let at = element; at; at = at.parentElement) {
                const color = getComputedStyle(at).backgroundColor;
                const [r, g, b, a = 1] = color.match(/[\\d.]+/g).map(Number);
                if (a > 0.5) return [r, g, b];
            }
            return [255, 255, 255];
        }""",
    )
    return rgb[0], rgb[1], rgb[2]


def lightness(rgb: tuple[int, int, int]) -> float:
    return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255


def test_home_board_share_dialog_and_gallery_have_no_serious_accessibility_violations(
    server: LiveServer, browser: Browser, screen: str, scheme: str
) -> None:
    page = visit(browser, screen, scheme)
    page.goto(server.url)
    expect(page.locator("#board-list")).to_have_attribute("aria-busy", "false", timeout=SAVED)
    assert_accessible(page, "the home page")

    create_owned(page, server)
    assert_accessible(page, "a board")
    page.click("#menu-button")
    assert_accessible(page, "the board's menu")
    page.click("#share")
    expect(page.locator("#share-dialog")).to_be_visible()
    assert_accessible(page, "the share dialog")
    keep(page, f"a11y-share-{scheme}-{screen}")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    assert_accessible(page, "the shortcuts")
    page.keyboard.press("Escape")

    drag(page, [(60, 300), (200, 360)])
    page.wait_for_function("() => window.inkroom.pending() === 0")
    create_owned(page, server)
    create_owned(page, server)
    page.goto(server.url)
    expect(page.locator("#board-list > li")).to_have_count(3, timeout=SAVED)
    expect(page.locator("#board-list img").first).to_be_visible(timeout=SAVED)
    assert_accessible(page, "the gallery")
    keep(page, f"a11y-gallery-{scheme}-{screen}")


def test_pages_follow_the_system_color_scheme_toolbar_panels_and_dialogs_included(
    server: LiveServer, browser: Browser, screen: str, scheme: str
) -> None:
    dark = scheme == "dark"

    def assert_scheme(page: Page, selector: str) -> None:
        shade = lightness(background(page, selector))
        assert (shade < 0.25) if dark else (shade > 0.85), (selector, background(page, selector))

    page = visit(browser, screen, scheme)
    page.goto(server.url)
    for selector in ("body", ".masthead", ".secondary", "#board-list"):
        assert_scheme(page, selector)
    keep(page, f"home-{scheme}-{screen}")

    create_owned(page, server)
    for selector in ("body", ".toolbar", ".topbar .zoom", "#status", "#people li", "#menu-button"):
        assert_scheme(page, selector)
    # Black ink shows near white on a dark board, and as it is on a light one.
    page.keyboard.press("Shift+4")
    drag(page, [(40, 200), (160, 200)])
    page.wait_for_function("() => window.inkroom.pending() === 0")
    box = page.locator("#board-canvas").bounding_box()
    assert box is not None
    shown = page.eval_on_selector("#board", "(board) => getComputedStyle(board).filter")
    assert (shown != "none") if dark else (shown == "none"), shown
    shot = page.screenshot(clip={"x": box["x"] + 100, "y": box["y"] + 199, "width": 2, "height": 2})
    stroke = pixel_lightness(shot)
    assert (stroke > 0.8) if dark else (stroke < 0.2), stroke
    keep(page, f"board-{scheme}-{screen}")
    # Exports keep the board's own colors, whatever the page shows: black ink on white.
    page.click("#menu-button")
    with page.expect_download() as download:
        page.click("#export-png-all")
    with Image.open(download.value.path()) as exported:
        darkest, lightest = exported.convert("L").getextrema()
    assert lightest == 255 and darkest < 60, (darkest, lightest)

    page.click("#menu-button")
    assert_scheme(page, "#menu")
    page.click("#share")
    assert_scheme(page, "#share-dialog")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    assert_scheme(page, "#shortcuts-dialog")
    keep(page, f"shortcuts-{scheme}-{screen}")
    page.keyboard.press("Escape")
    page.locator("#people .rename-me").click()
    assert_scheme(page, "#name-dialog")


def pixel_lightness(png: bytes) -> float:
    """How light the top left pixel of a screenshot is, 0 to 1."""
    with Image.open(BytesIO(png)) as image:
        r, g, b = image.convert("RGB").getpixel((0, 0))  # type: ignore[misc]
    return lightness((r, g, b))


def test_question_mark_lists_every_shortcut_from_the_table_the_tooltips_use(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    page = visit(browser, screen, "light")
    create_owned(page, server)
    table: list[dict[str, Any]] = page.evaluate(
        "async () => (await import('/static/js/keymap.js')).SHORTCUTS"
    )
    assert len(table) > 30
    # Each control of the table names its keys in its tooltip.
    expect(page.locator("button[data-tool=pen]")).to_have_attribute("title", "Pen (P)")
    expect(page.locator("#redo")).to_have_attribute("title", "Redo (Ctrl+Shift+Z or Ctrl+Y)")
    expect(page.locator("#zoom-fit")).to_have_attribute(
        "title", "Zoom to fit the drawing (Shift+F)"
    )

    dialog = page.locator("#shortcuts-dialog")
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    rows = dialog.locator(".shortcut")
    expect(rows).to_have_count(len(table))
    for row, shortcut in zip(rows.all(), table, strict=True):
        expect(row.locator("dd")).to_have_text(shortcut["does"])
        expect(row.locator("kbd")).to_have_text(shortcut["keys"])
    assert dialog.evaluate("dialog => dialog.matches(':modal')")
    page.keyboard.press("p")  # the board's keys wait while it is open
    expect(page.locator("button[data-tool=pen]")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("Shift+Slash")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # Typing a ? in a field types it.
    page.locator("#people .rename-me").click()
    page.locator("#name-input").press("End")
    page.locator("#name-input").type("?")
    expect(page.locator("#name-input")).to_have_value(re.compile(r"\?$"))
    expect(dialog).to_be_hidden()
    page.locator("#name-input").press("Escape")

    # Also from the menu, and the focus goes back to the menu's button.
    page.click("#menu-button")
    page.click("#shortcuts-open")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#menu-button")).to_be_focused()
    keep(page, f"shortcuts-closed-{screen}")


def test_tab_reaches_every_tool_with_a_visible_focus_and_dialogs_keep_and_give_back_the_focus(
    server: LiveServer, browser: Browser, screen: str, scheme: str
) -> None:
    page = visit(browser, screen, scheme)
    create_owned(page, server)
    page.locator("body").click(position={"x": 5, "y": 400})  # nothing focused, the board in hand
    page.evaluate("document.activeElement.blur()")
    tools = page.locator(".toolbar button:visible, .toolbar input:visible")
    wanted = set(
        tools.evaluate_all("(controls) => controls.map((control, i) => control.dataset.probe = i)")
    )
    reached: set[int] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
                const element = document.activeElement;
                const style = getComputedStyle(element);
                const name = element.getAttribute("aria-label") || element.title
                    || element.textContent.trim();
                return {
                    probe: element.dataset.probe, tag: element.tagName, name,
                    outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                    visible: element.matches(":focus-visible"),
                };
            }"""
        )
        if focus["tag"] == "BODY":
            continue
        assert focus["visible"] and focus["outline"] != "none" and focus["width"] >= 2, focus
        assert focus["name"], focus  # every control says what it is
        if focus["probe"] is not None:
            reached.add(int(focus["probe"]))
        if reached == wanted:
            break
    assert reached == wanted
    keep(page, f"focus-{scheme}-{screen}")

    # The menu and the share dialog from the keyboard: the focus stays in the dialog, then goes
    # back to the menu's button.
    page.locator("#menu-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#share")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#rename")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    dialog = page.locator("#share-dialog")
    expect(dialog).to_be_visible()
    for _ in range(8):
        page.keyboard.press("Tab")
        assert dialog.evaluate("(dialog) => dialog.contains(document.activeElement)")
    page.keyboard.press("Shift+Tab")
    assert dialog.evaluate("(dialog) => dialog.contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#menu-button")).to_be_focused()


def test_an_image_on_a_dark_page_keeps_its_colors_under_the_inverted_ink(
    server: LiveServer, browser: Browser, scheme: str, tmp_path: Path
) -> None:
    page = visit(browser, "desktop", scheme)
    create_owned(page, server)
    picked = tmp_path / "red.png"
    Image.new("RGB", (160, 100), (220, 30, 40)).save(picked)
    with page.expect_file_chooser() as chooser:
        page.locator("#image-button").click()
    chooser.value.set_files(str(picked))
    page.wait_for_function("() => window.inkroom.images().length === 1", timeout=SAVED)
    page.wait_for_function("() => window.inkroom.pending() === 0", timeout=SAVED)
    item = page.evaluate("window.inkroom.images()[0]")
    view = page.evaluate("window.inkroom.view()")
    x = (item["x"] + item["w"] / 2 + item["dx"] - view["x"]) * view["scale"]
    y = (item["y"] + item["h"] / 2 + item["dy"] - view["y"]) * view["scale"]
    box = page.locator("#board-canvas").bounding_box()
    assert box is not None

    def shown() -> tuple[int, int, int]:
        png = page.screenshot(clip={"x": box["x"] + x, "y": box["y"] + y, "width": 1, "height": 1})
        with Image.open(BytesIO(png)) as image:
            r, g, b = image.convert("RGB").getpixel((0, 0))  # type: ignore[misc]
        return r, g, b

    def red(color: tuple[int, int, int]) -> bool:
        return color[0] > color[1] + 60 and color[0] > color[2] + 60

    # Red, as it is: not the cyan that inverting it would show (a grey box until it is drawn).
    deadline = time.monotonic() + SAVED / 1000
    while not red(color := shown()) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert red(color), color
    keep(page, f"image-{scheme}")
