// @ts-check
// Operations not yet acknowledged, kept in IndexedDB so that a stroke drawn offline, or just
// before the tab closed, reaches the board the next time the page is open.

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
  }

  /** Keep an operation until ``remove``. @param {{id: string}} op */
  async put(op) {
    const database = await this.database;
    if (!database) return;
    const record = { board: this.board, id: op.id, op, order: this.order++ };
    await done(database.transaction(STORE, "readwrite").objectStore(STORE).put(record));
  }

  /** @param {string} id */
  async remove(id) {
    const database = await this.database;
    if (!database) return;
    await done(database.transaction(STORE, "readwrite").objectStore(STORE).delete([this.board, id]));
  }

  /** This board's operations in the order they were made. @returns {Promise<any[]>} */
  async all() {
    const database = await this.database;
    if (!database) return [];
    const index = database.transaction(STORE).objectStore(STORE).index("board");
    const records = /** @type {any[]} */ (await done(index.getAll(this.board)));
    records.sort((a, b) => a.order - b.order);
    return records.map((record) => record.op);
  }
}

/** @param {IDBRequest} request */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
