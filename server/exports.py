"""A board's history as a document: the JSON export and import, and SVG renderings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from server import protocol, svg
from server.access import Role
from server.board import Board as BoardState
from server.protocol import TITLE_PATTERN, Id, Limits, Operation
from server.store import Board, Store

MAX_IMPORT_OPERATIONS = 200_000


class ExportedOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: int
    author: Id
    op: Operation


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
        ExportedOperation(seq=row.seq, author=row.author, op=protocol.decode_operation(row.payload))
        async for row in store.history(board.id)
        if at is None or row.seq <= at
    ]
    return BoardDocument(title=board.title, operations=operations)


async def import_document(store: Store, doc: BoardDocument) -> tuple[Board, dict[Role, str]]:
    """A new board with the document's operations, in the document's order.

    Raises:
        ValueError: an operation would be refused on a live board.
    """
    ordered = sorted(doc.operations, key=lambda item: item.seq)
    history = [
        (
            item.op.id,
            item.author,
            item.op.kind,
            getattr(item.op, "target", None),
            protocol.encode_operation(item.op),
        )
        for item in ordered
    ]
    return await store.import_board(doc.title, history)


async def board_state(store: Store, board_id: str) -> BoardState:
    state = BoardState()
    async for row in store.history(board_id):
        state.apply(row.seq, row.author, protocol.decode_operation(row.payload))
    return state


async def render_svg(store: Store, board: Board, at: int | None = None) -> str:
    state = await board_state(store, board.id)
    return svg.render(state.visible() if at is None else state.visible(at), board.title)
