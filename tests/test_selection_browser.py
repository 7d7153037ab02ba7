"""Selecting and transforming in Debian's Chromium, two people on one board: handles seen live,
nudges, the style panel, duplicate, copy and paste between boards, undo of each by its author."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import LiveServer
from tests.test_browser import drag, open_board

pytestmark = pytest.mark.browser


@pytest.fixture
def pair(server: LiveServer, browser: Browser) -> tuple[Page, Page, str]:
    board = server.create_board("Selection")
    url = f"{server.url}/b/{board}"
    return open_board(browser, url, "Alice"), open_board(browser, url, "Bob"), url


def placed(page: Page) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = page.evaluate("window.inkroom.placed()")
    return items


def wait_count(page: Page, count: int) -> None:
    page.wait_for_function(f"() => window.inkroom.placed().length === {count}")


def saved(page: Page) -> None:
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)


def caught_up(author: Page, other: Page) -> None:
    """Returns once ``other`` shows all that ``author`` did: a gesture's operations (a copy, then
    the move that places it) reach another page one by one."""
    saved(author)
    seq = author.evaluate("window.inkroom.lastSeq()")
    other.wait_for_function(f"() => window.inkroom.lastSeq() >= {seq}")


def three_rects(alice: Page, bob: Page) -> None:
    alice.keyboard.press("r")
    for x in (100, 250, 400):
        drag(alice, [(x, 200), (x + 100, 280)])
    wait_count(bob, 3)
    alice.keyboard.press("v")


def select_all_by_marquee(page: Page) -> dict[str, float]:
    drag(page, [(60, 150), (300, 250), (560, 330)])
    page.wait_for_function("() => window.inkroom.selected().length === 3")
    box: dict[str, float] = page.evaluate("window.inkroom.selectionBox()")
    return box


def select_everything(page: Page, count: int) -> None:
    """A marquee from the bottom right (clear of the toolbar and the panels) to the top left."""
    drag(page, [(900, 560), (500, 300), (40, 40)])
    page.wait_for_function(f"() => window.inkroom.selected().length === {count}")


def angle(m: list[float] | None) -> float:
    return 0.0 if m is None else math.degrees(math.atan2(m[1], m[0]))


def test_a_marquee_selection_rotated_by_its_handle_turns_live_for_the_other_and_stays(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    three_rects(alice, bob)
    box = select_all_by_marquee(alice)
    cx, top = (box["left"] + box["right"]) / 2, box["top"]
    cy = (box["top"] + box["bottom"]) / 2
    # The round handle above the frame, dragged a quarter turn clockwise (shift snaps to 15°).
    alice.keyboard.down("Shift")
    drag(alice, [(round(cx), round(top - 24)), (round(cx) + 200, round(cy) - 50),
                 (round(cx) + 300, round(cy))], release=False)  # fmt: skip
    # Bob sees all three turning while Alice still holds the pointer; nothing is stored yet.
    bob.wait_for_function("() => window.inkroom.previewed().length === 3")
    assert all(item["m"] is None for item in placed(bob))
    alice.mouse.up()
    alice.keyboard.up("Shift")
    bob.wait_for_function("() => window.inkroom.placed().every((item) => item.m !== null)")
    assert [round(angle(item["m"])) for item in placed(bob)] == [90, 90, 90]
    bob.wait_for_function("() => window.inkroom.previewed().length === 0")
    saved(alice)
    bob.reload()
    saved(bob)
    wait_count(bob, 3)
    assert [round(angle(item["m"])) for item in placed(bob)] == [90, 90, 90]
    # Turned about the selection's middle: the middle rectangle's center stays where it was.
    middle = placed(bob)[1]["m"]
    x, y = 300.0, 240.0
    turned = (middle[0] * x + middle[2] * y + middle[4], middle[1] * x + middle[3] * y + middle[5])
    assert abs(turned[0] - x) < 1 and abs(turned[1] - y) < 1

    # Only its author's undo takes it back.
    bob.keyboard.press("Control+z")
    alice.keyboard.press("Control+z")
    bob.wait_for_function("() => window.inkroom.placed().every((item) => item.m === null)")


def test_a_corner_dragged_with_shift_keeps_the_proportions_and_undo_restores_the_size(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    three_rects(alice, bob)
    box = select_all_by_marquee(alice)
    right, bottom = round(box["right"]), round(box["bottom"])
    alice.keyboard.down("Shift")
    drag(alice, [(right, bottom), (right + 100, bottom + 10), (right + 200, bottom + 20)])
    alice.keyboard.up("Shift")
    bob.wait_for_function("() => window.inkroom.placed().every((item) => item.m !== null)")
    for item in placed(bob):
        a, b, c, d = item["m"][:4]
        assert abs(a - d) < 1e-3 and b == 0 and c == 0 and a > 1.2  # grown, not stretched
    alice.keyboard.press("Control+z")
    bob.wait_for_function("() => window.inkroom.placed().every((item) => item.m === null)")


def test_arrow_keys_nudge_the_selection_and_shift_nudges_it_further(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    three_rects(alice, bob)
    # A click on the first, shift-click on the third: those two, not the middle one.
    drag(alice, [(100, 240), (100, 240)])
    alice.keyboard.down("Shift")
    drag(alice, [(400, 240), (400, 240)])
    alice.keyboard.up("Shift")
    alice.wait_for_function("() => window.inkroom.selected().length === 2")
    alice.keyboard.press("ArrowRight")
    alice.keyboard.press("Shift+ArrowDown")
    bob.wait_for_function("() => window.inkroom.placed()[0].dy === 10")
    assert [(item["dx"], item["dy"]) for item in placed(bob)] == [(1, 10), (0, 0), (1, 10)]
    alice.keyboard.press("Control+z")
    bob.wait_for_function("() => window.inkroom.placed()[0].dy === 0")
    assert [(item["dx"], item["dy"]) for item in placed(bob)] == [(1, 0), (0, 0), (1, 0)]


def test_the_style_panel_changes_everything_selected_and_undo_brings_the_old_style_back(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    three_rects(alice, bob)
    panel = alice.locator("#style-panel")
    expect(panel).to_be_hidden()
    select_all_by_marquee(alice)
    expect(panel).to_be_visible()
    expect(panel.locator("[data-set-size]").first).to_be_hidden()  # no text selected
    panel.locator('[data-set-color="#e03131"]').click()
    panel.locator('[data-set-width="16"]').click()
    panel.locator('[data-set-fill="color"]').click()
    bob.wait_for_function("() => window.inkroom.placed().every((item) => item.fill === '#e03131')")
    assert {(i["color"], i["width"], i["fill"]) for i in placed(bob)} == {
        ("#e03131", 16, "#e03131")
    }
    alice.keyboard.press("Control+z")  # the fill
    alice.keyboard.press("Control+z")  # the width
    bob.wait_for_function("() => window.inkroom.placed().every((item) => item.width === 4)")
    assert {(i["color"], i["width"], i["fill"]) for i in placed(bob)} == {("#e03131", 4, None)}
    alice.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_duplicate_and_copy_paste_into_another_board_in_another_tab(
    server: LiveServer, pair: tuple[Page, Page, str]
) -> None:
    alice, bob, _ = pair
    three_rects(alice, bob)
    box = select_all_by_marquee(alice)
    # Turn them first: a copy keeps how its original stands.
    alice.keyboard.down("Shift")
    cx, top = round((box["left"] + box["right"]) / 2), round(box["top"])
    drag(alice, [(cx, top - 24), (cx + 300, round((box["top"] + box["bottom"]) / 2))])
    alice.keyboard.up("Shift")
    alice.keyboard.press("Control+d")
    wait_count(bob, 6)
    caught_up(alice, bob)
    originals, copies = placed(bob)[:3], placed(bob)[3:]
    for original, copy in zip(originals, copies, strict=True):
        assert copy["m"][:4] == pytest.approx(original["m"][:4], abs=1e-6)
        assert (copy["dx"] - original["dx"], copy["dy"] - original["dy"]) == pytest.approx(
            (20, 20), abs=1e-3
        )
    assert sorted(alice.evaluate("window.inkroom.selected()")) == sorted(c["id"] for c in copies)
    # One undo takes the whole duplicate back (its objects and the transform that placed them).
    alice.keyboard.press("Control+z")
    wait_count(bob, 3)

    select_everything(alice, 3)
    alice.keyboard.press("Control+c")
    other = server.create_board("Elsewhere")
    tab = alice.context.new_page()
    tab.goto(f"{server.url}/b/{other}")
    saved(tab)
    tab.keyboard.press("v")
    tab.locator("#board-canvas").click(position={"x": 700, "y": 450})
    tab.keyboard.press("Control+v")
    wait_count(tab, 3)
    pasted = placed(tab)
    assert [round(angle(item["m"])) for item in pasted] == [90, 90, 90]
    assert {item["kind"] for item in pasted} == {"shape"}
    saved(tab)
    tab.reload()
    saved(tab)
    wait_count(tab, 3)
    # Cut in the first tab: gone there.
    alice.bring_to_front()
    select_everything(alice, 3)
    alice.keyboard.press("Control+x")
    wait_count(bob, 0)
    tab.close()


def centre(box: dict[str, float]) -> tuple[float, float]:
    return (box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2


def test_a_paste_lands_centred_at_the_pointer_and_a_step_aside_with_the_pointer_off_the_board(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    drag(alice, [(150, 200), (200, 240), (260, 220), (300, 280)])
    wait_count(bob, 1)
    alice.keyboard.press("v")
    drag(alice, [(120, 160), (330, 320)])
    alice.wait_for_function("() => window.inkroom.selected().length === 1")
    original = centre(alice.evaluate("window.inkroom.selectionBox()"))
    alice.keyboard.press("Control+c")
    # Zoomed in, so that where the pointer is on the screen and on the board differ.
    alice.keyboard.press("+")
    alice.wait_for_function("() => window.inkroom.view().scale > 1.1")

    canvas = alice.locator("#board-canvas").bounding_box()
    assert canvas is not None
    alice.mouse.move(canvas["x"] + 700, canvas["y"] + 450, steps=5)
    seen = alice.evaluate("window.inkroom.view()")
    at = (seen["x"] + 700 / seen["scale"], seen["y"] + 450 / seen["scale"])
    alice.keyboard.press("Control+v")
    wait_count(bob, 2)
    caught_up(alice, bob)
    first, pasted = placed(bob)
    assert (pasted["dx"] - first["dx"], pasted["dy"] - first["dy"]) == pytest.approx(
        (at[0] - original[0], at[1] - original[1]), abs=0.01
    )
    alice.wait_for_function(
        "(id) => window.inkroom.selected().length === 1 && window.inkroom.selected()[0] === id",
        arg=pasted["id"],
    )
    assert centre(alice.evaluate("window.inkroom.selectionBox()")) == pytest.approx(at, abs=0.01)

    # With the pointer on the toolbar, off the board: a step aside from the original instead.
    toolbar = alice.locator(".toolbar").bounding_box()
    assert toolbar is not None
    alice.mouse.move(toolbar["x"] + 4, toolbar["y"] + toolbar["height"] / 2, steps=5)
    alice.keyboard.press("Control+v")
    wait_count(bob, 3)
    caught_up(alice, bob)
    aside = placed(bob)[2]
    assert (aside["dx"] - first["dx"], aside["dy"] - first["dy"]) == pytest.approx(
        (20, 20), abs=1e-3
    )
    saved(alice)


def test_a_selection_of_more_objects_than_one_operation_names_moves_whole_and_undoes_whole(
    server: LiveServer, browser: Browser
) -> None:
    # 1,200 dots in a grid, brought in by the import (drawing them would take minutes).
    operations = [
        {"seq": i + 1, "author": "author-of-dots",
         "op": {"kind": "stroke", "id": f"dot-{i:06d}", "color": "#1e1e1e", "width": 2.0,
                "points": [100.0 + (i % 40) * 10, 100.0 + (i // 40) * 10, 0.5]}}
        for i in range(1200)
    ]  # fmt: skip
    imported = httpx.post(
        f"{server.url}/api/boards/import",
        json={"format": "inkroom-board", "version": 1, "title": "Crowd", "operations": operations},
        timeout=60,
    )
    assert imported.status_code == 201, imported.text
    url = f"{server.url}/b/{imported.json()['id']}"
    alice = open_board(browser, url, "Alice")
    wait_count(alice, 1200)
    while alice.evaluate("window.inkroom.view().scale") > 1:
        alice.keyboard.press("-")  # the page fits the board to the screen: all of it in the marquee
    alice.keyboard.press("v")
    select_everything(alice, 1200)
    alice.keyboard.press("ArrowRight")
    alice.wait_for_function("() => window.inkroom.placed().every((item) => item.dx === 1)")
    saved(alice)
    bob = open_board(browser, url, "Bob")
    bob.wait_for_function(
        "() => window.inkroom.placed().filter((item) => item.dx === 1).length === 1200",
        timeout=60_000,
    )
    alice.keyboard.press("Control+z")
    bob.wait_for_function("() => window.inkroom.placed().every((item) => item.dx === 0)")
    # Dragged, all 1,200 move live for Bob (one message per 1,000), then land, previews gone.
    view = alice.evaluate("window.inkroom.view()")
    x, y = round((100 - view["x"]) * view["scale"]), round((100 - view["y"]) * view["scale"])
    drag(alice, [(x, y), (x + 30, y + 20), (x + 60, y + 40)], release=False)
    bob.wait_for_function("() => window.inkroom.previewed().length === 1200")
    alice.mouse.up()
    bob.wait_for_function(
        "() => window.inkroom.placed().every((item) => item.dx > 20) "
        "&& window.inkroom.previewed().length === 0",
        timeout=60_000,
    )


def test_bring_to_front_and_send_to_back_reorder_for_the_other_and_undo_reorders_back(
    pair: tuple[Page, Page, str],
) -> None:
    alice, bob, _ = pair
    three_rects(alice, bob)
    first, second, third = (item["id"] for item in placed(bob))

    def order_seen() -> list[str]:
        return [item["id"] for item in placed(bob)]

    def wait_order(expected: list[str]) -> None:
        bob.wait_for_function(
            "(ids) => window.inkroom.placed().map((item) => item.id).join() === ids.join()",
            arg=expected,
        )

    drag(alice, [(250, 240), (250, 240)])  # a click on the middle one's left side
    alice.wait_for_function(f"() => window.inkroom.selected().join() === '{second}'")
    alice.locator('#style-panel [data-order="front"]').click()
    wait_order([first, third, second])
    alice.keyboard.press("Control+Shift+BracketLeft")  # and now to the back
    wait_order([second, first, third])
    bob.keyboard.press("Control+z")  # not Bob's to undo
    alice.keyboard.press("Control+z")
    wait_order([first, third, second])
    alice.keyboard.press("Control+z")
    wait_order([first, second, third])
    alice.keyboard.press("Control+Shift+BracketRight")
    wait_order([first, third, second])
    saved(alice)
    bob.reload()
    saved(bob)
    wait_count(bob, 3)
    assert order_seen() == [first, third, second]
