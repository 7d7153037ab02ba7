// Transforms, styles, handles and the clipboard payload: the selection's pure parts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Board, applyMatrix, compose } from "../js/board.js";
import { decodeClipboard, encodeClipboard } from "../js/clipboard.js";
import { bounds, hits, inverse } from "../js/geometry.js";
import { handleAt, resizing, rotating, rotation, translation } from "../js/handles.js";
import { encodePoints } from "../js/points.js";

const stroke = (id, x = 0) => ({ kind: "stroke", id, tool: "pen", color: "#000000", width: 2, points: encodePoints([x, 0, 0.5, x + 10, 0, 0.5]) });
const rect = (id) => ({ kind: "shape", id, shape: "rect", x1: 0, y1: 0, x2: 10, y2: 10, color: "#000000", width: 2 });
const text = (id) => ({ kind: "text", id, x: 0, y: 0, text: "hi", size: 16, color: "#000000" });
const near = (a, b) => a.every((value, i) => Math.abs(value - b[i]) < 1e-9);
const placed = (board, id) => board.visible().find((item) => item.id === id);

test("a transform composes with earlier moves and transforms in sequence order", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a"));
  board.applyCommitted(2, "bob", { kind: "move", id: "m", targets: ["a"], dx: 5, dy: 0 });
  const turn = rotation(Math.PI / 2, 0, 0);
  board.applyCommitted(3, "carol", { kind: "transform", id: "t", targets: ["a"], matrix: turn });
  const item = placed(board, "a");
  assert.ok(near(item.m, compose(turn, translation(5, 0))));
  // The stroke's first point (0, 0) moved to (5, 0), then turned a quarter about the origin.
  const p = applyMatrix(item.m, 0, 0);
  assert.ok(Math.abs(p.x) < 1e-9 && Math.abs(p.y - 5) < 1e-9);
  assert.equal(item.dx, item.m[4]);
});

test("undoing a transform takes out only its part; others' moves stay", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a"));
  board.applyCommitted(2, "alice", { kind: "transform", id: "t", targets: ["a"], matrix: [2, 0, 0, 2, 0, 0] });
  board.applyCommitted(3, "bob", { kind: "move", id: "m", targets: ["a"], dx: 3, dy: 4 });
  board.applyCommitted(4, "bob", { kind: "undo", id: "u1", target: "t" }); // not bob's: nothing
  assert.equal(placed(board, "a").m[0], 2);
  board.applyCommitted(5, "alice", { kind: "undo", id: "u2", target: "t" });
  const item = placed(board, "a");
  assert.equal(item.m, undefined);
  assert.deepEqual([item.dx, item.dy], [3, 4]);
});

test("a pending transform shows at once and a move patches a transformed object", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", rect("r"));
  board.visible();
  board.applyLocal("alice", { kind: "transform", id: "t", targets: ["r"], matrix: [1, 0, 0, 3, 0, 0] });
  assert.equal(placed(board, "r").m[3], 3);
  board.applyCommitted(2, "bob", { kind: "move", id: "m", targets: ["r"], dx: 1, dy: 1 });
  assert.deepEqual(placed(board, "r").m, board.visibleAt(Infinity).find((i) => i.id === "r").m);
});

test("a style sets only the fields each object has; the newest wins and undo brings the old back", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", { ...rect("r"), fill: "#00ff00" });
  board.applyCommitted(2, "alice", text("t"));
  board.applyCommitted(3, "bob", { kind: "style", id: "s1", targets: ["r", "t"], color: "#ff0000", width: 8, size: 40 });
  board.applyCommitted(4, "carol", { kind: "style", id: "s2", targets: ["r"], fill: "none", color: "#0000ff" });
  const [r, t] = [placed(board, "r").op, placed(board, "t").op];
  assert.deepEqual([r.color, r.width, r.fill], ["#0000ff", 8, undefined]);
  assert.deepEqual([t.color, t.size, t.width], ["#ff0000", 40, undefined]);
  board.applyCommitted(5, "carol", { kind: "undo", id: "u", target: "s2" });
  assert.deepEqual([placed(board, "r").op.color, placed(board, "r").op.fill], ["#ff0000", "#00ff00"]);
});

test("a rotated object's box and hit test follow its rotation", () => {
  const item = { id: "a", op: stroke("a"), dx: 0, dy: 0, m: rotation(Math.PI / 2, 0, 0) };
  const box = bounds(item);
  // A horizontal stroke from (0,0) to (10,0), turned a quarter: now vertical from (0,0) to (0,10).
  assert.ok(box.bottom >= 10 && box.right <= 2.01 && box.left >= -2.01);
  assert.equal(hits(item, 0, 8, 1), true);
  assert.equal(hits(item, 8, 0, 1), false);
  assert.ok(near(compose(inverse(item.m), item.m), [1, 0, 0, 1, 0, 0]));
});

