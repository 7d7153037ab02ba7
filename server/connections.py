"""uvicorn's connection protocols, with the limits and deadlines a server on the open internet
needs.

uvicorn closes a connection gracefully: it waits for what it has written to drain first. A client
that stops reading never lets it drain, so its connection, and every byte queued for it, stays
forever. Here a closing WebSocket that has not drained within ``CLOSE_GRACE_SECONDS`` is aborted,
and the app can abort a connection itself (the ``inkroom.abort`` scope extension).

A frame that many connections get alike (a room's tick) can be made into its WebSocket frame
once and written to each connection's transport as it is (the ``inkroom.write_frame``
extension), instead of going through Starlette, uvicorn and the WebSocket library once per
connection (a fifth of the server's CPU for each live message delivered in a 200-person room).
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, cast

import h11
import wsproto.events
from uvicorn._types import ASGISendEvent
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.protocols.websockets.wsproto_impl import WSProtocol
from websockets.http11 import Request
from wsproto.frame_protocol import FrameProtocol

ABORT_EXTENSION = "inkroom.abort"
WRITE_FRAME_EXTENSION = "inkroom.write_frame"
CLOSE_GRACE_SECONDS = 2.0
# What makes server frames (unmasked, unfragmented): it keeps no state between whole messages.
_SERVER_FRAMES = FrameProtocol(client=False, extensions=[])


def abort_of(scope: MutableMapping[str, Any]) -> Callable[[], None]:
    """The function that aborts this WebSocket's connection (a no-op under other servers)."""
    extension = scope.get("extensions", {}).get(ABORT_EXTENSION)
    return cast(Callable[[], None], extension["abort"]) if extension else lambda: None


def write_frame_of(scope: MutableMapping[str, Any]) -> Callable[[bytes], bool] | None:
    """The function that writes a ready WebSocket frame at once (None under other servers)."""
    extension = scope.get("extensions", {}).get(WRITE_FRAME_EXTENSION)
    return cast(Callable[[bytes], bool], extension["write"]) if extension else None


def binary_frame(payload: bytes) -> bytes:
    """One whole binary WebSocket message as a server sends it, uncompressed (valid whatever
    the connection negotiated: RFC 7692 leaves a frame without RSV1 as it is)."""
    return bytes(_SERVER_FRAMES.send_data(payload, fin=True))


