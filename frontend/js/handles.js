// @ts-check
// The selection's frame and its handles: where they are, which one the pointer is on, and the
// transform a drag of each makes (resize about the opposite side, rotate about the middle).
// Pure but for ``paintSelection``, which the renderer calls to draw them.
//
// As in tldraw and Excalidraw, corners resize both ways (shift keeps the proportions), the middle
// of a side resizes one way, and a round handle above the frame rotates it (shift snaps to 15°).

import { applyMatrix } from "./board.js";

/** @typedef {import("./board.js").Matrix} Matrix */
/** @typedef {{left: number, top: number, right: number, bottom: number}} Box */
/** @typedef {"nw" | "n" | "ne" | "e" | "se" | "s" | "sw" | "w" | "rotate"} Handle */

// Sizes on screen, in CSS pixels, whatever the zoom.
const HANDLE_PX = 8;
const ROTATE_OFFSET_PX = 24;
const GRAB_PX = 10;
// A resize never flattens the selection: the protocol refuses flat transforms.
const MIN_SCALE = 0.02;
const MAX_SCALE = 500;
const SNAP = Math.PI / 12;

/** @type {Matrix} */
const IDENTITY = [1, 0, 0, 1, 0, 0];

/**
 * Where the handles of a frame are on the board. @param {Box} box @param {number} scale the view's
 * @returns {{handle: Handle, x: number, y: number}[]}
 */
export function handlesOf(box, scale) {
  const { left, top, right, bottom } = box;
  const cx = (left + right) / 2;
  const cy = (top + bottom) / 2;
  return [
    { handle: "nw", x: left, y: top },
    { handle: "n", x: cx, y: top },
    { handle: "ne", x: right, y: top },
    { handle: "e", x: right, y: cy },
    { handle: "se", x: right, y: bottom },
    { handle: "s", x: cx, y: bottom },
    { handle: "sw", x: left, y: bottom },
    { handle: "w", x: left, y: cy },
    { handle: "rotate", x: cx, y: top - ROTATE_OFFSET_PX / scale },
  ];
}

/**
 * The handle under a board point, if any. @param {Box} box @param {{x: number, y: number}} p
 * @param {number} scale @returns {Handle | null}
 */
export function handleAt(box, p, scale) {
  const reach = GRAB_PX / scale;
  let best = null;
  let bestDistance = Infinity;
  for (const { handle, x, y } of handlesOf(box, scale)) {
    const distance = Math.hypot(p.x - x, p.y - y);
    if (distance <= reach && distance < bestDistance) {
      best = handle;
      bestDistance = distance;
    }
  }
  return best;
}

/** A move by (dx, dy). @param {number} dx @param {number} dy @returns {Matrix} */
export function translation(dx, dy) {
  return [1, 0, 0, 1, dx, dy];
}

/** @param {number} value */
function clampScale(value) {
  const size = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.abs(value)));
  return value < 0 ? -size : size;
}

/**
 * The resize a drag of ``handle`` to ``p`` makes: the opposite side or corner stays put, the
 * handle follows the pointer. @param {Box} box @param {Handle} handle @param {{x: number, y: number}} p
 * @param {boolean} keepAspect @returns {Matrix}
 */
export function resizing(box, handle, p, keepAspect) {
  const width = box.right - box.left || 1;
  const height = box.bottom - box.top || 1;
  const west = handle.includes("w");
  const east = handle.includes("e");
  const north = handle.startsWith("n");
  const south = handle.startsWith("s");
  // The point that stays: the opposite corner or side.
  const fx = west ? box.right : east ? box.left : (box.left + box.right) / 2;
  const fy = north ? box.bottom : south ? box.top : (box.top + box.bottom) / 2;
  let sx = west ? (fx - p.x) / width : east ? (p.x - fx) / width : 1;
  let sy = north ? (fy - p.y) / height : south ? (p.y - fy) / height : 1;
  if (keepAspect) {
    // Corners: the larger change wins; sides: the other way follows the same scale.
    const uniform = (west || east) && (north || south)
      ? Math.max(Math.abs(sx), Math.abs(sy))
      : Math.abs(west || east ? sx : sy);
    sx = Math.sign(sx || 1) * uniform;
    sy = Math.sign(sy || 1) * uniform;
  }
  sx = clampScale(sx);
  sy = clampScale(sy);
  return [sx, 0, 0, sy, fx - sx * fx, fy - sy * fy];
}

/**
 * The rotation about the frame's middle that turns ``from`` towards ``p``.
 * @param {Box} box @param {{x: number, y: number}} from @param {{x: number, y: number}} p
 * @param {boolean} snap to 15° steps @returns {Matrix}
 */
export function rotating(box, from, p, snap) {
  const cx = (box.left + box.right) / 2;
  const cy = (box.top + box.bottom) / 2;
  let angle = Math.atan2(p.y - cy, p.x - cx) - Math.atan2(from.y - cy, from.x - cx);
  if (snap) angle = Math.round(angle / SNAP) * SNAP;
  return rotation(angle, cx, cy);
}

/** A rotation by ``angle`` radians about (cx, cy). @returns {Matrix} */
export function rotation(/** @type {number} */ angle, /** @type {number} */ cx, /** @type {number} */ cy) {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return [cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy];
}

/**
 * A matrix as the wire carries it (float32, as msgpack sends our numbers), so that this page's
 * copy of its own operation is the one everybody else gets. @param {Matrix} m @returns {Matrix}
 */
export function onTheWire(m) {
  return /** @type {Matrix} */ (m.map((term) => Math.fround(term)));
}

/** Is this the matrix that changes nothing? @param {Matrix} m */
export function isIdentity(m) {
  return m.every((term, i) => term === IDENTITY[i]);
}

/**
 * Draw a selection's frame (where ``gesture`` takes it) and, for this page's own selection, its
 * handles. @param {CanvasRenderingContext2D} context in board coordinates @param {Box} box
 * @param {Matrix | null} gesture @param {number} scale the view's @param {boolean} withHandles
 */
export function paintSelection(context, box, gesture, scale, withHandles) {
  const m = gesture ?? IDENTITY;
  const corners = [
    applyMatrix(m, box.left, box.top),
    applyMatrix(m, box.right, box.top),
    applyMatrix(m, box.right, box.bottom),
    applyMatrix(m, box.left, box.bottom),
  ];
  context.save();
  context.strokeStyle = "#4263eb";
  context.lineWidth = 1 / scale;
  context.setLineDash([6 / scale, 4 / scale]);
  context.beginPath();
  corners.forEach((corner, i) => (i ? context.lineTo(corner.x, corner.y) : context.moveTo(corner.x, corner.y)));
  context.closePath();
  context.stroke();
  if (withHandles && !gesture) {
    context.setLineDash([]);
    context.fillStyle = "#ffffff";
    const size = HANDLE_PX / scale;
    for (const { handle, x, y } of handlesOf(box, scale)) {
      context.beginPath();
      if (handle === "rotate") context.arc(x, y, size / 1.6, 0, Math.PI * 2);
      else context.rect(x - size / 2, y - size / 2, size, size);
      context.fill();
      context.stroke();
    }
  }
  context.restore();
}
