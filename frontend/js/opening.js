// @ts-check
// What the board page starts before the rest of its modules have loaded (board.html runs this
// module on its own, ahead of app.js, whose imports take a few hundred milliseconds to arrive):
// reading this browser's copy of the board and its unsent operations from IndexedDB, the join on
// the socket first-socket.js opened (as soon as it is open and the copy's newest operation is
// known), and the snapshot worker, which starts reading the copy's parts, or fetching those a
// first visit's welcome offers, at once. Its imports are few and shallow on purpose: msgpack's
// package (four levels of imports) is loaded only once the join is on its way.

import { BoardCache } from "./board-cache.js";
import { boardId, firstSocket } from "./first-socket.js";
import { identity, tokenFor } from "./identity.js";
import { encodeJoin, joinMessage } from "./joining.js";
import { Outbox } from "./outbox.js";
import { fetchEarly, prepareLoader } from "./snapshots.js";
import { firstScreen } from "./viewport.js";

performance.mark("inkroom:opening"); // when the page could first read its copy (benchmarks read it)

/** This browser's identity (renamed in place by the page). */
export const me = identity();
export const token = tokenFor(boardId);
/** Headers that carry this browser's link to the board, if it has one. @returns {Record<string, string>} */
export const linkHeaders = () => (token ? { "X-Board-Token": token } : {});

export const outbox = new Outbox(boardId);
export const cache = new BoardCache(boardId);
/** What this browser holds of the board: its unsent operations, and its copy (if any). */
export const reading = Promise.all([outbox.all().catch(() => []), cache.read()]);
// A big board's snapshot is loaded in a worker: its modules load meanwhile.
prepareLoader();

/** @param {import("./snapshots.js").SnapshotInfo} snapshot */
function fetchParts(snapshot) {
  fetchEarly({ board: boardId, snapshot, screen: firstScreen(boardId, snapshot), headers: linkHeaders() });
}

reading.then(([, copy]) => joinEarly(copy)).catch((error) => console.warn("early join:", error));

/**
 * Join on the first socket as soon as it is open, unless the connection took it over first.
 * @param {import("./board-cache.js").Copy | null} copy
 */
async function joinEarly(copy) {
  if (copy?.snapshot) fetchParts(copy.snapshot); // the copy's parts, read from this browser
  const early = firstSocket;
  if (!early || early.taken || early.socket.readyState > WebSocket.OPEN) return;
  if (early.socket.readyState !== WebSocket.OPEN) {
    await new Promise((resolve) => early.socket.addEventListener("open", resolve, { once: true }));
  }
  if (early.taken || early.socket.readyState !== WebSocket.OPEN) return;
  const held = { lastSeq: copy?.lastSeq ?? 0, lastOp: copy?.lastOp ?? null };
  early.socket.send(encodeJoin(joinMessage({ ...me, token: token ?? undefined }, held)));
  early.joined = held;
  if (copy) return;
  // A first visit to a big board: the parts its welcome offers are fetched while the page's
  // modules load.
  const [{ decode }, frame] = await Promise.all([import("@msgpack/msgpack"), firstFrame(early)]);
  if (early.taken) return; // the page takes the welcome in itself
  const welcome = /** @type {any[]} */ (decode(new Uint8Array(frame)))[0];
  if (welcome?.type === "welcome" && welcome.snapshot) fetchParts(welcome.snapshot);
}

/** The first frame the server sent (the welcome's). @param {import("./first-socket.js").EarlySocket} early */
function firstFrame(early) {
  /** @type {Promise<ArrayBuffer>} */
  const arrived = new Promise((resolve) => {
    if (early.frames.length) resolve(early.frames[0]);
    else early.socket.addEventListener("message", (event) => resolve(event.data), { once: true });
  });
  return arrived;
}
