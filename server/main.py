"""Builds the app: storage, the room hub and the committer for its lifetime, then the routes."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp

from server.committer import Committer
from server.config import Settings
from server.fanout import Fanout, MemoryFanout, RedisFanout
from server.hub import Hub
from server.metrics import Metrics, scrapers
from server.protocol import CloseCode
from server.refusals import HttpRefusalLog
from server.routes import boards, images, imports, pages
from server.routes.board_socket import BoardSockets
from server.security import SecurityHeaders
from server.services import Services
from server.shared_limits import Allowance, Seats, SharedCounts
from server.snapshotter import Snapshotter
from server.store import Quota, Store, create_engines
from server.submission import Submission
from server.validation import validation_failed


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The Host check, then the board sockets (``server.routes.board_socket``), then the
    FastAPI app with everything else."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reader, writer = create_engines(settings.database_url, settings.sqlite_synchronous)
        quota = Quota(settings.max_board_operations, settings.max_board_bytes)
        store = Store(reader, writer, quota)
        fanout: Fanout = (
            RedisFanout(settings.redis, metrics, settings.redis_timeout_seconds)
            if settings.redis
            else MemoryFanout()
        )
        hub = Hub(
            settings.state_check_every_ops,
            fanout,
            store,
            metrics,
            heartbeat=settings.presence_heartbeat_seconds,
            gap_wait=settings.fanout_gap_seconds,
            live_deliveries_per_second=settings.room_live_deliveries_per_second,
        )
        await hub.start()
        # Limits count every process's connections and events where processes share a Redis.
        shared = (
            SharedCounts(
                settings.redis, hub.node, metrics, settings.redis_timeout_seconds,
                settings.presence_heartbeat_seconds,
            )
            if settings.redis
            else None
        )  # fmt: skip
        if shared is not None:
            await shared.start()
        metrics.boards_open.set_function(lambda: len(hub.rooms))
        # Spawned, not forked: a fork would copy the event loop's threads and open connections.
        # One process for CPU-heavy work off the event loop: imports, snapshots, images, SVG.
        workers = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        snapshotter = Snapshotter(store, settings, metrics, workers)

        def deliver(outcomes: Sequence[Submission]) -> None:
            hub.deliver(outcomes)
            snapshotter.committed(outcomes)

        committer = Committer(store, deliver, metrics, settings.commit_batch)
        committer.start()
        snapshotter.start()
        app.state.services = Services(
            settings,
            store,
            hub,
            committer,
            snapshotter,
            metrics,
            board_connections=Seats("board", settings.max_connections_per_board, shared),
            address_connections=Seats("address", settings.max_connections_per_address, shared),
            board_creations=Allowance(
                "board_creation", settings.boards_per_address_per_hour, 3600.0, shared
            ),
            image_uploads=Allowance("image", settings.images_per_address_per_minute, 60.0, shared),
            workers=workers,
        )
        # What is alive now (modules, schemas, the engines) lives as long as the process: set
        # apart, a full garbage collection no longer walks it. With a thousand connections open,
        # each full collection took 100 ms of the event loop (docs/benchmarks.md).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await committer.stop()
            await snapshotter.stop()
            await hub.close_all(CloseCode.GOING_AWAY, "server shutting down")
            await hub.stop()
            if shared is not None:
                await shared.stop()
            await store.dispose()
            workers.shutdown(cancel_futures=True)

    app = FastAPI(
        title="inkroom",
        version="0.1.0",
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        exception_handlers={RequestValidationError: validation_failed},
        # ReDoc loads its script and fonts from CDNs and styles itself inline: it cannot work on
        # an offline server, nor under a policy without 'unsafe-inline'. /docs shows the same.
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HttpRefusalLog)

    @app.get("/healthz", tags=["operations"])
    async def healthz(request: Request) -> dict[str, str]:
        """``degraded`` while Redis is away: this process serves its own clients only, and
        counts its limits alone."""
        services: Services = request.app.state.services
        limits = services.address_connections.shared
        if services.hub.fanout.up and (limits is None or limits.up):
            return {"status": "ok"}
        return {
            "status": "degraded",
            "fanout": "ok" if services.hub.fanout.up else "redis unavailable",
            "limits": "this process only" if limits and not limits.up else "ok",
        }

    may_scrape = scrapers(settings.metrics_allowed)

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=Response,
        responses={403: {"description": "the address is not in `INKROOM_METRICS_ALLOWED`"}},
    )
    async def prometheus_metrics(request: Request) -> Response:
        """Prometheus metrics in the text exposition format (for the allowed addresses)."""
        if not may_scrape(request.client.host if request.client else None):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "metrics are not served to you")
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(imports.router(settings))
    app.include_router(boards.router)
    app.include_router(images.router(settings))
    pages.mount_frontend(
        app, settings.frontend_dir, settings.public_gallery, settings.max_image_bytes
    )

    def services() -> Services:
        running: Services = app.state.services
        return running

    sockets = BoardSockets(app, services)
    # Outermost: a request for another Host (a DNS-rebinding page's) gets no further.
    return TrustedHostMiddleware(sockets, allowed_hosts=settings.allowed_hosts or ["*"])
