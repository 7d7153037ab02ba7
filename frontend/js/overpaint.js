// @ts-check
// Where history arriving in any order (a snapshot's parts, nearest the screen first) was painted
// over objects that should cover it. Only there does the picture need painting again in paint
// order once it is all in: the parts are of nearby objects, so they meet along narrow bands.
// Pure: no canvas. The renderer tells it what it painted and asks for the regions to repaint.

// The picture's box is watched in cells of this fraction of its longer side.
const CELLS_PER_SIDE = 128;
// An object over more cells than this (a huge shape) is not worth watching: a redraw follows.
const MAX_CELLS_PER_OBJECT = 1024;

/** @typedef {{left: number, top: number, right: number, bottom: number}} Box */
/** @typedef {{minX: number, minY: number, maxX: number, maxY: number, order: number}} Painted */

export class Overpaint {
  /**
   * @param {Box} box the board box the picture shows
   * @param {number} [reach] how far beyond its box an object's paint may go (antialiasing)
   */
  constructor(box, reach = 0) {
    this.reach = reach;
    this.left = box.left;
    this.top = box.top;
    this.cell = Math.max(box.right - box.left, box.bottom - box.top, 1e-9) / CELLS_PER_SIDE;
    /** @type {Map<number, Painted>} the highest object in paint order painted in each cell */
    this.highest = new Map();
    /** @type {Set<number>} cells where an object was painted over one above it */
    this.wrong = new Set();
    // Something was painted this cannot follow: only a whole redraw is sure to be right.
    this.lost = false;
  }

  /**
   * An object was painted. Orders are compared when it is painted: a merge renumbers the paint
   * order but keeps the order of the objects already in it. @param {Painted} entry
   */
  painted(entry) {
    if (this.lost) return;
    const [x0, y0, x1, y1] = this._cells(entry);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > MAX_CELLS_PER_OBJECT) {
      this.lost = true;
      return;
    }
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const key = cellKey(x, y);
        const top = this.highest.get(key);
        if (!top || top.order < entry.order) this.highest.set(key, entry);
        else if (top !== entry) this.wrong.add(key);
      }
    }
  }

  /** Painting that this cannot follow happened (objects drawn away from their boxes, say). */
  lose() {
    this.lost = true;
  }

  /**
   * The boxes to paint again, in board units, or null when only a whole redraw will do. Cells in
   * a run along a row are one box, and a run just below one of the same columns joins it.
   * @returns {Box[] | null}
   */
  regions() {
    if (this.lost) return null;
    /** @type {Map<number, number[]>} wrong cells' columns by row */
    const rows = new Map();
    for (const key of this.wrong) {
      const [x, y] = cellOf(key);
      const row = rows.get(y);
      if (row) row.push(x);
      else rows.set(y, [x]);
    }
    /** @type {{x0: number, x1: number, y0: number, y1: number}[]} */
    const runs = [];
    /** @type {Map<string, {x0: number, x1: number, y0: number, y1: number}>} runs open at the row above */
    let open = new Map();
    for (const y of [...rows.keys()].sort((a, b) => a - b)) {
      const columns = /** @type {number[]} */ (rows.get(y)).sort((a, b) => a - b);
      /** @type {Map<string, {x0: number, x1: number, y0: number, y1: number}>} */
      const next = new Map();
      let start = 0;
      for (let i = 1; i <= columns.length; i++) {
        if (i < columns.length && columns[i] === columns[i - 1] + 1) continue;
        const [x0, x1] = [columns[start], columns[i - 1]];
        const key = `${x0},${x1}`;
        const above = open.get(key);
        const run = above && above.y1 === y - 1 ? above : { x0, x1, y0: y, y1: y };
        if (run === above) run.y1 = y;
        else runs.push(run);
        next.set(key, run);
        start = i;
      }
      open = next;
    }
    return runs.map(({ x0, x1, y0, y1 }) => ({
      left: this.left + x0 * this.cell,
      top: this.top + y0 * this.cell,
      right: this.left + (x1 + 1) * this.cell,
      bottom: this.top + (y1 + 1) * this.cell,
    }));
  }

  /** @param {Painted} entry @returns {number[]} the first and last cell columns and rows it meets */
  _cells(entry) {
    const at = (/** @type {number} */ value, /** @type {number} */ origin) =>
      Math.max(-LIMIT, Math.min(LIMIT, Math.floor((value - origin) / this.cell)));
    const reach = this.reach;
    return [
      at(entry.minX - reach, this.left), at(entry.minY - reach, this.top),
      at(entry.maxX + reach, this.left), at(entry.maxY + reach, this.top),
    ]; // prettier-ignore
  }
}

// Cells are numbered within ±LIMIT of the origin on each axis (beyond, they share the last one).
const LIMIT = 1 << 15;

/** @param {number} x @param {number} y */
function cellKey(x, y) {
  return (x + LIMIT) * (2 * LIMIT + 1) + (y + LIMIT);
}

/** @param {number} key @returns {[number, number]} */
function cellOf(key) {
  const y = (key % (2 * LIMIT + 1)) - LIMIT;
  return [Math.floor(key / (2 * LIMIT + 1)) - LIMIT, y];
}
