// @ts-check
// The home page: a gallery of the boards this browser created or opened, and on a public gallery
// every open board on the server (rename, delete); a new board, or one imported from a file made
// by "Export JSON".

import { createBoard } from "./creating.js";
import { SORTS, isSortKey, matches, sorted } from "./gallery-order.js";
import { forgetBoard, knownBoards, rememberBoard, rememberLinks } from "./identity.js";
import { keepForOffline } from "./offline-app.js";
import { LIMITS } from "./protocol.gen.js";

/** @typedef {{id: string, title: string, created_at: string, updated_at: string, head_seq: number, locked: boolean, protected: boolean, opened?: number, offline?: boolean}} Board */

const list = /** @type {HTMLUListElement} */ (document.getElementById("board-list"));
const count = /** @type {HTMLElement} */ (document.getElementById("board-count"));
const newBoard = /** @type {HTMLButtonElement} */ (document.getElementById("new-board"));
const newBoardForm = /** @type {HTMLFormElement} */ (document.getElementById("new-board-form"));
const newTitle = /** @type {HTMLInputElement} */ (document.getElementById("new-title"));
newTitle.maxLength = LIMITS.MAX_TITLE_CHARS;
const importInput = /** @type {HTMLInputElement} */ (document.getElementById("import-file"));
const message = /** @type {HTMLElement} */ (document.getElementById("message"));
const messageText = /** @type {HTMLElement} */ (document.getElementById("message-text"));
const dropZone = /** @type {HTMLElement} */ (document.getElementById("drop-zone"));
const gallery = /** @type {HTMLElement} */ (document.querySelector("[data-gallery]"));
// The server marks the page when the instance is a public gallery (INKROOM_PUBLIC_GALLERY).
const publicGallery = gallery.dataset.gallery === "public";
if (publicGallery) {
  /** @type {HTMLElement} */ (document.getElementById("gallery-title")).textContent = "Boards on this server";
}

// ---- the API

/**
 * The JSON answer of an API request; an Error with the API's ``detail`` when it refuses.
 * @param {string} path @param {RequestInit} [init]
 */
async function api(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new Error("the server could not be reached");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw Object.assign(new Error(describe(body.detail) || `${response.status} ${response.statusText}`), {
      status: response.status,
    });
  }
  return response.status === 204 ? null : response.json();
}

/**
 * FastAPI's ``detail``: a sentence, or a list of validation errors ``{loc, msg}``.
 * @param {unknown} detail
 * @returns {string}
 */
function describe(detail) {
  if (typeof detail === "string") return detail;
  if (!Array.isArray(detail)) return "";
  const shown = detail.slice(0, 3).map((/** @type {{loc?: unknown[], msg?: string}} */ item) => {
    const where = Array.isArray(item.loc) ? item.loc.filter((part) => part !== "body").join(" › ") : "";
    return where ? `${where}: ${item.msg}` : String(item.msg);
  });
  const more = detail.length > shown.length ? ` (and ${detail.length - shown.length} more)` : "";
  return shown.join("; ") + more;
}

/**
 * The link token this browser holds for a board: an open board's only link is the owner's (made
 * when the board was created here, or imported here); a protected board's may be any role's.
 * @param {string} boardId
 */
function heldToken(boardId) {
  return localStorage.getItem(`inkroom.token.${boardId}`);
}

/** @param {string} boardId */
function boardHeaders(boardId) {
  /** @type {Record<string, string>} */
  const headers = { "Content-Type": "application/json" };
  const token = heldToken(boardId);
  if (token) headers["X-Board-Token"] = token;
  return headers;
}

// ---- messages

/** @param {string} what @param {unknown} [error] */
function showError(what, error) {
  const reason = error instanceof Error ? error.message : error ? String(error) : "";
  messageText.textContent = reason ? `${what}: ${reason}` : what;
  message.hidden = false;
}

function hideMessage() {
  message.hidden = true;
}

