"""The boards HTTP API under ``/api/boards``.

A board's link token travels in the ``X-Board-Token`` header; with sign-in configured, the JWT in
``Authorization: Bearer`` or the ``inkroom_token`` cookie.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import brotli
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from server import auth, exports, snapshot
from server.access import Role, effective_role, granted_role, higher
from server.auth import AuthError, Identity
from server.exports import BoardDocument
from server.protocol import DEFAULT_TITLE, ID_PATTERN, TITLE_PATTERN, CloseCode, Limits
from server.routes.answers import answers
from server.routes.deps import ServicesDep
from server.routes.encodings import accepted_encoding, compressed
from server.services import Services
from server.store import Board
from server.validation import StrictJSONRoute

router = APIRouter(
    prefix="/api/boards",
    tags=["boards"],
    route_class=StrictJSONRoute,
    responses=answers(401, 422),
)
# A board's routes: it may be missing, or closed to the requester.
ON_A_BOARD = answers(403, 404)

BoardId = Annotated[
    str,
    Path(min_length=Limits.MIN_ID_CHARS, max_length=Limits.MAX_ID_CHARS, pattern=ID_PATTERN),
]
Title = Annotated[
    str, Field(min_length=1, max_length=Limits.MAX_TITLE_CHARS, pattern=TITLE_PATTERN)
]


class NewBoard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title = DEFAULT_TITLE
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


async def may_create(request: Request, services: Services, identity: Identity | None) -> None:
    if identity is not None and identity.role is Role.VIEWER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "viewers cannot create boards")
    address = request.client.host if request.client else "unknown"
    if not await services.board_creations.allow(address):
        services.metrics.rejected.labels("board_creation_rate").inc()
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many boards created from your address; try again later",
            headers={"Retry-After": "600"},
        )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=answers(403, 413, 429, s403="A viewer's sign-in token cannot create boards"),
)
async def create_board(
    request: Request, services: ServicesDep, identity: IdentityDep, body: NewBoard | None = None
) -> BoardCreated:
    """A new board. The answer holds its link tokens, which are shown only this once."""
    await may_create(request, services, identity)
    body = body or NewBoard()
    title = body.title.strip() or DEFAULT_TITLE
    board, links = await services.store.create_board(title, body.protected)
    return BoardCreated(**BoardOut.of(board).model_dump(), links=links)


@router.get("", responses=answers(403, s403="Only for a signed-in admin, or on a public gallery"))
async def list_boards(
    services: ServicesDep,
    identity: IdentityDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> list[BoardOut]:
    """Open boards, most recently changed first (a page of ``limit`` from the ``offset``-th),
    for a signed-in admin, or for anyone on a public gallery (``INKROOM_PUBLIC_GALLERY``); 403
    otherwise. Protected boards are never listed. A board's id is what lets people in: a list
    of them for anyone would undo that."""
    admin = identity is not None and identity.admin
    if not (admin or services.settings.public_gallery):
        services.metrics.rejected.labels("board_list").inc()
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "the list of boards is for admins only on this server"
        )
    boards = await services.store.recent_boards(limit, offset)
    return [BoardOut.of(b) for b in boards if identity is None or identity.may_open(b.id)]


@router.get("/{board_id}", responses=ON_A_BOARD)
async def get_board(access: AccessDep) -> BoardWithRole:
    return BoardWithRole(**BoardOut.of(access.board).model_dump(), role=access.granted)


@router.patch("/{board_id}", responses={**ON_A_BOARD, **answers(413)})
async def change_board(access: AccessDep, services: ServicesDep, change: BoardChange) -> BoardOut:
    """Rename (editors of an open board, owners of a protected one) or lock (owners)."""
    board = access.board
    values: dict[str, object] = {}
    if change.title is not None:
        access.require(Role.OWNER if board.protected else Role.EDITOR)
        if access.role is Role.VIEWER:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "the board is locked")
        values["title"] = change.title.strip() or DEFAULT_TITLE
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


@router.delete("/{board_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ON_A_BOARD)
async def delete_board(access: AccessDep, services: ServicesDep) -> None:
    """Delete the board and its whole history (owners only)."""
    access.require(Role.OWNER)
    await services.store.delete_board(access.board.id)
    services.snapshotter.forget(access.board.id)
    services.hub.close_room(access.board.id, CloseCode.BOARD_DELETED, "board deleted")


@router.post("/{board_id}/links/{role}", responses=ON_A_BOARD)
async def replace_link(access: AccessDep, services: ServicesDep, role: Role) -> Link:
    """A new token for the role's link; connections that came by the old one are closed."""
    access.require(Role.OWNER)
    token = await services.store.replace_link(access.board.id, role)
    services.hub.link_replaced(access.board.id, role)
    return Link(role=role, token=token)


@router.delete(
    "/{board_id}/links/{role}", status_code=status.HTTP_204_NO_CONTENT, responses=ON_A_BOARD
)
async def revoke_link(access: AccessDep, services: ServicesDep, role: Role) -> None:
    """The role's link stops working (owners only)."""
    access.require(Role.OWNER)
    await services.store.revoke_link(access.board.id, role)
    services.hub.link_replaced(access.board.id, role)


