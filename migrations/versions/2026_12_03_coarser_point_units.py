"""coarser point units

Stored strokes' points change units: x and y from 1/16 to 1/8 of a board unit, pressure from 1/255
to 1/32 (``server.points``; the layout of the bytes stays). Each board's ``stored_bytes`` changes
by what its payloads changed. Snapshots of the previous format (other units, no point streams) are
deleted: boards get new ones when next due, and joins replay the log until then.

The downgrade writes the points back in the former units (the coarser values, which those units
hold exactly but for the pressure's rounding to 1/255) and deletes the snapshots of this format.

Revision ID: 3f1b8c64d2e7
Revises: 50d754aee8bc
Create Date: 2026-12-03 16:00:00.000000

"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import msgpack
import sqlalchemy as sa
from alembic import op

from server import points

# revision identifiers, used by Alembic.
revision: str = "3f1b8c64d2e7"
down_revision: str | Sequence[str] | None = "50d754aee8bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1_000
# (coordinate scale, pressure scale) before and after, written out: a migration must not change
# meaning when the code moves on.
FORMER = (16, 255)
COARSER = (8, 32)

operations = sa.table(
    "operations",
    sa.column("board_id", sa.String),
    sa.column("seq", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("payload", sa.LargeBinary),
)
boards = sa.table("boards", sa.column("id", sa.String), sa.column("stored_bytes", sa.BigInteger))
snapshots = sa.table("snapshots", sa.column("board_id", sa.String))


def _recode(source: tuple[int, int], target: tuple[int, int]) -> Callable[[bytes], bytes | None]:
    def recode(payload: bytes) -> bytes | None:
        stroke = msgpack.unpackb(payload, raw=False)
        if not isinstance(stroke, dict) or not isinstance(stroke.get("points"), bytes):
            return None  # holds no compact points: left as it is
        flat = points.decode(stroke["points"], None, None, *source)
        stroke["points"] = points.encode(flat, *target)
        packed: bytes = msgpack.packb(stroke, use_single_float=True)  # as the store packs
        return packed

    return recode


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
    connection.execute(snapshots.delete())


def upgrade() -> None:
    _rewrite_strokes(_recode(FORMER, COARSER))


def downgrade() -> None:
    _rewrite_strokes(_recode(COARSER, FORMER))
