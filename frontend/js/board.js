// @ts-check
// The board's state as a pure function of its operations (server/board.py is the twin).
//
// Every operation but undo/redo is active unless the newest undo/redo of it (by its author) is an
// undo. An object is visible when the operation that created it is active, no active erase names
// it, and no active clear comes after it; its geometry is its own times the product of its active
// moves (translations) and transforms (matrices) in sequence order; a text reads as its newest
// active edit (or as typed); each style field (color, width, fill, size) is its newest active
// style's that sets it, or its own. Paint order is by (z, seq): z is the object's own seq, or the
// seq of the newest active order naming it ("front"), or minus that seq ("back"). The newest active restore starts the board
// from what showed at its moment; only what came after the restore applies on top. Any moment can be evaluated ("as of" a sequence number).
// Pending (not yet acknowledged) local operations sit after everything committed, in the order
// they were made, so the view converges to the server's once the acks arrive.

/** @typedef {{kind: string, id: string, [field: string]: any}} Operation */
/** @typedef {{seq: number, author: string, op: Operation}} Entry */
/** @typedef {[number, number, number, number, number, number]} Matrix a b c d e f, as canvas and SVG take it */
/**
 * @typedef {{id: string, seq: number, author: string, op: Operation, dx: number, dy: number, m?: Matrix}} Placed
 *   ``m`` maps the object's own coordinates to the board's when it was scaled or rotated (then
 *   ``dx``, ``dy`` are its last two terms); without it the object only moved by ``dx``, ``dy``
 */
/** @typedef {[Matrix, Operation?, Record<string, any>?, number?]} State where an object went, a text's newest edit, the style fields set on it, where an order put it */

import { EMPTY_STATE_HASH } from "./protocol.gen.js";

export const CREATING_KINDS = new Set(["stroke", "shape", "text", "image"]);
export const IDENTITY = /** @type {Matrix} */ (/** @type {unknown} */ (Object.freeze([1, 0, 0, 1, 0, 0])));
// The fields a style may set, and the kinds of object that have each (server/board.py's twin).
export const STYLE_FIELDS = Object.freeze({
  color: new Set(["stroke", "shape", "text"]),
  width: new Set(["stroke", "shape"]),
  fill: new Set(["shape"]),
  size: new Set(["text"]),
});
const TOGGLES = new Set(["undo", "redo"]);
// Provisional sequence numbers of pending operations: above any real one.
const PENDING_BASE = 2 ** 52;

export class Board {
  constructor() {
    /** @type {Map<string, Entry>} */
    this.entries = new Map();
    /** @type {Map<string, string[]>} object id -> erase operation ids */
    this.erasedBy = new Map();
    /** @type {Map<string, string[]>} object id -> move and transform operation ids */
    this.movedBy = new Map();
    /** @type {Map<string, string[]>} object id -> style operation ids */
    this.styledBy = new Map();
    /** @type {Set<string>} */
    this.styles = new Set();
    /** @type {Set<string>} bring-to-front and send-to-back operations */
    this.orders = new Set();
    /** @type {Map<string, string[]>} operation id -> undo/redo operation ids aimed at it */
    this.toggledBy = new Map();
    /** @type {Set<string>} */
    this.clears = new Set();
    /** @type {Set<string>} */
    this.restores = new Set();
    /** @type {Set<string>} */
    this.erases = new Set();
    /** @type {Set<string>} */
    this.moves = new Set();
    /** @type {Set<string>} */
    this.edits = new Set();
    /** @type {Map<string, string[]>} text id -> edit operation ids */
    this.editedBy = new Map();
    /** @type {Map<number, Entry>} committed operations by sequence number */
    this.bySeq = new Map();
    /** @type {{seq: number, value: number}} the state hash last computed, to go on from */
    this._hashed = { seq: 0, value: EMPTY_STATE_HASH };
    /** @type {Set<string>} ids of operations not yet acknowledged */
    this.pending = new Set();
    this.lastSeq = 0;
    /** @type {string | null} the id of the operation stored as ``lastSeq`` */
    this.lastOp = null;
    /** @type {number} */
    this.pendingCount = 0;
    /** @type {number} bumped on every change: renderers cache what they drew against it */
    this.version = 0;
    /** @type {Placed[] | null} */
    this._visible = null;
    /** @type {Placed[]} loaded objects still to join ``_visible`` (merged when it is next read) */
    this._arrivals = [];
    /**
     * The latest run of versions that only loaded objects on top of the paint order, and what
     * each added (``loadedSince``).
     * @type {{from: number, to: number, slices: {version: number, placed: Placed[]}[]} | null}
     */
    this._loads = null;
  }

