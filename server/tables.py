"""The database schema. Alembic migrations in ``migrations/`` are generated against it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    false,
)

from server.protocol import EMPTY_STATE_HASH

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

boards = Table(
    "boards",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The newest sequence number; raised in the transaction that stores the operations.
    Column("head_seq", BigInteger, nullable=False, default=0),
    # A protected board admits only holders of one of its links; a locked one is read-only for
    # everyone but its owners.
    Column("protected", Boolean, nullable=False, default=False, server_default=false()),
    Column("locked", Boolean, nullable=False, default=False, server_default=false()),
    # Bytes of stored operation payloads, against the per-board quota.
    Column("stored_bytes", BigInteger, nullable=False, default=0, server_default="0"),
    # ``protocol.next_state_hash`` folded over every operation up to ``head_seq``.
    Column(
        "state_hash",
        BigInteger,
        nullable=False,
        default=EMPTY_STATE_HASH,
        server_default=str(EMPTY_STATE_HASH),
    ),
)
Index("ix_boards_updated_at", boards.c.updated_at)

# Capability links: one token per board and role, stored as its SHA-256 only.
board_links = Table(
    "board_links",
    metadata,
    Column("board_id", String(64), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The append-only operation log: one row per committed operation, numbered per board.
operations = Table(
    "operations",
    metadata,
    Column(
        "board_id",
        String(64),
        ForeignKey("boards.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("op_id", String(64), nullable=False),
    Column("author", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("board_id", "op_id"),
)

# Snapshots (server/snapshot.py): a board's operations up to ``seq`` in brotli-compressed parts,
# part 0 the rules, the others objects near each other within ``left``..``bottom``.
snapshots = Table(
    "snapshots",
    metadata,
    Column("board_id", String(64), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("part", Integer, primary_key=True, autoincrement=False),
    Column("count", Integer, nullable=False),
    Column("left", Float, nullable=True),
    Column("top", Float, nullable=True),
    Column("right", Float, nullable=True),
    Column("bottom", Float, nullable=True),
    Column("raw_bytes", BigInteger, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Who has drawn on a board, by the name and color they had when they last drew (the history
# view shows them).
participants = Table(
    "participants",
    metadata,
    Column("board_id", String(64), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("user", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("color", String(7), nullable=False),
)

# Images on a board, each kept once by the SHA-256 of its file (``server/images.py`` writes the
# file; ``image`` operations name it by ``hash``). ``preview`` is a small WebP copy for thumbnails.
# Kept as long as the board: undo and the history view can bring back any image ever placed.
images = Table(
    "images",
    metadata,
    Column("board_id", String(64), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("hash", String(64), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("preview", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
