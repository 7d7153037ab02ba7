"""The boards HTTP API under ``/api/boards``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from server import exports, protocol
from server.exports import BoardDocument
from server.protocol import ID_PATTERN, CloseCode, Limits
from server.services import Services, ServicesDep
from server.store import Board

router = APIRouter(prefix="/api/boards", tags=["boards"])

BoardId = Annotated[
    str,
    Path(min_length=Limits.MIN_ID_CHARS, max_length=Limits.MAX_ID_CHARS, pattern=ID_PATTERN),
]


class NewBoard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="Untitled board", min_length=1, max_length=Limits.MAX_TITLE_CHARS)


class BoardChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=Limits.MAX_TITLE_CHARS)


class BoardOut(BaseModel):
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    head_seq: int

    @classmethod
    def of(cls, board: Board) -> BoardOut:
        return cls(
            id=board.id,
            title=board.title,
            created_at=board.created_at,
            updated_at=board.updated_at,
            head_seq=board.head_seq,
        )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_board(services: ServicesDep, body: NewBoard | None = None) -> BoardOut:
    title = (body or NewBoard()).title.strip() or "Untitled board"
    return BoardOut.of(await services.store.create_board(title))


@router.get("")
async def list_boards(
    services: ServicesDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[BoardOut]:
    """Boards, most recently changed first."""
    return [BoardOut.of(board) for board in await services.store.recent_boards(limit)]


@router.post("/import", status_code=status.HTTP_201_CREATED)
async def import_board(services: ServicesDep, document: BoardDocument) -> BoardOut:
    """A new board from a document made by ``export.json``."""
    try:
        board = await exports.import_document(services.store, document)
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return BoardOut.of(board)


async def _board(services: Services, board_id: str) -> Board:
    board = await services.store.get_board(board_id)
    if board is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "board not found")
    return board


@router.get("/{board_id}")
async def get_board(services: ServicesDep, board_id: BoardId) -> BoardOut:
    return BoardOut.of(await _board(services, board_id))


@router.patch("/{board_id}")
async def rename_board(services: ServicesDep, board_id: BoardId, change: BoardChange) -> BoardOut:
    await _board(services, board_id)
    title = change.title.strip() or "Untitled board"
    board = await services.store.rename_board(board_id, title)
    if board is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "board not found")
    services.hub.announce(board_id, protocol.encode_server(protocol.BoardInfo(title=board.title)))
    return BoardOut.of(board)


@router.delete("/{board_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_board(services: ServicesDep, board_id: BoardId) -> None:
    if not await services.store.delete_board(board_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "board not found")
    services.hub.close_room(board_id, CloseCode.BOARD_DELETED, "board deleted")


@router.get("/{board_id}/export.json")
async def export_json(services: ServicesDep, board_id: BoardId) -> BoardDocument:
    """The board and its whole history; ``POST /api/boards/import`` makes a copy from it."""
    return await exports.document(services.store, await _board(services, board_id))


@router.get(
    "/{board_id}/export.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def export_svg(services: ServicesDep, board_id: BoardId, request: Request) -> Response:
    """What the board shows now, as SVG (also the gallery's thumbnail)."""
    board = await _board(services, board_id)
    # The ETag changes with every operation, so a thumbnail is rendered again only when needed.
    etag = f'"{board.id}-{board.head_seq}-{int(board.updated_at.timestamp())}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    document = await exports.render_svg(services.store, board)
    return Response(document, media_type="image/svg+xml", headers=headers)