/** @type {HTMLElement} */ (document.getElementById("message-close")).addEventListener("click", hideMessage);

// ---- new board, import

// The name typed beside "New board" (Enter there creates it too); left blank, the board is
// offered a name when it is first shared.
newBoardForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  newBoard.disabled = true;
  hideMessage();
  try {
    await createBoard({
      protected: /** @type {HTMLInputElement} */ (document.getElementById("new-protected")).checked,
      title: newTitle.value,
    });
  } catch (error) {
    newBoard.disabled = false;
    showError("Could not create a board", error);
  }
});

importInput.addEventListener("change", async () => {
  const file = importInput.files?.[0];
  importInput.value = ""; // the same file may be picked again after a failure
  if (file) await importFile(file);
});

/** @param {File} file */
async function importFile(file) {
  hideMessage();
  /** @type {unknown} */
  let exported;
  try {
    exported = JSON.parse(await file.text());
  } catch {
    showError(`Could not import “${file.name}”: it is not a JSON file`);
    return;
  }
  if (!exported || typeof exported !== "object" || !Array.isArray(/** @type {any} */ (exported).operations)) {
    showError(`Could not import “${file.name}”: it is not a board saved with “Export JSON”`);
    return;
  }
  newBoard.disabled = true;
  try {
    const board = await api("/api/boards/import", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(exported),
    });
    rememberLinks(board.id, board.links);
    rememberBoard(board.id, board.title);
    location.assign(`/b/${board.id}`);
  } catch (error) {
    newBoard.disabled = false;
    showError(`Could not import “${file.name}”`, error);
  }
}

// Dropping an exported file anywhere on the page imports it too.
let dragDepth = 0;
/** @param {DragEvent} event */
const carriesFiles = (event) => Boolean(event.dataTransfer?.types.includes("Files"));
addEventListener("dragenter", (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  dragDepth++;
  dropZone.hidden = false;
});
addEventListener("dragover", (event) => {
  if (carriesFiles(event)) event.preventDefault();
});
addEventListener("dragleave", (event) => {
  if (!carriesFiles(event)) return;
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) dropZone.hidden = true;
});
addEventListener("drop", (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  dragDepth = 0;
  dropZone.hidden = true;
  const file = event.dataTransfer?.files[0];
  if (file) importFile(file);
});

// ---- the gallery

/** @param {string} iso */
function ago(iso) {
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  const days = Math.floor(seconds / 86400);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  return new Date(iso).toLocaleDateString();
}

const SVG = "http://www.w3.org/2000/svg";
const ICONS = {
  rename: ["M4 20h4L19 9l-4-4L4 16z", "M13 7l4 4"],
  delete: ["M4 7h16", "M10 11v6", "M14 11v6", "M6 7l1 13h10l1-13", "M9 7V4h6v3"],
};

/** @param {keyof typeof ICONS} name */
function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  for (const d of ICONS[name]) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** @param {keyof typeof ICONS} name @param {string} label */
function iconButton(name, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `icon-button ${name}`;
  button.title = label;
  button.setAttribute("aria-label", label);
  button.append(icon(name));
  return button;
}

