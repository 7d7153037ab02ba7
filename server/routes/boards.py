"""The boards HTTP API under ``/api/boards``.

A board's link token travels in the ``X-Board-Token`` header; with sign-in configured, the JWT in
``Authorization: Bearer`` or the ``inkroom_token`` cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from server import auth, exports
from server.access import Role, effective_role, granted_role, higher
from server.auth import AuthError, Identity
from server.exports import BoardDocument
from server.protocol import ID_PATTERN, TITLE_PATTERN, CloseCode, Limits
from server.services import Services, ServicesDep
from server.store import Board
from server.validation import StrictJSONRoute

router = APIRouter(prefix="/api/boards", tags=["boards"], route_class=StrictJSONRoute)

BoardId = Annotated[
    str,
    Path(min_length=Limits.MIN_ID_CHARS, max_length=Limits.MAX_ID_CHARS, pattern=ID_PATTERN),
]
Title = Annotated[
    str, Field(min_length=1, max_length=Limits.MAX_TITLE_CHARS, pattern=TITLE_PATTERN)
]


class NewBoard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title = "Untitled board"
    # A protected board admits only holders of its edit or view link.
    protected: bool = False


class BoardChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    locked: bool | None = None


class BoardOut(BaseModel):
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    head_seq: int
    protected: bool
    locked: bool

    @classmethod
    def of(cls, board: Board) -> BoardOut:
        return cls(
            id=board.id,
            title=board.title,
            created_at=board.created_at,
            updated_at=board.updated_at,
            head_seq=board.head_seq,
            protected=board.protected,
            locked=board.locked,
        )


class BoardWithRole(BoardOut):
    """A board as its requester sees it: ``role`` is the role granted to them (while the board
    is ``locked``, everyone but owners may only look)."""

    role: Role


class BoardCreated(BoardOut):
    """A new board with its link tokens: keep the owner's secret; share the others as
    ``/b/{id}#token={token}``."""

    links: dict[Role, str]


class Link(BaseModel):
    role: Role
    token: str


def _identity(request: Request, services: ServicesDep) -> Identity | None:
    if not auth.enabled(services.settings):
        return None
    token = auth.find_token(request.headers, request.cookies, {})
    try:
        return auth.verify(token, services.settings)
    except AuthError as refused:
        raise HTTPException(refused.status, refused.reason) from None


IdentityDep = Annotated[Identity | None, Depends(_identity)]


@dataclass(frozen=True)
class Access:
    board: Board
    granted: Role

    @property
    def role(self) -> Role:
        return effective_role(self.granted, self.board.locked)

    def require(self, role: Role) -> None:
        if self.granted.rank < role.rank:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"{role.value}s only")


async def _access(
    board_id: BoardId, request: Request, services: ServicesDep, identity: IdentityDep
) -> Access:
    board = await services.store.get_board(board_id)
    if board is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "board not found")
    if identity is not None and not identity.may_open(board.id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "token not valid for this board")
    token = request.headers.get("x-board-token")
    link_role = await services.store.link_role(board.id, token) if token else None
    without_link = identity.role if identity else granted_role(board.protected, None)
    granted = higher(without_link, link_role)
    if granted is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this board needs a valid link")
    return Access(board, granted)


AccessDep = Annotated[Access, Depends(_access)]


def may_create(request: Request, services: Services, identity: Identity | None) -> None:
    if identity is not None and identity.role is Role.VIEWER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "viewers cannot create boards")
    address = request.client.host if request.client else "unknown"
    if not services.board_creations.allow(address):
        services.metrics.rejected.labels("board_creation_rate").inc()
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many boards created from your address; try again later",
            headers={"Retry-After": "600"},
        )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_board(
    request: Request, services: ServicesDep, identity: IdentityDep, body: NewBoard | None = None
) -> BoardCreated:
    """A new board. The answer holds its link tokens, which are shown only this once."""
    may_create(request, services, identity)
    body = body or NewBoard()
    title = body.title.strip() or "Untitled board"
    board, links = await services.store.create_board(title, body.protected)
    return BoardCreated(**BoardOut.of(board).model_dump(), links=links)


@router.get("")
async def list_boards(
    services: ServicesDep, identity: IdentityDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[BoardOut]:
    """Open boards, most recently changed first. Protected boards are never listed."""
    boards = await services.store.recent_boards(limit)
    return [BoardOut.of(b) for b in boards if identity is None or identity.may_open(b.id)]


@router.get("/{board_id}")
async def get_board(access: AccessDep) -> BoardWithRole:
    return BoardWithRole(**BoardOut.of(access.board).model_dump(), role=access.granted)


@router.patch("/{board_id}")
async def change_board(access: AccessDep, services: ServicesDep, change: BoardChange) -> BoardOut:
    """Rename (editors of an open board, owners of a protected one) or lock (owners)."""
    board = access.board
    values: dict[str, object] = {}
    if change.title is not None:
        access.require(Role.OWNER if board.protected else Role.EDITOR)
        if access.role is Role.VIEWER:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "the board is locked")
        values["title"] = change.title.strip() or "Untitled board"
    if change.locked is not None:
        access.require(Role.OWNER)
        values["locked"] = change.locked
    if not values:
        return BoardOut.of(board)
    changed = await services.store.change_board(board.id, **values)
    if changed is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "board not found")
    services.hub.board_changed(changed.id, changed.title, changed.locked)
    return BoardOut.of(changed)


@router.delete("/{board_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_board(access: AccessDep, services: ServicesDep) -> None:
    """Delete the board and its whole history (owners only)."""
    access.require(Role.OWNER)
    await services.store.delete_board(access.board.id)
    services.hub.close_room(access.board.id, CloseCode.BOARD_DELETED, "board deleted")


@router.post("/{board_id}/links/{role}")
async def replace_link(access: AccessDep, services: ServicesDep, role: Role) -> Link:
    """A new token for the role's link; connections that came by the old one are closed."""
    access.require(Role.OWNER)
    token = await services.store.replace_link(access.board.id, role)
    services.hub.link_replaced(access.board.id, role)
    return Link(role=role, token=token)


@router.delete("/{board_id}/links/{role}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_link(access: AccessDep, services: ServicesDep, role: Role) -> None:
    """The role's link stops working (owners only)."""
    access.require(Role.OWNER)
    await services.store.revoke_link(access.board.id, role)
    services.hub.link_replaced(access.board.id, role)


@router.get("/{board_id}/export.json")
async def export_json(access: AccessDep, services: ServicesDep) -> BoardDocument:
    """The board and its whole history; ``POST /api/boards/import`` makes a copy from it."""
    return await exports.document(services.store, access.board)


@router.get(
    "/{board_id}/export.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def export_svg(access: AccessDep, services: ServicesDep, request: Request) -> Response:
    """What the board shows now, as SVG (also the gallery's thumbnail)."""
    board = access.board
    # The ETag changes with every operation, so a thumbnail is rendered again only when needed.
    etag = f'"{board.id}-{board.head_seq}-{int(board.updated_at.timestamp())}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    document = await exports.render_svg(services.store, board)
    return Response(document, media_type="image/svg+xml", headers=headers)
