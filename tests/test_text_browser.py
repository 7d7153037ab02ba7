"""Text in Debian's Chromium, two people on one board: typing, keeping, editing in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import LiveServer
from tests.test_browser import INK_PIXELS, drag, open_board, visible_strokes

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(server: LiveServer, browser: Browser) -> tuple[Page, Page, str]:
    board = server.create_board("Words")
    url = f"{server.url}/b/{board}"
    return open_board(browser, url, "Alice"), open_board(browser, url, "Bob"), url


def click(page: Page, x: int, y: int, count: int = 1) -> None:
    box = page.locator("#board-canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y, click_count=count)


def texts(page: Page) -> list[str]:
    return [str(s["text"]) for s in visible_strokes(page) if s["kind"] == "text"]


def wait_texts(page: Page, expected: list[str]) -> None:
    page.wait_for_function(
        """(expected) => JSON.stringify(window.inkroom.visibleStrokes()
            .filter((s) => s.kind === "text").map((s) => s.text)) === JSON.stringify(expected)""",
        arg=expected,
    )


# Inked pixels of one layer within a rectangle of the board's screen (left, top, right, bottom).
LAYER_INK = """([layer, left, top, right, bottom]) => {
    const canvas = document.getElementById(layer);
    const ratio = canvas.width / canvas.clientWidth;
    const { data } = canvas.getContext("2d").getImageData(
        left * ratio, top * ratio, (right - left) * ratio, (bottom - top) * ratio);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
    return inked;
}"""
TEXT_AREA = [190, 140, 420, 260]


def type_text(page: Page, at: tuple[int, int], lines: list[str]) -> None:
    page.keyboard.press("t")
    click(page, *at)
    editor = page.locator(".text-editor")
    expect(editor).to_be_focused()
    for index, line in enumerate(lines):
        if index:
            page.keyboard.press("Shift+Enter")
        page.keyboard.type(line)


def test_two_lines_typed_are_kept_on_escape_and_undone_and_redone_as_one_text(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    type_text(alice, (200, 150), ["Two lines", "of text"])
    alice.keyboard.press("Escape")
    expect(alice.locator(".text-editor")).to_have_count(0)
    wait_texts(bob, ["Two lines\nof text"])
    alice.keyboard.press("Control+z")
    wait_texts(bob, [])
    alice.keyboard.press("Control+Shift+z")
    wait_texts(bob, ["Two lines\nof text"])


def test_clicking_away_keeps_the_text_and_an_empty_text_is_not_stored(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    type_text(alice, (200, 150), ["Clicked away"])
    click(alice, 600, 500)
    wait_texts(bob, ["Clicked away"])
    expect(alice.locator(".text-editor")).to_have_count(0)
    # An empty field, left by Escape or by clicking away, stores nothing.
    type_text(alice, (300, 300), [])
    alice.keyboard.press("Escape")
    type_text(alice, (300, 400), ["   "])
    click(alice, 700, 100)
    alice.wait_for_function("() => window.inkroom.pending() === 0")
    assert alice.evaluate("window.inkroom.lastSeq()") == 1
    assert texts(alice) == ["Clicked away"]


def test_keys_typed_in_a_text_never_reach_the_board_and_ctrl_z_undoes_typing(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    drag(alice, [(100, 400), (200, 450), (300, 420)])  # a stroke that a board undo would take
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 1")
    zoom = alice.evaluate("window.inkroom.view()")
    # Every letter and sign below is a board shortcut outside a text field.
    type_text(alice, (200, 150), ["le vip harotf 12345 +-0 F H"])
    expect(alice.locator(".text-editor")).to_have_value("le vip harotf 12345 +-0 F H")
    assert alice.locator("#board-canvas").get_attribute("data-tool") == "text"
    assert alice.evaluate("window.inkroom.view()") == zoom
    expect(alice.locator("#history")).to_be_hidden()
    alice.keyboard.press("Control+z")
    expect(alice.locator(".text-editor")).not_to_have_value("le vip harotf 12345 +-0 F H")
    alice.keyboard.type("kept")
    typed = alice.locator(".text-editor").input_value()
    alice.keyboard.press("Escape")
    wait_texts(bob, [typed.rstrip()])
    assert [s["kind"] for s in visible_strokes(bob)] == ["stroke", "text"]
    assert alice.locator("#board-canvas").get_attribute("data-tool") == "text"


def test_a_new_text_is_seen_by_the_other_while_it_is_typed(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    assert bob.evaluate(INK_PIXELS) == 0
    type_text(alice, (200, 150), ["Typed live"])
    bob.wait_for_function("() => window.inkroom.typing().includes('Typed live')")
    bob.wait_for_function(f"() => ({INK_PIXELS})() > 50")
    assert texts(bob) == []  # shown while typed, not stored yet
    alice.keyboard.press("Shift+Enter")
    alice.keyboard.type("and more")
    bob.wait_for_function("() => window.inkroom.typing().includes('Typed live\\nand more')")
    alice.keyboard.press("Escape")
    wait_texts(bob, ["Typed live\nand more"])
    bob.wait_for_function("() => window.inkroom.typing().length === 0")


def test_a_double_clicked_text_is_edited_in_place_live_for_the_other_and_undone_as_one_edit(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    type_text(alice, (200, 150), ["Hello"])
    alice.keyboard.press("Enter")
    wait_texts(bob, ["Hello"])
    original = visible_strokes(bob)[0]
    bob.wait_for_function(f"() => ({LAYER_INK})({['layer-ink', *TEXT_AREA]}) > 0")

    alice.keyboard.press("v")
    click(alice, 215, 160, count=2)
    editor = alice.locator(".text-editor")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Hello")
    # In place: where the text is, in its size and color.
    box = editor.bounding_box()
    canvas = alice.locator("#board-canvas").bounding_box()
    assert box is not None and canvas is not None
    assert abs(box["x"] - canvas["x"] - 200) <= 2 and abs(box["y"] - canvas["y"] - 150) <= 2
    style = editor.evaluate("(e) => [getComputedStyle(e).fontSize, getComputedStyle(e).color]")
    red, green, blue = (int(str(original["color"])[i : i + 2], 16) for i in (1, 3, 5))
    assert style == [f"{original['size']}px", f"rgb({red}, {green}, {blue})"]

    alice.keyboard.press("End")
    alice.keyboard.press("Shift+Enter")
    alice.keyboard.type("world")
    bob.wait_for_function("() => window.inkroom.typing().includes('Hello\\nworld')")
    # Bob sees the words being typed in place of the text, not both on top of each other.
    bob.wait_for_function(f"() => ({LAYER_INK})({['layer-ink', *TEXT_AREA]}) === 0")
    assert bob.evaluate(f"({LAYER_INK})({['layer-live', *TEXT_AREA]})") > 0
    alice.keyboard.press("Escape")
    wait_texts(bob, ["Hello\nworld"])
    edited = visible_strokes(bob)[0]
    assert {k: edited[k] for k in ("id", "x", "y", "size", "color")} == {
        k: original[k] for k in ("id", "x", "y", "size", "color")
    }
    bob.wait_for_function("() => window.inkroom.typing().length === 0")

    alice.keyboard.press("Control+z")  # one edit, one undo
    wait_texts(bob, ["Hello"])
    alice.keyboard.press("Control+y")
    wait_texts(bob, ["Hello\nworld"])
    bob.reload()
    expect(bob.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    wait_texts(bob, ["Hello\nworld"])


def test_enter_on_a_selected_text_edits_it_and_the_other_person_can_edit_it_too(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    type_text(alice, (200, 150), ["Draft"])
    alice.keyboard.press("Escape")
    wait_texts(bob, ["Draft"])
    bob.keyboard.press("v")
    click(bob, 210, 160)
    bob.wait_for_function("() => window.inkroom.selected().length === 1")
    bob.keyboard.press("Enter")
    expect(bob.locator(".text-editor")).to_have_value("Draft")
    bob.keyboard.press("Control+a")
    bob.keyboard.type("Final")
    bob.keyboard.press("Enter")
    wait_texts(alice, ["Final"])
    # Emptying a text erases it, as one operation its editor can undo.
    click(bob, 210, 160, count=2)
    expect(bob.locator(".text-editor")).to_have_value("Final")
    bob.keyboard.press("Control+a")
    bob.keyboard.press("Delete")
    bob.keyboard.press("Escape")
    wait_texts(alice, [])
    bob.keyboard.press("Control+z")
    wait_texts(alice, ["Final"])
