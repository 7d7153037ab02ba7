"""The board page's start: its scripts kept by the browser under a versioned folder, and the
board's socket opened, joined and answered (and a snapshot's parts fetched) before the rest of
the page's modules have loaded."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli
import httpx
import msgpack
import pytest
from playwright.sync_api import Browser, Page, Route, expect
from starlette.applications import Starlette
from starlette.routing import Mount

from server.routes.kept_files import KeptFiles
from server.routes.module_graph import static_imports
from server.routes.pages import VENDOR_PACKAGES, scripts_version
from tests.live_server import LiveServer
from tests.test_board_cache import (
    OFFERED_PAST_150,
    draw_strokes,
    open_and_wait,
    wait_for_snapshot,
    wait_until_kept,
)
from tests.test_browser import enter_name


def test_a_changed_script_gets_a_new_version(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("one")
    before = scripts_version([tmp_path / "js", tmp_path / "missing"])
    assert before == scripts_version([tmp_path / "js"])
    (tmp_path / "js" / "app.js").write_text("two")
    assert scripts_version([tmp_path / "js"]) != before


def test_pages_name_their_scripts_in_a_versioned_folder_the_browser_keeps(
    server: LiveServer, board_id: str
) -> None:
    with httpx.Client(base_url=server.url) as http:
        page = http.get(f"/b/{board_id}")
        assert page.headers["cache-control"] == "no-cache"  # always the newest page
        scripts = re.findall(r'<script [^>]*src="([^"]+)"', page.text)
        assert scripts and all(re.match(r"/static/[0-9a-f]{12}/(js|vendor)/", s) for s in scripts)
        home = http.get("/")
        assert re.search(r'src="/static/[0-9a-f]{12}/js/home\.js"', home.text)
        folder = scripts[-1].rsplit("/js/", 1)[0]
        # A module, one it imports and an npm package it imports: kept for a year, never asked
        # again.
        for path in ("/js/app.js", "/js/tools/pen.js", "/vendor/msgpack/index.mjs"):
            kept = http.get(folder + path)
            assert kept.status_code == 200, path
            assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
        # Without a version: asked again each time, answered 304 while unchanged.
        plain = http.get("/static/js/app.js")
        assert plain.headers["cache-control"] == "no-cache"
        again = http.get("/static/js/app.js", headers={"If-None-Match": plain.headers["etag"]})
        assert again.status_code == 304
        assert http.get("/static/vendor/msgpack/index.mjs").status_code == 200
        assert http.get("/static/000000000000/js/app.js").status_code == 404


FRONTEND = Path(__file__).resolve().parent.parent / "frontend"


def test_scripts_come_compressed_as_the_browser_asks_and_unpack_to_the_files(
    server: LiveServer,
) -> None:
    files = {
        "/static/js/app.js": FRONTEND / "js" / "app.js",
        "/static/vendor/msgpack/index.mjs": FRONTEND
        / "node_modules/@msgpack/msgpack/dist.esm/index.mjs",
    }
    unpack = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda data: data}
    with httpx.Client(base_url=server.url) as http:
        for url, path in files.items():
            tags = set()
            for asked, sent in (
                ("gzip, deflate, br", "br"),
                ("br;q=0, gzip;q=0.5", "gzip"),
                ("identity", None),
            ):
                with http.stream("GET", url, headers={"Accept-Encoding": asked}) as answer:
                    raw = b"".join(answer.iter_raw())
                assert answer.headers.get("content-encoding") == sent, (url, asked)
                assert answer.headers["vary"] == "Accept-Encoding"
                assert int(answer.headers["content-length"]) == len(raw)
                assert unpack[sent](raw) == path.read_bytes(), (url, asked)
                tags.add(answer.headers["etag"])
                again = http.get(
                    url, headers={"Accept-Encoding": asked, "If-None-Match": answer.headers["etag"]}
                )
                assert again.status_code == 304, (url, asked)
            assert len(tags) == 3  # other bytes, another tag
            if url.endswith("app.js"):
                assert len(raw) > 3 * int(
                    http.get(url, headers={"Accept-Encoding": "br"}).headers["content-length"]
                )
            head = http.head(url, headers={"Accept-Encoding": "br"})
            assert head.status_code == 200 and head.content == b""


def test_a_kept_script_that_changes_on_disk_is_sent_as_it_is_now(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("export const one = 1;\n")
    kept = KeptFiles(directory=tmp_path, cache_control="no-cache")
    files = Starlette(routes=[Mount("/js", kept)])

    async def asked() -> None:
        transport = httpx.ASGITransport(app=files)
        async with httpx.AsyncClient(transport=transport, base_url="http://files") as http:
            first = await http.get("/js/app.js")
            assert first.text == "export const one = 1;\n"
            (tmp_path / "app.js").write_text("export const two = 2, three = 3;\n")
            second = await http.get("/js/app.js", headers={"If-None-Match": first.headers["etag"]})
            assert second.status_code == 200
            assert second.text == "export const two = 2, three = 3;\n"
            assert (await http.get("/js/missing.js")).status_code == 404
            assert (await http.get("/js/../app.js")).status_code == 404

    asyncio.run(asked())


# Scripts (modules) this page loaded, with the bytes each took off
# the network: 0 when the browser's cache answered without asking the server.
SCRIPTS_FETCHED = """() => performance.getEntriesByType("resource")
  .filter((entry) => /\\.m?js$/.test(new URL(entry.name).pathname))
  .map((entry) => [new URL(entry.name).pathname, entry.transferSize])"""


@pytest.mark.browser
def test_a_reopened_board_takes_its_scripts_from_the_browser_without_asking(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Again")
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    first = context.new_page()
    first.goto(f"{server.url}/b/{board_id}")
    enter_name(first, "Returning")
    expect(first.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
    fetched = dict(first.evaluate(SCRIPTS_FETCHED))
    assert (
        fetched["/static/" + next(iter(fetched)).split("/")[2] + "/js/app.js"] > 0
    )  # a first visit
    first.close()

    again = context.new_page()
    again.goto(f"{server.url}/b/{board_id}")
    expect(again.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
    fetched = dict(again.evaluate(SCRIPTS_FETCHED))
    assert len(fetched) > 20
    assert {path: size for path, size in fetched.items() if size} == {}
    context.close()


def test_only_static_imports_count_as_what_a_module_imports() -> None:
    source = """
