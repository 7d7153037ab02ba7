"""Who is on a board, and fan-out to them. No SQL, no web framework.

Every client has its own bounded outbound queue drained by its own writer task, so a slow or
vanished client never delays anyone else. Messages are encoded once per room, and whatever
waits for one client leaves as a single frame.

Live points, cursors and presence are gathered for a tick (``TICK_SECONDS``) and leave as one
frame per room per tick, built once: every client gets the same bytes (a sender skips its own
messages in it; only a client who joined during the tick gets a frame of its own). A client
with nothing queued and no send under way has the frame written to its socket at once, by the
tick; the others queue it. Committed operations do not wait for a tick: they go through each
client's queue in seq order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from server import protocol
from server.access import Role, effective_role
from server.events import CommittedOp
from server.intake import Intake
from server.metrics import Metrics
from server.protocol import CloseCode
from server.submission import Origin
from server.tail import Tail

log = logging.getLogger(__name__)

# One outbound frame carries at most this much (a larger single message still goes alone).
FRAME_BUDGET_BYTES = 256 * 1024
# Past this many queued bytes, live points and cursors for a client are dropped first.
EPHEMERAL_SHARE = 4
CLOSE_TIMEOUT_SECONDS = 2.0
# How long a client's writer task waits for more once its queue is empty, before it ends: long
# enough that a busy room's clients keep theirs from tick to tick, short enough that an idle
# connection holds no task.
WRITER_LINGER_SECONDS = 0.5
# How long live points and cursors wait to leave together in one shared frame.
TICK_SECONDS = 0.010
# Arrivals and departures alone wait longer: a crowd joining at once costs the room a frame
# for everyone every this often, not one per join...
PRESENCE_TICK_SECONDS = 0.100
# ...and on a crowded board longer still, up to PRESENCE_TICK_MAX_SECONDS: presence alone costs
# a room at most this many frames a second however many are on it (a frame for each of them
# per tick was most of the work of 1,000 joins).
PRESENCE_FRAMES_PER_SECOND = 2000
PRESENCE_TICK_MAX_SECONDS = 1.0
# A room's budget for live points (``server.intake``), when nobody says otherwise.
LIVE_DELIVERIES_PER_SECOND = 2_000_000.0


class Frame(bytes):
    """A whole server frame, already built (a room's tick): sent as it is, never re-framed.

    ``wire`` is what a transport made of it for its first recipient (a WebSocket frame), kept
    so that the others' transports write the same bytes.
    """

    wire: bytes | None = None


class Transport(Protocol):
    async def send(self, data: bytes) -> None: ...

    def write_at_once(self, data: Frame) -> bool:
        """Write a shared frame now, without waiting, if the connection takes it now; False
        (nothing written) if it does not: then it is queued and ``send`` waits for it."""
        ...

    async def close(self, code: int, reason: str) -> None: ...


class Client:
    """One connection on a board, seen from the room.

    What an idle connection does not need is made when it is: the writer task when something is
    queued (it waits ``WRITER_LINGER_SECONDS`` for more, then ends, and the next message starts
    another), the queue with it, the event that tells who waits that the connection closed.
    """

    __slots__ = (
        "_backlog",
        "_close",
        "_closed",
        "_closed_event",
        "_drained_at",
        "_idle",
        "_linger",
        "_live",
        "_on_closed",
        "_queue",
        "_queued_bytes",
        "_sent_seq",
        "_watchdog",
        "_writer",
        "address",
        "encoded_peer",
        "granted",
        "link_role",
        "locked",
        "max_queue_bytes",
        "metrics",
        "peer",
        "transport",
    )  # fmt: skip

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
        # As every welcome lists it: encoded once.
        self.encoded_peer = protocol.encode_peer(peer)
        self.address = address
        self.transport = transport
        self.max_queue_bytes = max_queue_bytes
        self.metrics = metrics
        self.granted = granted
        self.locked = locked
        # The link this connection came in by, when that link is what let it in.
        self.link_role = link_role
        self._on_closed: Callable[[], None] | None = None
        self._closed = False
        self._closed_event: asyncio.Event | None = None
        self._live = False
        self._queue: deque[bytes] | None = None
        self._queued_bytes = 0
        self._sent_seq = 0
        # What arrives while the client is still receiving history, in arrival order.
        self._backlog: list[tuple[int | None, bytes]] = []
        self._close: tuple[int, str] | None = None
        self._writer: asyncio.Task[None] | None = None
        # What the writer awaits while the queue is empty: True, more came; False, it ends.
        self._idle: asyncio.Future[bool] | None = None
        self._drained_at = 0.0
        # One timer per lingering period, not one per wait (a busy room drains every tick).
        self._linger: asyncio.TimerHandle | None = None
        self._watchdog: asyncio.Task[None] | None = None

    @property
    def role(self) -> Role:
        return effective_role(self.granted, self.locked)

    @property
    def closing(self) -> bool:
        return self._close is not None

    @property
    def closed(self) -> bool:
        """The connection is closed (or given up on)."""
        return self._closed

    @property
    def close_reason(self) -> tuple[int, str] | None:
        """The code and reason this client was (or is being) closed with."""
        return self._close

    @property
    def writing(self) -> bool:
        """A writer task is under way (sending, or waiting a while for more)."""
        return self._writer is not None

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

    def deliver_frame(self, data: Frame) -> bool:
        """Hand on a tick's shared frame; False (nothing sent) while the client is busy.

        With nothing queued and no send under way it is written at once: a busy room's tick
        then costs a write per client, not a writer task's turn and a send through every layer.
        """
        if self._queued_bytes > self.max_queue_bytes // EPHEMERAL_SHARE or self._close is not None:
            return False
        sending = self._writer is not None and self._idle is None
        if not (self._queue or sending) and self.transport.write_at_once(data):
            return True
        self._enqueue(data)
        return True

    @property
    def queued_bytes(self) -> int:
        """What waits to be sent to this client."""
        return self._queued_bytes

    @property
    def live(self) -> bool:
        """History is sent and the client is still open: it takes live traffic."""
        return self._live and self._close is None

    def go_live(self, sent_seq: int) -> None:
        """History up to ``sent_seq`` was sent: what waited is queued, in order."""
        backlog, self._backlog = self._backlog, []
        self._queued_bytes = 0
        self._live = True
        self._sent_seq = sent_seq
        for seq, message in backlog:
            self.deliver(message, seq)

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
            self._queue = None
            self._queued_bytes = 0
            if self._writer is not None:
                self._writer.cancel()  # it may be stuck sending to this very client
                self._writer = None
                self._idle = None
        if self._writer is None:
            # Nobody drains the queue (none yet, or the writer was stopped): close now.
            self._writer = asyncio.create_task(self._write(), name=f"closer-{self.peer.peer}")
        else:
            self._wake()
        self._watchdog = asyncio.create_task(self._give_up_after(2 * CLOSE_TIMEOUT_SECONDS))

    async def _give_up_after(self, seconds: float) -> None:
        if not await self.wait_closed(seconds) and self._writer is not None:
            log.info("peer %d does not read; dropping it", self.peer.peer)
            self._writer.cancel()
            self._set_closed()

    async def wait_closed(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the connection to close; whether it has."""
        if not self._closed:
            if self._closed_event is None:
                self._closed_event = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed_event.wait(), timeout)
        return self._closed

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        self._set_closed()

    def when_closed(self, callback: Callable[[], None] | None) -> None:
        """Call ``callback`` once the connection is closed (None: no longer)."""
        self._on_closed = callback
        if callback is not None and self._closed:
            self._set_closed()

    def _set_closed(self) -> None:
        self._closed = True
        if self._closed_event is not None:
            self._closed_event.set()
        callback, self._on_closed = self._on_closed, None
        if callback is not None:
            callback()

    def _enqueue(self, message: bytes) -> None:
        queue = self._queue
        if queue is None:
            queue = self._queue = deque()
        queue.append(message)
        self._queued_bytes += len(message)
        if self._queued_bytes > self.max_queue_bytes:
            self.close(CloseCode.FELL_BEHIND, "fell behind; resume from your last seq")
        else:
            self._wake()

    def _wake(self) -> None:
        """A writer for what was queued: the one waiting for more, or a new one."""
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name=f"writer-{self.peer.peer}")
        elif self._idle is not None:
            idle, self._idle = self._idle, None
            if not idle.done():
                idle.set_result(True)

    async def _write(self) -> None:
        """Send what is queued, as it comes; close once closing. Without anything to send for
        ``WRITER_LINGER_SECONDS``, end (``_linger_over``): the next message starts a new writer."""
        ended_idle = False
        try:
            while True:
                while self._queue:
                    await self.transport.send(self._take_frame())
                if self._close is not None:
                    break
                if not await self._more():
                    ended_idle = True  # the client stays open; another writer may run already
                    return
            code, reason = self._close
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.transport.close(code, reason), CLOSE_TIMEOUT_SECONDS)
        except Exception as exc:  # the socket went away under us
            log.debug("writer for peer %d stopped: %r", self.peer.peer, exc)
        finally:
            if not ended_idle:
                self._set_closed()

    def _more(self) -> asyncio.Future[bool]:
        """What the writer awaits with an empty queue."""
        loop = asyncio.get_running_loop()
        self._drained_at = loop.time()
        if self._linger is None:
            self._linger = loop.call_at(self._drained_at + WRITER_LINGER_SECONDS, self._linger_over)
        self._idle = loop.create_future()
        return self._idle

    def _linger_over(self) -> None:
        """The writer ends if it has waited ``WRITER_LINGER_SECONDS``; one that is busy, or
        has not waited that long, is looked at again when it has."""
        self._linger = None
        idle = self._idle
        if idle is None or idle.done():
            return  # sending: the writer sets the timer again when its queue is empty
        loop = asyncio.get_running_loop()
        due = self._drained_at + WRITER_LINGER_SECONDS
        if loop.time() < due:
            self._linger = loop.call_at(due, self._linger_over)
            return
        # Decided here, in one step: a message queued from now on starts a new writer.
        self._writer, self._idle, self._queue = None, None, None
        idle.set_result(False)

    def _take_frame(self) -> bytes:
        queue = self._queue
        assert queue is not None, "called with something queued"
        first = queue.popleft()
        if isinstance(first, Frame):  # counted by the room's tick, for all its recipients at once
            self._queued_bytes -= len(first)
            return first
        messages = [first]
        size = len(first)
        while (
            queue and not isinstance(queue[0], Frame) and size + len(queue[0]) <= FRAME_BUDGET_BYTES
        ):
            size += len(queue[0])
            messages.append(queue.popleft())
        self._queued_bytes -= size
        self.metrics.frames_out.inc()
        self.metrics.messages_out.inc(len(messages))
        return protocol.frame(messages)


