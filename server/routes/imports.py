"""``POST /api/boards/import``: a new board from a board document.

A document can be large: its body has a limit of its own (``INKROOM_MAX_IMPORT_BYTES``), it is
parsed and validated in a worker process, and it is stored a chunk at a time by the committer,
so that importing never holds up the boards people are drawing on.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request, status

from server import exports
from server.config import Settings
from server.exports import BoardDocument, InvalidDocument
from server.routes.answers import answers
from server.routes.boards import BoardCreated, BoardOut, IdentityDep, may_create
from server.routes.deps import ServicesDep
from server.validation import StrictJSONRoute


def router(settings: Settings) -> APIRouter:
    imports = APIRouter(prefix="/api/boards", tags=["boards"], route_class=StrictJSONRoute)

    @imports.post(
        "/import",
        status_code=status.HTTP_201_CREATED,
        max_body_size=settings.max_import_bytes,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": BoardDocument.model_json_schema()}},
            }
        },
        responses=answers(
            401,
            403,
            413,
            422,
            429,
            s403="A viewer's sign-in token cannot create boards",
            s413="The document is over the import size limit (`INKROOM_MAX_IMPORT_BYTES`)",
            s422="Not a valid board document, or an operation was refused",
        ),
    )
    async def import_board(
        request: Request, services: ServicesDep, identity: IdentityDep
    ) -> BoardCreated:
        """A new (open) board from a document made by ``export.json``."""
        await may_create(request, services, identity)
        body = await request.body()
        loop = asyncio.get_running_loop()
        try:
            parsed = await loop.run_in_executor(services.workers, exports.parse_document, body)
            board, links = await exports.import_document(services.store, services.committer, parsed)
        except (InvalidDocument, ValueError) as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
        return BoardCreated(**BoardOut.of(board).model_dump(), links=links)

    return imports
