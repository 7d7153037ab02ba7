"""uvicorn's connection protocols, with the deadlines a server on the open internet needs.

uvicorn closes a connection gracefully: it waits for what it has written to drain first. A client
that stops reading never lets it drain, so its connection, and every byte queued for it, stays
forever. Here a closing WebSocket that has not drained within ``CLOSE_GRACE_SECONDS`` is aborted,
and the app can abort a connection itself (the ``inkroom.abort`` scope extension).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, cast

from uvicorn._types import ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request

ABORT_EXTENSION = "inkroom.abort"
CLOSE_GRACE_SECONDS = 2.0


def abort_of(scope: MutableMapping[str, Any]) -> Callable[[], None]:
    """The function that aborts this WebSocket's connection (a no-op under other servers)."""
    extension = scope.get("extensions", {}).get(ABORT_EXTENSION)
    return cast(Callable[[], None], extension["abort"]) if extension else lambda: None


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """The sans-I/O WebSocket protocol, with a grace period after which closing means aborting."""

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if self.response.status_code == 101:
            extensions = cast(dict[str, Any], self.scope["extensions"])
            extensions[ABORT_EXTENSION] = {"abort": self.abort}

    def abort(self) -> None:
        """Drop the connection at once, whatever is still unsent."""
        if not self.disconnected:
            self.transport.abort()

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if message["type"] == "websocket.close" and self.close_timer is not None:
            # uvicorn would wait 10 s, then close gracefully (which never ends if nobody reads).
            self.close_timer.cancel()
            self.close_timer = self.loop.call_later(CLOSE_GRACE_SECONDS, self._finish_closing)

    async def run_asgi(self) -> None:
        await super().run_asgi()
        self.loop.call_later(CLOSE_GRACE_SECONDS, self._finish_closing)

    def shutdown(self) -> None:
        super().shutdown()
        self.loop.call_later(CLOSE_GRACE_SECONDS, self._finish_closing)

    def _finish_closing(self) -> None:
        if self.disconnected:
            return
        if self.transport.get_write_buffer_size():
            self.transport.abort()  # the client does not read: what is unsent never will be
        else:
            self.transport.close()
