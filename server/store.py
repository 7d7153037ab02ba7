"""Boards and their operation logs: the only module that speaks SQL."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, event, false, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from server.access import Role, new_link_token, token_hash
from server.images import Prepared
from server.protocol import UNDOABLE_KINDS, ErrorCode, next_state_hash
from server.submission import Submission
from server.tables import board_links, boards, images, operations, participants, snapshots


@dataclass(frozen=True)
class Board:
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    head_seq: int
    protected: bool = False
    locked: bool = False


@dataclass(frozen=True)
class StoredOperation:
    seq: int
    author: str
    payload: bytes


@dataclass(frozen=True)
class StoredImage:
    """An image file as the board keeps it (``type`` is its media type)."""

    hash: str
    type: str
    width: int
    height: int
    body: bytes


class BoardFull(Exception):
    """The board holds as many bytes as its quota allows."""


@dataclass(frozen=True)
class SnapshotPart:
    """Where one part of a stored snapshot lies; ``bounds`` is None for the rules part."""

    index: int
    count: int
    bounds: tuple[float, float, float, float] | None


@dataclass(frozen=True)
class Snapshot:
    seq: int
    parts: list[SnapshotPart]


def new_board_id() -> str:
    """128 random bits: a board's id is its address, so it must be unguessable."""
    return secrets.token_urlsafe(16)


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _board(row: Any) -> Board:
    return Board(
        row.id,
        row.title,
        _utc(row.created_at),
        _utc(row.updated_at),
        row.head_seq,
        row.protected,
        row.locked,
    )


