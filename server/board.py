"""A board's state as a pure function of its operation log (the browser's ``board.js`` twin).

Every undoable operation is active until an ``undo`` of it (by its author) and active again after
a ``redo``. An object is visible when the operation that created it is active, no active erase
names it, and no active clear comes after it in the log. Its position is its own plus the sum of
its active moves. None of this depends on the order in which operations are applied, which is
what lets optimistic clients converge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.protocol import (
    CREATING_KINDS,
    UNDOABLE_KINDS,
    ClearOp,
    EraseOp,
    MoveOp,
    OperationModel,
    RedoOp,
    ShapeOp,
    StrokeOp,
    TextOp,
    UndoOp,
)

Drawable = StrokeOp | ShapeOp | TextOp


@dataclass
class _Record:
    author: str
    seq: int
    op: OperationModel
    active: bool = True


@dataclass(frozen=True)
class Placed:
    """A visible object and how far its moves have taken it."""

    seq: int
    author: str
    op: Drawable
    dx: float
    dy: float


@dataclass
class Board:
    records: dict[str, _Record] = field(default_factory=dict)
    # Object id -> ids of the erase and move operations that name it.
    erased_by: dict[str, list[str]] = field(default_factory=dict)
    moved_by: dict[str, list[str]] = field(default_factory=dict)
    clears: list[str] = field(default_factory=list)

    def apply(self, seq: int, author: str, op: OperationModel) -> None:
        if op.id in self.records:
            return
        self.records[op.id] = _Record(author, seq, op)
        match op:
            case EraseOp(targets=targets):
                for target in targets:
                    self.erased_by.setdefault(target, []).append(op.id)
            case MoveOp(targets=targets):
                for target in targets:
                    self.moved_by.setdefault(target, []).append(op.id)
            case ClearOp():
                self.clears.append(op.id)
            case UndoOp(target=target) | RedoOp(target=target):
                record = self.records.get(target)
                if record and record.author == author and record.op.kind in UNDOABLE_KINDS:
                    record.active = isinstance(op, RedoOp)

    def _active(self, op_id: str) -> bool:
        record = self.records.get(op_id)
        return record is not None and record.active

    def visible(self) -> list[Placed]:
        """Visible objects in paint order (by sequence number)."""
        last_clear = max(
            (self.records[c].seq for c in self.clears if self.records[c].active), default=0
        )
        placed: list[Placed] = []
        for op_id, record in self.records.items():
            if record.op.kind not in CREATING_KINDS or not record.active:
                continue
            if record.seq < last_clear:
                continue
            if any(self._active(e) for e in self.erased_by.get(op_id, ())):
                continue
            dx = dy = 0.0
            for move_id in self.moved_by.get(op_id, ()):
                move = self.records[move_id]
                if move.active and isinstance(move.op, MoveOp):
                    dx += move.op.dx
                    dy += move.op.dy
            assert isinstance(record.op, StrokeOp | ShapeOp | TextOp)
            placed.append(Placed(record.seq, record.author, record.op, dx, dy))
        placed.sort(key=lambda item: item.seq)
        return placed