  /**
   * A committed operation from the server. Returns false when it was already applied.
   * @param {number} seq @param {string} author @param {Operation} op
   */
  applyCommitted(seq, author, op) {
    if (seq <= this.lastSeq) return false;
    this.lastSeq = seq;
    this.lastOp = op.id;
    const known = this.entries.get(op.id);
    if (known) {
      this._confirm(known, seq); // our own pending operation, confirmed by a replay
    } else {
      const entry = { seq, author, op };
      this._add(entry);
      this.bySeq.set(seq, entry);
      this._patch(entry);
    }
    return true;
  }

  /** An operation made here, shown at once. @param {string} author @param {Operation} op */
  applyLocal(author, op) {
    this.pending.add(op.id);
    const entry = { seq: PENDING_BASE + this.pendingCount++, author, op };
    this._add(entry);
    this._patch(entry);
  }

  /** The server stored our operation ``id`` as ``seq``. @param {string} id @param {number} seq */
  acknowledge(id, seq) {
    const entry = this.entries.get(id);
    if (seq > this.lastSeq) {
      this.lastSeq = seq;
      this.lastOp = id;
    }
    if (entry) this._confirm(entry, seq);
    else this._changed();
  }

  /** A pending operation of ours is stored as ``seq``. @param {Entry} entry @param {number} seq */
  _confirm(entry, seq) {
    this._mergeArrivals();
    entry.seq = seq;
    this.pending.delete(entry.op.id);
    this.bySeq.set(seq, entry);
    const visible = this._visible;
    const index = visible ? findLast(visible, entry.op.id) : -1;
    // An order's place in paint order is its seq: confirmed, it may move what it ordered.
    if (entry.op.kind === "order") this._visible = null;
    else if (visible && index >= 0) {
      // Acks come in the order the operations were made: its place in paint order holds.
      visible[index] = { ...visible[index], seq };
      const before = visible[index - 1];
      const after = visible[index + 1];
      if ((before && before.seq > seq) || (after && after.seq < seq)) this._visible = null;
    }
    this.version++;
  }

  /**
   * Committed operations in any order (a snapshot's parts arrive as they are fetched); the
   * rules above do not depend on it. ``lastSeq`` stays until ``loaded``.
   * @param {[number, string, Operation][]} entries seq, author, operation
   */
  load(entries) {
    /** @type {Entry[]} */
    const fresh = [];
    for (const [seq, author, op] of entries) {
      if (this.entries.has(op.id)) continue;
      const entry = { seq, author, op };
      this._add(entry);
      this.bySeq.set(seq, entry);
      fresh.push(entry);
    }
    this._patchLoaded(fresh);
  }

  /**
   * Bring the cached visible list up to date with loaded operations: objects that nothing
   * erases, moves, edits, undoes or clears (the common case while a snapshot's parts arrive, whose
   * other operations come first) join it in paint order; anything else is worked out again from
   * the whole board. Either way the result is what ``visibleAt`` gives.
   * @param {Entry[]} fresh
   */
  _patchLoaded(fresh) {
    this.version++;
    if (!this._visible || this.clears.size || this.restores.size || this.orders.size) {
      this._changed();
      return;
    }
    const placed = [];
    for (const { seq, author, op } of fresh) {
      const { id } = op;
      if (
        !CREATING_KINDS.has(op.kind) ||
        this.erasedBy.has(id) ||
        this.movedBy.has(id) ||
        this.styledBy.has(id) ||
        this.editedBy.has(id) ||
        this.toggledBy.has(id)
      ) {
        this._changed();
        return;
      }
      placed.push({ id, seq, author, op, dx: 0, dy: 0 });
    }
    // Merged once when the list is next read, not once a slice.
    for (const item of placed) this._arrivals.push(item);
    placed.sort((a, b) => a.seq - b.seq);
    const run = this._loads;
    const slice = { version: this.version, placed };
    if (run && run.to === this.version - 1) {
      run.slices.push(slice);
      run.to = this.version;
    } else {
      this._loads = { from: this.version - 1, to: this.version, slices: [slice] };
    }
  }

