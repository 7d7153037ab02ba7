"""All rooms of this process, and what passes between them and the other processes' rooms.

Committed outcomes of this process go to its rooms and, encoded once, to the board's channel;
those of other processes come back from the channel. Either way a room hands them on in sequence
order. When the fan-out may lose events (Redis), a sweep compares each room with the board's head
in the database, and whatever is missing for longer than ``gap_wait`` is read from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Sequence
from typing import Protocol

from server import events, protocol, refusals
from server.access import Role
from server.events import CommittedOp, Kind
from server.fanout import Fanout, MemoryFanout
from server.metrics import Metrics
from server.protocol import CloseCode
from server.rooms import CLOSE_TIMEOUT_SECONDS, LIVE_DELIVERIES_PER_SECOND, Client, Pending, Room
from server.submission import Submission

log = logging.getLogger(__name__)


class StoredRow(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def author(self) -> str: ...
    @property
    def payload(self) -> bytes: ...


class History(Protocol):
    """What the hub reads from the database: ``server.store.Store`` is one."""

    def read_operations(
        self, board_id: str, after_seq: int, limit: int
    ) -> Awaitable[Sequence[StoredRow]]: ...

    def heads(self, board_ids: Sequence[str]) -> Awaitable[dict[str, int]]: ...


def new_node() -> str:
    return secrets.token_hex(8)


class Hub:
    """The rooms of this process; ``fanout`` joins them to the other processes' rooms."""

    def __init__(
        self,
        check_every: int = 0,
        fanout: Fanout | None = None,
        history: History | None = None,
        metrics: Metrics | None = None,
        heartbeat: float = 1.0,
        gap_wait: float = 0.5,
        live_deliveries_per_second: float = LIVE_DELIVERIES_PER_SECOND,
    ) -> None:
        self.rooms: dict[str, Room] = {}
        self.live_deliveries_per_second = live_deliveries_per_second
        self.check_every = check_every
        self.fanout = fanout or MemoryFanout()
        self.history = history
        self.metrics = metrics or Metrics()
        self.node = new_node()
        # Peer ids are unique across processes: 21 random bits of node, then a count.
        self._peer_base = (secrets.randbits(21) or 1) << 32
        self._peer_count = 0
        self.heartbeat = heartbeat
        # A node not heard from for this long has died: its peers have left.
        self.presence_ttl = 3 * heartbeat
        self.gap_wait = gap_wait
        self._gaps_seen: dict[str, float] = {}
        self._filling: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.fanout.start(self._received)
        self._tasks.append(asyncio.create_task(self._tick_forever(), name="hub-ticker"))

    async def stop(self) -> None:
        for board_id in list(self.rooms):
            self._publish(board_id, Kind.GONE)
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.fanout.stop()

    def next_peer_id(self) -> int:
        self._peer_count = (self._peer_count + 1) % 2**32
        return self._peer_base | self._peer_count

    def join(self, board_id: str, client: Client) -> Room:
        room = self.rooms.get(board_id)
        if room is None:
            room = self.rooms[board_id] = Room(
                board_id, self.check_every, self.metrics, self.live_deliveries_per_second
            )
            self.fanout.subscribe(board_id)
            self._publish(board_id, Kind.HELLO)
        room.add(client)
        self._publish(board_id, Kind.JOINED, events.peer_body(client.peer))
        return room

    def leave(self, room: Room, client: Client) -> None:
        if room.remove(client):
            self._publish(room.board_id, Kind.LEFT, client.peer.peer)
        if not room.clients and self.rooms.get(room.board_id) is room:
            del self.rooms[room.board_id]
            self.fanout.unsubscribe(room.board_id)
            self._publish(room.board_id, Kind.GONE)

    def relay(self, room: Room, message: bytes, sender: Client) -> None:
        """Live points or a cursor: to everyone on the board but the sender, never stored."""
        room.relay(message, sender)
        self._publish(room.board_id, Kind.EPHEMERAL, message)

    def kick(self, room: Room, target: int) -> None:
        victim = room.clients.get(target)
        if victim is not None:
            victim.close(CloseCode.KICKED, "removed by the board's owner")
        elif any(target in node.peers for node in room.remote.values()):
            self._publish(room.board_id, Kind.KICK, target)

    def board_changed(self, board_id: str, title: str, locked: bool) -> None:
        """Tell a board's clients its new title or lock, and apply the lock to their roles."""
        self._board_changed(board_id, title, locked)
        self._publish(board_id, Kind.BOARD_INFO, title, locked)

    def link_replaced(self, board_id: str, role: Role) -> None:
        """Whoever came in by the old link of this role has to come back with the new one."""
        self._link_replaced(board_id, role)
        self._publish(board_id, Kind.LINK_REPLACED, role.value)

    def close_room(self, board_id: str, code: int, reason: str) -> None:
        self._close_room(board_id, code, reason)
        self._publish(board_id, Kind.CLOSE, code, reason)

    def deliver(self, outcomes: Sequence[Submission]) -> None:
        """The committer's callback: outcomes arrive in commit order, so seqs rise per board."""
        by_board: dict[str, list[CommittedOp]] = {}
        for submission in outcomes:
            if submission.error is not None:
                self._refuse(submission)
            elif submission.duplicate:
                if submission.origin is not None:
                    ack = protocol.Ack(id=submission.op_id, seq=submission.seq or 0)
                    submission.origin.deliver(protocol.encode_server(ack))
            elif submission.seq is not None:
                message = protocol.encode_committed(
                    submission.seq, submission.author, submission.payload
                )
                op = CommittedOp(submission.seq, message, submission.state_hash)
                by_board.setdefault(submission.board_id, []).append(op)
                room = self.rooms.get(submission.board_id)
                if room is not None:
                    room.take(Pending(op, submission.origin, submission.op_id))
        for board_id, ops in by_board.items():
            self.fanout.publish(board_id, events.committed(self.node, ops))

    @staticmethod
    def _refuse(submission: Submission) -> None:
        if submission.origin is not None:
            code = submission.error or protocol.ErrorCode.INVALID_MESSAGE
            error = protocol.Error(code=code, reason=submission.reason, id=submission.op_id)
            submission.origin.deliver(protocol.encode_server(error))
            address = getattr(submission.origin, "address", "unknown")
            refusals.note(address, submission.board_id, code, submission.reason)

    async def close_all(self, code: int, reason: str) -> None:
        clients = [c for room in self.rooms.values() for c in room.clients.values()]
        for client in clients:
            client.close(code, reason)
        await asyncio.gather(*(c.wait_closed(CLOSE_TIMEOUT_SECONDS) for c in clients))

    def _publish(self, board_id: str, kind: Kind, *body: object) -> None:
        self.fanout.publish(board_id, events.encode(kind, self.node, *body))

    def _board_changed(self, board_id: str, title: str, locked: bool) -> None:
        room = self.rooms.get(board_id)
        if room is None:
            return
        room.board_changed(title, locked)
        for client in room.clients.values():
            client.locked = locked
        room.broadcast(protocol.encode_server(protocol.BoardInfo(title=title, locked=locked)))

    def _link_replaced(self, board_id: str, role: Role) -> None:
        room = self.rooms.get(board_id)
        for client in list(room.clients.values()) if room else []:
            if client.link_role is role:
                client.close(CloseCode.LINK_REQUIRED, "the link you used was replaced")

    def _close_room(self, board_id: str, code: int, reason: str) -> None:
        room = self.rooms.get(board_id)
        if room is not None:
            room.forget_board()
        for client in list(room.clients.values()) if room else []:
            client.close(code, reason)

    def _received(self, board_id: str, data: bytes) -> None:
        """An event on a board's channel, from any process (this one's are skipped)."""
        room = self.rooms.get(board_id)
        if room is None:
            return
        try:
            event = events.decode(data)
            if event.node != self.node:
                self._apply(room, event)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            log.warning("board %s: unreadable event skipped: %r", board_id, exc)

    def _apply(self, room: Room, event: events.Event) -> None:
        node, body = event.node, event.body
        match event.kind:
            case Kind.COMMITTED:
                for op in events.committed_ops(event):
                    room.take(Pending(op))
                if room.gap() is not None:
                    self._gaps_seen.setdefault(room.board_id, time.monotonic())
            case Kind.EPHEMERAL:
                room.relay(body[0])
            case Kind.JOINED:
                room.remote_joined(node, events.peer_of(body[0]))
            case Kind.LEFT:
                room.remote_left(node, int(body[0]))
            case Kind.HERE:
                room.remote_here(node, [events.peer_of(peer) for peer in body[0]])
            case Kind.HELLO:
                room.heard_from(node)
                self._here(room)
            case Kind.GONE:
                room.remote_gone(node)
            case Kind.BOARD_INFO:
                self._board_changed(room.board_id, str(body[0]), bool(body[1]))
            case Kind.LINK_REPLACED:
                self._link_replaced(room.board_id, Role(body[0]))
            case Kind.CLOSE:
                self._close_room(room.board_id, int(body[0]), str(body[1]))
            case Kind.KICK:
                victim = room.clients.get(int(body[0]))
                if victim is not None:
                    victim.close(CloseCode.KICKED, "removed by the board's owner")

    def _here(self, room: Room) -> None:
        peers = [events.peer_body(client.peer) for client in room.clients.values()]
        self._publish(room.board_id, Kind.HERE, peers)

    async def _tick_forever(self) -> None:
        """Heartbeats, the expiry of dead processes' peers, and (when events can be lost) the
        search for gaps."""
        while True:
            await asyncio.sleep(min(self.heartbeat, self.gap_wait))
            try:
                await self._tick()
            except Exception:
                log.exception("hub tick failed")

    async def _tick(self) -> None:
        now = time.monotonic()
        for each in list(self.rooms.values()):
            self._here(each)
            each.expire(now - self.presence_ttl)
        if not self.fanout.lossy or self.history is None or not self.rooms:
            return
        heads = await self.history.heads(list(self.rooms))
        now = time.monotonic()
        for board_id, head in heads.items():
            if (room := self.rooms.get(board_id)) is None:
                continue
            room.known_head = max(room.known_head, head)
            if room.gap() is None:
                self._gaps_seen.pop(board_id, None)
                continue
            seen = self._gaps_seen.setdefault(board_id, now)
            if now - seen >= self.gap_wait and board_id not in self._filling:
                self._filling.add(board_id)
                task = asyncio.create_task(self._fill(room), name=f"fill-{board_id}")
                self._tasks.append(task)
                task.add_done_callback(self._tasks.remove)

    async def _fill(self, room: Room, page: int = 500) -> None:
        """Read what a room misses from the database and hand it on."""
        assert self.history is not None
        try:
            while (gap := room.gap()) is not None and self.rooms.get(room.board_id) is room:
                after, up_to = gap
                rows = await self.history.read_operations(
                    room.board_id, after, min(page, up_to - after)
                )
                if not rows:
                    break
                for row in rows:
                    message = protocol.encode_committed(row.seq, row.author, row.payload)
                    room.take(Pending(CommittedOp(row.seq, message)))
                self.metrics.gaps_filled.inc(len(rows))
            self._gaps_seen.pop(room.board_id, None)
        except Exception:
            log.exception("board %s: filling a gap failed", room.board_id)
        finally:
            self._filling.discard(room.board_id)
