// The compact points codec (its byte-for-byte agreement with server/points.py is tested from
// pytest, tests/test_points.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodePoints, encodePoints, pointsOf } from "../js/points.js";
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

test("points come back quantized to 1/16 of a unit and 1/255 of full pressure", () => {
  const flat = [10.03, -20.5, 0.5, 12.2, -19.97, 0.61, 15.0, -18.0, 1];
  const back = decodePoints(encodePoints(flat));
  assert.equal(back.length, flat.length);
  for (let i = 0; i < flat.length; i += 3) {
    assert.ok(Math.abs(back[i] - flat[i]) <= 1 / 32);
    assert.ok(Math.abs(back[i + 1] - flat[i + 1]) <= 1 / 32);
    assert.ok(Math.abs(back[i + 2] - flat[i + 2]) <= 1 / 510);
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
    assert.ok(back.every((v, i) => (i % 3 === 2 ? v >= 0 && v <= 1 : Math.abs(v - flat[i]) <= 1 / 32)));
  }
});

test("malformed bytes are refused with a RangeError", () => {
  const refused = {
    empty: [],
    truncated: [0x80],
    "six-byte varint": [0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0],
    "not a triple": [2, 4],
    "pressure below 0": [0, 0, 1],
    "pressure above 255": [0, 0, 0x80, 0x04],
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
  assert.deepEqual([...first], [1, 2, 128 / 255, 3, 4, 128 / 255]);
  assert.equal(pointsOf(op), first);
});
