"""The board WebSocket route: who may come in, and the close code for everything that goes
wrong. The conversation itself is ``server.session``.

The route is a plain ASGI app in front of FastAPI (``BoardSockets``), not a FastAPI route: every
layer between uvicorn and the handler stays suspended for the whole life of a connection, and
FastAPI's router, dependency resolution and exit stacks cost an idle connection about 13 kB
(``docs/benchmarks.md``). The Host check still runs first (``server.main``); the Origin check and
everything else is here."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import Callable

from starlette._utils import get_route_path
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server import auth, protocol, refusals
from server.access import granted_role, higher
from server.auth import AuthError, Identity
from server.colors import color_on_board
from server.connections import abort_of, binary_frame, write_frame_of
from server.protocol import ID_PATTERN, CloseCode, Limits
from server.rooms import CLOSE_TIMEOUT_SECONDS, Client, Frame
from server.security import origin_allowed
from server.services import Services
from server.session import Disconnected, Refused, Session, decode, remembered_board
from server.store import Board

# What FastAPI's router made of "/ws/boards/{board_id}": anything else goes on to the app (an
# unknown WebSocket route is refused with 403 there).
_PATH = re.compile(r"^/ws/boards/(?P<board_id>[^/]+)$")
_VALID_ID = re.compile(ID_PATTERN)
# What a hashed subject looks like: a subject that looks so is hashed too, so none can pose as one.
_HASHED_ID = re.compile(r"^u[0-9a-f]{31}$")


class WebSocketChannel:
    """``server.session.Socket`` over a Starlette WebSocket.

    Every send has a deadline: a client that takes none of a frame for ``send_timeout`` seconds
    has stopped reading and counts as fallen behind (4002). A close that cannot be sent within
    ``CLOSE_TIMEOUT_SECONDS`` (the client's buffers are full) aborts the connection instead.
    A room's shared frame is written straight to the connection when its socket takes data
    (``write_at_once``), made into a WebSocket frame once for all its recipients.
    """

    def __init__(self, websocket: WebSocket, send_timeout: float) -> None:
        self.websocket = websocket
        self.send_timeout = send_timeout
        self.abort = abort_of(websocket.scope)
        self._write_frame = write_frame_of(websocket.scope)
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

    def write_at_once(self, data: Frame) -> bool:
        if self._write_frame is None:
            return False
        if data.wire is None:
            data.wire = binary_frame(data)
        return self._write_frame(data.wire)

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


class BoardSockets:
    """ASGI app: ``/ws/boards/{board_id}`` WebSockets to ``board_socket``, everything else to
    ``app``. ``services`` gives the app's services (there once its lifespan has started)."""

    def __init__(self, app: ASGIApp, services: Callable[[], Services]) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            match = _PATH.match(get_route_path(scope))
            if match is not None:
                websocket = WebSocket(scope, receive, send)
                await board_socket(websocket, match["board_id"], self.services())
                return
        await self.app(scope, receive, send)


async def _take_seat(services: Services, board_id: str, address: str) -> None:
    """A place on the board and for the address (``_give_back_seat`` when done), or
    Refused(4430). Not a context manager: its suspended generator would stay with every idle
    connection."""
    if not await services.address_connections.take(address):
        raise Refused(CloseCode.TOO_MANY_CONNECTIONS, "too many connections from your address")
    try:
        seated = await services.board_connections.take(board_id)
    except BaseException:
        services.address_connections.give_back(address)
        raise
    if not seated:
        services.address_connections.give_back(address)
        raise Refused(CloseCode.TOO_MANY_CONNECTIONS, "this board is full")


def _give_back_seat(services: Services, board_id: str, address: str) -> None:
    services.board_connections.give_back(board_id)
    services.address_connections.give_back(address)


async def board_socket(websocket: WebSocket, board_id: str, services: Services) -> None:
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
    board = await _find_board(services, board_id)
    # Accept before the remaining refusals so that the browser learns their close codes (a
    # refusal before accept reaches a page as a bare failure).
    await websocket.accept()
    channel = WebSocketChannel(websocket, services.settings.send_timeout_seconds)
    try:
        if board is None:
            raise Refused(CloseCode.BOARD_NOT_FOUND, "board not found")
        await _take_seat(services, board.id, address)
        try:
            # The session is made by a call that has returned: nothing of the join message
            # stays on this frame while the connection lasts. Nothing awaits between the two
            # (the colour chosen in ``_joined`` counts on it).
            session = await _joined(channel, board, identity, services, address)
            await session.run()
        finally:
            _give_back_seat(services, board.id, address)
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


async def _find_board(services: Services, board_id: str) -> Board | None:
    """A board with people on it is known to its room: no database read. A read under way
    (another connection's, or a join's for its room) is waited for rather than made again."""
    room = services.hub.rooms.get(board_id)
    if room is not None:
        while (board := remembered_board(room)) is None and room.opening is not None:
            await room.opening.wait()
        if board is not None:
            return board
    if not _VALID_ID.match(board_id):
        return None
    return await services.board_reads.run(board_id, lambda: services.store.get_board(board_id))


async def _joined(
    channel: WebSocketChannel,
    board: Board,
    identity: Identity | None,
    services: Services,
    address: str,
) -> Session:
    """The session of a client whose join is valid and lets it in, or Refused."""
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
    return Session(channel, board, join, client, services)
