"""Browser benchmark: a big board in headless Chromium (software rendering).

    .venv/bin/python -m bench.client_paint --strokes 10000 100000 --points 50

For each board (filled through the store, like the replay benchmark): the time from opening the
page to the first ink on screen and to the whole board drawn; then the animation frame times
(median and p95 of the intervals between requestAnimationFrame callbacks) while the view is
dragged with the hand tool and while the wheel zooms, at 100% and zoomed to fit; and the JS heap
after a garbage collection.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.replay import fill
from server.config import database_url
from server.migrate import upgrade
from tests.browser import chromium
from tests.live_server import LiveServer

# Watches the ink layer from the first frame: when does any ink first show on screen?
WATCH_FIRST_INK = """
addEventListener("DOMContentLoaded", () => {
  const probe = document.createElement("canvas");
  probe.width = 60;
  probe.height = 40;
  const context = probe.getContext("2d", { willReadFrequently: true });
  const look = () => {
    const ink = document.getElementById("layer-ink");
    if (ink && ink.width) {
      context.clearRect(0, 0, 60, 40);
      context.drawImage(ink, 0, 0, 60, 40);
      const { data } = context.getImageData(0, 0, 60, 40);
      for (let i = 3; i < data.length; i += 4) {
        if (data[i]) {
          window.firstInkAt = performance.now();
          return;
        }
      }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
});
"""

START_FRAMES = """() => {
  window.frameTimes = [];
  let last = 0;
  window.recording = true;
  const tick = (now) => {
    if (last) window.frameTimes.push(now - last);
    last = now;
    if (window.recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""

STOP_FRAMES = "() => { window.recording = false; return window.frameTimes; }"

# The ink layer shows everything there is to show (renderers that can tell).
SETTLED = "() => !window.inkroom.inkSettled || window.inkroom.inkSettled()"


def settle(page: Any) -> None:
    page.wait_for_function(SETTLED, timeout=300_000, polling=100)
    # Two more frames: whatever was drawn has been presented.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def pan(page: Any, steps: int) -> list[float]:
    """Drag the view with the hand tool, one mouse move after another; the frame times."""
    page.keyboard.press("h")
    page.mouse.move(600, 400)
    page.mouse.down()
    page.evaluate(START_FRAMES)
    for step in range(steps):
        # Left for the first half, back for the second: the view stays over the drawing.
        offset = step if step < steps // 2 else steps - step
        page.mouse.move(600 - offset * 6, 400 - offset * 4)
    times: list[float] = page.evaluate(STOP_FRAMES)
    page.mouse.up()
    return times


def wheel(page: Any, steps: int) -> list[float]:
    """Zoom in with the wheel around the middle, then back out; the frame times."""
    page.mouse.move(600, 400)
    page.evaluate(START_FRAMES)
    for step in range(steps):
        page.mouse.wheel(0, -40 if step < steps // 2 else 40)
    times: list[float] = page.evaluate(STOP_FRAMES)
    return times


def heap_mb(page: Any) -> float:
    session = page.context.new_cdp_session(page)
    session.send("HeapProfiler.collectGarbage")
    used: float = session.send("Runtime.getHeapUsage")["usedSize"]
    session.detach()
    return used / 1e6


def describe(times: list[float]) -> str:
    if not times:
        return "no frames"
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (
        f"{len(times)} frames: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(times):.1f} ms"
    )


def measure(server: LiveServer, board: str, strokes: int, frames: int) -> None:
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
        page.add_init_script("localStorage.setItem('inkroom.named', '1')")
        page.add_init_script(WATCH_FIRST_INK)
        started = time.perf_counter()
        page.goto(f"{server.url}/b/{board}")
        page.wait_for_function(
            f"() => window.inkroom && window.inkroom.lastSeq() === {strokes}",
            timeout=600_000,
            polling=100,
        )
        synced = time.perf_counter() - started
        settle(page)
        complete = time.perf_counter() - started
        first_ink = page.evaluate("() => window.firstInkAt")  # ms since navigation started
        print(f"{strokes} strokes")
        print(
            f"  first ink on screen: {first_ink:.0f} ms; history received: {synced * 1000:.0f} ms; "
            f"everything drawn: {complete * 1000:.0f} ms"
        )
        print(f"  heap after load: {heap_mb(page):.0f} MB")
        print(f"  pan at 100%: {describe(pan(page, frames))}")
        settle(page)
        print(f"  wheel zoom at 100%: {describe(wheel(page, frames))}")
        settle(page)
        page.locator("#zoom-fit").click()
        settle(page)
        scale = page.evaluate("() => window.inkroom.view().scale")
        print(f"  pan zoomed to fit ({scale:.0%}): {describe(pan(page, frames))}")
        settle(page)
        print(f"  wheel zoom zoomed to fit: {describe(wheel(page, frames))}")
        settle(page)
        print(f"  heap at the end: {heap_mb(page):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--frames", type=int, default=120, help="input events per gesture")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paint.db"
        url = database_url(str(path))
        upgrade(url)
        boards = asyncio.run(fill(url, args.strokes, args.points))
        server = LiveServer(path)
        server.start()
        try:
            for strokes in args.strokes:
                measure(server, boards[strokes], strokes, args.frames)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
