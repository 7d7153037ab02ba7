"""Builds board snapshots off the request path: in another process, one board at a time.

A board is due for a new snapshot when the operations stored since its newest snapshot reach
``snapshot_every_ops`` and a tenth of the board (so a big board is not re-packed every few
seconds), or when it has been quiet for ``snapshot_quiet_seconds`` with at least
``snapshot_quiet_ops`` new operations; never twice within ``snapshot_min_interval_seconds`` (a
board written to flat out would otherwise be re-packed over and over, taking CPU from the
writes). Building reads the log, then packs and compresses it in the app's worker process, so
the event loop (and every ack) never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from server import snapshot
from server.config import Settings
from server.metrics import Metrics
from server.store import Store
from server.submission import Submission

log = logging.getLogger(__name__)


@dataclass
class _Board:
    head: int
    snapshot_seq: int
    changed_at: float
    built_at: float = float("-inf")


class Snapshotter:
    def __init__(
        self, store: Store, settings: Settings, metrics: Metrics, workers: Executor
    ) -> None:
        self._store = store
        self._settings = settings
        self._metrics = metrics
        self._workers = workers
        self._boards: dict[str, _Board] = {}
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="snapshotter")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def committed(self, outcomes: Sequence[Submission]) -> None:
        """The committer's outcomes: count what was stored, per board."""
        now = time.monotonic()
        for submission in outcomes:
            if submission.seq is None or submission.duplicate or submission.error:
                continue
            board = self._boards.get(submission.board_id)
            if board is None:
                # Unknown here until a join tells its newest snapshot: assume none.
                board = self._boards[submission.board_id] = _Board(0, 0, now)
            board.head = max(board.head, submission.seq)
            board.changed_at = now
            if self._due(board, now):
                self._wakeup.set()

    def joined(self, board_id: str, head: int, snapshot_seq: int) -> None:
        """A join read the board's head and newest snapshot: an old board may be due."""
        board = self._boards.get(board_id)
        if board is None:
            board = self._boards[board_id] = _Board(head, snapshot_seq, time.monotonic())
        board.head = max(board.head, head)
        board.snapshot_seq = max(board.snapshot_seq, snapshot_seq)
        if self._due(board, time.monotonic()):
            self._wakeup.set()

    def forget(self, board_id: str) -> None:
        self._boards.pop(board_id, None)

    def _due(self, board: _Board, now: float) -> bool:
        new = board.head - board.snapshot_seq
        settings = self._settings
        if now - board.built_at < settings.snapshot_min_interval_seconds:
            return False  # a board written to flat out is not re-packed over and over
        if new >= max(settings.snapshot_every_ops, board.head // 10):
            return True
        quiet = now - board.changed_at >= settings.snapshot_quiet_seconds
        return quiet and new >= settings.snapshot_quiet_ops

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._settings.snapshot_quiet_seconds)
            self._wakeup.clear()
            now = time.monotonic()
            for board_id, board in list(self._boards.items()):
                if not self._due(board, now):
                    continue
                try:
                    built = await self.build(board_id, board.head)
                except Exception:
                    log.exception("board %s: snapshot at %d failed", board_id, board.head)
                    built = board.head  # not again until it has changed as much once more
                board.snapshot_seq = max(board.snapshot_seq, built)
                board.built_at = time.monotonic()
                if board.head == board.snapshot_seq:
                    self._boards.pop(board_id, None)  # nothing new: no need to remember it

    async def build(self, board_id: str, seq: int) -> int:
        """Build and store the snapshot of ``board_id`` at ``seq`` (its operations up to it);
        the sequence number it was built at (0 for an empty board)."""
        started = time.perf_counter()
        rows = await self._store.operation_rows(board_id, seq)
        if not rows:
            return 0
        seq = rows[-1][0]
        part_objects = self._settings.snapshot_part_objects
        loop = asyncio.get_running_loop()
        parts = await loop.run_in_executor(
            self._workers, snapshot.build, board_id, seq, rows, part_objects
        )
        await self._store.save_snapshot(board_id, seq, parts)
        self._metrics.snapshot_seconds.observe(time.perf_counter() - started)
        log.info("board %s: snapshot at %d in %d parts", board_id, seq, len(parts))
        return seq
