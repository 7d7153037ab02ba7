import assert from "node:assert/strict";
import { test } from "node:test";
import { View } from "../js/view.js";
import { bounds, hits } from "../js/geometry.js";
import { encodePoints } from "../js/points.js";

test("zooming keeps the board point under the pointer in place", () => {
  const view = new View();
  view.panBy(-120, 40);
  const before = view.toBoard(300, 200);
  view.zoomAt(300, 200, 2.5);
  const after = view.toBoard(300, 200);
  assert.ok(Math.abs(before.x - after.x) < 1e-9 && Math.abs(before.y - after.y) < 1e-9);
  assert.equal(view.scale, 2.5);
});

test("screen and board coordinates are inverse", () => {
  const view = new View();
  view.zoomAt(10, 10, 0.3);
  view.panBy(55, -7);
  const board = view.toBoard(400, 250);
  const screen = view.toScreen(board.x, board.y);
  assert.ok(Math.abs(screen.x - 400) < 1e-9 && Math.abs(screen.y - 250) < 1e-9);
});

test("fit shows the whole box", () => {
  const view = new View();
  view.fit({ left: 1000, top: 1000, right: 3000, bottom: 2000 }, 800, 600);
  const shown = view.visibleBox(800, 600);
  assert.ok(shown.left <= 1000 && shown.right >= 3000 && shown.top <= 1000 && shown.bottom >= 2000);
});

test("a stroke is hit near its line and missed away from it", () => {
  const item = { id: "s", seq: 1, author: "a", dx: 0, dy: 0, op: { kind: "stroke", width: 4, points: encodePoints([0, 0, 0.5, 100, 0, 0.5]) } };
  assert.ok(hits(item, 50, 3, 2));
  assert.ok(!hits(item, 50, 30, 2));
  assert.deepEqual(bounds(item), { left: -4, top: -4, right: 104, bottom: 4 });
});

test("a moved object is hit where it now is", () => {
  const item = { id: "s", seq: 1, author: "a", dx: 200, dy: 0, op: { kind: "shape", shape: "line", width: 2, x1: 0, y1: 0, x2: 10, y2: 0 } };
  assert.ok(hits(item, 205, 0, 1));
  assert.ok(!hits(item, 5, 0, 1));
});

test("show puts someone else's screen box in the middle, as large as it fits", () => {
  const view = new View();
  view.show({ left: 100, top: 50, right: 600, bottom: 400 }, 1000, 700);
  assert.equal(view.scale, 2);
  const shown = view.visibleBox(1000, 700);
  assert.deepEqual(shown, { left: 100, top: 50, right: 600, bottom: 400 });
  // On a narrower screen all of its width shows, centered up and down.
  view.show({ left: 100, top: 50, right: 600, bottom: 400 }, 250, 700);
  const narrow = view.visibleBox(250, 700);
  assert.ok(Math.abs(narrow.left - 100) < 1e-9 && Math.abs(narrow.right - 600) < 1e-9);
  assert.ok(Math.abs((narrow.top + narrow.bottom) / 2 - 225) < 1e-9);
});