def _configure_sqlite(engine: AsyncEngine, begin: str, synchronous: str) -> None:
    """WAL, durable commits and explicit transactions for SQLite (see docs/storage.md)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)


def create_engines(url: str, sqlite_synchronous: str = "FULL") -> tuple[AsyncEngine, AsyncEngine]:
    """An engine for readers and one for the single writer.

    SQLite allows one writer at a time; the writer's transactions start with BEGIN IMMEDIATE so
    that a read followed by a write never fails on a lock taken in between.
    """
    if not url.startswith("sqlite"):
        engine = create_async_engine(url, pool_pre_ping=True)
        return engine, engine
    if synchronous_mode := sqlite_synchronous.upper():
        if synchronous_mode not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"unknown SQLite synchronous mode {sqlite_synchronous!r}")
    reader = create_async_engine(url)
    writer = create_async_engine(url, pool_size=1, max_overflow=0)
    _configure_sqlite(reader, "BEGIN", synchronous_mode)
    _configure_sqlite(writer, "BEGIN IMMEDIATE", synchronous_mode)
    return reader, writer


@dataclass(frozen=True)
class Quota:
    """How much history one board may hold."""

    operations: int = 1_000_000
    bytes: int = 512 * 1024 * 1024


class Store:
    def __init__(
        self, reader: AsyncEngine, writer: AsyncEngine, quota: Quota | None = None
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.quota = quota or Quota()
        # (board, user) -> (name, color) known to be stored, so that names cost a write only
        # when they change.
        self._named: dict[tuple[str, str], tuple[str, str]] = {}

    async def dispose(self) -> None:
        await self.reader.dispose()
        if self.writer is not self.reader:
            await self.writer.dispose()

    async def create_board(
        self, title: str, protected: bool = False
    ) -> tuple[Board, dict[Role, str]]:
        """A new board and its links: an owner link always, edit and view links if protected."""
        now = datetime.now(UTC)
        board = Board(new_board_id(), title, now, now, 0, protected, False)
        roles = [Role.OWNER, Role.EDITOR, Role.VIEWER] if protected else [Role.OWNER]
        links = {role: new_link_token() for role in roles}
        async with self.writer.begin() as conn:
            await conn.execute(
                insert(boards).values(
                    id=board.id,
                    title=title,
                    created_at=now,
                    updated_at=now,
                    head_seq=0,
                    protected=protected,
                    locked=False,
                )
            )
            await conn.execute(
                insert(board_links),
                [
                    {"board_id": board.id, "role": role.value, "token_hash": token_hash(token),
                     "created_at": now}
                    for role, token in links.items()
                ],
            )  # fmt: skip
        return board, links

    async def link_role(self, board_id: str, token: str) -> Role | None:
        """The role a link token grants on this board, if it is one of the board's links."""
        query = select(board_links.c.role).where(
            board_links.c.board_id == board_id, board_links.c.token_hash == token_hash(token)
        )
        async with self.reader.begin() as conn:
            role = (await conn.execute(query)).scalar_one_or_none()
        return Role(role) if role else None

    async def replace_link(self, board_id: str, role: Role) -> str:
        """A new token for the role's link; the old one stops working."""
        token = new_link_token()
        async with self.writer.begin() as conn:
            await conn.execute(
                delete(board_links).where(
                    board_links.c.board_id == board_id, board_links.c.role == role.value
                )
            )
            await conn.execute(
                insert(board_links).values(
                    board_id=board_id,
                    role=role.value,
                    token_hash=token_hash(token),
                    created_at=datetime.now(UTC),
                )
            )
        return token

    async def revoke_link(self, board_id: str, role: Role) -> None:
        async with self.writer.begin() as conn:
            await conn.execute(
                delete(board_links).where(
                    board_links.c.board_id == board_id, board_links.c.role == role.value
                )
            )

    async def change_board(self, board_id: str, **values: Any) -> Board | None:
        """Set ``title``, ``protected`` or ``locked``; None if there is no such board."""
        async with self.writer.begin() as conn:
            await conn.execute(
                update(boards)
                .where(boards.c.id == board_id)
                .values(**values, updated_at=datetime.now(UTC))
            )
        return await self.get_board(board_id)

    async def delete_board(self, board_id: str) -> bool:
        """Delete a board and its whole history; False if there was no such board."""
        async with self.writer.begin() as conn:
            await conn.execute(delete(snapshots).where(snapshots.c.board_id == board_id))
            await conn.execute(delete(images).where(images.c.board_id == board_id))
            await conn.execute(delete(participants).where(participants.c.board_id == board_id))
            await conn.execute(delete(operations).where(operations.c.board_id == board_id))
            result = await conn.execute(delete(boards).where(boards.c.id == board_id))
        return bool(result.rowcount)

    async def get_board(self, board_id: str) -> Board | None:
        async with self.reader.begin() as conn:
            row = (await conn.execute(select(boards).where(boards.c.id == board_id))).first()
        return _board(row) if row else None

    async def recent_boards(self, limit: int, offset: int = 0) -> list[Board]:
        """Open boards, most recently changed first, from the ``offset``-th on; protected boards
        are never listed."""
        query = (
            select(boards)
            .where(boards.c.protected == false())
            .order_by(boards.c.updated_at.desc(), boards.c.id)
            .limit(limit)
            .offset(offset)
        )
        async with self.reader.begin() as conn:
            return [_board(row) for row in await conn.execute(query)]

    async def read_operations(
        self, board_id: str, after_seq: int, limit: int
    ) -> list[StoredOperation]:
        """Committed operations with ``seq > after_seq``, oldest first."""
        query = (
            select(operations.c.seq, operations.c.author, operations.c.payload)
            .where(operations.c.board_id == board_id, operations.c.seq > after_seq)
            .order_by(operations.c.seq)
            .limit(limit)
        )
        async with self.reader.begin() as conn:
            return [
                StoredOperation(row.seq, row.author, row.payload)
                for row in await conn.execute(query)
            ]

    async def heads(self, board_ids: Sequence[str]) -> dict[str, int]:
        """Each board's ``head_seq``; boards that do not exist are left out."""
        query = select(boards.c.id, boards.c.head_seq).where(boards.c.id.in_(board_ids))
        async with self.reader.begin() as conn:
            return {row.id: row.head_seq for row in await conn.execute(query)}

    async def operation_rows(self, board_id: str, up_to: int) -> list[tuple[int, str, bytes]]:
        """(seq, author, payload) of every operation up to ``up_to``, oldest first."""
        query = (
            select(operations.c.seq, operations.c.author, operations.c.payload)
            .where(operations.c.board_id == board_id, operations.c.seq <= up_to)
            .order_by(operations.c.seq)
        )
        async with self.reader.begin() as conn:
            return [(row.seq, row.author, row.payload) for row in await conn.execute(query)]

    async def operation_id_at(self, board_id: str, seq: int) -> str | None:
        """The id of the operation stored as ``seq``, if there is one."""
        query = select(operations.c.op_id).where(
            operations.c.board_id == board_id, operations.c.seq == seq
        )
        async with self.reader.begin() as conn:
            op_id: str | None = (await conn.execute(query)).scalar_one_or_none()
        return op_id

    async def save_snapshot(self, board_id: str, seq: int, parts: Sequence[Any]) -> None:
        """Store a snapshot's parts (``server.snapshot.Part``); keep it and the one before it,
        which a client told of it a moment ago may still be fetching."""
        now = datetime.now(UTC)
        async with self.writer.begin() as conn:
            older = (
                await conn.execute(
                    select(snapshots.c.seq)
                    .where(snapshots.c.board_id == board_id, snapshots.c.seq < seq)
                    .order_by(snapshots.c.seq.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            if older is not None:
                await conn.execute(
                    delete(snapshots).where(
                        snapshots.c.board_id == board_id, snapshots.c.seq < older
                    )
                )
            await conn.execute(
                insert(snapshots),
                [
                    {
                        "board_id": board_id,
                        "seq": seq,
                        "part": part.index,
                        "count": part.count,
                        "left": part.bounds[0] if part.bounds else None,
                        "top": part.bounds[1] if part.bounds else None,
                        "right": part.bounds[2] if part.bounds else None,
                        "bottom": part.bounds[3] if part.bounds else None,
                        "raw_bytes": part.raw_bytes,
                        "body": part.body,
                        "created_at": now,
                    }
                    for part in parts
                ],
            )

    async def latest_snapshot(self, board_id: str) -> Snapshot | None:
        newest = (
            select(snapshots.c.seq)
            .where(snapshots.c.board_id == board_id)
            .order_by(snapshots.c.seq.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = (
            select(
                snapshots.c.seq,
                snapshots.c.part,
                snapshots.c.count.label("objects"),  # ``count`` is a method of rows
                snapshots.c.left,
                snapshots.c.top,
                snapshots.c.right,
                snapshots.c.bottom,
            )
            .where(snapshots.c.board_id == board_id, snapshots.c.seq == newest)
            .order_by(snapshots.c.part)
        )
        async with self.reader.begin() as conn:
            rows = (await conn.execute(query)).all()
        if not rows:
            return None
        return Snapshot(
            rows[0].seq,
            [
                SnapshotPart(
                    row.part,
                    row.objects,
                    None if row.left is None else (row.left, row.top, row.right, row.bottom),
                )
                for row in rows
            ],
        )

    async def snapshot_part(self, board_id: str, seq: int, part: int) -> bytes | None:
        """A part's brotli-compressed body."""
        query = select(snapshots.c.body).where(
            snapshots.c.board_id == board_id, snapshots.c.seq == seq, snapshots.c.part == part
        )
        async with self.reader.begin() as conn:
            body: bytes | None = (await conn.execute(query)).scalar_one_or_none()
        return body

    async def save_image(self, board_id: str, image: Prepared) -> bool:
        """Keep ``image`` on the board, counted against its byte quota (the file and its
        preview); False when the board held it already (nothing more is stored or counted).

        Raises:
            BoardFull: the board's quota has no room for it.
            LookupError: there is no such board.
        """
        size = len(image.body) + len(image.preview)
        async with self.writer.begin() as conn:
            # The board's row is locked (FOR UPDATE; SQLite's single writer), so two uploads of
            # one image, from any processes, store and count it once.
            current = (
                await conn.execute(
                    select(boards.c.stored_bytes).where(boards.c.id == board_id).with_for_update()
                )
            ).first()
            if current is None:
                raise LookupError(board_id)
            held = await conn.execute(
                select(images.c.hash).where(
                    images.c.board_id == board_id, images.c.hash == image.hash
                )
            )
            if held.first() is not None:
                return False
            if current.stored_bytes + size > self.quota.bytes:
                raise BoardFull(board_id)
            await conn.execute(
                insert(images).values(
                    board_id=board_id,
                    hash=image.hash,
                    type=image.type,
                    width=image.width,
                    height=image.height,
                    body=image.body,
                    preview=image.preview,
                    created_at=datetime.now(UTC),
                )
            )
            await conn.execute(
                update(boards)
                .where(boards.c.id == board_id)
                .values(stored_bytes=boards.c.stored_bytes + size)
            )
        return True

    async def image(self, board_id: str, image_hash: str) -> StoredImage | None:
        """The board's image of that hash, if it holds one."""
        found = await self.image_files(board_id, [image_hash])
        return found.get(image_hash)

    async def image_files(
        self, board_id: str, hashes: Iterable[str], preview: bool = False
    ) -> dict[str, StoredImage]:
        """The board's images among ``hashes``, by hash; with ``preview``, their small WebP
        copies instead of the files."""
        wanted = sorted(set(hashes))
        if not wanted:
            return {}
        body = images.c.preview if preview else images.c.body
        query = select(
            images.c.hash, images.c.type, images.c.width, images.c.height, body.label("file")
        ).where(images.c.board_id == board_id, images.c.hash.in_(wanted))
        async with self.reader.begin() as conn:
            return {
                row.hash: StoredImage(
                    row.hash,
                    "image/webp" if preview else row.type,
                    row.width,
                    row.height,
                    row.file,
                )
                for row in await conn.execute(query)
            }

    async def history(self, board_id: str, page: int = 2_000) -> AsyncIterator[StoredOperation]:
        """Every committed operation of a board in order, read a page at a time."""
        after = 0
        while rows := await self.read_operations(board_id, after, page):
            for row in rows:
                yield row
            after = rows[-1].seq

    async def append(self, batch: Sequence[Submission]) -> None:
        """Store a batch of operations in one transaction and fill in each outcome.

        Sequence numbers are taken from ``boards.head_seq`` in the same transaction, so any
        number of server processes can append to one board. A resent operation id gets its
        stored sequence number back and is marked ``duplicate``.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: the transaction failed; nothing was stored.
        """
        by_board: dict[str, list[Submission]] = defaultdict(list)
        for submission in batch:
            by_board[submission.board_id].append(submission)
        now = datetime.now(UTC)
        names = self._new_names(batch)
        async with self.writer.begin() as conn:
            for board_id, submissions in by_board.items():
                await self._append_to_board(conn, board_id, submissions, now)
            stored = await self._store_names(conn, names, batch)
        self._named.update(stored)

    def _new_names(self, batch: Sequence[Submission]) -> dict[tuple[str, str], tuple[str, str]]:
        names: dict[tuple[str, str], tuple[str, str]] = {}
        for s in batch:
            if s.author_name and s.author_color:
                key, name = (s.board_id, s.author), (s.author_name, s.author_color)
                if self._named.get(key) != name:
                    names[key] = name
        return names

    @staticmethod
    async def _store_names(
        conn: AsyncConnection,
        names: dict[tuple[str, str], tuple[str, str]],
        batch: Sequence[Submission],
    ) -> dict[tuple[str, str], tuple[str, str]]:
        """Keep the names of the authors whose operations were stored; returns those."""
        stored = {(s.board_id, s.author) for s in batch if s.seq is not None}
        names = {key: name for key, name in names.items() if key in stored}
        for board_id, user in names:
            await conn.execute(
                delete(participants).where(
                    participants.c.board_id == board_id, participants.c.user == user
                )
            )
        if names:
            await conn.execute(
                insert(participants),
                [
                    {"board_id": b, "user": u, "name": name, "color": color}
                    for (b, u), (name, color) in names.items()
                ],
            )
        return names

    async def timeline(
        self, board_id: str
    ) -> tuple[list[tuple[int, datetime, str, str]], dict[str, tuple[str, str]]]:
        """Every operation's (seq, time, author, kind), oldest first, and who the authors are
        (user -> name, color) as they last appeared."""
        query = (
            select(
                operations.c.seq, operations.c.created_at, operations.c.author, operations.c.kind
            )
            .where(operations.c.board_id == board_id)
            .order_by(operations.c.seq)
        )
        people = select(participants.c.user, participants.c.name, participants.c.color).where(
            participants.c.board_id == board_id
        )
        async with self.reader.begin() as conn:
            rows = [
                (r.seq, _utc(r.created_at), r.author, r.kind) for r in await conn.execute(query)
            ]
            named = {r.user: (r.name, r.color) for r in await conn.execute(people)}
        return rows, named

    async def _append_to_board(
        self,
        conn: AsyncConnection,
        board_id: str,
        submissions: list[Submission],
        now: datetime,
    ) -> None:
        # Operations already stored under these ids, and the operations undo/redo aim at.
        wanted = {s.op_id for s in submissions} | {s.target for s in submissions if s.target}
        rows = await conn.execute(
            select(
                operations.c.op_id, operations.c.seq, operations.c.author, operations.c.kind
            ).where(operations.c.board_id == board_id, operations.c.op_id.in_(wanted))
        )
        known: dict[str, tuple[int | None, str, str]] = {
            row.op_id: (row.seq, row.author, row.kind) for row in rows
        }
        accepted: list[Submission] = []
        for submission in submissions:
            self._judge(submission, known)
            if submission.error is None and not submission.duplicate:
                accepted.append(submission)
                known[submission.op_id] = (None, submission.author, submission.kind)
        accepted = await self._with_images(conn, board_id, accepted)
        if not accepted:
            return
        current = (
            await conn.execute(
                select(boards.c.head_seq, boards.c.stored_bytes, boards.c.state_hash)
                .where(boards.c.id == board_id)
                .with_for_update()
            )
        ).first()
        if current is None:
            for submission in accepted:
                submission.error, submission.reason = ErrorCode.UNKNOWN_TARGET, "board is gone"
            return
        accepted = self._in_history(accepted, current.head_seq)
        accepted = self._within_quota(accepted, current.head_seq, current.stored_bytes)
        if not accepted:
            return
        added_bytes = sum(len(s.payload) for s in accepted)
        # The row is locked (FOR UPDATE; SQLite's single writer): the numbers follow the head read.
        state_hash = current.state_hash
        for offset, submission in enumerate(accepted):
            submission.seq = current.head_seq + offset + 1
            state_hash = next_state_hash(
                state_hash, submission.seq, submission.author, submission.kind, submission.op_id
            )
            submission.state_hash = state_hash
        head = (
            await conn.execute(
                update(boards)
                .where(boards.c.id == board_id)
                .values(
                    head_seq=boards.c.head_seq + len(accepted),
                    stored_bytes=boards.c.stored_bytes + added_bytes,
                    state_hash=state_hash,
                    updated_at=now,
                )
                .returning(boards.c.head_seq)
            )
        ).scalar_one()
        assert head == accepted[-1].seq
        await conn.execute(
            insert(operations),
            [
                {
                    "board_id": board_id,
                    "seq": s.seq,
                    "op_id": s.op_id,
                    "author": s.author,
                    "kind": s.kind,
                    "payload": s.payload,
                    "created_at": now,
                }
                for s in accepted
            ],
        )
        # A duplicate inside this batch learns the sequence number of its first copy.
        seq_of = {s.op_id: s.seq for s in accepted}
        for submission in submissions:
            if submission.duplicate and submission.seq is None:
                submission.seq = seq_of.get(submission.op_id)

    @staticmethod
    async def _with_images(
        conn: AsyncConnection, board_id: str, accepted: list[Submission]
    ) -> list[Submission]:
        """The submissions whose image, if they name one, the board holds."""
        wanted = {s.image_hash for s in accepted if s.image_hash is not None}
        if not wanted:
            return accepted
        query = select(images.c.hash).where(
            images.c.board_id == board_id, images.c.hash.in_(sorted(wanted))
        )
        held: set[str] = set((await conn.execute(query)).scalars())
        for submission in accepted:
            if submission.image_hash is not None and submission.image_hash not in held:
                submission.error = ErrorCode.UNKNOWN_IMAGE
                submission.reason = "the board holds no image with this hash: upload it first"
        return [s for s in accepted if s.error is None]

    @staticmethod
    def _in_history(accepted: list[Submission], head: int) -> list[Submission]:
        for submission in accepted:
            if submission.restore_at is not None and submission.restore_at > head:
                submission.error = ErrorCode.UNKNOWN_TARGET
                submission.reason = "the board has no such moment yet"
        return [s for s in accepted if s.error is None]

    def _within_quota(
        self, accepted: list[Submission], operations: int, stored_bytes: int
    ) -> list[Submission]:
        fits: list[Submission] = []
        for submission in accepted:
            operations += 1
            stored_bytes += len(submission.payload)
            if operations > self.quota.operations or stored_bytes > self.quota.bytes:
                submission.error = ErrorCode.BOARD_FULL
                submission.reason = "the board holds as much history as it may"
            else:
                fits.append(submission)
        return fits

    @staticmethod
    def _judge(submission: Submission, known: dict[str, tuple[int | None, str, str]]) -> None:
        if submission.op_id in known:
            seq, author, _ = known[submission.op_id]
            if author != submission.author:
                submission.error = ErrorCode.DUPLICATE_ID
                submission.reason = "operation id belongs to another author"
            else:
                submission.duplicate, submission.seq = True, seq
            return
        if submission.target is None:
            return
        target = known.get(submission.target)
        if target is None:
            submission.error, submission.reason = ErrorCode.UNKNOWN_TARGET, "no such operation"
        elif target[1] != submission.author:
            submission.error = ErrorCode.FORBIDDEN
            submission.reason = "only the author can undo or redo an operation"
        elif target[2] not in UNDOABLE_KINDS:
            submission.error, submission.reason = ErrorCode.FORBIDDEN, "operation is not undoable"
