"""A board's history as a document: the JSON export and import, and SVG renderings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from server import points, protocol, svg
from server.access import Role
from server.board import Board as BoardState
from server.protocol import (
    TITLE_PATTERN,
    ClearOp,
    Coordinate,
    EraseOp,
    Id,
    Limits,
    MoveOp,
    OperationModel,
    RedoOp,
    ShapeOp,
    StrokeOp,
    TextOp,
    UndoOp,
)
from server.store import Board, Store

MAX_IMPORT_OPERATIONS = 200_000


class DocumentStroke(StrokeOp):
    """A stroke in a board file: points as a flat ``[x0, y0, p0, ...]`` list of numbers, readable
    and editable; the import quantizes them as the wire does."""

    points: Annotated[  # type: ignore[assignment]
        list[Coordinate], Field(min_length=3, max_length=3 * Limits.MAX_STROKE_POINTS)
    ]

    @model_validator(mode="after")
    def _triples(self) -> DocumentStroke:
        if len(self.points) % 3:
            raise ValueError("points must hold x, y, pressure triples")
        if not all(0.0 <= pressure <= 1.0 for pressure in self.points[2::3]):
            raise ValueError("pressure must be within 0..1")
        return self

    @classmethod
    def of(cls, op: StrokeOp) -> DocumentStroke:
        return cls.model_construct(**{**dict(op), "points": points.decode(op.points)})

    def operation(self) -> StrokeOp:
        return StrokeOp(**{**dict(self), "points": points.encode(self.points)})


DocumentOperation = Annotated[
    DocumentStroke | ShapeOp | TextOp | MoveOp | EraseOp | UndoOp | RedoOp | ClearOp,
    Field(discriminator="kind"),
]


class ExportedOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: int
    author: Id
    op: DocumentOperation

    @classmethod
    def of(cls, seq: int, author: str, op: OperationModel) -> ExportedOperation:
        shown = DocumentStroke.of(op) if isinstance(op, StrokeOp) else op
        return cls(seq=seq, author=author, op=shown)

    def operation(self) -> OperationModel:
        return self.op.operation() if isinstance(self.op, DocumentStroke) else self.op


class BoardDocument(BaseModel):
    """A whole board: ``GET /api/boards/{id}/export.json``, accepted back by the import."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["inkroom-board"] = "inkroom-board"
    version: Literal[1] = 1
    title: Annotated[
        str, Field(min_length=1, max_length=Limits.MAX_TITLE_CHARS, pattern=TITLE_PATTERN)
    ]
    operations: Annotated[list[ExportedOperation], Field(max_length=MAX_IMPORT_OPERATIONS)]


async def document(store: Store, board: Board, at: int | None = None) -> BoardDocument:
    """The board's operations (up to ``at``, if given)."""
    operations = [
        ExportedOperation.of(row.seq, row.author, protocol.decode_operation(row.payload))
        async for row in store.history(board.id)
        if at is None or row.seq <= at
    ]
    return BoardDocument(title=board.title, operations=operations)


async def import_document(store: Store, doc: BoardDocument) -> tuple[Board, dict[Role, str]]:
    """A new board with the document's operations, in the document's order; stroke points are
    quantized as the wire's compact form does (``server.points``).

    Raises:
        ValueError: an operation would be refused on a live board.
    """
    history = []
    for item in sorted(doc.operations, key=lambda item: item.seq):
        op = item.operation()
        target = getattr(op, "target", None)
        history.append((op.id, item.author, op.kind, target, protocol.encode_operation(op)))
    return await store.import_board(doc.title, history)


async def board_state(store: Store, board_id: str) -> BoardState:
    state = BoardState()
    async for row in store.history(board_id):
        state.apply(row.seq, row.author, protocol.decode_operation(row.payload))
    return state


async def render_svg(store: Store, board: Board, at: int | None = None) -> str:
    state = await board_state(store, board.id)
    return svg.render(state.visible() if at is None else state.visible(at), board.title)