test("handles: a corner resizes about the opposite corner, shift keeps the proportions", () => {
  const box = { left: 0, top: 0, right: 100, bottom: 50 };
  assert.equal(handleAt(box, { x: 100, y: 50 }, 1), "se");
  assert.equal(handleAt(box, { x: 50, y: -24 }, 1), "rotate");
  assert.equal(handleAt(box, { x: 50, y: 25 }, 1), null);
  const free = resizing(box, "se", { x: 200, y: 60 }, false);
  assert.deepEqual(applyMatrix(free, 0, 0), { x: 0, y: 0 });
  assert.deepEqual(applyMatrix(free, 100, 50), { x: 200, y: 60 });
  const kept = resizing(box, "se", { x: 200, y: 60 }, true);
  assert.equal(kept[0], kept[3]);
  const side = resizing(box, "w", { x: 50, y: 999 }, false);
  assert.deepEqual(applyMatrix(side, 100, 25), { x: 100, y: 25 });
  assert.equal(side[3], 1);
  // Never flat, whatever the pointer does.
  const flat = resizing(box, "e", { x: 0, y: 0 }, false);
  assert.ok(Math.abs(flat[0] * flat[3] - flat[1] * flat[2]) > 1e-6);
});

test("handles: rotating about the middle, snapped to 15 degrees with shift", () => {
  const box = { left: 0, top: 0, right: 100, bottom: 100 };
  const m = rotating(box, { x: 50, y: -20 }, { x: 120, y: 50 }, false);
  const middle = applyMatrix(m, 50, 50);
  assert.ok(Math.abs(middle.x - 50) < 1e-9 && Math.abs(middle.y - 50) < 1e-9);
  const snapped = rotating(box, { x: 50, y: -20 }, { x: 121, y: 43 }, true);
  const angle = Math.atan2(snapped[1], snapped[0]);
  assert.ok(Math.abs(angle / (Math.PI / 12) - Math.round(angle / (Math.PI / 12))) < 1e-9);
});

test("the clipboard payload carries objects and where they stand, and refuses anything else", () => {
  const copies = [{ op: { ...stroke("x"), id: undefined }, m: [1, 0, 0, 1, 5, 5] }, { op: text("t"), m: rotation(1, 0, 0) }];
  delete copies[0].op.id;
  const back = decodeClipboard(encodeClipboard(copies));
  assert.equal(back.length, 2);
  assert.deepEqual([...back[0].op.points], [...copies[0].op.points]);
  assert.equal(back[1].op.id, undefined); // pasted objects get new ids
  assert.equal(decodeClipboard("just words"), null);
  assert.equal(decodeClipboard(JSON.stringify({ format: "inkroom-clipboard", version: 1, objects: [{ op: { kind: "erase" }, m: [1, 0, 0, 1, 0, 0] }] })), null);
  assert.equal(decodeClipboard(JSON.stringify({ format: "inkroom-clipboard", version: 1, objects: [{ op: text("t"), m: [1, 0, 0] }] })), null);
});

test("bring to front and send to back change paint order; undo puts it back", () => {
  const board = new Board();
  for (const [seq, id] of [[1, "a"], [2, "b"], [3, "c"]]) board.applyCommitted(seq, "alice", stroke(id));
  const order = () => board.visible().map((item) => item.id);
  board.applyCommitted(4, "bob", { kind: "order", id: "front-a", targets: ["a"], to: "front" });
  assert.deepEqual(order(), ["b", "c", "a"]);
  board.applyCommitted(5, "bob", { kind: "order", id: "back-c", targets: ["c"], to: "back" });
  assert.deepEqual(order(), ["c", "b", "a"]);
  board.applyCommitted(6, "alice", stroke("d")); // new objects go on top
  assert.deepEqual(order(), ["c", "b", "a", "d"]);
  board.applyLocal("bob", { kind: "order", id: "back-d", targets: ["d", "a"], to: "back" });
  assert.deepEqual(order(), ["a", "d", "c", "b"]);
  board.acknowledge("back-d", 7);
  assert.deepEqual(order(), ["a", "d", "c", "b"]);
  board.applyCommitted(8, "bob", { kind: "undo", id: "u", target: "front-a" });
  assert.deepEqual(order(), ["a", "d", "c", "b"]); // the later back still holds a
  board.applyCommitted(9, "bob", { kind: "undo", id: "u2", target: "back-d" });
  assert.deepEqual(order(), ["c", "a", "b", "d"]);
});
