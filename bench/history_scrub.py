"""Browser benchmark: moments of a big board's history in headless Chromium.

    .venv/bin/python -m bench.history_scrub --strokes 100000 --points 50

For a board filled through the store (like the replay benchmark): the History panel is opened,
the slider set to a moment as a person's drag would (its value, then an ``input`` event), and the
time measured until the ink layer shows that moment completely (``inkSettled``), for several
moments, at 100% and zoomed to fit; then a drag across the whole timeline, one input event per
animation frame, and its frame times.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.client_paint import describe, settle
from bench.replay import fill
from server.config import database_url
from server.migrate import upgrade
from tests.browser import chromium
from tests.live_server import LiveServer

# Milliseconds from the input event to the ink layer showing that moment completely.
SHOW_MOMENT = """async (seq) => {
    const slider = document.getElementById("history-slider");
    const started = performance.now();
    slider.value = String(seq);
    slider.dispatchEvent(new Event("input"));
    for (;;) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        if (window.inkroom.historyAt() === seq && window.inkroom.inkSettled()) break;
    }
    return performance.now() - started;
}"""

# A drag across the timeline: one input event per animation frame; the frame intervals.
DRAG_TIMELINE = """async (steps) => {
    const slider = document.getElementById("history-slider");
    const head = Number(slider.max);
    const times = [];
    let last = performance.now();
    for (let step = 0; step <= steps; step++) {
        slider.value = String(Math.max(1, Math.round((head * step) / steps)));
        slider.dispatchEvent(new Event("input"));
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        times.push(now - last);
        last = now;
    }
    return times;
}"""


def moments(page: Any, strokes: int) -> str:
    times = []
    for share in (0.5, 0.1, 0.9, 1.0, 0.0, 0.75):
        seq = max(1, round(strokes * share))
        times.append(page.evaluate(SHOW_MOMENT, seq))
    return (
        f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
        f"({', '.join(f'{t:.0f}' for t in times)})"
    )


def measure(server: LiveServer, board: str, strokes: int, steps: int) -> None:
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
        page.add_init_script("localStorage.setItem('inkroom.named', '1')")
        page.goto(f"{server.url}/b/{board}")
        page.wait_for_function(
            f"() => window.inkroom && window.inkroom.lastSeq() === {strokes}",
            timeout=600_000,
            polling=100,
        )
        settle(page)
        page.keyboard.press("Shift+H")
        page.wait_for_function(f"() => window.inkroom.historyAt() === {strokes}")
        settle(page)
        print(f"{strokes} strokes")
        print(f"  a moment shown, at 100%: {moments(page, strokes)}")
        page.locator("#zoom-fit").click()
        settle(page)
        print(f"  a moment shown, zoomed to fit: {moments(page, strokes)}")
        dragged = describe(page.evaluate(DRAG_TIMELINE, steps))
        print(f"  dragging the slider, zoomed to fit: {dragged}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--steps", type=int, default=60, help="input events across the timeline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.db"
        url = database_url(str(path))
        upgrade(url)
        boards = asyncio.run(fill(url, args.strokes, args.points))
        server = LiveServer(path)
        server.start()
        try:
            for strokes in args.strokes:
                measure(server, boards[strokes], strokes, args.steps)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
