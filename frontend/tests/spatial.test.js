import { encodePoints, pointsOf } from "../js/points.js";
import assert from "node:assert/strict";
import { test } from "node:test";

import { SpatialIndex } from "../js/spatial.js";

/** A placed stroke of two points at (x, y), in paint order ``seq``. */
function stroke(id, seq, x, y, dx = 0, dy = 0) {
  return { id, seq, author: "a", dx, dy, op: { kind: "stroke", id, width: 2, color: "#000", points: encodePoints([x, y, 0.5, x + 10, y + 10, 0.5]) } };
}

const ids = (entries) => entries.map((entry) => entry.item.id);

test("a search answers the objects in the box, in paint order", () => {
  const index = new SpatialIndex();
  const placed = [stroke("a", 1, 0, 0), stroke("b", 2, 500, 500), stroke("c", 3, 5, 5), stroke("d", 4, 1000, 0)];
  index.update(placed);
  assert.deepEqual(ids(index.search({ left: -5, top: -5, right: 30, bottom: 30 })), ["a", "c"]);
  assert.deepEqual(ids(index.search({ left: -1e9, top: -1e9, right: 1e9, bottom: 1e9 })), ["a", "b", "c", "d"]);
  assert.deepEqual(ids(index.near(505, 505, 1)), ["b"]);
  assert.deepEqual(index.bounds(), { left: -2, top: -2, right: 1012, bottom: 512 });
});

test("objects added above everything are reported on top; added below, only added; anything else neither", () => {
  const index = new SpatialIndex();
  const a = stroke("a", 1, 0, 0);
  const b = stroke("b", 2, 50, 50);
  /** @param {any} change */
  const kind = (change) => [ids(change.added), change.onTop, change.onlyAdded];
  let change = index.update([a]);
  assert.deepEqual(kind(change), [["a"], true, true]);
  change = index.update([a, b]);
  assert.deepEqual(kind(change), [["b"], true, true]);
  change = index.update([a, b]);
  assert.deepEqual(kind(change), [[], true, true]);
  // Slipped in below b (an older operation arriving late).
  change = index.update([a, stroke("c", 1.5, 9, 9), b]);
  assert.deepEqual(kind(change), [["c"], false, true]);
  // Erased.
  change = index.update([a, b]);
  assert.deepEqual(kind(change), [[], false, false]);
  assert.deepEqual(ids(index.near(10, 10, 1)), ["a"]);
  // Moved: found where it is now, not where it was.
  change = index.update([a, stroke("b", 2, 50, 50, 200, 0)]);
  assert.deepEqual(kind(change), [["b"], false, false]);
  assert.deepEqual(ids(index.near(255, 55, 1)), ["b"]);
  assert.deepEqual(ids(index.near(55, 55, 1)), []);
  // Reordered without any addition (an acknowledgement moved a pending stroke).
  const moved = index.ordered[1].item;
  change = index.update([moved, a]);
  assert.deepEqual(kind(change), [[], false, false]);
});

test("a thousand random changes leave the index answering what a scan answers", () => {
  let state = 11;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const index = new SpatialIndex();
  let placed = [];
  let seq = 0;
  for (let round = 0; round < 1000; round++) {
    const roll = random();
    if (roll < 0.6 || !placed.length) {
      const count = 1 + Math.floor(random() * 60);
      for (let i = 0; i < count; i++) placed.push(stroke(`s${++seq}`, seq, random() * 2000, random() * 2000));
    } else if (roll < 0.8) {
      placed.splice(Math.floor(random() * placed.length), 1);
    } else {
      const at = Math.floor(random() * placed.length);
      const old = placed[at];
      placed[at] = { ...old, dx: old.dx + random() * 100 - 50 };
    }
    index.update(placed);
    const box = { left: random() * 2000, top: random() * 2000, right: 0, bottom: 0 };
    box.right = box.left + random() * 800;
    box.bottom = box.top + random() * 800;
    const expected = placed
      .filter((item) => {
        const [x, y] = pointsOf(item.op);
        const left = x - 2 + item.dx;
        const top = y - 2 + item.dy;
        return left <= box.right && box.left <= left + 14 && top <= box.bottom && box.top <= top + 14;
      })
      .map((item) => item.id);
    assert.deepEqual(ids(index.search(box)), expected);
  }
});

test("going back to a few objects of many (a jump in the history) leaves a right index", () => {
  const index = new SpatialIndex();
  const all = Array.from({ length: 200 }, (_, i) => stroke(`s${i}`, i + 1, (i % 20) * 50, Math.floor(i / 20) * 50));
  index.update(all);
  const few = [all[3], stroke("moved", 500, 0, 0, 2000, 2000), all[150]];
  const change = index.update(few);
  assert.equal(change.onTop, false);
  assert.deepEqual(ids(index.search({ left: -1e9, top: -1e9, right: 1e9, bottom: 1e9 })), ["s3", "moved", "s150"]);
  assert.deepEqual(ids(index.near(2005, 2005, 1)), ["moved"]);
  assert.deepEqual(ids(index.near(505, 355, 1)), ["s150"]);
  index.update(all);
  assert.equal(index.search({ left: -1e9, top: -1e9, right: 1e9, bottom: 1e9 }).length, 200);
});

test("objects loaded out of order and merged in index the same as comparing the whole board", async () => {
  const { Board } = await import("../js/board.js");
  // Seeded: slices of a snapshot's parts, arriving in an order unrelated to their seqs.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ops = Array.from({ length: 600 }, (_, i) => [i + 1, "a", stroke(`s${i}`, i + 1, random() * 900, random() * 900).op]);
  const slices = [];
  for (let start = 0; start < ops.length; start += 50) slices.push(ops.slice(start, start + 50));
  slices.sort(() => random() - 0.5);
  const board = new Board();
  const merged = new SpatialIndex();
  merged.update(board.visible()); // as the renderer does when the board is shown
  let indexed = board.version;
  for (const [i, slice] of slices.entries()) {
    board.load(slice);
    if (i % 3 === 2) continue; // the renderer indexes every so often, not each slice
    const loaded = board.loadedSince(indexed);
    assert.ok(loaded, "only loading changed the board");
    assert.ok(merged.addLoaded(loaded));
    indexed = board.version;
  }
  const loaded = board.loadedSince(indexed);
  if (loaded) merged.addLoaded(loaded);
  const compared = new SpatialIndex();
  compared.update(board.visible());
  assert.deepEqual(ids(merged.ordered), ids(compared.ordered));
  assert.deepEqual(merged.ordered.map((entry) => entry.order), compared.ordered.map((entry) => entry.order));
  for (const box of [{ left: 100, top: 100, right: 300, bottom: 250 }, { left: 0, top: 0, right: 1e4, bottom: 1e4 }]) {
    assert.deepEqual(ids(merged.search(box)), ids(compared.search(box)));
  }
  // Anything but loading: the whole board is compared again.
  board.applyCommitted(601, "a", stroke("late", 601, 5, 5).op);
  assert.equal(board.loadedSince(indexed), null);
  assert.equal(merged.addLoaded([stroke("s1", 2, 0, 0)]), null, "an object indexed already is not added twice");
});
