"""A room's budget for live points on the way in. Pure: no I/O, the clock is passed in.

Every live message a room takes costs it once to decode and then once per recipient to send, so
a crowded room can take in more than one process can hand on. The budget counts deliveries (a
message times the people who receive it) per second; a room within it takes everything. Past
it, each sender gets an equal share of what the room can deliver, refilled as it goes, and what
is over its share is dropped before it is decoded: someone drawing at a normal pace loses no
more than someone drawing fast, and nobody's points stop altogether. Committed operations never
pass through here.

What one process can carry depends on the machine and on what else runs on it, so the budget
also follows the room's ticks: ticks that leave late, on average, mean the process is behind,
and the budget shrinks until the ticks are on time again, then grows back to what was set. One
late tick alone (a collection, a burst of joins) is no sign of that, and costs nothing.
"""

from __future__ import annotations

# The senders of the last window are the ones a room shares its budget among.
WINDOW_SECONDS = 1.0
# A sender's unused share is kept for this long at the most (a stroke's first points are often
# a burst).
BURST_SECONDS = 0.25
# Ticks this late on average: the process is behind (live points reach people later than the
# tenth of a second that still feels live). The budget then shrinks by ``SHRINK`` a tick down to
# ``LEAST`` of what was set, and grows back by ``GROW`` of it a tick on time (a second or so).
# The average weighs each new tick by ``LATE_WEIGHT`` (the last ten or so count): a loop that
# takes a few tens of milliseconds a turn on a busy room is not behind.
LATE_SECONDS = 0.100
LATE_WEIGHT = 0.1
SHRINK = 0.8
GROW = 0.01
LEAST = 0.01


class Intake:
    """Decides, message by message, whether a room takes a sender's live message."""

    def __init__(self, deliveries_per_second: float) -> None:
        self.deliveries_per_second = deliveries_per_second
        self.scale = 1.0  # of the budget, while the process is behind
        self.lateness = 0.0  # how late the room's ticks leave, on average
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
        per_second = self.deliveries_per_second * self.scale / max(recipients, 1)
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

    def ticked(self, late: float) -> None:
        """The room's tick left ``late`` seconds after it was due."""
        self.lateness += (late - self.lateness) * LATE_WEIGHT
        if self.lateness > LATE_SECONDS:
            self.scale = max(LEAST, self.scale * SHRINK)
        elif self.scale < 1.0:
            self.scale = min(1.0, self.scale + GROW)

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
