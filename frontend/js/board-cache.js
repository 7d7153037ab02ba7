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

/** @typedef {[number, string, any]} Entry seq, author, operation */
/** @typedef {{format: number, board: string, snapshot: {seq: number, parts: any[]} | null, tail: Entry[], lastSeq: number, lastOp: string | null}} Copy */

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
    const db = await database(openDB);
    await db?.delete("boards", this.board).catch(() => {});
  }

  async flush() {
    clearTimeout(this.timer);
    if (!this.copy || !this.dirty) return;
    this.dirty = false;
    const db = await database(openDB);
    await db?.put("boards", this.copy).catch(() => {});
  }

  _schedule() {
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }
}
