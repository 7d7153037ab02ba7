"""Browser benchmark: a big board in headless Chromium (software rendering).

    .venv/bin/python -m bench.client_paint --strokes 10000 100000 --points 50

For each board (filled through the store, like the replay benchmark, and given a snapshot by the
server before the page opens, so that the page loads it as a first visit does): the time from
navigation to the first ink on screen, to ``synced``, and to the whole board loaded (every part
applied: the page holds the head, and its ink is settled); a pen stroke drawn as soon as the first
ink shows, and when its ack came; the animation frame times while loading, then while the view is
dragged with the hand tool and while the wheel zooms, zoomed to fit (where a first visit opens)
and at 100%; the JS heap after a garbage collection. Then the page is closed, another person
stores 100 strokes, and the board is reopened in the same browser context: the time to
``synced`` (the status says "Saved") and to the whole board loaded from this browser's copy, and
the bytes received over the socket and HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgpack

from bench.replay import NEW_OPERATIONS, REPLAY_ENV, build_snapshot, fill, write_strokes
from server.config import database_url
from server.migrate import upgrade
from tests.browser import chromium
from tests.live_server import LiveServer

# Watches the ink layer from the first frame: when does any ink first show on screen?
WATCH_FIRST_INK = """
// When the socket opened and its first frame (the welcome) came: before the page's scripts run.
const Socket = window.WebSocket;
window.WebSocket = class extends Socket {
  constructor(...args) {
    super(...args);
    this.addEventListener("open", () => (window.socketOpenAt ??= performance.now()));
    this.addEventListener("message", () => (window.welcomeAt ??= performance.now()));
  }
};
// When each slice of a snapshot part reached the page from its worker: [part, time].
window.partsAt = [];
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      const { type, part } = event.data;
      if (type === "part") window.partsAt.push([part, performance.now()]);
    });
  }
};
// The page's main thread busy for more than 50 ms at a time.
window.longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.longTasks.push([entry.startTime, entry.duration]);
}).observe({ type: "longtask", buffered: true });
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
  // When the status first says everything is saved: the page is synced.
  const status = document.getElementById("status");
  const saved = () => {
    if (status.dataset.state === "saved" && !window.syncedAt) window.syncedAt = performance.now();
  };
  new MutationObserver(saved).observe(status, { attributes: true });
  saved();
  // Frame times from the start, until the bench stops them.
  window.frameTimes = [];
  window.recording = true;
  let last = 0;
  const tick = (now) => {
    if (last) window.frameTimes.push(now - last);
    last = now;
    if (window.recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
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


class Traffic:
    """Bytes a page receives: board socket frames, and HTTP bodies as sent (compressed)."""

    def __init__(self, page: Any) -> None:
        self.socket_bytes = 0
        self.api_bytes = 0  # the HTTP API: snapshot parts
        self.file_bytes = 0  # the page's own files (HTML, scripts, styles), unless cached
        self.acks: list[float] = []  # when acks arrived (perf_counter)
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))
        page.on("requestfinished", self._finished)

    def _frame(self, payload: bytes | str) -> None:
        self.socket_bytes += len(payload)
        assert isinstance(payload, bytes)
        if any(message["type"] == "ack" for message in msgpack.unpackb(payload)):
            self.acks.append(time.perf_counter())

    def _finished(self, request: Any) -> None:
        body = max(0, request.sizes()["responseBodySize"])  # -1: from the cache
        if "/api/" in request.url:
            self.api_bytes += body
        else:
            self.file_bytes += body

    def describe(self) -> str:
        return (
            f"socket {self.socket_bytes / 1e3:.1f} kB + HTTP API {self.api_bytes / 1e3:.1f} kB "
            f"(page files {self.file_bytes / 1e3:.1f} kB)"
        )


def new_page(context: Any) -> tuple[Any, Traffic]:
    page = context.new_page()
    page.add_init_script("localStorage.setItem('inkroom.named', '1')")
    page.add_init_script(WATCH_FIRST_INK)
    return page, Traffic(page)


