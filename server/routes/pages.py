"""The browser client: pages, its modules, and the npm packages it imports."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import NamedTuple

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.responses import FileResponse, HTMLResponse

from server.routes import module_graph
from server.routes.app_shell import BOARD_PAGE, add_app_shell_routes
from server.routes.deps import ServicesDep
from server.routes.kept_files import KeptFiles
from server.security import content_security_policy


class Vendored(NamedTuple):
    """An npm package the browser imports by its name (``import { openDB } from "idb"``)."""

    name: str
    # Its folder inside frontend/node_modules, served whole, and the file its name stands for
    # there: the one Node.js resolves the name to (the tests load the modules under Node.js).
    folder: str
    entry: str


# URL prefix (``/static/vendor/<prefix>/``) -> package: only these are served. The board page's
# import map names each entry, so that the modules import the packages by name, as they do under
# Node.js; a worker, which does not see import maps, is told their URLs.
VENDOR_PACKAGES = {
    "msgpack": Vendored("@msgpack/msgpack", "@msgpack/msgpack/dist.esm", "index.mjs"),
    "perfect-freehand": Vendored("perfect-freehand", "perfect-freehand/dist/esm", "index.mjs"),
    "idb": Vendored("idb", "idb/build", "index.js"),
    "rbush": Vendored("rbush", "rbush", "index.js"),
    # rbush imports it by name.
    "quickselect": Vendored("quickselect", "quickselect", "index.js"),
}
# Where a page's import map goes (only board.html imports packages).
IMPORT_MAP_MARK = "<!-- import map (server/routes/pages.py) -->"


# The pages name their scripts under a folder named by the files' contents (``/static/<version>/``),
# which the browser keeps without asking again: a reopened page loads its some 60 modules from its
# cache instead of revalidating each, even just after the files changed. A new version of any file
# is a new folder. The pages themselves are asked for every time, so they always name the newest.
IMMUTABLE = "public, max-age=31536000, immutable"
# The same files without a version (other clients, tests): the browser checks their ETag each time.
REVALIDATE = "no-cache"


def scripts_version(folders: list[Path]) -> str:
    """A short name for the contents of the files in ``folders`` (a missing one counts empty)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def package_urls(version: str) -> dict[str, str]:
    """Each package's name and the URL of its file in the folder of this ``version``."""
    return {
        package.name: f"/static/{version}/vendor/{prefix}/{package.entry}"
        for prefix, package in VENDOR_PACKAGES.items()
    }


def import_map(version: str) -> str:
    """The import map naming the packages' files in the folder of this ``version``."""
    return json.dumps({"imports": package_urls(version)}, separators=(",", ":"))


# The module scripts a page names, and where the tags that preload their imports go: after them,
# so that the page's own scripts are asked for first.
MODULE_SCRIPT = re.compile(r'<script type="module" src="([^"]+)"[^>]*></script>')


# What the board page's first scripts start besides their imports: the snapshot worker
# (first-worker.js) and the packages it is told to import. Preloaded before the rest, with what
# they import: the worker asks for them while the page's own modules load, and can read a part
# only once it has them all.
BOARD_WORKER_MODULES = ("js/snapshot-worker.js", "@msgpack/msgpack", "idb")


def with_preloads(
    page: str,
    version: str,
    frontend: Path,
    vendor: dict[str, Path],
    workers: tuple[str, ...] = (),
) -> str:
    """``page`` (already ``versioned``) with a ``modulepreload`` tag for every module its
    scripts import statically (``server.routes.module_graph``), and first for the ``workers``'
    modules (files under ``js/`` or package names) and their imports."""
    scripts = list(MODULE_SCRIPT.finditer(page))
    if not scripts:
        return page
    roots = {f"/static/{version}/js/": frontend / "js"}
    roots.update({f"/static/{version}/vendor/{p}/": folder for p, folder in vendor.items()})
    packages = package_urls(version)
    early = [packages.get(name) or f"/static/{version}/{name}" for name in workers]
    order = early + module_graph.preload_order(
        early + [match.group(1) for match in scripts],
        module_graph.file_reader(roots),
        module_graph.resolver(packages),
    )
    end = scripts[-1].end()
    return page[:end] + module_graph.preload_tags(order) + page[end:]