/** @param {Board} board */
function card(board) {
  const item = document.createElement("li");
  item.className = "card";
  item.dataset.board = board.id;

  const thumb = document.createElement("div");
  thumb.className = "thumb";
  if (board.head_seq === 0) thumb.classList.add("blank");
  if (board.offline) thumb.classList.add("broken"); // its picture comes from the server
  const image = document.createElement("img");
  image.alt = "";
  image.decoding = "async";
  image.loading = "lazy";
  image.addEventListener("error", () => thumb.classList.add("broken"));
  // The ETag changes with every operation: the browser revalidates and re-downloads only then.
  // Images in it as their small copies: a thumbnail needs no more.
  const picture = `/api/boards/${board.id}/export.svg?thumbnail=true`;
  if (board.offline) image.hidden = true;
  else if (board.protected) showProtectedThumbnail(image, picture, board.id, thumb);
  else image.src = picture;
  thumb.append(image);

  const heading = document.createElement("h3");
  heading.className = "card-title";
  const link = document.createElement("a");
  link.className = "card-link";
  link.href = `/b/${board.id}`;
  link.textContent = board.title;
  link.title = board.title;
  heading.append(link);

  const meta = document.createElement("p");
  meta.className = "card-meta";
  const when = document.createElement("time");
  when.dateTime = board.updated_at;
  when.textContent = ago(board.updated_at);
  when.title = new Date(board.updated_at).toLocaleString();
  meta.append(when);
  const owned = Boolean(heldToken(board.id));
  if (owned) meta.append(badge("yours", "Yours"));
  if (board.locked) meta.append(badge("locked", "Locked"));
  if (board.offline) meta.append(badge("offline", "Offline"));

  const actions = document.createElement("div");
  actions.className = "card-actions";
  // Anyone may rename an open board; only its owners once it is locked. Nobody while offline.
  if (board.offline) {
    // Opened from what this browser keeps; renaming and deleting wait for the server.
  } else if (!board.locked || owned) {
    const rename = iconButton("rename", "Rename");
    rename.addEventListener("click", () => startRename(item, heading, link, board, rename));
    actions.append(rename);
  }
  if (owned && !board.offline) {
    const remove = iconButton("delete", "Delete");
    remove.addEventListener("click", () => deleteBoard(item, board, remove));
    actions.append(remove);
  }

  const body = document.createElement("div");
  body.className = "card-body";
  const text = document.createElement("div");
  text.className = "card-text";
  text.append(heading, meta);
  body.append(text, actions);
  item.append(thumb, body);
  return item;
}

/**
 * A protected board's picture needs its link, which an ``<img>`` cannot send: fetched with it.
 * @param {HTMLImageElement} image @param {string} path @param {string} boardId @param {HTMLElement} thumb
 */
async function showProtectedThumbnail(image, path, boardId, thumb) {
  try {
    const response = await fetch(path, { headers: boardHeaders(boardId) });
    if (!response.ok) throw new Error(String(response.status));
    const url = URL.createObjectURL(await response.blob());
    image.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    image.src = url;
  } catch {
    thumb.classList.add("broken");
  }
}

/** @param {string} kind @param {string} text */
function badge(kind, text) {
  const element = document.createElement("span");
  element.className = `badge ${kind}`;
  element.textContent = text;
  return element;
}

/**
 * Replaces the card's title with a text field: Enter (or leaving it) saves, Escape cancels.
 * @param {HTMLElement} item @param {HTMLElement} heading @param {HTMLAnchorElement} link
 * @param {Board} board @param {HTMLButtonElement} button
 */
function startRename(item, heading, link, board, button) {
  if (item.classList.contains("renaming")) return;
  hideMessage();
  const form = document.createElement("form");
  form.className = "rename-form";
  const input = document.createElement("input");
  input.name = "title";
  input.value = board.title;
  input.maxLength = LIMITS.MAX_TITLE_CHARS;
  input.autocomplete = "off";
  input.enterKeyHint = "done";
  input.setAttribute("aria-label", "Board title");
  form.append(input);
  heading.replaceChildren(form);
  item.classList.add("renaming");
  input.focus();
  input.select();

  let finished = false;
  /** @param {boolean} save */
  const finish = async (save) => {
    if (finished) return;
    finished = true;
    const wanted = input.value.trim();
    if (save && wanted && wanted !== board.title) {
      input.readOnly = true;
      try {
        const changed = await api(`/api/boards/${board.id}`, {
          method: "PATCH",
          headers: boardHeaders(board.id),
          body: JSON.stringify({ title: wanted }),
        });
        board.title = changed.title;
        link.textContent = link.title = changed.title;
        arrange();
      } catch (error) {
        showError(`Could not rename “${board.title}”`, error);
      }
    }
    heading.replaceChildren(link);
    item.classList.remove("renaming");
    if (document.activeElement === document.body || !document.activeElement) button.focus();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    finish(true);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      finish(false);
    }
  });
  input.addEventListener("blur", () => finish(true));
}

