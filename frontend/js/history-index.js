// @ts-check
// Where a board's objects were at any moment of its history: one R-tree (rbush) of every object
// the board ever had, each placed once for every position a move gave it, that is never rebuilt
// while the History panel is open. Showing a moment only marks which placements that moment
// shows, in its paint order (no tree work, unlike re-indexing the board for each moment); a search
// asks the tree and keeps what is marked. Same answers as spatial.js for the same objects.
// Pure, no DOM.

import { bounds } from "./geometry.js";
import { CREATING_KINDS, samePlace } from "./board.js";
import RBush from "rbush";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./board.js").Placed} Placed */
/** @typedef {import("./geometry.js").Box} Box */
/**
 * @typedef {object} Placement an object at one position: its box (rbush's fields), the position,
 *   and, while a moment shows it, its place in paint order
 * @property {number} minX @property {number} minY @property {number} maxX @property {number} maxY
 * @property {Placed} item @property {number} order @property {number} seen
 * @property {number} dx @property {number} dy @property {number} shown the moment that last showed it
 */

// More answers than this share of what the moment shows: marking and walking the paint order
// beats sorting.
const WALK_SHARE = 1 / 8;
// More new placements than this at once: bulk loading beats inserting one by one.
const BULK = 32;

export class HistoryIndex {
  /** @param {Board} board every object it has now is indexed at once, in one bulk load */
  constructor(board) {
    this.tree = new RBush(16);
    /** @type {Map<string, Placement[]>} each object's placements */
    this.placements = new Map();
    /** @type {Placement[]} what the moment shows, in paint order */
    this.ordered = [];
    /** @type {Placed[]} the state it shows */
    this.placed = [];
    // Which moment is shown: placements it shows carry this number in ``shown``.
    this.moment = 0;
    this.stamp = 0;
    /** @type {Box | null} around what the moment shows */
    this.extent = null;
    /** The placement shown for an object, as spatial.js's ``byId`` answers it. */
    this.byId = { get: (/** @type {string} */ id) => this._shown(id) };
    /** @type {Placement[]} */
    const all = [];
    for (const [id, entry] of board.entries) {
      if (CREATING_KINDS.has(entry.op.kind)) {
        all.push(this._place({ id, seq: entry.seq, author: entry.author, op: entry.op, dx: 0, dy: 0 }));
      }
    }
    this.tree.load(all);
  }

  /**
   * Show another moment (or the same one evaluated again).
   * @param {Placed[]} placed the moment's visible objects, in paint order
   * @returns {{added: Placement[], onTop: boolean}} what the previous moment did not show, in
   *   paint order, and whether the only change is objects added above everything shown before
   *   (never on the first call: nothing is known of what the renderer shows)
   */
  update(placed) {
    const last = this.placed;
    this.placed = placed;
    // The same objects below new ones (the slider moved on over new strokes): only those are new.
    // States are built by adding to earlier ones, so the same object at the same place means the
    // same objects below it.
    if (this.moment !== 0 && placed.length >= last.length && (!last.length || placed[last.length - 1] === last[last.length - 1])) {
      return this._extend(placed, last.length);
    }
    const before = this.moment;
    const now = ++this.stamp;
    /** @type {Placement[]} */
    const added = [];
    /** @type {Placement[]} */
    const fresh = [];
    let onTop = before !== 0;
    let lastKeptOrder = -1;
    let kept = 0;
    let left = Infinity;
    let top = Infinity;
    let right = -Infinity;
    let bottom = -Infinity;
    const ordered = new Array(placed.length);
    for (let i = 0; i < placed.length; i++) {
      const item = placed[i];
      let placement = this._find(item);
      if (!placement) {
        placement = this._place(item);
        fresh.push(placement);
      }
      if (placement.shown === before) {
        // Kept: still in the same order among the kept ones, and below anything new.
        if (placement.order < lastKeptOrder || added.length) onTop = false;
        lastKeptOrder = placement.order;
        kept++;
      } else {
        added.push(placement);
      }
      placement.item = item;
      placement.order = i;
      placement.shown = now;
      ordered[i] = placement;
      if (placement.minX < left) left = placement.minX;
      if (placement.minY < top) top = placement.minY;
      if (placement.maxX > right) right = placement.maxX;
      if (placement.maxY > bottom) bottom = placement.maxY;
    }
    if (kept !== this.ordered.length) onTop = false;
    if (fresh.length > BULK) this.tree.load(fresh);
    else for (const placement of fresh) this.tree.insert(placement);
    this.moment = now;
    this.ordered = ordered;
    this.extent = ordered.length ? { left, top, right, bottom } : null;
    return { added, onTop };
  }

