"""What the routes and sessions share for the life of the app. No web framework."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field

from server.committer import Committer
from server.config import Settings
from server.hub import Hub
from server.metrics import Metrics
from server.shared_limits import Allowance, Seats
from server.single_flight import SingleFlight
from server.snapshotter import Snapshotter
from server.store import Board, Store


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    hub: Hub
    committer: Committer
    snapshotter: Snapshotter
    metrics: Metrics
    # Counted for every process sharing the Redis, if there is one (server/shared_limits.py).
    board_connections: Seats
    address_connections: Seats
    board_creations: Allowance
    image_uploads: Allowance
    # Runs CPU-heavy work (parsing imported documents, decoding images, SVG exports) away from
    # the event loop.
    workers: Executor
    # The board sockets' reads of a board that no room knows yet, shared by a crowd arriving.
    board_reads: SingleFlight[str, Board | None] = field(default_factory=SingleFlight)
