// @ts-check
// What the board page starts before the rest of its modules have loaded (board.html runs this
// module on its own, ahead of app.js, whose imports take a few hundred milliseconds to arrive):
// reading this browser's copy of the board and its unsent operations from IndexedDB, the join on
// the socket first-socket.js opened (as soon as the copy's newest operation is known), and the
// snapshot worker, which starts reading the copy's parts, or fetching those a first visit's
// welcome offers, at once. What the server says meanwhile waits in the connection until the page
// listens (app.js).

import { BoardCache } from "./board-cache.js";
import { Connection } from "./connection.js";
import { boardId, firstSocket, socketUrl } from "./first-socket.js";
import { identity, tokenFor } from "./identity.js";
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
// A big board's snapshot is loaded in a worker: its modules load meanwhile, and the parts of the
// copy's snapshot are read (or those a first visit's welcome offers fetched) before the page can
// take them.
prepareLoader();
reading.then(([, copy]) => copy?.snapshot && fetchParts(copy.snapshot)).catch(() => {});

/** @param {import("./snapshots.js").SnapshotInfo} snapshot */
function fetchParts(snapshot) {
  fetchEarly({ board: boardId, snapshot, screen: firstScreen(boardId, snapshot), headers: linkHeaders() });
}

/** Whether this browser has a copy of the board (known once ``reading`` has settled). */
let copied = false;
let welcomed = false;

/** The board's connection; it joins now, and the page (app.js) answers later joins itself. */
export const connection = new Connection({
  url: socketUrl,
  identity: () => ({ user: me.user, name: me.name, color: me.color, token: token ?? undefined }),
  held: async () => {
    const [saved, copy] = await reading;
    connection.restore(saved); // sent again once synced; the page shows them (dispatch.js)
    copied = !!copy;
    return { lastSeq: copy?.lastSeq ?? 0, lastOp: copy?.lastOp ?? null };
  },
  outbox,
  first: firstSocket,
  untilListening: true,
  arrived: (message) => {
    // A first visit to a big board: its parts are fetched while the page's modules load.
    if (message.type !== "welcome" || welcomed) return;
    welcomed = true;
    if (message.snapshot && !copied) fetchParts(message.snapshot);
  },
});
connection.connect();
