"""A board's images: ``POST /api/boards/{id}/images`` adds one, ``GET .../images/{hash}`` serves it.

An image is added before the ``image`` operation that places it names it by its hash: the file is
decoded and written again in the worker process (``server.images``), kept once per board, and
counted against the board's byte quota. It is served with the board's own authorization (a
private board's link in ``X-Board-Token``, never in the URL) and, being named by its contents,
as immutable.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from pydantic import BaseModel

from server import images
from server.access import Role
from server.config import Settings
from server.protocol import IMAGE_HASH_PATTERN
from server.routes.answers import answers
from server.routes.boards import AccessDep
from server.routes.deps import ServicesDep
from server.store import BoardFull

ImageHash = Annotated[str, Path(min_length=64, max_length=64, pattern=IMAGE_HASH_PATTERN)]
# Served as a picture, never as a page: nothing in it may run, even opened on its own.
IMAGE_POLICY = "default-src 'none'; sandbox"
_UPLOAD_TYPES = {
    kind: {"schema": {"type": "string", "format": "binary"}} for kind in images.TYPES.values()
}


class ImageOut(BaseModel):
    """An image the board holds: name it by ``hash`` in an ``image`` operation. ``width`` and
    ``height`` are its pixels as kept (the longer side at most 4,096)."""

    hash: str
    type: str
    width: int
    height: int
    bytes: int


def router(settings: Settings) -> APIRouter:
    routes = APIRouter(prefix="/api/boards", tags=["images"])

    @routes.post(
        "/{board_id}/images",
        status_code=status.HTTP_201_CREATED,
        max_body_size=settings.max_image_bytes,
        openapi_extra={"requestBody": {"required": True, "content": _UPLOAD_TYPES}},
        responses={
            200: {"description": "The board held this image already", "model": ImageOut},
            **answers(
                401,
                403,
                404,
                413,
                415,
                422,
                429,
                507,
                s403="The board needs a valid link, or is read-only for the requester",
                s413="The file is over the image size limit (`INKROOM_MAX_IMAGE_BYTES`)",
                s422="The file is broken, or has more pixels than the server decodes",
                s429="Too many images added from this address: try again after `Retry-After`",
            ),
        },
    )
    async def add_image(
        access: AccessDep, services: ServicesDep, request: Request, response: Response
    ) -> ImageOut:
        """Add a PNG, JPEG, WebP or GIF file (the request body, as it is) to the board. The
        board keeps a new file made from its pixels: no metadata, upright, in sRGB, at most
        4,096 pixels on its longer side, an animation's first frame."""
        if access.role is Role.VIEWER:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this board is read-only for you")
        address = request.client.host if request.client else "unknown"
        if not await services.image_uploads.allow(address):
            services.metrics.rejected.labels("image_rate").inc()
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                "too many images added from your address; try again in a minute",
                headers={"Retry-After": "60"},
            )
        body = await request.body()
        loop = asyncio.get_running_loop()
        try:
            prepared = await loop.run_in_executor(services.workers, images.prepare, body)
        except images.UnsupportedImage as exc:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(exc)) from None
        except images.InvalidImage as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
        try:
            stored = await services.store.save_image(access.board.id, prepared)
        except BoardFull:
            services.metrics.rejected.labels("board_full").inc()
            raise HTTPException(
                status.HTTP_507_INSUFFICIENT_STORAGE, "the board holds as much as it may"
            ) from None
        except LookupError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "board not found") from None
        if not stored:
            response.status_code = status.HTTP_200_OK
        return ImageOut(
            hash=prepared.hash,
            type=prepared.type,
            width=prepared.width,
            height=prepared.height,
            bytes=len(prepared.body),
        )

    @routes.get(
        "/{board_id}/images/{image_hash}",
        response_class=Response,
        responses={
            200: {"content": {kind: {} for kind in images.TYPES.values()}},
            **answers(401, 403, 404, 422, s404="No such board, or the board holds no such image"),
        },
    )
    async def image_file(
        access: AccessDep, services: ServicesDep, request: Request, image_hash: ImageHash
    ) -> Response:
        """One of the board's images. Named by its contents, it never changes: browsers and
        proxies keep it (``private`` for a protected board)."""
        board = access.board
        etag = f'"{image_hash}"'
        scope = "private" if board.protected else "public"
        headers = {
            "ETag": etag,
            "Cache-Control": f"{scope}, max-age=31536000, immutable",
            "Content-Security-Policy": IMAGE_POLICY,
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
        found = await services.store.image(board.id, image_hash)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "the board holds no such image")
        return Response(found.body, media_type=found.type, headers=headers)

    return routes
