"""A board's state as a pure function of its operation log (the browser's ``board.js`` twin).

The rule, evaluated "as of" a sequence number T (only operations up to T count, toggles
included), is written out in docs/protocol.md ("Board state"):

- An operation other than undo/redo is *active* unless the newest undo/redo of it by its author
  is an undo.
- Without a restore: an object is visible when its creating operation is active, no active erase
  names it, and no active clear comes after it; its geometry is its own times the product of its
  active moves (translations) and transforms (matrices), in sequence order; a text's words are
  those of its newest active edit (by seq), or its own; each of its style fields (color, width,
  fill, size) is the one of its newest active style that sets it, or its own. Objects are painted
  in the order of (z, seq): z is the object's own seq, or the seq of the newest active ``order``
  naming it ("front"), or minus that seq ("back").
- The newest active ``restore`` (at seq r, back to ``at``) starts the board from what was visible
  as of ``at``, where it was then and as it read then; only operations after r apply on top of
  that, by the same rules.

Images are objects like the others; a style sets nothing on them.

None of this depends on the order in which operations are applied, which is what lets optimistic
clients converge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from server.protocol import (
    CREATING_KINDS,
    UNDOABLE_KINDS,
    ClearOp,
    EditOp,
    EraseOp,
    ImageOp,
    MoveOp,
    OperationModel,
    OrderOp,
    RedoOp,
    RestoreOp,
    ShapeOp,
    StrokeOp,
    StyleOp,
    TextOp,
    TransformOp,
    UndoOp,
)

Drawable = StrokeOp | ShapeOp | TextOp | ImageOp
NOW = 2**62  # "as of" a moment after every operation
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# The fields a style may set, and the kinds of object that have each (an image has none).
STYLE_FIELDS = {
    "color": frozenset({"stroke", "shape", "text"}),
    "width": frozenset({"stroke", "shape"}),
    "fill": frozenset({"shape"}),
    "size": frozenset({"text"}),
}


def compose(after: Matrix, before: Matrix) -> Matrix:
    """``before`` then ``after``, as one matrix (the browser's ``compose`` computes the same)."""
    a, b, c, d, e, f = after
    ma, mb, mc, md, me, mf = before
    return (
        a * ma + c * mb,
        b * ma + d * mb,
        a * mc + c * md,
        b * mc + d * md,
        a * me + c * mf + e,
        b * me + d * mf + f,
    )


def apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


@dataclass
class _Record:
    author: str
    seq: int
    op: OperationModel
    # (seq, is a redo) of the author's undo/redo of this operation.
    toggles: list[tuple[int, bool]] = field(default_factory=list)

    def active(self, at: int) -> bool:
        newest = max((t for t in self.toggles if t[0] <= at), default=None)
        return newest is None or newest[1]


@dataclass(frozen=True)
class _State:
    """Where a visible object's moves and transforms have taken it, the edit whose words a text
    shows, and the style fields set on it."""

    matrix: Matrix = IDENTITY
    edit: EditOp | None = None
    style: tuple[tuple[str, object], ...] = ()
    z: int | None = None  # where an order put it in paint order; None: its own seq


@dataclass(frozen=True)
class Placed:
    """A visible object as its edits and styles left it, and where its moves and transforms have
    taken it: ``matrix`` maps its own coordinates to the board's; ``dx``, ``dy`` are its
    translation (all there is to it when the object was only moved)."""

    seq: int
    author: str
    op: Drawable
    dx: float
    dy: float
    matrix: Matrix = IDENTITY

    @property
    def moved_only(self) -> bool:
        return self.matrix[:4] == IDENTITY[:4]


@dataclass
class Board:
    records: dict[str, _Record] = field(default_factory=dict)
    # Operations that name a target, and restores, in the order applied.
    erases: list[str] = field(default_factory=list)
    moves: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)
    clears: list[str] = field(default_factory=list)
    restores: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    # Undo/redo ids already counted, so that applying one twice changes nothing.
    toggle_ids: set[str] = field(default_factory=set)

    def apply(self, seq: int, author: str, op: OperationModel) -> None:
        if op.id in self.records or op.id in self.toggle_ids:
            return
        if isinstance(op, UndoOp | RedoOp):
            self.toggle_ids.add(op.id)
            record = self.records.get(op.target)
            if record and record.author == author and record.op.kind in UNDOABLE_KINDS:
                record.toggles.append((seq, isinstance(op, RedoOp)))
            return
        self.records[op.id] = _Record(author, seq, op)
        match op:
            case EraseOp():
                self.erases.append(op.id)
            case MoveOp() | TransformOp():
                self.moves.append(op.id)
            case StyleOp():
                self.styles.append(op.id)
            case OrderOp():
                self.orders.append(op.id)
            case EditOp():
                self.edits.append(op.id)
            case ClearOp():
                self.clears.append(op.id)
            case RestoreOp():
                self.restores.append(op.id)
            case _:
                self.objects.append(op.id)

    def visible(self, at: int = NOW) -> list[Placed]:
        """Visible objects as of ``at``, in paint order (by z, then sequence number)."""
        states = self._states(at)
        placed: list[Placed] = []
        z: dict[str, int] = {}
        for op_id, state in states.items():
            record = self.records[op_id]
            op = record.op
            assert isinstance(op, StrokeOp | ShapeOp | TextOp | ImageOp)
            changes = dict(state.style)
            if state.edit is not None:
                changes["text"] = state.edit.text
            if changes:
                op = op.model_copy(update=changes)
            m = state.matrix
            placed.append(Placed(record.seq, record.author, op, m[4], m[5], m))
            z[op.id] = record.seq if state.z is None else state.z
        placed.sort(key=lambda item: (z[item.op.id], item.seq))
        return placed

    def _counts(self, op_ids: Iterable[str], after: int, at: int) -> list[_Record]:
        """The active operations among ``op_ids`` with ``after < seq <= at``."""
        records = (self.records[op_id] for op_id in op_ids)
        return [r for r in records if after < r.seq <= at and r.active(at)]

    def _states(self, at: int) -> dict[str, _State]:
        restore = max(
            (
                r
                for r in self._counts(self.restores, 0, at)
                if isinstance(r.op, RestoreOp) and r.op.at < r.seq
            ),
            key=lambda r: r.seq,
            default=None,
        )
        states: dict[str, _State] = {}
        floor = 0
        if restore is not None:
            assert isinstance(restore.op, RestoreOp)
            states = self._states(restore.op.at)
            floor = restore.seq
        for record in self._counts(self.objects, floor, at):
            if record.op.kind in CREATING_KINDS:
                states[record.op.id] = _State()
        last_clear = max((r.seq for r in self._counts(self.clears, floor, at)), default=0)
        if last_clear:
            states = {i: s for i, s in states.items() if self.records[i].seq > last_clear}
        for record in self._counts(self.erases, floor, at):
            assert isinstance(record.op, EraseOp)
            for target in record.op.targets:
                states.pop(target, None)
        for record in sorted(self._counts(self.moves, floor, at), key=lambda r: r.seq):
            for target in record.op.targets:  # type: ignore[union-attr]
                if target in states:
                    state = states[target]
                    states[target] = replace(state, matrix=_moved(state.matrix, record.op))
        for record in sorted(self._counts(self.edits, floor, at), key=lambda r: r.seq):
            assert isinstance(record.op, EditOp)
            edited = states.get(record.op.object)
            if edited is not None and self.records[record.op.object].op.kind == "text":
                states[record.op.object] = replace(edited, edit=record.op)
        for record in sorted(self._counts(self.styles, floor, at), key=lambda r: r.seq):
            assert isinstance(record.op, StyleOp)
            for target in record.op.targets:
                styled = states.get(target)
                if styled is not None:
                    kind = self.records[target].op.kind
                    fields = dict(styled.style) | _style_fields(record.op, kind)
                    states[target] = replace(styled, style=tuple(fields.items()))
        for record in sorted(self._counts(self.orders, floor, at), key=lambda r: r.seq):
            assert isinstance(record.op, OrderOp)
            z = record.seq if record.op.to == "front" else -record.seq
            for target in record.op.targets:
                if target in states:
                    states[target] = replace(states[target], z=z)
        return states


def _moved(matrix: Matrix, op: OperationModel) -> Matrix:
    if isinstance(op, MoveOp):
        a, b, c, d, e, f = matrix
        return (a, b, c, d, e + op.dx, f + op.dy)
    assert isinstance(op, TransformOp)
    return compose(tuple(op.matrix), matrix)  # type: ignore[arg-type]


def _style_fields(op: StyleOp, kind: str) -> dict[str, object]:
    """The fields ``op`` sets on an object of ``kind`` (a shape's fill "none" is no fill)."""
    fields: dict[str, object] = {}
    for name, kinds in STYLE_FIELDS.items():
        value = getattr(op, name)
        if value is not None and kind in kinds:
            fields[name] = None if value == "none" else value
    return fields
