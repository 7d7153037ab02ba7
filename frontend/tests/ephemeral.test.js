// What the board shows besides its objects: others' ink, texts and gestures as they send them,
// gone when their operation arrives, when they leave or when they go quiet; this page's own
// drawing and selection; every change heard by the renderer.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CURSOR_QUIET_MS, Ephemeral, LASER_FADE_MS, QUIET_MS } from "../js/ephemeral.js";
import { encodePoints } from "../js/points.js";

const live = (peer, stroke, points) => ({ type: "live", peer, stroke, color: "#e03131", width: 4, points: encodePoints(points) });
const typing = (peer, id, text, extra = {}) => ({ type: "typing", peer, id, x: 10, y: 20, size: 24, color: "#1e1e1e", text, ...extra });
const moving = (peer, id, targets, extra = {}) => ({ type: "transforming", peer, id, targets, matrix: [1, 0, 0, 1, 5, 6], ...extra });

function watched() {
  const state = new Ephemeral();
  const seen = { changes: 0 };
  state.onChange(() => seen.changes++);
  return { state, seen };
}

test("someone's live ink grows run by run and goes when its stroke is committed", () => {
  const { state, seen } = watched();
  state.ink(live(2, "stroke-01", [0, 0, 0.5, 10, 10, 0.5]));
  state.ink(live(2, "stroke-01", [20, 20, 0.5]));
  const [shown] = state.strokes.values();
  assert.equal(shown.color, "#e03131");
  assert.deepEqual(shown.points.length, 9);
  assert.equal(seen.changes, 2);
  state.committed("stroke-01");
  assert.equal(state.strokes.size, 0);
  state.sweep(); // nothing of anyone's left: the sweeper stops
});

test("a text being typed by someone hides the text it edits until its edit arrives", () => {
  const { state } = watched();
  state.typing(typing(3, "edit-0001", "draft", { object: "text-0001" }));
  assert.deepEqual([...state.beingEdited()], ["text-0001"]);
  assert.equal([...state.strokes.values()][0].text, "draft");
  state.typing(typing(3, "edit-0001", "draft two", { object: "text-0001" }));
  assert.equal(state.strokes.size, 1);
  state.committed("edit-0001");
  assert.deepEqual([...state.beingEdited()], []);
});

test("a typing that ends without an operation shows nothing more", () => {
  const { state } = watched();
  state.typing(typing(3, "text-0002", "abandoned"));
  state.typing(typing(3, "text-0002", "", { ended: true }));
  assert.equal(state.strokes.size, 0);
  state.sweep();
});

test("others' gestures preview their targets, this page's own on top, until their operation or end", () => {
  const { state } = watched();
  state.transforming(moving(4, "move-0001", ["a-000001", "b-000001"]));
  state.transformOwn(["b-000001"], [2, 0, 0, 2, 0, 0]);
  assert.deepEqual(state.previews.get("a-000001"), [1, 0, 0, 1, 5, 6]);
  assert.deepEqual(state.previews.get("b-000001"), [2, 0, 0, 2, 0, 0]);
  assert.deepEqual(state.gesture, [2, 0, 0, 2, 0, 0]);
  state.transformOwn(null);
  assert.equal(state.gesture, null);
  assert.deepEqual(state.previews.get("b-000001"), [1, 0, 0, 1, 5, 6]);
  state.committed("move-0001");
  assert.equal(state.previews.size, 0);
  state.transforming(moving(4, "move-0002", ["a-000001"]));
  state.transforming(moving(4, "move-0002", ["a-000001"], { ended: true }));
  assert.equal(state.previews.size, 0);
  state.sweep();
});

test("whoever leaves takes their ink, texts, gestures and cursor along, and only theirs", () => {
  const { state } = watched();
  state.ink(live(5, "stroke-05", [0, 0, 0.5]));
  state.typing(typing(5, "text-0005", "hi"));
  state.transforming(moving(5, "move-0005", ["a-000001"]));
  state.cursor({ peer: 5, x: 1, y: 2 }, { name: "Bo", color: "#2f9e44" });
  state.ink(live(6, "stroke-06", [0, 0, 0.5]));
  state.cursor({ peer: 6, x: 3, y: 4 }, { name: "Cy", color: "#1971c2" });
  state.left(5);
  assert.deepEqual([...state.strokes.keys()], ["6:stroke-06"]);
  assert.deepEqual([...state.cursors.keys()], [6]);
  assert.equal(state.previews.size, 0);
  assert.equal(state.cursors.get(6)?.name, "Cy");
  state.left(6);
  state.sweep();
});

