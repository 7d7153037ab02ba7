"""Rate and capacity limits: token buckets and counters. Pure; the routes decide what a refusal
looks like on the wire."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

Clock = Callable[[], float]


class TokenBucket:
    """``rate`` tokens a second, holding at most ``burst``; ``take`` spends one if there is one."""

    __slots__ = ("burst", "clock", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.stamp = clock()

    def take(self, cost: float = 1.0) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


class Occupancy:
    """How many connections each key (a board, an address) holds, against a ceiling."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: defaultdict[str, int] = defaultdict(int)

    def acquire(self, key: str) -> bool:
        if self.counts[key] >= self.limit:
            return False
        self.counts[key] += 1
        return True

    def release(self, key: str) -> None:
        self.counts[key] -= 1
        if self.counts[key] <= 0:
            del self.counts[key]


class WindowCounter:
    """At most ``limit`` events per key in any ``window`` seconds (board creation per address)."""

    def __init__(self, limit: int, window: float, clock: Clock = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.events: defaultdict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = self.clock()
        events = self.events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def note(self, key: str) -> None:
        """An event allowed elsewhere (by the count of every process): counted here too."""
        now = self.clock()
        events = self.events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        events.append(now)
