"""compact points

Stored strokes change from a msgpack list of float32 ``[x0, y0, p0, ...]`` to the compact bytes
of ``server.points`` (fixed-point, delta-coded varints, a msgpack bin). Each board's
``stored_bytes`` changes by what its payloads shrank. The schema itself does not change.

The downgrade writes the points back as float lists: the quantized values, which float32 holds
exactly up to 2**20 board units (the coarser float32 steps beyond that are the old format's own).

The units are those of this revision (``points.FORMER_UNITS``: 1/16 of a unit, pressure in 1/255);
a later revision re-encodes them.

Revision ID: 5c0a7e3d9b21
Revises: b9df6d02486a
Create Date: 2026-11-29 09:00:00.000000

"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import msgpack
import sqlalchemy as sa
from alembic import op

from server import points

# revision identifiers, used by Alembic.
revision: str = "5c0a7e3d9b21"
down_revision: str | Sequence[str] | None = "b9df6d02486a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1_000

operations = sa.table(
    "operations",
    sa.column("board_id", sa.String),
    sa.column("seq", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("payload", sa.LargeBinary),
)
boards = sa.table("boards", sa.column("id", sa.String), sa.column("stored_bytes", sa.BigInteger))


def _to_bytes(payload: bytes) -> bytes | None:
    stroke = msgpack.unpackb(payload, raw=False)
    if isinstance(stroke["points"], bytes):
        return None  # already compact
    stroke["points"] = points.encode(stroke["points"], *points.FORMER_UNITS)
    packed: bytes = msgpack.packb(stroke, use_single_float=True)
    return packed


def _to_floats(payload: bytes) -> bytes | None:
    stroke = msgpack.unpackb(payload, raw=False)
    if not isinstance(stroke["points"], bytes):
        return None
    stroke["points"] = points.decode(stroke["points"], None, None, *points.FORMER_UNITS)
    packed: bytes = msgpack.packb(stroke, use_single_float=True)
    return packed


def _rewrite_strokes(convert: Callable[[bytes], bytes | None]) -> None:
    """Every stored stroke through ``convert``, in key order, ``BATCH`` rows at a time so that
    memory stays bounded; Alembic runs it in one transaction: it applies wholly or not at all."""
    connection = op.get_bind()
    grown: defaultdict[str, int] = defaultdict(int)
    after: tuple[str, int] = ("", -1)
    while True:
        rows = connection.execute(
            sa.select(operations.c.board_id, operations.c.seq, operations.c.payload)
            .where(operations.c.kind == "stroke")
            .where(sa.tuple_(operations.c.board_id, operations.c.seq) > sa.tuple_(*after))
            .order_by(operations.c.board_id, operations.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        changed: list[dict[str, Any]] = []
        for board_id, seq, payload in rows:
            rewritten = convert(payload)
            if rewritten is not None:
                changed.append({"b_board": board_id, "b_seq": seq, "b_payload": rewritten})
                grown[board_id] += len(rewritten) - len(payload)
        if changed:
            connection.execute(
                operations.update()
                .where(operations.c.board_id == sa.bindparam("b_board"))
                .where(operations.c.seq == sa.bindparam("b_seq"))
                .values(payload=sa.bindparam("b_payload")),
                changed,
            )
        after = (rows[-1].board_id, rows[-1].seq)
    for board_id, delta in grown.items():
        connection.execute(
            boards.update()
            .where(boards.c.id == board_id)
            .values(stored_bytes=boards.c.stored_bytes + delta)
        )


def upgrade() -> None:
    _rewrite_strokes(_to_bytes)


def downgrade() -> None:
    _rewrite_strokes(_to_floats)
