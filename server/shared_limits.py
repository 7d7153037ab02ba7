"""The limits of ``server.limits`` counted for every process that shares one Redis: connections
per address and per board (``Seats``), board creations and images per address (``Allowance``).

Each process keeps its own count as well, always. While Redis answers, a decision takes the
other processes' counts into account in one atomic Lua script; while it is away, the process
decides on its own count alone (each process then allows up to the limit by itself) and says so
in ``inkroom_limits_shared``.

A process holds its seats in Redis under a lease (``inkroom:nodes``, a sorted set of processes by
lease expiry, renewed every heartbeat): the seats of a process that died (``kill -9``) stop
counting when its lease runs out, three heartbeats later, and are deleted by the next decision
that meets them. Every process writes its own counts again now and then, and at once when Redis
comes back or has forgotten its lease, so a restarted Redis (which forgets everything) counts
right again within a heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from server.limits import Occupancy, WindowCounter
from server.metrics import Metrics

log = logging.getLogger(__name__)

NODES = "inkroom:nodes"
SEATS = "inkroom:seats:"
EVENTS = "inkroom:events:"

# KEYS: the seats' hash (process -> seats it holds), the nodes' leases.
# ARGV: this process, its seats once this one is taken, the limit, the hash's lifetime (ms),
# the lease (ms). Counts the seats of the other processes whose lease runs, deletes the others.
_TAKE_SEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[1])
local others = 0
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do
  if held[i] ~= ARGV[1] then
    local lease = redis.call('ZSCORE', KEYS[2], held[i])
    if lease and tonumber(lease) > now then
      others = others + tonumber(held[i + 1])
    else
      redis.call('HDEL', KEYS[1], held[i])
    end
  end
end
if others + tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS: the nodes' leases. ARGV: this process, the lease (ms). Renews it and forgets expired
# ones; 1 when this process had no lease (Redis restarted, or it ran out): its counts are gone.
_RENEW_LEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 10 * tonumber(ARGV[2]))
return added
"""

# KEYS: the events' sorted set (by time). ARGV: a unique member, the limit, the window (ms).
_ADD_EVENT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


