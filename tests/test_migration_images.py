"""The images migration, on SQLite and on PostgreSQL: a board drawn before it keeps its log and
takes images after it; the downgrade takes the images away and leaves the log."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from alembic import command
from PIL import Image
from sqlalchemy import inspect, text

from server import images, protocol
from server.config import database_url
from server.migrate import alembic_config, upgrade
from server.store import Store, create_engines
from tests.services import PostgresServer
from tests.wire import stroke

BEFORE = "3f1b8c64d2e7"  # the revision before images
# Alembic's environment runs its own event loop, so migrations run in a thread here.


def a_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 16), (200, 100, 0)).save(out, "PNG")
    return out.getvalue()


async def table_names(store: Store) -> set[str]:
    async with store.reader.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def stored_seqs(store: Store, board_id: str) -> list[int]:
    return [row.seq for row in await store.read_operations(board_id, 0, 10)]


async def the_migration_there_and_back(url: str) -> None:
    await asyncio.to_thread(upgrade, url, BEFORE)
    store = Store(*create_engines(url))
    try:
        assert "images" not in await table_names(store)
        board, _ = await store.create_board("Drawn before images")
        async with store.writer.begin() as conn:  # a stroke, as the previous revision stored it
            await conn.execute(
                text(
                    "INSERT INTO operations (board_id, seq, op_id, author, kind, payload, "
                    "created_at) VALUES (:board, 1, 'stroke-000001', 'author-01', 'stroke', "
                    ":payload, :now)"
                ),
                {"board": board.id, "payload": protocol.encode_operation(stroke()),
                 "now": board.created_at},
            )  # fmt: skip
            await conn.execute(
                text("UPDATE boards SET head_seq = 1 WHERE id = :b"), {"b": board.id}
            )
    finally:
        await store.dispose()

    await asyncio.to_thread(upgrade, url)
    store = Store(*create_engines(url))
    try:
        kept = images.prepare(a_png())
        assert await store.save_image(board.id, kept) is True
        assert await store.save_image(board.id, kept) is False  # kept once
        found = await store.image(board.id, kept.hash)
        assert found is not None and (found.type, found.body) == ("image/png", kept.body)
        assert await stored_seqs(store, board.id) == [1]
    finally:
        await store.dispose()

    await asyncio.to_thread(command.downgrade, alembic_config(url), BEFORE)
    store = Store(*create_engines(url))
    try:
        assert "images" not in await table_names(store)
        assert await stored_seqs(store, board.id) == [1]
    finally:
        await store.dispose()
    await asyncio.to_thread(upgrade, url)  # and up again


async def test_the_images_table_comes_and_goes_on_sqlite(tmp_path: Path) -> None:
    await the_migration_there_and_back(database_url(str(tmp_path / "boards.db")))


async def test_the_images_table_comes_and_goes_on_postgresql(postgres: PostgresServer) -> None:
    await the_migration_there_and_back(postgres.new_database())
