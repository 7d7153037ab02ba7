// @ts-check
// Operations not yet acknowledged, kept in IndexedDB so that a stroke drawn offline, or just
// before the tab closed, reaches the board the next time the page is open.

import { encodePoints } from "./points.js";

const DATABASE = "inkroom";
const STORE = "outbox";

/** @returns {Promise<IDBDatabase | null>} */
function open() {
  return new Promise((resolve) => {
    if (!("indexedDB" in globalThis)) return resolve(null);
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: ["board", "id"] });
      store.createIndex("board", "board");
    };
    request.onsuccess = () => resolve(request.result);
    // Private windows may refuse storage: the outbox then lives in memory only.
    request.onerror = () => resolve(null);
  });
}

export class Outbox {
  /** @param {string} board */
  constructor(board) {
    this.board = board;
    this.database = open();
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
      const database = await this.database;
      if (!database) return;
      const record = { board: this.board, id: op.id, op, order: this.order++ };
      const transaction = database.transaction(STORE, "readwrite", { durability: "strict" });
      transaction.objectStore(STORE).put(record);
      await committed(transaction);
    } finally {
      this.writing.delete(op.id);
    }
  }

  /** @param {string} id */
  async remove(id) {
    const database = await this.database;
    if (!database) return;
    const transaction = database.transaction(STORE, "readwrite");
    transaction.objectStore(STORE).delete([this.board, id]);
    await committed(transaction);
  }

  /** This board's operations in the order they were made. @returns {Promise<any[]>} */
  async all() {
    const database = await this.database;
    if (!database) return [];
    const index = database.transaction(STORE).objectStore(STORE).index("board");
    const records = /** @type {any[]} */ (await done(index.getAll(this.board)));
    records.sort((a, b) => a.order - b.order);
    return records.map((record) => compact(record.op));
  }
}

/** A stroke kept by an earlier version holds its points as a list of numbers. @param {any} op */
function compact(op) {
  return op.kind === "stroke" && Array.isArray(op.points) ? { ...op, points: encodePoints(op.points) } : op;
}

/** @param {IDBRequest} request */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** @param {IDBTransaction} transaction */
function committed(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve(undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}
