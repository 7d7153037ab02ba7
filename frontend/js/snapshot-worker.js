// @ts-check
// Loads a board snapshot's parts off the page's main thread: from this browser's copy when it
// has them, else over HTTP (keeping them), decoded here and posted as entries.
//
// In: {type: "packages", urls} first (where its packages are), then {board, seq, parts: part
//     numbers in the order wanted, headers}, then {type: "taken"} each time the page has taken a
//     slice.
// Out: {type: "part", part, entries: [seq, author, operation][], strokes, points, bytes} for each
//      slice of a part (a part's entries come in several), then {type: "done"}, or {type:
//      "failed", reason}. ``entries`` holds the operations other than strokes; the strokes come
//      in columns (``Strokes`` in snapshots.js), which cost a fraction of what as many objects
//      cost to send (copied here, rebuilt there). A stroke's extent, the [left, top, right,
//      bottom] of its points, and its decoded points are worked out here, so that the page never
//      decodes a stroke. ``points`` (decoded, Float64Array) and ``bytes`` (the encoded points)
//      are handed over with the columns, not copied.

import { decodePoints, joinStreams } from "./points.js";
import { database } from "./storage.js";

// The packages, at the URLs the page's import map gives them, which a worker does not see: the
// page's first message says where (first-worker.js). Loading starts then; the first job waits.
/** @type {(urls: Record<string, string>) => void} */
let told = () => {};
/** @type {Promise<[typeof import("@msgpack/msgpack"), typeof import("idb")]>} */
const packages = new Promise((resolve) => {
  told = (urls) => resolve(Promise.all([import(urls["@msgpack/msgpack"]), import(urls.idb)]));
});
/** @type {typeof import("@msgpack/msgpack").decode} */
let decode;
/** @type {typeof import("idb").openDB} */
let openDB;

// The part format this page reads (server/snapshot.py). A copy of another format, kept by this
// browser or by a cache on the way, is fetched again.
const FORMAT = 2;
// Parts fetched at once: enough to keep the connection busy, few enough that the first ones
// (those on screen) arrive first.
const PARALLEL = 3;
// Entries posted at once: the page takes each slice in a short task, so that a pen stroke
// drawn meanwhile waits for none of them long.
const SLICE = 1024;
// Slices posted and not yet taken: the page's own events (its socket, a pen) queue between
// slices instead of behind all of them.
const IN_FLIGHT = 2;

let untaken = 0;
/** @type {(() => void)[]} */
const waiting = [];

/** Until the page has taken enough of what was posted to be sent more. */
function turn() {
  if (untaken < IN_FLIGHT) {
    untaken++;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(() => resolve(undefined))).then(() => {
    untaken++;
  });
}

function taken() {
  untaken--;
  waiting.shift()?.();
}

/**
 * A part's entries, checked to be of the snapshot asked for.
 * @param {{board: string, seq: number, part: number, headers: Record<string, string>}} job
 * @returns {Promise<{authors: string[], entries: any[][]}>}
 */
async function fetchPart({ board, seq, part, headers }) {
  const db = await database(openDB);
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
  return withPoints(/** @type {any} */ (document));
}

/**
 * A part with each stroke given back its points from the part's streams (format 2 keeps every
 * stroke's x, y and p apart, which compresses better).
 * @param {{authors: string[], entries: any[][], counts: number[], first: Uint8Array, x: Uint8Array, y: Uint8Array, p: Uint8Array}} document
 */
function withPoints(document) {
  const { entries, counts, first, x, y, p } = document;
  const strokes = entries.filter(([, , op]) => op.kind === "stroke");
  if (strokes.length !== counts.length) throw new Error("the part's point counts do not match its strokes");
  joinStreams(counts, first, x, y, p).forEach((points, i) => {
    strokes[i][2].points = points;
    strokes[i][3] = counts[i]; // how many points: where the next stroke's go (postSlice)
  });
  return document;
}

/**
 * Post entries[start..start+SLICE] of a part: the strokes as columns, their encoded points copied
 * into one buffer and their decoded points into another, everything but the operations' ids and
 * styles transferred. @param {number} part @param {string[]} authors @param {any[][]} entries
 * @param {number} start
 */
