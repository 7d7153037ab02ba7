"""One joined connection: replay, then the client's messages until it leaves. No web framework:
the route hands it a ``Socket`` and turns what it raises into close codes."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import UTC, datetime
from typing import Protocol

from server import protocol, refusals
from server.access import Role, refusal
from server.config import Settings
from server.events import CommittedOp
from server.limits import TokenBucket
from server.protocol import CloseCode, ErrorCode, ProtocolError
from server.rooms import (
    CLOSE_TIMEOUT_SECONDS,
    FRAME_BUDGET_BYTES,
    BoardFacts,
    Client,
    Room,
    Transport,
)
from server.services import Services
from server.store import Board
from server.submission import Submission
from server.tail import TAIL_BYTES

log = logging.getLogger(__name__)


class Disconnected(Exception):
    """The client went away; ``code`` is the close code it went with, if known (1009: the
    WebSocket layer refused a frame over the size limit)."""

    def __init__(self, code: int | None = None) -> None:
        super().__init__(code)
        self.code = code


class Refused(Exception):
    """The connection must close with ``code``; ``error`` (if any) is sent first."""

    def __init__(self, code: int, reason: str, error: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason[:120]  # a close reason is at most 123 bytes
        self.error = error


class Socket(Transport, Protocol):
    async def receive(self) -> bytes:
        """The next binary frame; raises Disconnected, or Refused for a text frame."""
        ...


# A board remembered by its room has no dates: a session never reads them.
_NO_DATE = datetime.fromtimestamp(0, UTC)


def remembered_board(room: Room | None) -> Board | None:
    """The board as its live room knows it (its facts and head); None: read the database."""
    if room is None or room.facts is None or room.head is None:
        return None
    facts = room.facts
    return Board(
        room.board_id, facts.title, _NO_DATE, _NO_DATE, room.head, facts.protected, facts.locked
    )


def decode(frame: bytes) -> protocol.ClientMessageModel:
    try:
        return protocol.decode_client(frame)
    except ProtocolError as exc:
        raise Refused(CloseCode.INVALID_PAYLOAD, str(exc), ErrorCode.INVALID_MESSAGE) from None


class _Rates:
    """Per-connection token buckets, each made when its kind of message first comes (an idle
    connection holds none); a long run of refusals means a flood."""

    __slots__ = ("_cursors", "_live", "_operations", "_refused_in_a_row", "_settings")

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._operations: TokenBucket | None = None
        self._live: TokenBucket | None = None
        self._cursors: TokenBucket | None = None
        self._refused_in_a_row = 0

    # A bucket starts full, and a full one stays full until it is used: made late, it holds what
    # it would have held made early.
    def allow_operation(self) -> bool:
        if self._operations is None:
            settings = self._settings
            self._operations = TokenBucket(
                settings.operations_per_second, settings.operations_burst
            )
        return self._allow(self._operations)

    def allow_live(self) -> bool:
        if self._live is None:
            self._live = TokenBucket(self._settings.live_per_second, self._settings.live_burst)
        return self._allow(self._live)

    def allow_cursor(self) -> bool:
        if self._cursors is None:
            settings = self._settings
            self._cursors = TokenBucket(settings.cursors_per_second, settings.cursors_burst)
        return self._allow(self._cursors)

    def _allow(self, bucket: TokenBucket) -> bool:
        if bucket.take():
            self._refused_in_a_row = 0
            return True
        self._refused_in_a_row += 1
        if self._refused_in_a_row > self._settings.flood_tolerance:
            raise Refused(CloseCode.RATE_LIMITED, "too many messages", ErrorCode.RATE_LIMITED)
        return False


class Session:
    __slots__ = ("_join", "board", "client", "desynced", "metrics", "rates", "services", "socket")

    def __init__(
        self, socket: Socket, board: Board, join: protocol.Join, client: Client, services: Services
    ) -> None:
        self.socket = socket
        self.board = board
        self.client = client
        self.services = services
        self.metrics = services.metrics
        self.rates = _Rates(services.settings)
        self.desynced = False
        # Until the replay has used it: an idle connection keeps nothing of its join (1 kB).
        self._join: protocol.Join | None = join

    async def run(self) -> None:
        hub = self.services.hub
        room = hub.join(self.board.id, self.client)
        self.metrics.connections.inc()
        try:
            await self._replay(room)
            await self._receive_until_closed(room)
        except Disconnected as gone:
            if gone.code == CloseCode.TOO_BIG:
                self.metrics.rejected.labels("close_1009").inc()
                self._note(CloseCode.TOO_BIG, "frame over the size limit")
        except Refused as refused:
            self.metrics.rejected.labels(refused.error or f"close_{refused.code}").inc()
            if refused.error:
                error = protocol.Error(code=refused.error, reason=refused.reason)
                self.client.deliver(protocol.encode_server(error))
            self.client.close(refused.code, refused.reason)
        except Exception:
            log.exception("board %s: connection failed", self.board.id)
            self.client.close(CloseCode.INTERNAL_ERROR, "internal error")
        finally:
            if self.client.closing:
                # Let the writer send what is queued (an error, say) and the close frame.
                await self.client.wait_closed(CLOSE_TIMEOUT_SECONDS)
            hub.leave(room, self.client)
            self.metrics.connections.dec()
            await self.client.stop()
            closed_with = self.client.close_reason
            if closed_with is not None and closed_with[0] not in refusals.NOT_REFUSALS:
                self._note(*closed_with)

    def _note(self, code: int | str, reason: str) -> None:
        refusals.note(self.client.address, self.board.id, code, reason)

    async def _replay(self, room: Room) -> None:
        """History after what the client holds (or after a snapshot), then live: no gap, no
        duplicate.

        The client is already in the room, so whatever commits from now on waits in its
        backlog; ``go_live`` drops the part of it that the replay already covered. A live room
        answers from memory (its facts and its tail); otherwise the board is read again here,
        after joining, so that the backlog covers everything past what was read.
        """
        join, self._join = self._join, None
        assert join is not None, "a session replays once"
        board = await self._board_of(room)
        after = await self._resume_point(board, join)
        offer = await self._snapshot_offer(board, after, join.snapshot)
        if offer is not None:
            after = offer.seq
            self.metrics.snapshots_served.inc()
        welcome = protocol.Welcome(
            peer=self.client.peer.peer,
            color=self.client.peer.color,
            board=board.id,
            title=board.title,
            head_seq=board.head_seq,
            peers=[],
            role=self.client.granted.value,
            protected=board.protected,
            locked=board.locked,
            resume=after,
            snapshot=offer,
        )
        send = self.socket.send
        peers = room.encoded_peers(exclude=self.client)
        await send(protocol.frame([protocol.encode_welcome(welcome, peers)]))
        # Up to the head read after joining the room: what commits later is in the backlog, so a
        # busy board cannot keep the replay chasing its head.
        tail = room.tail
        kept = tail.after(after) if tail is not None and board.head_seq <= tail.head else None
        if kept is not None:
            await self._send_history([op.message for op in kept if op.seq <= board.head_seq])
            after = board.head_seq
        else:
            after = await self._replay_stored(room, board, after)
        await send(protocol.frame([protocol.encode_server(protocol.Synced(head_seq=after))]))
        self.client.go_live(after)

    async def _board_of(self, room: Room) -> Board:
        """The board as its room remembers it, or as read now (after joining).

        One join reads at a time (``Room.opening``): those that join meanwhile wait for its read,
        then find the board in the room. They were in the room before the read ended, so the
        room's head covers them as it covers any later join; a crowd arriving at a board nobody
        is on reads it once, not once each (a pool of connections would queue the reads).
        """
        while (board := remembered_board(room)) is None and room.opening is not None:
            await room.opening.wait()
        if board is not None:
            return board
        room.opening = opening = asyncio.Event()
        try:
            version = room.facts_version
            read = await self.services.store.get_board(self.board.id)
            if read is None:
                raise Refused(CloseCode.BOARD_DELETED, "board deleted")
            room.start_at(read.head_seq)
            room.remember(BoardFacts(read.title, read.protected, read.locked), version)
        finally:
            room.opening = None
            opening.set()
        return read

    async def _replay_stored(self, room: Room, board: Board, after: int) -> int:
        """Operations ``after .. board.head_seq`` from the database; the newest of them are
        handed to the room's tail when they end where it begins."""
        store, page_size = self.services.store, self.services.settings.replay_page_ops
        read: deque[CommittedOp] = deque()
        read_bytes = 0
        while after < board.head_seq and not self.client.closing:
            page = await store.read_operations(board.id, after, page_size)
            if not page:
                break
            messages = []
            for stored in page:
                message = protocol.encode_committed(stored.seq, stored.author, stored.payload)
                messages.append(message)
                read.append(CommittedOp(stored.seq, message))
                read_bytes += len(message)
            while read and read_bytes > TAIL_BYTES:
                read_bytes -= len(read.popleft().message)
            await self._send_history(messages)
            after = page[-1].seq
        if room.tail is not None:
            room.tail.prepend(read)
        return after

    async def _send_history(self, messages: list[bytes]) -> None:
        batch: list[bytes] = []
        size = 0
        for message in messages:
            if batch and size + len(message) > FRAME_BUDGET_BYTES:
                await self.socket.send(protocol.frame(batch))
                batch, size = [], 0
            batch.append(message)
            size += len(message)
        if batch:
            await self.socket.send(protocol.frame(batch))

    async def _resume_point(self, board: Board, join: protocol.Join) -> int:
        """The client's ``last_seq`` if its copy is this board's, else 0 (it gets everything)."""
        last_seq, last_op = join.last_seq, join.last_op
        if last_seq == 0 or last_seq > board.head_seq:
            return 0
        if (
            last_op is not None
            and await self.services.store.operation_id_at(board.id, last_seq) != last_op
        ):
            return 0
        return last_seq

    async def _snapshot_offer(
        self, board: Board, after: int, can_fetch: bool
    ) -> protocol.SnapshotInfo | None:
        """The newest snapshot, for a client that can fetch it and would replay a lot."""
        store, settings = self.services.store, self.services.settings
        if not can_fetch or board.head_seq - after <= settings.snapshot_offer_after_ops:
            return None
        snapshot = await store.latest_snapshot(board.id)
        self.services.snapshotter.joined(board.id, board.head_seq, snapshot.seq if snapshot else 0)
        if snapshot is None or snapshot.seq <= after:
            return None
        parts = [
            protocol.SnapshotPartInfo(
                part=part.index,
                count=part.count,
                bounds=list(part.bounds) if part.bounds else None,
            )
            for part in snapshot.parts
        ]
        return protocol.SnapshotInfo(seq=snapshot.seq, parts=parts)

    async def _receive_until_closed(self, room: Room) -> None:
        """The client's messages, read in this task, until it leaves or this side has closed it
        (its close sent, or given up on): an idle connection costs no task of its own."""
        task = asyncio.current_task()
        assert task is not None
        stopped = False

        def stop() -> None:
            nonlocal stopped
            stopped = True
            task.cancel()

        self.client.when_closed(stop)
        try:
            await self._receive(room)
        except asyncio.CancelledError:
            if not stopped:
                raise
            task.uncancel()
        finally:
            self.client.when_closed(None)

    async def _receive(self, room: Room) -> None:
        idle = self.services.settings.idle_timeout_seconds or None
        loop = asyncio.get_running_loop()
        heard_at = loop.time()
        while True:
            # One deadline per idle period, not one per message (a busy room's messages would
            # each schedule and cancel a timer): when it passes, a message since then moves it on.
            try:
                async with asyncio.timeout_at(heard_at + idle if idle else None):
                    while True:
                        frame = await self.socket.receive()
                        heard_at = loop.time()
                        if protocol.looks_live(frame) and not room.admits_live(
                            self.client, heard_at
                        ):
                            # Past what the room can hand on: dropped unread, and still
                            # counted against the sender's own rate (a flood is a flood).
                            self.rates.allow_live()
                            continue
                        message = decode(frame)
                        self.metrics.message_in(message.type)
                        self._handle(room, message)
            except TimeoutError:
                if idle is not None and loop.time() - heard_at >= idle:
                    raise Refused(CloseCode.IDLE, "idle for too long") from None

    def _refuse(self, code: str, reason: str, op_id: str | None = None) -> None:
        self.metrics.rejected.labels(code).inc()
        self._note(code, reason)
        error = protocol.Error(code=code, reason=reason, id=op_id)
        self.client.deliver(protocol.encode_server(error))

    def _handle(self, room: Room, message: protocol.ClientMessageModel) -> None:
        peer = self.client.peer.peer
        role = self.client.role
        match message:
            case protocol.Cursor():
                if self.rates.allow_cursor():
                    cursor = protocol.encode_peer_cursor(peer, message)
                    self.services.hub.relay(room, cursor, self.client)
            case protocol.Live():
                if role is Role.VIEWER:
                    self._refuse(ErrorCode.READ_ONLY, "this board is read-only for you")
                elif self.rates.allow_live():
                    relayed = protocol.encode_peer_live(peer, message)
                    self.services.hub.relay(room, relayed, self.client)
            case protocol.Typing() | protocol.Transforming() | protocol.Drafting():
                if role is Role.VIEWER:
                    self._refuse(ErrorCode.READ_ONLY, "this board is read-only for you")
                elif self.rates.allow_live():
                    under_way = protocol.relayed(peer, message)
                    self.services.hub.relay(room, protocol.encode_server(under_way), self.client)
            # Pointing and following change nothing on the board: viewers may too.
            case protocol.Laser() | protocol.Follow() | protocol.Viewport():
                if self.rates.allow_live():
                    pointing = protocol.relayed(peer, message)
                    self.services.hub.relay(room, protocol.encode_server(pointing), self.client)
            case protocol.Submit(op=op):
                self._submit(op)
            case protocol.Kick(peer=target):
                self._kick(room, target)
            case protocol.Desync():
                if not self.desynced:  # counted once per connection, however often it is sent
                    self.desynced = True
                    self.metrics.desyncs.inc()
            case protocol.Join():
                self._refuse(ErrorCode.ALREADY_JOINED, "already joined")

    def _submit(self, op: protocol.OperationModel) -> None:
        why = refusal(self.client.role, op.kind, self.board.protected)
        if why is not None:
            reason = "this board is read-only for you" if why == "read_only" else "owners only"
            self._refuse(why, reason, op.id)
            return
        if not self.rates.allow_operation():
            self._refuse(ErrorCode.RATE_LIMITED, "too many operations; send again later", op.id)
            return
        self.services.committer.submit(
            Submission(
                board_id=self.board.id,
                op_id=op.id,
                author=self.client.peer.user,
                kind=op.kind,
                target=getattr(op, "target", None),
                payload=protocol.encode_operation(op),
                origin=self.client,
                restore_at=getattr(op, "at", None),
                image_hash=getattr(op, "hash", None),
                author_name=self.client.peer.name,
                author_color=self.client.peer.color,
            )
        )

    def _kick(self, room: Room, target: int) -> None:
        if self.client.granted is not Role.OWNER:
            self._refuse(ErrorCode.FORBIDDEN, "only an owner can remove people")
            return
        if target != self.client.peer.peer:
            self.services.hub.kick(room, target)
