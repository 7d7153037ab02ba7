"""One log line for every refusal: who (the client's address), where (the board, or the HTTP
route) and what (the close code, HTTP status or error code), never a token.

A refusal an honest client meets in the normal course of things (a deleted board, a revoked link,
a slow network, a full board) is logged at INFO; one that looks like abuse or a broken client (an
invalid or oversized message, a flood, too many connections, a page from another site) at
WARNING. The code is part of each line's format string, so the rate limit of ``server.logs``
counts every code apart: a flood of one kind cannot hide the others, nor fill the disk.
"""

from __future__ import annotations

import logging
import re

from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.protocol import ID_PATTERN, CloseCode, ErrorCode

log = logging.getLogger(__name__)

ABUSE_LIKE: frozenset[int | str] = frozenset(
    {
        CloseCode.UNSUPPORTED_DATA,
        CloseCode.INVALID_PAYLOAD,
        CloseCode.TOO_BIG,
        CloseCode.RATE_LIMITED,
        CloseCode.TOO_MANY_CONNECTIONS,
        ErrorCode.INVALID_MESSAGE,
        ErrorCode.ALREADY_JOINED,
        "origin",
        "http_413",
        "http_415",
        "http_422",
        "http_429",
    }
)
# Closes that refuse nothing: a normal end, a shutdown, a restart.
NOT_REFUSALS: frozenset[int] = frozenset(
    {CloseCode.NORMAL, CloseCode.GOING_AWAY, CloseCode.SERVICE_RESTART}
)
_BOARD_ID = re.compile(ID_PATTERN)


def note(address: str, board: str, code: int | str, reason: str, route: str = "") -> None:
    """Log one refusal. ``reason`` is the server's own wording (never the client's input);
    ``route`` the HTTP route's template, for refusals of the HTTP API."""
    level = logging.WARNING if code in ABUSE_LIKE else logging.INFO
    code = int(code) if isinstance(code, int) else str(code)
    where = f"board {_shown(board)}"
    if route:
        where = f"{where} ({route})" if board else route
    log.log(level, "refused " + str(code) + ": %s on %s: %s", address, where, reason[:120])


def _shown(board: str) -> str:
    # A board id from a URL is whatever the client sent: only a well-formed one is repeated.
    return board if len(board) <= 64 and _BOARD_ID.fullmatch(board) else "(not a board id)"


# The HTTP refusals that uvicorn's access log alone would record, with the server's words for them.
HTTP_REFUSALS = {
    413: "request body over its size limit",
    415: "not a PNG, JPEG, WebP or GIF image",
    422: "invalid request (the answer lists where and why)",
    429: "too many boards created or images added from the address",
    507: "the board holds as much as it may",
}


class HttpRefusalLog:
    """Logs the HTTP API's refusals of ``HTTP_REFUSALS`` as ``note`` logs the sockets': the route
    is the template of the one that answered (``PATCH /api/boards/{board_id}``), never the URL
    the client sent, whose query may hold a token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_noting_refusals(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in HTTP_REFUSALS:
                status = message["status"]
                address = scope["client"][0] if scope.get("client") else "unknown"
                note(address, _board(scope), f"http_{status}", HTTP_REFUSALS[status], _route(scope))
            await send(message)

        await self.app(scope, receive, send_noting_refusals)


def _route(scope: Scope) -> str:
    # The router notes the route it chose in the scope; the method is then one of the route's.
    route = scope.get("route")
    if not isinstance(route, Route):
        return "(no route)"
    return f"{scope['method']} {route.path}"


def _board(scope: Scope) -> str:
    return str(scope.get("path_params", {}).get("board_id", ""))