/** @param {HTMLElement} item @param {Board} board @param {HTMLButtonElement} button */
async function deleteBoard(item, board, button) {
  hideMessage();
  if (!confirm(`Delete “${board.title}” and everything drawn on it? This cannot be undone.`)) return;
  button.disabled = true;
  try {
    await api(`/api/boards/${board.id}`, { method: "DELETE", headers: boardHeaders(board.id) });
  } catch (error) {
    if (/** @type {{status?: number}} */ (error).status !== 404) {
      button.disabled = false;
      showError(`Could not delete “${board.title}”`, error);
      return;
    }
  }
  localStorage.removeItem(`inkroom.token.${board.id}`);
  forgetBoard(board.id);
  item.remove();
  showCount();
}

function showCount() {
  const cards = list.querySelectorAll(".card").length;
  count.textContent = cards ? String(cards) : "";
  if (cards) arrange();
  else {
    tools.hidden = noMatch.hidden = true;
    const empty = document.createElement("li");
    empty.className = "empty";
    const title = document.createElement("strong");
    title.textContent = "No boards yet";
    const hint = document.createElement("span");
    hint.textContent = "Start one with “New board”, or import a board you exported.";
    empty.append(title, hint);
    list.replaceChildren(empty);
  }
}

/** The server cannot be reached at all (not: it answered with a refusal). @param {unknown} error */
function isUnreachable(error) {
  return error instanceof Error && !("status" in error);
}

/** A public gallery that cannot be listed offline: this browser's boards are shown alone. @param {unknown} error @returns {Board[]} */
function orOffline(error) {
  if (isUnreachable(error)) return [];
  throw error;
}

/**
 * A card's board as this browser remembers it, for when the server cannot be asked.
 * @param {{id: string, title: string, opened: number}} known @returns {Board}
 */
function remembered(known) {
  const when = new Date(known.opened || Date.now()).toISOString();
  const title = known.title || "Untitled board";
  return { id: known.id, title, created_at: when, updated_at: when, head_seq: -1, locked: false, protected: false, offline: true };
}

/**
 * A remembered board as the server has it now; null when it is gone for this browser (deleted,
 * or its link replaced or revoked), which forgets it.
 * @param {string} boardId @returns {Promise<Board | null>}
 */
async function lookUp(boardId) {
  try {
    return await api(`/api/boards/${boardId}`, { headers: boardHeaders(boardId) });
  } catch (error) {
    const status = /** @type {{status?: number}} */ (error).status;
    if (status === 404 || status === 403) {
      forgetBoard(boardId);
      return null;
    }
    throw error;
  }
}

// ---- search and order

const tools = /** @type {HTMLElement} */ (document.getElementById("gallery-tools"));
const search = /** @type {HTMLInputElement} */ (document.getElementById("board-search"));
const order = /** @type {HTMLSelectElement} */ (document.getElementById("board-sort"));
const noMatch = /** @type {HTMLElement} */ (document.getElementById("no-match"));
// A few boards are found at a glance; from this many on, the gallery offers search and order.
const MANY_BOARDS = 4;
const SORT_KEY = "inkroom.gallery.sort";

/** The boards the gallery holds cards for (deleted ones drop out with their card). @type {Board[]} */
let inGallery = [];

for (const [key, label] of SORTS) order.append(new Option(label, key));
const savedOrder = localStorage.getItem(SORT_KEY);
order.value = isSortKey(savedOrder) ? savedOrder : SORTS[0][0];

