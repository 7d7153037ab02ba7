// @ts-check
// A stroke's points as compact bytes: the twin of server/points.py, byte for byte (a test
// compares them). Pure, no DOM. docs/protocol.md describes the layout.
//
// x and y are integers in 1/8 of a board unit, pressure in 1/32. The first point is written
// as it is; then x and y as second differences (the step before the second point counts as 0)
// and pressure as a first difference; each number zigzag-mapped and written as an LEB128 varint.
// Before 2026-12-03 the units were 1/16 and 1/255 (FORMER_UNITS): strokes kept by the page since
// then are re-encoded when read back.

import { LIMITS } from "./protocol.gen.js";

const SCALE = LIMITS.COORDINATE_SCALE;
const PRESSURE = LIMITS.PRESSURE_SCALE;
const MAX_VARINT_BYTES = 5;
/** @typedef {{coordinate: number, pressure: number}} Units */
/** @type {Units} */
export const UNITS = Object.freeze({ coordinate: SCALE, pressure: PRESSURE });
/** @type {Units} */
export const FORMER_UNITS = Object.freeze({ coordinate: 16, pressure: 255 });

/** ``value * scale`` rounded to the nearest integer, halves away from zero (as points.py). */
export function quantize(/** @type {number} */ value, /** @type {number} */ scale) {
  const scaled = Math.abs(value * scale);
  if (!Number.isFinite(scaled)) throw new RangeError("points must be finite numbers");
  const rounded = Math.floor(scaled + 0.5);
  return value < 0 ? -rounded : rounded;
}

/**
 * Encode flat [x0, y0, p0, x1, y1, p1, ...] (p in 0..1); other units only to re-encode.
 * @param {ArrayLike<number>} flat @param {Units} [units] @returns {Uint8Array}
 */
export function encodePoints(flat, units = UNITS) {
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
    const qx = quantize(flat[i], units.coordinate);
    const qy = quantize(flat[i + 1], units.coordinate);
    const qp = quantize(flat[i + 2], units.pressure);
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
 * @param {{maxPoints?: number, maxCoordinate?: number, units?: Units}} [bounds]
 * @param {{out: Float64Array, at: number}} [into] where to write them (a buffer for many
 *   strokes, from ``at``) instead of a new array of their own; the answer is then a view of it
 * @returns {Float64Array}
 */
export function decodePoints(bytes, bounds = {}, into) {
  const maxPoints = bounds.maxPoints ?? LIMITS.MAX_STROKE_POINTS;
  const { coordinate, pressure } = bounds.units ?? UNITS;
  const bound = (bounds.maxCoordinate ?? LIMITS.MAX_COORDINATE) * coordinate;
  // One pass to count the numbers (a varint ends at each byte below 0x80), one to decode them
  // straight into the result.
  let count = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] < 0x80) count++;
  if (bytes.length && bytes[bytes.length - 1] >= 0x80) throw new RangeError("the last varint is truncated");
  if (count % 3) throw new RangeError("points must hold x, y, pressure triples");
  if (!count) throw new RangeError("a stroke needs at least one point");
  if (count / 3 > maxPoints) throw new RangeError(`at most ${maxPoints} points`);
  const flat = into ? into.out.subarray(into.at, into.at + count) : new Float64Array(count);
  if (flat.length !== count) throw new RangeError("the points do not fit where they are to go");
  let at = 0;
  const read = () => {
    let value = 0;
    let factor = 1;
    for (let length = 1; ; length++) {
      if (length > MAX_VARINT_BYTES) throw new RangeError(`a varint is longer than ${MAX_VARINT_BYTES} bytes`);
      const byte = bytes[at++];
      value += (byte & 0x7f) * factor;
      factor *= 128;
      if (byte < 0x80) return value % 2 ? -(value + 1) / 2 : value / 2;
    }
  };
  let x = read();
  let y = read();
  let p = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < count; i += 3) {
    if (i > 0) {
      dx += read();
      dy += read();
      x += dx;
      y += dy;
    }
    p += read();
    if (Math.abs(x) > bound || Math.abs(y) > bound) throw new RangeError("a coordinate is out of range");
    if (p < 0 || p > pressure) throw new RangeError(`pressure must be within 0..${pressure}`);
    flat[i] = x / coordinate;
    flat[i + 1] = y / coordinate;
    flat[i + 2] = p / pressure;
  }
  return flat;
}

/**
 * The points of each stroke of a snapshot part, from its streams (server/points.py's
 * ``interleave``): ``first`` holds each stroke's first point (three varints), ``x``, ``y`` and
 * ``p`` the varints of that coordinate after it, stroke after stroke. Throws a RangeError when
 * the streams do not hold exactly ``counts`` points.
 * @param {number[]} counts @param {Uint8Array} first @param {Uint8Array} x
 * @param {Uint8Array} y @param {Uint8Array} p @returns {Uint8Array[]}
 */
export function joinStreams(counts, first, x, y, p) {
  // Every byte of the streams lands in one stroke: one buffer for all and a view for each (as
  // msgpack gives bins) spares an allocation a stroke.
  const all = new Uint8Array(first.length + x.length + y.length + p.length);
  let head = 0;
  let xi = 0;
  let yi = 0;
  let pi = 0;
  let o = 0;
  const strokes = new Array(counts.length);
  for (let k = 0; k < counts.length; k++) {
    const count = counts[k];
    if (!Number.isInteger(count) || count < 1 || count > LIMITS.MAX_STROKE_POINTS) mismatch();
    const headEnd = varintsEnd(first, head, 3);
    const xe = varintsEnd(x, xi, count - 1);
    const ye = varintsEnd(y, yi, count - 1);
    const pe = varintsEnd(p, pi, count - 1);
    const start = o;
    all.set(first.subarray(head, headEnd), o);
    o += headEnd - head;
    if (xe - xi + ye - yi + pe - pi === 3 * (count - 1)) {
      // One byte each, as nearly always after the first point.
      for (let i = 0; i < count - 1; i++) {
        all[o++] = x[xi + i];
        all[o++] = y[yi + i];
        all[o++] = p[pi + i];
      }
    } else {
      for (let i = 0; i < count - 1; i++) {
        do all[o++] = x[xi]; while (x[xi++] >= 0x80);
        do all[o++] = y[yi]; while (y[yi++] >= 0x80);
        do all[o++] = p[pi]; while (p[pi++] >= 0x80);
      }
    }
    head = headEnd;
    xi = xe;
    yi = ye;
    pi = pe;
    strokes[k] = all.subarray(start, o);
  }
  if (head !== first.length || xi !== x.length || yi !== y.length || pi !== p.length) mismatch();
  return strokes;
}

/** Where ``n`` varints that start at ``at`` end. @param {Uint8Array} bytes @param {number} at @param {number} n */
function varintsEnd(bytes, at, n) {
  for (let i = 0; i < n; i++) {
    const start = at;
    do {
      if (at >= bytes.length || at - start >= MAX_VARINT_BYTES) mismatch();
    } while (bytes[at++] >= 0x80);
  }
  return at;
}

/** @returns {never} */
function mismatch() {
  throw new RangeError("the point streams do not match the point counts");
}

/** @type {WeakMap<object, Float64Array>} */
const decoded = new WeakMap();

/**
 * The flat points of a stroke operation, decoded once per op object. Every reader of a stroke's
 * points goes through here.
 * @param {{points: Uint8Array} | import("./board.js").Operation} op @returns {Float64Array}
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
