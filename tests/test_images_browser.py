"""Images in Debian's Chromium, two people on one board: one pastes a picture from the clipboard,
both see it, it is moved, resized and undone; dropping and picking a file; what is refused; the
PNG export; a private board's pictures; copying one to another board."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.live_server import LiveServer
from tests.test_browser import drag, open_board

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
RED = (220, 30, 40)
BLUE = (30, 60, 220)
SEEN = 20_000  # ms: generous, for a busy machine


def png(size: tuple[int, int] = (160, 100), color: tuple[int, int, int] = RED) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def images(page: Page) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = page.evaluate("window.inkroom.images()")
    return shown


def wait_images(page: Page, count: int) -> None:
    page.wait_for_function(f"() => window.inkroom.images().length === {count}", timeout=SEEN)


def shows(page: Page, x: float, y: float, color: tuple[int, int, int]) -> None:
    """Wait until the board shows ``color`` (within a little) at (x, y) of its canvas."""
    page.wait_for_function(
        """([x, y, want]) => {
          const ratio = devicePixelRatio || 1;
          let shown = [255, 255, 255];
          for (const id of ["layer-ink", "layer-live"]) {
            const canvas = document.getElementById(id);
            const [r, g, b, a] = canvas.getContext("2d").getImageData(
              Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
            if (a > 128) shown = [r, g, b];
          }
          return shown.every((value, i) => Math.abs(value - want[i]) <= 24);
        }""",
        arg=[x, y, list(color)],
        timeout=SEEN,
    )


def middle(item: dict[str, Any]) -> tuple[float, float]:
    """Where the middle of an image is on the board, moves and transforms included."""
    x, y = item["x"] + item["w"] / 2, item["y"] + item["h"] / 2
    m = item["m"]
    if m:
        return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]
    return x + item["dx"], y + item["dy"]


def on_screen(page: Page, x: float, y: float) -> tuple[float, float]:
    view: dict[str, float] = page.evaluate("window.inkroom.view()")
    return (x - view["x"]) * view["scale"], (y - view["y"]) * view["scale"]


def copy_to_clipboard(page: Page, data: bytes) -> None:
    """The picture on the system clipboard, as a screenshot tool puts it there."""
    page.evaluate(
        """async (bytes) => {
          const blob = new Blob([new Uint8Array(bytes)], { type: "image/png" });
          await navigator.clipboard.write([new ClipboardItem({ "image/png": blob })]);
        }""",
        list(data),
    )


def open_pair(server: LiveServer, browser: Browser) -> tuple[Page, Page, str]:
    board = server.create_board("Images")
    url = f"{server.url}/b/{board}"
    alice = open_board(browser, url, "Alice")
    alice.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    return alice, open_board(browser, url, "Bob"), board


def keep(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def test_a_pasted_image_shows_for_both_then_moves_resizes_and_is_undone(
    server: LiveServer, browser: Browser
) -> None:
    alice, bob, _ = open_pair(server, browser)
    copy_to_clipboard(alice, png())
    alice.keyboard.press("Control+v")
    # At once for Alice, in the middle of her screen; then for Bob, where Alice put it.
    shows(alice, 500, 350, RED)
    wait_images(alice, 1)
    wait_images(bob, 1)
    [image] = images(bob)
    assert (image["w"], image["h"]) == (160, 100)
    x, y = on_screen(bob, *middle(image))
    shows(bob, x, y, RED)
    keep(bob, "image-pasted")

    # Alice moves it: it is selected after the paste; a drag from its middle.
    alice.keyboard.press("v")
    alice.wait_for_function("() => window.inkroom.selected().length === 1")
    # The selection's panel offers what an image has: order, duplicate, delete; no colors.
    expect(alice.locator("#style-panel")).to_be_visible()
    expect(alice.locator("#style-panel [data-set-color]").first).to_be_hidden()
    expect(alice.locator('#style-panel [data-order="front"]')).to_be_visible()
    drag(alice, [(500, 350), (560, 380), (600, 400)])
    bob.wait_for_function(
        "() => { const [i] = window.inkroom.images(); return i && i.dx === 100 && i.dy === 50; }",
        timeout=SEEN,
    )
    shows(bob, 600, 400, RED)
    # Then resizes it by its bottom-right handle, to twice its width and height.
    box: dict[str, float] = alice.evaluate("window.inkroom.selectionBox()")
    cx, cy = (round(v) for v in on_screen(alice, box["right"], box["bottom"]))
    drag(alice, [(cx, cy), (cx + 80, cy + 50), (cx + 160, cy + 100)])
    bob.wait_for_function(
        "() => { const [i] = window.inkroom.images(); return i && i.m && i.m[0] > 1.9; }",
        timeout=SEEN,
    )
    [resized] = images(bob)
    shows(bob, *on_screen(bob, *middle(resized)), RED)
    keep(bob, "image-resized")

    # Alice undoes the resize, the move, then the image itself.
    surface = alice.locator("#board-canvas")
    surface.click(position={"x": 900, "y": 600})  # away from the selection
    alice.keyboard.press("Control+z")
    bob.wait_for_function(
        "() => { const [i] = window.inkroom.images(); return i && !i.m && i.dx === 100; }",
        timeout=SEEN,
    )
    alice.keyboard.press("Control+z")
    bob.wait_for_function(
        "() => { const [i] = window.inkroom.images(); return i && !i.m && i.dx === 0; }",
        timeout=SEEN,
    )
    alice.keyboard.press("Control+z")
    wait_images(bob, 0)
    shows(bob, x, y, (255, 255, 255))
    alice.context.close()
    bob.context.close()


def drop(page: Page, data: bytes, name: str, kind: str, x: int, y: int) -> None:
    """A file dropped from the desktop on the board at (x, y) of its canvas."""
    page.evaluate(
        """([bytes, name, kind, x, y]) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(bytes)], name, { type: kind }));
          const surface = document.getElementById("board-canvas");
          const rect = surface.getBoundingClientRect();
          const at = { clientX: rect.left + x, clientY: rect.top + y, dataTransfer: transfer,
                       bubbles: true, cancelable: true };
          surface.dispatchEvent(new DragEvent("dragover", at));
          surface.dispatchEvent(new DragEvent("drop", at));
        }""",
        [list(data), name, kind, x, y],
    )


def test_a_dropped_image_lands_where_it_was_dropped_for_both(
    server: LiveServer, browser: Browser
) -> None:
    alice, bob, _ = open_pair(server, browser)
    drop(alice, png((80, 60), BLUE), "photo.png", "image/png", 700, 200)
    wait_images(bob, 1)
    [image] = images(bob)
    view: dict[str, float] = alice.evaluate("window.inkroom.view()")
    dropped_at = (view["x"] + 700 / view["scale"], view["y"] + 200 / view["scale"])
    assert middle(image) == pytest.approx(dropped_at, abs=1)
    shows(bob, *on_screen(bob, *dropped_at), BLUE)
    alice.context.close()
    bob.context.close()


def test_an_image_picked_with_the_image_button_is_added(
    server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    alice, bob, _ = open_pair(server, browser)
    picked = tmp_path / "diagram.png"
    picked.write_bytes(png((120, 90), BLUE))
    with alice.expect_file_chooser() as chooser:
        alice.locator("#image-button").click()
    chooser.value.set_files(str(picked))
    wait_images(bob, 1)
    shows(bob, *on_screen(bob, *middle(images(bob)[0])), BLUE)
    alice.context.close()
    bob.context.close()


def test_an_svg_or_a_fake_picture_is_refused_with_its_reason_and_adds_nothing(
    server: LiveServer, browser: Browser
) -> None:
    alice, bob, _ = open_pair(server, browser)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    drop(alice, svg, "logo.svg", "image/svg+xml", 400, 300)
    expect(alice.locator("#toast")).to_contain_text("SVG", timeout=SEEN)
    # A file that says it is a PNG and is no picture at all: this browser cannot read it.
    drop(alice, b"GIF89a<script>alert(1)</script>", "fake.png", "image/png", 400, 300)
    expect(alice.locator("#toast")).to_contain_text("not an image", timeout=SEEN)
    # A BMP that says it is a PNG: the browser reads it, the server refuses it and says why.
    bmp = io.BytesIO()
    Image.new("RGB", (20, 20), RED).save(bmp, "BMP")
    drop(alice, bmp.getvalue(), "disguised.png", "image/png", 400, 300)
    expect(alice.locator("#toast")).to_contain_text("only PNG, JPEG, WebP and GIF", timeout=SEEN)
    drop(alice, png(), "real.png", "image/png", 300, 300)
    wait_images(bob, 1)  # the real one only
    wait_images(alice, 1)
    alice.context.close()
    bob.context.close()


@pytest.mark.parametrize("server", [{"INKROOM_MAX_IMAGE_BYTES": "20000"}], indirect=True)
def test_a_file_over_the_servers_limit_is_refused_before_it_is_sent(
    server: LiveServer, browser: Browser
) -> None:
    alice, bob, board = open_pair(server, browser)
    noise = Image.frombytes("RGB", (100, 100), random.Random(7).randbytes(100 * 100 * 3))
    big = io.BytesIO()
    noise.save(big, "PNG")
    assert len(big.getvalue()) > 20_000
    uploads: list[str] = []
    alice.on("request", lambda request: request.method == "POST" and uploads.append(request.url))
    drop(alice, big.getvalue(), "big.png", "image/png", 400, 300)
    expect(alice.locator("#toast")).to_contain_text("over the 19.5 kB limit", timeout=SEEN)
    drop(alice, png(), "small.png", "image/png", 400, 300)
    wait_images(bob, 1)
    assert uploads == [f"{server.url}/api/boards/{board}/images"]  # the small one only
    alice.context.close()
    bob.context.close()


def test_the_png_export_holds_the_image(server: LiveServer, browser: Browser) -> None:
    alice, bob, _ = open_pair(server, browser)
    drop(alice, png((200, 120), BLUE), "photo.png", "image/png", 500, 300)
    wait_images(bob, 1)
    # Bob's export: his page fetched the picture from the server, it is not the one Alice had.
    bob.locator("#menu-button").click()
    with bob.expect_download() as download:
        bob.locator("#export-png-all").click()
    path = download.value.path()
    assert path is not None
    exported = Image.open(path).convert("RGB")
    width, height = exported.size
    assert exported.getpixel((width // 2, height // 2)) == pytest.approx(BLUE, abs=24)
    alice.context.close()
    bob.context.close()


def test_a_private_boards_images_show_to_its_link_holders(
    server: LiveServer, browser: Browser
) -> None:
    created = httpx.post(f"{server.url}/api/boards", json={"protected": True}).json()
    board, links = created["id"], created["links"]
    editor = open_board(browser, f"{server.url}/b/{board}#token={links['editor']}", "Alice")
    viewer = open_board(browser, f"{server.url}/b/{board}#token={links['viewer']}", "Bob")
    drop(editor, png((100, 100), RED), "secret.png", "image/png", 400, 300)
    wait_images(viewer, 1)
    shows(viewer, 400, 300, RED)
    [image] = images(viewer)
    url = f"{server.url}/api/boards/{board}/images/{image['hash']}"
    assert httpx.get(url).status_code == 403  # without the link, nothing
    editor.context.close()
    viewer.context.close()


def test_an_image_copied_to_another_board_is_brought_along(
    server: LiveServer, browser: Browser
) -> None:
    alice, bob, _ = open_pair(server, browser)
    bob.context.close()
    drop(alice, png((90, 90), BLUE), "photo.png", "image/png", 400, 300)
    wait_images(alice, 1)
    alice.keyboard.press("v")
    alice.wait_for_function("() => window.inkroom.selected().length === 1")
    alice.keyboard.press("Control+c")
    other = server.create_board("Elsewhere")
    carol = open_board(browser, f"{server.url}/b/{other}", "Carol")
    carol.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    text = alice.evaluate("navigator.clipboard.readText()")
    carol.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    carol.locator("#board-canvas").click(position={"x": 900, "y": 600})
    carol.keyboard.press("Control+v")
    wait_images(carol, 1)
    [copy] = images(carol)
    assert httpx.get(f"{server.url}/api/boards/{other}/images/{copy['hash']}").status_code == 200
    shows(carol, *on_screen(carol, *middle(copy)), BLUE)
    alice.context.close()
    carol.context.close()


def test_the_gallery_thumbnail_shows_the_image(server: LiveServer, browser: Browser) -> None:
    alice, bob, board = open_pair(server, browser)
    bob.context.close()
    drop(alice, png((300, 200), BLUE), "photo.png", "image/png", 500, 300)
    wait_images(alice, 1)
    expect(alice.locator("#status")).to_have_attribute("data-state", "saved", timeout=SEEN)
    alice.goto(server.url)
    thumbnail = alice.locator(f'.card[data-board="{board}"] .thumb img')
    alice.wait_for_function(
        """(id) => {
          const image = document.querySelector(`.card[data-board="${id}"] .thumb img`);
          return Boolean(image && image.complete && image.naturalWidth > 0);
        }""",
        arg=board,
        timeout=SEEN,
    )
    assert "thumbnail=true" in (thumbnail.get_attribute("src") or "")
    shot = Image.open(io.BytesIO(thumbnail.screenshot())).convert("RGB")
    width, height = shot.size
    assert shot.getpixel((width // 2, height // 2)) == pytest.approx(BLUE, abs=40)
    keep(alice, "image-gallery")
    alice.context.close()
