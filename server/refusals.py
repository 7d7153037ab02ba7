"""One log line for every refusal: who (the client's address), where (the board) and what (the
close code, HTTP status or error code), never a token.

A refusal an honest client meets in the normal course of things (a deleted board, a revoked link,
a slow network, a full board) is logged at INFO; one that looks like abuse or a broken client (an
invalid or oversized message, a flood, too many connections, a page from another site) at
WARNING. The code is part of each line's format string, so the rate limit of ``server.logs``
counts every code apart: a flood of one kind cannot hide the others, nor fill the disk.
"""

from __future__ import annotations

import logging
import re

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
    }
)
# Closes that refuse nothing: a normal end, a shutdown, a restart.
NOT_REFUSALS: frozenset[int] = frozenset(
    {CloseCode.NORMAL, CloseCode.GOING_AWAY, CloseCode.SERVICE_RESTART}
)
_BOARD_ID = re.compile(ID_PATTERN)


def note(address: str, board: str, code: int | str, reason: str) -> None:
    """Log one refusal. ``reason`` is the server's own wording (never the client's input)."""
    level = logging.WARNING if code in ABUSE_LIKE else logging.INFO
    code = int(code) if isinstance(code, int) else str(code)
    # A board id from a URL is whatever the client sent: only a well-formed one is repeated.
    shown = board if len(board) <= 64 and _BOARD_ID.fullmatch(board) else "(not a board id)"
    log.log(level, "refused " + str(code) + ": %s on board %s: %s", address, shown, reason[:120])
