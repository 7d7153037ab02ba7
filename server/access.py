"""Who may do what on a board: roles, capability links and the rules between them. Pure."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}
LINK_BYTES = 24


def new_link_token() -> str:
    """A capability token: whoever holds it has its role on its board."""
    return secrets.token_urlsafe(LINK_BYTES)


def token_hash(token: str) -> str:
    # Tokens are random, so a plain SHA-256 is enough: a stolen database yields no usable link.
    return hashlib.sha256(token.encode()).hexdigest()


def granted_role(protected: bool, link_role: Role | None) -> Role | None:
    """The role a connection gets from its link; None means it may not enter.

    Anyone with an open board's address may draw on it (as on WBO or Excalidraw); a protected
    board admits only holders of one of its links.
    """
    if link_role is not None:
        return link_role
    return None if protected else Role.EDITOR


def effective_role(granted: Role, locked: bool) -> Role:
    """A locked board is read-only for everyone but its owners."""
    if locked and granted is not Role.OWNER:
        return Role.VIEWER
    return granted


def higher(first: Role | None, second: Role | None) -> Role | None:
    roles = [role for role in (first, second) if role is not None]
    return max(roles, key=lambda role: role.rank) if roles else None


def refusal(role: Role, kind: str, protected: bool) -> str | None:
    """Why ``role`` may not submit an operation of this kind, or None if it may."""
    if role is Role.VIEWER:
        return "read_only"
    if kind == "clear" and protected and role is not Role.OWNER:
        return "forbidden"
    return None