class Tick:
    """The live points, cursors and presence a room gathers for one tick, in arrival order,
    with who sent each (``None``: nobody here)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        # Where each sender's messages are in ``messages``.
        self.by_origin: dict[int, list[int]] = {}
        self.presence: list[int] = []
        # Where the tick begins for a client who joined during it.
        self.starts: dict[int, int] = {}
        self._shared: Frame | None = None

    def add(self, message: bytes, origin: int | None, presence: bool) -> None:
        """Gather a message; a newcomer's own arrival (``presence`` with its ``origin``) marks
        where its part of the tick begins: what was gathered before, its welcome covers."""
        index = len(self.messages)
        if presence and origin is not None and origin not in self.starts:
            self.starts[origin] = index
        self.messages.append(message)
        if origin is not None:
            self.by_origin.setdefault(origin, []).append(index)
        if presence:
            self.presence.append(index)

    def frame_for(self, peer: int) -> tuple[Frame, int]:
        """The frame for ``peer`` and how many messages it holds: the same bytes for everyone,
        the senders' own messages included (a client skips those naming its own peer id:
        cutting each sender's out cost the server a copy of the frame per sender, which grew
        with the square of a busy room's traffic); only a client who joined during the tick
        gets a frame of its own, from its arrival on."""
        if peer in self.starts:
            own = self.by_origin.get(peer, [])
            start = self.starts[peer]
            mine = [m for i, m in enumerate(self.messages) if i >= start and i not in own]
            return Frame(protocol.frame(mine)), len(mine)
        if self._shared is None:
            self._shared = Frame(protocol.frame(self.messages))
        return self._shared, len(self.messages)

    def presence_for(self, peer: int) -> list[bytes]:
        own, start = self.by_origin.get(peer, []), self.starts.get(peer, 0)
        return [self.messages[i] for i in self.presence if i >= start and i not in own]


@dataclass
class Pending:
    """A committed operation that waits for the ones before it; ``origin`` is its local author."""

    op: CommittedOp
    origin: Origin | None = None
    op_id: str | None = None


@dataclass
class BoardFacts:
    """What a join needs to know of the board besides its operations, kept while the room is
    live so that a join reads nothing from the database."""

    title: str
    protected: bool
    locked: bool


@dataclass
class RemoteNode:
    """Another process's clients on this board, as its last events described them."""

    peers: dict[int, protocol.Peer] = field(default_factory=dict)
    heard_at: float = 0.0


