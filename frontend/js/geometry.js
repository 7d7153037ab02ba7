// @ts-check
// Bounds and hit tests of board objects. Pure, no DOM.

import { applyMatrix } from "./board.js";
import { pointsOf } from "./points.js";

/** @typedef {import("./board.js").Placed} Placed */
/** @typedef {{left: number, top: number, right: number, bottom: number}} Box */

// Text has no metrics without a font: the same estimate the server's SVG export uses.
export const TEXT_ADVANCE = 0.6;
export const LINE_HEIGHT = 1.25;

/** @type {WeakMap<object, Box>} an object's own box, before its moves */
const boxes = new WeakMap();

/** The object's box before its moves and transforms. @param {any} op @returns {Box} */
export function ownBox(op) {
  let box = boxes.get(op);
  if (!box) {
    box = ownBounds(op);
    boxes.set(op, box);
  }
  return box;
}

/**
 * The object's box on the board, moves and transforms included (around its own box's corners
 * where a rotation takes them). @param {Pick<Placed, "op" | "dx" | "dy" | "m">} item @returns {Box}
 */
export function bounds(item) {
  const box = ownBox(item.op);
  if (item.m) return transformedBox(box, item.m);
  const { dx, dy } = item;
  if (!dx && !dy) return box;
  return { left: box.left + dx, top: box.top + dy, right: box.right + dx, bottom: box.bottom + dy };
}

/** The box around where ``m`` takes the corners of ``box``. @param {Box} box @param {import("./board.js").Matrix} m @returns {Box} */
export function transformedBox(box, m) {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const [x, y] of [[box.left, box.top], [box.right, box.top], [box.right, box.bottom], [box.left, box.bottom]]) {
    const p = applyMatrix(m, x, y);
    if (p.x < left) left = p.x;
    if (p.x > right) right = p.x;
    if (p.y < top) top = p.y;
    if (p.y > bottom) bottom = p.y;
  }
  return { left, top, right, bottom };
}

/**
 * The matrix that undoes ``m`` (transforms are invertible: the protocol refuses flat ones).
 * @param {import("./board.js").Matrix} m @returns {import("./board.js").Matrix}
 */
export function inverse(m) {
  const [a, b, c, d, e, f] = m;
  const det = a * d - b * c;
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

/**
 * A stroke's box when its points' extent is already known (the snapshot worker measures it while
 * it decodes), so that nobody decodes the points again just to place the stroke.
 * @param {any} op @param {[number, number, number, number]} extent left, top, right, bottom of its points
 */
export function knowBounds(op, [left, top, right, bottom]) {
  const pad = op.width;
  boxes.set(op, { left: left - pad, top: top - pad, right: right + pad, bottom: bottom + pad });
}

/** @param {any} op @returns {Box} */
function ownBounds(op) {
  const dx = 0;
  const dy = 0;
  if (op.kind === "stroke") {
    let left = Infinity;
    let top = Infinity;
    let right = -Infinity;
    let bottom = -Infinity;
    const points = pointsOf(op);
    for (let i = 0; i < points.length; i += 3) {
      const x = points[i];
      const y = points[i + 1];
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
    const pad = op.width;
    return { left: left - pad + dx, top: top - pad + dy, right: right + pad + dx, bottom: bottom + pad + dy };
  }
  if (op.kind === "shape") {
    const pad = op.width * 2;
    return {
      left: Math.min(op.x1, op.x2) - pad + dx,
      top: Math.min(op.y1, op.y2) - pad + dy,
      right: Math.max(op.x1, op.x2) + pad + dx,
      bottom: Math.max(op.y1, op.y2) + pad + dy,
    };
  }
  if (op.kind === "image") return { left: op.x, top: op.y, right: op.x + op.w, bottom: op.y + op.h };
  const lines = String(op.text).split("\n");
  const width = Math.max(...lines.map((line) => line.length)) * op.size * TEXT_ADVANCE;
  return { left: op.x + dx, top: op.y + dy, right: op.x + dx + width, bottom: op.y + dy + lines.length * op.size * LINE_HEIGHT };
}

/** @param {Box} a @param {Box} b */
export function overlaps(a, b) {
  return a.left <= b.right && b.left <= a.right && a.top <= b.bottom && b.top <= a.bottom;
}

/** @param {Box[]} boxes @returns {Box | null} */
export function union(boxes) {
  if (!boxes.length) return null;
  // A loop, not Math.min(...list): a list of 100,000 arguments overflows the stack.
  let { left, top, right, bottom } = boxes[0];
  for (const box of boxes) {
    if (box.left < left) left = box.left;
    if (box.top < top) top = box.top;
    if (box.right > right) right = box.right;
    if (box.bottom > bottom) bottom = box.bottom;
  }
  return { left, top, right, bottom };
}

/**
 * Distance from p to the segment a-b. @param {number} px @param {number} py @param {number} ax
 * @param {number} ay @param {number} bx @param {number} by
 */
function segmentDistance(px, py, ax, ay, bx, by) {
  const vx = bx - ax;
  const vy = by - ay;
  const length2 = vx * vx + vy * vy;
  const t = length2 ? Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / length2)) : 0;
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

/**
 * Does the object pass within ``tolerance`` of the board point (x, y)?
 * @param {Placed} item @param {number} x @param {number} y @param {number} tolerance
 */
export function hits(item, x, y, tolerance) {
  const box = bounds(item);
  if (x < box.left - tolerance || x > box.right + tolerance) return false;
  if (y < box.top - tolerance || y > box.bottom + tolerance) return false;
  const { op } = item;
  let px = x - item.dx;
  let py = y - item.dy;
  if (item.m) {
    // In the object's own coordinates, where a scale changes how far the tolerance reaches.
    ({ x: px, y: py } = applyMatrix(inverse(item.m), x, y));
    tolerance /= Math.sqrt(Math.abs(item.m[0] * item.m[3] - item.m[1] * item.m[2]));
  }
  if (op.kind === "stroke") {
    const reach = op.width / 2 + tolerance;
    const p = pointsOf(op);
    if (p.length === 3) return Math.hypot(px - p[0], py - p[1]) <= reach;
    for (let i = 3; i < p.length; i += 3) {
      if (segmentDistance(px, py, p[i - 3], p[i - 2], p[i], p[i + 1]) <= reach) return true;
    }
    return false;
  }
  if (op.kind === "shape") {
    const reach = op.width / 2 + tolerance;
    const { x1, y1, x2, y2 } = op;
    if (op.shape === "line" || op.shape === "arrow") return segmentDistance(px, py, x1, y1, x2, y2) <= reach;
    if (op.fill) return true; // inside the box, and filled
    if (op.shape === "rect") {
      const edges = [[x1, y1, x2, y1], [x2, y1, x2, y2], [x2, y2, x1, y2], [x1, y2, x1, y1]];
      return edges.some(([ax, ay, bx, by]) => segmentDistance(px, py, ax, ay, bx, by) <= reach);
    }
    const rx = Math.abs(x2 - x1) / 2;
    const ry = Math.abs(y2 - y1) / 2;
    const cx = (x1 + x2) / 2;
    const cy = (y1 + y2) / 2;
    const r = Math.hypot((px - cx) / Math.max(rx, 1e-6), (py - cy) / Math.max(ry, 1e-6));
    return Math.abs(r - 1) * Math.min(rx, ry) <= reach;
  }
  return true; // text and images: the box is the target
}
