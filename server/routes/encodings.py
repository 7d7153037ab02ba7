"""Which compressed form of an answer a request takes (``Accept-Encoding``), and how it is made:
one reading and one set of settings for the page's files and the API's compressed answers alike."""

from __future__ import annotations

import gzip

import brotli
from starlette.datastructures import Headers

# Quality 5 takes about a millisecond for a 30 kB module and makes it nearly as small as the
# slowest setting would.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6


def compressed(body: bytes, encoding: str) -> bytes:
    """``body`` in the form ``accepted_encoding`` chose ("br" or "gzip")."""
    if encoding == "br":
        packed: bytes = brotli.compress(body, quality=BROTLI_QUALITY)
        return packed
    return gzip.compress(body, GZIP_LEVEL, mtime=0)


def accepted_encoding(request_headers: Headers) -> str | None:
    """Brotli or gzip, the first the request takes (``q`` above 0: browsers send br over HTTPS
    and to localhost, gzip everywhere), or None."""
    offered: dict[str, float] = {}
    for part in request_headers.get("accept-encoding", "").split(","):
        name, *parameters = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        offered[name.lower()] = weight
    for encoding in ("br", "gzip"):
        if offered.get(encoding, 0.0) > 0:
            return encoding
    return None
