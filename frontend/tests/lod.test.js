import assert from "node:assert/strict";
import { test } from "node:test";

import { DOT_PX, detailOf, levelTolerance, lineLevel, simplify } from "../js/lod.js";

/** A seeded random walk of n points, flat [x, y, pressure, ...]. */
function walk(n, seed) {
  let state = seed;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const flat = [];
  let x = 100;
  let y = 100;
  for (let i = 0; i < n; i++) {
    x += random() * 12 - 6;
    y += random() * 12 - 6;
    flat.push(x, y, 0.5);
  }
  return flat;
}

test("an object smaller than a couple of device pixels is a dot, a thin stroke a line", () => {
  const box = { left: 0, top: 0, right: 40, bottom: 10 };
  assert.equal(detailOf(box, 4, (DOT_PX / 40) * 0.9), "dot");
  assert.equal(detailOf(box, 4, 0.5), "line");
  assert.equal(detailOf(box, 4, 1), "full");
  assert.equal(detailOf(box, 0, 0.5), "full"); // shapes and text keep their own drawing
});

test("a simplified line keeps both ends and strays no further than its tolerance", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const flat = walk(1 + (seed % 80), seed);
    const tolerance = levelTolerance(lineLevel(0.05 + (seed % 7) * 0.3));
    const kept = simplify(flat, tolerance);
    const n = flat.length / 3;
    assert.deepEqual(kept.slice(0, 2), flat.slice(0, 2));
    assert.deepEqual(kept.slice(-2), flat.slice(3 * n - 3, 3 * n - 1));
    assert.ok(kept.every(Number.isFinite));
    // Every dropped point lies within the tolerance of the last point kept before it.
    let k = 0;
    for (let i = 0; i < n; i++) {
      const [x, y] = [flat[3 * i], flat[3 * i + 1]];
      if (kept[k] === x && kept[k + 1] === y) continue;
      if (kept[k + 2] === x && kept[k + 3] === y) {
        k += 2;
        continue;
      }
      assert.ok(Math.hypot(x - kept[k], y - kept[k + 1]) <= tolerance + 1e-9);
    }
  }
});

test("zoomed out, a line keeps fewer points; one level serves zooms within a factor of two", () => {
  const flat = walk(50, 3);
  const near = simplify(flat, levelTolerance(lineLevel(1)));
  const far = simplify(flat, levelTolerance(lineLevel(0.1)));
  assert.ok(far.length < near.length);
  assert.equal(lineLevel(0.3), lineLevel(0.26));
  assert.notEqual(lineLevel(0.3), lineLevel(0.6));
});
