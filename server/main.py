"""Builds the app: storage, the room hub and the committer for its lifetime, then the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from server.committer import Committer
from server.config import Settings
from server.protocol import CloseCode
from server.rooms import Hub
from server.routes import board_socket, boards, pages
from server.security import SecurityHeaders
from server.services import Services
from server.store import Store, create_engines


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reader, writer = create_engines(settings.database_url, settings.sqlite_synchronous)
        store = Store(reader, writer)
        hub = Hub()
        committer = Committer(store, hub.deliver, settings.commit_batch)
        committer.start()
        app.state.services = Services(settings, store, hub, committer)
        try:
            yield
        finally:
            await committer.stop()
            await hub.close_all(CloseCode.GOING_AWAY, "server shutting down")
            await store.dispose()

    app = FastAPI(title="inkroom", version="0.1.0", lifespan=lifespan)
    app.add_middleware(SecurityHeaders)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(boards.router)
    app.include_router(board_socket.router)
    pages.mount_frontend(app, settings.frontend_dir)
    return app
