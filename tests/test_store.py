"""The operation log on a real SQLite file, with the real migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from server import protocol
from server.access import Role
from server.config import database_url
from server.migrate import alembic_config, upgrade
from server.protocol import ErrorCode
from server.store import Quota, Store, create_engines
from server.submission import Submission
from tests.wire import stroke


@pytest.fixture
def url(tmp_path: Path) -> str:
    address = database_url(str(tmp_path / "boards.db"))
    upgrade(address)
    return address


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    opened = Store(*create_engines(url))
    yield opened
    await opened.dispose()


def submission(board_id: str, op: protocol.OperationModel, author: str = "author-01") -> Submission:
    return Submission(
        board_id, op.id, author, op.kind, getattr(op, "target", None),
        protocol.encode_operation(op),
    )  # fmt: skip


def undo(target: str) -> protocol.UndoOp:
    return protocol.UndoOp(kind="undo", id=f"undo-{target}", target=target)


async def seqs(store: Store, board_id: str) -> list[int]:
    return [row.seq for row in await store.read_operations(board_id, 0, 10_000)]


def test_migrations_build_the_schema_the_code_declares(url: str) -> None:
    command.check(alembic_config(url))  # raises when the models and migrations disagree


def test_migrations_go_down_to_nothing_and_back(url: str) -> None:
    config = alembic_config(url)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    command.check(config)


async def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(store: Store) -> None:
    async with store.writer.connect() as conn:
        journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        synchronous = (await conn.execute(text("PRAGMA synchronous"))).scalar()
        foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
    assert (journal, synchronous, foreign_keys) == ("wal", 2, 1)  # 2 is FULL


async def test_sequence_numbers_are_contiguous_per_board_across_batches(store: Store) -> None:
    first, _ = await store.create_board("first")
    second, _ = await store.create_board("second")
    for size in (1, 5, 3):
        batch = [submission(b.id, stroke()) for _ in range(size) for b in (first, second)]
        await store.append(batch)
        assert all(s.error is None and not s.duplicate for s in batch)
    assert await seqs(store, first.id) == list(range(1, 10))
    assert await seqs(store, second.id) == list(range(1, 10))
    board = await store.get_board(first.id)
    assert board is not None and board.head_seq == 9


async def test_a_resent_operation_is_stored_once_and_gets_its_first_seq(store: Store) -> None:
    board, _ = await store.create_board("resend")
    op = stroke()
    first = submission(board.id, op)
    await store.append([first])
    again, twin = submission(board.id, op), submission(board.id, op)
    later = submission(board.id, stroke())
    await store.append([again, later, twin])
    assert (again.duplicate, again.seq, twin.duplicate, twin.seq) == (True, 1, True, 1)
    assert later.seq == 2
    assert await seqs(store, board.id) == [1, 2]


async def test_a_duplicate_in_one_batch_gets_the_seq_of_its_first_copy(store: Store) -> None:
    board, _ = await store.create_board("twins")
    op = stroke()
    one, two = submission(board.id, op), submission(board.id, op)
    await store.append([one, two])
    assert (one.seq, one.duplicate, two.seq, two.duplicate) == (1, False, 1, True)


async def test_another_authors_operation_id_is_refused(store: Store) -> None:
    board, _ = await store.create_board("ids")
    op = stroke()
    await store.append([submission(board.id, op, "author-01")])
    stolen = submission(board.id, op, "author-02")
    await store.append([stolen])
    assert (stolen.error, stolen.seq) == (ErrorCode.DUPLICATE_ID, None)


async def test_undo_needs_an_existing_own_undoable_target(store: Store) -> None:
    board, _ = await store.create_board("undo")
    mine = stroke()
    await store.append([submission(board.id, mine, "author-01")])
    missing = submission(board.id, undo("no-such-op"), "author-01")
    theirs = submission(board.id, undo(mine.id), "author-02")
    await store.append([missing, theirs])
    assert (missing.error, theirs.error) == (ErrorCode.UNKNOWN_TARGET, ErrorCode.FORBIDDEN)
    own = submission(board.id, undo(mine.id), "author-01")
    await store.append([own])
    assert own.seq == 2
    undo_of_undo = submission(board.id, undo(own.op_id), "author-01")
    await store.append([undo_of_undo])
    assert undo_of_undo.error == ErrorCode.FORBIDDEN


async def test_an_undo_may_aim_at_an_operation_of_the_same_batch(store: Store) -> None:
    board, _ = await store.create_board("same batch")
    op = stroke()
    batch = [submission(board.id, op), submission(board.id, undo(op.id))]
    await store.append(batch)
    assert [s.seq for s in batch] == [1, 2]


async def test_history_is_read_in_order_a_page_at_a_time(store: Store) -> None:
    board, _ = await store.create_board("pages")
    await store.append([submission(board.id, stroke()) for _ in range(25)])
    page = await store.read_operations(board.id, 10, 7)
    assert [row.seq for row in page] == list(range(11, 18))
    assert [row.seq async for row in store.history(board.id, page=4)] == list(range(1, 26))


async def test_recent_boards_put_the_last_changed_first_and_hide_protected_ones(
    store: Store,
) -> None:
    old, _ = await store.create_board("old")
    new, _ = await store.create_board("new")
    secret, _ = await store.create_board("secret", protected=True)
    assert [b.id for b in await store.recent_boards(10)] == [new.id, old.id]
    await asyncio.sleep(0.01)
    await store.append([submission(old.id, stroke())])
    assert [b.id for b in await store.recent_boards(10)] == [old.id, new.id]
    assert secret.id not in [b.id for b in await store.recent_boards(10)]


async def test_a_board_refuses_operations_past_its_quota(url: str) -> None:
    store = Store(*create_engines(url), Quota(operations=3))
    try:
        board, _ = await store.create_board("small")
        batch = [submission(board.id, stroke()) for _ in range(5)]
        await store.append(batch)
        assert [s.error for s in batch] == [None] * 3 + [ErrorCode.BOARD_FULL] * 2
        assert await seqs(store, board.id) == [1, 2, 3]
    finally:
        await store.dispose()


async def test_two_writers_on_one_file_never_share_a_sequence_number(url: str) -> None:
    stores = [Store(*create_engines(url)) for _ in range(2)]
    try:
        board, _ = await stores[0].create_board("contended")

        async def write(store: Store) -> None:
            for _ in range(20):
                await store.append([submission(board.id, stroke()) for _ in range(3)])

        await asyncio.gather(*(write(s) for s in stores))
        assert await seqs(stores[0], board.id) == list(range(1, 121))
    finally:
        for store in stores:
            await store.dispose()


async def test_link_tokens_are_stored_hashed_and_replacing_one_retires_it(store: Store) -> None:
    board, links = await store.create_board("links", protected=True)
    assert set(links) == {"owner", "editor", "viewer"}
    async with store.reader.connect() as conn:
        stored = (await conn.execute(text("SELECT token_hash FROM board_links"))).scalars().all()
    assert not set(links.values()) & set(stored)
    assert await store.link_role(board.id, links["viewer"]) == "viewer"
    fresh = await store.replace_link(board.id, Role.VIEWER)
    assert await store.link_role(board.id, links["viewer"]) is None
    assert await store.link_role(board.id, fresh) == "viewer"
