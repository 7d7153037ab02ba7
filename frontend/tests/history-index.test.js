// The index of everything a board ever had: for any sequence of moments, a search answers what
// the reducer shows at that moment in that box, in paint order, and "on top" is only said when
// the previous moment's objects are all still there, unchanged, below the new ones.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Board } from "../js/board.js";
import { bounds } from "../js/geometry.js";
import { random, randomLog, stroke } from "./random-log.js";

import { HistoryIndex } from "../js/history-index.js";
import { Moment } from "../js/moment.js";

// An object's place and how it looks (a transform or a style makes it another placement).
const shape = (placed) => placed.map(({ id, dx, dy, m, op }) => `${id}@${dx},${dy}${m ? `[${m}]` : ""}/${op.width}`);

test("300 random logs: every moment searched anywhere answers what the reducer shows there", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rand = random(seed);
    const log = randomLog(rand, 50);
    const board = new Board();
    // Half of the log is there when the index is made; the rest arrives while it is in use.
    const split = Math.floor(log.length / 2);
    for (const { seq, author, op } of log.slice(0, split)) board.applyCommitted(seq, author, op);
    const index = new HistoryIndex(board);
    // States as a moment gives them (going on from earlier ones), or evaluated from scratch.
    const moment = seed % 2 ? new Moment(board, 0) : null;
    let previous = null;
    let lastAt = 0;
    for (let step = 0; step < 30; step++) {
      if (step === 15) for (const { seq, author, op } of log.slice(split)) board.applyCommitted(seq, author, op);
      // Forward in small steps (as a drag goes) as often as anywhere.
      const at = previous && rand() < 0.5 ? Math.min(board.lastSeq, lastAt + Math.floor(rand() * 4)) : Math.floor(rand() * (board.lastSeq + 1));
      lastAt = at;
      const placed = moment ? moment.stateAt(at, rand() < 0.2) : board.visibleAt(at);
      const { added, onTop } = index.update(placed);
      const message = `seed ${seed}, moment ${at}`;
      if (previous === null) assert.equal(onTop, false, message);
      if (onTop) assert.deepEqual(shape(placed).slice(0, previous.length), shape(previous), message);
      const before = new Set(shape(previous ?? []));
      assert.deepEqual(shape(added.map((entry) => entry.item)), shape(placed).filter((key) => !before.has(key)), message);
      const left = rand() * 200 - 40;
      const top = rand() * 200 - 40;
      const box = { left, top, right: left + rand() * 120, bottom: top + rand() * 120 };
      const meets = (b) => b.left <= box.right && box.left <= b.right && b.top <= box.bottom && box.top <= b.bottom;
      assert.deepEqual(shape(index.search(box).map((entry) => entry.item)), shape(placed.filter((item) => meets(bounds(item)))), message);
      const everywhere = { left: -1e9, top: -1e9, right: 1e9, bottom: 1e9 };
      assert.deepEqual(shape(index.search(everywhere).map((entry) => entry.item)), shape(placed), message);
      for (const item of placed) assert.equal(index.byId.get(item.id)?.item, item, message);
      const box2 = index.bounds();
      if (placed.length) {
        const boxes = placed.map(bounds);
        assert.deepEqual(box2, {
          left: Math.min(...boxes.map((b) => b.left)), top: Math.min(...boxes.map((b) => b.top)),
          right: Math.max(...boxes.map((b) => b.right)), bottom: Math.max(...boxes.map((b) => b.bottom)),
        }, message);
      } else assert.equal(box2, null, message);
      previous = placed;
    }
  }
});

test("moving the slider forward over new strokes only adds on top; back is a change", () => {
  const board = new Board();
  for (let seq = 1; seq <= 10; seq++) board.applyCommitted(seq, "alice", stroke(`s${seq}`, seq * 10, 0));
  const index = new HistoryIndex(board);
  assert.equal(index.update(board.visibleAt(4)).onTop, false); // nothing known of the picture yet
  const forward = index.update(board.visibleAt(7));
  assert.equal(forward.onTop, true);
  assert.deepEqual(forward.added.map((entry) => entry.item.id), ["s5", "s6", "s7"]);
  assert.equal(index.update(board.visibleAt(3)).onTop, false);
  assert.equal(index.tree.all().length, 10); // nothing indexed twice
});
