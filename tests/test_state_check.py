"""Desync repair: the server's state hash every few operations, the same hash in the browser,
and a page whose copy of the board was tampered with repairing itself."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest
from alembic import command
from playwright.sync_api import Browser, expect

from server import protocol
from server.config import database_url
from server.migrate import alembic_config
from tests.live_server import LiveServer, running
from tests.test_board_cache import draw_strokes, open_and_wait
from tests.test_board_twins import FRONTEND
from tests.wire import BoardClient, stroke

CHECK_EVERY_5 = {"INKROOM_STATE_CHECK_EVERY_OPS": "5"}


def fold(rows: list[tuple[int, str, str, str]]) -> int:
    value = protocol.EMPTY_STATE_HASH
    for seq, author, kind, op_id in rows:
        value = protocol.next_state_hash(value, seq, author, kind, op_id)
    return value


def test_the_browser_computes_the_same_state_hash_as_the_server() -> None:
    node = shutil.which("node")
    assert node, "node is needed for the browser's board"
    rng = random.Random(9)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    rows = [
        (seq, "".join(rng.choices(alphabet, k=rng.randint(8, 64))), rng.choice(["stroke", "undo"]),
         "".join(rng.choices(alphabet, k=rng.randint(8, 64))))
        for seq in range(1, 400)
    ]  # fmt: skip
    script = """
    import { readFileSync } from "node:fs";
    import { nextStateHash } from "./js/board.js";
    import { EMPTY_STATE_HASH } from "./js/protocol.gen.js";
    let value = EMPTY_STATE_HASH;
    const values = JSON.parse(readFileSync(0, "utf8")).map(([seq, author, kind, id]) =>
      (value = nextStateHash(value, seq, author, kind, id)));
    process.stdout.write(JSON.stringify(values));
    """
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        input=json.dumps(rows), capture_output=True, text=True, cwd=FRONTEND, check=True,
    )  # fmt: skip
    expected = [fold(rows[: index + 1]) for index in range(len(rows))]
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize("server", [CHECK_EVERY_5], indirect=True)
async def test_every_fifth_operation_is_followed_by_the_boards_state_hash(
    server: LiveServer, board_id: str, clients: list[BoardClient]
) -> None:
    author, watcher = BoardClient(server.ws_url(board_id)), BoardClient(server.ws_url(board_id))
    clients += [author, watcher]
    await author.join()
    await watcher.join()
    ops = [stroke(x=float(i)) for i in range(11)]
    for op in ops:
        await author.submit(op)
        await author.expect("ack", id=op.id)
    rows = [(i + 1, author.user, "stroke", op.id) for i, op in enumerate(ops)]
    for client in (author, watcher):
        checks = [await client.expect("check", seq=seq) for seq in (5, 10)]
        assert [c.hash for c in checks] == [fold(rows[:5]), fold(rows[:10])]
    order = [m.type for m in watcher.received if m.type in ("committed", "check")]
    assert order[:6] == ["committed"] * 5 + ["check"]  # right after the operation it covers


def test_boards_from_before_the_state_hash_get_theirs_from_their_operations(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    config = alembic_config(database_url(str(path)))
    command.upgrade(config, "fac8db64dcf1")  # the revision before the state hash
    rows = [(1, "author-aa", "stroke", "op-one-1"), (2, "author-bb", "clear", "op-two-2")]
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO boards (id, title, created_at, updated_at, head_seq) "
            "VALUES ('old-board', 'Old', '2026-11-01', '2026-11-01', 2)"
        )
        db.executemany(
            "INSERT INTO operations (board_id, seq, op_id, author, kind, payload, created_at) "
            "VALUES ('old-board', ?, ?, ?, ?, x'80', '2026-11-01')",
            [(seq, op_id, author, kind) for seq, author, kind, op_id in rows],
        )
    command.upgrade(config, "head")
    with sqlite3.connect(path) as db:
        (stored,) = db.execute("SELECT state_hash FROM boards WHERE id = 'old-board'").fetchone()
    assert stored == fold(rows)


def test_a_page_whose_copy_was_tampered_with_repairs_itself_without_reloading(
    tmp_path: Path, browser: Browser
) -> None:
    with running(tmp_path / "inkroom.db", CHECK_EVERY_5) as server:
        board_id = server.create_board("Checked")
        drawn = draw_strokes(server, board_id, 3)
        context = browser.new_context(viewport={"width": 1000, "height": 700})
        page = open_and_wait(context, f"{server.url}/b/{board_id}", len(drawn), "Checker")
        page.evaluate("window.notReloaded = true")
        page.evaluate("(id) => window.inkroom.dropLocally(id)", drawn[1])
        page.wait_for_function("() => window.inkroom.visibleStrokes().length === 2")
        more = draw_strokes(server, board_id, 2, x=300.0)  # seq 5 brings a check
        page.wait_for_function("() => window.inkroom.repairs() === 1", timeout=20_000)
        page.wait_for_function(
            f"() => window.inkroom.visibleStrokes().length === {len(drawn) + len(more)}",
            timeout=20_000,
        )
        expect(page.locator("#status")).to_have_attribute("data-state", "saved", timeout=20_000)
        assert page.evaluate("window.notReloaded") is True
        metrics = httpx.get(f"{server.url}/metrics").text
        assert "inkroom_desyncs_total 1.0" in metrics
        context.close()