def script_hash(script: str) -> str:
    """The Content-Security-Policy source that allows this inline script, and no other."""
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def versioned(page: str, version: str) -> str:
    """``page`` naming its scripts in the folder of this ``version``."""
    return page.replace('"/static/js/', f'"/static/{version}/js/').replace(
        '"/static/vendor/', f'"/static/{version}/vendor/'
    )


# The home page's gallery lists the boards this browser knows; on a public gallery
# (``INKROOM_PUBLIC_GALLERY``) every open board on the server, and the page is told so here.
YOUR_GALLERY = 'data-gallery="yours"'
PUBLIC_GALLERY = 'data-gallery="public"'


# The board page tells its script the largest image file the server takes, so that a larger one
# is refused before it is sent.
BOARD_BODY = '<body class="board-page">'


def mount_frontend(
    app: FastAPI, frontend: Path, public_gallery: bool, max_image_bytes: int
) -> None:
    router = APIRouter(include_in_schema=False)
    vendor = {
        prefix: frontend / "node_modules" / package.folder
        for prefix, package in VENDOR_PACKAGES.items()
    }
    version = scripts_version([frontend / "js", *vendor.values()])
    home_page = versioned((frontend / "index.html").read_text(encoding="utf-8"), version)
    if public_gallery:
        home_page = home_page.replace(YOUR_GALLERY, PUBLIC_GALLERY, 1)
    # An inline import map (browsers take no other kind) is a script: the page's policy allows
    # this one by its hash.
    imports = import_map(version)
    board_html = versioned((frontend / "board.html").read_text(encoding="utf-8"), version)
    board_html = with_preloads(board_html, version, frontend, vendor, BOARD_WORKER_MODULES)
    board_html = board_html.replace(
        IMPORT_MAP_MARK, f'<script type="importmap">{imports}</script>', 1
    )
    board_html = board_html.replace(
        BOARD_BODY, f'<body class="board-page" data-max-image-bytes="{max_image_bytes}">', 1
    )
    board_scripts = (script_hash(imports),)
    page_headers = {"Cache-Control": REVALIDATE}

    def board_page_answer(request: Request, code: int = status.HTTP_200_OK) -> HTMLResponse:
        policy = content_security_policy(request.headers.get("host") or "localhost", board_scripts)
        headers = {**page_headers, "Content-Security-Policy": policy}
        return HTMLResponse(board_html, status_code=code, headers=headers)

    # HEAD too: uptime checks and link previews ask it (an empty answer with GET's headers).
    @router.api_route("/", methods=["GET", "HEAD"])
    def home() -> HTMLResponse:
        return HTMLResponse(home_page, headers=page_headers)

    @router.api_route("/b/{board_id}", methods=["GET", "HEAD"])
    async def board_page(board_id: str, request: Request, services: ServicesDep) -> HTMLResponse:
        # An unknown board still gets the page, which says so, with the status to match.
        found = await services.store.get_board(board_id) is not None
        code = status.HTTP_200_OK if found else status.HTTP_404_NOT_FOUND
        return board_page_answer(request, code)

    # The same page, for the service worker to keep: it opens any board without a network.
    @router.get(BOARD_PAGE)
    def kept_board_page(request: Request) -> HTMLResponse:
        return board_page_answer(request)

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

    add_app_shell_routes(router, frontend, version, vendor, (home_page, board_html))
    app.include_router(router)
    # The modules import each other, and the npm packages in ``../vendor/``, by relative URLs:
    # whichever folder a page names, everything it imports comes from the same one.
    for root, cache_control in ((f"/static/{version}", IMMUTABLE), ("/static", REVALIDATE)):
        name = "versioned" if cache_control == IMMUTABLE else "plain"
        app.mount(
            f"{root}/js",
            KeptFiles(directory=frontend / "js", cache_control=cache_control),
            name=f"js-{name}",
        )
        for prefix, folder in vendor.items():
            app.mount(
                f"{root}/vendor/{prefix}",
                KeptFiles(directory=folder, check_dir=False, cache_control=cache_control),
                name=f"vendor-{prefix}-{name}",
            )
