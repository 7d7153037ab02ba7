"""Two people in Chromium on one board through nginx (the documented example), each page on a
process of its own: they draw together, and when one's process is killed, that page reconnects
through nginx to the other process by itself and what it drew reaches the other person."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.cluster import Deployment, behind_nginx, connections
from tests.services import PostgresServer, RedisServer
from tests.test_browser import drag, open_board, visible_strokes

pytestmark = pytest.mark.browser


def wait_connections(deployment: Deployment, total: int) -> list[float]:
    deadline = time.monotonic() + 20
    while sum(counts := connections(deployment)) != total:
        assert time.monotonic() < deadline, f"open sockets: {counts}"
        time.sleep(0.1)
    return counts


def test_two_pages_through_nginx_draw_together_and_one_survives_its_process_being_killed(
    tmp_path: Path, postgres: PostgresServer, redis_server: RedisServer, browser: Browser
) -> None:
    with behind_nginx(tmp_path, postgres, redis_server) as (nginx, deployment):
        created = httpx.post(f"{nginx.url}/api/boards", json={"title": "Balanced"}, timeout=10)
        url = f"{nginx.url}/b/{created.json()['id']}"
        alice = open_board(browser, url, "Alice")
        alices = wait_connections(deployment, 1).index(1)
        bob = open_board(browser, url, "Bob")
        # A process each. nginx sends a socket to the process with fewer open (least_conn); one
        # that was slow to answer on a busy machine is passed over for the other: then again.
        for _ in range(3):
            if wait_connections(deployment, 2) == [1, 1]:
                break
            bob.context.close()
            wait_connections(deployment, 1)
            bob = open_board(browser, url, "Bob")
        assert wait_connections(deployment, 2) == [1, 1]
        expect(alice.locator("#people")).to_contain_text("Bob", timeout=20_000)
        expect(bob.locator("#people")).to_contain_text("Alice", timeout=20_000)

        drag(alice, [(100, 100), (160, 130), (220, 120)])
        bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 1", timeout=20_000)
        drag(bob, [(300, 300), (380, 340)])
        alice.wait_for_function(
            "() => window.inkroom.visibleStrokes().length === 2", timeout=20_000
        )
        expect(alice.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)

        deployment.servers[alices].kill()
        drag(alice, [(500, 200), (600, 260)])  # drawn as the page finds its process gone
        # The page reconnects through nginx, to Bob's process, and sends it.
        expect(alice.locator("#status")).to_have_attribute("data-state", "saved", timeout=30_000)
        bob.wait_for_function("() => window.inkroom.visibleStrokes().length === 3", timeout=20_000)
        assert wait_connections(deployment, 2) == [2]
        assert [s["id"] for s in visible_strokes(bob)] == [s["id"] for s in visible_strokes(alice)]
        expect(bob.locator("#people")).to_contain_text("Alice", timeout=20_000)
        for page in (alice, bob):
            page.context.close()