  /**
   * The objects loaded since ``version``, in seq order, when that is all that changed since then
   * (and then paint order is seq order): an index keeps up with them without comparing the whole
   * board. Null when anything else changed. @param {number} version @returns {Placed[] | null}
   */
  loadedSince(version) {
    const run = this._loads;
    if (!run || run.to !== this.version || version < run.from) return null;
    const slices = run.slices.filter((slice) => slice.version > version);
    if (slices.length === 1) return slices[0].placed;
    return slices.map((slice) => slice.placed).reduce(mergeBySeq, []);
  }

  /** The cached visible list with what was loaded since it was last read. */
  _mergeArrivals() {
    if (!this._arrivals.length || !this._visible) return;
    this._arrivals.sort((a, b) => a.seq - b.seq);
    this._visible = mergeBySeq(this._visible, this._arrivals);
    this._arrivals = [];
  }

  /** Everything up to ``seq`` is loaded. @param {number} seq @param {string | null} lastOp */
  loaded(seq, lastOp) {
    this.lastSeq = seq;
    this.lastOp = lastOp;
    this._changed();
  }

  /** Forget everything committed (a copy that is not the server's); keep what is pending. */
  reset() {
    const kept = [...this.pending].map((id) => /** @type {Entry} */ (this.entries.get(id)));
    const { pendingCount, version } = this;
    Object.assign(this, new Board());
    this.pendingCount = pendingCount;
    this.version = version; // renderers compare versions: never go back
    for (const entry of kept) {
      this.pending.add(entry.op.id);
      this._add(entry);
    }
    this._changed();
  }

  /** The server refused our operation: it never happened. @param {string} id */
  drop(id) {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.pending.delete(id);
    if (this.bySeq.get(entry.seq) === entry) this.bySeq.delete(entry.seq);
    this._hashed = { seq: 0, value: EMPTY_STATE_HASH };
    const { op } = entry;
    for (const target of op.targets ?? []) {
      remove(this.erasedBy, target, id);
      remove(this.movedBy, target, id);
      remove(this.styledBy, target, id);
    }
    if (op.target) remove(this.toggledBy, op.target, id);
    if (op.kind === "edit") remove(this.editedBy, op.object, id);
    this.clears.delete(id);
    this.restores.delete(id);
    this.erases.delete(id);
    this.moves.delete(id);
    this.styles.delete(id);
    this.orders.delete(id);
    this.edits.delete(id);
    this._changed();
  }

  /**
   * Whether an operation counts as of ``at``: unless its author's newest undo/redo of it up to
   * then is an undo. @param {string} id @param {number} at
   */
  isActive(id, at = Infinity) {
    const entry = this.entries.get(id);
    return !!entry && entry.seq <= at && this._activeEntry(entry, at);
  }

  /** ``isActive`` for an entry at hand, as of ``at``. @param {Entry} entry @param {number} at */
  _activeEntry(entry, at) {
    const toggles = this.toggledBy.get(entry.op.id);
    if (!toggles) return true;
    let newest = null;
    for (const toggleId of toggles) {
      const toggle = this.entries.get(toggleId);
      if (!toggle || toggle.author !== entry.author || toggle.seq > at) continue;
      if (!newest || toggle.seq > newest.seq) newest = toggle;
    }
    return !newest || newest.op.kind === "redo";
  }

