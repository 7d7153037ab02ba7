// @ts-check
// The page's IndexedDB database: operations not yet acknowledged (the outbox), and a copy of each
// board opened here (its snapshot parts and the operations after them), so that reopening a
// board asks the server only for what is new. The worker that loads snapshots opens it too, and
// so this module imports no package: workers do not see the page's import map, so each caller
// hands it idb's ``openDB`` as it could import it.

const NAME = "inkroom";
const VERSION = 2;

/** @type {Promise<import("idb").IDBPDatabase | null> | null} */
let opened = null;

/**
 * The database, or null where the browser refuses storage (some private windows) or has none
 * (node). @param {typeof import("idb").openDB} openDB
 */
export function database(openDB) {
  if (typeof indexedDB === "undefined") return Promise.resolve(null);
  opened ??= openDB(NAME, VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const outbox = db.createObjectStore("outbox", { keyPath: ["board", "id"] });
        outbox.createIndex("board", "board");
      }
      if (oldVersion < 2) {
        // One record per board: which snapshot the copy starts from and what came after it.
        db.createObjectStore("boards", { keyPath: "board" });
        // Snapshot parts as the server sent them (decompressed msgpack), by [board, seq, part].
        db.createObjectStore("parts");
      }
    },
    // Another tab opened a newer version: let it, and open again next time.
    blocking() {
      opened?.then((db) => db?.close());
      opened = null;
    },
  }).catch(() => null);
  return opened;
}
