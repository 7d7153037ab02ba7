// The compact points codec (its byte-for-byte agreement with server/points.py is tested from
// pytest, tests/test_points.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { FORMER_UNITS, decodePoints, encodePoints, joinStreams, pointsOf } from "../js/points.js";
import { LIMITS } from "../js/protocol.gen.js";

/** A seeded generator (mulberry32), so that a failure can be replayed. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("points come back quantized to 1/8 of a unit and 1/32 of full pressure", () => {
  const flat = [10.03, -20.5, 0.5, 12.2, -19.97, 0.61, 15.0, -18.0, 1];
  const back = decodePoints(encodePoints(flat));
  assert.equal(back.length, flat.length);
  for (let i = 0; i < flat.length; i += 3) {
    assert.ok(Math.abs(back[i] - flat[i]) <= 1 / 16);
    assert.ok(Math.abs(back[i + 1] - flat[i + 1]) <= 1 / 16);
    assert.ok(Math.abs(back[i + 2] - flat[i + 2]) <= 1 / 64);
  }
  assert.deepEqual([...decodePoints(encodePoints(back))], [...back]);
});

test("a smooth pen stroke takes about 3 bytes a point", () => {
  const next = random(7);
  const flat = [];
  let [x, y, heading, turn, speed, pressure] = [500, 400, 0, 0, 2, 0.5];
  for (let i = 0; i < 200; i++) {
    flat.push(x, y, pressure);
    turn = Math.max(-0.15, Math.min(0.15, turn + (next() - 0.5) * 0.04));
    heading += turn;
    speed = Math.max(1, Math.min(4, speed + (next() - 0.5) * 0.4));
    x += speed * Math.cos(heading);
    y += speed * Math.sin(heading);
    pressure = Math.max(0.2, Math.min(0.9, pressure + (next() - 0.5) * 0.04));
  }
  assert.ok(encodePoints(flat).length <= 3.2 * 200);
});

test("hundreds of random strokes decode without NaN, within the limits", () => {
  const next = random(2026);
  for (let n = 0; n < 300; n++) {
    const flat = [];
    const count = 1 + Math.floor(next() * 60);
    for (let i = 0; i < count; i++) flat.push((next() - 0.5) * 2e4, (next() - 0.5) * 2e4, next());
    const back = decodePoints(encodePoints(flat));
    assert.ok(back.every(Number.isFinite));
    assert.ok(back.every((v, i) => (i % 3 === 2 ? v >= 0 && v <= 1 : Math.abs(v - flat[i]) <= 1 / 16)));
  }
});

test("malformed bytes are refused with a RangeError", () => {
  const refused = {
    empty: [],
    truncated: [0x80],
    "six-byte varint": [0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0],
    "not a triple": [2, 4],
    "pressure below 0": [0, 0, 1],
    "pressure above 32": [0, 0, 66],
    "coordinate too far": [...encodePoints([LIMITS.MAX_COORDINATE, 0, 0])].map((b, i) => (i === 0 ? b + 2 : b)),
  };
  for (const [name, bytes] of Object.entries(refused)) {
    assert.throws(() => decodePoints(Uint8Array.from(bytes)), RangeError, name);
  }
  const tooMany = encodePoints(new Array(3 * (LIMITS.MAX_LIVE_POINTS + 1)).fill(0));
  assert.throws(() => decodePoints(tooMany, { maxPoints: LIMITS.MAX_LIVE_POINTS }), RangeError);
  assert.throws(() => encodePoints([0, 0]), RangeError);
  assert.throws(() => encodePoints([NaN, 0, 0]), RangeError);
});

test("pointsOf decodes a stroke once and keeps the result for that op", () => {
  const op = { kind: "stroke", points: encodePoints([1, 2, 0.5, 3, 4, 0.5]) };
  const first = pointsOf(op);
  assert.deepEqual([...first], [1, 2, 0.5, 3, 4, 0.5]); // a mouse's 0.5 stays 0.5
  assert.equal(pointsOf(op), first);
});

test("points kept in the former units decode with them and re-encode in today's", () => {
  const flat = [10.0625, -20.5, 128 / 255, 12.25, -19.9375, 0.2];
  const former = encodePoints(flat, FORMER_UNITS);
  const back = decodePoints(former, { units: FORMER_UNITS });
  assert.deepEqual([...back], flat.map((v, i) => (i % 3 === 2 ? Math.round(v * 255) / 255 : v)));
  assert.deepEqual(encodePoints(back), encodePoints(flat));
});

/** Split strokes' points into a snapshot part's streams, as server/points.py's ``streams``. */
function streams(strokes) {
  const out = { counts: [], first: [], x: [], y: [], p: [] };
  for (const bytes of strokes) {
    const varints = [];
    for (let i = 0; i < bytes.length; ) {
      const start = i;
      while (bytes[i++] >= 0x80);
      varints.push([...bytes.subarray(start, i)]);
    }
    out.counts.push(varints.length / 3);
    varints.forEach((varint, i) => out[i < 3 ? "first" : "xyp"[i % 3]].push(...varint));
  }
  return [out.counts, ...["first", "x", "y", "p"].map((key) => Uint8Array.from(out[key]))];
}

test("a snapshot part's point streams give back each stroke's points", () => {
  const next = random(12);
  const strokes = [];
  for (let n = 0; n < 200; n++) {
    const flat = [];
    const count = 1 + Math.floor(next() * 40);
    const far = n % 7 === 0 ? 1e5 : 1; // some numbers take several bytes
    for (let i = 0; i < count; i++) flat.push((next() - 0.5) * 2e3 * far, (next() - 0.5) * 2e3, next());
    strokes.push(encodePoints(flat));
  }
  const [counts, first, x, y, p] = streams(strokes);
  assert.deepEqual(joinStreams(counts, first, x, y, p), strokes);
  assert.deepEqual(joinStreams([], new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array()), []);
  const wrong = {
    "a point too many": [[...counts.slice(0, -1), counts.at(-1) + 1], first, x, y, p],
    "a point too few": [[...counts.slice(0, -1), counts.at(-1) - 1], first, x, y, p],
    "no points": [[...counts.slice(0, -1), 0], first, x, y, p],
    "a stroke too many": [[...counts, 1], first, x, y, p],
    "a truncated stream": [counts, first, x, y.subarray(0, -1), p],
  };
  for (const [name, args] of Object.entries(wrong)) assert.throws(() => joinStreams(...args), RangeError, name);
});

test("points decoded into a shared buffer are the same numbers, in place", () => {
  const a = encodePoints([1, 2, 0.5, 3.5, -4, 0.25]);
  const b = encodePoints([100, 200, 1, 101, 201, 0]);
  const out = new Float64Array(12);
  const first = decodePoints(a, {}, { out, at: 0 });
  const second = decodePoints(b, {}, { out, at: 6 });
  assert.deepEqual([...first], [...decodePoints(a)]);
  assert.deepEqual([...second], [...decodePoints(b)]);
  assert.equal(first.buffer, out.buffer);
  assert.deepEqual([...out.subarray(6)], [...second]);
  assert.throws(() => decodePoints(b, {}, { out, at: 8 }), RangeError, "no room for its points");
});
