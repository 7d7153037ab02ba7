"""The newest committed operations of a live room, kept so that a join replays them from memory
instead of reading the database. No SQL.

A room's tail begins at the head the room started from (what its first join read from the
database) and grows with every operation the room hands on; a join that read older operations
from the database hands them back (``prepend``) so that the next join finds them here too. Past
``max_bytes`` the oldest go: a join from before them reads the database as before.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable

from server.events import CommittedOp

# What a room keeps at the most: a few thousand strokes of an ordinary board, and no more than
# one client's queue may hold, for each board open on the process.
TAIL_BYTES = 1024 * 1024


class Tail:
    """Committed operations ``start + 1 .. head``, in order, without a gap."""

    def __init__(self, start: int, max_bytes: int = TAIL_BYTES) -> None:
        self.start = start
        self.max_bytes = max_bytes
        self._ops: deque[CommittedOp] = deque()
        self._bytes = 0

    @property
    def head(self) -> int:
        return self._ops[-1].seq if self._ops else self.start

    @property
    def size(self) -> int:
        """The bytes of the operations kept."""
        return self._bytes

    def append(self, op: CommittedOp) -> None:
        """The room handed ``op`` on: it is the next one (a gap would make a join miss it)."""
        if op.seq != self.head + 1:
            # Never happens while rooms hand operations on in order; start afresh rather than
            # keep a tail with a hole in it.
            self._ops.clear()
            self._bytes = 0
            self.start = op.seq - 1
        self._ops.append(op)
        self._bytes += len(op.message)
        while self._bytes > self.max_bytes and self._ops:
            oldest = self._ops.popleft()
            self._bytes -= len(oldest.message)
            self.start = oldest.seq

    def prepend(self, ops: Iterable[CommittedOp]) -> None:
        """Operations a join read from the database, in order: kept if they end where the tail
        begins, newest first, as far as they fit."""
        for op in sorted(ops, key=lambda op: op.seq, reverse=True):
            if op.seq > self.start:
                continue  # kept already
            if op.seq != self.start or self._bytes + len(op.message) > self.max_bytes:
                return
            self._ops.appendleft(op)
            self._bytes += len(op.message)
            self.start = op.seq - 1

    def after(self, seq: int) -> list[CommittedOp] | None:
        """The operations after ``seq``; None when the tail does not reach back that far."""
        if seq < self.start:
            return None
        return list(itertools.islice(self._ops, seq - self.start, None))