  /** Visible objects now, in paint order. @returns {Placed[]} */
  visible() {
    this._mergeArrivals();
    this._visible ??= this.visibleAt(Infinity);
    return this._visible;
  }

  /** Visible objects as of ``at`` (the history view), in paint order. @param {number} at @returns {Placed[]} */
  visibleAt(at) {
    /** @type {Placed[]} */
    const placed = [];
    let sorted = true;
    /** @type {Map<string, number> | null} */
    let zs = null;
    for (const [id, [m, edit, style, z]] of this._states(at)) {
      const entry = /** @type {Entry} */ (this.entries.get(id));
      if (sorted && placed.length && placed[placed.length - 1].seq > entry.seq) sorted = false;
      if (z !== undefined) (zs ??= new Map()).set(id, z);
      let op = edit ? edited(entry.op, edit) : entry.op;
      if (style) op = styled(op, style);
      /** @type {Placed} */
      const item = { id, seq: entry.seq, author: entry.author, op, dx: m[4], dy: m[5] };
      if (!movedOnly(m)) item.m = m;
      placed.push(item);
    }
    if (zs) {
      const order = /** @type {Map<string, number>} */ (zs);
      const zOf = (/** @type {Placed} */ item) => order.get(item.id) ?? item.seq;
      placed.sort((a, b) => zOf(a) - zOf(b) || a.seq - b.seq);
    } else if (!sorted) placed.sort((a, b) => a.seq - b.seq);
    return placed;
  }

  /** The newest restore in force as of ``at``, if any. @param {number} at */
  restoreInForce(at = Infinity) {
    /** @type {Entry | null} */
    let newest = null;
    for (const id of this.restores) {
      const entry = /** @type {Entry} */ (this.entries.get(id));
      if (entry.op.at >= entry.seq || !this.isActive(id, at)) continue;
      if (!newest || entry.seq > newest.seq) newest = entry;
    }
    return newest;
  }

  /**
   * Visible object ids, how far they moved and a text's newest edit, as of ``at``: from the
   * newest restore in force (what showed at its moment), or from nothing, then the operations
   * after it. @param {number} at @returns {Map<string, State>}
   */
  _states(at) {
    const restore = this.restoreInForce(at);
    /** @type {Map<string, State>} */
    const offsets = restore ? this._states(restore.op.at) : new Map();
    const floor = restore ? restore.seq : 0;
    /** @param {string} id */
    const counts = (id) => {
      const entry = this.entries.get(id);
      return !!entry && entry.seq > floor && this.isActive(id, at);
    };
    for (const [id, entry] of this.entries) {
      if (entry.seq <= floor || entry.seq > at || !CREATING_KINDS.has(entry.op.kind)) continue;
      if (!this.toggledBy.has(id) || this.isActive(id, at)) offsets.set(id, UNMOVED);
    }
    let lastClear = 0;
    for (const id of this.clears) {
      const entry = /** @type {Entry} */ (this.entries.get(id));
      if (counts(id) && entry.seq > lastClear) lastClear = entry.seq;
    }
    if (lastClear) {
      for (const id of offsets.keys()) {
        if (/** @type {Entry} */ (this.entries.get(id)).seq < lastClear) offsets.delete(id);
      }
    }
    for (const id of this.erases) {
      if (!counts(id)) continue;
      for (const target of /** @type {Entry} */ (this.entries.get(id)).op.targets) offsets.delete(target);
    }
    // Moves and transforms compose in sequence order, as the server's twin composes them.
    const moves = [...this.moves].filter(counts).map((id) => /** @type {Entry} */ (this.entries.get(id)));
    moves.sort((a, b) => a.seq - b.seq);
    for (const { op } of moves) {
      for (const target of op.targets) {
        const offset = offsets.get(target);
        if (offset) offsets.set(target, [moved(offset[0], op), offset[1], offset[2], offset[3]]);
      }
    }
    // The newest active edit of a text gives its words, as the server's twin decides.
    const edits = [...this.edits].filter(counts).map((id) => /** @type {Entry} */ (this.entries.get(id)));
    edits.sort((a, b) => a.seq - b.seq);
    for (const { op } of edits) {
      const offset = offsets.get(op.object);
      if (offset && this.entries.get(op.object)?.op.kind === "text") offsets.set(op.object, [offset[0], op, offset[2], offset[3]]);
    }
    const styles = [...this.styles].filter(counts).map((id) => /** @type {Entry} */ (this.entries.get(id)));
    styles.sort((a, b) => a.seq - b.seq);
    for (const { op } of styles) {
      for (const target of op.targets) {
        const offset = offsets.get(target);
        if (!offset) continue;
        const fields = styleFields(op, /** @type {Entry} */ (this.entries.get(target)).op.kind);
        if (fields) offsets.set(target, [offset[0], offset[1], { ...offset[2], ...fields }, offset[3]]);
      }
    }
    const orders = [...this.orders].filter(counts).map((id) => /** @type {Entry} */ (this.entries.get(id)));
    orders.sort((a, b) => a.seq - b.seq);
    for (const { seq, op } of orders) {
      for (const target of op.targets) {
        const offset = offsets.get(target);
        if (offset) offsets.set(target, [offset[0], offset[1], offset[2], op.to === "front" ? seq : -seq]);
      }
    }
    return offsets;
  }

