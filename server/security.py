"""Cross-site checks and the security headers of every page."""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# FastAPI's interactive API page loads its own scripts; it keeps FastAPI's defaults.
_API_DOC_PATHS = ("/docs",)


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str]) -> bool:
    """May a WebSocket upgrade with this Origin header go ahead?

    Browsers always send Origin on a WebSocket upgrade, so a page on another site cannot ride on
    a visitor's access (cross-site WebSocket hijacking). A request with no Origin is not from a
    browser page. With no configured origins, only the app's own origin is allowed.
    """
    if origin is None:
        return True
    allowed = list(allowed)
    if allowed:
        return origin in allowed or "*" in allowed
    if host is None:
        return False
    return origin in (f"http://{host}", f"https://{host}")


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def content_security_policy(host: str, inline_scripts: Iterable[str] = ()) -> str:
    """The pages' policy; ``inline_scripts`` are the hash sources of the inline scripts a page
    may run (its import map)."""
    # Some browsers do not match ws:/wss: with 'self', so the socket's origin is listed; a Host
    # header that is not a plain host name must not write into the policy.
    sockets = f" ws://{host} wss://{host}" if _HOST.match(host) else ""
    return "; ".join(
        (
            "default-src 'self'",
            " ".join(("script-src 'self'", *inline_scripts)),
            "style-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src 'self'{sockets}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1") or "localhost"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if not scope["path"].startswith(_API_DOC_PATHS):
                    headers.setdefault("Content-Security-Policy", content_security_policy(host))
            await send(message)

        await self.app(scope, receive, send_with_headers)
