// Board state rules: the same ones the server's twin (server/board.py) follows.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Board } from "../js/board.js";
import { encodePoints } from "../js/points.js";

const stroke = (id, x = 0) => ({ kind: "stroke", id, tool: "pen", color: "#000000", width: 2, points: encodePoints([x, 0, 0.5, x + 1, 1, 0.5]) });
const text = (id, words = "hello") => ({ kind: "text", id, x: 10, y: 20, text: words, size: 16, color: "#000000" });
const ids = (board) => board.visible().map((item) => item.id);

test("committed strokes are visible in sequence order", () => {
  const board = new Board();
  board.applyCommitted(2, "bob", stroke("b"));
  board.applyCommitted(1, "alice", stroke("a")); // late: already past it, ignored
  board.applyCommitted(3, "alice", stroke("c"));
  assert.deepEqual(ids(board), ["b", "c"]);
  assert.equal(board.lastSeq, 3);
});

test("a replayed sequence number is applied once", () => {
  const board = new Board();
  assert.equal(board.applyCommitted(1, "alice", stroke("a")), true);
  assert.equal(board.applyCommitted(1, "alice", stroke("a")), false);
  assert.deepEqual(ids(board), ["a"]);
});

test("undo hides only the author's own operation and redo restores it", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a"));
  board.applyCommitted(2, "bob", stroke("b"));
  board.applyCommitted(3, "bob", { kind: "undo", id: "u1", target: "a" }); // not Bob's: ignored
  assert.deepEqual(ids(board), ["a", "b"]);
  board.applyCommitted(4, "alice", { kind: "undo", id: "u2", target: "a" });
  assert.deepEqual(ids(board), ["b"]);
  board.applyCommitted(5, "alice", { kind: "redo", id: "r1", target: "a" });
  assert.deepEqual(ids(board), ["a", "b"]);
});

test("erase hides its targets until it is undone", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a"));
  board.applyCommitted(2, "bob", { kind: "erase", id: "e", targets: ["a"] });
  assert.deepEqual(ids(board), []);
  board.applyCommitted(3, "bob", { kind: "undo", id: "u", target: "e" });
  assert.deepEqual(ids(board), ["a"]);
});

test("clear hides what came before it, not what comes after", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a"));
  board.applyCommitted(2, "bob", { kind: "clear", id: "c" });
  board.applyCommitted(3, "alice", stroke("b"));
  assert.deepEqual(ids(board), ["b"]);
  board.applyCommitted(4, "bob", { kind: "undo", id: "u", target: "c" });
  assert.deepEqual(ids(board), ["a", "b"]);
});

test("moves add up and follow undo", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a"));
  board.applyCommitted(2, "alice", { kind: "move", id: "m1", targets: ["a"], dx: 10, dy: 5 });
  board.applyCommitted(3, "bob", { kind: "move", id: "m2", targets: ["a"], dx: 1, dy: 1 });
  assert.deepEqual(board.visible().map(({ dx, dy }) => [dx, dy]), [[11, 6]]);
  board.applyCommitted(4, "alice", { kind: "undo", id: "u", target: "m1" });
  assert.deepEqual(board.visible().map(({ dx, dy }) => [dx, dy]), [[1, 1]]);
});

test("a pending stroke shows at once, and its ack gives it its real place", () => {
  const board = new Board();
  board.applyLocal("alice", stroke("mine"));
  board.applyCommitted(1, "bob", stroke("theirs"));
  assert.deepEqual(ids(board), ["theirs", "mine"]);
  board.acknowledge("mine", 2);
  assert.deepEqual(ids(board), ["theirs", "mine"]);
  assert.equal(board.lastSeq, 2);
  assert.equal(board.pending.size, 0);
});

test("a refused pending operation leaves no trace", () => {
  const board = new Board();
  board.applyCommitted(1, "bob", stroke("theirs"));
  board.applyLocal("alice", { kind: "undo", id: "u", target: "theirs" });
  board.drop("u");
  assert.deepEqual(ids(board), ["theirs"]);
});