import { a } from "./a.js";
import {
  b,
  c as d,
} from "./b.js";
import * as e from "@msgpack/msgpack";
import f, { g } from 'idb';
import "./side-effect.js";
export { h } from "./h.js";
export * from "./all.js";
const later = await import("./lazy.js");
// import { not } from "./comment-mid-line.js" is not at a statement's start here
const text = "import x from './string.js'";
export function make() { return import("./also-lazy.js"); }
"""
    assert static_imports(source) == [
        "./a.js",
        "./b.js",
        "@msgpack/msgpack",
        "idb",
        "./side-effect.js",
        "./h.js",
        "./all.js",
    ]


MODULE_PRELOADS = """() => [...document.querySelectorAll('link[rel="modulepreload"]')]
  .map((link) => new URL(link.href).pathname)"""
# The modules the page fetched before its own script ran (the ``inkroom:start`` mark), the
# snapshot worker's among them: it starts with the page's first scripts.
MODULES_BEFORE_START = """() => {
  const start = performance.getEntriesByName("inkroom:start")[0].startTime;
  return performance.getEntriesByType("resource")
    .filter((entry) => /\\.m?js$/.test(new URL(entry.name).pathname) && entry.startTime < start)
    .map((entry) => new URL(entry.name).pathname);
}"""


@pytest.mark.browser
def test_the_board_page_asks_for_every_module_it_starts_with_at_once(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Preloaded")
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.goto(f"{server.url}/b/{board_id}")
    enter_name(page, "Early")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
    preloads = page.evaluate(MODULE_PRELOADS)
    scripts = page.evaluate(
        "() => [...document.querySelectorAll('script[src]')].map((s) => new URL(s.src).pathname)"
    )
    assert len(preloads) > 40 and len(set(preloads)) == len(preloads)
    # The snapshot worker and the package it reads parts with come before the page's others: the
    # worker starts with the page's first scripts.
    assert preloads[0].endswith("/js/snapshot-worker.js")
    assert preloads.index(next(p for p in preloads if p.endswith("/vendor/msgpack/index.mjs"))) < (
        preloads.index(next(p for p in preloads if p.endswith("/js/renderer.js")))
    )
    # Every module the page needed before its script could run was named up front: none was
    # found only once the module importing it had arrived.
    loaded = set(page.evaluate(MODULES_BEFORE_START))
    assert loaded - set(preloads) - set(scripts) == set()
    # Nothing is preloaded for nothing: every tag names a file the page then used.
    assert set(preloads) - loaded == set()
    with httpx.Client(base_url=server.url) as http:
        for path in preloads:
            answer = http.get(path)
            assert answer.status_code == 200, path
            assert "javascript" in answer.headers["content-type"], path
    context.close()


# When the page constructed each WebSocket, before any of its own scripts ran.
WATCH_SOCKETS = """
window.socketsMadeAt = [];
const PageSocket = window.WebSocket;
window.WebSocket = class extends PageSocket {
  constructor(...args) {
    window.socketsMadeAt.push(performance.now());
    super(...args);
  }
};
"""


@pytest.mark.browser
def test_the_board_socket_opens_before_the_page_has_loaded_and_carries_the_board(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Early")
    drawn = draw_strokes(server, board_id, 5)
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    context.add_init_script("localStorage.setItem('inkroom.named', '1')")
    page = context.new_page()
    page.add_init_script(WATCH_SOCKETS)
    page.goto(f"{server.url}/b/{board_id}")
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
    page.wait_for_function("() => window.inkroom.visibleStrokes().length === 5", timeout=20_000)
    made = page.evaluate("window.socketsMadeAt")
    started = page.evaluate("performance.getEntriesByName('inkroom:start')[0].startTime")
    assert len(made) == 1  # the one opened early is the one the page joins on
    assert made[0] < started
    assert {s["id"] for s in page.evaluate("window.inkroom.visibleStrokes()")} == set(drawn)

    # And it is the page's connection from then on: a stroke drawn is stored.
    page.keyboard.press("p")
    page.mouse.move(400, 300)
    page.mouse.down()
    for step in range(10):
        page.mouse.move(400 + step * 8, 300 + step * 3)
    page.mouse.up()
    page.wait_for_function("() => window.inkroom.visibleStrokes().length === 6", timeout=20_000)
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
    assert page.evaluate("window.inkroom.pending()") == 0
    context.close()


def test_the_board_page_maps_each_package_to_its_file_and_its_policy_allows_that_map_only(
    server: LiveServer, board_id: str
) -> None:
    with httpx.Client(base_url=server.url) as http:
        page = http.get(f"/b/{board_id}")
        found = re.search(r'<script type="importmap">([^<]*)</script>', page.text)
        assert found, "the board page has an import map"
        imports = json.loads(found.group(1))["imports"]
        assert set(imports) == {package.name for package in VENDOR_PACKAGES.values()}
        assert {"@msgpack/msgpack", "idb", "perfect-freehand", "rbush"} <= set(imports)
        # Before any module script, or the browser would ignore it.
        assert page.text.index("importmap") < page.text.index('type="module"')
        for url in imports.values():
            assert re.match(r"/static/[0-9a-f]{12}/vendor/", url)
            kept = http.get(url)
            assert kept.status_code == 200, url
            assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
        script_sources = next(
            part.split()[1:]
            for part in page.headers["content-security-policy"].split("; ")
            if part.startswith("script-src")
        )
        digest = base64.b64encode(hashlib.sha256(found.group(1).encode()).digest()).decode()
        assert script_sources == ["'self'", f"'sha256-{digest}'"]
        # Other pages and answers allow no inline script at all.
        for path in ("/", "/healthz"):
            policy = http.get(path).headers["content-security-policy"]
            assert "script-src 'self';" in policy


def test_the_import_map_names_the_files_nodejs_resolves_the_packages_to() -> None:
    """The modules are tested under Node.js: the browser must get the same files (the msgpack
    package has an ES build for browsers and a CommonJS one for Node.js, of the same version)."""
    frontend = Path(__file__).parent.parent / "frontend"
    names = [package.name for package in VENDOR_PACKAGES.values()]
    script = f"console.log(JSON.stringify({json.dumps(names)}.map((n) => import.meta.resolve(n))))"
    resolved = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=frontend,
        capture_output=True,
        text=True,
        check=True,
    )
    by_name = dict(zip(names, json.loads(resolved.stdout), strict=True))
    for package in VENDOR_PACKAGES.values():
        served = (frontend / "node_modules" / package.folder / package.entry).resolve()
        assert served.is_file(), served
        node_file = Path(by_name[package.name].removeprefix("file://"))
        if package.name == "@msgpack/msgpack":
            assert node_file.parent.parent == served.parent.parent  # the same package
        else:
            assert node_file == served, package.name


class HeldScript:
    """The board page's own script (``app.js``) held back until ``release()``, and what the page
    sent and received on its socket meanwhile."""

    def __init__(self, page: Page) -> None:
        self.routes: list[Route] = []
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.parts: list[str] = []
        page.route("**/js/app.js", self._hold)
        page.on("websocket", self._socket)
        page.on("request", self._request)

    def _hold(self, route: Route) -> None:
        self.routes.append(route)  # answered in ``release``

    def _socket(self, socket: Any) -> None:
        socket.on("framesent", lambda payload: self.sent.append(msgpack.unpackb(payload)))
        socket.on("framereceived", lambda payload: self.received.extend(msgpack.unpackb(payload)))

    def _request(self, request: Any) -> None:
        if "/snapshots/" in request.url:
            self.parts.append(request.url)

    def wait_until(self, page: Page, what: str, done: Callable[[], bool]) -> None:
        """Until ``done()``, with the page's script still held back (it has not run)."""
        deadline = time.monotonic() + 60
        while not done():
            assert time.monotonic() < deadline, f"{what} did not happen while app.js was held"
            page.wait_for_timeout(50)
        assert page.evaluate("performance.getEntriesByName('inkroom:start').length") == 0

    def received_types(self) -> list[str]:
        return [message["type"] for message in self.received]

    def release(self, page: Page) -> None:
        deadline = time.monotonic() + 60
        while not self.routes:
            assert time.monotonic() < deadline, "the page never asked for app.js"
            page.wait_for_timeout(50)
        for route in self.routes:
            route.continue_()


