"""Light and dark, the keyboard and axe-core, at a desktop's size and a phone's: the pages follow
the system's color scheme, ? lists every shortcut, Tab reaches every tool with a visible focus,
dialogs keep the focus and give it back, and axe-core finds nothing serious or critical.
Screenshots go to ``tests/artifacts/`` (kept by CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
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
                    nodes: violation.nodes.map((node) => `${node.target.join(" ")}: ${node.failureSummary}`),
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
                const [r, g, b, a = 1] = getComputedStyle(at).backgroundColor.match(/[\\d.]+/g).map(Number);
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
