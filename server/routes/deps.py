"""FastAPI dependencies of the HTTP routes: the app's services. (The board socket is no FastAPI
route: ``server.routes.board_socket``.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.services import Services


def _http_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_http_services)]