class SharedCounts:
    """This process's side of the limits in Redis: its lease, the scripts, and its own counts
    written back there (at once after a change, all of them every ``REWRITE_EVERY`` heartbeats).

    Every call fails fast: one that takes longer than ``timeout`` marks Redis away, and until the
    next heartbeat gets an answer, decisions are this process's alone without asking Redis.
    """

    REWRITE_EVERY = 30
    # A seats' hash nobody has written for this long is gone (its holders all died).
    SEATS_TTL_MS = 10 * 60 * 1000

    def __init__(
        self, url: str, node: str, metrics: Metrics, timeout: float = 1.0, heartbeat: float = 1.0
    ) -> None:
        self.node = node
        self.metrics = metrics
        self.heartbeat = heartbeat
        self.lease_ms = int(3 * heartbeat * 1000)
        self._redis = aioredis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=None
        )
        self._take_seat = self._redis.register_script(_TAKE_SEAT)
        self._renew_lease = self._redis.register_script(_RENEW_LEASE)
        self._add_event = self._redis.register_script(_ADD_EVENT)
        self._seats: dict[str, Occupancy] = {}
        self._changed: set[tuple[str, str]] = set()
        self._wake = asyncio.Event()
        self._events = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self.up = False
        metrics.limits_shared.set(0)

    def register(self, name: str, counts: Occupancy) -> None:
        self._seats[name] = counts

    async def start(self) -> None:
        await self._renew()
        self._task = asyncio.create_task(self._write_forever(), name="limits-lease")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.up:
            # Leaving: the other processes stop counting this one's seats at once.
            with contextlib.suppress(RedisError, OSError):
                await self._redis.zrem(NODES, self.node)
        await self._redis.aclose()

    async def take_seat(self, name: str, key: str, mine: int, limit: int) -> bool | None:
        """Whether this process may hold ``mine`` seats of ``key`` beside the others' (None:
        Redis is away, the caller decides alone)."""
        if not self.up:
            return None
        try:
            keys = [SEATS + name + ":" + key, NODES]
            args: list[str | int] = [self.node, mine, limit, self.SEATS_TTL_MS, self.lease_ms]
            return bool(await self._take_seat(keys, args))
        except (RedisError, OSError) as exc:
            self._went(False, exc)
            return None

    def seat_changed(self, name: str, key: str) -> None:
        """This process's count of ``key`` changed: written to Redis without the caller waiting."""
        self._changed.add((name, key))
        self._wake.set()

    async def add_event(self, name: str, key: str, limit: int, window: float) -> bool | None:
        """Whether one more event of ``key`` fits in the window for all processes (None: Redis
        is away)."""
        if not self.up:
            return None
        member = f"{self.node}:{next(self._events)}"
        try:
            args: list[str | int] = [member, limit, int(window * 1000)]
            return bool(await self._add_event([EVENTS + name + ":" + key], args))
        except (RedisError, OSError) as exc:
            self._went(False, exc)
            return None

    def _went(self, up: bool, error: Exception | None = None) -> None:
        if up == self.up:
            return
        self.up = up
        self.metrics.limits_shared.set(1 if up else 0)
        if up:
            log.warning("redis limits: back; limits count every process again")
        else:
            log.warning("redis limits: away (%r); limits count this process only", error)

    async def _renew(self) -> bool:
        """Renew the lease; True when Redis just came back or had forgotten this process
        (everything is to be written again)."""
        try:
            forgotten = await self._renew_lease([NODES], [self.node, self.lease_ms])
        except (RedisError, OSError) as exc:
            self._went(False, exc)
            return False
        back = not self.up
        self._went(True)
        return back or bool(forgotten)

    async def _write_forever(self) -> None:
        loop = asyncio.get_running_loop()
        renewed = loop.time()
        beats = 0
        rewrite = True
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.heartbeat)
            self._wake.clear()
            if loop.time() - renewed >= self.heartbeat or not self.up:
                renewed = loop.time()
                beats += 1
                rewrite = await self._renew() or rewrite or beats % self.REWRITE_EVERY == 0
            if not self.up:
                continue
            if rewrite:
                changed = {
                    (name, key) for name, seats in self._seats.items() for key in seats.counts
                }
                changed |= self._changed
            else:
                changed = self._changed
            self._changed = set()
            try:
                await self._write(changed)
                rewrite = False
            except (RedisError, OSError) as exc:
                self._changed |= changed
                self._went(False, exc)

    async def _write(self, changed: set[tuple[str, str]]) -> None:
        if not changed:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for name, key in changed:
                mine = self._seats[name].counts.get(key, 0)
                if mine > 0:
                    pipe.hset(SEATS + name + ":" + key, self.node, mine)
                    pipe.pexpire(SEATS + name + ":" + key, self.SEATS_TTL_MS)
                else:
                    pipe.hdel(SEATS + name + ":" + key, self.node)
            await pipe.execute()


class Seats:
    """Connections each key (an address, a board) holds, against ``limit`` for all processes
    sharing ``shared`` (or for this process alone without it)."""

    def __init__(self, name: str, limit: int, shared: SharedCounts | None = None) -> None:
        self.name = name
        self.local = Occupancy(limit)
        self.shared = shared
        if shared is not None:
            shared.register(name, self.local)

    @property
    def limit(self) -> int:
        return self.local.limit

    async def take(self, key: str) -> bool:
        # Taken here first, so that joins of this process under way at once count each other.
        if not self.local.acquire(key):
            return False
        if self.shared is None:
            return True
        allowed = await self.shared.take_seat(self.name, key, self.local.counts[key], self.limit)
        if allowed is False:
            self.give_back(key)
            return False
        return True

    def give_back(self, key: str) -> None:
        self.local.release(key)
        if self.shared is not None:
            self.shared.seat_changed(self.name, key)


class Allowance:
    """At most ``limit`` events per key in any ``window`` seconds, for all processes sharing
    ``shared`` (or for this process alone)."""

    def __init__(
        self, name: str, limit: int, window: float, shared: SharedCounts | None = None
    ) -> None:
        self.name = name
        self.local = WindowCounter(limit, window)
        self.shared = shared

    async def allow(self, key: str) -> bool:
        if self.shared is not None:
            allowed = await self.shared.add_event(
                self.name, key, self.local.limit, self.local.window
            )
            if allowed is not None:
                if allowed:
                    # Kept here too, for the decisions this process takes alone if Redis goes.
                    self.local.note(key)
                return allowed
        return self.local.allow(key)