Moment = Annotated[
    int | None,
    Query(ge=0, lt=2**53, description="a moment of the board's history: its state after this seq"),
]


@router.get("/{board_id}/export.json", responses=ON_A_BOARD)
async def export_json(access: AccessDep, services: ServicesDep, at: Moment = None) -> BoardDocument:
    """The board and its whole history (up to ``at``, if given); ``POST /api/boards/import``
    makes a copy from it."""
    return await exports.document(services.store, access.board, at)


class Person(BaseModel):
    user: str
    name: str | None
    color: str | None


class Timeline(BaseModel):
    """Every operation of a board, as columns: operation ``n`` (seq ``n + 1``) was made at
    ``start`` plus the sum of ``time[0..n]`` milliseconds, by ``people[author[n]]``, and is of
    kind ``kinds[kind[n]]``."""

    head: int
    start: datetime | None
    people: list[Person]
    kinds: list[str]
    time: list[int]
    author: list[int]
    kind: list[int]


@router.get(
    "/{board_id}/history",
    response_class=Response,
    responses={200: {"model": Timeline}, **ON_A_BOARD},
)
async def history(access: AccessDep, services: ServicesDep, request: Request) -> Response:
    """When each operation was made and by whom: the history view's timeline."""
    rows, named = await services.store.timeline(access.board.id)
    users: dict[str, int] = {}
    kinds: dict[str, int] = {}
    times: list[int] = []
    previous = rows[0][1] if rows else None
    for _, made, author, kind in rows:
        assert previous is not None
        times.append(round((made - previous).total_seconds() * 1000))
        previous = made
        users.setdefault(author, len(users))
        kinds.setdefault(kind, len(kinds))
    timeline = Timeline(
        head=rows[-1][0] if rows else 0,
        start=rows[0][1] if rows else None,
        people=[
            Person(
                user=user,
                name=named.get(user, (None, None))[0],
                color=named.get(user, (None, None))[1],
            )
            for user in users
        ],
        kinds=list(kinds),
        time=times,
        author=[users[row[2]] for row in rows],
        kind=[kinds[row[3]] for row in rows],
    )
    body = timeline.model_dump_json().encode()
    headers = {"Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    encoding = accepted_encoding(request.headers)
    if encoding is not None:
        body = await asyncio.to_thread(compressed, body, encoding)
        headers["Content-Encoding"] = encoding
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/{board_id}/export.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **ON_A_BOARD},
)
async def export_svg(
    access: AccessDep,
    services: ServicesDep,
    request: Request,
    at: Moment = None,
    thumbnail: Annotated[
        bool, Query(description="images as small copies (the gallery's thumbnails)")
    ] = False,
) -> Response:
    """What the board shows now (or showed at ``at``), as SVG, its images in it; with
    ``thumbnail``, the images' small copies (the gallery's thumbnails)."""
    board = access.board
    # The ETag changes with every operation, so a thumbnail is rendered again only when needed.
    moment = board.head_seq if at is None else min(at, board.head_seq)
    small = "-thumbnail" if thumbnail else ""
    etag = f'"{board.id}-{moment}-{int(board.updated_at.timestamp())}{small}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    document = await exports.render_svg(
        services.store, board, services.workers, at, thumbnail=thumbnail
    )
    return Response(document, media_type="image/svg+xml", headers=headers)


@router.get(
    "/{board_id}/snapshots/{seq}/{part}",
    response_class=Response,
    responses={200: {"content": {"application/vnd.inkroom.snapshot+msgpack": {}}}, **ON_A_BOARD},
)
async def snapshot_part(
    access: AccessDep,
    services: ServicesDep,
    request: Request,
    seq: Annotated[int, Path(ge=1, lt=2**53)],
    part: Annotated[int, Path(ge=0, lt=100_000)],
) -> Response:
    """One part of a board snapshot (docs/protocol.md, "Snapshots"): immutable, so browsers
    and proxies keep it; the welcome message says which to fetch."""
    board = access.board
    encoding = accepted_encoding(request.headers)
    # A rebuild in a new format differs, and so does each compressed form: a cache holding one
    # form never takes it for another.
    etag = f'"{board.id}-{seq}-{part}-f{snapshot.FORMAT}-{encoding or "identity"}"'
    scope = "private" if board.protected else "public"
    headers = {
        "ETag": etag,
        "Cache-Control": f"{scope}, max-age=31536000, immutable",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    body = await services.store.snapshot_part(board.id, seq, part)
    if body is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such snapshot; join again")
    # Kept compressed with brotli; the rare client without it gets gzip, or the plain bytes.
    if encoding != "br":
        body = await asyncio.to_thread(_unpacked_from_brotli, body, encoding)
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    return Response(body, media_type="application/vnd.inkroom.snapshot+msgpack", headers=headers)


def _unpacked_from_brotli(body: bytes, encoding: str | None) -> bytes:
    """A brotli-compressed part as gzip (``encoding`` "gzip") or as it is (None)."""
    plain = brotli.decompress(body)
    return compressed(plain, encoding) if encoding is not None else plain
