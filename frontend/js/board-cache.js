// @ts-check
// This browser's copy of a board: the snapshot it was loaded from (its parts are kept by the
// snapshot worker) and every operation committed after it, so that reopening the board loads
// from here and asks the server only for what is new. A copy that the server does not recognize
// (another database, a restored backup), or of another format, is dropped, never trusted.

import { openDB } from "idb";
import { database } from "./storage.js";

// 2: points in 1/8 unit and 1/32 pressure (a copy of format 1 holds operations in other units).
const FORMAT = 2;
// Past this many operations after the snapshot the copy is dropped: a new join gets a newer
// snapshot instead.
const MAX_TAIL = 20_000;
const FLUSH_DELAY_MS = 1000;

// Where this browser notes what its copy of a board holds (its newest operation), beside the copy:
// localStorage is read at once, so that a reopened page joins without waiting for IndexedDB. The
// note is written only after the copy it describes, and the page checks it against the copy once
// read (connection.js): a note that does not match is never trusted.
const HELD_KEY = "inkroom.held.";

/** @typedef {[number, string, any]} Entry seq, author, operation */
/** @typedef {{format: number, board: string, snapshot: {seq: number, parts: any[]} | null, tail: Entry[], lastSeq: number, lastOp: string | null}} Copy */

/**
 * What this browser's copy of ``board`` held when last kept, as noted beside it (nothing held if
 * no note). @param {string} board @returns {import("./joining.js").Held}
 */
export function notedHeld(board) {
  try {
    const noted = JSON.parse(localStorage.getItem(HELD_KEY + board) ?? "null");
    if (Number.isSafeInteger(noted?.lastSeq) && (noted.lastOp === null || typeof noted.lastOp === "string")) {
      return { lastSeq: noted.lastSeq, lastOp: noted.lastOp };
    }
  } catch {
    // No storage, or not this format: as if nothing were held.
  }
  return { lastSeq: 0, lastOp: null };
}

/** What a copy holds (nothing, without one). @param {Copy | null} copy @returns {import("./joining.js").Held} */
export function heldBy(copy) {
  return { lastSeq: copy?.lastSeq ?? 0, lastOp: copy?.lastOp ?? null };
}

/** @param {string} board @param {import("./joining.js").Held | null} held what to note, or null to forget */
function note(board, held) {
  try {
    if (held) localStorage.setItem(HELD_KEY + board, JSON.stringify(held));
    else localStorage.removeItem(HELD_KEY + board);
  } catch {
    // Not noted: the next open reads the copy before it joins.
  }
}

export class BoardCache {
  /** @param {string} board */
  constructor(board) {
    this.board = board;
    /** @type {Copy | null} what is being kept, null while nothing is */
    this.copy = null;
    this.dirty = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    addEventListener("pagehide", () => this.flush());
  }

  /** The kept copy, if there is one of this format. @returns {Promise<Copy | null>} */
  async read() {
    const db = await database(openDB);
    /** @type {Copy | undefined} */
    const copy = await db?.get("boards", this.board).catch(() => undefined);
    if (!copy) return null;
    if (copy.format !== FORMAT || copy.board !== this.board) {
      await this.drop();
      return null;
    }
    this.copy = copy;
    return copy;
  }

  /**
   * Keep a new copy from this snapshot (or from nothing: a board replayed whole).
   * @param {{seq: number, parts: any[]} | null} snapshot
   */
  start(snapshot) {
    const seq = snapshot?.seq ?? 0;
    this.copy = { format: FORMAT, board: this.board, snapshot, tail: [], lastSeq: seq, lastOp: null };
    this._schedule();
  }

  /** The snapshot's last operation, once it is known. @param {string | null} lastOp */
  started(lastOp) {
    if (this.copy) this.copy.lastOp = lastOp;
  }

  /** An operation committed after the copy's newest. @param {number} seq @param {string} author @param {any} op */
  record(seq, author, op) {
    const copy = this.copy;
    if (!copy || seq <= copy.lastSeq) return;
    if (seq !== copy.lastSeq + 1 || copy.tail.length >= MAX_TAIL) {
      // A gap (or too long a tail) would make the copy wrong or slow: start over next time.
      this.drop();
      return;
    }
    copy.tail.push([seq, author, op]);
    copy.lastSeq = seq;
    copy.lastOp = op.id;
    this._schedule();
  }

  async drop() {
    this.copy = null;
    clearTimeout(this.timer);
    note(this.board, null);
    const db = await database(openDB);
    await db?.delete("boards", this.board).catch(() => {});
  }

  async flush() {
    clearTimeout(this.timer);
    if (!this.copy || !this.dirty) return;
    this.dirty = false;
    const db = await database(openDB);
    const copy = this.copy;
    if (!copy) return;
    const held = heldBy(copy); // what the put below keeps: it copies the copy as it is now
    const kept = await db?.put("boards", copy).then(() => true, () => false);
    // Noted once the copy is kept, and only if it is still the one kept.
    if (kept && this.copy === copy) note(this.board, held);
  }

  _schedule() {
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }
}
