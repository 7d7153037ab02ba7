// @ts-check
// Loads a board snapshot's parts off the page's main thread: from this browser's copy when it
// has them, else over HTTP (keeping them), decoded here and posted as entries.
//
// In: {board, seq, parts: part numbers in the order wanted, headers}.
// Out: {type: "part", part, entries: [seq, author, operation, extent?][]} for each part (a
//      stroke's extent is the [left, top, right, bottom] of its points, measured here), then
//      {type: "done"}, or {type: "failed", reason}.

import { decode } from "/vendor/msgpack/index.mjs";
import { decodePoints, joinStreams } from "./points.js";
import { database } from "./storage.js";

// The part format this page reads (server/snapshot.py). A copy of another format, kept by this
// browser or by a cache on the way, is fetched again.
const FORMAT = 2;
// Parts fetched at once: enough to keep the connection busy, few enough that the first ones
// (those on screen) arrive first.
const PARALLEL = 3;

/** @param {{board: string, seq: number, part: number, headers: Record<string, string>}} job */
async function fetchPart({ board, seq, part, headers }) {
  const db = await database();
  const key = [board, seq, part];
  /** @type {ArrayBuffer | undefined} */
  const kept = await db?.get("parts", key);
  /** @type {any} */
  let document = kept && decode(new Uint8Array(kept));
  // Fetched when not kept here; fetched again past the HTTP cache when of another format.
  for (const cache of /** @type {RequestCache[]} */ (["default", "reload"])) {
    if (document?.format === FORMAT) break;
    const url = `/api/boards/${encodeURIComponent(board)}/snapshots/${seq}/${part}`;
    const response = await fetch(url, { headers, cache });
    if (!response.ok) throw new Error(`part ${part}: HTTP ${response.status}`);
    const bytes = await response.arrayBuffer();
    document = decode(new Uint8Array(bytes));
    // A full disk costs only the copy.
    if (document?.format === FORMAT) await db?.put("parts", bytes, key).catch(() => {});
  }
  if (document?.format !== FORMAT || document.board !== board || document.seq !== seq) {
    throw new Error(`part ${part} is not the snapshot asked for`);
  }
  return entries(/** @type {any} */ (document));
}

/**
 * A part's entries, each stroke given back its points from the part's streams.
 * @param {{authors: string[], entries: any[][], counts: number[], first: Uint8Array, x: Uint8Array, y: Uint8Array, p: Uint8Array}} document
 */
function entries({ authors, entries, counts, first, x, y, p }) {
  const strokes = entries.filter(([, , op]) => op.kind === "stroke");
  if (strokes.length !== counts.length) throw new Error("the part's point counts do not match its strokes");
  joinStreams(counts, first, x, y, p).forEach((points, i) => {
    strokes[i][2].points = points;
  });
  return entries.map(([s, a, op]) =>
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
