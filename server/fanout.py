"""Room traffic between processes: one interface, one class per engine (after
encode/broadcaster's backends).

A hub hands ``publish`` an encoded event for a board's channel and hears the events of every
channel it subscribed to through its ``receive`` callback, its own included with Redis (it skips
those; ``MemoryFanout`` does not echo them).
``MemoryFanout`` joins hubs of one Python process (one hub alone: inkroom on SQLite);
``RedisFanout`` joins processes through Redis pub/sub, which is at-most-once: a lost event is a
gap that the hub fills from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from server.metrics import Metrics

log = logging.getLogger(__name__)

Receive = Callable[[str, bytes], None]


class Fanout(ABC):
    # Whether an event can be lost on the way (the hub then checks the database for gaps).
    lossy = False

    def __init__(self) -> None:
        self.receive: Receive = lambda board_id, data: None

    @property
    def up(self) -> bool:
        """Whether events reach the other processes now."""
        return True

    async def start(self, receive: Receive) -> None:
        self.receive = receive

    @abstractmethod
    async def stop(self) -> None:
        """Stop delivering; what was published is sent first where the engine can."""

    @abstractmethod
    def subscribe(self, board_id: str) -> None: ...

    @abstractmethod
    def unsubscribe(self, board_id: str) -> None: ...

    @abstractmethod
    def publish(self, board_id: str, data: bytes) -> None:
        """Send ``data`` to the board's channel; never waits, keeps the order of calls."""


class MemoryBus:
    """The channels that ``MemoryFanout`` instances of one Python process share."""

    def __init__(self) -> None:
        self.members: list[MemoryFanout] = []


class MemoryFanout(Fanout):
    def __init__(self, bus: MemoryBus | None = None) -> None:
        super().__init__()
        self.bus = bus or MemoryBus()
        self.boards: set[str] = set()

    async def start(self, receive: Receive) -> None:
        await super().start(receive)
        self.bus.members.append(self)

    async def stop(self) -> None:
        if self in self.bus.members:
            self.bus.members.remove(self)

    def subscribe(self, board_id: str) -> None:
        self.boards.add(board_id)

    def unsubscribe(self, board_id: str) -> None:
        self.boards.discard(board_id)

    def publish(self, board_id: str, data: bytes) -> None:
        if self not in self.bus.members:
            return  # stopped: nobody hears it any more
        # Delivered on the next turn of the loop, as a network would, in publishing order.
        loop = asyncio.get_running_loop()
        for member in self.bus.members:
            # Not to itself: the hub would skip its own event (one process alone publishes each
            # live message for nobody).
            if member is not self and board_id in member.boards:
                loop.call_soon(member.receive, board_id, data)


class RedisFanout(Fanout):
    """Pub/sub through Redis: one channel per board, subscribed while the board has clients here.

    One task publishes (in order, each with a deadline), one listens (and reconnects with
    backoff), one pings. While Redis is away, events are dropped and counted: the process goes on
    serving its own clients, and the hubs fill what was missed from the database.
    """

    lossy = True
    PREFIX = "inkroom:board:"
    MAX_QUEUED = 10_000

    def __init__(self, url: str, metrics: Metrics, timeout: float = 1.0) -> None:
        super().__init__()
        self.url = url
        self.metrics = metrics
        self.timeout = timeout
        self.boards: set[str] = set()
        self._redis = aioredis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=None
        )
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._publishing = True
        self._listening = False

    @property
    def up(self) -> bool:
        return self._publishing and self._listening

    async def start(self, receive: Receive) -> None:
        await super().start(receive)
        self._tasks = [
            asyncio.create_task(self._publish_forever(), name="fanout-publish"),
            asyncio.create_task(self._listen_forever(), name="fanout-listen"),
            asyncio.create_task(self._ping_forever(), name="fanout-ping"),
        ]

    async def stop(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), self.timeout)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._redis.aclose()

    def subscribe(self, board_id: str) -> None:
        self.boards.add(board_id)
        self._changed.set()

    def unsubscribe(self, board_id: str) -> None:
        self.boards.discard(board_id)
        self._changed.set()

    def publish(self, board_id: str, data: bytes) -> None:
        if not self._publishing or self._queue.qsize() >= self.MAX_QUEUED:
            self.metrics.fanout_dropped.inc()
            return
        self._queue.put_nowait((self.PREFIX + board_id, data))

    def _went(self, what: str, up: bool, error: Exception | None = None) -> None:
        if what == "publish" and self._publishing != up:
            self._publishing = up
        elif what == "listen" and self._listening != up:
            self._listening = up
        else:
            return
        self.metrics.fanout_up.set(1 if self.up else 0)
        if up:
            log.warning("redis %s: back", what)
        else:
            log.warning("redis %s: away (%r); serving this process's clients only", what, error)

    async def _publish_forever(self) -> None:
        while True:
            channel, data = await self._queue.get()
            try:
                await self._redis.publish(channel, data)
                self._went("publish", True)
            except (RedisError, OSError) as exc:
                self._went("publish", False, exc)
                self.metrics.fanout_dropped.inc(1 + self._drop_queued())
            finally:
                self._queue.task_done()

    def _drop_queued(self) -> int:
        dropped = 0
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
            dropped += 1
        return dropped

    async def _ping_forever(self) -> None:
        """Publishing alone would not notice a Redis that stopped answering on a quiet board."""
        while True:
            try:
                await self._redis.ping()
                self._went("publish", True)
            except (RedisError, OSError) as exc:
                self._went("publish", False, exc)
            await asyncio.sleep(self.timeout)

    async def _listen_forever(self) -> None:
        backoff = 0.1
        while True:
            pubsub = self._redis.pubsub()
            try:
                await self._listen(pubsub)
            except (RedisError, OSError) as exc:
                self._went("listen", False, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            else:
                backoff = 0.1
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _listen(self, pubsub: aioredis.client.PubSub) -> None:
        subscribed: set[str] = set()
        # A channel must be subscribed for the connection to exist; this one never carries data.
        await pubsub.subscribe(self.PREFIX.rstrip(":"))
        self._went("listen", True)
        while True:
            self._changed.clear()
            wanted = {self.PREFIX + board_id for board_id in self.boards}
            if added := wanted - subscribed:
                await pubsub.subscribe(*added)
            if removed := subscribed - wanted:
                await pubsub.unsubscribe(*removed)
            subscribed = wanted
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.05)
            while message is not None:
                channel = message["channel"].decode()
                board_id = channel.removeprefix(self.PREFIX)
                if board_id in self.boards:
                    self.receive(board_id, message["data"])
                if self._changed.is_set():
                    break
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0)
