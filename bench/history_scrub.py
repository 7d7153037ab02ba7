"""Browser benchmark: moments of a big board's history in headless Chromium.

    .venv/bin/python -m bench.history_scrub --strokes 100000 --points 50
    .venv/bin/python -m bench.history_scrub --strokes 100000 --profile   # where the time goes

For a board filled through the store (like the replay benchmark): the History panel is opened
and, once its keyframes for the view are painted (that time is printed too), the slider set to a
moment as a person's drag would (its value, then an ``input`` event), and the time measured until
the ink layer shows that moment completely (``inkSettled``), for several moments, at 100% and
zoomed to fit; then a drag across the whole timeline, one input event per animation frame, and
its frame times.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
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
    let frames = 0;
    for (;;) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        frames++;
        if (window.inkroom.historyAt() === seq && window.inkroom.inkSettled()) break;
    }
    return [performance.now() - started, frames];
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


class Profile:
    """The page's main thread sampled (CDP ``Profiler``) while the moments are shown."""

    def __init__(self, page: Any) -> None:
        self.session = page.context.new_cdp_session(page)
        self.session.send("Profiler.enable")
        self.session.send("Profiler.setSamplingInterval", {"interval": 500})
        self.session.send("Profiler.start")

    def report(self, top: int = 25) -> str:
        """The functions that took the most time, themselves and with what they called."""
        profile = self.session.send("Profiler.stop")["profile"]
        nodes = {node["id"]: node for node in profile["nodes"]}
        parent = {
            child: node["id"] for node in profile["nodes"] for child in node.get("children", [])
        }
        own: Counter[str] = Counter()
        inclusive: Counter[str] = Counter()
        for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
            own[name(nodes[sample])] += delta / 1000
            seen = set()
            node_id: int | None = sample
            while node_id is not None:
                seen.add(name(nodes[node_id]))
                node_id = parent.get(node_id)
            for function in seen:
                inclusive[function] += delta / 1000
        lines = [f"    {ms:8.0f} ms self  {what}" for what, ms in own.most_common(top)]
        lines += [f"    {ms:8.0f} ms total {what}" for what, ms in inclusive.most_common(top)]
        return "\n".join(lines)


def name(node: dict[str, Any]) -> str:
    frame = node["callFrame"]
    where = frame["url"].rsplit("/", 1)[-1]
    return f"{frame['functionName'] or '(anonymous)'} {where}:{frame['lineNumber'] + 1}"


def pictured(page: Any) -> float:
    """Wait for the History panel's keyframes of this view; how long they took."""
    started = time.perf_counter()
    page.wait_for_function("() => window.inkroom.historyPictured()", timeout=300_000, polling=50)
    return (time.perf_counter() - started) * 1000


def moments(page: Any, strokes: int, profile: bool = False) -> str:
    times: list[float] = []
    counts: list[int] = []
    profiler = Profile(page) if profile else None
    for share in (0.5, 0.1, 0.9, 1.0, 0.0, 0.75):
        seq = max(1, round(strokes * share))
        took, frames = page.evaluate(SHOW_MOMENT, seq)
        times.append(took)
        counts.append(frames)
    if profiler:
        print(profiler.report())
    return (
        f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
        f"({', '.join(f'{t:.0f}' for t in times)}; frames {', '.join(map(str, counts))})"
    )


def measure(server: LiveServer, board: str, strokes: int, steps: int, profile: bool) -> None:
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
        print(f"  keyframes painted at 100%: {pictured(page):.0f} ms after the ink settled")
        print(f"  a moment shown, at 100%: {moments(page, strokes, profile)}")
        page.locator("#zoom-fit").click()
        settle(page)
        print(f"  keyframes painted at fit: {pictured(page):.0f} ms after the ink settled")
        print(f"  a moment shown, zoomed to fit: {moments(page, strokes, profile)}")
        dragged = describe(page.evaluate(DRAG_TIMELINE, steps))
        print(f"  dragging the slider, zoomed to fit: {dragged}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--steps", type=int, default=60, help="input events across the timeline")
    parser.add_argument("--profile", action="store_true", help="where the page's time goes")
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
                measure(server, boards[strokes], strokes, args.steps, args.profile)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
