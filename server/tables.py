"""The database schema. Alembic migrations in ``migrations/`` are generated against it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s",
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
)
Index("ix_boards_updated_at", boards.c.updated_at)

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
