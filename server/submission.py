"""An operation on its way to the log: what the session hands the committer, and the outcome
the store fills in. Shared by session, committer, store and rooms, so it belongs to none of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class Origin(Protocol):
    """Whoever waits for an outcome on this process: a connected client."""

    def deliver(self, message: bytes, seq: int | None = None) -> None: ...


@dataclass(eq=False)
class Submission:
    """An operation waiting to be stored; ``origin`` (if any) hears its outcome."""

    board_id: str
    op_id: str
    author: str
    kind: str
    target: str | None
    payload: bytes
    origin: Origin | None = None
    # A restore's moment: it must be in the board's history already.
    restore_at: int | None = None
    # An image's content hash: the board must hold that image already.
    image_hash: str | None = None
    # The board's state hash once this operation is stored (``protocol.next_state_hash``).
    state_hash: int | None = None
    # How the author appears to others, kept with the board for its history.
    author_name: str | None = None
    author_color: str | None = None
    # Filled in by ``Store.append``: the stored sequence number, or why it was refused.
    seq: int | None = None
    duplicate: bool = False
    error: str | None = None
    reason: str = field(default="")

    @property
    def stored(self) -> bool:
        """Newly stored by this append (not refused, not a resend of a stored operation)."""
        return self.seq is not None and not self.duplicate and self.error is None
