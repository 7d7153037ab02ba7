"""Browser benchmark: a 10,000-stroke board in headless Chromium.

    .venv/bin/python -m bench.client_paint --strokes 10000 --points 50

Measures the time from opening the board page to the first paint of the whole board, and the
time the committed-ink layer takes to redraw on each frame while the view is dragged with the
hand tool (what panning costs), at 100% and zoomed out to show everything.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench.replay import fill
from server.config import database_url
from server.migrate import upgrade
from tests.browser import chromium
from tests.live_server import LiveServer

FRAME_INK_MS = "() => new Promise(done => requestAnimationFrame(() => "
FRAME_INK_MS += "requestAnimationFrame(() => done(window.inkroom.lastInkMs()))))"


def pan(page: object, steps: int) -> list[float]:
    """Drag the view with the hand tool; the ink layer's draw time for each frame."""
    times: list[float] = []
    page.keyboard.press("h")  # type: ignore[attr-defined]
    page.mouse.move(600, 400)  # type: ignore[attr-defined]
    page.mouse.down()  # type: ignore[attr-defined]
    for step in range(steps):
        page.mouse.move(600 - step * 8, 400 - step * 5)  # type: ignore[attr-defined]
        times.append(page.evaluate(FRAME_INK_MS))  # type: ignore[attr-defined]
    page.mouse.up()  # type: ignore[attr-defined]
    return times


def describe(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paint.db"
        url = database_url(str(path))
        upgrade(url)
        board = asyncio.run(fill(url, [args.strokes], args.points))[args.strokes]
        server = LiveServer(path)
        server.start()
        try:
            with chromium() as browser:
                page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
                page.add_init_script("localStorage.setItem('inkroom.named', '1')")
                started = time.perf_counter()
                page.goto(f"{server.url}/b/{board}")
                page.wait_for_function(
                    f"() => window.inkroom && window.inkroom.lastSeq() === {args.strokes}",
                    timeout=120_000,
                )
                first_ink = page.evaluate(FRAME_INK_MS)
                opened = time.perf_counter() - started
                print(f"{args.strokes} strokes x {args.points} points")
                print(f"open to first full paint: {opened * 1000:.0f} ms "
                      f"(of which drawing the ink layer: {first_ink:.0f} ms)")  # fmt: skip
                print(f"panning at 100%: {describe(pan(page, args.frames))}")
                page.locator("#zoom-fit").click()
                scale = page.evaluate("() => window.inkroom.view().scale")
                print(f"panning zoomed out to {scale:.0%} (everything on screen): "
                      f"{describe(pan(page, args.frames))}")  # fmt: skip
        finally:
            server.stop()


if __name__ == "__main__":
    main()
