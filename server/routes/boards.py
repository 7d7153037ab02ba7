"""The boards HTTP API under ``/api/boards``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from server.protocol import ID_PATTERN, Limits
from server.services import ServicesDep
from server.store import Board

router = APIRouter(prefix="/api/boards", tags=["boards"])

BoardId = Annotated[
    str,
    Path(min_length=Limits.MIN_ID_CHARS, max_length=Limits.MAX_ID_CHARS, pattern=ID_PATTERN),
]


class NewBoard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="Untitled board", min_length=1, max_length=Limits.MAX_TITLE_CHARS)


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


@router.get("/{board_id}")
async def get_board(services: ServicesDep, board_id: BoardId) -> BoardOut:
    board = await services.store.get_board(board_id)
    if board is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "board not found")
    return BoardOut.of(board)
