"""Renders a board's visible objects as an SVG document (exports and gallery thumbnails)."""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape as escape_markup

from server import outline, points
from server.board import Placed, apply
from server.protocol import ImageOp, ShapeOp, StrokeOp, TextOp

# An image's media type and file, by hash: what ``render`` embeds.
Files = Mapping[str, tuple[str, bytes]]

# Characters XML 1.0 forbids; the protocol refuses them in text, but boards stored before that
# rule, or titles from elsewhere, must still export as well-formed SVG.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PADDING = 16.0
HIGHLIGHTER_OPACITY = 0.35
# Text metrics are not known without a font engine: an estimate good enough for the bounds.
TEXT_ADVANCE = 0.6
LINE_HEIGHT = 1.25


def escape(text: str) -> str:
    return escape_markup(_NOT_XML.sub("", text))


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _own_bounds(op: StrokeOp | ShapeOp | TextOp | ImageOp) -> tuple[float, float, float, float]:
    match op:
        case StrokeOp():
            flat = points.decode(op.points)
            xs, ys = flat[0::3], flat[1::3]
            pad = op.width
            return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad
        case ShapeOp():
            pad = op.width * 2
            return (
                min(op.x1, op.x2) - pad,
                min(op.y1, op.y2) - pad,
                max(op.x1, op.x2) + pad,
                max(op.y1, op.y2) + pad,
            )
        case TextOp():
            lines = op.text.split("\n")
            width = max(len(line) for line in lines) * op.size * TEXT_ADVANCE
            height = len(lines) * op.size * LINE_HEIGHT
            return op.x, op.y, op.x + width, op.y + height
        case ImageOp():
            return op.x, op.y, op.x + op.w, op.y + op.h


def _bounds(item: Placed) -> tuple[float, float, float, float]:
    """The object's box on the board: its own box's corners where its transforms take them."""
    left, top, right, bottom = _own_bounds(item.op)
    corners = [apply(item.matrix, x, y) for x in (left, right) for y in (top, bottom)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _stroke(op: StrokeOp) -> str:
    # The outline the browser fills: pressure-shaped, a round blot for a lone point.
    path = outline.path_data(outline.outline(points.decode(op.points), op.width))
    opacity = f' fill-opacity="{HIGHLIGHTER_OPACITY}"' if op.tool == "highlighter" else ""
    return f'<path d="{path}" fill="{op.color}"{opacity}/>'


def _arrowhead(op: ShapeOp) -> str:
    # Two strokes out of the tip, each with its own round caps, as the browser draws them.
    angle = math.atan2(op.y2 - op.y1, op.x2 - op.x1)
    length = max(10.0, op.width * 4)
    tip = f"M{_n(op.x2)} {_n(op.y2)}"
    ends = [
        (op.x2 - length * math.cos(angle + side), op.y2 - length * math.sin(angle + side))
        for side in (-0.45, 0.45)
    ]
    return "".join(f'<path d="{tip}L{_n(x)} {_n(y)}" fill="none"/>' for x, y in ends)


def _shape(op: ShapeOp) -> str:
    style = (
        f'stroke="{op.color}" stroke-width="{_n(op.width)}" stroke-linecap="round" '
        f'stroke-linejoin="round" fill="{op.fill or "none"}"'
    )
    x, y = min(op.x1, op.x2), min(op.y1, op.y2)
    w, h = abs(op.x2 - op.x1), abs(op.y2 - op.y1)
    match op.shape:
        case "rect":
            return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" {style}/>'
        case "ellipse":
            return (
                f'<ellipse cx="{_n(x + w / 2)}" cy="{_n(y + h / 2)}" rx="{_n(w / 2)}" '
                f'ry="{_n(h / 2)}" {style}/>'
            )
        case _:
            line = f'<line x1="{_n(op.x1)}" y1="{_n(op.y1)}" x2="{_n(op.x2)}" y2="{_n(op.y2)}"/>'
            head = _arrowhead(op) if op.shape == "arrow" else ""
            return f"<g {style}>{line}{head}</g>"


def _text(op: TextOp) -> str:
    # Lines hang from their tops, as the browser's canvas sets them (its "top" baseline).
    lines = op.text.split("\n")
    spans = "".join(
        f'<tspan x="{_n(op.x)}" dy="{_n(op.size * LINE_HEIGHT if i else 0)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="{_n(op.x)}" y="{_n(op.y)}" font-size="{_n(op.size)}" fill="{op.color}" '
        'font-family="system-ui, sans-serif" dominant-baseline="hanging" '
        f'xml:space="preserve">{spans}</text>'
    )


def _image(op: ImageOp, files: Files) -> str:
    # The file itself, inline: an SVG shown as a picture (a gallery thumbnail) loads nothing else.
    place = f'x="{_n(op.x)}" y="{_n(op.y)}" width="{_n(op.w)}" height="{_n(op.h)}"'
    found = files.get(op.hash)
    if found is None:  # not there to embed: where it stands, as the browser shows a missing one
        return f'<rect {place} fill="#e9ecef" stroke="#adb5bd"/>'
    media_type, body = found
    data = base64.b64encode(body).decode("ascii")
    return f'<image {place} preserveAspectRatio="none" href="data:{media_type};base64,{data}"/>'


def _element(item: Placed, files: Files) -> str:
    match item.op:
        case StrokeOp():
            body = _stroke(item.op)
        case ShapeOp():
            body = _shape(item.op)
        case TextOp():
            body = _text(item.op)
        case ImageOp():
            body = _image(item.op, files)
    if not item.moved_only:
        # Scale and rotation need more digits than _n's two decimals keep.
        terms = " ".join(f"{term:.6g}" for term in item.matrix)
        return f'<g transform="matrix({terms})">{body}</g>'
    if item.dx or item.dy:
        return f'<g transform="translate({_n(item.dx)} {_n(item.dy)})">{body}</g>'
    return body


def render(items: Iterable[Placed], title: str, files: Files | None = None) -> str:
    """An SVG document showing ``items`` on a white page cropped to their bounds; ``files``
    holds the images' files by hash."""
    placed = list(items)
    if placed:
        boxes = [_bounds(item) for item in placed]
        # Whole units: drawn 1:1, board units fall on the image's pixels as on the canvas.
        left = math.floor(min(b[0] for b in boxes) - PADDING)
        top = math.floor(min(b[1] for b in boxes) - PADDING)
        width = math.ceil(max(b[2] for b in boxes) + PADDING) - left
        height = math.ceil(max(b[3] for b in boxes) + PADDING) - top
    else:
        left, top, width, height = 0, 0, 320, 200
    body = "\n".join(_element(item, files or {}) for item in placed)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{_n(left)} {_n(top)} {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}">\n'
        f"<title>{escape(title)}</title>\n"
        f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(width)}" height="{_n(height)}" '
        'fill="#ffffff"/>\n'
        f"{body}\n</svg>\n"
    )
