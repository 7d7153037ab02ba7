// @ts-check
// Where the board's objects are: an R-tree (rbush) of their boxes, kept in step with the board by
// comparing its list of visible objects with what is indexed, so that only what changed is
// inserted or removed. Answers which objects lie in a box, in paint order; and tells the renderer
// whether a change only put new objects on top (then what it drew stays right).
// Pure, no DOM.

import { samePlace } from "./board.js";
import { bounds } from "./geometry.js";
import RBush from "rbush";

/** @typedef {import("./board.js").Placed} Placed */
/** @typedef {import("./geometry.js").Box} Box */
/**
 * @typedef {object} Entry an indexed object: its box (rbush's fields) and its place in paint order
 * @property {number} minX @property {number} minY @property {number} maxX @property {number} maxY
 * @property {Placed} item @property {number} order @property {number} seen
 */

// More answers than this share of everything: marking and walking the paint order beats sorting.
const WALK_SHARE = 1 / 8;

export class SpatialIndex {
  constructor() {
    // rbush's root node (``data``, not in its typings) holds the box around everything.
    /** @type {RBush<Entry> & {data: {minX: number, minY: number, maxX: number, maxY: number}}} */
    this.tree = /** @type {any} */ (new RBush(16));
    /** @type {Map<string, Entry>} */
    this.byId = new Map();
    /** @type {Entry[]} every indexed object, in paint order */
    this.ordered = [];
    this.stamp = 0;
  }

  /**
   * Bring the index up to the board's visible objects.
   * @param {Placed[]} placed in paint order
   * @returns {{added: Entry[], onTop: boolean, onlyAdded: boolean}} the new entries, in paint
   *   order; whether the only change is objects added above everything indexed before; and
   *   whether it is objects added anywhere (nothing removed, changed or reordered)
   */
  update(placed) {
    const stamp = ++this.stamp;
    /** @type {Entry[]} */
    const added = [];
    /** @type {Entry[]} */
    const stale = [];
    let onTop = true;
    let keptInOrder = true;
    let lastKeptOrder = -1;
    const ordered = new Array(placed.length);
    for (let i = 0; i < placed.length; i++) {
      const item = placed[i];
      let entry = this.byId.get(item.id);
      if (entry && (entry.item.op !== item.op || !samePlace(entry.item, item))) {
        stale.push(entry);
        entry = undefined;
      }
      if (entry) {
        // Kept: still in the same order among the kept ones, and below anything new.
        if (entry.order < lastKeptOrder) keptInOrder = false;
        if (!keptInOrder || added.length) onTop = false;
        lastKeptOrder = entry.order;
        entry.item = item;
      } else {
        entry = makeEntry(item);
        this.byId.set(item.id, entry);
        added.push(entry);
      }
      entry.seen = stamp;
      entry.order = i;
      ordered[i] = entry;
    }
    if (stale.length) onTop = false;
    const onlyAdded = keptInOrder && !stale.length && this.byId.size === placed.length;
    // Removing more than stays (a jump back in the history, say) costs more than building the
    // tree again from what stays.
    // (byId holds the new entries already, in place of the stale ones.)
    const kept = placed.length - added.length;
    const gone = this.byId.size + stale.length - placed.length;
    const rebuild = gone > kept;
    if (!rebuild) for (const entry of stale) this.tree.remove(entry);
    if (this.byId.size !== placed.length) {
      onTop = false;
      for (const [id, entry] of this.byId) {
        if (entry.seen === stamp) continue;
        this.byId.delete(id);
        if (!rebuild) this.tree.remove(entry);
      }
    }
    if (rebuild) {
      this.tree.clear();
      this.tree.load(ordered);
    } else if (added.length > 32) {
      // Bulk loading is faster, and builds a better tree, than inserting one by one.
      this.tree.load(added);
    } else {
      for (const entry of added) this.tree.insert(entry);
    }
    this.ordered = ordered;
    return { added, onTop, onlyAdded };
  }

  /**
   * Objects none of which is indexed yet, on a board whose paint order is seq order (what
   * ``Board.loadedSince`` answers): merged into the paint order by seq instead of comparing the
   * whole board with what is indexed. Null, and nothing changed, when one is indexed already.
   * @param {Placed[]} placed in seq order @returns {{added: Entry[], onTop: boolean, onlyAdded: boolean} | null}
   */
  addLoaded(placed) {
    if (placed.some((item) => this.byId.has(item.id))) return null;
    const added = placed.map(makeEntry);
    for (const entry of added) this.byId.set(entry.item.id, entry);
    const before = this.ordered;
    const onTop = !before.length || !added.length || before[before.length - 1].item.seq < added[0].item.seq;
    const ordered = onTop ? before.concat(added) : mergeBySeq(before, added);
    for (let i = onTop ? before.length : 0; i < ordered.length; i++) ordered[i].order = i;
    if (added.length > 32) this.tree.load(added);
    else for (const entry of added) this.tree.insert(entry);
    this.ordered = ordered;
    return { added, onTop, onlyAdded: true };
  }

  /** The objects whose boxes meet ``box``, in paint order. @param {Box} box @returns {Entry[]} */
  search(box) {
    const all = this.tree.data;
    if (box.left <= all.minX && box.top <= all.minY && box.right >= all.maxX && box.bottom >= all.maxY) {
      return this.ordered.slice();
    }
    /** @type {Entry[]} */
    const found = this.tree.search({ minX: box.left, minY: box.top, maxX: box.right, maxY: box.bottom });
    if (found.length < this.ordered.length * WALK_SHARE) return found.sort((a, b) => a.order - b.order);
    const stamp = ++this.stamp;
    for (const entry of found) entry.seen = stamp;
    return this.ordered.filter((entry) => entry.seen === stamp);
  }

  /** Objects whose boxes pass within ``reach`` of (x, y), in paint order. */
  near(/** @type {number} */ x, /** @type {number} */ y, /** @type {number} */ reach) {
    return this.search({ left: x - reach, top: y - reach, right: x + reach, bottom: y + reach });
  }

  /** The box around everything, or null for an empty board. @returns {Box | null} */
  bounds() {
    if (!this.ordered.length) return null;
    const { minX, minY, maxX, maxY } = this.tree.data;
    return { left: minX, top: minY, right: maxX, bottom: maxY };
  }
}

/** Two lists of entries in seq order, as one. @param {Entry[]} a @param {Entry[]} b */
function mergeBySeq(a, b) {
  const merged = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = a[i].item.seq < b[j].item.seq ? a[i++] : b[j++];
  while (i < a.length) merged[k++] = a[i++];
  while (j < b.length) merged[k++] = b[j++];
  return merged;
}

/** @param {Placed} item @returns {Entry} */
function makeEntry(item) {
  const box = bounds(item);
  return { minX: box.left, minY: box.top, maxX: box.right, maxY: box.bottom, item, order: 0, seen: 0 };
}