test("the undo list holds the user's own active operations, oldest first", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", stroke("a1"));
  board.applyCommitted(2, "bob", stroke("b1"));
  board.applyCommitted(3, "alice", stroke("a2"));
  board.applyCommitted(4, "alice", { kind: "undo", id: "u", target: "a2" });
  assert.deepEqual(board.undoable("alice").map((e) => e.op.id), ["a1"]);
});

// A small deterministic generator, so that failures can be replayed.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A rotation and scale about a random point. */
function turn(rand) {
  const angle = rand() * 6 - 3;
  const scale = 0.5 + rand() * 2;
  const [cx, cy] = [rand() * 100, rand() * 100];
  const [a, b, c, d] = [Math.cos(angle) * scale, Math.sin(angle) * scale, -Math.sin(angle) * scale, Math.cos(angle) * scale];
  return [a, b, c, d, cx - a * cx - c * cy, cy - b * cx - d * cy];
}

function randomLog(rand, length) {
  const users = ["alice", "bob", "carol"];
  const log = [];
  for (let seq = 1; seq <= length; seq++) {
    const author = users[Math.floor(rand() * users.length)];
    const earlier = log.filter((entry) => entry.op.kind !== "undo" && entry.op.kind !== "redo");
    const pick = () => earlier[Math.floor(rand() * earlier.length)]?.op.id ?? "none";
    const roll = rand();
    const id = `op${seq}`;
    let op;
    if (roll < 0.4 || !earlier.length) op = stroke(id, rand() * 100);
    else if (roll < 0.45) op = text(id, `typed ${seq}`);
    else if (roll < 0.5) op = { kind: "edit", id, object: pick(), text: `edit ${seq}` };
    else if (roll < 0.55) op = { kind: "erase", id, targets: [pick()] };
    else if (roll < 0.65) op = { kind: "move", id, targets: [pick()], dx: rand() * 10 - 5, dy: rand() * 10 - 5 };
    else if (roll < 0.7) op = { kind: "clear", id };
    else if (roll < 0.75) op = { kind: "transform", id, targets: [pick()], matrix: turn(rand) };
    else if (roll < 0.79) op = { kind: "style", id, targets: [pick()], color: "#ff0000", width: 1 + Math.floor(rand() * 9) };
    else if (roll < 0.83) op = { kind: "order", id, targets: [pick(), pick()], to: rand() < 0.5 ? "front" : "back" };
    else {
      const own = earlier.filter((entry) => entry.author === author);
      if (!own.length) op = stroke(id);
      else op = { kind: rand() < 0.6 ? "undo" : "redo", id, target: own[Math.floor(rand() * own.length)].op.id };
    }
    log.push({ seq, author, op });
  }
  return log;
}

test("200 random logs: optimistic pending operations converge to a plain replay, with no NaN", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rand = random(seed);
    const log = randomLog(rand, 60);
    const replay = new Board();
    for (const { seq, author, op } of log) replay.applyCommitted(seq, author, op);

    // Alice's operations go out optimistically and are acknowledged later, in log order: some
    // at once, some after others' operations arrived (several of hers pending meanwhile).
    const live = new Board();
    /** @type {{id: string, seq: number}[]} */
    let unacknowledged = [];
    const view = (board) => board.visible().map(({ id, dx, dy, m, op: shown }) => [id, dx, dy, m ?? null, shown.text, shown.color, shown.width]);
    for (const { seq, author, op } of log) {
      if (author === "alice") {
        live.applyLocal(author, op);
        unacknowledged.push({ id: op.id, seq });
      } else if (unacknowledged.length) {
        // The server stored Alice's first: her acks come before this.
        for (const pending of unacknowledged) live.acknowledge(pending.id, pending.seq);
        unacknowledged = [];
        live.applyCommitted(seq, author, op);
      } else {
        live.applyCommitted(seq, author, op);
      }
      if (rand() < 0.5) {
        for (const pending of unacknowledged) live.acknowledge(pending.id, pending.seq);
        unacknowledged = [];
      }
      // The list kept up to date step by step is what a fresh evaluation gives.
      assert.deepEqual(view(live), live.visibleAt(Infinity).map(({ id, dx, dy, m, op: shown }) => [id, dx, dy, m ?? null, shown.text, shown.color, shown.width]), `seed ${seed} at ${seq}`);
    }
    for (const pending of unacknowledged) live.acknowledge(pending.id, pending.seq);
    assert.deepEqual(view(live), view(replay), `seed ${seed}`);
    for (const [, dx, dy] of view(replay)) assert.ok(Number.isFinite(dx) && Number.isFinite(dy));
  }
});

