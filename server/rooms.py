"""Who is on which board, and fan-out to them. No SQL, no web framework.

Every client has its own bounded outbound queue drained by its own writer task, so a slow or
vanished client never delays anyone else. Messages are encoded once per room, and whatever
waits for one client leaves as a single frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from server import protocol, refusals
from server.access import Role, effective_role
from server.metrics import Metrics
from server.protocol import CloseCode
from server.store import Submission

log = logging.getLogger(__name__)

# One outbound frame carries at most this much (a larger single message still goes alone).
FRAME_BUDGET_BYTES = 256 * 1024
# Past this many queued bytes, live points and cursors for a client are dropped first.
EPHEMERAL_SHARE = 4
CLOSE_TIMEOUT_SECONDS = 2.0


class Transport(Protocol):
    async def send(self, data: bytes) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


class Client:
    """One connection on a board, seen from the room."""

    def __init__(
        self,
        peer: protocol.Peer,
        transport: Transport,
        max_queue_bytes: int,
        metrics: Metrics,
        granted: Role = Role.EDITOR,
        locked: bool = False,
        link_role: Role | None = None,
        address: str = "unknown",
    ) -> None:
        self.peer = peer
        self.address = address
        self.transport = transport
        self.max_queue_bytes = max_queue_bytes
        self.metrics = metrics
        self.granted = granted
        self.locked = locked
        # The link this connection came in by, when that link is what let it in.
        self.link_role = link_role
        self.closed = asyncio.Event()
        self._live = False
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        self._sent_seq = 0
        # What arrives while the client is still receiving history, in arrival order.
        self._backlog: list[tuple[int | None, bytes]] = []
        self._close: tuple[int, str] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._watchdog: asyncio.Task[None] | None = None

    @property
    def role(self) -> Role:
        return effective_role(self.granted, self.locked)

    @property
    def closing(self) -> bool:
        return self._close is not None

    @property
    def close_reason(self) -> tuple[int, str] | None:
        """The code and reason this client was (or is being) closed with."""
        return self._close

    def deliver(self, message: bytes, seq: int | None = None) -> None:
        """Queue a message; a committed one (``seq``) is skipped if the client has it already."""
        if self._close is not None:
            return
        if not self._live:
            self._backlog.append((seq, message))
            self._queued_bytes += len(message)
            if self._queued_bytes > self.max_queue_bytes:
                self.close(CloseCode.FELL_BEHIND, "fell behind; resume from your last seq")
            return
        if seq is not None:
            if seq <= self._sent_seq:
                return
            self._sent_seq = seq
        self._enqueue(message)

    def deliver_ephemeral(self, message: bytes) -> None:
        """Queue live points or a cursor, unless the client is busy: those are the first to go."""
        if not self._live or self._close is not None:
            return
        if self._queued_bytes > self.max_queue_bytes // EPHEMERAL_SHARE:
            self.metrics.queue_drops.labels("ephemeral").inc()
            return
        self._enqueue(message)

    def go_live(self, sent_seq: int) -> None:
        """History up to ``sent_seq`` was sent: flush what waited, then keep the writer going."""
        backlog, self._backlog = self._backlog, []
        self._queued_bytes = 0
        self._live = True
        self._sent_seq = sent_seq
        for seq, message in backlog:
            self.deliver(message, seq)
        self._writer = asyncio.create_task(self._write(), name=f"writer-{self.peer.peer}")

    def close(self, code: int, reason: str) -> None:
        """Close after what is queued; a client that fell behind loses its queue instead.

        A client that stops reading blocks its writer inside ``send``, and would block the close
        frame behind it; the writer gets a deadline, after which the client counts as closed.
        """
        if self._close is not None:
            return
        self._close = (code, reason)
        if code == CloseCode.FELL_BEHIND:
            self.metrics.queue_drops.labels("fell_behind").inc()
            self._queue.clear()
            self._queued_bytes = 0
            if self._writer is not None:
                self._writer.cancel()  # it may be stuck sending to this very client
                self._writer = None
        if self._writer is None:
            # Nobody drains the queue (not live yet, or the writer was stopped): close now.
            self._writer = asyncio.create_task(self._write(), name=f"closer-{self.peer.peer}")
        self._wakeup.set()
        self._watchdog = asyncio.create_task(self._give_up_after(2 * CLOSE_TIMEOUT_SECONDS))

    async def _give_up_after(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closed.wait(), seconds)
        if not self.closed.is_set() and self._writer is not None:
            log.info("peer %d does not read; dropping it", self.peer.peer)
            self._writer.cancel()
            self.closed.set()

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        self.closed.set()

    def _enqueue(self, message: bytes) -> None:
        self._queue.append(message)
        self._queued_bytes += len(message)
        if self._queued_bytes > self.max_queue_bytes:
            self.close(CloseCode.FELL_BEHIND, "fell behind; resume from your last seq")
        else:
            self._wakeup.set()

    async def _write(self) -> None:
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup.clear()
                while self._queue:
                    await self.transport.send(self._take_frame())
                if self._close is not None:
                    break
            code, reason = self._close
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.transport.close(code, reason), CLOSE_TIMEOUT_SECONDS)
        except Exception as exc:  # the socket went away under us
            log.debug("writer for peer %d stopped: %r", self.peer.peer, exc)
        finally:
            self.closed.set()

    def _take_frame(self) -> bytes:
        messages = [self._queue.popleft()]
        size = len(messages[0])
        while self._queue and size + len(self._queue[0]) <= FRAME_BUDGET_BYTES:
            size += len(self._queue[0])
            messages.append(self._queue.popleft())
        self._queued_bytes -= size
        self.metrics.frames_out.inc()
        self.metrics.messages_out.inc(len(messages))
        return protocol.frame(messages)


class Room:
    """The clients of one board."""

    def __init__(self, board_id: str, check_every: int = 0) -> None:
        self.board_id = board_id
        self.clients: dict[int, Client] = {}
        # Every this many operations the room hears the board's state hash (0: never).
        self.check_every = check_every

    def add(self, client: Client) -> None:
        joined = protocol.encode_server(protocol.Presence(event="joined", peer=client.peer))
        self.broadcast(joined)
        self.clients[client.peer.peer] = client

    def remove(self, client: Client) -> None:
        if self.clients.pop(client.peer.peer, None) is not None:
            left = protocol.encode_server(protocol.Presence(event="left", peer=client.peer))
            self.broadcast(left)

    def peers(self) -> list[protocol.Peer]:
        return [client.peer for client in self.clients.values()]

    def broadcast(self, message: bytes, exclude: Client | None = None) -> None:
        for client in list(self.clients.values()):
            if client is not exclude:
                client.deliver(message)

    def relay(self, message: bytes, sender: Client) -> None:
        for client in list(self.clients.values()):
            if client is not sender:
                client.deliver_ephemeral(message)

    def publish(self, submission: Submission) -> None:
        """Tell the room about one stored operation: the author gets an ack, the rest the op."""
        assert submission.seq is not None
        origin = submission.origin
        if not submission.duplicate:
            committed = protocol.encode_committed(
                submission.seq, submission.author, submission.payload
            )
            for client in list(self.clients.values()):
                if client is not origin:
                    client.deliver(committed, submission.seq)
        if isinstance(origin, Client):
            ack = protocol.encode_server(protocol.Ack(id=submission.op_id, seq=submission.seq))
            origin.deliver(ack, None if submission.duplicate else submission.seq)
        due = self.check_every and submission.seq % self.check_every == 0
        if due and not submission.duplicate and submission.state_hash is not None:
            check = protocol.Check(seq=submission.seq, hash=submission.state_hash)
            self.broadcast(protocol.encode_server(check))


class Hub:
    """All rooms of this process."""

    def __init__(self, check_every: int = 0) -> None:
        self.rooms: dict[str, Room] = {}
        self.check_every = check_every
        self._peer_ids = itertools.count(1)

    def next_peer_id(self) -> int:
        return next(self._peer_ids)

    def join(self, board_id: str, client: Client) -> Room:
        room = self.rooms.get(board_id)
        if room is None:
            room = self.rooms[board_id] = Room(board_id, self.check_every)
        room.add(client)
        return room

    def leave(self, room: Room, client: Client) -> None:
        room.remove(client)
        if not room.clients and self.rooms.get(room.board_id) is room:
            del self.rooms[room.board_id]

    def board_changed(self, board_id: str, title: str, locked: bool) -> None:
        """Tell a board's clients its new title or lock, and apply the lock to their roles."""
        room = self.rooms.get(board_id)
        if room is None:
            return
        for client in room.clients.values():
            client.locked = locked
        room.broadcast(protocol.encode_server(protocol.BoardInfo(title=title, locked=locked)))

    def link_replaced(self, board_id: str, role: Role) -> None:
        """Whoever came in by the old link of this role has to come back with the new one."""
        room = self.rooms.get(board_id)
        for client in list(room.clients.values()) if room else []:
            if client.link_role is role:
                client.close(CloseCode.LINK_REQUIRED, "the link you used was replaced")

    def close_room(self, board_id: str, code: int, reason: str) -> None:
        room = self.rooms.get(board_id)
        for client in list(room.clients.values()) if room else []:
            client.close(code, reason)

    def deliver(self, outcomes: Sequence[Submission]) -> None:
        """The committer's callback: outcomes arrive in commit order, so seqs rise per board."""
        for submission in outcomes:
            if submission.error is not None:
                self._refuse(submission)
                continue
            room = self.rooms.get(submission.board_id)
            if room is not None:
                room.publish(submission)

    @staticmethod
    def _refuse(submission: Submission) -> None:
        if isinstance(submission.origin, Client):
            code = submission.error or protocol.ErrorCode.INVALID_MESSAGE
            error = protocol.Error(code=code, reason=submission.reason, id=submission.op_id)
            submission.origin.deliver(protocol.encode_server(error))
            refusals.note(submission.origin.address, submission.board_id, code, submission.reason)

    async def close_all(self, code: int, reason: str) -> None:
        clients = [c for room in self.rooms.values() for c in room.clients.values()]
        for client in clients:
            client.close(code, reason)
        waits = asyncio.gather(*(c.closed.wait() for c in clients))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waits, CLOSE_TIMEOUT_SECONDS)
