"""The History panel in the browser: any moment shown read-only, restore, timelapse video, who
drew what; against a real server, with several people on the board."""

from __future__ import annotations

import re
import struct
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from server import protocol
from tests.live_server import LiveServer
from tests.test_browser import drag, enter_name, open_board, visible_strokes
from tests.test_history import store
from tests.test_render import DIFFERENCE_FROM_FULL_REDRAW, filled_board, off_the_loop
from tests.wire import BoardClient, new_id, stroke

pytestmark = pytest.mark.browser

# Every moment the panel has shown, in order (the label under the thumb changes with each).
RECORD_MOMENTS = """() => {
    window.moments = [];
    new MutationObserver(() => window.moments.push(window.inkroom.historyAt()))
        .observe(document.getElementById("history-when"),
                 {childList: true, characterData: true, subtree: true});
}"""

# The most opaque pixel of the ink layer inside a box of CSS pixels.
INK_ALPHA = """([left, top, right, bottom]) => {
    const canvas = document.getElementById("layer-ink");
    const ratio = canvas.width / canvas.clientWidth;
    const { data } = canvas.getContext("2d").getImageData(
        left * ratio, top * ratio, (right - left) * ratio, (bottom - top) * ratio);
    let most = 0;
    for (let i = 3; i < data.length; i += 4) most = Math.max(most, data[i]);
    return most;
}"""


def answer_dialogs(page: Page) -> list[str]:
    """Accept every confirmation the page asks for; returns the list of their messages."""
    messages: list[str] = []

    def accept(dialog: Dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return messages


def count_sent_frames(page: Page) -> list[int]:
    """A counter (in a list) of the frames this page sends on its board sockets."""
    sent = [0]

    def watch(socket: Any) -> None:
        socket.on("framesent", lambda _payload: sent.__setitem__(0, sent[0] + 1))

    page.on("websocket", watch)
    return sent


def shown(page: Page) -> list[dict[str, str]]:
    strokes: list[dict[str, str]] = page.evaluate("window.inkroom.shownStrokes()")
    return strokes


def open_history(page: Page) -> None:
    page.locator("#menu-button").click()
    page.locator("#history-open").click()
    expect(page.locator("#history")).to_be_visible()


def draw_strokes(page: Page, count: int, y: int = 100) -> None:
    before: int = page.evaluate("window.inkroom.lastSeq()")
    for index in range(count):
        drag(page, [(100 + 60 * index, y), (140 + 60 * index, y + 80)])
    page.wait_for_function(f"() => window.inkroom.lastSeq() === {before + count}", timeout=10_000)
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)


