"""The app without a network, at a desktop's size and a phone's: a board opened once opens again
when the server cannot be reached (the service worker keeps the app, the board comes from this
browser's copy), what is drawn there waits on the device and arrives once the server is back.
And the web app manifest that makes the app installable. Screenshots go to ``tests/artifacts/``."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import Browser, Page, expect

from tests.live_server import LiveServer
from tests.test_board_cache import draw_strokes, open_and_wait, wait_for_snapshot, wait_until_kept
from tests.test_browser import INK_PIXELS, drag, visible_strokes
from tests.test_first_visit_browser import SAVED, SCREENS, keep
from tests.test_snapshots import FAST_SNAPSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture(params=["desktop", "phone"])
def screen(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def visit(browser: Browser, screen: str) -> Page:
    page = browser.new_context(**SCREENS[screen]).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def open_board(page: Page, url: str) -> None:
    page.goto(url)
    if page.evaluate("localStorage.getItem('inkroom.named')") != "1":
        page.locator("#name-dialog .name-later").click()
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)


# The version folder the page names its scripts in.
SCRIPTS_VERSION = (
    "document.querySelector('script[src*=\"/js/app.js\"]').getAttribute('src').split('/')[2]"
)
SCRIPT = re.compile(r"/static/[0-9a-f]{12}/")

# What the page's service worker keeps: every address in every cache of this origin.
KEPT = """async () => {
  const kept = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) kept.push(new URL(request.url).pathname);
  }
  return kept;
}"""


def test_a_board_opened_once_reopens_offline_and_what_is_drawn_there_arrives_once_back(
    server: LiveServer, browser: Browser, screen: str
) -> None:
    board_id = server.create_board("On the train")
    url = f"{server.url}/b/{board_id}"
    page = visit(browser, screen)
    open_board(page, url)
    drag(page, [(60, 220), (140, 260), (220, 240)])
    page.wait_for_function("() => window.inkroom.pending() === 0", timeout=SAVED)
    expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
    drawn = [stroke["id"] for stroke in visible_strokes(page)]
    # The app is kept once the worker controls the page; the board once its copy holds the stroke.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=SAVED)
    wait_until_kept(page, board_id, len(drawn))

    # The connection is cut for real: no process answers on the port, the open socket is closed.
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=5)
    expect(page.locator("#status")).to_have_attribute("data-state", "offline", timeout=SAVED)

    page.reload()
    status = page.locator("#status")
    expect(status).to_have_attribute("data-state", "offline", timeout=SAVED)
    expect(status).to_contain_text("Offline")
    expect(page.locator("#title")).to_have_text("On the train")
    page.wait_for_function(f"() => window.inkroom.visibleStrokes().length === {len(drawn)}")
    assert [stroke["id"] for stroke in visible_strokes(page)] == drawn
    page.wait_for_function(f"() => ({INK_PIXELS})() > 0")  # the ink is on screen
    expect(page.locator(".toolbar")).to_be_visible()
    keep(page, f"offline-reopened-{screen}")

    drag(page, [(80, 360), (180, 420), (260, 380)])
    expect(status).to_have_text("Offline · 1 unsaved", timeout=SAVED)
    assert len(visible_strokes(page)) == len(drawn) + 1
    keep(page, f"offline-drawn-{screen}")

    # The worker kept the app and nothing of the API (the board is in the page's own copy).
    kept = page.evaluate(KEPT)
    assert "/static/board.html" in kept and "/" in kept
    assert any(re.match(r"/static/[0-9a-f]{12}/js/app\.js$", path) for path in kept)
    assert not [path for path in kept if path.startswith(("/api/", "/ws/", "/b/"))]

    server.start()
    expect(status).to_have_attribute("data-state", "saved", timeout=30_000)
    other = visit(browser, "desktop")
    open_board(other, url)
    other.wait_for_function(f"() => window.inkroom.visibleStrokes().length === {len(drawn) + 1}")
    assert [s["id"] for s in visible_strokes(other)] == [s["id"] for s in visible_strokes(page)]
    keep(page, f"offline-back-{screen}")
    page.context.close()
    other.context.close()


def test_the_home_page_offline_lists_the_boards_this_browser_opened_and_opens_them(
    server: LiveServer, browser: Browser
) -> None:
    titles = ["Trip plan", "Garden"]
    ids = [server.create_board(title) for title in titles]
    page = visit(browser, "desktop")
    for board_id in ids:
        open_board(page, f"{server.url}/b/{board_id}")
        drag(page, [(60, 220), (140, 260), (220, 240)])
        page.wait_for_function("() => window.inkroom.pending() === 0", timeout=SAVED)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=SAVED)
        wait_until_kept(page, board_id, 1)
    page.goto(f"{server.url}/")
    expect(page.locator(".card")).to_have_count(2, timeout=SAVED)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=SAVED)

    server.stop()
    page.reload()
    cards = page.locator(".card")
    expect(cards).to_have_count(2, timeout=SAVED)
    expect(page.locator(".card .card-link")).to_have_text(list(reversed(titles)), timeout=SAVED)
    expect(page.locator(".card .badge.offline")).to_have_count(2)
    expect(page.locator("#message-text")).to_contain_text("Offline")
    # Renaming and deleting wait for the server; opening works from what this browser keeps.
    expect(page.locator(".card .card-actions button")).to_have_count(0)
    page.locator(".card-link", has_text="Garden").click()
    expect(page.locator("#title")).to_have_text("Garden", timeout=SAVED)
    expect(page.locator("#status")).to_have_attribute("data-state", "offline", timeout=SAVED)
    keep(page, "offline-home")

    server.start()
    page.goto(f"{server.url}/")
    expect(page.locator(".card .badge.offline")).to_have_count(0, timeout=SAVED)
    expect(page.locator(".card")).to_have_count(2)
    expect(page.locator("#message")).to_be_hidden()
    page.context.close()


@pytest.mark.parametrize("server", [FAST_SNAPSHOTS], indirect=True)
def test_a_board_loaded_from_a_snapshot_reopens_offline_from_the_parts_this_browser_kept(
    server: LiveServer, browser: Browser
) -> None:
    board_id = server.create_board("Big")
    drawn = draw_strokes(server, board_id, 60)
    assert wait_for_snapshot(server, board_id).snapshot is not None
    url = f"{server.url}/b/{board_id}"
    context = browser.new_context(**SCREENS["desktop"])
    page = open_and_wait(context, url, len(drawn), "Reader")
    assert page.traffic.parts  # type: ignore[attr-defined]  # its parts came over HTTP
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=SAVED)
    wait_until_kept(page, board_id, len(drawn))

    server.stop()
    page.reload()  # the snapshot worker, kept too, reads the parts from this browser's copy
    expect(page.locator("#status")).to_have_attribute("data-state", "offline", timeout=SAVED)
    page.wait_for_function(f"() => window.inkroom.visibleStrokes().length === {len(drawn)}")
    assert {stroke["id"] for stroke in visible_strokes(page)} == set(drawn)
    keep(page, "offline-snapshot-desktop")
    context.close()


def test_a_deploy_is_picked_up_at_the_next_load_and_the_old_copy_of_the_app_is_dropped(
    tmp_path: Path, browser: Browser
) -> None:
    frontend = Path(__file__).parent.parent / "frontend"
    deployed = tmp_path / "frontend"
    shutil.copytree(frontend, deployed, ignore=shutil.ignore_patterns("node_modules", "tests"))
    (deployed / "node_modules").symlink_to(frontend / "node_modules")
    server = LiveServer(tmp_path / "inkroom.db", env={"INKROOM_FRONTEND_DIR": str(deployed)})
    server.start()
    try:
        url = f"{server.url}/b/{server.create_board('Deployed')}"
        page = visit(browser, "desktop")
        open_board(page, url)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=SAVED)
        before = page.evaluate(SCRIPTS_VERSION)
        [old_copy] = page.evaluate("caches.keys()")

        server.stop()  # a new release: one module changed
        with (deployed / "js" / "toast.js").open("a") as module:
            module.write("// a new release\n")
        server.start()
        page.reload()
        expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=SAVED)
        after = page.evaluate(SCRIPTS_VERSION)
        assert after != before  # the page came from the network, naming the new scripts
        # The new worker has taken over, keeping the new scripts only.
        deadline = time.monotonic() + SAVED / 1000
        while (names := page.evaluate("caches.keys()")) == [old_copy] or len(names) != 1:
            assert time.monotonic() < deadline, names
            page.wait_for_timeout(100)
        kept = page.evaluate(KEPT)
        assert {path.split("/")[2] for path in kept if SCRIPT.match(path)} == {after}
        page.context.close()
    finally:
        server.stop()


def test_the_app_is_installable_from_a_manifest_both_pages_link(
    server: LiveServer, board_id: str
) -> None:
    with httpx.Client(base_url=server.url) as http:
        for path in ("/", f"/b/{board_id}"):
            page = http.get(path).text
            assert '<link rel="manifest" href="/manifest.webmanifest">' in page, path
        answer = http.get("/manifest.webmanifest")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/manifest+json"
        manifest = json.loads(answer.text)
        assert manifest["name"] == "inkroom" and manifest["short_name"]
        assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
            "/",
            "/",
            "standalone",
        )
        for color in ("theme_color", "background_color"):
            assert re.fullmatch(r"#[0-9a-f]{6}", manifest[color]), color
        sizes = set()
        for icon in manifest["icons"]:
            served = http.get(icon["src"])
            assert served.status_code == 200, icon
            assert served.headers["content-type"] == icon["type"], icon
            if icon["type"] == "image/png":
                picture = Image.open(io.BytesIO(served.content))
                assert f"{picture.width}x{picture.height}" == icon["sizes"], icon
            sizes.add((icon["type"], icon["sizes"], icon["purpose"]))
        assert {
            ("image/svg+xml", "any", "any"),
            ("image/png", "192x192", "any"),
            ("image/png", "512x512", "any"),
            ("image/png", "512x512", "maskable"),
        } <= sizes
        # The worker is served from the root, so that it covers / and /b/…, and asked for again
        # at each load, so that a deploy is picked up.
        worker = http.get("/service-worker.js")
        assert worker.status_code == 200
        assert worker.headers["content-type"].startswith("text/javascript")
        assert worker.headers["cache-control"] == "no-cache"


def board_under_the_worker(server: LiveServer, board_id: str, browser: Browser) -> Page:
    """A desktop page on the board, once the service worker controls it."""
    page = visit(browser, "desktop")
    open_board(page, f"{server.url}/b/{board_id}")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=SAVED)
    return page


def test_chromium_reads_the_manifest_without_errors_and_the_worker_controls_the_board(
    server: LiveServer, board_id: str, browser: Browser
) -> None:
    page = board_under_the_worker(server, board_id, browser)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == (
        f"{server.url}/service-worker.js"
    )
    cdp = page.context.new_cdp_session(page)
    read = cdp.send("Page.getAppManifest")
    assert read["url"] == f"{server.url}/manifest.webmanifest"
    assert read["errors"] == []
    # Nothing keeps Chromium from installing it, but that Playwright's contexts are incognito.
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []
    page.context.close()


# How each script and API answer of the page reached it: [address, the route matched, where
# the answer came from] (Resource Timing's service-worker router fields).
ROUTED = """() => performance.getEntriesByType("resource").map(
  (entry) => [entry.name, entry.workerMatchedSourceType, entry.workerFinalSourceType])"""


def test_a_reopened_board_takes_its_scripts_from_the_kept_copy_without_waking_the_worker(
    server: LiveServer, board_id: str, browser: Browser
) -> None:
    page = board_under_the_worker(server, board_id, browser)
    page.close()
    page = page.context.new_page()
    open_board(page, f"{server.url}/b/{board_id}")
    page.evaluate(f"() => fetch('/api/boards/{board_id}').then((answer) => answer.text())")
    routed = page.evaluate(ROUTED)
    scripts = {address for address, _, _ in routed if SCRIPT.search(address)}
    assert len(scripts) > 50  # the board page's modules
    # Each came from the kept copy without the worker's handler. (The snapshot worker's own
    # modules, which the browser also lists here, still go through the handler: Chromium routes
    # the requests of pages, not of their workers.)
    from_copy = {address for address, *sources in routed if sources == ["cache", "cache"]}
    assert scripts - from_copy == set()
    api = [entry for entry in routed if "/api/" in entry[0]]
    assert api and {matched for _, matched, _ in api} == {"network"}, api
    page.context.close()


# Each PNG icon is its SVG drawn by Chromium at the PNG's size (on a transparent background):
# they were made so, and must be made again so when the SVG changes.
ICON_SOURCES = {
    "icon-192.png": "favicon.svg",
    "icon-512.png": "favicon.svg",
    "maskable-512.png": "icons/maskable.svg",
}


def test_the_png_icons_are_their_svg_drawn_at_their_size(browser: Browser) -> None:
    frontend = Path(__file__).parent.parent / "frontend"
    page = browser.new_page(viewport={"width": 600, "height": 600})
    for png, svg in ICON_SOURCES.items():
        kept = Image.open(frontend / "icons" / png).convert("RGBA")
        source = base64.b64encode((frontend / svg).read_bytes()).decode()
        page.set_content(
            f'<body style="margin:0"><img width="{kept.width}" height="{kept.height}"'
            f' src="data:image/svg+xml;base64,{source}"></body>'
        )
        page.wait_for_function("document.querySelector('img').complete")
        drawn = page.locator("img").screenshot(omit_background=True)
        now = Image.open(io.BytesIO(drawn)).convert("RGBA")
        assert now.size == kept.size, png
        difference = ImageStat.Stat(ImageChops.difference(now, kept)).mean
        assert max(difference) < 2, (png, difference)
    page.close()
