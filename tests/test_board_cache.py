"""Opening big boards: a snapshot over HTTP, and this browser's copy when the board is reopened."""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgpack
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from server import protocol
from tests.live_server import LiveServer
from tests.test_browser import enter_name
from tests.test_snapshots import FAST_SNAPSHOTS, _join_until_offered
from tests.wire import BoardClient, stroke

pytestmark = pytest.mark.browser


def draw_strokes(server: LiveServer, board_id: str, count: int, x: float = 0.0) -> list[str]:
    """``count`` strokes committed over the protocol (in a thread: Playwright owns this one's
    event loop); returns their ids."""

    async def draw() -> list[str]:
        client = BoardClient(server.ws_url(board_id))
        try:
            await client.join()
            ops = [stroke(points=6, x=x + index * 3.0) for index in range(count)]
            for op in ops:
                await client.submit(op)
            for op in ops:
                await client.expect("ack", id=op.id, timeout=20)
            return [op.id for op in ops]
        finally:
            await client.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, draw()).result(timeout=60)


def wait_for_snapshot(server: LiveServer, board_id: str) -> protocol.Welcome:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _join_until_offered(server.ws_url(board_id))).result(60)


class Traffic:
    """What a page receives: board socket messages by type, and the snapshot parts fetched."""

    def __init__(self, page: Page) -> None:
        self.messages: list[dict[str, Any]] = []
        self.socket_bytes = 0
        self.parts: list[str] = []
        page.on("websocket", self._socket)
        page.on("request", self._request)

    def _socket(self, socket: Any) -> None:
        socket.on("framereceived", self._frame)

    def _frame(self, payload: bytes | str) -> None:
        assert isinstance(payload, bytes)
        self.socket_bytes += len(payload)
        self.messages += msgpack.unpackb(payload)

    def _request(self, request: Any) -> None:
        if "/snapshots/" in request.url:
            self.parts.append(request.url)

    def count(self, kind: str) -> int:
        return sum(1 for message in self.messages if message["type"] == kind)


def open_and_wait(context: BrowserContext, url: str, count: int, name: str | None) -> Page:
    page = context.new_page()
    traffic = Traffic(page)
    page.goto(url)
    if name:
        enter_name(page, name)
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
    page.wait_for_function(
        f"() => window.inkroom.visibleStrokes().length === {count}", timeout=20_000
    )
    page.traffic = traffic  # type: ignore[attr-defined]
    return page


# The newest operation this browser's copy of a board holds (0 while it keeps none).
KEPT_UP_TO = """async (board) => {
    const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open("inkroom");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    try {
        const copy = await new Promise((resolve, reject) => {
            const request = db.transaction("boards").objectStore("boards").get(board);
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
        });
        return copy ? copy.lastSeq : 0;
    } finally {
        db.close();
    }
}"""


def wait_until_kept(page: Page, board_id: str, seq: int) -> None:
    """Until this browser's copy of the board holds everything up to ``seq``."""
    deadline = time.monotonic() + 30
    while page.evaluate(KEPT_UP_TO, board_id) < seq:
        assert time.monotonic() < deadline, "the copy of the board was not kept"
        page.wait_for_timeout(100)


# A snapshot is offered past 150 operations to replay: the first visit gets one, the second
# (100 operations behind) only those.
OFFERED_PAST_150 = {
    **FAST_SNAPSHOTS,
    "INKROOM_SNAPSHOT_OFFER_AFTER_OPS": "150",
    "INKROOM_OPERATIONS_BURST": "1000",
}


