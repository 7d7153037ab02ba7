"""What the service worker is told to keep (server/routes/app_shell.py), and that the server
answers every address of it: one missing file would fail the worker's whole install."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from server.routes.app_shell import (
    BOARD_PAGE,
    SHELL_MARK,
    service_worker,
    shell_files,
    shell_version,
)
from server.routes.pages import VENDOR_PACKAGES
from tests.live_server import LiveServer

FRONTEND = Path(__file__).parent.parent / "frontend"


def served_shell(worker: str) -> dict[str, object]:
    found = re.search(r"^const SHELL = (\{.*\});$", worker, re.MULTILINE)
    assert found, "the worker's script has its shell written in"
    shell: dict[str, object] = json.loads(found.group(1))
    return shell


def test_the_shell_holds_both_pages_every_module_and_the_packages_files_only() -> None:
    vendor = {
        prefix: FRONTEND / "node_modules" / package.folder
        for prefix, package in VENDOR_PACKAGES.items()
    }
    files = shell_files(FRONTEND, "abc", vendor)
    assert {"/", BOARD_PAGE, "/manifest.webmanifest", "/static/style.css"} <= set(files)
    assert {"/static/abc/js/app.js", "/static/abc/js/tools/pen.js"} <= set(files)
    assert "/static/abc/js/snapshot-worker.js" in files
    for prefix, package in VENDOR_PACKAGES.items():
        assert f"/static/abc/vendor/{prefix}/{package.entry}" in files
    assert not [file for file in files if file.endswith((".map", ".ts", ".cjs", ".md", ".json"))]
    assert not [file for file in files if file.startswith(("/api/", "/ws/", "/b/"))]
    assert len(files) == len(set(files))


def test_a_changed_page_or_file_is_a_new_shell_version(tmp_path: Path) -> None:
    style = tmp_path / "style.css"
    style.write_text("body {}")
    before = shell_version("abc", ["<html>"], [style])
    assert shell_version("abc", ["<html>"], [style]) == before
    assert shell_version("abd", ["<html>"], [style]) != before
    assert shell_version("abc", ["<html lang=en>"], [style]) != before
    style.write_text("body { margin: 0 }")
    assert shell_version("abc", ["<html>"], [style]) != before


def test_the_worker_gets_its_shell_written_in_and_refuses_a_script_without_the_mark() -> None:
    template = (FRONTEND / "service-worker.js").read_text()
    assert template.count(SHELL_MARK) == 1
    script = service_worker(template, "v1", "/static/abc/", ["/", "/static/abc/js/app.js"])
    assert served_shell(script) == {
        "version": "v1",
        "scripts": "/static/abc/",
        "files": ["/", "/static/abc/js/app.js"],
    }
    with pytest.raises(ValueError):
        service_worker("self.addEventListener('fetch', () => {});\n", "v1", "/static/abc/", [])


def test_the_server_answers_every_address_its_worker_keeps(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        shell = served_shell(http.get("/service-worker.js").text)
        files = shell["files"]
        assert isinstance(files, list) and len(files) > 60
        page = http.get("/b/any").text
        assert f'src="{shell["scripts"]}js/app.js"' in page  # the folder the pages name
        for file in files:
            answer = http.get(file)
            assert answer.status_code == 200, file
        board_page = http.get(BOARD_PAGE)
        assert board_page.text == page  # the same page as every board's
        assert "'sha256-" in board_page.headers["content-security-policy"]
