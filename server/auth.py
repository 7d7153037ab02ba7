"""Optional server-wide sign-in with JSON Web Tokens (PyJWT).

When a JWT secret is configured, every API request and board socket needs a token signed with
it. Claims: ``sub`` (the user id), ``name`` (optional display name), ``role`` (``viewer``,
``editor`` or ``owner``), ``boards`` (board ids, or ``"*"`` for all), ``admin`` (``true``: may list
every board), and ``exp``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import jwt

from server.access import Role
from server.config import Settings

COOKIE = "inkroom_token"
QUERY = "access_token"


class AuthError(Exception):
    """A refused token; ``status`` is the HTTP status that says why (401 or 403)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    user: str
    name: str | None
    role: Role
    boards: frozenset[str] | None  # None: every board
    admin: bool = False

    def may_open(self, board_id: str) -> bool:
        return self.boards is None or board_id in self.boards


def enabled(settings: Settings) -> bool:
    return bool(settings.jwt_secret)


def find_token(
    headers: Mapping[str, str], cookies: Mapping[str, str], query: Mapping[str, str]
) -> str | None:
    """The token from ``Authorization: Bearer``, the cookie, or the ``access_token`` query."""
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return cookies.get(COOKIE) or query.get(QUERY) or None


def verify(token: str | None, settings: Settings) -> Identity:
    """Check a token's signature, expiry and claims.

    Raises:
        AuthError: 401 when the token is missing, forged, expired or malformed.
    """
    if not token:
        raise AuthError(401, "sign-in required: no token")
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthError(401, "token expired") from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(401, f"invalid token: {type(exc).__name__}") from None
    if not isinstance(claims["exp"], int | float) or isinstance(claims["exp"], bool):
        raise AuthError(401, "invalid token: exp must be a number")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise AuthError(401, "invalid token: sub must be a non-empty string")
    try:
        role = Role(claims.get("role", Role.EDITOR.value))
    except ValueError:
        raise AuthError(401, "invalid token: unknown role") from None
    boards = claims.get("boards", "*")
    if boards != "*" and not (isinstance(boards, list) and all(isinstance(b, str) for b in boards)):
        raise AuthError(401, "invalid token: boards must be a list of ids or '*'")
    admin = claims.get("admin", False)
    if not isinstance(admin, bool):
        raise AuthError(401, "invalid token: admin must be true or false")
    name = claims.get("name")
    return Identity(
        user=claims["sub"],  # whole: server.routes.board_socket maps it to a user id
        name=name[:40] if isinstance(name, str) and name.strip() else None,
        role=role,
        boards=None if boards == "*" else frozenset(boards),
        admin=admin,
    )


def for_board(identity: Identity, board_id: str) -> Identity:
    """Raises AuthError 403 when the token does not cover this board."""
    if not identity.may_open(board_id):
        raise AuthError(403, "token not valid for this board")
    return identity
