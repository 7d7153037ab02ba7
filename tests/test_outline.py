"""Stroke outlines on the server against the browser's: the PyPI port of perfect-freehand against
the npm package the browser uses (run by node), on seeded strokes, with the browser's options."""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
from pathlib import Path

import pytest

from bench.strokes import pen_stroke
from server import outline, points

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"

# The options of ``strokePath`` in frontend/js/painting.js, on the same decoded points.
BROWSER_OUTLINES = """
import { getStroke } from "perfect-freehand";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const outlines = JSON.parse(input).map(({ flat, width }) => {
  const points = [];
  let constant = true;
  for (let i = 0; i < flat.length; i += 3) {
    points.push([flat[i], flat[i + 1], flat[i + 2]]);
    if (flat[i + 2] !== 0.5) constant = false;
  }
  return getStroke(points, { size: width, simulatePressure: constant, last: true });
});
process.stdout.write(JSON.stringify(outlines));
"""


def seeded_strokes(count: int) -> list[tuple[list[float], float]]:
    """Pen strokes of every length from a lone point up, some with sharp zigzags, some at a
    mouse's constant pressure; as stored (encoded), then decoded."""
    rng = random.Random(2024)
    strokes = []
    for index in range(count):
        length = rng.choice([1, 1, 2, 3, 5, rng.randint(4, 400)])
        if index % 7 == 0:
            flat = [
                v
                for i in range(length)
                for v in (100 + i * 3, 100 + (i % 2) * rng.uniform(5, 40), rng.random())
            ]
        else:
            flat = pen_stroke(rng, length, 1000, 800)
        if index % 3 == 0:
            flat[2::3] = [0.5] * length
        width = rng.choice([1.0, 2.0, 4.0, 8.0, 16.0, 24.0, 40.0])
        strokes.append((points.decode(points.encode(flat)), width))
    return strokes


def browser_outlines(strokes: list[tuple[list[float], float]]) -> list[list[list[float]]]:
    cases = [{"flat": flat, "width": width} for flat, width in strokes]
    if not (FRONTEND / "node_modules" / "perfect-freehand").exists():
        pytest.fail("frontend/node_modules is missing: run `make setup`")
    done = subprocess.run(
        ["node", "--input-type=module", "-e", BROWSER_OUTLINES],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=FRONTEND,
        timeout=60,
        check=True,
    )
    found: list[list[list[float]]] = json.loads(done.stdout)
    return found


def test_outlines_are_the_browser_outlines_point_for_point() -> None:
    strokes = seeded_strokes(400)
    expected = browser_outlines(strokes)
    for (flat, width), browser in zip(strokes, expected, strict=True):
        ours = outline.outline(flat, width)
        assert len(ours) == len(browser), (len(flat) // 3, width)
        worst = max(
            max(abs(a - c), abs(b - d)) for (a, b), (c, d) in zip(ours, browser, strict=True)
        )
        assert worst < 1e-6, (len(flat) // 3, width, worst)


def test_a_lone_point_is_a_round_blot_sized_by_its_pressure() -> None:
    light = outline.outline([50.0, 50.0, 0.1], 20.0)
    heavy = outline.outline([50.0, 50.0, 0.9], 20.0)

    def reach(polygon: list[tuple[float, float]]) -> float:
        return max(math.dist(point, (50.5, 50.5)) for point in polygon)

    assert 3 < reach(light) < reach(heavy) < 20


def _curve(data: str) -> list[tuple[float, float, float, float]]:
    """The absolute (control, end) of every quadratic in ``path_data``'s output."""
    match = re.fullmatch(r"M([^q]+)q([^z]+)z", data)
    assert match is not None, data
    number = r"-?(?:\d+\.?\d*|\.\d+)"
    x, y = map(float, re.findall(number, match[1]))
    relative = [float(n) for n in re.findall(number, match[2])]
    segments = []
    for i in range(0, len(relative), 4):
        cx, cy, ex, ey = relative[i : i + 4]
        segments.append((x + cx, y + cy, x + ex, y + ey))
        x, y = x + ex, y + ey
    return segments


def test_path_data_is_the_browser_curve_through_the_polygon() -> None:
    rng = random.Random(5)
    polygon = [(rng.uniform(-5000, 5000), rng.uniform(-5000, 5000)) for _ in range(500)]
    segments = _curve(outline.path_data(polygon))
    assert len(segments) == len(polygon)
    for i, (cx, cy, ex, ey) in enumerate(segments):
        # Each point is the control of a curve that ends midway to the next (closing the loop).
        x0, y0 = polygon[i]
        x1, y1 = polygon[(i + 1) % len(polygon)]
        assert abs(cx - x0) < 0.006 and abs(cy - y0) < 0.006
        assert abs(ex - (x0 + x1) / 2) < 0.006 and abs(ey - (y0 + y1) / 2) < 0.006
