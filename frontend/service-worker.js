// @ts-check
// The service worker: keeps the app (both pages as the server sends them, their scripts, styles
// and icons) so that a board opened once opens again without a network, from this browser's copy
// of it (board-cache.js) and with what is drawn meanwhile waiting in the outbox. It keeps no
// answer of the API: boards, images and snapshots stay where the page keeps them, or on the
// server. Served from the site's root (so that it covers / and /b/…) by server/routes/app_shell.py,
// which writes in the files to keep and the version they make up (a deploy is a new worker).
//
// Pages: from the network first, so that a deploy is picked up at once; the kept copy when the
// network fails or keeps the page waiting. Scripts of the current version folder: from the copy
// first, since a versioned file never changes. Anything else goes by as if there were no worker.

/** @typedef {{version: string, scripts: string, files: string[]}} Shell */
/** @typedef {Event & {waitUntil(promise: Promise<unknown>): void}} LifecycleEvent */
/** @typedef {LifecycleEvent & {request: Request, respondWith(response: Promise<Response>): void}} RequestEvent */
/** @typedef {LifecycleEvent & {addRoutes?: (rules: object[]) => Promise<void>}} InstallEvent */
/**
 * @typedef {object} WorkerScope what this script uses of its global scope
 * @property {() => Promise<void>} skipWaiting @property {{claim(): Promise<void>}} clients
 * @property {(type: string, listener: (event: any) => void) => void} addEventListener
 */

/** @type {Shell} */
const SHELL = /* shell (server/routes/app_shell.py) */ { version: "unversioned", scripts: "/static/unversioned/", files: [] };
const SHELL_CACHE = `inkroom-shell-${SHELL.version}`;
const KEPT = new Set(SHELL.files);
// Every board's page is the same page: kept once, under the address the worker fetches it at.
const BOARD_PAGE = "/static/board.html";
// A page the network has not sent after this long comes from the copy (the network's answer,
// when it comes, still replaces the copy for next time).
const PAGE_PATIENCE_MS = 5000;

const scope = /** @type {WorkerScope} */ (/** @type {unknown} */ (self));

scope.addEventListener("install", (/** @type {InstallEvent} */ event) => {
  event.waitUntil(keepShell().then(() => scope.skipWaiting()));
  routeAround(event);
});

scope.addEventListener("activate", (/** @type {LifecycleEvent} */ event) => {
  event.waitUntil(dropOldShells().then(() => scope.clients.claim()));
});

scope.addEventListener("fetch", (/** @type {RequestEvent} */ event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (request.mode === "navigate") {
    const kept = pageKey(url.pathname);
    if (kept) event.respondWith(networkFirst(request, kept));
  } else if (url.pathname.startsWith(SHELL.scripts)) {
    event.respondWith(cacheFirst(request));
  } else if (KEPT.has(url.pathname) && !url.search) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});

/**
 * Where the browser may answer without waking this worker (the static routing API, where the
 * browser has it): a versioned script from the kept copy, and the API from the network. A page
 * asks for some ninety scripts as it starts; each one handed to the fetch handler below waits
 * for this worker's thread, which took a reopened board's page 0.3 s longer to start on a
 * 2-core machine. What the kept copy lacks comes from the network.
 * @param {InstallEvent} event
 */
function routeAround(event) {
  if (!event.addRoutes) return; // every request goes through the handler, as before
  const routes = [
    { condition: { urlPattern: { pathname: `${SHELL.scripts}*` } }, source: { cacheName: SHELL_CACHE } },
    { condition: { urlPattern: { pathname: "/api/*" } }, source: "network" },
  ];
  event.waitUntil(event.addRoutes(routes).catch((error) => console.warn("no static routes:", error)));
}

async function keepShell() {
  const cache = await caches.open(SHELL_CACHE);
  // Versioned scripts may come from the browser's HTTP cache (they never change); the rest is
  // asked of the server, so that the copy is of this deploy.
  const requests = SHELL.files.map(
    (file) => new Request(file, { cache: file.startsWith(SHELL.scripts) ? "default" : "no-cache" }),
  );
  await cache.addAll(requests);
}

async function dropOldShells() {
  const names = await caches.keys();
  const old = names.filter((name) => name.startsWith("inkroom-shell-") && name !== SHELL_CACHE);
  await Promise.all(old.map((name) => caches.delete(name)));
}

/** The kept copy, or null where the browser refuses the storage: then the network answers. */
function openShell() {
  return caches.open(SHELL_CACHE).catch(() => null);
}

/** Which kept page answers a navigation to ``path``, if any. @param {string} path */
function pageKey(path) {
  if (path === "/") return "/";
  if (/^\/b\/[^/]+$/.test(path)) return BOARD_PAGE;
  return null;
}

/**
 * The network's answer, kept under ``key`` when it is a whole one; the kept copy when the network
 * fails or takes too long. @param {Request} request @param {string} key @returns {Promise<Response>}
 */
async function networkFirst(request, key) {
  const cache = await openShell();
  if (!cache) return fetch(request);
  const fromNetwork = fetch(request).then((response) => {
    // Not an unknown board's page (404), nor half an answer: only what the page is.
    if (response.status === 200 && response.type === "basic") cache.put(key, response.clone());
    return response;
  });
  fromNetwork.catch(() => {}); // a failure is answered below, whichever came first
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const impatient = new Promise((resolve) => {
    timer = setTimeout(resolve, PAGE_PATIENCE_MS);
  }).then(() => cache.match(key));
  try {
    const first = await Promise.race([fromNetwork, impatient]);
    if (first) return first;
    return await fromNetwork; // no copy to show meanwhile: wait for the network
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw error; // nothing kept: the browser says it is offline
  } finally {
    clearTimeout(timer);
  }
}

/** A versioned file: the kept copy, else the network's (then kept). @param {Request} request */
async function cacheFirst(request) {
  const cache = await openShell();
  if (!cache) return fetch(request);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 200) cache.put(request, response.clone());
  return response;
}
