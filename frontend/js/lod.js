// @ts-check
// Level of detail: how much of an object is worth drawing at a zoom. An object smaller than a
// couple of pixels on screen is a dot; a stroke thinner than a few pixels is a simplified line of
// its width rather than perfect-freehand's outline (which costs far more to compute and to fill,
// and looks the same at that size). Pure, no DOM.

/** @typedef {import("./geometry.js").Box} Box */

/** Objects smaller than this many device pixels are drawn as a dot. */
export const DOT_PX = 2;
/** Strokes thinner than this many device pixels are drawn as lines. */
export const LINE_PX = 3;
/** How far (device pixels) a simplified line may stray from the stroke's points. */
export const TOLERANCE_PX = 0.5;

/**
 * @param {Box} box the object's box @param {number} width the stroke's width (0 for others)
 * @param {number} pixels device pixels per board unit
 * @returns {"dot" | "line" | "full"}
 */
export function detailOf(box, width, pixels) {
  if (Math.max(box.right - box.left, box.bottom - box.top) * pixels < DOT_PX) return "dot";
  if (width && width * pixels < LINE_PX) return "line";
  return "full";
}

/**
 * Lines are simplified per power of two of the zoom, so that one simplification serves every zoom
 * within a factor of two. @param {number} pixels device pixels per board unit
 */
export function lineLevel(pixels) {
  return Math.floor(Math.log2(pixels));
}

/** The tolerance (board units) of a line level. @param {number} level */
export function levelTolerance(level) {
  return TOLERANCE_PX / 2 ** (level + 1);
}

/**
 * The points of a flat [x, y, pressure, ...] list worth keeping as a polyline: each one further
 * than ``tolerance`` from the last kept one, and the last (radial-distance simplification: one
 * pass, no allocation per point, which matters for 100,000 strokes).
 * @param {ArrayLike<number>} flat @param {number} tolerance @returns {number[]} [x, y, x, y, ...]
 */
export function simplify(flat, tolerance) {
  const n = Math.floor(flat.length / 3);
  if (!n) return [];
  const kept = [flat[0], flat[1]];
  const limit = tolerance * tolerance;
  let lastX = flat[0];
  let lastY = flat[1];
  for (let i = 1; i < n; i++) {
    const x = flat[3 * i];
    const y = flat[3 * i + 1];
    const dx = x - lastX;
    const dy = y - lastY;
    if (dx * dx + dy * dy > limit || i === n - 1) {
      kept.push(x, y);
      lastX = x;
      lastY = y;
    }
  }
  return kept;
}