def loaded(page: Any, head: int) -> None:
    """Every part applied and the ink settled (timed by the bench, from before its goto)."""
    page.wait_for_function(
        f"() => window.inkroom && window.inkroom.lastSeq() >= {head}",
        timeout=600_000,
        polling=50,
    )
    # The page applies an ack without asking for a frame (the stroke is drawn already), so the
    # renderer would not notice that its index is one change behind until something else
    # happens: Escape (clear the selection) asks for one.
    page.keyboard.press("Escape")
    settle(page)


def draw_while_loading(page: Any, traffic: Traffic, head: int) -> str:
    """A pen stroke as soon as the first ink shows: was the board still loading, and how long
    until the stroke was acknowledged?"""
    page.wait_for_function("() => window.firstInkAt", timeout=600_000, polling=20)
    loading = page.evaluate(f"() => window.inkroom.lastSeq() < {head}")
    page.keyboard.press("p")
    page.mouse.move(600, 400)
    page.mouse.down()
    for step in range(20):
        page.mouse.move(600 + step * 5, 400 + step * 2)
    page.mouse.up()
    drawn = time.perf_counter()
    deadline = drawn + 600
    while not traffic.acks and time.perf_counter() < deadline:
        page.wait_for_timeout(10)  # lets Playwright deliver the socket's frames
    if not traffic.acks:
        raise RuntimeError("the pen stroke was not acknowledged")
    state = "while the board was still loading" if loading else "after the board had loaded"
    return f"drawn {state}, acknowledged {(traffic.acks[0] - drawn) * 1000:.0f} ms after"


MILESTONES = """() => [
  performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
  window.socketOpenAt, window.welcomeAt, window.syncedAt,
]"""


LOADING = """() => [window.partsAt, window.longTasks.splice(0)]"""


def loading(page: Any) -> str:
    """When the snapshot's parts reached the page, and how busy its main thread was."""
    slices, tasks = page.evaluate(LOADING)
    busy = sum(duration for _, duration in tasks)
    longest = max((duration for _, duration in tasks), default=0)
    parts = [at for _, at in slices]
    arrived = (
        f"{len({part for part, _ in slices})} parts ({len(slices)} slices) reached the page "
        f"from {parts[0]:.0f} to {parts[-1]:.0f} ms"
        if parts
        else "no snapshot parts"
    )
    return (
        f"{arrived}; main thread busy in tasks over 50 ms: "
        f"{busy:.0f} ms in {len(tasks)} (longest {longest:.0f} ms)"
    )


# Where the page's own start goes: the HTML, its scripts (fetched, revalidated or from the cache)
# and when the page's first module asked for the socket, when its second began reading this
# browser's copy, and when the board page's script began to run (``inkroom:socket``,
# ``inkroom:opening``, ``inkroom:start``).
PAGE_START = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const scripts = performance.getEntriesByType("resource")
    .filter((entry) => /\\.m?js$/.test(new URL(entry.name).pathname));
  // From the cache unasked: no bytes moved; revalidated: only headers moved (a 304).
  const cached = scripts.filter((entry) => entry.transferSize === 0).length;
  const revalidated = scripts.filter(
    (entry) => entry.transferSize > 0 && entry.transferSize < entry.encodedBodySize).length;
  const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const last = Math.max(0, ...scripts.map((entry) => entry.responseEnd));
  return [nav.responseStart, nav.responseEnd, scripts.length, cached, revalidated, last,
          mark("inkroom:socket"), mark("inkroom:opening"), mark("inkroom:start")];
}"""


def page_start(page: Any) -> str:
    """The page's own start, in milliseconds from navigation."""
    first_byte, html, scripts, cached, revalidated, last, *marks = page.evaluate(PAGE_START)
    names = ("socket asked for", "copy's read begun", "the board page's script")
    ran = ", ".join(
        f"{name} {at:.0f} ms" for name, at in zip(names, marks, strict=True) if at is not None
    )
    return (
        f"HTML first byte {first_byte:.0f} ms, complete {html:.0f} ms; {scripts} scripts "
        f"({cached} from the cache unasked, {revalidated} revalidated), the last by "
        f"{last:.0f} ms; {ran or 'no marks'}"
    )


