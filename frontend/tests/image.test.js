// Images on the board: placed, moved, turned, erased and undone like any object, by the same rules
// as the server's twin (server/board.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Board } from "../js/board.js";
import { bounds, hits } from "../js/geometry.js";

const HASH = "0123456789abcdef".repeat(4);
const image = (id, x = 10, y = 20) => ({ kind: "image", id, hash: HASH, x, y, w: 200, h: 100 });
const ids = (board) => board.visible().map((item) => item.id);

test("an image shows as placed, above what came before it", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", { kind: "shape", id: "s", shape: "rect", x1: 0, y1: 0, x2: 5, y2: 5, color: "#000000", width: 2 });
  board.applyCommitted(2, "bob", image("i"));
  assert.deepEqual(ids(board), ["s", "i"]);
  const [, placed] = board.visible();
  assert.deepEqual([placed.op.x, placed.op.y, placed.op.w, placed.op.h, placed.op.hash], [10, 20, 200, 100, HASH]);
});

test("an image moves, turns and scales by its moves and transforms", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", image("i"));
  board.applyCommitted(2, "bob", { kind: "move", id: "m", targets: ["i"], dx: 5, dy: -5 });
  assert.deepEqual(board.visible().map(({ dx, dy, m }) => [dx, dy, m]), [[5, -5, undefined]]);
  board.applyCommitted(3, "alice", { kind: "transform", id: "t", targets: ["i"], matrix: [2, 0, 0, 2, 0, 0] });
  assert.deepEqual(board.visible()[0].m, [2, 0, 0, 2, 10, -10]);
  board.applyCommitted(4, "alice", { kind: "undo", id: "u", target: "t" });
  assert.deepEqual(board.visible().map(({ dx, dy, m }) => [dx, dy, m]), [[5, -5, undefined]]);
});

test("a style leaves an image as it is; an order puts it behind", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", { kind: "text", id: "t", x: 0, y: 0, text: "hi", size: 16, color: "#000000" });
  board.applyCommitted(2, "alice", image("i"));
  board.applyCommitted(3, "alice", { kind: "style", id: "st", targets: ["i", "t"], color: "#ff0000", width: 9 });
  const placed = board.visible().find((item) => item.id === "i");
  assert.equal(placed.op.color, undefined);
  assert.equal(placed.op.width, undefined);
  board.applyCommitted(4, "alice", { kind: "order", id: "o", targets: ["i"], to: "back" });
  assert.deepEqual(ids(board), ["i", "t"]);
});

test("an image is erased, and undone by its author only", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", image("i"));
  board.applyCommitted(2, "bob", { kind: "undo", id: "u1", target: "i" });
  assert.deepEqual(ids(board), ["i"]);
  board.applyCommitted(3, "alice", { kind: "undo", id: "u2", target: "i" });
  assert.deepEqual(ids(board), []);
  board.applyCommitted(4, "alice", { kind: "redo", id: "r", target: "i" });
  board.applyCommitted(5, "bob", { kind: "erase", id: "e", targets: ["i"] });
  assert.deepEqual(ids(board), []);
  assert.deepEqual(board.visibleAt(4).map((item) => item.id), ["i"]);
});

test("a pending image shows at once and keeps its place when acknowledged", () => {
  const board = new Board();
  board.applyCommitted(1, "bob", image("theirs", 0, 0));
  board.applyLocal("alice", image("mine"));
  assert.deepEqual(ids(board), ["theirs", "mine"]);
  board.acknowledge("mine", 2);
  assert.deepEqual(board.visible().map((item) => [item.id, item.seq]), [["theirs", 1], ["mine", 2]]);
  assert.equal(board.stateHash(2), board.stateHash(2));
});

test("an image is hit anywhere inside it, where its transforms take it", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", image("i", 0, 0));
  board.applyCommitted(2, "alice", { kind: "transform", id: "t", targets: ["i"], matrix: [0, 1, -1, 0, 0, 0] });
  const [placed] = board.visible();
  const box = bounds(placed);
  assert.deepEqual([box.left, box.top, box.right, box.bottom].map(Math.round), [-100, 0, 0, 200]);
  assert.equal(hits(placed, -50, 150, 1), true); // turned a quarter: inside
  assert.equal(hits(placed, 150, 50, 1), false); // where it stood before the turn
});
