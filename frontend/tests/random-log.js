// Random board histories for tests: every kind of operation that changes what shows (a quarter
// turn about the board's middle for transforms), on a
// 200 × 200 board, from a small deterministic generator so that failures can be replayed.
import { encodePoints } from "../js/points.js";

/** A small deterministic generator, so that failures can be replayed. */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function stroke(id, x, y) {
  return { kind: "stroke", id, tool: "pen", color: "#000000", width: 2, points: encodePoints([x, y, 0.5, x + 8, y + 5, 0.5]) };
}

export function image(id, x, y) {
  return { kind: "image", id, hash: "ab".repeat(32), x, y, w: 40, h: 30 };
}

/** Every kind of operation that changes what shows, on a 200 × 200 board. */
export function randomLog(rand, length) {
  const users = ["alice", "bob", "carol"];
  const log = [];
  for (let seq = 1; seq <= length; seq++) {
    const author = users[Math.floor(rand() * users.length)];
    const earlier = log.filter((entry) => entry.op.kind !== "undo" && entry.op.kind !== "redo");
    const pick = () => earlier[Math.floor(rand() * earlier.length)]?.op.id ?? "none";
    const roll = rand();
    const id = `op${seq}`;
    let op;
    if (roll < 0.05) op = image(id, rand() * 200, rand() * 200);
    else if (roll < 0.5 || !earlier.length) op = stroke(id, rand() * 200, rand() * 200);
    else if (roll < 0.6) op = { kind: "erase", id, targets: [pick()] };
    else if (roll < 0.7) op = { kind: "move", id, targets: [pick(), pick()], dx: Math.round(rand() * 60 - 30), dy: 3 };
    else if (roll < 0.74) op = { kind: "clear", id };
    else if (roll < 0.76) op = { kind: "transform", id, targets: [pick()], matrix: [0, 1, -1, 0, 200, 0] };
    else if (roll < 0.77) op = { kind: "style", id, targets: [pick()], width: 6 };
    else if (roll < 0.78) op = { kind: "order", id, targets: [pick()], to: rand() < 0.5 ? "front" : "back" };
    else if (roll < 0.8) op = { kind: "restore", id, at: Math.floor(rand() * seq) };
    else {
      const own = earlier.filter((entry) => entry.author === author);
      if (!own.length) op = stroke(id, rand() * 200, rand() * 200);
      else op = { kind: rand() < 0.6 ? "undo" : "redo", id, target: own[Math.floor(rand() * own.length)].op.id };
    }
    log.push({ seq, author, op });
  }
  return log;
}

