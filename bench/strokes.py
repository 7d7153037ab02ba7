"""Strokes drawn the way a pen draws, for the benchmarks: seeded, flat ``[x, y, p, ...]``.

The pen's heading turns with a curvature that drifts smoothly within bounds, its speed (the
distance between samples, 1-4 units) drifts smoothly too, and so does the pressure (0.2-0.9).
"""

from __future__ import annotations

import math
import random

MIN_STEP, MAX_STEP = 1.0, 4.0
MAX_CURVATURE = 0.15  # radians a sample
MIN_PRESSURE, MAX_PRESSURE = 0.2, 0.9


def _drift(rng: random.Random, value: float, change: float, low: float, high: float) -> float:
    return min(high, max(low, value + rng.uniform(-change, change)))


def pen_stroke(
    rng: random.Random, points: int, width: float = 4000, height: float = 3000
) -> list[float]:
    """``points`` samples of one stroke starting somewhere on a ``width`` x ``height`` page."""
    x, y = rng.uniform(0, width), rng.uniform(0, height)
    heading = rng.uniform(0, 2 * math.pi)
    curvature = rng.uniform(-MAX_CURVATURE, MAX_CURVATURE) / 2
    step = rng.uniform(MIN_STEP, MAX_STEP)
    pressure = rng.uniform(MIN_PRESSURE, MAX_PRESSURE)
    flat: list[float] = []
    for _ in range(points):
        flat += [x, y, pressure]
        curvature = _drift(rng, curvature, 0.02, -MAX_CURVATURE, MAX_CURVATURE)
        step = _drift(rng, step, 0.25, MIN_STEP, MAX_STEP)
        pressure = _drift(rng, pressure, 0.03, MIN_PRESSURE, MAX_PRESSURE)
        heading += curvature
        x += step * math.cos(heading)
        y += step * math.sin(heading)
    return flat
