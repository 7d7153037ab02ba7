"""What the routes share for the life of the app."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, WebSocket

from server.committer import Committer
from server.config import Settings
from server.limits import Occupancy, WindowCounter
from server.metrics import Metrics
from server.rooms import Hub
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
    # Runs CPU-heavy work (parsing imported documents, SVG exports) away from the event loop.
    workers: Executor


def _http_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def socket_services(websocket: WebSocket) -> Services:
    services: Services = websocket.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_http_services)]