test("the visible list kept up to date op by op is what a fresh evaluation gives", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const pick = (list) => list[Math.floor(random() * list.length)];
  for (let round = 0; round < 40; round++) {
    const board = new Board();
    const objects = [];
    const mine = [];
    let seq = 0;
    for (let step = 0; step < 120; step++) {
      const roll = random();
      const id = `op-${round}-${step}`;
      let op;
      if (roll < 0.35 || !objects.length) {
        op = stroke(id, step);
        objects.push(id);
      } else if (roll < 0.4) {
        op = text(id, `typed ${step}`);
        objects.push(id);
      } else if (roll < 0.45) op = { kind: "edit", id, object: pick(objects), text: `edit ${step}` };
      else if (roll < 0.5) op = { kind: "erase", id, targets: [pick(objects)] };
      else if (roll < 0.7) op = { kind: "move", id, targets: [pick(objects), pick(objects)], dx: random() * 9, dy: 1 };
      else if (roll < 0.75) op = { kind: "clear", id };
      else if (roll < 0.8) op = { kind: "restore", id, at: Math.floor(random() * (seq + 1)) };
      else if (roll < 0.88) op = { kind: pick(["undo", "redo"]), id, target: pick(objects) };
      else {
        // One of ours, shown at once and acknowledged later.
        const own = random() < 0.7 ? stroke(id, step) : { kind: "edit", id, object: pick(objects), text: `mine ${step}` };
        objects.push(id);
        board.applyLocal("me", own);
        mine.push(id);
        board.visible();
        continue;
      }
      if (mine.length && random() < 0.5) board.acknowledge(/** @type {string} */ (mine.shift()), ++seq);
      board.applyCommitted(++seq, pick(["alice", "bob", "me"]), op);
      const kept = board.visible().map(({ id: shown, seq: at, dx, dy, op: o }) => [shown, at, dx, dy, o.text]);
      const fresh = board.visibleAt(Infinity).map(({ id: shown, seq: at, dx, dy, op: o }) => [shown, at, dx, dy, o.text]);
      assert.deepEqual(kept, fresh, `round ${round}, step ${step}`);
    }
  }
});

const words = (board) => board.visible().map((item) => item.op.text ?? null);

test("an edit changes a text's words, and only a text's", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", text("t"));
  board.applyCommitted(2, "alice", stroke("s"));
  board.applyCommitted(3, "bob", { kind: "edit", id: "e1", object: "t", text: "two\nlines" });
  board.applyCommitted(4, "bob", { kind: "edit", id: "e2", object: "s", text: "not a text" });
  assert.deepEqual(words(board), ["two\nlines", null]);
  const [placed] = board.visible();
  assert.deepEqual([placed.id, placed.op.x, placed.op.y, placed.op.size, placed.op.color], ["t", 10, 20, 16, "#000000"]);
  assert.equal(board.visible()[1].op.kind, "stroke");
});

test("the newest active edit wins; its author's undo brings back the one before", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", text("t", "first"));
  board.applyCommitted(2, "alice", { kind: "edit", id: "e1", object: "t", text: "second" });
  board.applyCommitted(3, "bob", { kind: "edit", id: "e2", object: "t", text: "third" });
  assert.deepEqual(words(board), ["third"]);
  board.applyCommitted(4, "alice", { kind: "undo", id: "u1", target: "e2" }); // not Alice's
  assert.deepEqual(words(board), ["third"]);
  board.applyCommitted(5, "bob", { kind: "undo", id: "u2", target: "e2" });
  assert.deepEqual(words(board), ["second"]);
  board.applyCommitted(6, "alice", { kind: "undo", id: "u3", target: "e1" });
  assert.deepEqual(words(board), ["first"]);
  board.applyCommitted(7, "bob", { kind: "redo", id: "r1", target: "e2" });
  assert.deepEqual(words(board), ["third"]);
  assert.deepEqual(board.visibleAt(2).map((item) => item.op.text), ["second"]);
});