  /**
   * Show the objects of ``placed`` from ``from`` on above what is shown (same moment number).
   * @param {Placed[]} placed @param {number} from @returns {{added: Placement[], onTop: boolean}}
   */
  _extend(placed, from) {
    /** @type {Placement[]} */
    const added = [];
    /** @type {Placement[]} */
    const fresh = [];
    const extent = this.extent ?? { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    for (let i = from; i < placed.length; i++) {
      const item = placed[i];
      let placement = this._find(item);
      if (!placement) {
        placement = this._place(item);
        fresh.push(placement);
      }
      placement.item = item;
      placement.order = i;
      placement.shown = this.moment;
      added.push(placement);
      extent.left = Math.min(extent.left, placement.minX);
      extent.top = Math.min(extent.top, placement.minY);
      extent.right = Math.max(extent.right, placement.maxX);
      extent.bottom = Math.max(extent.bottom, placement.maxY);
    }
    if (fresh.length > BULK) this.tree.load(fresh);
    else for (const placement of fresh) this.tree.insert(placement);
    if (added.length) {
      this.ordered = this.ordered.concat(added);
      this.extent = extent;
    }
    return { added, onTop: true };
  }

  /** The objects the moment shows whose boxes meet ``box``, in paint order. @param {Box} box */
  search(box) {
    const extent = this.extent;
    if (!extent) return [];
    if (box.left <= extent.left && box.top <= extent.top && box.right >= extent.right && box.bottom >= extent.bottom) {
      return this.ordered.slice();
    }
    const moment = this.moment;
    /** @type {Placement[]} */
    const found = this.tree
      .search({ minX: box.left, minY: box.top, maxX: box.right, maxY: box.bottom })
      .filter((/** @type {Placement} */ placement) => placement.shown === moment);
    if (found.length < this.ordered.length * WALK_SHARE) return found.sort((a, b) => a.order - b.order);
    const stamp = ++this.stamp;
    for (const placement of found) placement.seen = stamp;
    return this.ordered.filter((placement) => placement.seen === stamp);
  }

  /** Objects whose boxes pass within ``reach`` of (x, y), in paint order. */
  near(/** @type {number} */ x, /** @type {number} */ y, /** @type {number} */ reach) {
    return this.search({ left: x - reach, top: y - reach, right: x + reach, bottom: y + reach });
  }

  /** The box around what the moment shows, or null when it shows nothing. @returns {Box | null} */
  bounds() {
    return this.extent && { ...this.extent };
  }

  /** The placement an item is at, if the object was ever there. @param {Placed} item */
  _find(item) {
    const list = this.placements.get(item.id);
    if (!list) return undefined;
    for (const placement of list) {
      if (placement.item.op === item.op && samePlace(placement.item, item)) return placement;
    }
    return undefined;
  }

  /** @param {string} id */
  _shown(id) {
    return this.placements.get(id)?.find((placement) => placement.shown === this.moment);
  }

  /** A new placement for ``item`` (not yet in the tree). @param {Placed} item @returns {Placement} */
  _place(item) {
    const box = bounds(item);
    /** @type {Placement} */
    const placement = {
      minX: box.left, minY: box.top, maxX: box.right, maxY: box.bottom,
      item, order: 0, seen: 0, dx: item.dx, dy: item.dy, shown: -1,
    }; // prettier-ignore
    const list = this.placements.get(item.id);
    if (list) list.push(placement);
    else this.placements.set(item.id, [placement]);
    return placement;
  }
}
