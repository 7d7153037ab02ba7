// @ts-check
// A stroke's points as compact bytes: the twin of server/points.py, byte for byte (a test
// compares them). Pure, no DOM. docs/protocol.md describes the layout.
//
// x and y are integers in 1/16 of a board unit, pressure in 1/255. The first point is written
// as it is; then x and y as second differences (the step before the second point counts as 0)
// and pressure as a first difference; each number zigzag-mapped and written as an LEB128 varint.

import { LIMITS } from "./protocol.gen.js";

const SCALE = LIMITS.COORDINATE_SCALE;
const PRESSURE = LIMITS.PRESSURE_SCALE;
const MAX_VARINT_BYTES = 5;

/** ``value * scale`` rounded to the nearest integer, halves away from zero (as points.py). */
export function quantize(/** @type {number} */ value, /** @type {number} */ scale) {
  const scaled = Math.abs(value * scale);
  if (!Number.isFinite(scaled)) throw new RangeError("points must be finite numbers");
  const rounded = Math.floor(scaled + 0.5);
  return value < 0 ? -rounded : rounded;
}

/**
 * Encode flat [x0, y0, p0, x1, y1, p1, ...] (p in 0..1).
 * @param {ArrayLike<number>} flat @returns {Uint8Array}
 */
export function encodePoints(flat) {
  if (flat.length % 3) throw new RangeError("points must hold x, y, pressure triples");
  /** @type {number[]} */
  const out = [];
  const put = (/** @type {number} */ value) => {
    // Zigzag, then 7 bits a byte; arithmetic rather than bit operators: values reach 2^35.
    let n = value >= 0 ? value * 2 : -value * 2 - 1;
    while (n > 0x7f) {
      out.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
  };
  let x = 0;
  let y = 0;
  let dx = 0;
  let dy = 0;
  let p = 0;
  for (let i = 0; i < flat.length; i += 3) {
    const qx = quantize(flat[i], SCALE);
    const qy = quantize(flat[i + 1], SCALE);
    const qp = quantize(flat[i + 2], PRESSURE);
    if (i === 0) {
      put(qx);
      put(qy);
      put(qp);
    } else {
      put(qx - x - dx);
      put(qy - y - dy);
      put(qp - p);
      dx = qx - x;
      dy = qy - y;
    }
    x = qx;
    y = qy;
    p = qp;
  }
  return Uint8Array.from(out);
}

/**
 * Flat [x0, y0, p0, ...] of encoded points (the quantized values). Throws a RangeError for bytes
 * that are not valid points: the same cases the server refuses.
 * @param {Uint8Array} bytes
 * @param {{maxPoints?: number, maxCoordinate?: number}} [bounds]
 * @returns {Float64Array}
 */
export function decodePoints(bytes, bounds = {}) {
  const maxPoints = bounds.maxPoints ?? LIMITS.MAX_STROKE_POINTS;
  const bound = (bounds.maxCoordinate ?? LIMITS.MAX_COORDINATE) * SCALE;
  /** @type {number[]} */
  const numbers = [];
  for (let i = 0; i < bytes.length; ) {
    let value = 0;
    let factor = 1;
    let length = 0;
    for (;;) {
      if (i >= bytes.length) throw new RangeError("the last varint is truncated");
      if (++length > MAX_VARINT_BYTES) throw new RangeError(`a varint is longer than ${MAX_VARINT_BYTES} bytes`);
      const byte = bytes[i++];
      value += (byte & 0x7f) * factor;
      factor *= 128;
      if (byte < 0x80) break;
    }
    numbers.push(value % 2 ? -(value + 1) / 2 : value / 2);
  }
  if (numbers.length % 3) throw new RangeError("points must hold x, y, pressure triples");
  if (!numbers.length) throw new RangeError("a stroke needs at least one point");
  if (numbers.length / 3 > maxPoints) throw new RangeError(`at most ${maxPoints} points`);
  const flat = new Float64Array(numbers.length);
  let x = 0;
  let y = 0;
  let dx = 0;
  let dy = 0;
  let p = 0;
  for (let i = 0; i < numbers.length; i += 3) {
    if (i === 0) {
      x = numbers[0];
      y = numbers[1];
    } else {
      dx += numbers[i];
      dy += numbers[i + 1];
      x += dx;
      y += dy;
    }
    p += numbers[i + 2];
    if (Math.abs(x) > bound || Math.abs(y) > bound) throw new RangeError("a coordinate is out of range");
    if (p < 0 || p > PRESSURE) throw new RangeError(`pressure must be within 0..${PRESSURE}`);
    flat[i] = x / SCALE;
    flat[i + 1] = y / SCALE;
    flat[i + 2] = p / PRESSURE;
  }
  return flat;
}

/** @type {WeakMap<object, Float64Array>} */
const decoded = new WeakMap();

/**
 * The flat points of a stroke operation, decoded once per op object. Every reader of a stroke's
 * points goes through here.
 * @param {{points: Uint8Array}} op @returns {Float64Array}
 */
export function pointsOf(op) {
  let flat = decoded.get(op);
  if (!flat) {
    flat = decodePoints(op.points);
    decoded.set(op, flat);
  }
  return flat;
}

/**
 * A stroke's points decoded elsewhere (the snapshot worker decodes them as it loads a part), so
 * that ``pointsOf`` never decodes them again. @param {object} op @param {Float64Array} flat
 */
export function knowPoints(op, flat) {
  decoded.set(op, flat);
}
