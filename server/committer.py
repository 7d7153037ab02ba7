"""Group commit: one writer task stores every pending operation of this process in batches."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from server.metrics import Metrics
from server.protocol import ErrorCode
from server.store import Store
from server.submission import Submission

log = logging.getLogger(__name__)

Deliver = Callable[[Sequence[Submission]], None]


class Committer:
    """Takes submissions, stores them in as few transactions as the load allows, then hands
    every outcome to ``deliver`` in commit order.

    While one transaction is on disk the next operations queue up, so the batch grows with the
    load and throughput does not collapse to one disk sync per operation.
    """

    def __init__(
        self, store: Store, deliver: Deliver, metrics: Metrics, max_batch: int = 512
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._deliver = deliver
        self._max_batch = max_batch
        self._queue: asyncio.Queue[Submission] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        # Futures resolved once the submission they are keyed by (by identity) is delivered.
        self._waiters: dict[int, asyncio.Future[None]] = {}

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="committer")

    def submit(self, submission: Submission) -> None:
        self._queue.put_nowait(submission)

    async def store(self, submissions: Sequence[Submission]) -> None:
        """Queue ``submissions`` and wait until their outcomes are filled in (in commit order,
        the last one's outcome comes last)."""
        if not submissions:
            return
        done = asyncio.get_running_loop().create_future()
        self._waiters[id(submissions[-1])] = done
        for submission in submissions:
            self.submit(submission)
        await done

    async def stop(self) -> None:
        """Store what is already queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[Submission]) -> None:
        self._metrics.commit_batch.observe(len(batch))
        try:
            with self._metrics.commit_seconds.time():
                await self._store.append(batch)
        except Exception:
            log.exception("storing %d operations failed", len(batch))
            for submission in batch:
                submission.seq, submission.duplicate = None, False
                submission.error = ErrorCode.STORAGE_UNAVAILABLE
                submission.reason = "the board could not be saved; retry later"
        for submission in batch:
            if submission.error is not None:
                self._metrics.rejected.labels(submission.error).inc()
        try:
            self._deliver(batch)
        except Exception:
            log.exception("delivering %d outcomes failed", len(batch))
        for submission in batch:
            waiter = self._waiters.pop(id(submission), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
