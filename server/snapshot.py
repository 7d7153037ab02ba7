"""Board snapshots: everything the board reducers hold at one sequence number, in parts.

Pure: no I/O. A snapshot at ``seq`` holds every operation up to ``seq`` (undo and redo can bring
back anything ever drawn, and the history view can show any moment, so nothing is dropped); what it
saves is the per-operation framing of a replay, and it is compressed and cached as immutable files.

Part 0 holds the operations that create nothing (erase, move, edit, clear, undo, redo, restore): the
rules that decide what is visible. The objects are split into parts of nearby objects (a k-d split
of their anchor points), each with its bounds, so that a browser fetches what is on its screen
first. Every part is a msgpack map::

    {"format": 2, "board": id, "seq": seq, "part": index, "authors": [user, ...],
     "entries": [[seq, author index, operation], ...],
     "counts": [points of each stroke, ...], "first": bin, "x": bin, "y": bin, "p": bin}

with each operation spliced in exactly as stored, except that strokes leave out their points:
those of all the part's strokes (in entry order) are in ``first`` (each stroke's first point,
its three varints) and ``x``, ``y`` and ``p`` (the varints of that coordinate after the first
point, stroke after stroke), as ``server.points.streams`` splits them. The streams apart compress
far better than the points of each stroke in between the operations' other fields
(docs/benchmarks.md). Format 1 (before 2026-12-03) had no streams and other point units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import brotli
import msgpack

from server.points import first_point, interleave, streams
from server.protocol import array_header

FORMAT = 2
# With the points in streams, brotli at this quality makes a snapshot of pen strokes 0.5% bigger
# than at 9 in 40% of its time (docs/benchmarks.md).
BROTLI_QUALITY = 7

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


@dataclass(frozen=True)
class _Entry:
    """An operation as a part holds it: a stroke's points taken out into ``points``."""

    seq: int
    author: str
    payload: bytes
    points: tuple[int, bytes, bytes, bytes, bytes] | None = None


def _entry(row: Row) -> tuple[_Entry, tuple[float, float] | None]:
    """The part's form of the operation and, for an object, a point on it (for grouping nearby
    objects)."""
    seq, author, payload = row
    op: dict[str, Any] = msgpack.unpackb(payload, raw=False)
    kind = op.get("kind")
    if kind == "stroke":
        stroke_points = op.pop("points")
        without: bytes = msgpack.packb(op, use_single_float=True)  # as the store packs
        return _Entry(seq, author, without, streams(stroke_points)), first_point(stroke_points)
    entry = _Entry(seq, author, payload)
    if kind == "shape":
        return entry, ((op["x1"] + op["x2"]) / 2, (op["y1"] + op["y2"]) / 2)
    if kind == "text":
        return entry, (op["x"], op["y"])
    if kind == "image":
        return entry, (op["x"] + op["w"] / 2, op["y"] + op["h"] / 2)
    return entry, None


def _split(
    items: list[tuple[float, float, _Entry]], limit: int
) -> list[list[tuple[float, float, _Entry]]]:
    """Groups of at most ``limit`` nearby items: split at the median of the wider axis."""
    groups: list[list[tuple[float, float, _Entry]]] = []
    pending = [items]
    while pending:
        group = pending.pop()
        if len(group) <= limit:
            groups.append(group)
            continue
        xs = [item[0] for item in group]
        ys = [item[1] for item in group]
        axis = 0 if max(xs) - min(xs) >= max(ys) - min(ys) else 1
        group.sort(key=lambda item: item[1] if axis else item[0])
        middle = len(group) // 2
        pending += [group[middle:], group[:middle]]
    return groups


def _pack(board_id: str, seq: int, index: int, entries: Sequence[_Entry]) -> bytes:
    authors: dict[str, int] = {}
    for entry in entries:
        authors.setdefault(entry.author, len(authors))
    strokes = [entry.points for entry in entries if entry.points is not None]
    pack = msgpack.Packer(use_bin_type=True).pack
    head = {
        "format": FORMAT,
        "board": board_id,
        "seq": seq,
        "part": index,
        "authors": list(authors),
        "counts": [stroke[0] for stroke in strokes],
        "first": b"".join(stroke[1] for stroke in strokes),
        "x": b"".join(stroke[2] for stroke in strokes),
        "y": b"".join(stroke[3] for stroke in strokes),
        "p": b"".join(stroke[4] for stroke in strokes),
    }
    out = [bytes((0x80 | (len(head) + 1),))]  # a fixmap: these keys, then "entries"
    for key, value in head.items():
        out += [pack(key), pack(value)]
    out += [pack("entries"), array_header(len(entries))]
    for entry in entries:
        # Each entry is a 3-array whose operation is spliced in as stored (a stroke's without
        # its points).
        out.append(b"\x93" + pack(entry.seq) + pack(authors[entry.author]) + entry.payload)
    return b"".join(out)


def build(board_id: str, seq: int, rows: Iterable[Row], part_objects: int) -> list[Part]:
    """Split a board's operations (every one up to ``seq``, in order) into compressed parts."""
    rules: list[_Entry] = []
    objects: list[tuple[float, float, _Entry]] = []
    for row in rows:
        entry, anchor = _entry(row)
        if anchor is None:
            rules.append(entry)
        else:
            objects.append((anchor[0], anchor[1], entry))
    groups = _split(objects, part_objects) if objects else []
    parts = [_part(board_id, seq, 0, rules, None)]
    for index, group in enumerate(groups, start=1):
        group.sort(key=lambda item: item[2].seq)  # paint order inside a part
        xs = [item[0] for item in group]
        ys = [item[1] for item in group]
        bounds = (min(xs), min(ys), max(xs), max(ys))
        parts.append(_part(board_id, seq, index, [item[2] for item in group], bounds))
    return parts


def _part(
    board_id: str, seq: int, index: int, entries: Sequence[_Entry], bounds: Bounds | None
) -> Part:
    raw = _pack(board_id, seq, index, entries)
    body = brotli.compress(raw, quality=BROTLI_QUALITY)
    return Part(index, len(entries), bounds, body, len(raw))


def read(body: bytes) -> tuple[int, list[tuple[int, str, dict[str, Any]]]]:
    """A part's ``seq`` and entries (seq, author, operation), from its compressed body.

    Raises:
        ValueError: the part is of another format, or its points do not match its strokes.
    """
    document = msgpack.unpackb(brotli.decompress(body), raw=False)
    if document.get("format") != FORMAT:
        raise ValueError("unknown snapshot format")
    authors = document["authors"]
    entries = [(s, authors[a], op) for s, a, op in document["entries"]]
    strokes = [op for _, _, op in entries if op.get("kind") == "stroke"]
    counts = document["counts"]
    if len(strokes) != len(counts):
        raise ValueError("the part's point counts do not match its strokes")
    for op, stroke_points in zip(
        strokes,
        interleave(counts, *(document[key] for key in ("first", "x", "y", "p"))),
        strict=True,
    ):
        op["points"] = stroke_points
    return document["seq"], entries
