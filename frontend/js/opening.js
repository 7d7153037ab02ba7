// @ts-check
// What the board page starts before the rest of its modules have loaded (board.html runs this
// module on its own, ahead of app.js, whose imports take a few hundred milliseconds to arrive):
// the board's socket handshake, reading this browser's copy of the board and its unsent
// operations from IndexedDB, and the snapshot worker's start. Its imports are few and shallow on
// purpose. The socket is handed to the connection (connection.js), which owns it from then on.

import { BoardCache } from "./board-cache.js";
import { Outbox } from "./outbox.js";
import { prepareLoader } from "./snapshots.js";

performance.mark("inkroom:opening"); // the first of the page's own code to run (benchmarks read it)

export const boardId = decodeURIComponent(location.pathname.split("/").pop() ?? "");
export const socketUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/boards/${encodeURIComponent(boardId)}`;

/** The board's socket, opening while the page loads (the join is sent once the page has loaded). */
export const firstSocket = openSocket();
export const outbox = new Outbox(boardId);
export const cache = new BoardCache(boardId);
/** What this browser holds of the board: its unsent operations, and its copy (if any). */
export const reading = Promise.all([outbox.all().catch(() => []), cache.read()]);
// A big board's snapshot is loaded in a worker: its modules load meanwhile.
prepareLoader();

function openSocket() {
  try {
    const socket = new WebSocket(socketUrl);
    socket.binaryType = "arraybuffer";
    return socket;
  } catch {
    return null; // the connection tries again, and says why it cannot
  }
}
