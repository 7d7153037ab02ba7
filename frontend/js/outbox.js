// @ts-check
// Operations not yet acknowledged, kept in IndexedDB so that a stroke drawn offline, or just
// before the tab closed, reaches the board the next time the page is open.

import { FORMER_UNITS, decodePoints, encodePoints } from "./points.js";
import { openDB } from "idb";
import { database } from "./storage.js";

// Records kept since points changed units say so; those without this are in the former units.
const POINTS = "1/8,1/32";

export class Outbox {
  /** @param {string} board */
  constructor(board) {
    this.board = board;
    this.order = Date.now();
    /** @type {Set<string>} ids written but whose transaction has not completed yet */
    this.writing = new Set();
  }

  /** Operations this page made that are not yet safely on this device. */
  get unkept() {
    return this.writing.size;
  }

  /**
   * Keep an operation until ``remove``. Resolves once the write has committed (the
   * transaction's ``complete``), not merely once the request succeeded: only then does the
   * operation survive the tab closing at once. @param {{id: string}} op
   */
  async put(op) {
    this.writing.add(op.id);
    try {
      const db = await database(openDB);
      if (!db) return; // no storage here: the outbox lives in memory only
      const transaction = db.transaction("outbox", "readwrite", { durability: "strict" });
      transaction.store.put({ board: this.board, id: op.id, op, order: this.order++, points: POINTS });
      await transaction.done;
    } finally {
      this.writing.delete(op.id);
    }
  }

  /** @param {string} id */
  async remove(id) {
    const db = await database(openDB);
    await db?.delete("outbox", [this.board, id]);
  }

  /** This board's operations in the order they were made. @returns {Promise<any[]>} */
  async all() {
    const db = await database(openDB);
    if (!db) return [];
    const records = await db.getAllFromIndex("outbox", "board", this.board);
    records.sort((a, b) => a.order - b.order);
    return records.map(current);
  }
}

/**
 * A kept operation in today's form: a stroke kept by an earlier version holds its points as a
 * list of numbers, or as bytes in the former units. @param {any} record
 */
function current({ op, points }) {
  if (op.kind !== "stroke" || points === POINTS) return op;
  if (Array.isArray(op.points)) return { ...op, points: encodePoints(op.points) };
  return { ...op, points: encodePoints(decodePoints(op.points, { units: FORMER_UNITS })) };
}
