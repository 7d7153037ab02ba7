"""Board snapshots: everything the board reducers hold at one sequence number, in parts.

Pure: no I/O. A snapshot at ``seq`` holds every operation up to ``seq`` (undo and redo can bring
back anything ever drawn, and the history view can show any moment, so nothing is dropped); what it
saves is the per-operation framing of a replay, and it is compressed and cached as immutable files.

Part 0 holds the operations that create nothing (erase, move, edit, clear, undo, redo, restore): the
rules that decide what is visible. The objects are split into parts of nearby objects (a k-d split
of their anchor points), each with its bounds, so that a browser fetches what is on its screen
first. Every part is a msgpack map::

    {"format": 1, "board": id, "seq": seq, "part": index, "authors": [user, ...],
     "entries": [[seq, author index, operation], ...]}

with each operation spliced in exactly as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import brotli
import msgpack

from server.points import first_point
from server.protocol import array_header

FORMAT = 1
# Brotli at this quality compresses a snapshot of pen strokes about as well as the best setting
# does, at a small fraction of its time (docs/benchmarks.md).
BROTLI_QUALITY = 9
CREATING_KINDS = frozenset({"stroke", "shape", "text"})

Row = tuple[int, str, bytes]  # seq, author, stored operation payload
Bounds = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Part:
    """One part of a snapshot: ``body`` is brotli-compressed; ``bounds`` None for part 0."""

    index: int
    count: int
    bounds: Bounds | None
    body: bytes
    raw_bytes: int


def _anchor(payload: bytes) -> tuple[str, float, float] | None:
    """The operation's kind and, for an object, a point on it (for grouping nearby objects)."""
    op: dict[str, Any] = msgpack.unpackb(payload, raw=False)
    kind = op.get("kind")
    if kind not in CREATING_KINDS:
        return None
    if kind == "stroke":
        x, y = first_point(op["points"])
        return kind, x, y
    if kind == "shape":
        return kind, (op["x1"] + op["x2"]) / 2, (op["y1"] + op["y2"]) / 2
    return kind, op["x"], op["y"]


def _split(
    items: list[tuple[float, float, Row]], limit: int
) -> list[list[tuple[float, float, Row]]]:
    """Groups of at most ``limit`` nearby items: split at the median of the wider axis."""
    groups: list[list[tuple[float, float, Row]]] = []
    pending = [items]
    while pending:
        group = pending.pop()
        if len(group) <= limit:
            groups.append(group)
            continue
        xs = [item[0] for item in group]
        ys = [item[1] for item in group]
        axis = 0 if max(xs) - min(xs) >= max(ys) - min(ys) else 1
        group.sort(key=lambda item: item[axis])
        middle = len(group) // 2
        pending += [group[middle:], group[:middle]]
    return groups


def _pack(board_id: str, seq: int, index: int, rows: Sequence[Row]) -> bytes:
    authors: dict[str, int] = {}
    for _, author, _ in rows:
        authors.setdefault(author, len(authors))
    pack = msgpack.Packer(use_bin_type=True).pack
    head = {
        "format": FORMAT,
        "board": board_id,
        "seq": seq,
        "part": index,
        "authors": list(authors),
    }
    out = [bytes((0x80 | (len(head) + 1),))]  # a fixmap: these keys, then "entries"
    for key, value in head.items():
        out += [pack(key), pack(value)]
    out += [pack("entries"), array_header(len(rows))]
    for row_seq, author, payload in rows:
        # Each entry is a 3-array whose operation is spliced in as stored.
        out.append(b"\x93" + pack(row_seq) + pack(authors[author]) + payload)
    return b"".join(out)


def build(board_id: str, seq: int, rows: Iterable[Row], part_objects: int) -> list[Part]:
    """Split a board's operations (every one up to ``seq``, in order) into compressed parts."""
    rules: list[Row] = []
    objects: list[tuple[float, float, Row]] = []
    for row in rows:
        anchor = _anchor(row[2])
        if anchor is None:
            rules.append(row)
        else:
            objects.append((anchor[1], anchor[2], row))
    groups = _split(objects, part_objects) if objects else []
    parts = [_part(board_id, seq, 0, rules, None)]
    for index, group in enumerate(groups, start=1):
        group.sort(key=lambda item: item[2][0])  # paint order inside a part
        xs = [item[0] for item in group]
        ys = [item[1] for item in group]
        bounds = (min(xs), min(ys), max(xs), max(ys))
        parts.append(_part(board_id, seq, index, [item[2] for item in group], bounds))
    return parts


def _part(board_id: str, seq: int, index: int, rows: Sequence[Row], bounds: Bounds | None) -> Part:
    raw = _pack(board_id, seq, index, rows)
    body = brotli.compress(raw, quality=BROTLI_QUALITY)
    return Part(index, len(rows), bounds, body, len(raw))


def read(body: bytes) -> tuple[int, list[tuple[int, str, dict[str, Any]]]]:
    """A part's ``seq`` and entries (seq, author, operation), from its compressed body."""
    document = msgpack.unpackb(brotli.decompress(body), raw=False)
    if document.get("format") != FORMAT:
        raise ValueError("unknown snapshot format")
    authors = document["authors"]
    return document["seq"], [(s, authors[a], op) for s, a, op in document["entries"]]