@pytest.mark.browser
@pytest.mark.parametrize("server", [OFFERED_PAST_150], indirect=True)
def test_a_first_visit_joins_and_fetches_the_snapshot_before_the_page_script_has_run(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Before the script")
    drawn = draw_strokes(server, board_id, 200)
    assert wait_for_snapshot(server, board_id).snapshot is not None
    context = browser.new_context(
        viewport={"width": 1000, "height": 700},
        # A service worker would answer app.js from its cache, where no route can hold it back.
        service_workers="block",
    )
    context.add_init_script("localStorage.setItem('inkroom.named', '1')")
    page = context.new_page()
    held = HeldScript(page)
    page.goto(f"{server.url}/b/{board_id}", wait_until="commit")

    held.wait_until(page, "the join", lambda: bool(held.sent))
    join = held.sent[0]
    assert join["type"] == "join" and join["last_seq"] == 0 and join["snapshot"] is True
    held.wait_until(page, "synced", lambda: "synced" in held.received_types())
    assert held.received_types()[0] == "welcome"
    offered = held.received[0]["snapshot"]
    held.wait_until(page, "a snapshot part's fetch", lambda: bool(held.parts))
    held.release(page)

    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=30_000)
    page.wait_for_function(
        f"() => window.inkroom.visibleStrokes().length === {len(drawn)}", timeout=30_000
    )
    assert {s["id"] for s in page.evaluate("window.inkroom.visibleStrokes()")} == set(drawn)
    assert [m["type"] for m in held.sent].count("join") == 1  # joined once
    assert sorted(held.parts) == sorted(set(held.parts))  # each part fetched once
    assert len(held.parts) == len(offered["parts"])
    # And the page is its own from then on: a stroke drawn is stored.
    page.keyboard.press("p")
    page.mouse.move(400, 300)
    page.mouse.down()
    for step in range(10):
        page.mouse.move(400 + step * 8, 300 + step * 3)
    page.mouse.up()
    page.wait_for_function(
        f"() => window.inkroom.visibleStrokes().length === {len(drawn) + 1}", timeout=20_000
    )
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("server", [OFFERED_PAST_150], indirect=True)
def test_a_reopened_board_joins_from_its_copy_before_the_page_script_has_run(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Again before the script")
    drawn = draw_strokes(server, board_id, 200)
    assert wait_for_snapshot(server, board_id).snapshot is not None
    url = f"{server.url}/b/{board_id}"
    context = browser.new_context(
        viewport={"width": 1000, "height": 700},
        # A service worker would answer app.js from its cache, where no route can hold it back.
        service_workers="block",
    )
    first = open_and_wait(context, url, len(drawn), "Returning")
    wait_until_kept(first, board_id, len(drawn))
    first.close()
    more = draw_strokes(server, board_id, 100, x=500.0)

    page = context.new_page()
    held = HeldScript(page)
    page.goto(url, wait_until="commit")
    held.wait_until(page, "synced", lambda: "synced" in held.received_types())
    (join,) = [message for message in held.sent if message.get("type") == "join"]
    assert join["last_seq"] == len(drawn)  # from this browser's copy
    assert held.received_types().count("committed") == len(more)
    held.release(page)

    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=30_000)
    total = len(drawn) + len(more)
    page.wait_for_function(
        f"() => window.inkroom.visibleStrokes().length === {total}", timeout=30_000
    )
    assert {s["id"] for s in page.evaluate("window.inkroom.visibleStrokes()")} == set(drawn) | set(
        more
    )
    assert held.parts == []  # the parts came from this browser's copy
    assert [m for m in held.sent if m.get("type") == "join"] == [join]  # joined once
    context.close()
