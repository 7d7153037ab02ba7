"""What the routes and sessions share for the life of the app. No web framework."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from server.committer import Committer
from server.config import Settings
from server.hub import Hub
from server.limits import Occupancy, WindowCounter
from server.metrics import Metrics
from server.snapshotter import Snapshotter
from server.store import Store


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store
    hub: Hub
    committer: Committer
    snapshotter: Snapshotter
    metrics: Metrics
    board_connections: Occupancy
    address_connections: Occupancy
    board_creations: WindowCounter
    image_uploads: WindowCounter
    # Runs CPU-heavy work (parsing imported documents, decoding images, SVG exports) away from
    # the event loop.
    workers: Executor
