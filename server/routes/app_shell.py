"""The app as an installed one: its web app manifest, its icons, and the service worker that keeps
the app shell (both pages as served, their scripts, styles and icons) for use without a network.

The worker's script is ``frontend/service-worker.js`` with the files to keep and their version
written in. It is served from the site's root, since a worker controls only the pages under its
own folder; the browser asks for it again at each page load (``no-cache``), and a new deploy,
whose files make up a new version, is a new worker, which replaces the kept copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, Response

# Where the worker fetches the board page to keep it (every board's page is the same page).
BOARD_PAGE = "/static/board.html"
MANIFEST = "/manifest.webmanifest"
SERVICE_WORKER = "/service-worker.js"
ICONS = "/static/icons"
# The line of the worker's script that the server writes the shell into.
SHELL_MARK = "const SHELL = /* shell (server/routes/app_shell.py) */"
REVALIDATE = {"Cache-Control": "no-cache"}
# Files of the npm packages' folders the browser may import (not their source maps or types).
MODULE_SUFFIXES = (".js", ".mjs")


def shell_files(frontend: Path, version: str, vendor: dict[str, Path]) -> list[str]:
    """The addresses the worker keeps: the pages, styles, icons, and every script of ``version``
    (the pages' modules and the npm packages' files)."""
    icons = sorted(path.name for path in (frontend / "icons").glob("*.png"))
    files = [
        "/",
        BOARD_PAGE,
        MANIFEST,
        "/static/style.css",
        "/static/home.css",
        "/static/favicon.svg",
        *(f"{ICONS}/{name}" for name in icons),
    ]
    js = frontend / "js"
    files += [f"/static/{version}/js/{path.relative_to(js).as_posix()}" for path in _modules(js)]
    for prefix, folder in vendor.items():
        files += [
            f"/static/{version}/vendor/{prefix}/{path.relative_to(folder).as_posix()}"
            for path in _modules(folder)
        ]
    return files


def _modules(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [path for path in sorted(folder.rglob("*")) if path.suffix in MODULE_SUFFIXES]


def shell_version(version: str, pages: Iterable[str], files: Iterable[Path]) -> str:
    """A short name for everything the worker keeps: the scripts' ``version``, the pages as
    served (they hold settings too), and the other files' contents."""
    digest = hashlib.sha256(version.encode())
    for page in pages:
        digest.update(b"\0" + page.encode())
    for path in files:
        digest.update(b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()[:12]


def service_worker(template: str, version: str, scripts: str, files: list[str]) -> str:
    """The worker's script with its shell written in (``ValueError`` if the mark is missing)."""
    shell = json.dumps({"version": version, "scripts": scripts, "files": files})
    lines = template.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith(SHELL_MARK):
            lines[index] = f"const SHELL = {shell};\n"
            return "".join(lines)
    raise ValueError(f"the service worker has no line starting with {SHELL_MARK!r}")


def add_app_shell_routes(
    router: APIRouter,
    frontend: Path,
    scripts_version: str,
    vendor: dict[str, Path],
    pages: Iterable[str],
) -> None:
    """Serve the manifest, the icons, and the worker keeping ``pages`` (as served) and the rest."""
    icons = {path.name: path for path in sorted((frontend / "icons").glob("*.png"))}
    manifest = frontend / "manifest.webmanifest"
    template = frontend / "service-worker.js"
    styles = [frontend / name for name in ("style.css", "home.css", "favicon.svg")]
    version = shell_version(scripts_version, pages, [manifest, template, *styles, *icons.values()])
    script = service_worker(
        template.read_text(encoding="utf-8"),
        version,
        f"/static/{scripts_version}/",
        shell_files(frontend, scripts_version, vendor),
    )

    @router.get(MANIFEST)
    async def web_app_manifest() -> FileResponse:
        return FileResponse(manifest, media_type="application/manifest+json", headers=REVALIDATE)

    @router.get(f"{ICONS}/{{name}}")
    async def icon(name: str) -> FileResponse:
        if name not in icons:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such icon")
        return FileResponse(icons[name], headers=REVALIDATE)

    @router.get(SERVICE_WORKER)
    async def worker() -> Response:
        return Response(script, media_type="text/javascript", headers=REVALIDATE)