def test_a_version_from_before_a_clear_is_restored_for_everyone_and_undone_by_its_author(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Restore')}"
    alice, bob = open_board(browser, url, "Alice"), open_board(browser, url, "Bob")
    confirmations = answer_dialogs(alice)
    answer_dialogs(bob)
    draw_strokes(alice, 3)
    alice_strokes = sorted(stroke["id"] for stroke in visible_strokes(alice))
    bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 3")
    if not bob.locator("#clear").is_visible():
        bob.locator("#tools-more").click()  # a toolbar too narrow keeps Clear under ⋯ first
    bob.locator("#clear").click()
    alice.wait_for_function("() => window.inkroom.visibleStrokes().length === 0")

    open_history(alice)
    expect(alice.locator("#history-banner")).to_contain_text("Viewing the board as it was at")
    assert alice.evaluate("window.inkroom.historyAt()") == 4  # the clear, the newest moment
    assert shown(alice) == []
    alice.locator("#history-slider").press("ArrowLeft")  # one step back: before the clear
    alice.wait_for_function("() => window.inkroom.historyAt() === 3")
    assert sorted(stroke["id"] for stroke in shown(alice)) == alice_strokes
    expect(alice.locator("#history-when")).to_contain_text("Alice")
    # What the board page shows is the moment; the board itself is still cleared.
    alice.wait_for_function("() => window.inkroom.inkSettled()")
    assert alice.evaluate(INK_ALPHA, [90, 90, 300, 190]) > 200
    assert visible_strokes(alice) == []

    alice.locator("#history-restore").click()
    assert confirmations[-1].startswith("Restore the board to how it was at ")
    assert "Everyone will see it; you can undo it." in confirmations[-1]
    expect(alice.locator("#history")).to_be_hidden()
    expect(alice.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    carol = open_board(browser, url, "Carol")
    for page in (alice, bob, carol):
        page.wait_for_function("() => window.inkroom.visibleStrokes().length === 3")
        assert sorted(stroke["id"] for stroke in visible_strokes(page)) == alice_strokes

    alice.keyboard.press("Control+z")
    for page in (alice, bob, carol):
        page.wait_for_function("() => window.inkroom.visibleStrokes().length === 0")
    alice.keyboard.press("Control+Shift+z")
    for page in (alice, bob, carol):
        page.wait_for_function("() => window.inkroom.visibleStrokes().length === 3")


def test_browsing_the_history_sends_nothing_and_others_changes_keep_arriving(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Browse')}"
    alice = open_board(browser, url, "Alice")
    sent = count_sent_frames(alice)
    alice.reload()
    expect(alice.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    bob = open_board(browser, url, "Bob")
    draw_strokes(alice, 2)
    draw_strokes(bob, 1, y=300)
    alice.wait_for_function("() => window.inkroom.lastSeq() === 3")
    bob_sees = visible_strokes(bob)

    frames_before = sent[0]
    open_history(alice)
    slider = alice.locator("#history-slider")
    slider.press("Home")
    alice.wait_for_function("() => window.inkroom.historyAt() === 1")
    assert len(shown(alice)) == 1
    for value in ("3", "2", "1", "3"):
        slider.fill(value)  # sets the value and dispatches input, as a drag does
    alice.wait_for_function("() => window.inkroom.historyAt() === 3")
    slider.press("ArrowLeft")
    alice.wait_for_function("() => window.inkroom.historyAt() === 2")

    # Bob draws meanwhile: it arrives underneath, and the timeline's end grows.
    draw_strokes(bob, 1, y=400)
    alice.wait_for_function("() => window.inkroom.lastSeq() === 4")
    expect(slider).to_have_attribute("max", "4")
    assert alice.evaluate("window.inkroom.historyAt()") == 2
    assert len(shown(alice)) == 2
    assert len(visible_strokes(alice)) == 4
    assert visible_strokes(bob)[:3] == bob_sees
    assert sent[0] == frames_before, "browsing the history sent frames on the board socket"

    alice.keyboard.press("Escape")
    expect(alice.locator("#history")).to_be_hidden()
    expect(alice.locator("#history-banner")).to_be_hidden()
    assert alice.evaluate("window.inkroom.historyAt()") is None
    assert len(shown(alice)) == 4


def test_the_timelapse_plays_from_the_start_and_downloads_as_a_webm_video(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Timelapse')}"
    alice = open_board(browser, url, "Alice")
    draw_strokes(alice, 4)
    alice.keyboard.press("Shift+H")
    expect(alice.locator("#history")).to_be_visible()
    alice.locator("#history-speed").select_option("16")
    expect(alice.locator("#history-when")).to_contain_text("Alice")  # the timeline is in
    alice.evaluate(RECORD_MOMENTS)
    alice.locator("#history-play").click()
    alice.wait_for_function(
        "() => window.moments.length > 1 && window.inkroom.historyAt() === 4", timeout=20_000
    )
    moments = alice.evaluate("window.moments")
    assert moments[0] == 1 and moments == sorted(moments), moments
    expect(alice.locator("#history-play")).to_have_text("▶")

    with alice.expect_download(timeout=60_000) as download:
        alice.locator("#history-video").click()
    assert download.value.suggested_filename == "Timelapse-timelapse.webm"
    video = download.value.path().read_bytes()
    assert video[:4] == bytes.fromhex("1A45DFA3"), "not an EBML (WebM) file"
    assert len(video) > 2_000
    assert b"webm" in video[:64]  # the DocType
    assert bytes.fromhex("1F43B675") in video, "no Cluster: the video has no frames"
    assert b"\xa3" in video  # SimpleBlock elements hold the frames


def test_who_drew_a_selected_object_and_their_work_highlighted(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Who')}"
    alice, bob = open_board(browser, url, "Alice"), open_board(browser, url, "Bob")
    draw_strokes(alice, 1)
    drag(bob, [(300, 300), (400, 350)])
    alice.wait_for_function("() => window.inkroom.visibleStrokes().length === 2")

    alice.keyboard.press("v")
    box = alice.locator("#board-canvas").bounding_box()
    assert box is not None
    alice.mouse.click(box["x"] + 350, box["y"] + 325)
    newest = visible_strokes(alice)[-1]  # Bob's
    assert alice.evaluate("window.inkroom.selected()") == [newest["id"]]
    expect(alice.locator("#drawn-by")).to_have_text(
        re.compile(r"^Drawn by Bob · Today \d"), timeout=10_000
    )
    alice.mouse.click(box["x"] + 120, box["y"] + 140)
    expect(alice.locator("#drawn-by")).to_have_text(re.compile(r"^Drawn by Alice · Today \d"))
    alice.mouse.click(box["x"] + 700, box["y"] + 600)  # nothing there
    expect(alice.locator("#drawn-by")).to_be_hidden()

    open_history(alice)
    person = alice.locator("#history-people button", has_text="Bob")
    person.click()
    expect(person).to_have_attribute("aria-pressed", "true")
    alice.wait_for_function("() => window.inkroom.inkSettled()")
    # Bob's stroke as drawn, Alice's faded.
    assert alice.evaluate(INK_ALPHA, [300, 300, 400, 350]) > 200
    assert alice.evaluate(INK_ALPHA, [90, 90, 150, 190]) < 100
    person.click()
    alice.wait_for_function("() => window.inkroom.inkSettled()")
    assert alice.evaluate(INK_ALPHA, [90, 90, 150, 190]) > 200


def test_the_png_export_shows_the_moment_the_history_shows(
    server: LiveServer, browser: Browser
) -> None:
    url = f"{server.url}/b/{server.create_board('Moment PNG')}"
    alice = open_board(browser, url, "Alice")
    drag(alice, [(100, 100), (140, 140)])
    drag(alice, [(700, 500), (740, 540)])
    alice.wait_for_function("() => window.inkroom.lastSeq() === 2")

    def whole_board_png_width() -> int:
        alice.locator("#menu-button").click()
        with alice.expect_download() as download:
            alice.locator("#export-png-all").click()
        png = download.value.path().read_bytes()
        width: int = struct.unpack(">I", png[16:20])[0]  # IHDR
        return width

    now_width = whole_board_png_width()
    alice.keyboard.press("Shift+H")
    expect(alice.locator("#history")).to_be_visible()
    alice.locator("#history-slider").press("ArrowLeft")
    alice.wait_for_function("() => window.inkroom.historyAt() === 1")
    moment_width = whole_board_png_width()
    # The first stroke alone is a small picture; both strokes, far apart, a wide one.
    assert moment_width < now_width / 3


def test_a_viewer_browses_the_history_but_cannot_restore(
    server: LiveServer, browser: Browser
) -> None:
    owner = browser.new_context(viewport={"width": 1100, "height": 700}).new_page()
    owner.goto(server.url)
    owner.check("#new-protected")
    owner.click("#new-board")
    owner.wait_for_url("**/b/**")
    enter_name(owner, "Owner")
    expect(owner.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    draw_strokes(owner, 2)
    owner.click("#menu-button")
    owner.click("#share")
    view_link = owner.eval_on_selector_all(".share-row input", "fields => fields[1].value")
    owner.click("#share-dialog button.primary")

    viewer = browser.new_context(viewport={"width": 1100, "height": 700}).new_page()
    viewer.goto(view_link)
    enter_name(viewer, "Viewer")
    expect(viewer.locator("#status")).to_have_attribute("data-state", "saved", timeout=10_000)
    viewer.wait_for_function("() => window.inkroom.visibleStrokes().length === 2")
    open_history(viewer)
    viewer.locator("#history-slider").press("ArrowLeft")
    viewer.wait_for_function("() => window.inkroom.historyAt() === 1")
    assert len(shown(viewer)) == 1
    expect(viewer.locator("#history-when")).to_contain_text("Owner")
    expect(viewer.locator("#history-restore")).to_be_disabled()
    expect(viewer.locator("#history-restore-why")).to_have_text(
        "A view link cannot change the board."
    )
    # The owner, at the same moment, may restore it.
    open_history(owner)
    owner.locator("#history-slider").press("ArrowLeft")
    expect(owner.locator("#history-restore")).to_be_enabled()


# A board big enough for the History panel to paint keyframes (pictures of moments to start from).
KEYFRAMED = 3000


async def vandalize(server: LiveServer, board_id: str) -> int:
    """After the filled strokes: a move, an erase, more strokes, a clear, more strokes. The head."""
    client = BoardClient(server.ws_url(board_id))
    await client.join()
    try:
        ids = [f"stroke-{index:08d}" for index in range(200)]
        move = protocol.MoveOp(kind="move", id=new_id(), targets=ids[:100], dx=40.0, dy=30.0)
        await store(client, move)  # seq 3001
        await store(client, protocol.EraseOp(kind="erase", id=new_id(), targets=ids[100:]))
        for i in range(98):  # 3003-3100
            await store(client, stroke(x=float(20 * i), points=12))
        await store(client, protocol.ClearOp(kind="clear", id=new_id()))  # 3101
        for i in range(20):
            head = await store(client, stroke(x=float(30 * i), points=12))
        return head
    finally:
        await client.close()


def test_moments_drawn_from_keyframes_are_what_a_full_redraw_draws(
    server: LiveServer, browser: Browser
) -> None:
    board = filled_board(server, KEYFRAMED)
    head = off_the_loop(vandalize(server, board))
    page = open_board(browser, f"{server.url}/b/{board}")
    page.wait_for_function(f"() => window.inkroom.lastSeq() === {head}", timeout=60_000)
    open_history(page)
    slider = page.locator("#history-slider")
    # Objects shown at each moment: the filled strokes, less the erased ones, then the new ones.
    expected = {1500: 1500, 400: 400, 3000: 3000, 3001: 3000, 3002: 2900, 3100: 2998, 3101: 0}
    expected |= {2999: 2999, head: 20, 3050: 2948}
    for zoom in ("100%", "fit"):
        if zoom == "fit":
            page.locator("#zoom-fit").click()
        page.wait_for_function("() => window.inkroom.historyPictured()", timeout=120_000)
        for moment, count in expected.items():
            slider.fill(str(moment))
            page.wait_for_function(
                f"() => window.inkroom.historyAt() === {moment} && window.inkroom.inkSettled()",
                timeout=60_000,
            )
            assert len(shown(page)) == count, (zoom, moment)
            result = page.evaluate(DIFFERENCE_FROM_FULL_REDRAW)
            assert result["differ"] == 0, (zoom, moment, result)
            if moment in (1500, 3000, 3050):
                assert result["inked"] > 1000, (zoom, moment, result)
