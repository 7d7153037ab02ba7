"""A board's history as a document: the JSON export and import, and SVG renderings."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Annotated, Literal

import msgpack
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from server import images, points, protocol, svg
from server.access import Role
from server.board import Board as BoardState
from server.committer import Committer
from server.protocol import (
    TITLE_PATTERN,
    Coordinate,
    Id,
    ImageHash,
    ImageOp,
    Limits,
    OperationModel,
    OtherOperation,
    StrokeOp,
)
from server.store import Board, BoardFull, Store
from server.submission import Submission

MAX_IMPORT_OPERATIONS = 200_000
# Operations stored per transaction while importing: small enough that other boards' operations,
# queued behind a chunk, wait for one short commit at most.
IMPORT_CHUNK_OPERATIONS = 256


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


DocumentOperation = Annotated[DocumentStroke | OtherOperation, Field(discriminator="kind")]


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


class DocumentImage(BaseModel):
    """An image the document's ``image`` operations name by ``hash``: its file in base64. The
    import decodes and writes it again as an upload is (``server.images``), and the operations
    name the new file's hash."""

    model_config = ConfigDict(extra="forbid")

    hash: ImageHash
    type: Literal["image/png", "image/jpeg", "image/webp", "image/gif"]
    data: Annotated[str, Field(min_length=1)]

    def file(self) -> bytes:
        try:
            return base64.b64decode(self.data, validate=True)
        except binascii.Error:
            raise InvalidDocument(f"image {self.hash}: data is not base64") from None


class BoardDocument(BaseModel):
    """A whole board: ``GET /api/boards/{id}/export.json``, accepted back by the import."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["inkroom-board"] = "inkroom-board"
    version: Literal[1] = 1
    title: Annotated[
        str, Field(min_length=1, max_length=Limits.MAX_TITLE_CHARS, pattern=TITLE_PATTERN)
    ]
    operations: Annotated[list[ExportedOperation], Field(max_length=MAX_IMPORT_OPERATIONS)]
    images: list[DocumentImage] = []


def image_hashes(ops: Iterable[object]) -> set[str]:
    """The images that ``image`` operations among ``ops`` name."""
    return {op.hash for op in ops if isinstance(op, ImageOp)}


async def document(store: Store, board: Board, at: int | None = None) -> BoardDocument:
    """The board's operations (up to ``at``, if given) and the images they name."""
    operations = [
        ExportedOperation.of(row.seq, row.author, protocol.decode_operation(row.payload))
        async for row in store.history(board.id)
        if at is None or row.seq <= at
    ]
    files = await store.image_files(board.id, image_hashes(item.op for item in operations))
    shown = [
        DocumentImage(hash=f.hash, type=f.type, data=base64.b64encode(f.body).decode("ascii"))
        for f in files.values()
    ]
    return BoardDocument(title=board.title, operations=operations, images=shown)


class InvalidDocument(ValueError):
    """The body is not a board document; the message says where, never repeating the input."""


@dataclass(frozen=True)
class ParsedDocument:
    """A validated document as plain bytes, cheap to hand from a worker process to the server:
    ``history`` is msgpack of ``[op id, author, kind, target, image hash, payload]`` rows in
    ``seq`` order; ``images`` the board's copies of the document's images."""

    title: str
    history: bytes
    images: tuple[images.Prepared, ...] = ()


def parse_document(body: bytes) -> ParsedDocument:
    """Validate a JSON board document (CPU-heavy: the server runs it in a worker process).

    Raises:
        InvalidDocument: not JSON, or not a valid document (NaN, a lone surrogate, too many
            operations, an invalid operation...).
    """
    try:
        doc = BoardDocument.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidDocument(short_reason(exc)) from None
    kept: dict[str, images.Prepared] = {}
    for index, image in enumerate(doc.images):
        try:
            kept[image.hash] = images.prepare(image.file())
        except images.InvalidImage as exc:
            raise InvalidDocument(f"images.{index}: {exc}") from None
    rows = []
    for item in sorted(doc.operations, key=lambda item: item.seq):
        # Stroke points are quantized as the wire's compact form does (``server.points``).
        op = item.operation()
        if isinstance(op, ImageOp) and op.hash in kept:
            op = op.model_copy(update={"hash": kept[op.hash].hash})  # the file as written again
        target = getattr(op, "target", None)
        image_hash = op.hash if isinstance(op, ImageOp) else None
        rows.append(
            (op.id, item.author, op.kind, target, image_hash, protocol.encode_operation(op))
        )
    history: bytes = msgpack.packb(rows, use_bin_type=True)
    return ParsedDocument(doc.title, history, tuple(kept.values()))


def short_reason(exc: ValidationError, shown: int = 3) -> str:
    """Where and why validation failed, without the offending input."""
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    parts = [f"{'.'.join(str(part) for part in e['loc']) or 'body'}: {e['msg']}" for e in errors]
    more = f" (and {len(parts) - shown} more)" if len(parts) > shown else ""
    return "; ".join(parts[:shown])[:500] + more


def _chunks(history: bytes) -> Iterator[list[tuple[str, str, str, str | None, str | None, bytes]]]:
    rows = msgpack.unpackb(history, use_list=False, raw=False)
    for start in range(0, len(rows), IMPORT_CHUNK_OPERATIONS):
        yield [tuple(row) for row in rows[start : start + IMPORT_CHUNK_OPERATIONS]]


async def import_document(
    store: Store, committer: Committer, parsed: ParsedDocument
) -> tuple[Board, dict[Role, str]]:
    """A new board with the document's operations, stored a chunk at a time by the committer
    (so that every other board keeps its pace); the board is removed again on a refusal.

    Raises:
        ValueError: an operation would be refused on a live board, or the images are more than
            a board may hold.
    """
    board, links = await store.create_board(parsed.title)
    try:
        for image in parsed.images:
            await store.save_image(board.id, image)
    except BoardFull:
        await store.delete_board(board.id)
        raise ValueError("the images are more than a board may hold") from None
    for chunk in _chunks(parsed.history):
        submissions = [
            Submission(board.id, op_id, author, kind, target, payload, image_hash=image_hash)
            for op_id, author, kind, target, image_hash, payload in chunk
        ]
        await committer.store(submissions)
        refused = next((s for s in submissions if s.error), None)
        if refused is not None:
            await store.delete_board(board.id)
            raise ValueError(f"operation {refused.op_id}: {refused.reason}")
    imported = await store.get_board(board.id)
    assert imported is not None
    return imported, links


async def board_state(store: Store, board_id: str) -> BoardState:
    state = BoardState()
    async for row in store.history(board_id):
        state.apply(row.seq, row.author, protocol.decode_operation(row.payload))
    return state


async def render_svg(
    store: Store,
    board: Board,
    workers: Executor,
    at: int | None = None,
    thumbnail: bool = False,
) -> str:
    """The board as SVG, drawn in ``workers``: a stroke's outline costs about a millisecond.
    Its images are in it; for a ``thumbnail``, their small copies."""
    state = await board_state(store, board.id)
    items = state.visible() if at is None else state.visible(at)
    shown = await store.image_files(
        board.id, image_hashes(item.op for item in items), preview=thumbnail
    )
    files = {key: (found.type, found.body) for key, found in shown.items()}
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(workers, svg.render, items, board.title, files)
