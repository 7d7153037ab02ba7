"""The board WebSocket: join, replay, then live traffic. Turns domain errors into close codes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import MutableMapping
from typing import Any

from fastapi import APIRouter, WebSocket
from fastapi.responses import PlainTextResponse
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server import protocol
from server.protocol import CloseCode, ErrorCode, ProtocolError
from server.rooms import CLOSE_TIMEOUT_SECONDS, FRAME_BUDGET_BYTES, Client, Room
from server.security import origin_allowed
from server.services import Services, socket_services
from server.store import Submission

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ws/boards")
Message = MutableMapping[str, Any]


class SocketTransport:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send(self, data: bytes) -> None:
        await self.websocket.send_bytes(data)

    async def close(self, code: int, reason: str) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            await self.websocket.close(code, reason)


class JoinRefused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@router.websocket("/{board_id}")
async def board_socket(websocket: WebSocket, board_id: str) -> None:
    services = socket_services(websocket)
    origin, host = websocket.headers.get("origin"), websocket.headers.get("host")
    if not origin_allowed(origin, host, services.settings.allowed_origins):
        # Refused before accept: the page gets no socket at all (HTTP 403).
        await websocket.send_denial_response(
            PlainTextResponse("origin not allowed", status_code=403)
        )
        return
    board = await services.store.get_board(board_id)
    # Accept first so that the browser learns the close code (a refusal before accept is a
    # bare HTTP 403).
    await websocket.accept()
    if board is None:
        await websocket.close(CloseCode.BOARD_NOT_FOUND, "board not found")
        return
    transport = SocketTransport(websocket)
    try:
        join = await _receive_join(websocket, services.settings.join_timeout_seconds)
    except JoinRefused as refusal:
        await _refuse(transport, refusal.code, refusal.reason)
        return
    except WebSocketDisconnect:
        return
    connection = Connection(websocket, transport, board.id, join, services)
    await connection.serve()


async def _receive_join(websocket: WebSocket, seconds: float) -> protocol.Join:
    try:
        async with asyncio.timeout(seconds):
            message = await websocket.receive()
    except TimeoutError:
        raise JoinRefused(CloseCode.JOIN_TIMEOUT, "no join message in time") from None
    data = _frame_bytes(message)
    try:
        decoded = protocol.decode_client(data)
    except ProtocolError as exc:
        raise JoinRefused(CloseCode.INVALID_PAYLOAD, str(exc)) from None
    if not isinstance(decoded, protocol.Join):
        raise JoinRefused(CloseCode.INVALID_PAYLOAD, "the first message must be join")
    return decoded


def _frame_bytes(message: Message) -> bytes:
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(int(str(message.get("code", 1000))))
    data = message.get("bytes")
    if not isinstance(data, bytes):
        raise JoinRefused(CloseCode.UNSUPPORTED_DATA, "frames must be binary msgpack")
    return data


async def _refuse(transport: SocketTransport, code: int, reason: str) -> None:
    if code == CloseCode.INVALID_PAYLOAD:
        error = protocol.Error(code=ErrorCode.INVALID_MESSAGE, reason=reason)
        with contextlib.suppress(Exception):
            await transport.send(protocol.frame([protocol.encode_server(error)]))
    with contextlib.suppress(Exception):
        await transport.close(code, reason[:120])


class Connection:
    """One joined client: replays history, then relays its messages until it leaves."""

    def __init__(
        self,
        websocket: WebSocket,
        transport: SocketTransport,
        board_id: str,
        join: protocol.Join,
        services: Services,
    ) -> None:
        self.websocket = websocket
        self.board_id = board_id
        self.join = join
        self.store = services.store
        self.hub = services.hub
        self.committer = services.committer
        self.settings = services.settings
        peer = protocol.Peer(
            peer=self.hub.next_peer_id(), user=join.user, name=join.name, color=join.color
        )
        self.metrics = services.metrics
        self.client = Client(peer, transport, self.settings.client_queue_bytes, self.metrics)

    async def serve(self) -> None:
        room = self.hub.join(self.board_id, self.client)
        receiver: asyncio.Task[None] | None = None
        self.metrics.connections.inc()
        try:
            await self._replay(room)
            receiver = asyncio.create_task(self._receive(room))
            closed = asyncio.create_task(self.client.closed.wait())
            await asyncio.wait({receiver, closed}, return_when=asyncio.FIRST_COMPLETED)
            closed.cancel()
            if receiver.done():
                receiver.result()
        except WebSocketDisconnect:
            pass
        except Exception:
            log.exception("board %s: connection failed", self.board_id)
            self.client.close(CloseCode.INTERNAL_ERROR, "internal error")
        finally:
            if self.client.closing:
                # Let the writer send what is queued (an error, say) and the close frame.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.client.closed.wait(), CLOSE_TIMEOUT_SECONDS)
            if receiver is not None:
                receiver.cancel()
            self.hub.leave(room, self.client)
            self.metrics.connections.dec()
            await self.client.stop()

    async def _replay(self, room: Room) -> None:
        """History after the client's ``last_seq``, then live: no gap, no duplicate.

        The client is already in the room, so whatever commits from now on waits in its
        backlog; ``go_live`` drops the part of it that the replay already covered.
        """
        board = await self.store.get_board(self.board_id)
        if board is None:
            raise WebSocketDisconnect(CloseCode.BOARD_NOT_FOUND)
        welcome = protocol.Welcome(
            peer=self.client.peer.peer,
            board=board.id,
            title=board.title,
            head_seq=board.head_seq,
            peers=[peer for peer in room.peers() if peer != self.client.peer],
        )
        send = self.client.transport.send
        await send(protocol.frame([protocol.encode_server(welcome)]))
        after = self.join.last_seq
        if after > board.head_seq:
            after = 0  # the client's copy comes from elsewhere: it gets everything again
        while not self.client.closing:
            page = await self.store.read_operations(
                self.board_id, after, self.settings.replay_page_ops
            )
            if not page:
                break
            batch: list[bytes] = []
            size = 0
            for stored in page:
                message = protocol.encode_committed(stored.seq, stored.author, stored.payload)
                if batch and size + len(message) > FRAME_BUDGET_BYTES:
                    await send(protocol.frame(batch))
                    batch, size = [], 0
                batch.append(message)
                size += len(message)
            await send(protocol.frame(batch))
            after = page[-1].seq
        await send(protocol.frame([protocol.encode_server(protocol.Synced(head_seq=after))]))
        self.client.go_live(after)

    async def _receive(self, room: Room) -> None:
        while True:
            message = await self.websocket.receive()
            try:
                data = _frame_bytes(message)
                decoded = protocol.decode_client(data)
            except JoinRefused as refusal:
                self.metrics.rejected.labels("text_frame").inc()
                self.client.close(refusal.code, refusal.reason)
                return
            except ProtocolError as exc:
                self.metrics.rejected.labels("invalid_message").inc()
                reason = str(exc)
                error = protocol.Error(code=ErrorCode.INVALID_MESSAGE, reason=reason)
                self.client.deliver(protocol.encode_server(error))
                self.client.close(CloseCode.INVALID_PAYLOAD, reason[:120])
                return
            self.metrics.messages_in.labels(decoded.type).inc()
            self._handle(room, decoded)

    def _handle(
        self, room: Room, message: protocol.Join | protocol.Live | protocol.Cursor | protocol.Submit
    ) -> None:
        peer = self.client.peer.peer
        match message:
            case protocol.Live():
                relayed = protocol.PeerLive(
                    peer=peer,
                    stroke=message.stroke,
                    color=message.color,
                    width=message.width,
                    points=message.points,
                )
                room.relay(protocol.encode_server(relayed), self.client)
            case protocol.Cursor():
                cursor = protocol.PeerCursor(peer=peer, x=message.x, y=message.y)
                room.relay(protocol.encode_server(cursor), self.client)
            case protocol.Submit(op=op):
                target = getattr(op, "target", None)
                self.committer.submit(
                    Submission(
                        board_id=self.board_id,
                        op_id=op.id,
                        author=self.client.peer.user,
                        kind=op.kind,
                        target=target,
                        payload=protocol.encode_operation(op),
                        origin=self.client,
                    )
                )
            case protocol.Join():
                error = protocol.Error(code=ErrorCode.ALREADY_JOINED, reason="already joined")
                self.client.deliver(protocol.encode_server(error))
