"""The browser client: pages, its modules, and the npm packages it imports."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, status
from fastapi.responses import FileResponse, HTMLResponse
from starlette.staticfiles import StaticFiles

from server.routes.deps import ServicesDep

# URL prefix -> folder inside frontend/node_modules: only these packages are served.
VENDOR_PACKAGES = {
    "msgpack": "@msgpack/msgpack/dist.esm",
    "perfect-freehand": "perfect-freehand/dist/esm",
    "idb": "idb/build",
    # rbush's browser bundle (a classic script with quickselect inside): the ES module imports a
    # bare package name, which a browser cannot resolve without a build step.
    "rbush": "rbush",
}


# The home page's gallery lists the boards this browser knows; on a public gallery
# (``INKROOM_PUBLIC_GALLERY``) every open board on the server, and the page is told so here.
YOUR_GALLERY = 'data-gallery="yours"'
PUBLIC_GALLERY = 'data-gallery="public"'


def mount_frontend(app: FastAPI, frontend: Path, public_gallery: bool) -> None:
    router = APIRouter(include_in_schema=False)

    # HEAD too: uptime checks and link previews ask it (an empty answer with GET's headers).
    @router.api_route("/", methods=["GET", "HEAD"], response_model=None)
    def home() -> FileResponse | HTMLResponse:
        if not public_gallery:
            return FileResponse(frontend / "index.html")
        page = (frontend / "index.html").read_text(encoding="utf-8")
        return HTMLResponse(page.replace(YOUR_GALLERY, PUBLIC_GALLERY, 1))

    @router.api_route("/b/{board_id}", methods=["GET", "HEAD"])
    async def board_page(board_id: str, services: ServicesDep) -> FileResponse:
        # An unknown board still gets the page, which says so, with the status to match.
        found = await services.store.get_board(board_id) is not None
        code = status.HTTP_200_OK if found else status.HTTP_404_NOT_FOUND
        return FileResponse(frontend / "board.html", status_code=code)

    @router.get("/static/style.css")
    async def style() -> FileResponse:
        return FileResponse(frontend / "style.css")

    @router.get("/static/home.css")
    async def home_style() -> FileResponse:
        return FileResponse(frontend / "home.css")

    @router.get("/static/favicon.svg")
    @router.get("/favicon.ico")
    async def favicon() -> FileResponse:
        return FileResponse(frontend / "favicon.svg", media_type="image/svg+xml")

    app.include_router(router)
    app.mount("/static/js", StaticFiles(directory=frontend / "js"), name="js")
    for prefix, folder in VENDOR_PACKAGES.items():
        app.mount(
            f"/vendor/{prefix}",
            StaticFiles(directory=frontend / "node_modules" / folder, check_dir=False),
            name=f"vendor-{prefix}",
        )