  /**
   * The state hash of every committed operation up to ``at``, which a ``check`` from the server
   * compares with the board's. @param {number} at
   */
  stateHash(at) {
    let { seq, value } = this._hashed.seq <= at ? this._hashed : { seq: 0, value: EMPTY_STATE_HASH };
    for (seq += 1; seq <= at; seq++) {
      const entry = this.bySeq.get(seq);
      // A missing operation leaves the hash different from the server's: that is the point.
      if (entry && !this.pending.has(entry.op.id)) {
        value = nextStateHash(value, seq, entry.author, entry.op.kind, entry.op.id);
      }
    }
    this._hashed = { seq: at, value };
    return value;
  }

  /**
   * The user's own active operations, oldest first: what undo withdraws, newest first.
   * @param {string} user
   */
  undoable(user) {
    // A restore seals what came before it: undo reaches back to the restore, not past it.
    const floor = this.restoreInForce()?.seq ?? 0;
    /** @type {Entry[]} */
    const own = [];
    for (const [id, entry] of this.entries) {
      if (entry.seq < floor) continue;
      if (entry.author === user && !TOGGLES.has(entry.op.kind) && this.isActive(id)) {
        own.push(entry);
      }
    }
    return own.sort((a, b) => a.seq - b.seq);
  }

  /** @param {Entry} entry */
  _add(entry) {
    const { op } = entry;
    this.entries.set(op.id, entry);
    if (op.kind === "erase") for (const t of op.targets) append(this.erasedBy, t, op.id);
    if (op.kind === "move" || op.kind === "transform") for (const t of op.targets) append(this.movedBy, t, op.id);
    if (op.kind === "order") this.orders.add(op.id);
    if (op.kind === "style") {
      this.styles.add(op.id);
      for (const t of op.targets) append(this.styledBy, t, op.id);
    }
    if (op.kind === "clear") this.clears.add(op.id);
    if (op.kind === "restore") this.restores.add(op.id);
    if (op.kind === "erase") this.erases.add(op.id);
    if (op.kind === "move" || op.kind === "transform") this.moves.add(op.id);
    if (op.kind === "edit") {
      this.edits.add(op.id);
      append(this.editedBy, op.object, op.id);
    }
    if (TOGGLES.has(op.kind)) append(this.toggledBy, op.target, op.id);
  }