test("what others went quiet about is forgotten; cursors last longer; this page's own stays", () => {
  const { state } = watched();
  state.ink(live(7, "stroke-07", [0, 0, 0.5]));
  state.cursor({ peer: 7, x: 1, y: 2 }, { name: "Di", color: "#f08c00" });
  state.showOwn("ink", { color: "#000000", width: 2, points: [0, 0, 0.5] });
  const now = performance.now();
  state.sweep(now + QUIET_MS + 1);
  assert.deepEqual([...state.strokes.keys()], ["me:ink"]);
  assert.equal(state.cursors.size, 1);
  state.sweep(now + CURSOR_QUIET_MS + 1);
  assert.equal(state.cursors.size, 0);
  state.endOwn("ink");
  assert.equal(state.strokes.size, 0);
});

test("the selection is replaced, never changed in place, so that a reader can tell it changed", () => {
  const { state, seen } = watched();
  const before = state.selected;
  state.select(["a-000001"]);
  assert.notEqual(state.selected, before);
  assert.deepEqual([...state.selected], ["a-000001"]);
  state.setBand({ left: 0, top: 0, right: 5, bottom: 5 });
  state.fade("a-000001");
  assert.ok(state.faded.has("a-000001"));
  state.unfadeAll();
  state.setBand(null);
  assert.equal(state.band, null);
  assert.equal(seen.changes, 5);
});

const drafting = (peer, id, extra = {}) => ({
  type: "drafting", peer, id, shape: "rect", x1: 0, y1: 0, x2: 40, y2: 30, color: "#e03131", width: 4, ...extra,
}); // prettier-ignore

test("someone's shape being dragged is shown as its operation will draw it, until the operation arrives", () => {
  const { state, seen } = watched();
  state.drafting(drafting(2, "shape-001"));
  state.drafting(drafting(2, "shape-001", { x2: 80, fill: "#e03131" }));
  const [shown] = state.strokes.values();
  assert.equal(state.strokes.size, 1);
  assert.deepEqual([shown.kind, shown.shape, shown.x2, shown.fill, shown.color], ["shape", "rect", 80, "#e03131", "#e03131"]);
  assert.equal(seen.changes, 2);
  state.committed("shape-001");
  assert.equal(state.strokes.size, 0);
  // News of it that comes after its operation (another server process, say) shows nothing twice.
  state.drafting(drafting(2, "shape-001", { x2: 90 }));
  assert.equal(state.strokes.size, 0);
});

test("a shape given up, or whose author left, stops showing", () => {
  const { state } = watched();
  state.drafting(drafting(2, "shape-002", { shape: "arrow" }));
  state.drafting(drafting(3, "shape-003"));
  state.drafting(drafting(2, "shape-002", { ended: true }));
  assert.deepEqual([...state.strokes.values()].map((s) => s.x2), [40]);
  state.left(3);
  assert.equal(state.strokes.size, 0);
});

test("a laser trail fades: each point is forgotten a second after it was shown", () => {
  const { state } = watched();
  const start = performance.now();
  state.laser({ type: "laser", peer: 4, id: "trail-001", color: "#1971c2", points: encodePoints([0, 0, 0.5, 10, 0, 0.5]) });
  state.laserOwn("trail-002", "#e03131", 5, 5);
  const trails = state.laserTrails(start);
  assert.deepEqual([...trails.keys()], ["4:trail-001", "me:trail-002"]);
  assert.equal(trails.get("4:trail-001")?.points.length, 6);
  assert.equal(trails.get("4:trail-001")?.color, "#1971c2");
  assert.equal(state.laserTrails(start + LASER_FADE_MS / 2).size, 2);
  assert.equal(state.laserTrails(performance.now() + LASER_FADE_MS + 1).size, 0);
  // A person who leaves takes their trail along at once.
  state.laser({ type: "laser", peer: 4, id: "trail-003", color: "#1971c2", points: encodePoints([1, 1, 0.5]) });
  state.left(4);
  assert.equal(state.laserTrails().size, 0);
});
