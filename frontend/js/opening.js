// @ts-check
// What the board page starts before the rest of its modules have loaded (board.html runs this
// module on its own, ahead of app.js, whose imports take a few hundred milliseconds to arrive):
// reading this browser's copy of the board and its unsent operations from IndexedDB, and the
// snapshot worker's start. Its imports are few and shallow on purpose. The board's socket is
// opened sooner still, by first-socket.js.

import { BoardCache } from "./board-cache.js";
import { boardId } from "./first-socket.js";
import { Outbox } from "./outbox.js";
import { prepareLoader } from "./snapshots.js";

performance.mark("inkroom:opening"); // when the page could first read its copy (benchmarks read it)

export const outbox = new Outbox(boardId);
export const cache = new BoardCache(boardId);
/** What this browser holds of the board: its unsent operations, and its copy (if any). */
export const reading = Promise.all([outbox.all().catch(() => []), cache.read()]);
// A big board's snapshot is loaded in a worker: its modules load meanwhile.
prepareLoader();
