"""One call under way per key, shared by whoever asks for the same key meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    """``run(key, call)`` awaits the call already under way for ``key``, or starts ``call()``.

    For reads whose answer may be as old as the moment the first caller asked (a crowd opening
    one board at once reads it once, not once each). The call runs in a task of its own: a
    caller that gives up does not cancel it for the others.
    """

    def __init__(self) -> None:
        self._calls: dict[K, asyncio.Task[V]] = {}

    async def run(self, key: K, call: Callable[[], Coroutine[Any, Any, V]]) -> V:
        task = self._calls.get(key)
        if task is None:
            task = asyncio.create_task(call())
            self._calls[key] = task
            task.add_done_callback(lambda done: self._done(key, done))
        return await asyncio.shield(task)

    def _done(self, key: K, task: asyncio.Task[V]) -> None:
        if self._calls.get(key) is task:
            del self._calls[key]
        if not task.cancelled():
            task.exception()  # its callers have it; nobody else is to be warned of it

    def __len__(self) -> int:
        return len(self._calls)