  /**
   * Bring the cached visible list up to date with one new operation, newer than everything
   * else (so active and counted): new objects go on top, erases remove, moves shift, edits
   * change a text's words; anything
   * else is worked out again from the whole board. The result is what ``visibleAt`` gives.
   * @param {Entry} entry
   */
  _patch(entry) {
    this._mergeArrivals();
    const visible = this._visible;
    const { op } = entry;
    this.version++;
    if (!visible) return;
    if (this.orders.size && !(CREATING_KINDS.has(op.kind) && this._newest(entry))) {
      // Paint order is not sequence order once something was brought forward or sent back; a
      // new object newer than everything still goes on top (its z, its seq, is the greatest).
      this._visible = null;
      return;
    }
    if (CREATING_KINDS.has(op.kind) && !this.erasedBy.has(op.id) && !this.toggledBy.has(op.id)) {
      let index = visible.length;
      while (index > 0 && visible[index - 1].seq > entry.seq) index--;
      visible.splice(index, 0, { id: op.id, seq: entry.seq, author: entry.author, op, dx: 0, dy: 0 });
    } else if (op.kind === "erase") {
      const targets = new Set(op.targets);
      this._visible = visible.filter((item) => !targets.has(item.id));
    } else if (op.kind === "move" && !this._transformedAmong(visible, op.targets)) {
      // (A scaled or rotated object may have pending transforms after this move, which do not
      // commute with it: worked out again.) A target named twice moves twice, as in the full evaluation.
      /** @type {Map<string, number>} */
      const times = new Map();
      for (const target of op.targets) times.set(target, (times.get(target) ?? 0) + 1);
      this._visible = visible.map((item) => {
        let n = times.get(item.id);
        if (!n) return item;
        let { dx, dy } = item;
        for (; n > 0; n--) {
          dx += op.dx;
          dy += op.dy;
        }
        return { ...item, dx, dy };
      });
    } else if (
      op.kind === "edit" && !this.toggledBy.has(op.id) && !this.styledBy.has(op.object) &&
      !this._editedLater(op.object, entry.seq)
    ) {
      this._visible = visible.map((item) =>
        item.id === op.object && item.op.kind === "text" ? { ...item, op: edited(this.entries.get(item.id)?.op ?? item.op, op) } : item,
      );
    } else {
      this._visible = null;
    }
  }

  /** Is ``entry`` newer than every other operation (committed or pending)? @param {Entry} entry */
  _newest(entry) {
    if (entry.seq >= PENDING_BASE) return entry.seq === PENDING_BASE + this.pendingCount - 1;
    return !this.pending.size && entry.seq === this.lastSeq;
  }

  /** Is one of ``targets`` scaled or rotated? @param {Placed[]} visible @param {string[]} targets */
  _transformedAmong(visible, targets) {
    const named = new Set(targets);
    return visible.some((item) => item.m && named.has(item.id));
  }

  /** Does an edit newer than ``seq`` name the object ``id``? @param {string} id @param {number} seq */
  _editedLater(id, seq) {
    for (const editId of this.editedBy.get(id) ?? []) {
      if (/** @type {Entry} */ (this.entries.get(editId)).seq > seq) return true;
    }
    return false;
  }

  _changed() {
    this.version++;
    this._visible = null;
    this._arrivals = [];
  }
}

/**
 * The board's state hash after one more operation: 32-bit FNV-1a over "seq:author:kind:id\n"
 * (server/protocol.py's ``next_state_hash``; ids, authors and kinds are ASCII).
 * @param {number} previous @param {number} seq @param {string} author @param {string} kind @param {string} id
 */
export function nextStateHash(previous, seq, author, kind, id) {
  let value = previous;
  const text = `${seq}:${author}:${kind}:${id}\n`;
  for (let i = 0; i < text.length; i++) value = Math.imul(value ^ text.charCodeAt(i), 16777619) >>> 0;
  return value;
}

const UNMOVED = /** @type {State} */ (/** @type {unknown} */ (Object.freeze([IDENTITY])));

/**
 * ``before`` then ``after``, as one matrix (server/board.py's ``compose``: the same arithmetic in
 * the same order, so both give the same bits). @param {Matrix} after @param {Matrix} before
 * @returns {Matrix}
 */
export function compose(after, before) {
  const [a, b, c, d, e, f] = after;
  const [ma, mb, mc, md, me, mf] = before;
  return [a * ma + c * mb, b * ma + d * mb, a * mc + c * md, b * mc + d * md, a * me + c * mf + e, b * me + d * mf + f];
}