function postSlice(part, authors, entries, start) {
  const slice = entries.slice(start, start + SLICE);
  /** @type {any[][]} */
  const others = [];
  /** @type {any[][]} */
  const strokes = [];
  for (const entry of slice) (entry[2].kind === "stroke" ? strokes : others).push(entry);
  const n = strokes.length;
  // Every stroke's points decoded into one buffer (its size known from the part's counts).
  const points = new Float64Array(strokes.reduce((sum, [, , , count]) => sum + 3 * count, 0));
  let next = 0;
  const decoded = strokes.map(([, , op, count]) => {
    const flat = decodePoints(op.points, {}, { out: points, at: next });
    next += 3 * count;
    return flat;
  });
  const bytes = new Uint8Array(strokes.reduce((sum, [, , op]) => sum + op.points.length, 0));
  const columns = {
    seq: new Float64Array(n),
    author: new Uint16Array(n),
    authors,
    id: new Array(n),
    style: new Uint16Array(n),
    /** @type {string[]} */
    styles: [],
    ranges: new Uint32Array(4 * n),
    extents: new Float64Array(4 * n),
  };
  /** @type {Map<string, number>} */
  const styleIndex = new Map();
  next = 0;
  let nextByte = 0;
  strokes.forEach(([seq, author, op], k) => {
    const flat = decoded[k];
    bytes.set(op.points, nextByte);
    // The id and points hold their places in the style, so that the page rebuilds the operation
    // with its fields in the order they came.
    const key = JSON.stringify({ ...op, id: 0, points: 0 });
    let styleAt = styleIndex.get(key);
    if (styleAt === undefined) styleIndex.set(key, (styleAt = columns.styles.push(key) - 1));
    columns.seq[k] = seq;
    columns.author[k] = author;
    columns.id[k] = op.id;
    columns.style[k] = styleAt;
    const { ranges } = columns;
    ranges[4 * k] = next;
    ranges[4 * k + 1] = next + flat.length;
    ranges[4 * k + 2] = nextByte;
    ranges[4 * k + 3] = nextByte + op.points.length;
    measure(flat, columns.extents, 4 * k);
    next += flat.length;
    nextByte += op.points.length;
  });
  const named = others.map(([seq, author, op]) => [seq, authors[author], op]);
  const { seq, author, style, ranges, extents } = columns;
  const transfer = [points.buffer, bytes.buffer, seq.buffer, author.buffer, style.buffer, ranges.buffer, extents.buffer];
  self.postMessage({ type: "part", part, entries: named, strokes: columns, points, bytes }, { transfer });
}

/**
 * The box around a stroke's points, written as left, top, right, bottom into ``out`` from ``at``.
 * @param {Float64Array} points @param {Float64Array} out @param {number} at
 */
function measure(points, out, at) {
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
  out[at] = left;
  out[at + 1] = top;
  out[at + 2] = right;
  out[at + 3] = bottom;
}

/** Parts of this board's older snapshots are of no more use. @param {string} board @param {number} seq */
async function forgetOlder(board, seq) {
  const db = await database(openDB);
  await db?.delete("parts", IDBKeyRange.bound([board, 0, 0], [board, seq, 0], false, true));
}

self.onmessage = async (/** @type {MessageEvent} */ event) => {
  if (event.data.type === "taken") return taken();
  if (event.data.type === "packages") return told(event.data.urls);
  const { board, seq, parts, headers } = event.data;
  const queue = [...parts];
  try {
    [{ decode }, { openDB }] = await packages;
    const workers = Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
      while (queue.length) {
        const part = /** @type {number} */ (queue.shift());
        const { authors, entries } = await fetchPart({ board, seq, part, headers });
        for (let start = 0; start < entries.length; start += SLICE) {
          await turn();
          postSlice(part, authors, entries, start);
        }
        if (!entries.length) self.postMessage({ type: "part", part, entries: [] });
      }
    });
    await Promise.all(workers);
    self.postMessage({ type: "done" });
    await forgetOlder(board, seq).catch(() => {});
  } catch (error) {
    self.postMessage({ type: "failed", reason: error instanceof Error ? error.message : String(error) });
  }
};
