// @ts-check
// Bounds and hit tests of board objects. Pure, no DOM.

import { pointsOf } from "./points.js";

/** @typedef {import("./board.js").Placed} Placed */
/** @typedef {{left: number, top: number, right: number, bottom: number}} Box */

// Text has no metrics without a font: the same estimate the server's SVG export uses.
export const TEXT_ADVANCE = 0.6;
export const LINE_HEIGHT = 1.25;

/** @type {WeakMap<object, Box>} an object's own box, before its moves */
const boxes = new WeakMap();

/** The object's box on the board, moves included. @param {Placed} item @returns {Box} */
export function bounds(item) {
  let box = boxes.get(item.op);
  if (!box) {
    box = ownBounds(item.op);
    boxes.set(item.op, box);
  }
  const { dx, dy } = item;
  if (!dx && !dy) return box;
  return { left: box.left + dx, top: box.top + dy, right: box.right + dx, bottom: box.bottom + dy };
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

/** Distance from p to the segment a-b. */
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
  const px = x - item.dx;
  const py = y - item.dy;
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
  return true; // text: its box is the target
}