class ReadingPausedNextTurn:
    """A connection's transport whose ``pause_reading`` waits for the loop's next turn, and is
    forgotten if reading resumed meanwhile.

    uvicorn pauses reading after every message and resumes it when the app takes the message,
    which it mostly does in the very next turn: two epoll_ctl system calls for every message a
    client sends, a quarter of the server's time in a room of 500 drawing people. Paused a turn
    later, a connection whose app is slower still stops being read, one read past the message.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pause_wanted = False
        self._pause_due = False
        # What every frame sent calls, bound here rather than looked up through __getattr__.
        self.write = transport.write
        self.is_closing = transport.is_closing

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def pause_reading(self) -> None:
        self._pause_wanted = True
        if not self._pause_due:
            self._pause_due = True
            self._loop.call_soon(self._pause_if_still_wanted)

    def resume_reading(self) -> None:
        self._pause_wanted = False
        if not self._transport.is_reading():
            self._transport.resume_reading()

    def _pause_if_still_wanted(self) -> None:
        self._pause_due = False
        if self._pause_wanted:
            self._transport.pause_reading()


class GracefulClose:
    """What inkroom adds to uvicorn's WebSocket protocols (``websockets-sansio`` and ``wsproto``
    share the attributes used here): the abort and write-frame extensions, a grace period after
    which closing means aborting, and a refused upgrade counted as a finished handshake."""

    scope: Any
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    disconnected: bool
    handshake_complete: bool
    writable: asyncio.Event
    close_sent: bool
    close_timer: asyncio.TimerHandle | None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        paused_next_turn = ReadingPausedNextTurn(cast(asyncio.Transport, transport), self.loop)
        super().connection_made(cast(asyncio.Transport, paused_next_turn))  # type: ignore[misc]

    def _offer_extensions(self) -> None:
        extensions = cast(dict[str, Any], self.scope["extensions"])
        extensions[ABORT_EXTENSION] = {"abort": self.abort}
        extensions[WRITE_FRAME_EXTENSION] = {"write": self.write_frame}

    def write_frame(self, frame: bytes) -> bool:
        """Write a ready frame now if the connection is open and its socket takes data; False
        (nothing written) otherwise: then it goes the usual way, which waits for the socket."""
        if (
            self.disconnected
            or not self.handshake_complete
            or self.close_sent
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True

    def abort(self) -> None:
        """Drop the connection at once, whatever is still unsent."""
        if not self.disconnected:
            self.transport.abort()

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)  # type: ignore[misc]
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # A refused upgrade (an HTTP answer instead of 101) is a finished handshake too;
            # uvicorn would log "ASGI callable returned without completing handshake" for it.
            self.handshake_complete = True
        if message["type"] == "websocket.close" and self.close_timer is not None:
            # uvicorn would wait 10 s, then close gracefully (which never ends if nobody reads).
            self.close_timer.cancel()
            self.close_timer = self.loop.call_later(CLOSE_GRACE_SECONDS, self._finish_closing)

    async def run_asgi(self) -> None:
        await super().run_asgi()  # type: ignore[misc]
        self.loop.call_later(CLOSE_GRACE_SECONDS, self._finish_closing)

    def shutdown(self) -> None:
        super().shutdown()  # type: ignore[misc]
        self.loop.call_later(CLOSE_GRACE_SECONDS, self._finish_closing)

    def _finish_closing(self) -> None:
        if self.disconnected:
            return
        if self.transport.get_write_buffer_size():
            self.transport.abort()  # the client does not read: what is unsent never will be
        else:
            self.transport.close()


class SansIOWebSocketProtocol(GracefulClose, WebSocketsSansIOProtocol):
    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if self.response.status_code == 101:
            self._offer_extensions()


class WsprotoWebSocketProtocol(GracefulClose, WSProtocol):
    def handle_connect(self, event: wsproto.events.Request) -> None:
        super().handle_connect(event)
        self._offer_extensions()


# The implementations uvicorn offers, by the names of its --ws option. The legacy `websockets`
# one is uvicorn's own, without the abort and the grace period: it is here to be measured.
WEBSOCKET_PROTOCOLS: dict[str, type[asyncio.Protocol] | str] = {
    "wsproto": WsprotoWebSocketProtocol,
    "websockets-sansio": SansIOWebSocketProtocol,
    "websockets": "websockets",
}


class Gate:
    """Connections still in HTTP (not yet upgraded): per address and in all, and a deadline for
    their request headers.

    uvicorn has no header timeout, and an idle TCP connection costs a file descriptor; enough of
    them and the process can accept nothing, not even ``/healthz``. Here a request whose headers
    are not complete ``header_timeout`` seconds after its first byte (or after the connection
    opened) is closed; an address holds at most ``per_address`` connections (addresses of trusted
    proxies excepted: the proxy caps its clients); and past ``total`` connections, a new one
    evicts the oldest connection still waiting for its headers, or is refused when there is none.
    """

    def __init__(
        self, header_timeout: float, per_address: int, total: int, exempt: Iterable[str] = ()
    ) -> None:
        self.header_timeout = header_timeout
        self.per_address = per_address
        self.total = total
        self.exempt = frozenset(exempt)
        self.open: dict[str, int] = {}
        self.count = 0
        # Connections waiting for their headers, oldest first.
        self.waiting: dict[HttpProtocol, None] = {}

    def admit(self, address: str) -> bool:
        if address not in self.exempt and self.open.get(address, 0) >= self.per_address:
            return False
        if self.count >= self.total:
            if not self.waiting:
                return False
            oldest = next(iter(self.waiting))
            oldest.drop()
        self.open[address] = self.open.get(address, 0) + 1
        self.count += 1
        return True

    def release(self, address: str) -> None:
        self.count -= 1
        left = self.open.get(address, 1) - 1
        if left > 0:
            self.open[address] = left
        else:
            self.open.pop(address, None)


class HttpProtocol(H11Protocol):
    """uvicorn's h11 protocol behind a ``Gate`` (set by ``http_protocol``)."""

    gate: Gate

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else "unknown"
        self._deadline: asyncio.TimerHandle | None = None
        self._admitted = self.gate.admit(self._address)
        if not self._admitted:
            transport.abort()
            return
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._leave_gate()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._admitted:
            return
        if self.conn.their_state is h11.IDLE:  # a request has begun, its headers are not all in
            if self._deadline is None:
                self._await_headers()
        else:
            self._headers_arrived()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._leave_gate()  # from here on, the board socket's own limits apply
        super().handle_websocket_upgrade(event)

    def drop(self) -> None:
        self._leave_gate()
        self.transport.abort()

    def _await_headers(self) -> None:
        self.gate.waiting[self] = None
        self._deadline = self.loop.call_later(self.gate.header_timeout, self.drop)

    def _headers_arrived(self) -> None:
        self.gate.waiting.pop(self, None)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _leave_gate(self) -> None:
        self._headers_arrived()
        if getattr(self, "_admitted", False):
            self._admitted = False
            self.gate.release(self._address)


def http_protocol(gate: Gate) -> type[HttpProtocol]:
    """The protocol class to hand to uvicorn (``http=``), bound to ``gate``."""
    return type("GatedHttpProtocol", (HttpProtocol,), {"gate": gate})


def open_files_limit() -> int:
    """Raise this process's soft limit on open files to the hard limit; returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft
