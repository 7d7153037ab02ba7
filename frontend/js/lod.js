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

// Long strokes are simplified a window of this many points at a time: the search for the point
// farthest from a chord then costs at most this much per point, whatever the stroke's shape.
const WINDOW = 256;
// Scratch space reused by every call (100,000 strokes are simplified when a big board opens).
let keep = new Uint8Array(WINDOW);
let pending = new Int32Array(4 * WINDOW);

/**
 * The points of a flat [x, y, pressure, ...] list worth keeping as a polyline that strays at most
 * ``tolerance`` from every point (Douglas-Peucker, measured to the chord as a segment, since a
 * stroke may double back on itself): a smooth pen stroke of 50 points zoomed out to fit keeps about
 * seven, where keeping every point further than ``tolerance`` from the last kept 41 of them.
 * Every line the canvas strokes costs a call into the browser, and the lines are stroked again at
 * every redraw. @param {ArrayLike<number>} flat @param {number} tolerance
 * @returns {number[]} [x, y, x, y, ...], the first and last points always among them
 */
export function simplify(flat, tolerance) {
  const n = Math.floor(flat.length / 3);
  if (!n) return [];
  if (keep.length < n) {
    keep = new Uint8Array(n);
    pending = new Int32Array(4 * n);
  }
  keep.fill(0, 0, n);
  keep[0] = keep[n - 1] = 1;
  const limit = tolerance * tolerance;
  for (let start = 0; start < n - 1; start += WINDOW) {
    const end = Math.min(start + WINDOW, n - 1);
    keep[end] = 1;
    let top = 0;
    pending[top++] = start;
    pending[top++] = end;
    while (top) {
      const b = pending[--top];
      const a = pending[--top];
      const ax = flat[3 * a];
      const ay = flat[3 * a + 1];
      const dx = flat[3 * b] - ax;
      const dy = flat[3 * b + 1] - ay;
      const length2 = dx * dx + dy * dy;
      let farthest = limit;
      let at = -1;
      for (let i = a + 1; i < b; i++) {
        const px = flat[3 * i] - ax;
        const py = flat[3 * i + 1] - ay;
        const t = length2 ? Math.max(0, Math.min(1, (px * dx + py * dy) / length2)) : 0;
        const ex = px - t * dx;
        const ey = py - t * dy;
        const distance2 = ex * ex + ey * ey;
        if (distance2 > farthest) {
          farthest = distance2;
          at = i;
        }
      }
      if (at < 0) continue;
      keep[at] = 1;
      pending[top++] = a;
      pending[top++] = at;
      pending[top++] = at;
      pending[top++] = b;
    }
  }
  const kept = [];
  for (let i = 0; i < n; i++) if (keep[i]) kept.push(flat[3 * i], flat[3 * i + 1]);
  return kept;
}
