// The page's first join is encoded by joining.js itself (it goes out before msgpack's package
// has loaded): its bytes must be what the package writes, for every join a page can send.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decode, encode } from "@msgpack/msgpack";

import { encodeJoin, joinMessage } from "../js/joining.js";

/** A seeded generator (mulberry32), so that a failure can be run again. @param {number} seed */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ["a", "Z", "0", " ", "é", "ß", "名", "🖋", "\u0000", "\"", "\\"];

/** @param {() => number} next @param {number} longest */
function text(next, longest) {
  const length = Math.floor(next() * longest);
  return Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join("");
}

test("the first join's bytes are msgpack's, whatever the name, token and sequence number", () => {
  const next = random(8);
  const seqs = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
  for (let i = 0; i < 500; i++) {
    const who = { user: text(next, 40), name: text(next, 120), color: "#1e1e1e" };
    if (next() < 0.5) who.token = text(next, 300);
    const lastSeq = i < seqs.length ? seqs[i] : Math.floor(next() ** 4 * 2 ** 40);
    const join = joinMessage(who, { lastSeq, lastOp: next() < 0.8 ? text(next, 30) || null : null });
    const bytes = encodeJoin(join);
    assert.deepEqual(bytes, encode(join), JSON.stringify(join));
    assert.deepEqual(decode(bytes), join);
  }
});

test("a name too long for a short string still encodes as msgpack does", () => {
  const join = joinMessage({ user: "u", name: "n".repeat(70_000), color: "#000000" }, { lastSeq: 3, lastOp: "op-3" });
  assert.deepEqual(encodeJoin(join), encode(join));
});

test("a join names its last operation only when it holds some of the board", () => {
  const who = { user: "user-0001", name: "Ada", color: "#1e1e1e" };
  assert.equal(joinMessage(who, { lastSeq: 0, lastOp: "op-1" }).last_op, undefined);
  assert.equal(joinMessage(who, { lastSeq: 4, lastOp: "op-4" }).last_op, "op-4");
  assert.equal(joinMessage({ ...who, token: "link" }, { lastSeq: 0, lastOp: null }).token, "link");
});