def milestones(page: Any) -> str:
    """Milliseconds from navigation to the page's scripts run, the socket, and synced."""
    loaded, opened, welcome, synced = page.evaluate(MILESTONES)
    return (
        f"page loaded {loaded:.0f} ms, socket open {opened:.0f} ms, welcome {welcome:.0f} ms, "
        f"synced (status 'Saved') {synced:.0f} ms after navigation"
    )


def measure(server: LiveServer, board: str, strokes: int, frames: int, scheme: str) -> None:
    with chromium() as browser:
        # A dark page shows the ink layers through a CSS filter (theme.js): compare both schemes.
        context = browser.new_context(viewport={"width": 1200, "height": 800}, color_scheme=scheme)  # type: ignore[arg-type]
        page, traffic = new_page(context)
        started = time.perf_counter()
        page.goto(f"{server.url}/b/{board}")
        stroke = draw_while_loading(page, traffic, strokes)
        head = strokes + 1  # with the stroke drawn
        loaded(page, head)
        complete = time.perf_counter() - started
        loading_frames: list[float] = page.evaluate(STOP_FRAMES)
        first_ink = page.evaluate("() => window.firstInkAt")
        print(f"{strokes} strokes, {scheme} page, first visit (the server's snapshot)")
        print(f"  {milestones(page)}; first ink on screen {first_ink:.0f} ms")
        print(f"  page start: {page_start(page)}")
        print(f"  whole board loaded and drawn: {complete * 1000:.0f} ms")
        print(f"  pen stroke: {stroke}")
        print(f"  frames while loading: {describe(loading_frames)}")
        print(f"  {loading(page)}")
        print(f"  received: {traffic.describe()}")
        print(f"  heap after load: {heap_mb(page):.0f} MB")
        scale = page.evaluate("() => window.inkroom.view().scale")
        print(f"  pan zoomed to fit ({scale:.0%}): {describe(pan(page, frames))}")
        settle(page)
        print(f"  wheel zoom zoomed to fit: {describe(wheel(page, frames))}")
        settle(page)
        page.locator("#zoom-reset").click()
        settle(page)
        print(f"  pan at 100%: {describe(pan(page, frames))}")
        settle(page)
        print(f"  wheel zoom at 100%: {describe(wheel(page, frames))}")
        settle(page)
        print(f"  heap at the end: {heap_mb(page):.0f} MB")
        page.close()  # the page keeps its copy of the board on the way out

        # In a thread: Playwright runs an event loop in this one.
        with ThreadPoolExecutor(1) as pool:
            writing = write_strokes(server.url, board, NEW_OPERATIONS, first=head + 1)
            pool.submit(asyncio.run, writing).result()
        head += NEW_OPERATIONS
        page, traffic = new_page(context)
        started = time.perf_counter()
        page.goto(f"{server.url}/b/{board}")
        page.wait_for_function("() => window.syncedAt", timeout=600_000, polling=20)
        loaded(page, head)
        complete = time.perf_counter() - started
        print(f"  reopened after {NEW_OPERATIONS} new operations by someone else:")
        print(f"    {milestones(page)}; whole board loaded and drawn: {complete * 1000:.0f} ms")
        print(f"    page start: {page_start(page)}")
        print(f"    {loading(page)}")
        print(f"    received: {traffic.describe()}")
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--frames", type=int, default=120, help="input events per gesture")
    parser.add_argument("--color-scheme", choices=["light", "dark"], default="light")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paint.db"
        url = database_url(str(path))
        upgrade(url)
        boards = asyncio.run(fill(url, args.strokes, args.points))
        server = LiveServer(path, env=REPLAY_ENV)
        server.start()
        try:
            for strokes in args.strokes:
                seconds, parts, seq = asyncio.run(build_snapshot(server.url, boards[strokes]))
                print(f"snapshot at {seq} in {parts} parts, built in {seconds * 1000:.0f} ms")
                measure(server, boards[strokes], strokes, args.frames, args.color_scheme)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
