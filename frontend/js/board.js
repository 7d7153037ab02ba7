// @ts-check
// The board's state as a pure function of its operations (server/board.py is the twin).
//
// Every operation but undo/redo is active unless the newest undo/redo of it (by its author) is an
// undo. An object is visible when the operation that created it is active, no active erase names
// it, and no active clear comes after it; its position adds the deltas of its active moves. The
// newest active restore starts the board from what showed at its moment; only what came after
// the restore applies on top. Any moment can be evaluated ("as of" a sequence number).
// Pending (not yet acknowledged) local operations sit after everything committed, in the order
// they were made, so the view converges to the server's once the acks arrive.

/** @typedef {{kind: string, id: string, [field: string]: any}} Operation */
/** @typedef {{seq: number, author: string, op: Operation}} Entry */
/** @typedef {{id: string, seq: number, author: string, op: Operation, dx: number, dy: number}} Placed */

import { EMPTY_STATE_HASH } from "./protocol.gen.js";

export const CREATING_KINDS = new Set(["stroke", "shape", "text"]);
const TOGGLES = new Set(["undo", "redo"]);
// Provisional sequence numbers of pending operations: above any real one.
const PENDING_BASE = 2 ** 52;
/** The offset of an object no move has moved (shared: never changed in place). */
const NOT_MOVED = Object.freeze(/** @type {const} */ ([0, 0]));

export class Board {
  constructor() {
    this._init();
  }

  _init() {
    /** @type {Map<string, Entry>} */
    this.entries = new Map();
    /** @type {Map<string, string[]>} object id -> erase operation ids */
    this.erasedBy = new Map();
    /** @type {Map<string, string[]>} object id -> move operation ids */
    this.movedBy = new Map();
    /** @type {Map<string, string[]>} operation id -> undo/redo operation ids aimed at it */
    this.toggledBy = new Map();
    /** @type {Set<string>} */
    this.clears = new Set();
    /** @type {Set<string>} */
    this.restores = new Set();
    /** @type {Set<string>} ids of operations not yet acknowledged */
    this.pending = new Set();
    this.lastSeq = 0;
    /** @type {string | null} the id of the operation stored as ``lastSeq`` */
    this.lastOp = null;
    this.pendingCount = 0;
    // Bumped on every change: renderers cache what they drew against it.
    this.version = 0;
    /** @type {Placed[] | null} */
    this._visible = null;
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
      known.seq = seq; // our own pending operation, confirmed by a replay
      this.pending.delete(op.id);
    } else {
      this._add({ seq, author, op });
    }
    this._changed();
    return true;
  }

  /** An operation made here, shown at once. @param {string} author @param {Operation} op */
  applyLocal(author, op) {
    this.pending.add(op.id);
    this._add({ seq: PENDING_BASE + this.pendingCount++, author, op });
    this._changed();
  }

  /** The server stored our operation ``id`` as ``seq``. @param {string} id @param {number} seq */
  acknowledge(id, seq) {
    const entry = this.entries.get(id);
    if (entry) entry.seq = seq;
    this.pending.delete(id);
    if (seq > this.lastSeq) {
      this.lastSeq = seq;
      this.lastOp = id;
    }
    this._changed();
  }

  /**
   * Committed operations in any order (a snapshot's parts arrive as they are fetched); the
   * rules above do not depend on it. ``lastSeq`` stays until ``loaded``.
   * @param {[number, string, Operation][]} entries seq, author, operation
   */
  load(entries) {
    for (const [seq, author, op] of entries) {
      if (!this.entries.has(op.id)) this._add({ seq, author, op });
    }
    this._changed();
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
    this._init();
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
    const { op } = entry;
    for (const target of op.targets ?? []) {
      remove(this.erasedBy, target, id);
      remove(this.movedBy, target, id);
    }
    if (op.target) remove(this.toggledBy, op.target, id);
    this.clears.delete(id);
    this.restores.delete(id);
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

  /** Visible objects now, in paint order. @returns {Placed[]} */
  visible() {
    this._visible ??= this.visibleAt(Infinity);
    return this._visible;
  }

  /** Visible objects as of ``at`` (the history view), in paint order. @param {number} at @returns {Placed[]} */
  visibleAt(at) {
    /** @type {Placed[]} */
    const placed = [];
    let sorted = true;
    for (const [id, [dx, dy]] of this._offsets(at)) {
      const entry = /** @type {Entry} */ (this.entries.get(id));
      if (sorted && placed.length && placed[placed.length - 1].seq > entry.seq) sorted = false;
      placed.push({ id, seq: entry.seq, author: entry.author, op: entry.op, dx, dy });
    }
    if (!sorted) placed.sort((a, b) => a.seq - b.seq);
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
   * Visible object ids and how far they moved, as of ``at``: from the newest restore in force
   * (what showed at its moment), or from nothing, then the operations after it.
   * @param {number} at @returns {Map<string, readonly [number, number]>}
   */
  _offsets(at) {
    // Written for boards of 100,000 objects (the history view evaluates any moment): one pass,
    // no allocation for an object that was never moved, erased or toggled.
    const restore = this.restoreInForce(at);
    const offsets = restore ? this._offsets(restore.op.at) : new Map();
    const floor = restore ? restore.seq : 0;
    /** @param {Entry | undefined} entry */
    const counts = (entry) => !!entry && entry.seq > floor && entry.seq <= at && this._activeEntry(entry, at);
    /** @param {string} id */
    const countsId = (id) => counts(this.entries.get(id));
    let lastClear = 0;
    for (const entry of this.entries.values()) {
      if (entry.seq <= floor || entry.seq > at) continue;
      const { kind } = entry.op;
      if (CREATING_KINDS.has(kind)) {
        if (counts(entry)) offsets.set(entry.op.id, NOT_MOVED);
      } else if (kind === "clear" && entry.seq > lastClear && counts(entry)) {
        lastClear = entry.seq;
      }
    }
    for (const [id, offset] of offsets) {
      const entry = /** @type {Entry} */ (this.entries.get(id));
      const erasers = this.erasedBy.get(id);
      if (entry.seq < lastClear || (erasers && erasers.some(countsId))) {
        offsets.delete(id);
        continue;
      }
      const movers = this.movedBy.get(id);
      if (!movers) continue;
      const moves = movers.filter(countsId).map((m) => /** @type {Entry} */ (this.entries.get(m)));
      if (!moves.length) continue;
      moves.sort((a, b) => a.seq - b.seq); // sums in sequence order, as the server's twin does
      let [dx, dy] = offset;
      for (const move of moves) {
        dx += move.op.dx;
        dy += move.op.dy;
      }
      offsets.set(id, [dx, dy]);
    }
    return offsets;
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

  /**
   * The state hash of every committed operation up to ``at``, which a ``check`` from the server
   * compares with the board's. @param {number} at
   */
  stateHash(at) {
    const committed = [...this.entries.values()].filter((e) => e.seq <= at && !this.pending.has(e.op.id));
    committed.sort((a, b) => a.seq - b.seq);
    let value = EMPTY_STATE_HASH;
    for (const { seq, author, op } of committed) value = nextStateHash(value, seq, author, op.kind, op.id);
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
    if (op.kind === "move") for (const t of op.targets) append(this.movedBy, t, op.id);
    if (op.kind === "clear") this.clears.add(op.id);
    if (op.kind === "restore") this.restores.add(op.id);
    if (TOGGLES.has(op.kind)) append(this.toggledBy, op.target, op.id);
  }

  _changed() {
    this.version++;
    this._visible = null;
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
