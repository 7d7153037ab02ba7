"""The board WebSocket route: who may come in, and the close code for everything that goes
wrong. The conversation itself is ``server.session``."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import AsyncIterator

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server import auth, protocol, refusals
from server.access import granted_role, higher
from server.auth import AuthError, Identity
from server.colors import color_on_board
from server.connections import abort_of
from server.protocol import ID_PATTERN, CloseCode, Limits
from server.rooms import CLOSE_TIMEOUT_SECONDS, Client
from server.routes.deps import socket_services
from server.security import origin_allowed
from server.services import Services
from server.session import Disconnected, Refused, Session, decode, remembered_board
from server.store import Board

router = APIRouter(prefix="/ws/boards")
_VALID_ID = re.compile(ID_PATTERN)
# What a hashed subject looks like: a subject that looks so is hashed too, so none can pose as one.
_HASHED_ID = re.compile(r"^u[0-9a-f]{31}$")


class WebSocketChannel:
    """``server.session.Socket`` over a Starlette WebSocket.

    Every send has a deadline: a client that takes none of a frame for ``send_timeout`` seconds
    has stopped reading and counts as fallen behind (4002). A close that cannot be sent within
    ``CLOSE_TIMEOUT_SECONDS`` (the client's buffers are full) aborts the connection instead.
    """

    def __init__(self, websocket: WebSocket, send_timeout: float) -> None:
        self.websocket = websocket
        self.send_timeout = send_timeout
        self.abort = abort_of(websocket.scope)
        # When the send under way began, and who awaits it; one timer checks them (a timer per
        # send would be scheduled and cancelled for every frame of a busy room).
        self._sending_since: float | None = None
        self._sender: asyncio.Task[object] | None = None
        self._check: asyncio.TimerHandle | None = None
        self._timed_out = False

    async def send(self, data: bytes) -> None:
        loop = asyncio.get_running_loop()
        self._sending_since, self._sender = loop.time(), asyncio.current_task()
        if self._check is None:
            self._check = loop.call_at(self._sending_since + self.send_timeout, self._overdue)
        try:
            await self.websocket.send_bytes(data)
        except asyncio.CancelledError:
            if not self._timed_out:
                raise
            if self._sender is not None:
                self._sender.uncancel()
            raise Refused(CloseCode.FELL_BEHIND, "fell behind; resume from your last seq") from None
        except (WebSocketDisconnect, RuntimeError):
            raise Disconnected from None
        finally:
            self._sending_since = None

    def _overdue(self) -> None:
        """A send that has not finished within ``send_timeout`` is cancelled; one that is still
        young gets the timer again at its own deadline."""
        self._check = None
        if self._sending_since is None or self._sender is None:
            return
        loop = asyncio.get_running_loop()
        if loop.time() - self._sending_since >= self.send_timeout:
            self._timed_out = True
            self._sender.cancel()
        else:
            self._check = loop.call_at(self._sending_since + self.send_timeout, self._overdue)

    async def receive(self) -> bytes:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise Disconnected(message.get("code"))
        data = message.get("bytes")
        if data is None:
            raise Refused(CloseCode.UNSUPPORTED_DATA, "frames must be binary msgpack")
        assert isinstance(data, bytes)
        return data

    async def close(self, code: int, reason: str) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await self.websocket.close(code, reason)
            except TimeoutError:
                self.abort()


async def _deny(websocket: WebSocket, status: int, reason: str) -> None:
    """Refuse the upgrade itself: the client gets an HTTP status, not a socket."""
    await websocket.send_denial_response(JSONResponse({"detail": reason}, status_code=status))


def _identity(websocket: WebSocket, services: Services, board_id: str) -> Identity | None:
    if not auth.enabled(services.settings):
        return None
    token = auth.find_token(websocket.headers, websocket.cookies, websocket.query_params)
    return auth.for_board(auth.verify(token, services.settings), board_id)


def _user_id(identity: Identity) -> str:
    """A signed-in user's id as the protocol spells ids: the subject itself when it is one, else
    a hash of the whole subject (never a cut: two long subjects must not become one author)."""
    user = identity.user
    valid = Limits.MIN_ID_CHARS <= len(user) <= Limits.MAX_ID_CHARS and _VALID_ID.match(user)
    if valid and not _HASHED_ID.match(user):
        return user
    return "u" + hashlib.sha256(user.encode()).hexdigest()[:31]


def _display_name(name: str | None) -> str | None:
    """A sign-in token's name as the protocol allows names, or None if nothing is left."""
    if not name:
        return None
    cleaned = "".join(c for c in name if c.isprintable()).strip()[: Limits.MAX_NAME_CHARS].strip()
    return cleaned or None


@contextlib.asynccontextmanager
async def _seat(services: Services, board_id: str, address: str) -> AsyncIterator[None]:
    """A place on the board and for the address, or Refused(4430)."""
    if not await services.address_connections.take(address):
        raise Refused(CloseCode.TOO_MANY_CONNECTIONS, "too many connections from your address")
    try:
        if not await services.board_connections.take(board_id):
            raise Refused(CloseCode.TOO_MANY_CONNECTIONS, "this board is full")
        try:
            yield
        finally:
            services.board_connections.give_back(board_id)
    finally:
        services.address_connections.give_back(address)


@router.websocket("/{board_id}")
async def board_socket(websocket: WebSocket, board_id: str) -> None:
    services = socket_services(websocket)
    address = websocket.client.host if websocket.client else "unknown"
    origin, host = websocket.headers.get("origin"), websocket.headers.get("host")
    if not origin_allowed(origin, host, services.settings.allowed_origins):
        services.metrics.rejected.labels("origin").inc()
        refusals.note(address, board_id, "origin", "HTTP 403: origin not allowed")
        await _deny(websocket, 403, "origin not allowed")
        return
    try:
        identity = _identity(websocket, services, board_id)
    except AuthError as refused:
        services.metrics.rejected.labels("token").inc()
        refusals.note(address, board_id, f"http_{refused.status}", refused.reason)
        await _deny(websocket, refused.status, refused.reason)
        return
    # A board with people on it is known to its room: no database read.
    board = remembered_board(services.hub.rooms.get(board_id))
    if board is None and _VALID_ID.match(board_id):
        board = await services.store.get_board(board_id)
    # Accept before the remaining refusals so that the browser learns their close codes (a
    # refusal before accept reaches a page as a bare failure).
    await websocket.accept()
    channel = WebSocketChannel(websocket, services.settings.send_timeout_seconds)
    try:
        if board is None:
            raise Refused(CloseCode.BOARD_NOT_FOUND, "board not found")
        async with _seat(services, board.id, address):
            await _join_and_serve(channel, board, identity, services, address)
    except Refused as refused:
        services.metrics.rejected.labels(refused.error or f"close_{refused.code}").inc()
        refusals.note(address, board_id, refused.code, refused.reason)
        if refused.error:
            error = protocol.Error(code=refused.error, reason=refused.reason)
            with contextlib.suppress(Exception):
                await channel.send(protocol.frame([protocol.encode_server(error)]))
        with contextlib.suppress(Exception):
            await channel.close(refused.code, refused.reason)
    except Disconnected as gone:
        if gone.code == CloseCode.TOO_BIG:
            services.metrics.rejected.labels("close_1009").inc()
            refusals.note(address, board_id, CloseCode.TOO_BIG, "frame over the size limit")


async def _join_and_serve(
    channel: WebSocketChannel,
    board: Board,
    identity: Identity | None,
    services: Services,
    address: str,
) -> None:
    try:
        async with asyncio.timeout(services.settings.join_timeout_seconds):
            frame = await channel.receive()
    except TimeoutError:
        raise Refused(CloseCode.JOIN_TIMEOUT, "no join message in time") from None
    join = decode(frame)
    if not isinstance(join, protocol.Join):
        raise Refused(
            CloseCode.INVALID_PAYLOAD, "the first message must be join", "invalid_message"
        )
    if join.joined_outdated():
        raise Refused(CloseCode.OUTDATED_CLIENT, "this page is out of date: reload it")
    link_role = await services.store.link_role(board.id, join.token) if join.token else None
    without_link = identity.role if identity else granted_role(board.protected, None)
    granted = higher(without_link, link_role)
    if granted is None:
        raise Refused(CloseCode.LINK_REQUIRED, "this board needs a valid link")
    # A connection that owes its role to its link loses it when the link is replaced.
    owes_link = link_role is not None and granted is not without_link
    user = _user_id(identity) if identity else join.user
    name = _display_name(identity.name if identity else None) or join.name
    # From who is on the board now: nothing awaits between this and the join to the room (the
    # start of Session.run), so two joins on this process never take the same free color.
    room = services.hub.rooms.get(board.id)
    color = color_on_board(join.color, user, room.people() if room else ())
    peer = protocol.Peer(peer=services.hub.next_peer_id(), user=user, name=name, color=color)
    client = Client(
        peer,
        channel,
        services.settings.client_queue_bytes,
        services.metrics,
        granted=granted,
        locked=board.locked,
        link_role=link_role if owes_link else None,
        address=address,
    )
    await Session(channel, board, join, client, services).run()