test("edits follow moves, erases and restores", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", text("t", "first"));
  board.applyCommitted(2, "bob", { kind: "move", id: "m", targets: ["t"], dx: 5, dy: 6 });
  board.applyCommitted(3, "alice", { kind: "edit", id: "e1", object: "t", text: "second" });
  assert.deepEqual(board.visible().map(({ dx, dy, op }) => [dx, dy, op.text]), [[5, 6, "second"]]);
  board.applyCommitted(4, "bob", { kind: "erase", id: "x", targets: ["t"] });
  board.applyCommitted(5, "alice", { kind: "edit", id: "e2", object: "t", text: "third" });
  assert.deepEqual(words(board), []);
  board.applyCommitted(6, "bob", { kind: "undo", id: "u", target: "x" });
  assert.deepEqual(words(board), ["third"]);
  // Back to the moment of the first edit: the words as they were then, and later edits on top.
  board.applyCommitted(7, "carol", { kind: "restore", id: "r", at: 3 });
  assert.deepEqual(words(board), ["second"]);
  board.applyCommitted(8, "alice", { kind: "edit", id: "e3", object: "t", text: "fourth" });
  assert.deepEqual(words(board), ["fourth"]);
});

test("a pending edit stays on top of edits committed meanwhile, and the cache agrees", () => {
  const board = new Board();
  board.applyCommitted(1, "alice", text("t", "first"));
  assert.deepEqual(words(board), ["first"]);
  board.applyLocal("alice", { kind: "edit", id: "mine", object: "t", text: "mine" });
  assert.deepEqual(words(board), ["mine"]);
  board.applyCommitted(2, "bob", { kind: "edit", id: "theirs", object: "t", text: "theirs" });
  assert.deepEqual(words(board), ["mine"]);
  assert.deepEqual(words(board), board.visibleAt(Infinity).map((item) => item.op.text));
  board.acknowledge("mine", 3);
  assert.deepEqual(words(board), ["mine"]);
  board.drop("mine");
  assert.deepEqual(words(board), ["theirs"]);
  // The same edit evaluated twice is the same object (renderers cache by operation).
  assert.equal(board.visible()[0].op, board.visibleAt(Infinity)[0].op);
});

test("an edit is undoable by its author like any other operation", () => {
  const board = new Board();
  board.applyCommitted(1, "bob", text("t"));
  board.applyCommitted(2, "alice", { kind: "edit", id: "e", object: "t", text: "changed" });
  assert.deepEqual(board.undoable("alice").map((entry) => entry.op.id), ["e"]);
});

test("a log loaded in slices, in any order, keeps the visible list a fresh evaluation gives", () => {
  for (let seed = 1; seed <= 100; seed++) {
    const rand = random(seed);
    // Half the logs without clears: the objects they load join the visible list as it is.
    const log = randomLog(rand, 80).filter(({ op }) => seed % 2 || op.kind !== "clear");
    const board = new Board();
    // A pending stroke of ours sits on top throughout.
    board.applyLocal("me", stroke("mine"));
    // As a snapshot comes: the operations that create nothing first, then the rest shuffled.
    const creating = log.filter(({ op }) => op.kind === "stroke" || op.kind === "text");
    const others = log.filter(({ op }) => op.kind !== "stroke" && op.kind !== "text");
    creating.sort(() => rand() - 0.5);
    const slices = [others, ...Array.from({ length: 4 }, (_, i) => creating.slice(i * 20, i * 20 + 20))];
    for (const slice of slices) {
      board.load(slice.map(({ seq, author, op }) => [seq, author, op]));
      const kept = board.visible().map(({ id, seq, dx, dy, op }) => [id, seq, dx, dy, op.text]);
      const fresh = board.visibleAt(Infinity).map(({ id, seq, dx, dy, op }) => [id, seq, dx, dy, op.text]);
      assert.deepEqual(kept, fresh, `seed ${seed}`);
    }
  }
});
