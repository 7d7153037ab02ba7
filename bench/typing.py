"""Browser benchmark: a text typed in one page, as another page shows it, in headless Chromium.

    .venv/bin/python -m bench.typing --chars 120 --pace 80

Alice types a text at a person's pace (one key every ``pace`` ms); for every key, the time from
its keydown in Alice's page to the first animation frame in which Bob's page holds the text up
to that key (both pages read the same clock: ``performance.timeOrigin + performance.now()``).
Then Escape: the time until Bob's board holds the stored text and his live copy is gone.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any

from tests.browser import chromium
from tests.live_server import LiveServer

# Alice's page: the clock time of every keydown in the text field, by the length it leads to.
RECORD_KEYS = """() => {
    window.keyTimes = [];
    addEventListener("keydown", (event) => {
        if (event.target.classList.contains("text-editor") && event.key.length === 1) {
            window.keyTimes.push(performance.timeOrigin + performance.now());
        }
    }, true);
}"""

# Bob's page: the clock time of the first frame showing each length of the text being typed.
WATCH_TYPING = """() => {
    window.shownTimes = [];
    window.storedAt = null;
    const frame = () => {
        const now = performance.timeOrigin + performance.now();
        const typed = window.inkroom.typing()[0] ?? "";
        while (window.shownTimes.length < typed.length) window.shownTimes.push(now);
        const stored = window.inkroom.visibleStrokes().some((s) => s.kind === "text");
        if (stored && !window.inkroom.typing().length && window.storedAt === null) {
            window.storedAt = now;
        }
        requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
}"""


def open_page(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 1000, "height": 700}).new_page()
    page.add_init_script("localStorage.setItem('inkroom.named', '1')")
    page.goto(url)
    page.wait_for_function("() => document.querySelector('#status').dataset.state === 'saved'")
    return page


def describe(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms, max {ordered[-1]:.0f} ms"


def measure(server: LiveServer, chars: int, pace: int) -> None:
    url = f"{server.url}/b/{server.create_board('Typing')}"
    with chromium() as browser:
        alice, bob = open_page(browser, url), open_page(browser, url)
        alice.evaluate(RECORD_KEYS)
        bob.evaluate(WATCH_TYPING)
        alice.keyboard.press("t")
        box = alice.locator("#board-canvas").bounding_box()
        assert box is not None
        alice.mouse.click(box["x"] + 100, box["y"] + 100)
        alice.locator(".text-editor").wait_for()
        words = ("the quick brown fox jumps over the lazy dog " * (chars // 44 + 1))[:chars]
        for char in words:
            alice.keyboard.press(char if char != " " else "Space")
            alice.wait_for_timeout(pace)
        bob.wait_for_function(f"() => window.shownTimes.length >= {chars}", timeout=60_000)
        escaped = alice.evaluate("() => performance.timeOrigin + performance.now()")
        alice.keyboard.press("Escape")
        bob.wait_for_function("() => window.storedAt !== null", timeout=60_000)
        keys: list[float] = alice.evaluate("window.keyTimes")
        shown: list[float] = bob.evaluate("window.shownTimes")
        stored: float = bob.evaluate("window.storedAt")
    latencies = [seen - typed for typed, seen in zip(keys, shown, strict=True)]
    print(f"{chars} keys, one every {pace} ms")
    print(f"  keydown to the other page's frame showing it: {describe(latencies)}")
    print(f"  Escape to the other page showing the stored text: {stored - escaped:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=120)
    parser.add_argument("--pace", type=int, default=80, help="milliseconds between keys")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "typing.db")
        server.start()
        try:
            measure(server, args.chars, args.pace)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
