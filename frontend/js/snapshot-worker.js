// @ts-check
// Loads a board snapshot's parts off the page's main thread: from this browser's copy when it
// has them, else over HTTP (keeping them), decoded here and posted as entries.
//
// In: {board, seq, parts: part numbers in the order wanted, headers}.
// Out: {type: "part", part, entries: [seq, author, operation, extent?][]} for each part (a
//      stroke's extent is the [left, top, right, bottom] of its points, measured here), then
//      {type: "done"}, or {type: "failed", reason}.

import { decode } from "/vendor/msgpack/index.mjs";
import { decodePoints } from "./points.js";
import { database } from "./storage.js";

// Parts fetched at once: enough to keep the connection busy, few enough that the first ones
// (those on screen) arrive first.
const PARALLEL = 3;

/** @param {{board: string, seq: number, part: number, headers: Record<string, string>}} job */
async function fetchPart({ board, seq, part, headers }) {
  const db = await database();
  const key = [board, seq, part];
  /** @type {ArrayBuffer | undefined} */
  let bytes = await db?.get("parts", key);
  if (!bytes) {
    const url = `/api/boards/${encodeURIComponent(board)}/snapshots/${seq}/${part}`;
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`part ${part}: HTTP ${response.status}`);
    bytes = await response.arrayBuffer();
    await db?.put("parts", bytes, key).catch(() => {}); // a full disk costs only the copy
  }
  const document = /** @type {any} */ (decode(new Uint8Array(bytes)));
  if (document.format !== 1 || document.board !== board || document.seq !== seq) {
    throw new Error(`part ${part} is not the snapshot asked for`);
  }
  const authors = document.authors;
  return document.entries.map((/** @type {any[]} */ [s, a, op]) =>
    op.kind === "stroke" ? [s, authors[a], op, extent(op.points)] : [s, authors[a], op],
  );
}

/** The box around a stroke's points. @param {Uint8Array} encoded */
function extent(encoded) {
  const points = decodePoints(encoded);
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i];
    const y = points[i + 1];
    if (x < left) left = x;
    if (x > right) right = x;
    if (y < top) top = y;
    if (y > bottom) bottom = y;
  }
  return [left, top, right, bottom];
}

/** Parts of this board's older snapshots are of no more use. @param {string} board @param {number} seq */
async function forgetOlder(board, seq) {
  const db = await database();
  await db?.delete("parts", IDBKeyRange.bound([board, 0, 0], [board, seq, 0], false, true));
}

self.onmessage = async (/** @type {MessageEvent} */ event) => {
  const { board, seq, parts, headers } = event.data;
  const queue = [...parts];
  try {
    const workers = Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
      while (queue.length) {
        const part = /** @type {number} */ (queue.shift());
        const entries = await fetchPart({ board, seq, part, headers });
        self.postMessage({ type: "part", part, entries });
      }
    });
    await Promise.all(workers);
    self.postMessage({ type: "done" });
    await forgetOlder(board, seq).catch(() => {});
  } catch (error) {
    self.postMessage({ type: "failed", reason: error instanceof Error ? error.message : String(error) });
  }
};
