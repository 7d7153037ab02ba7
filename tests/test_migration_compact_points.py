"""The compact-points migration on a database made with the previous schema and old payloads."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import msgpack
from alembic import command
from sqlalchemy import create_engine, text

from server import points
from server.config import database_url
from server.migrate import alembic_config, upgrade
from server.store import new_board_id
from tests.live_server import running
from tests.wire import stored_log

BEFORE = "b9df6d02486a"  # the revision before compact points
COMPACT_POINTS = "5c0a7e3d9b21"  # this migration
STROKES = 1_500  # more than one of the migration's batches
# Alembic's environment runs its own event loop, so migrations run in a thread here.


def old_payload(op: dict[str, Any]) -> bytes:
    """A payload as the previous ``encode_operation`` stored it: msgpack, floats as float32."""
    packed: bytes = msgpack.packb(op, use_single_float=True)
    return packed


def old_stroke(rng: random.Random, index: int) -> dict[str, Any]:
    flat: list[float] = []
    x, y = rng.uniform(-5_000, 5_000), rng.uniform(-5_000, 5_000)
    for _ in range(rng.randint(1, 40)):
        x, y = x + rng.uniform(-4, 4), y + rng.uniform(-4, 4)
        flat += [x, y, rng.uniform(0, 1)]
    return {"kind": "stroke", "id": f"stroke-{index:06d}", "tool": "pen", "color": "#1e1e1e",
            "width": 4.0, "points": flat}  # fmt: skip


async def fill_the_old_way(url: str) -> dict[str, list[dict[str, Any]]]:
    """Two boards of old payloads: strokes, and other kinds in between. Written with plain SQL
    for the schema of that revision (today's store writes columns it did not have yet)."""
    rng = random.Random(1129)
    logs: dict[str, list[dict[str, Any]]] = {}
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.begin() as connection:
        for title, count in (("first", STROKES), ("second", 30)):
            board_id = new_board_id()
            log: list[dict[str, Any]] = []
            for index in range(count):
                log.append(old_stroke(rng, index))
                if index % 10 == 9:
                    log.append({"kind": "erase", "id": f"erase-{index:06d}",
                                "targets": [log[-2]["id"]]})  # fmt: skip
            payloads = [old_payload(op) for op in log]
            connection.execute(
                text(
                    "INSERT INTO boards (id, title, created_at, updated_at, head_seq, protected, "
                    "locked, stored_bytes) VALUES (:id, :title, :now, :now, :head, 0, 0, :bytes)"
                ),
                {"id": board_id, "title": title, "now": "2026-11-28 12:00:00",
                 "head": len(log), "bytes": sum(map(len, payloads))},
            )  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO operations (board_id, seq, op_id, author, kind, payload, "
                    "created_at) VALUES (:board, :seq, :id, 'author-01', :kind, :payload, :now)"
                ),
                [{"board": board_id, "seq": seq, "id": op["id"], "kind": op["kind"],
                  "payload": payload, "now": "2026-11-28 12:00:00"}
                 for seq, (op, payload) in enumerate(zip(log, payloads, strict=True), start=1)],
            )  # fmt: skip
            logs[board_id] = log
    engine.dispose()
    return logs


def stored_bytes(url: str) -> dict[str, tuple[int, int]]:
    """Per board: its ``stored_bytes`` and the actual sum of its payloads."""
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, stored_bytes, (SELECT SUM(LENGTH(payload)) FROM operations "
                "WHERE board_id = boards.id) FROM boards"
            )
        ).all()
    engine.dispose()
    return {row[0]: (row[1], row[2]) for row in rows}


FORMER_UNITS = points.FORMER_UNITS  # this migration's units


def compact(flat: list[float]) -> bytes:
    return points.encode(flat, *FORMER_UNITS)


def in_todays_units(former: bytes) -> bytes:
    return points.encode(points.decode(former, None, None, *FORMER_UNITS))


def float32(values: list[float]) -> list[float]:
    unpacked: list[float] = msgpack.unpackb(msgpack.packb(values, use_single_float=True))
    return unpacked


async def test_old_strokes_come_back_compact_with_their_ids_and_seqs(tmp_path: Path) -> None:
    database = tmp_path / "boards.db"
    url = database_url(str(database))
    await asyncio.to_thread(upgrade, url, BEFORE)
    logs = await fill_the_old_way(url)
    before = stored_bytes(url)
    assert all(counted == total for counted, total in before.values())

    await asyncio.to_thread(upgrade, url)

    after = stored_bytes(url)
    for board_id, (counted, total) in after.items():
        assert counted == total, "stored_bytes follows the rewritten payloads"
        assert counted < before[board_id][0] / 2
    with running(database) as live:
        for board_id, log in logs.items():
            replayed = await stored_log(live.ws_url(board_id))
            assert [(seq, op.id) for seq, _, op in replayed] == [
                (seq, op["id"]) for seq, op in enumerate(log, start=1)
            ]
            for (_, author, op), old in zip(replayed, log, strict=True):
                assert author == "author-01"
                if old["kind"] == "stroke":
                    # The quantized form of the float32 values the old payload held, in the
                    # units of this migration, then in today's (the next migration's work).
                    assert op.points == in_todays_units(compact(float32(old["points"])))
                else:
                    assert op.model_dump(exclude_none=True) == old


async def test_downgrade_writes_the_quantized_points_back_as_float_lists(tmp_path: Path) -> None:
    url = database_url(str(tmp_path / "boards.db"))
    await asyncio.to_thread(upgrade, url, BEFORE)
    logs = await fill_the_old_way(url)
    await asyncio.to_thread(upgrade, url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), BEFORE)

    for board_id, seq, payload in payloads(url):
        op, old = msgpack.unpackb(payload), logs[board_id][seq - 1]
        if old["kind"] == "stroke":
            # Back through both migrations: today's units, then this migration's, then floats.
            today = points.decode(in_todays_units(compact(float32(old["points"]))))
            assert op["points"] == float32(
                points.decode(points.encode(today, *FORMER_UNITS), None, None, *FORMER_UNITS)
            )
        else:
            assert op == old
    assert all(counted == total for counted, total in stored_bytes(url).values())


async def test_payloads_already_compact_are_left_as_they_are(tmp_path: Path) -> None:
    url = database_url(str(tmp_path / "boards.db"))
    await asyncio.to_thread(upgrade, url, BEFORE)
    await fill_the_old_way(url)
    await asyncio.to_thread(upgrade, url, COMPACT_POINTS)
    migrated, counted = payloads(url), stored_bytes(url)
    # As if the upgrade had not been recorded: it runs again over compact payloads.
    await asyncio.to_thread(command.stamp, alembic_config(url), BEFORE)
    await asyncio.to_thread(upgrade, url, COMPACT_POINTS)
    assert (payloads(url), stored_bytes(url)) == (migrated, counted)


def payloads(url: str) -> list[tuple[str, int, bytes]]:
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT board_id, seq, payload FROM operations ORDER BY board_id, seq")
        ).all()
    engine.dispose()
    return [(row[0], row[1], row[2]) for row in rows]
