"""The modules a page imports before its scripts run, found by reading their static imports.

A browser learns a module's imports only once it has that module, so a page whose modules import
each other some levels deep waits a round trip (and, from its cache, a read and a parse) per
level. Naming every module the page will need in ``<link rel="modulepreload">`` tags lets the
browser ask for all of them at once. Only static imports count: what a module imports with
``import()`` loads when it is first used, and is not preloaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

# ``import … from "x"``, ``export … from "x"`` and ``import "x"`` at the start of a statement;
# ``import("x")`` (a dynamic import) has no space after ``import`` and does not match.
STATIC_IMPORT = re.compile(
    r"""^[ \t]*(?:import|export)\s(?:[^;"'`()]*?\sfrom\s*)?["']([^"']+)["']""", re.MULTILINE
)


def static_imports(source: str) -> list[str]:
    """The specifiers a module imports statically, in the order written."""
    return STATIC_IMPORT.findall(source)


def preload_order(
    entries: list[str], read: Callable[[str], str | None], resolve: Callable[[str, str], str | None]
) -> list[str]:
    """Every URL the ``entries`` import, directly or not, the entries themselves left out: all
    that the first entry needs, breadth first, then what the next one needs besides, and so on
    (a page's first scripts are the ones it waits for first).

    ``read(url)`` gives a module's source (None: not ours to read); ``resolve(specifier, url)``
    the URL a specifier names from the module at ``url`` (None: not one of our files).
    """
    seen = set(entries)
    order: list[str] = []
    for entry in entries:
        level = [entry]
        while level:
            following: list[str] = []
            for url in level:
                source = read(url)
                for specifier in static_imports(source) if source is not None else []:
                    target = resolve(specifier, url)
                    if target is not None and target not in seen:
                        seen.add(target)
                        order.append(target)
                        following.append(target)
            level = following
    return order


def file_reader(roots: dict[str, Path]) -> Callable[[str], str | None]:
    """Reads a URL under one of ``roots`` (URL prefix -> folder) from disk."""

    def read(url: str) -> str | None:
        for prefix, folder in roots.items():
            if url.startswith(prefix):
                path = (folder / url[len(prefix) :]).resolve()
                if path.is_relative_to(folder.resolve()) and path.is_file():
                    return path.read_text(encoding="utf-8")
        return None

    return read


def resolver(import_map: dict[str, str]) -> Callable[[str, str], str | None]:
    """Resolves a specifier as the page does: a bare name through its import map, a relative one
    against the importing module's URL."""

    def resolve(specifier: str, url: str) -> str | None:
        if specifier in import_map:
            return import_map[specifier]
        if not specifier.startswith(("./", "../")):
            return None
        parts = url.split("/")[:-1]
        for step in specifier.split("/"):
            if step == "..":
                parts.pop()
            elif step != ".":
                parts.append(step)
        return "/".join(parts)

    return resolve


def preload_tags(urls: list[str]) -> str:
    return "".join(f'<link rel="modulepreload" href="{url}">' for url in urls)
