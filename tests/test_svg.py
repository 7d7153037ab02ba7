"""The SVG export (also the gallery's thumbnail) looks like the board: the exported document,
rasterized by Debian's Chromium at the board's view, against the board's own ink layer."""

from __future__ import annotations

import asyncio
import math
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import Browser

from bench.strokes import pen_stroke
from server import protocol
from server.points import encode as encode_points
from tests.live_server import LiveServer
from tests.test_browser import open_board
from tests.wire import BoardClient, new_id

pytestmark = pytest.mark.browser

# Share of the inked pixels (not white on either side) whose colours agree within
# ``CHANNEL_TOLERANCE`` on every channel. What disagrees is anti-aliasing along edges.
MIN_AGREEMENT = 0.97
CHANNEL_TOLERANCE = 48

# The board's ink layer over white, and the exported SVG drawn at the same view: how many inked
# pixels there are and how many agree.
COMPARE = """async ([board, at, tolerance]) => {
    const ink = document.getElementById("layer-ink");
    const { width, height } = ink;
    const shown = ink.getContext("2d").getImageData(0, 0, width, height).data;
    const address = `/api/boards/${board}/export.svg` + (at === null ? "" : `?at=${at}`);
    const text = await (await fetch(address)).text();
    const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    const [left, top, frameWidth, frameHeight] = svg.getAttribute("viewBox").split(" ").map(Number);
    const image = new Image();
    image.src = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";  // the board's page beyond the document's frame
    context.fillRect(0, 0, width, height);
    const { x, y, scale } = window.inkroom.view();
    const pixels = scale * devicePixelRatio;
    // The document starts at its viewBox (the padded content bounds), the board at the view.
    context.setTransform(pixels, 0, 0, pixels, (left - x) * pixels, (top - y) * pixels);
    context.drawImage(image, 0, 0, frameWidth, frameHeight);
    const exported = context.getImageData(0, 0, width, height).data;
    let inked = 0;
    let agree = 0;
    for (let i = 0; i < shown.length; i += 4) {
        const alpha = shown[i + 3] / 255;
        let white = true;
        let same = true;
        for (let c = 0; c < 3; c++) {
            const board = shown[i + c] * alpha + 255 * (1 - alpha);
            if (board < 250 || exported[i + c] < 250) white = false;
            if (Math.abs(board - exported[i + c]) > tolerance) same = false;
        }
        if (white) continue;
        inked++;
        if (same) agree++;
    }
    return { inked, agree };
}"""


def _stroke(flat: list[float], width: float, color: str, tool: str = "pen") -> protocol.StrokeOp:
    return protocol.StrokeOp(
        kind="stroke", id=new_id(), tool=tool, color=color, width=width,
        points=encode_points(flat),
    )  # fmt: skip


def _pen(rng: random.Random, points: int, left: float, top: float) -> list[float]:
    """A pen's stroke with varying pressure, moved to start near (left, top)."""
    flat = pen_stroke(rng, points, 1, 1)
    x0, y0 = flat[0], flat[1]
    for i in range(0, len(flat), 3):
        flat[i] += left - x0
        flat[i + 1] += top - y0
    return flat


def drawing() -> list[Any]:
    """Pressure-shaped pen strokes, a mouse's stroke, dots, a highlighter over ink, every shape,
    text, and a moved stroke, all within a 1000 x 700 view."""
    rng = random.Random(13)
    ops: list[Any] = []
    for index, width in enumerate([2.0, 4.0, 8.0, 16.0, 4.0, 8.0]):
        ops.append(_stroke(_pen(rng, 120, 120 + 130 * index, 120), width, "#1e1e1e"))
    mouse = [v for i in range(40) for v in (100 + i * 6, 420 + 30 * (i % 7 == 0), 0.5)]
    ops.append(_stroke(mouse, 6.0, "#e03131"))
    for index, (width, pressure) in enumerate([(4.0, 0.5), (12.0, 0.9), (20.0, 0.2)]):
        ops.append(_stroke([80 + 40 * index, 60, pressure], width, "#1971c2"))
    ops.append(_stroke(_pen(rng, 150, 100, 300), 24.0, "#fab005", tool="highlighter"))
    for shape, (x1, y1, x2, y2), fill in [
        ("rect", (560, 420, 700, 520), "#a5d8ff"),
        ("ellipse", (720, 420, 900, 540), None),
        ("line", (560, 560, 700, 640), None),
        ("arrow", (720, 640, 900, 560), None),
    ]:
        ops.append(
            protocol.ShapeOp(
                kind="shape", id=new_id(), shape=shape, x1=x1, y1=y1, x2=x2, y2=y2,
                color="#2f9e44", width=4.0, fill=fill,
            )
        )  # fmt: skip
    ops.append(
        protocol.TextOp(
            kind="text", id=new_id(), x=120.0, y=560.0, text="Hello, board\nsecond line",
            size=28.0, color="#1e1e1e",
        )
    )  # fmt: skip
    # Turned and restyled: the export draws them as the page does.
    turned = protocol.ShapeOp(
        kind="shape", id=new_id(), shape="rect", x1=300, y1=600, x2=420, y2=660,
        color="#e03131", width=3.0,
    )  # fmt: skip
    words = protocol.TextOp(
        kind="text", id=new_id(), x=60.0, y=660.0, text="Turned", size=24.0, color="#1e1e1e"
    )
    angle, cx, cy = math.radians(30), 360.0, 630.0
    cos, sin = math.cos(angle), math.sin(angle)
    ops += [
        turned,
        words,
        protocol.TransformOp(
            kind="transform", id=new_id(), targets=[turned.id, words.id],
            matrix=[cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy],
        ),
        protocol.StyleOp(
            kind="style", id=new_id(), targets=[turned.id], width=8.0, fill="#ffd8a8",
        ),
    ]  # fmt: skip
    moved = _stroke(_pen(rng, 80, 400, 250), 10.0, "#862e9c")
    ops += [moved, protocol.MoveOp(kind="move", id=new_id(), targets=[moved.id], dx=60, dy=40)]
    return ops


async def _submit(url: str, ops: list[Any]) -> int:
    client = BoardClient(url, name="Filler")
    await client.join()
    try:
        seq = 0
        for op in ops:
            await client.submit(op)
            seq = (await client.expect("ack", id=op.id)).seq
        return seq
    finally:
        await client.close()


def test_the_exported_svg_looks_like_the_board(server: LiveServer, browser: Browser) -> None:
    board = server.create_board("Export")
    # Submitted over the protocol, in a thread of its own: Playwright's loop holds this one.
    with ThreadPoolExecutor(1) as pool:
        head = pool.submit(lambda: asyncio.run(_submit(server.ws_url(board), drawing()))).result()
    page = open_board(browser, f"{server.url}/b/{board}")
    page.wait_for_function(f"() => window.inkroom.lastSeq() === {head}", timeout=30_000)
    page.wait_for_function("() => window.inkroom.inkSettled()", timeout=30_000)
    agreement: dict[int | None, float] = {}
    differ: dict[int | None, int] = {}
    for at in (None, head, head - 1):
        found = page.evaluate(COMPARE, [board, at, CHANNEL_TOLERANCE])
        assert found["inked"] > 20_000
        agreement[at] = found["agree"] / found["inked"]
        differ[at] = found["inked"] - found["agree"]
    assert agreement[None] >= MIN_AGREEMENT, agreement
    assert agreement[head] == agreement[None]
    # Before its last operation (the move) the board had a stroke elsewhere.
    assert differ[head - 1] > 5 * differ[head] + 500, differ
