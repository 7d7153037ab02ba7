"""The board page's start: its scripts kept by the browser under a versioned folder, and the
board's socket opened before the rest of the page's modules have loaded."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from server.routes.pages import VENDOR_PACKAGES, scripts_version
from tests.live_server import LiveServer
from tests.test_board_cache import draw_strokes
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
