"""The refusals a route may answer with, as the OpenAPI document lists them: one table, so that
every route describes the same status the same way."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Refusal(BaseModel):
    detail: str


class InvalidField(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(BaseModel):
    """Where and why, for at most 10 fields; never the input itself."""

    detail: list[InvalidField]


_ANSWERS: dict[int, tuple[str, type[BaseModel]]] = {
    401: ("Sign-in is on, and the token is missing, forged, malformed or expired", Refusal),
    403: (
        "Not allowed: the board needs a valid link, the role is too low, or a sign-in token "
        "does not cover it",
        Refusal,
    ),
    404: ("No such board", Refusal),
    413: ("The body is over its size limit (`INKROOM_MAX_BODY_BYTES`)", Refusal),
    422: ("Invalid parameters or body", Invalid),
    415: ("Not a PNG, JPEG, WebP or GIF image (SVG is not accepted)", Refusal),
    429: (
        "Too many boards created from this address: try again after `Retry-After` seconds",
        Refusal,
    ),
    507: ("The board holds as many bytes as it may (`INKROOM_MAX_BOARD_BYTES`)", Refusal),
}


def answers(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route for these statuses; ``described`` (``s403="..."``) replaces
    a status's general description with the route's own."""
    listed: dict[int | str, dict[str, Any]] = {}
    for code in statuses:
        description, model = _ANSWERS[code]
        listed[code] = {"description": described.get(f"s{code}", description), "model": model}
    return listed