@pytest.mark.parametrize("server", [OFFERED_PAST_150], indirect=True)
def test_a_reopened_board_loads_from_this_browser_and_asks_only_for_what_is_new(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Big")
    drawn = draw_strokes(server, board_id, 200)
    assert wait_for_snapshot(server, board_id).snapshot is not None
    url = f"{server.url}/b/{board_id}"
    context = browser.new_context(viewport={"width": 1000, "height": 700})

    first = open_and_wait(context, url, len(drawn), "Reader")
    traffic: Traffic = first.traffic  # type: ignore[attr-defined]
    # The newest snapshot when the page joined (the server may have built another since the
    # one offered above).
    offered = next(m for m in traffic.messages if m["type"] == "welcome")["snapshot"]
    assert offered is not None
    fetched = [url for url in traffic.parts if f"/snapshots/{offered['seq']}/" in url]
    assert len(fetched) == len(offered["parts"]) == len(traffic.parts)  # over HTTP, once...
    assert traffic.count("committed") == len(drawn) - offered["seq"]  # ...and only the rest here
    shown = {s["id"] for s in first.evaluate("window.inkroom.visibleStrokes()")}
    assert shown == set(drawn)
    wait_until_kept(first, board_id, len(drawn))
    first.close()

    more = draw_strokes(server, board_id, 100, x=500.0)
    again = open_and_wait(context, url, len(drawn) + len(more), None)
    traffic = again.traffic  # type: ignore[attr-defined]
    assert traffic.parts == []  # nothing fetched: the parts were kept
    assert traffic.count("committed") == len(more)  # only the new operations
    welcome = next(m for m in traffic.messages if m["type"] == "welcome")
    assert welcome.get("snapshot") is None and welcome["resume"] == len(drawn)
    shown = {s["id"] for s in again.evaluate("window.inkroom.visibleStrokes()")}
    assert shown == set(drawn) | set(more)
    context.close()


def test_a_copy_the_server_does_not_recognize_is_dropped_and_the_board_sent_again(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Tampered")
    drawn = draw_strokes(server, board_id, 5)
    url = f"{server.url}/b/{board_id}"
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = open_and_wait(context, url, len(drawn), "Reader")
    # The copy claims a last operation this board never had, as one from another database would.
    page.evaluate(
        """async (board) => {
          await new Promise((resolve) => setTimeout(resolve, 1500)); // the copy is written
          const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open("inkroom");
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
          const store = db.transaction("boards", "readwrite").objectStore("boards");
          const copy = await new Promise((resolve) => {
            const request = store.get(board);
            request.onsuccess = () => resolve(request.result);
          });
          if (!copy) throw new Error("no copy was kept");
          copy.lastOp = "from-another-database";
          copy.tail.push([copy.lastSeq + 1, "someone", {kind: "stroke", id: "ghost-stroke",
            tool: "pen", color: "#000000", width: 2, points: copy.tail[0][2].points}]);
          copy.lastSeq += 1;
          await new Promise((resolve) => { store.put(copy).onsuccess = resolve; });
        }""",
        board_id,
    )
    page.close()
    again = open_and_wait(context, url, len(drawn), None)
    traffic: Traffic = again.traffic  # type: ignore[attr-defined]
    welcome = next(m for m in traffic.messages if m["type"] == "welcome")
    assert welcome["resume"] == 0
    assert traffic.count("committed") == len(drawn)
    shown = [s["id"] for s in again.evaluate("window.inkroom.visibleStrokes()")]
    assert sorted(shown) == sorted(drawn)  # the ghost is gone, nothing doubled
    context.close()


def test_a_copy_kept_in_an_older_format_is_dropped_never_read(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Old copy")
    drawn = draw_strokes(server, board_id, 4)
    url = f"{server.url}/b/{board_id}"
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = open_and_wait(context, url, len(drawn), "Reader")
    page.evaluate(
        """async (board) => {
          await new Promise((resolve) => setTimeout(resolve, 1500)); // the copy is written
          const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open("inkroom");
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
          const store = db.transaction("boards", "readwrite").objectStore("boards");
          const copy = await new Promise((resolve) => {
            const request = store.get(board);
            request.onsuccess = () => resolve(request.result);
          });
          if (!copy) throw new Error("no copy was kept");
          // What the version before points changed units kept: format 1, whatever it holds.
          copy.format = 1;
          copy.tail = [[1, "someone", {kind: "clear", id: "old-format-clear"}]];
          await new Promise((resolve) => { store.put(copy).onsuccess = resolve; });
        }""",
        board_id,
    )
    page.close()
    again = open_and_wait(context, url, len(drawn), None)
    traffic: Traffic = again.traffic  # type: ignore[attr-defined]
    join = next(m for m in traffic.messages if m["type"] == "welcome")
    assert join["resume"] == 0 and traffic.count("committed") == len(drawn)
    context.close()


# Ink on the page's ink layer: how many pixels are not blank.
INKED_PIXELS = """() => {
    const canvas = document.getElementById("layer-ink");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]) inked++;
    return inked;
}"""


@pytest.mark.parametrize("server", [OFFERED_PAST_150], indirect=True)
def test_a_reopened_board_shows_its_ink_from_this_browser_while_the_server_has_not_answered(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Kept")
    drawn = draw_strokes(server, board_id, 200)
    assert wait_for_snapshot(server, board_id).snapshot is not None
    url = f"{server.url}/b/{board_id}"
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    first = open_and_wait(context, url, len(drawn), "Reader")
    wait_until_kept(first, board_id, len(drawn))
    first.close()

    page = context.new_page()
    # The board's socket opens but the server never answers the join, and no snapshot part can
    # be fetched: whatever shows comes from this browser's copy.
    page.route_web_socket(re.compile(r"/ws/boards/"), lambda socket: None)
    page.route(re.compile(r"/snapshots/"), lambda route: route.abort())
    page.goto(url)
    page.wait_for_function(
        f"() => window.inkroom.visibleStrokes().length === {len(drawn)}", timeout=20_000
    )
    page.wait_for_function(f"() => ({INKED_PIXELS})() > 0", timeout=20_000)
    expect(page.locator("#status")).to_have_attribute("data-state", "connecting")
    shown = {s["id"] for s in page.evaluate("window.inkroom.visibleStrokes()")}
    assert shown == set(drawn)
    context.close()


# The parts this browser keeps, rewritten as the version before point format 2 kept them; then
# (``check``) the format of each kept part.
KEPT_PARTS = """async (check) => {
  const { decode, encode } = await import("/static/vendor/msgpack/index.mjs");
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("inkroom");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const read = db.transaction("parts").objectStore("parts");
  const all = (method) => new Promise((resolve) => {
    read[method]().onsuccess = (event) => resolve(event.target.result);
  });
  const [keys, bodies] = await Promise.all([all("getAllKeys"), all("getAll")]);
  const documents = bodies.map((body) => decode(new Uint8Array(body)));
  if (check) return documents.map((document) => document.format);
  const write = db.transaction("parts", "readwrite");
  documents.forEach((document, i) => {
    write.objectStore("parts").put(encode({ ...document, format: 1 }).slice().buffer, keys[i]);
  });
  await new Promise((resolve) => { write.oncomplete = resolve; });
  return documents.length;
}"""


@pytest.mark.parametrize(
    "server",
    [
        {
            **FAST_SNAPSHOTS,
            "INKROOM_SNAPSHOT_OFFER_AFTER_OPS": "150",
            "INKROOM_OPERATIONS_BURST": "1000",
        }
    ],
    indirect=True,
)
def test_snapshot_parts_kept_in_the_former_format_are_fetched_again_never_read(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Kept parts")
    drawn = draw_strokes(server, board_id, 200)
    offered = wait_for_snapshot(server, board_id).snapshot
    assert offered is not None
    url = f"{server.url}/b/{board_id}"
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    first = open_and_wait(context, url, len(drawn), "Reader")
    kept = f"async () => (await ({KEPT_PARTS})(true)).length === {len(offered.parts)}"
    first.wait_for_function(kept, timeout=20_000)
    assert first.evaluate(KEPT_PARTS, False) == len(offered.parts)
    first.close()

    again = open_and_wait(context, url, len(drawn), None)
    shown = again.evaluate("window.inkroom.visibleStrokes()")
    assert sorted(s["id"] for s in shown) == sorted(drawn)
    assert again.evaluate(KEPT_PARTS, True) == [2] * len(offered.parts)
    context.close()
