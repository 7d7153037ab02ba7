"""A stroke's outline as the browser paints it: perfect-freehand's polygon, as SVG path data.

The twin of ``strokePath`` in ``frontend/js/painting.js``: the same options to the same algorithm
(the PyPI port of the npm package the browser uses; a test compares their outlines), and the same
curve through the polygon (a quadratic from each point's midpoint to the next, the point itself
as control). Pure, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from perfect_freehand import get_stroke_outline_points, get_stroke_points

# Path coordinates are written in hundredths of a board unit: far below a pixel at any zoom the
# board offers, and short numbers.
_PRECISION = 100


def outline(flat: Sequence[float], width: float) -> list[tuple[float, float]]:
    """The polygon around flat ``[x, y, pressure, ...]`` points drawn ``width`` wide."""
    points = [(flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat), 3)]
    # A mouse reports no pressure (0.5 throughout): the pen's speed stands in for it. The test is
    # the browser's, on the same decoded values.
    simulated = all(point[2] == 0.5 for point in points)
    stroke_points = get_stroke_points(points, size=width, last=True)
    if len(points) == 1:
        # A lone point becomes two, 1 unit apart. The npm package gives the added one the
        # point's pressure; the port gives it 0.5, which draws a dot of another size.
        stroke_points[-1]["pressure"] = points[0][2]
    return get_stroke_outline_points(
        stroke_points, size=width, last=True, simulate_pressure=simulated
    )


# Formatting: hundredths with two decimals, then the zeros and separators a reader does not need.
_TRAILING_ZEROS = re.compile(r"\.?0+(?= |$)")
_LEADING_ZERO = re.compile(r"(?<![\d.])0(?=\.)")


def _numbers(hundredths: Sequence[int]) -> str:
    text = ("%.2f " * len(hundredths))[:-1] % tuple(v / _PRECISION for v in hundredths)
    text = _LEADING_ZERO.sub("", _TRAILING_ZEROS.sub("", text))
    return text.replace(" -", "-")


def path_data(polygon: Sequence[tuple[float, float]]) -> str:
    """SVG path data for the closed curve the browser draws through ``polygon``."""
    if not polygon:
        return ""
    # Relative commands between positions rounded once: short numbers, and no rounding error
    # adds up along the path.
    scaled = [(round(x * _PRECISION), round(y * _PRECISION)) for x, y in polygon]
    count = len(polygon)
    current = scaled[0]
    numbers: list[int] = []
    for i, (x0, y0) in enumerate(scaled):
        x1, y1 = polygon[(i + 1) % count]
        px, py = polygon[i]
        mx = round((px + x1) / 2 * _PRECISION)
        my = round((py + y1) / 2 * _PRECISION)
        numbers += (x0 - current[0], y0 - current[1], mx - current[0], my - current[1])
        current = (mx, my)
    return f"M{_numbers(scaled[0])}q{_numbers(numbers)}z"
