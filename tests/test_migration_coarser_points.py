"""The coarser-point-units migration on a database made with the previous revision and real data:
strokes stored in 1/16 unit and 1/255 pressure, and a snapshot of the previous format."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import brotli
import msgpack
from alembic import command
from sqlalchemy import create_engine, text

from bench.strokes import pen_stroke
from server import points
from server.config import database_url
from server.migrate import alembic_config, upgrade
from server.store import new_board_id
from tests.live_server import running
from tests.test_migration_compact_points import payloads, stored_bytes
from tests.wire import stored_log

BEFORE = "50d754aee8bc"  # the revision before coarser point units
STROKES = 1_200  # more than one of the migration's batches
FORMER = points.FORMER_UNITS


def former_stroke(rng: random.Random, index: int) -> dict[str, Any]:
    """A stroke as the previous revision stored it: points in the former units."""
    flat = pen_stroke(rng, rng.randint(1, 60))
    if index % 3 == 0:  # anywhere on the board, any pressure, mouse strokes too
        flat = [v * 1_000 if i % 3 != 2 else v for i, v in enumerate(flat)]
    if index % 5 == 0:
        flat[2::3] = [0.5] * (len(flat) // 3)
    return {"kind": "stroke", "id": f"stroke-{index:06d}", "tool": "pen", "color": "#1e1e1e",
            "width": 4.0, "points": points.encode(flat, *FORMER)}  # fmt: skip


def fill_the_former_way(url: str) -> dict[str, list[dict[str, Any]]]:
    """Two boards of strokes (erases in between) and a stored snapshot of the previous format,
    written with plain SQL for the schema of that revision."""
    rng = random.Random(1203)
    logs: dict[str, list[dict[str, Any]]] = {}
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.begin() as connection:
        for title, count in (("first", STROKES), ("second", 30)):
            board_id = new_board_id()
            log: list[dict[str, Any]] = []
            for index in range(count):
                log.append(former_stroke(rng, index))
                if index % 10 == 9:
                    log.append({"kind": "erase", "id": f"erase-{index:06d}",
                                "targets": [log[-2]["id"]]})  # fmt: skip
            stored = [msgpack.packb(op, use_single_float=True) for op in log]
            connection.execute(
                text(
                    "INSERT INTO boards (id, title, created_at, updated_at, head_seq, protected, "
                    "locked, stored_bytes) VALUES (:id, :title, :now, :now, :head, 0, 0, :bytes)"
                ),
                {"id": board_id, "title": title, "now": "2026-12-02 12:00:00",
                 "head": len(log), "bytes": sum(map(len, stored))},
            )  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO operations (board_id, seq, op_id, author, kind, payload, "
                    "created_at) VALUES (:board, :seq, :id, 'author-01', :kind, :payload, :now)"
                ),
                [{"board": board_id, "seq": seq, "id": op["id"], "kind": op["kind"],
                  "payload": payload, "now": "2026-12-02 12:00:00"}
                 for seq, (op, payload) in enumerate(zip(log, stored, strict=True), start=1)],
            )  # fmt: skip
            former_part = msgpack.packb({"format": 1, "board": board_id, "seq": len(log),
                                         "part": 0, "authors": [], "entries": []})  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO snapshots (board_id, seq, part, count, raw_bytes, body, "
                    "created_at) VALUES (:board, :seq, 0, 0, :raw, :body, :now)"
                ),
                {"board": board_id, "seq": len(log), "raw": len(former_part),
                 "body": brotli.compress(former_part), "now": "2026-12-02 12:00:00"},
            )  # fmt: skip
            logs[board_id] = log
    engine.dispose()
    return logs


def in_todays_units(former: bytes) -> bytes:
    return points.encode(points.decode(former, None, None, *FORMER))


def snapshot_rows(url: str) -> int:
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.connect() as connection:
        count: int = connection.execute(text("SELECT COUNT(*) FROM snapshots")).scalar_one()
    engine.dispose()
    return count


async def test_strokes_come_back_in_the_coarser_units_where_they_were_drawn(
    tmp_path: Path,
) -> None:
    database = tmp_path / "boards.db"
    url = database_url(str(database))
    await asyncio.to_thread(upgrade, url, BEFORE)
    logs = await asyncio.to_thread(fill_the_former_way, url)
    before = stored_bytes(url)

    await asyncio.to_thread(upgrade, url)

    assert snapshot_rows(url) == 0, "snapshots of the previous format are gone"
    for board_id, (counted, total) in stored_bytes(url).items():
        assert counted == total, "stored_bytes follows the rewritten payloads"
        assert counted < before[board_id][0]
    with running(database) as live:
        for board_id, log in logs.items():
            replayed = await stored_log(live.ws_url(board_id))
            assert [(seq, op.id) for seq, _, op in replayed] == [
                (seq, op["id"]) for seq, op in enumerate(log, start=1)
            ]
            for (_, author, op), old in zip(replayed, log, strict=True):
                assert author == "author-01"
                if old["kind"] == "stroke":
                    assert op.points == in_todays_units(old["points"])
                    drawn = points.decode(op.points)
                    was = points.decode(old["points"], None, None, *FORMER)
                    # Within half a step of each unit, where it was drawn: x and y within
                    # 1/16 of a unit, the pressure within 1/64 (a mouse's 0.5 exactly).
                    steps = [1 / 16, 1 / 16, 1 / 64] * (len(drawn) // 3)
                    pairs = zip(drawn, was, steps, strict=True)
                    assert all(abs(a - b) <= step for a, b, step in pairs)
                    if all(p == 128 / 255 for p in was[2::3]):  # a mouse's, quantized
                        assert all(p == 0.5 for p in drawn[2::3])
                else:
                    assert op.model_dump(exclude_none=True) == old


async def test_downgrade_writes_the_points_back_in_the_former_units(tmp_path: Path) -> None:
    url = database_url(str(tmp_path / "boards.db"))
    await asyncio.to_thread(upgrade, url, BEFORE)
    logs = await asyncio.to_thread(fill_the_former_way, url)
    await asyncio.to_thread(upgrade, url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), BEFORE)

    for board_id, seq, payload in payloads(url):
        op, old = msgpack.unpackb(payload), logs[board_id][seq - 1]
        if old["kind"] == "stroke":
            coarser = points.decode(in_todays_units(old["points"]))
            assert op["points"] == points.encode(coarser, *FORMER)
        else:
            assert op == old
    assert all(counted == total for counted, total in stored_bytes(url).values())