class Room:
    """The clients of one board on this process, and the board's committed operations handed to
    them in sequence order, whichever process committed them.

    ``head`` is the last operation every client here has been handed (None until a join has read
    the board). An operation that comes early is held until the ones before it arrive, or are
    read from the database (``gap``).
    """

    def __init__(
        self,
        board_id: str,
        check_every: int = 0,
        metrics: Metrics | None = None,
        live_deliveries_per_second: float = LIVE_DELIVERIES_PER_SECOND,
    ) -> None:
        self.board_id = board_id
        self.clients: dict[int, Client] = {}
        self.metrics = metrics or Metrics()
        # Live points on the way in: past the budget, dropped before they are decoded.
        self.intake = Intake(live_deliveries_per_second)
        self.tick = Tick()
        self._flush_at: asyncio.TimerHandle | None = None
        # Every this many operations the room hears the board's state hash (0: never).
        self.check_every = check_every
        self.head: int | None = None
        self.held: dict[int, Pending] = {}
        # What the database said the head is (the hub's sweep), when that is past ``head``.
        self.known_head = 0
        self.remote: dict[str, RemoteNode] = {}
        # What a join needs, from memory: the board's facts and its newest operations (set by
        # the first join's reads; None until then, and the facts again once the board is gone).
        self.facts: BoardFacts | None = None
        self.tail: Tail | None = None
        # Counts the changes of the facts, so that a join that read the board before a change
        # does not leave what it read behind (``remember``).
        self.facts_version = 0
        # Set while a join reads the board for the room: the joins that come meanwhile wait
        # for that read instead of making their own (``server.session``).
        self.opening: asyncio.Event | None = None

    def add(self, client: Client) -> None:
        """O(1) for the room: the others hear of the newcomer with the next tick."""
        joined = protocol.encode_server(protocol.Presence(event="joined", peer=client.peer))
        self.clients[client.peer.peer] = client
        self._gather(joined, client.peer.peer, presence=True)

    def remove(self, client: Client) -> bool:
        if self.clients.pop(client.peer.peer, None) is None:
            return False
        left = protocol.encode_server(protocol.Presence(event="left", peer=client.peer))
        self._gather(left, None, presence=True)
        return True

    def people(self) -> list[protocol.Peer]:
        """Everyone on the board that this process knows of: its own clients and the other
        processes' (as their last ``here``, ``joined`` and ``left`` said)."""
        here = [client.peer for client in self.clients.values()]
        return here + [peer for node in self.remote.values() for peer in node.peers.values()]

    def encoded_peers(self, exclude: Client) -> list[bytes]:
        """Everyone on the board but ``exclude``, encoded for a ``welcome``."""
        here = [client.encoded_peer for client in self.clients.values() if client is not exclude]
        remote = [peer for node in self.remote.values() for peer in node.peers.values()]
        return here + [protocol.encode_peer(peer) for peer in remote]

    def broadcast(self, message: bytes, exclude: Client | None = None) -> None:
        for client in list(self.clients.values()):
            if client is not exclude:
                client.deliver(message)

    def admits_live(self, sender: Client, now: float) -> bool:
        """Whether the room takes one more live message from ``sender`` (``server.intake``)."""
        return self.intake.admit(sender.peer.peer, len(self.clients) - 1, now)

    def relay(self, message: bytes, sender: Client | None = None) -> None:
        """Live points or a cursor, to everyone with the next tick (the sender skips its own);
        a client that is busy misses the whole tick (they are the first to go)."""
        self._gather(message, sender.peer.peer if sender is not None else None, presence=False)

    def _gather(self, message: bytes, origin: int | None, presence: bool) -> None:
        self.tick.add(message, origin, presence)
        loop = asyncio.get_running_loop()
        due = loop.time() + (self._presence_wait() if presence else TICK_SECONDS)
        if self._flush_at is not None and self._flush_at.when() > due:
            self._flush_at.cancel()  # live points do not wait for presence's slower tick
            self._flush_at = None
        if self._flush_at is None:
            self._flush_at = loop.call_at(due, self.flush)

    def _presence_wait(self) -> float:
        crowd = len(self.clients) / PRESENCE_FRAMES_PER_SECOND
        return min(max(PRESENCE_TICK_SECONDS, crowd), PRESENCE_TICK_MAX_SECONDS)

    def flush(self) -> None:
        """Send what the tick gathered: one frame for the room."""
        if self._flush_at is not None:
            # How late the tick leaves tells the room's intake whether the process keeps up.
            self.intake.ticked(asyncio.get_running_loop().time() - self._flush_at.when())
            self._flush_at.cancel()
            self._flush_at = None
        tick, self.tick = self.tick, Tick()
        if not tick.messages:
            return
        dropped = frames = messages = 0
        for client in list(self.clients.values()):
            if not client.live:
                # Still receiving history (or closing): presence waits in its backlog.
                for message in tick.presence_for(client.peer.peer):
                    client.deliver(message)
                continue
            data, count = tick.frame_for(client.peer.peer)
            if count == 0:
                continue
            if client.deliver_frame(data):
                frames += 1
                messages += count
            else:
                dropped += count
                for message in tick.presence_for(client.peer.peer):
                    client.deliver(message)  # presence is never dropped, live points are
        self.metrics.frames_out.inc(frames)
        self.metrics.messages_out.inc(messages)
        if dropped:
            self.metrics.queue_drops.labels("ephemeral").inc(dropped)
        if self.intake.shed:
            self.metrics.queue_drops.labels("live_in").inc(self.intake.shed)
            self.intake.shed = 0

    def start_at(self, head: int) -> None:
        """A join read the board at ``head``: the room starts there if it had not started."""
        if self.head is None:
            self.head = head
            self.tail = Tail(head)
            self.held = {seq: p for seq, p in self.held.items() if seq > head}
            self._release()

    def remember(self, facts: BoardFacts, version: int) -> None:
        """Keep what a join read of the board, unless the board changed since (``version``
        is ``facts_version`` from before the read)."""
        if version == self.facts_version:
            self.facts = facts

    def board_changed(self, title: str, locked: bool) -> None:
        self.facts_version += 1
        if self.facts is not None:
            self.facts = BoardFacts(title, self.facts.protected, locked)

    def forget_board(self) -> None:
        """The board is gone (or may be): joins read the database again."""
        self.facts_version += 1
        self.facts = None

    def take(self, pending: Pending) -> None:
        """A committed operation, from this process's committer or another's: handed on in order."""
        seq = pending.op.seq
        if self.head is not None and seq <= self.head:
            # Read from the database before its own outcome came: the author still needs an ack.
            if pending.origin is not None and pending.op_id is not None:
                ack = protocol.encode_server(protocol.Ack(id=pending.op_id, seq=seq))
                pending.origin.deliver(ack)
            return
        if seq not in self.held or pending.origin is not None:
            self.held[seq] = pending
        self._release()

    def gap(self) -> tuple[int, int] | None:
        """The sequence numbers missing here, (after, up_to), if any."""
        if self.head is None:
            return None
        ahead = max(self.held, default=0)
        up_to = max(ahead - 1, self.known_head)
        return (self.head, up_to) if up_to > self.head else None

    def _release(self) -> None:
        if self.head is None:
            return
        if self.head + 1 in self.held and self.tick.messages:
            # Live points sent before a stroke was committed reach everyone before the stroke.
            self.flush()
        while (pending := self.held.pop(self.head + 1, None)) is not None:
            self.head += 1
            self._publish(pending)

    def _publish(self, pending: Pending) -> None:
        """The author gets an ack, the rest the operation; every N operations, the state hash."""
        op, origin = pending.op, pending.origin
        if self.tail is not None:
            self.tail.append(op)
        for client in list(self.clients.values()):
            if client is not origin:
                client.deliver(op.message, op.seq)
        if origin is not None and pending.op_id is not None:
            ack = protocol.encode_server(protocol.Ack(id=pending.op_id, seq=op.seq))
            origin.deliver(ack, op.seq)
        due = self.check_every and op.seq % self.check_every == 0
        if due and op.state_hash is not None:
            check = protocol.Check(seq=op.seq, hash=op.state_hash)
            self.broadcast(protocol.encode_server(check))

    def heard_from(self, node: str, now: float | None = None) -> RemoteNode:
        remote = self.remote.setdefault(node, RemoteNode())
        remote.heard_at = time.monotonic() if now is None else now
        return remote

    def remote_joined(self, node: str, peer: protocol.Peer) -> None:
        remote = self.heard_from(node)
        if peer.peer not in remote.peers:
            remote.peers[peer.peer] = peer
            joined = protocol.encode_server(protocol.Presence(event="joined", peer=peer))
            self._gather(joined, None, presence=True)

    def remote_left(self, node: str, peer_id: int) -> None:
        remote = self.remote.get(node)
        peer = remote.peers.pop(peer_id, None) if remote else None
        if peer is not None:
            left = protocol.encode_server(protocol.Presence(event="left", peer=peer))
            self._gather(left, None, presence=True)

    def remote_here(self, node: str, peers: list[protocol.Peer]) -> None:
        """A node's full list of peers on this board: who is new joined, who is missing left."""
        remote = self.heard_from(node)
        listed = {peer.peer for peer in peers}
        for peer_id in [p for p in remote.peers if p not in listed]:
            self.remote_left(node, peer_id)
        for peer in peers:
            self.remote_joined(node, peer)

    def remote_gone(self, node: str) -> None:
        remote = self.remote.get(node)
        for peer_id in list(remote.peers) if remote else []:
            self.remote_left(node, peer_id)
        self.remote.pop(node, None)

    def expire(self, before: float) -> None:
        """Forget the nodes not heard from since ``before``: their process died."""
        for node in [n for n, r in self.remote.items() if r.heard_at < before]:
            self.remote_gone(node)
