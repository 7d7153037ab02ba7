"""FastAPI dependencies of the routes: the app's services, for HTTP and WebSocket routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, WebSocket

from server.services import Services


def _http_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def socket_services(websocket: WebSocket) -> Services:
    services: Services = websocket.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_http_services)]
