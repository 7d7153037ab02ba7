"""A room's budget for live points on the way in. Pure: no I/O, the clock is passed in.

Every live message a room takes costs it once to decode and then once per recipient to send, so
a crowded room can take in more than one process can hand on. The budget counts deliveries (a
message times the people who receive it) per second; a room within it takes everything. Past
it, each sender gets an equal share of what the room can deliver, refilled as it goes, and what
is over its share is dropped before it is decoded: someone drawing at a normal pace loses no
more than someone drawing fast, and nobody's points stop altogether. Committed operations never
pass through here.
"""

from __future__ import annotations

# The senders of the last window are the ones a room shares its budget among.
WINDOW_SECONDS = 1.0
# A sender's unused share is kept for this long at the most (a stroke's first points are often
# a burst).
BURST_SECONDS = 0.25


class Intake:
    """Decides, message by message, whether a room takes a sender's live message."""

    def __init__(self, deliveries_per_second: float) -> None:
        self.deliveries_per_second = deliveries_per_second
        self._window_ends = 0.0
        self._offered = 0
        self._senders: set[int] = set()
        self._senders_before = 0
        self._shedding = False
        # A sender's unused share and when it was last topped up, while the room sheds.
        self._credit: dict[int, tuple[float, float]] = {}
        self.shed = 0  # messages dropped since the room last counted them

    @property
    def shedding(self) -> bool:
        return self._shedding

    def admit(self, sender: int, recipients: int, now: float) -> bool:
        """Whether the room takes one more live message from ``sender`` now, for
        ``recipients`` people."""
        per_second = self.deliveries_per_second / max(recipients, 1)
        if now >= self._window_ends:
            self._roll(now, per_second)
        self._offered += 1
        self._senders.add(sender)
        if not self._shedding:
            if self._offered <= per_second * WINDOW_SECONDS:
                return True
            self._shedding = True  # over the budget in the middle of a window: shed from now
        share = per_second / max(self._senders_before, len(self._senders))
        tokens, at = self._credit.get(sender, (1.0, now))
        tokens = min(tokens + (now - at) * share, max(1.0, share * BURST_SECONDS))
        if tokens >= 1.0:
            self._credit[sender] = (tokens - 1.0, now)
            return True
        self._credit[sender] = (tokens, now)
        self.shed += 1
        return False

    def _roll(self, now: float, per_second: float) -> None:
        """A new window: it sheds if the last one was offered more than the budget."""
        self._shedding = self._offered > per_second * (now - self._window_ends + WINDOW_SECONDS)
        self._senders_before = len(self._senders)
        if self._shedding:
            self._credit = {s: c for s, c in self._credit.items() if s in self._senders}
        else:
            self._credit = {}
        self._senders = set()
        self._offered = 0
        self._window_ends = now + WINDOW_SECONDS
