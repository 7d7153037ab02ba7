"""Request bodies parsed strictly and refused briefly.

JSON bodies are parsed by pydantic-core, which refuses a lone surrogate (``"\\ud800"``) and the
non-standard ``NaN`` / ``Infinity`` that Python's ``json`` accepts; a number too large for a float
(``1e400``) is refused by the models' finite bounds. A refusal is a 422 that says where and why,
and never repeats the input (which may be megabytes, or not even encodable as JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import pydantic_core
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

MAX_ERRORS_SHOWN = 10


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = pydantic_core.from_json(await self.body(), allow_inf_nan=False)
            except ValueError as exc:
                # FastAPI turns a JSONDecodeError into a 422 naming the body.
                raise json.JSONDecodeError(str(exc), "", 0) from None
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is parsed by ``StrictJSONRequest``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler


async def validation_failed(request: Request, exc: Exception) -> Response:
    """422 with each error's place, message and type: no input, no context."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": error["type"]}
        for error in exc.errors()[:MAX_ERRORS_SHOWN]
    ]
    return JSONResponse({"detail": errors}, status_code=422)
