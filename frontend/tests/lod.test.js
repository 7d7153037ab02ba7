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

/** A seeded pen stroke of n points: its heading turns smoothly, 1-4 units between samples. */
function penStroke(n, seed) {
  let state = seed;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const flat = [];
  let [x, y, heading, turn, step] = [100, 100, random() * 6.28, 0, 2.5];
  for (let i = 0; i < n; i++) {
    flat.push(x, y, 0.5);
    turn = Math.max(-0.15, Math.min(0.15, turn + random() * 0.04 - 0.02));
    step = Math.max(1, Math.min(4, step + random() * 0.5 - 0.25));
    heading += turn;
    x += step * Math.cos(heading);
    y += step * Math.sin(heading);
  }
  return flat;
}

/** How far a point is from the segment that starts at kept[a] (or from that lone point). */
function segmentDistance(px, py, kept, a) {
  const [ax, ay, bx, by] = [kept[a], kept[a + 1], kept[a + 2] ?? kept[a], kept[a + 3] ?? kept[a + 1]];
  const [dx, dy] = [bx - ax, by - ay];
  const length2 = dx * dx + dy * dy;
  const t = length2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Strokes of every shape: random walks, pen strokes past the 256-point window, a spiral, a
 * stroke that doubles back on itself, a lone point, a point held still. */
function strokesOfEveryShape() {
  const strokes = [];
  for (let seed = 1; seed <= 200; seed++) strokes.push(walk(1 + (seed % 80), seed));
  for (let seed = 1; seed <= 20; seed++) strokes.push(penStroke([2, 50, 300, 700][seed % 4], seed));
  const spiral = [];
  for (let i = 0; i < 900; i++) spiral.push((i / 9) * Math.cos(i / 20), (i / 9) * Math.sin(i / 20), 0.5);
  strokes.push(spiral);
  for (const backTo of [0, 10]) {
    const thereAndBack = [];
    for (let x = 0; x < 30; x++) thereAndBack.push(x, 0, 0.5);
    for (let x = 30; x >= backTo; x--) thereAndBack.push(x, 0, 0.5);
    strokes.push(thereAndBack);
  }
  strokes.push([5, 7, 0.5], Array.from({ length: 60 }, (_, i) => [5, 7, 0.5][i % 3]));
  return strokes;
}

test("a simplified line keeps both ends and no point strays further than its tolerance from it", () => {
  for (const flat of strokesOfEveryShape()) {
    for (const pixels of [0.02, 0.1, 0.24, 0.6, 1.3, 3]) {
      const tolerance = levelTolerance(lineLevel(pixels));
      const kept = simplify(flat, tolerance);
      const n = flat.length / 3;
      assert.deepEqual(kept.slice(0, 2), flat.slice(0, 2));
      assert.deepEqual(kept.slice(-2), flat.slice(3 * n - 3, 3 * n - 1));
      assert.ok(kept.every(Number.isFinite));
      for (let i = 0; i < n; i++) {
        let nearest = Infinity;
        for (let k = 0; k < kept.length; k += 2) {
          nearest = Math.min(nearest, segmentDistance(flat[3 * i], flat[3 * i + 1], kept, k));
        }
        assert.ok(nearest <= tolerance + 1e-9, `point ${i} of ${n} is ${nearest} from the line`);
      }
    }
  }
});

test("a smooth pen stroke zoomed out to fit is drawn with a few of its points", () => {
  // A big board fitted to the screen: 24 %. Every line the canvas strokes costs a call.
  let kept = 0;
  const tolerance = levelTolerance(lineLevel(0.24));
  for (let seed = 1; seed <= 500; seed++) kept += simplify(penStroke(50, seed), tolerance).length / 2;
  assert.ok(kept / 500 <= 12, `${kept / 500} of 50 points kept`);
});

test("zoomed out, a line keeps fewer points; one level serves zooms within a factor of two", () => {
  const flat = walk(50, 3);
  const near = simplify(flat, levelTolerance(lineLevel(1)));
  const far = simplify(flat, levelTolerance(lineLevel(0.1)));
  assert.ok(far.length < near.length);
  assert.equal(lineLevel(0.3), lineLevel(0.26));
  assert.notEqual(lineLevel(0.3), lineLevel(0.6));
});
