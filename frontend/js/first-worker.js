// @ts-check
// The snapshot worker (snapshot-worker.js), started by one of the page's first scripts: this
// module imports nothing, so that the browser runs it as soon as it has it, and the worker's own
// modules load while the page's do. The opening module (through snapshots.js) hands it the job of
// reading this browser's copy, or of fetching what a first visit's welcome offers.

/** A module worker that loads a board snapshot's parts, told where the packages it imports are. */
export function startWorker() {
  const worker = new Worker(new URL("./snapshot-worker.js", import.meta.url), { type: "module" });
  // A worker does not see the page's import map: it imports the packages at the URLs the map
  // gives. Told in a message rather than in the worker's address, so that its address is the
  // file's own, which the browser's cache and the service worker's copy answer as they are.
  worker.postMessage({
    type: "packages",
    urls: { "@msgpack/msgpack": import.meta.resolve("@msgpack/msgpack"), idb: import.meta.resolve("idb") },
  });
  return worker;
}

/** @type {Worker | null} */
let first = startWorkerSafely();

function startWorkerSafely() {
  try {
    return startWorker();
  } catch {
    return null; // started again when needed, which says why it cannot
  }
}

/** The worker started as the page loaded, once (null after). */
export function takeFirstWorker() {
  const worker = first;
  first = null;
  return worker;
}
