"""What one process tells the others about a board, as msgpack arrays on the board's channel.

Every event starts with its kind and the sending process's node id, so that a process can skip
its own events when the bus echoes them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import msgpack

from server import protocol


class Kind(IntEnum):
    COMMITTED = 1  # [(seq, state_hash | None, encoded committed message), ...]
    EPHEMERAL = 2  # an encoded peer_live or peer_cursor message
    JOINED = 3  # a peer
    LEFT = 4  # a peer id
    HERE = 5  # every peer of the node on this board: its heartbeat
    HELLO = 6  # a node opened the board: the others send HERE now
    GONE = 7  # the node has left the board (its peers are gone)
    BOARD_INFO = 8  # title, locked
    LINK_REPLACED = 9  # role
    CLOSE = 10  # code, reason: the board closes (deleted)
    KICK = 11  # a peer id


@dataclass(frozen=True)
class CommittedOp:
    """One stored operation as rooms deliver it; ``message`` is the encoded ``committed``."""

    seq: int
    message: bytes
    state_hash: int | None = None


@dataclass(frozen=True)
class Event:
    kind: Kind
    node: str
    body: list[Any]


def encode(kind: Kind, node: str, *body: Any) -> bytes:
    data: bytes = msgpack.packb([int(kind), node, *body], use_bin_type=True)
    return data


def decode(data: bytes) -> Event:
    """Raises ValueError for anything that is not an event."""
    try:
        kind, node, *body = msgpack.unpackb(data, raw=False)
        return Event(Kind(kind), str(node), body)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise ValueError(f"not an event: {exc}") from None


def committed(node: str, ops: list[CommittedOp]) -> bytes:
    return encode(Kind.COMMITTED, node, [[op.seq, op.state_hash, op.message] for op in ops])


def committed_ops(event: Event) -> list[CommittedOp]:
    return [CommittedOp(seq, message, state_hash) for seq, state_hash, message in event.body[0]]


def peer_body(peer: protocol.Peer) -> dict[str, Any]:
    return peer.model_dump()


def peer_of(body: Any) -> protocol.Peer:
    return protocol.Peer.model_validate(body)
