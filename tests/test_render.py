"""What the board shows on a big board in Debian's Chromium: the ink drawn progressively, moved
and scaled while panning and zooming, and redrawn in slices, is what a full redraw draws; tiny
objects stay visible zoomed out; hit tests through the spatial index pick the right objects."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page

from bench.replay import build_snapshot, fill
from server import protocol
from server.config import database_url
from server.points import encode as encode_points
from server.store import Store, Submission, create_engines
from tests.live_server import LiveServer
from tests.test_browser import drag, enter_name, open_board

pytestmark = pytest.mark.browser

STROKES = 3000

# Pixels of the ink layer as they are, then after drawing it again from nothing: how many differ
# as a person sees them (ink over the white page). Strokes of one pen drawn zoomed out are painted
# a run at a time (painting.js, ``InkRun``), and a run's edges are smoothed as one: where two of
# its strokes overlap, a pixel of the edge may be a few shades off what the same strokes painted
# in other runs give. ``differ`` counts pixels off by more than half the way from white to ink
# (a stroke missing, added or moved), ``shaded`` those off by more than a few shades.
OVER_WHITE = """
function overWhite(expected, shown) {
    let inked = 0;
    let differ = 0;
    let shaded = 0;
    for (let i = 0; i < expected.length; i += 4) {
        if (expected[i + 3]) inked++;
        let most = 0;
        for (let c = 0; c < 3; c++) {
            const a = 255 - (expected[i + 3] * (255 - expected[i + c])) / 255;
            const b = 255 - (shown[i + 3] * (255 - shown[i + c])) / 255;
            most = Math.max(most, Math.abs(a - b));
        }
        if (most > 128) differ++;
        if (most > 8) shaded++;
    }
    return { inked, differ, shaded };
}
"""
DIFFERENCE_FROM_FULL_REDRAW = (
    """() => {"""
    + OVER_WHITE
    + """
    const canvas = document.getElementById("layer-ink");
    const read = () => canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const shown = read();
    window.inkroom.redrawInk();
    const full = read();
    return overWhite(full, shown);
}"""
)


# The same comparison, against the visible strokes painted here one by one from their points, as
# the level of detail says (lod.js: a dot, or the line simplified within its tolerance), on a
# canvas of the ink layer's size and view: what the page draws, worked out without any of what it
# keeps (the lines it simplified, its runs of one pen). Zoomed out, where no
# stroke shows its full outline.
DIFFERENCE_FROM_STROKE_BY_STROKE = (
    """async () => {"""
    + OVER_WHITE
    + """
    const { detailOf, levelTolerance, lineLevel, simplify } = await import("/static/js/lod.js");
    const ink = document.getElementById("layer-ink");
    const canvas = document.createElement("canvas");
    canvas.width = ink.width;
    canvas.height = ink.height;
    const context = canvas.getContext("2d");
    const view = window.inkroom.view();
    const pixels = view.scale * (ink.width / ink.clientWidth);
    context.setTransform(pixels, 0, 0, pixels, -view.x * pixels, -view.y * pixels);
    let full = 0;
    for (const stroke of window.inkroom.visibleStrokes()) {
        const xs = stroke.points.filter((_, i) => i % 3 === 0);
        const ys = stroke.points.filter((_, i) => i % 3 === 1);
        const pad = stroke.width;
        const box = {
            left: Math.min(...xs) - pad, top: Math.min(...ys) - pad,
            right: Math.max(...xs) + pad, bottom: Math.max(...ys) + pad,
        };
        const detail = detailOf(box, stroke.width, pixels);
        context.globalAlpha = stroke.tool === "highlighter" ? 0.35 : 1;
        if (detail === "full") full++;
        else if (detail === "dot") {
            const side = Math.max(box.right - box.left, box.bottom - box.top, 1.5 / pixels);
            context.fillStyle = stroke.color;
            const [x, y] = [(box.left + box.right - side) / 2, (box.top + box.bottom - side) / 2];
            context.fillRect(x, y, side, side);
        } else {
            const line = simplify(stroke.points, levelTolerance(lineLevel(pixels)));
            context.strokeStyle = stroke.color;
            context.lineWidth = stroke.width;
            context.lineCap = "round";
            context.lineJoin = "round";
            context.beginPath();
            context.moveTo(line[0], line[1]);
            if (line.length === 2) context.lineTo(line[0], line[1] + 1e-3);
            for (let i = 2; i < line.length; i += 2) context.lineTo(line[i], line[i + 1]);
            context.stroke();
        }
    }
    const shown = ink.getContext("2d").getImageData(0, 0, ink.width, ink.height).data;
    const drawn = context.getImageData(0, 0, ink.width, ink.height).data;
    return { ...overWhite(drawn, shown), full };
}"""
)


def assert_as_drawn_again(page: Page, inked: int = 10_000) -> None:
    """The ink shown is what drawing it again from nothing shows, to a few shades at the edges."""
    result = page.evaluate(DIFFERENCE_FROM_FULL_REDRAW)
    assert result["inked"] > inked
    assert result["differ"] == 0
    assert result["shaded"] <= result["inked"] // 100


# The objects a scan of every visible object finds at these board points (what the index must
# agree with).
SCAN_HITS = """async ([points, topmost]) => {
    const { hits } = await import("/static/js/geometry.js");
    const { encodePoints } = await import("/static/js/points.js");
    // visibleStrokes() gives points decoded: the board holds them encoded.
    const items = window.inkroom.visibleStrokes().map((s) => {
        const op = s.kind === "stroke" ? { ...s, points: encodePoints(s.points) } : s;
        return { id: s.id, op, dx: 0, dy: 0 };
    });
    const tolerance = 6 / window.inkroom.view().scale;
    const found = [];
    for (const [x, y] of points) {
        const here = items.filter((item) => hits(item, x, y, tolerance)).map((item) => item.id);
        if (topmost) found.push(here.length ? [here[here.length - 1]] : []);
        else found.push(...here);
    }
    return found;
}"""


T = TypeVar("T")


def off_the_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end in a thread of its own: Playwright's loop holds this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def filled_board(server: LiveServer, strokes: int) -> str:
    """A board of ``strokes`` pen strokes, filled through the store."""
    return off_the_loop(fill(database_url(str(server.database)), [strokes], 20))[strokes]


@pytest.fixture
def big_board(server: LiveServer, browser: Browser) -> Page:
    board = filled_board(server, STROKES)
    page = open_board(browser, f"{server.url}/b/{board}")
    page.wait_for_function(f"() => window.inkroom.lastSeq() === {STROKES}", timeout=60_000)
    settled(page)
    return page


def settled(page: Page) -> None:
    page.wait_for_function("() => window.inkroom.inkSettled()", timeout=60_000)


def board_point(page: Page, x: float, y: float) -> tuple[float, float]:
    view = page.evaluate("window.inkroom.view()")
    return view["x"] + x / view["scale"], view["y"] + y / view["scale"]


def test_after_panning_and_zooming_the_ink_is_what_a_full_redraw_draws(big_board: Page) -> None:
    page = big_board
    assert_as_drawn_again(page)
    page.keyboard.press("h")
    drag(page, [(500, 350), (380, 300), (300, 200)])
    page.mouse.move(400, 300)
    for _ in range(6):
        page.mouse.wheel(0, 60)
    settled(page)
    assert_as_drawn_again(page)
    page.locator("#zoom-fit").click()
    settled(page)
    drag(page, [(500, 350), (560, 420)])
    for _ in range(4):
        page.mouse.wheel(0, -60)
    settled(page)
    assert_as_drawn_again(page)


def test_a_stroke_drawn_on_a_big_board_shows_on_top_and_matches_a_full_redraw(
    big_board: Page,
) -> None:
    page = big_board
    page.keyboard.press("p")
    drag(page, [(200, 200), (400, 260), (600, 240)])
    page.wait_for_function(f"() => window.inkroom.visibleStrokes().length === {STROKES + 1}")
    settled(page)
    assert_as_drawn_again(page)


# Snapshots in parts of 200 objects, offered to any page with more than 100 operations to replay.
SNAPSHOTS_IN_PARTS = {
    "INKROOM_SNAPSHOT_OFFER_AFTER_OPS": "100",
    "INKROOM_SNAPSHOT_PART_OBJECTS": "200",
    "INKROOM_SNAPSHOT_QUIET_SECONDS": "1",
    "INKROOM_SNAPSHOT_MIN_INTERVAL_SECONDS": "0",
}


@pytest.mark.parametrize("server", [SNAPSHOTS_IN_PARTS], indirect=True)
def test_a_board_loaded_in_parts_nearest_the_middle_first_shows_what_a_full_redraw_draws(
    server: LiveServer, browser: Browser
) -> None:
    # The parts are painted as they come, over objects of neighbouring parts that should cover
    # them; the board is painted again in order once all is in.
    board = filled_board(server, STROKES)
    _, parts, _ = off_the_loop(build_snapshot(server.url, board))
    assert parts > 10
    page = open_board(browser, f"{server.url}/b/{board}")
    page.wait_for_function(f"() => window.inkroom.lastSeq() === {STROKES}", timeout=60_000)
    settled(page)
    assert_as_drawn_again(page)
    # Opened zoomed out to fit: lines simplified for the level, painted in runs of one pen.
    result = page.evaluate(DIFFERENCE_FROM_STROKE_BY_STROKE)
    assert result["full"] == 0 and result["inked"] > 10_000
    assert result["differ"] == 0
    assert result["shaded"] <= result["inked"] // 100


def test_a_tiny_object_still_shows_when_zoomed_far_out(
    server: LiveServer, browser: Browser
) -> None:
    page = open_board(browser, f"{server.url}/b/{server.create_board('Tiny')}")
    page.keyboard.press("p")
    drag(page, [(300, 300), (303, 302)])
    page.wait_for_function("() => window.inkroom.visibleStrokes().length === 1")
    page.mouse.move(10, 10)
    while page.evaluate("window.inkroom.view().scale") > 0.051:
        page.mouse.wheel(0, 400)
    settled(page)
    inked = page.evaluate(
        """() => {
            const view = window.inkroom.view();
            const [stroke] = window.inkroom.visibleStrokes();
            const [px, py] = stroke.points;
            const canvas = document.getElementById("layer-ink");
            const ratio = canvas.width / canvas.clientWidth;
            const x = Math.round((px - view.x) * view.scale * ratio);
            const y = Math.round((py - view.y) * view.scale * ratio);
            const { data } = canvas.getContext("2d").getImageData(x - 3, y - 3, 7, 7);
            return data.filter((_, i) => i % 4 === 3 && data[i] > 0).length;
        }"""
    )
    assert inked > 0


def test_select_picks_the_topmost_object_a_scan_finds(big_board: Page) -> None:
    page = big_board
    page.keyboard.press("v")
    picked = 0
    # A grid over the screen (1000 x 700), and points on the ink: the first points of strokes.
    grid = [(100 + 75 * i, 120 + 47 * (i % 11)) for i in range(12)]
    view = page.evaluate("window.inkroom.view()")
    inked = [
        (round((s["points"][0] - view["x"]) * view["scale"]),
         round((s["points"][1] - view["y"]) * view["scale"]))
        for s in page.evaluate("window.inkroom.visibleStrokes()")
    ]  # fmt: skip
    on_canvas = "([x, y]) => document.elementFromPoint(x, y)?.id === 'board-canvas'"
    on_screen = [p for p in inked if 0 < p[0] < 1000 and 0 < p[1] < 700]
    clicks = [p for p in grid + on_screen if page.evaluate(on_canvas, p)][:24]  # not on a toolbar
    for x, y in clicks:
        page.mouse.click(x, y)
        expected = page.evaluate(SCAN_HITS, [[board_point(page, x, y)], True])[0]
        assert page.evaluate("window.inkroom.selected()") == expected
        picked += len(expected)
    assert picked > 3  # the board is dense: most clicks land on ink


def test_the_eraser_erases_exactly_what_it_touched(big_board: Page) -> None:
    page = big_board
    page.keyboard.press("e")
    path = [(100 + 15 * i, 150 + 30 * (i % 5)) for i in range(40)]
    before = {s["id"] for s in page.evaluate("window.inkroom.visibleStrokes()")}
    touched = set(page.evaluate(SCAN_HITS, [[board_point(page, x, y) for x, y in path], False]))
    page.mouse.move(*path[0])
    page.mouse.down()
    for x, y in path[1:]:
        page.mouse.move(x, y)
    page.mouse.up()
    page.wait_for_function(
        f"() => window.inkroom.visibleStrokes().length === {len(before) - len(touched)}"
    )
    after = {s["id"] for s in page.evaluate("window.inkroom.visibleStrokes()")}
    assert len(touched) > 2 and before - after == touched


RED, BLUE, GREEN, YELLOW = "#e03131", "#1971c2", "#2f9e44", "#fab005"

# Strokes in the order drawn: (tool, colour, from, to), straight lines of 5 units' width, which at
# half size are thinner than 3 pixels (drawn as lines, a run of one pen at a time).
CROSSING_STROKES = [
    ("pen", RED, (0, 100), (400, 100)),
    ("pen", BLUE, (100, 0), (100, 200)),  # over the red
    ("pen", RED, (300, 0), (300, 200)),  # a run of red from here:
    ("pen", RED, (350, 200), (350, 0)),  # drawn the other way,
    ("pen", RED, (400, 150), (200, 150)),  # across both
    ("pen", GREEN, (0, 300), (400, 300)),
    ("highlighter", YELLOW, (100, 200), (100, 400)),  # see-through, over the green
    ("pen", GREEN, (0, 350), (400, 350)),  # over the highlighter
]


def crossing_board(server: LiveServer) -> str:
    async def write() -> str:
        store = Store(*create_engines(database_url(str(server.database)), "NORMAL"))
        try:
            board, _ = await store.create_board("Crossings")
            batch = []
            for index, (tool, color, (x0, y0), (x1, y1)) in enumerate(CROSSING_STROKES):
                along = [(x0 + (x1 - x0) * i / 20, y0 + (y1 - y0) * i / 20) for i in range(21)]
                points = [c for x, y in along for c in (x, y, 0.5)]
                op = protocol.StrokeOp(
                    kind="stroke", id=f"crossing-{index:04d}", tool=tool, color=color, width=5.0,
                    points=encode_points(points),
                )  # fmt: skip
                payload = protocol.encode_operation(op)
                batch.append(Submission(board.id, op.id, "someone", "stroke", None, payload))
            await store.append(batch)
            return board.id
        finally:
            await store.dispose()

    return off_the_loop(write())


def test_strokes_of_one_pen_painted_together_zoomed_out_keep_their_order_among_others(
    server: LiveServer, browser: Browser
) -> None:
    board = crossing_board(server)
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    # Opened at half size, the board's corner at the screen's.
    context.add_init_script(
        f"localStorage.setItem('inkroom:view:{board}', JSON.stringify({{x: 0, y: 0, scale: 0.5}}))"
    )
    page = context.new_page()
    page.goto(f"{server.url}/b/{board}")
    enter_name(page, "Tester")
    page.wait_for_function(f"() => window.inkroom.lastSeq() === {len(CROSSING_STROKES)}")
    settled(page)
    assert page.evaluate("window.inkroom.view().scale") == 0.5

    def shown_at(x: float, y: float) -> tuple[int, int, int]:
        """The colour a person sees at board point (x, y): the ink over the white page."""
        rgba = page.evaluate(
            """([x, y]) => {
                const canvas = document.getElementById("layer-ink");
                const ratio = canvas.width / canvas.clientWidth;
                const view = window.inkroom.view();
                const px = Math.floor((x - view.x) * view.scale * ratio);
                const py = Math.floor((y - view.y) * view.scale * ratio);
                return Array.from(canvas.getContext("2d").getImageData(px, py, 1, 1).data);
            }""",
            [x, y],
        )
        alpha = rgba[3] / 255
        return tuple(round(255 - alpha * (255 - c)) for c in rgba[:3])  # type: ignore[return-value]

    def near(shown: tuple[int, int, int], color: str) -> bool:
        wanted = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
        return all(abs(a - b) <= 24 for a, b in zip(shown, wanted, strict=True))

    assert near(shown_at(100, 100), BLUE)  # drawn after the red line it crosses
    assert near(shown_at(300, 100), RED) and near(shown_at(350, 100), RED)
    # Strokes of one run crossing each other, whichever way each was drawn: ink, no gap.
    assert near(shown_at(300, 150), RED) and near(shown_at(350, 150), RED)
    # The highlighter over the green line before it: neither colour alone.
    under = shown_at(100, 300)
    assert not near(under, GREEN) and not near(under, YELLOW)
    assert near(shown_at(100, 250), "#fde5ac")  # the highlighter alone, see-through
    assert near(shown_at(100, 350), GREEN)  # the green line drawn after it, on top
    assert_as_drawn_again(page, inked=1_000)
