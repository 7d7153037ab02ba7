"""Static files answered from memory, compressed once: the board page's ~95 modules.

Starlette's ``StaticFiles`` looks each file up in a worker thread and streams it from disk through
more thread hops: about 1.5 ms of the server's time a file beyond any other request, which a first
visit pays ~95 times while the same process answers the page's socket and its snapshot's parts.
Here a file is looked up where the request is (a stat of a local file takes microseconds), read
once for each of its versions (its modification time and size), and kept with its brotli and gzip
forms, made when first asked for, so that a visit over a network moves a quarter of the bytes.
Answers stay StaticFiles' own: the same headers, ETag, 304 for a known copy, 404, HEAD.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from server.routes.encodings import accepted_encoding, compressed

# Larger files are streamed from disk as StaticFiles does (the modules are all far smaller).
MAX_KEPT_BYTES = 1 << 20
# Smaller files gain nothing worth a header from being compressed.
MIN_COMPRESSED_BYTES = 512


@dataclass
class KeptFile:
    """A version of a file: its bytes, the headers StaticFiles would send, its compressed forms."""

    version: tuple[int, int]
    body: bytes
    headers: dict[str, str]
    encoded: dict[str, bytes] = field(default_factory=dict)

    def encoded_as(self, encoding: str) -> bytes:
        # Compressed where first asked for, in the request's turn.
        if encoding not in self.encoded:
            self.encoded[encoding] = compressed(self.body, encoding)
        return self.encoded[encoding]


class KeptFiles(StaticFiles):
    """Static files sent with one ``Cache-Control``, from memory (no more than the folder holds:
    a path outside it is refused before anything is kept)."""

    def __init__(self, *, cache_control: str, **options: Any) -> None:
        super().__init__(**options)
        self.cache_control = cache_control
        self._kept: dict[str, KeptFile] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] in ("GET", "HEAD"):
            try:
                full_path, stat_result = self.lookup_path(path)
            except (OSError, ValueError):
                full_path, stat_result = "", None  # StaticFiles says which error it is
            if stat_result is not None and stat.S_ISREG(stat_result.st_mode):
                return self.file_response(full_path, stat_result, scope)
        return await super().get_response(path, scope)

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        if stat_result.st_size > MAX_KEPT_BYTES or status_code != 200:
            response = super().file_response(full_path, stat_result, scope, status_code)
            response.headers["Cache-Control"] = self.cache_control
            return response
        kept = self._kept_file(str(full_path), stat_result)
        request_headers = Headers(scope=scope)
        headers = dict(kept.headers)
        headers["vary"] = "Accept-Encoding"
        body = kept.body
        encoding = accepted_encoding(request_headers) if len(body) >= MIN_COMPRESSED_BYTES else None
        if encoding is not None:
            body = kept.encoded_as(encoding)
            headers["content-encoding"] = encoding
            # Other bytes, another tag: a cache holding one form never takes it for the other.
            headers["etag"] = f'{headers["etag"][:-1]}-{encoding}"'
        if self.is_not_modified(Headers(headers), request_headers):
            return NotModifiedResponse(Headers(headers))
        headers["content-length"] = str(len(body))
        return Response(b"" if scope["method"] == "HEAD" else body, headers=headers)

    def _kept_file(self, full_path: str, stat_result: os.stat_result) -> KeptFile:
        version = (stat_result.st_mtime_ns, stat_result.st_size)
        kept = self._kept.get(full_path)
        if kept is None or kept.version != version:
            # Read in the request's turn: once per version of a file of at most MAX_KEPT_BYTES.
            with open(full_path, "rb") as file:
                body = file.read()
            headers = dict(FileResponse(full_path, stat_result=stat_result).headers)
            headers.pop("accept-ranges", None)  # a kept file is sent whole
            headers["cache-control"] = self.cache_control
            kept = self._kept[full_path] = KeptFile(version, body, headers)
        return kept