/** Where ``matrix`` takes the point (x, y). @param {Matrix} m @param {number} x @param {number} y */
export function applyMatrix(m, x, y) {
  return { x: m[0] * x + m[2] * y + m[4], y: m[1] * x + m[3] * y + m[5] };
}

/**
 * Do two placed objects stand in the same place (same translation, same transform)?
 * @param {{dx: number, dy: number, m?: Matrix}} a @param {{dx: number, dy: number, m?: Matrix}} b
 */
export function samePlace(a, b) {
  if (a.dx !== b.dx || a.dy !== b.dy) return false;
  if (!a.m || !b.m) return a.m === b.m;
  return a.m === b.m || a.m.every((term, i) => term === /** @type {Matrix} */ (b.m)[i]);
}

/** Does the matrix only translate? @param {Matrix} m */
export function movedOnly(m) {
  return m[0] === 1 && m[1] === 0 && m[2] === 0 && m[3] === 1;
}

/** A matrix after a move or transform operation. @param {Matrix} m @param {Operation} op @returns {Matrix} */
function moved(m, op) {
  if (op.kind === "move") return [m[0], m[1], m[2], m[3], m[4] + op.dx, m[5] + op.dy];
  return compose(/** @type {Matrix} */ (op.matrix), m);
}

/**
 * The fields a style operation sets on an object of ``kind`` (a fill "none" is no fill), or null.
 * @param {Operation} op @param {string} kind
 */
function styleFields(op, kind) {
  /** @type {Record<string, any> | null} */
  let fields = null;
  for (const [name, kinds] of Object.entries(STYLE_FIELDS)) {
    const value = op[name];
    if (value === undefined || value === null || !kinds.has(kind)) continue;
    fields ??= {};
    fields[name] = value === "none" ? null : value;
  }
  return fields;
}

/** @type {WeakMap<Operation, Map<string, Operation>>} an operation as styles left it, one object per style */
const styledOps = new WeakMap();

/** An operation with style fields set. @param {Operation} op @param {Record<string, any>} style */
function styled(op, style) {
  const key = JSON.stringify(style);
  let byStyle = styledOps.get(op);
  if (!byStyle) styledOps.set(op, (byStyle = new Map()));
  let result = byStyle.get(key);
  if (!result) {
    result = { ...op, ...style };
    if (result.fill === null) delete result.fill;
    byStyle.set(key, result);
  }
  return result;
}

/** @type {WeakMap<Operation, Operation>} edit -> the text as it reads after it (one object each, so caches keyed by operation hold) */
const editedTexts = new WeakMap();

/** A text operation with the words of an edit. @param {Operation} text @param {Operation} edit */
function edited(text, edit) {
  let op = editedTexts.get(edit);
  if (!op || op.id !== text.id) {
    op = { ...text, text: edit.text };
    editedTexts.set(edit, op);
  }
  return op;
}

/** The index of the object ``id`` in a paint-ordered list, looking from the top. @param {Placed[]} list @param {string} id */
function findLast(list, id) {
  for (let i = list.length - 1; i >= 0; i--) if (list[i].id === id) return i;
  return -1;
}

/** Two paint-ordered lists as one. @param {Placed[]} a @param {Placed[]} b @returns {Placed[]} */
function mergeBySeq(a, b) {
  if (!b.length) return a;
  if (!a.length || a[a.length - 1].seq < b[0].seq) return a.concat(b);
  const merged = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = a[i].seq < b[j].seq ? a[i++] : b[j++];
  while (i < a.length) merged[k++] = a[i++];
  while (j < b.length) merged[k++] = b[j++];
  return merged;
}

/** @param {Map<string, string[]>} map @param {string} key @param {string} value */
function append(map, key, value) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** @param {Map<string, string[]>} map @param {string} key @param {string} value */
function remove(map, key, value) {
  const list = map.get(key);
  if (!list) return;
  const index = list.indexOf(value);
  if (index >= 0) list.splice(index, 1);
  if (!list.length) map.delete(key);
}