/** Puts the cards in the chosen order and hides those the search leaves out. */
function arrange() {
  const key = order.value;
  if (!isSortKey(key)) return;
  /** @type {Map<string | undefined, HTMLElement>} */
  const cards = new Map();
  for (const item of /** @type {NodeListOf<HTMLElement>} */ (list.querySelectorAll(".card"))) cards.set(item.dataset.board, item);
  const present = inGallery.filter((board) => cards.has(board.id));
  let visible = 0;
  for (const board of sorted(present, key)) {
    const item = /** @type {HTMLElement} */ (cards.get(board.id));
    item.hidden = !matches(board.title, search.value);
    if (!item.hidden) visible++;
    if (list.lastElementChild !== item) list.append(item); // moved, not made again
  }
  const searching = search.value.trim() !== "";
  tools.hidden = present.length < MANY_BOARDS && !searching;
  count.textContent = searching ? `${visible} of ${present.length}` : String(present.length);
  noMatch.hidden = visible > 0;
  noMatch.textContent = `No board’s title has “${search.value.trim()}”.`;
}

search.addEventListener("input", arrange);
order.addEventListener("change", () => {
  localStorage.setItem(SORT_KEY, order.value);
  arrange();
});

// The server's list comes a page at a time (GET /api/boards answers at most 200 boards).
const LIST_PAGE = 200;

/** Every open board the server lists, most recently changed first. @returns {Promise<Board[]>} */
async function everyListedBoard() {
  /** @type {Map<string, Board>} */
  const boards = new Map();
  for (let offset = 0; ; offset += LIST_PAGE) {
    /** @type {Board[]} */
    const page = await api(`/api/boards?limit=${LIST_PAGE}&offset=${offset}`);
    // A board changed meanwhile moves up the list and may come again on a later page.
    for (const board of page) if (!boards.has(board.id)) boards.set(board.id, board);
    if (page.length < LIST_PAGE) return [...boards.values()];
  }
}

async function showBoards() {
  list.setAttribute("aria-busy", "true");
  try {
    // On a public gallery, the server lists its open boards; otherwise nobody else's boards are
    // listed, and this browser's are each fetched by its own id (which is what lets anyone in).
    /** @type {Board[]} */
    const listed = publicGallery ? await everyListedBoard().catch(orOffline) : [];
    const seen = new Set(listed.map((board) => board.id));
    const others = knownBoards().filter((known) => !seen.has(known.id));
    const found = await Promise.allSettled(others.map((known) => lookUp(known.id)));
    /** @type {Board[]} */
    const boards = [...listed];
    let failed = 0;
    let unreachable = 0;
    found.forEach((result, i) => {
      if (result.status === "fulfilled") {
        if (result.value) boards.push(result.value);
      } else if (isUnreachable(result.reason)) {
        // Offline: the board opens from what this browser keeps of it (the service worker).
        boards.push(remembered(others[i]));
        unreachable++;
      } else failed++;
    });
    const opened = new Map(knownBoards().map((known) => [known.id, known.opened]));
    for (const board of boards) board.opened = opened.get(board.id);
    inGallery = boards;
    list.replaceChildren(...boards.map(card));
    // A board that could not be reached now (network, server busy) stays remembered.
    const first = found.find(
      (result) => result.status === "rejected" && !isUnreachable(/** @type {PromiseRejectedResult} */ (result).reason),
    );
    if (unreachable) {
      showError("Offline: these are the boards this browser has opened, as it keeps them");
    } else if (first) {
      showError(`Could not load ${failed === 1 ? "one board" : `${failed} boards`}`, /** @type {PromiseRejectedResult} */ (first).reason);
    }
  } catch (error) {
    list.replaceChildren();
    showError("Could not load the boards", error);
  } finally {
    list.setAttribute("aria-busy", "false");
    showCount();
  }
}

// "3 min ago" keeps counting while the page stays open.
setInterval(() => {
  for (const time of list.querySelectorAll("time")) time.textContent = ago(time.dateTime);
}, 30_000);

// Coming back with the browser's Back button may show this page from its cache: refresh it.
addEventListener("pageshow", (event) => {
  if (event.persisted) showBoards();
});

showBoards();
keepForOffline();
