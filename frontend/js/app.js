// @ts-check
// The board page: wires the board state, the connection, the renderer, input and tools to the
// toolbar, the status indicator and the list of people.

import { Board } from "./board.js";
import { boardPictures, installBoardImages } from "./board-images.js";
import { installClipboard } from "./clipboard.js";
import { Connection } from "./connection.js";
import { showDeadEnd } from "./dead-end.js";
import { followSelection } from "./drawn-by.js";
import { downloadFrom, downloadPng, slug } from "./exporting.js";
import { boardId, firstSocket, socketUrl } from "./first-socket.js";
import { newId } from "./ids.js";
import { HistoryPanel } from "./history.js";
import { heldToken, identity, knownLinks, rememberBoard, rememberLinks, tokenFor } from "./identity.js";
import { Input, isTyping } from "./input.js";
import { LockBanner } from "./lock-banner.js";
import { Naming } from "./naming.js";
import { cache, outbox, reading } from "./opening.js";
import { decodePoints, pointsOf } from "./points.js";
import { ERROR_CODES, LIMITS } from "./protocol.gen.js";
import { Renderer } from "./renderer.js";
import { Selection, gestureOf } from "./selection.js";
import { installSelectionKeys } from "./selection-keys.js";
import { discardLoader, loadSnapshot, snapshotBounds } from "./snapshots.js";
import { installStylePanel } from "./style-panel.js";
import { eraser } from "./tools/eraser.js";
import { hand } from "./tools/hand.js";
import { freehand } from "./tools/pen.js";
import { selectTool } from "./tools/select.js";
import { shapeTool } from "./tools/shape.js";
import { textTool } from "./tools/text.js";
import { TextEditor, typedByPeer } from "./text-editor.js";
import { TimelineFeed } from "./timeline.js";
import { Gestures } from "./transforming.js";
import { fitToolbar } from "./toolbar-fit.js";
import { View } from "./view.js";
import { nextZoomStep, zoomLabel } from "./zoom-steps.js";

const me = identity();
const token = tokenFor(boardId);
const board = new Board();
const view = new View();
const pictures = boardPictures(boardId, linkHeaders);
const renderer = new Renderer(/** @type {HTMLElement} */ (document.getElementById("board")), board, view, { pictures });
const connection = new Connection(
  socketUrl,
  () => ({ user: me.user, name: me.name, color: me.color, token: token ?? undefined }),
  async () => {
    await held;
    return { lastSeq: board.lastSeq, lastOp: board.lastOp };
  },
  firstSocket,
);

const naming = new Naming(me, joinUnderNewName);
const lockBanner = new LockBanner(`/api/boards/${encodeURIComponent(boardId)}`, linkHeaders);
/** Settles once the page knows what it holds: its unsent operations and its copy's newest one. */
let held = Promise.resolve();
/** Settles once this browser's copy of the board (if any) is loaded. */
let copyLoaded = Promise.resolve();
const style = {
  color: "#1e1e1e",
  width: 4,
  fill: false,
  get textSize() {
    return Math.max(12, this.width * 6);
  },
};
let title = "";
/** @type {string[]} own operations undone since the last new one, newest last */
const redoStack = [];
/** @type {Map<number, {peer: number, user: string, name: string, color: string}>} */
const people = new Map();
/** @type {Map<string, string>} stroke id -> key of its live stroke on the renderer */
const liveKeys = new Map();
let role = "editor";
let locked = false;
let isProtected = false;

/** Apply an operation here at once and send it. @param {{kind: string, id: string}} op */
function submit(op) {
  if (op.kind !== "undo" && op.kind !== "redo") redoStack.length = 0;
  board.applyLocal(me.user, op);
  // The status says "unsaved" (kept on this device) only once the outbox write has committed.
  outbox.put(op).catch(() => {}).finally(updateStatus);
  connection.submit(op);
  renderer.invalidate();
  updateStatus();
}

const context = { board, connection, renderer, view, style: () => style, submit };
const boardHost = /** @type {HTMLElement} */ (document.getElementById("board"));
const textEditor = new TextEditor(context, boardHost);
const selection = new Selection(context);
const gestures = new Gestures(renderer, connection);
const tools = {
  select: selectTool(context, selection, gestures, () => canDraw()),
  hand: hand(),
  pen: freehand(context, "pen"),
  highlighter: freehand(context, "highlighter"),
  eraser: eraser(context),
  line: shapeTool(context, "line"),
  arrow: shapeTool(context, "arrow"),
  rect: shapeTool(context, "rect"),
  ellipse: shapeTool(context, "ellipse"),
  text: textTool(context, textEditor),
};
const SHORTCUTS = {
  v: "select", h: "hand", p: "pen", i: "highlighter", e: "eraser",
  l: "line", a: "arrow", r: "rect", o: "ellipse", t: "text",
};
/** @type {keyof typeof tools} */
let current = "pen";

const surface = /** @type {HTMLCanvasElement} */ (document.getElementById("board-canvas"));
// While the History panel shows an earlier moment, the pointer can only pan.
new Input(surface, view, () => (history.isOpen ? tools.hand : tools[current]), viewChanged);
textEditor.editOnDoubleClick(surface, () => canDraw() && (current === "select" || current === "text"));

function viewChanged() {
  renderer.invalidate();
  saveView();
  /** @type {HTMLElement} */ (document.getElementById("zoom-level")).textContent =
    zoomLabel(view.scale);
}

/** Zoom around the middle of the screen to the next usual step. @param {1 | -1} direction */
function zoomStep(direction) {
  view.zoomAt(innerWidth / 2, innerHeight / 2, nextZoomStep(view.scale, direction) / view.scale);
  viewChanged();
}

function zoomToFit() {
  const box = renderer.contentBounds();
  if (box) view.fit(box, innerWidth, innerHeight);
  else Object.assign(view, { x: 0, y: 0, scale: 1 });
  viewChanged();
}

function undo() {
  const own = board.undoable(me.user);
  const newest = own[own.length - 1];
  if (!newest || !canDraw()) return;
  redoStack.push(newest.op.id);
  // A gesture sent as several operations is taken back whole.
  for (const id of gestureOf(newest.op.id)) {
    if (board.isActive(id)) submit({ kind: "undo", id: newId(), target: id });
  }
}

function redo() {
  const target = redoStack.pop();
  if (target && canDraw()) for (const id of gestureOf(target)) submit({ kind: "redo", id: newId(), target: id });
}

function clearBoard() {
  if (!canDraw() || !board.visible().length) return;
  if (confirm("Clear the whole board for everyone? You can undo it.")) {
    submit({ kind: "clear", id: newId() });
  }
}

function canDraw() {
  return !restoreRefused() && !history.isOpen;
}

/** Why this person may not change the board (and so not restore a version), if so. */
function restoreRefused() {
  if (role === "viewer") return "A view link cannot change the board.";
  if (locked && role !== "owner") return "The board is locked.";
  return null;
}

/** @param {keyof typeof tools} name */
function pickTool(name) {
  if (current === "text" && name !== "text") tools.text.cancel();
  if (name !== "select") selection.set([]);
  current = name;
  for (const button of document.querySelectorAll("[data-tool]")) {
    button.classList.toggle("active", button.getAttribute("data-tool") === name);
  }
  surface.dataset.tool = name;
}

// ---- messages from the server

// Messages that change the board are handled one at a time, in order: a welcome may first load
// this browser's copy or a snapshot, and what follows it waits for that. The rest (people,
// cursors, live ink) is shown at once.
const IMMEDIATE = new Set(["presence", "live", "typing", "transforming", "cursor", "board"]);
/** @type {any[]} */
const inbox = [];
let pumping = false;

connection.addEventListener("message", (event) => {
  const message = /** @type {CustomEvent} */ (event).detail;
  if (IMMEDIATE.has(message.type)) return handle(message);
  inbox.push(message);
  pump();
});

async function pump() {
  if (pumping) return;
  pumping = true;
  try {
    while (inbox.length) {
      const message = inbox.shift();
      if (message.type === "welcome") await welcomed(message);
      else handle(message);
    }
  } finally {
    pumping = false;
  }
  if (rejoinWanted && connection.state === "online") {
    rejoinWanted = false;
    connection.rejoin();
  }
}

let rejoinWanted = false;
/** A new name reaches the others by joining again, once this page has taken in what its join brought. */
function joinUnderNewName() {
  // Not connected: the next join carries the new name anyway.
  if (connection.state !== "syncing" && connection.state !== "online") return;
  rejoinWanted = true;
  pump();
}

/** Join the board's state with what the server is about to send. @param {any} message */
async function welcomed(message) {
  await copyLoaded;
  role = message.role;
  locked = message.locked;
  isProtected = message.protected;
  setTitle(message.title);
  people.clear();
  for (const peer of message.peers) people.set(peer.peer, peer);
  people.set(message.peer, { peer: message.peer, user: me.user, name: `${me.name} (you)`, color: me.color });
  renderPeople();
  updateAccess();
  if (!message.snapshot) discardLoader(); // nothing to load in the background after all
  if (message.snapshot) {
    await loadFromSnapshot(message.snapshot);
  } else if (message.resume > board.lastSeq) {
    // The join named a copy this page could not load after all: join again from nothing.
    inbox.length = 0;
    connection.socket?.close();
    return;
  } else if (message.resume < board.lastSeq || (message.resume === 0 && board.lastSeq > 0)) {
    // What this page holds is not this board's history as the server has it: start again.
    board.reset();
    await cache.drop();
    cache.start(null);
  } else if (message.resume === 0) {
    cache.start(null);
  }
  renderer.invalidate();
}

/** @param {{seq: number, parts: any[]}} snapshot */
async function loadFromSnapshot(snapshot) {
  board.reset();
  const screen = placeView(snapshot);
  /** @type {string | null} */
  let lastOp = null;
  renderer.arriving = true;
  try {
    await loadSnapshot({ board: boardId, snapshot, screen, headers: linkHeaders() }, (entries) => {
      board.load(entries);
      for (const [seq, , op] of entries) if (seq === snapshot.seq) lastOp = op.id;
      renderer.invalidate();
    });
  } catch (error) {
    // A snapshot replaced since the welcome, say: join again, and get the newest.
    console.warn("snapshot not loaded:", error);
    board.reset();
    await cache.drop();
    inbox.length = 0;
    connection.socket?.close();
    return;
  } finally {
    renderer.arriving = false;
  }
  board.loaded(snapshot.seq, lastOp);
  cache.start(snapshot);
  cache.started(lastOp);
}

let repairs = 0;

/** This page's board differs from the server's: load it again, without reloading the page. @param {number} seq */
function repair(seq) {
  repairs++;
  connection.sendControl({ type: "desync", seq });
  board.reset();
  cache.drop();
  inbox.length = 0;
  renderer.invalidate();
  connection.socket?.close(); // the join after it asks for everything
}

/** @param {any} message */
function handle(message) {
  switch (message.type) {
    case "committed":
      if (board.applyCommitted(message.seq, message.author, message.op)) {
        cache.record(message.seq, message.author, message.op);
        const key = liveKeys.get(message.op.id);
        if (key) renderer.liveStrokes.delete(key);
        gestures.committed(message.op.id);
        renderer.invalidate();
      }
      break;
    case "ack": {
      const own = board.entries.get(message.id);
      board.acknowledge(message.id, message.seq);
      if (own) cache.record(message.seq, me.user, own.op);
      renderer.invalidate(); // the board's version moved: the renderer catches up
      outbox.remove(message.id);
      break;
    }
    case "check":
      // The server's hash of the board after ``seq``: a page whose copy differs loads it again.
      if (board.lastSeq >= message.seq && board.stateHash(message.seq) !== message.hash) repair(message.seq);
      break;
    case "error":
      if (message.id && ![ERROR_CODES.STORAGE_UNAVAILABLE, ERROR_CODES.RATE_LIMITED].includes(message.code)) {
        board.drop(message.id);
        outbox.remove(message.id);
        renderer.invalidate();
      }
      if (message.code === ERROR_CODES.READ_ONLY) toast("This board is read-only for you.");
      break;
    case "presence":
      if (message.event === "joined") people.set(message.peer.peer, message.peer);
      else {
        people.delete(message.peer.peer);
        renderer.cursors.delete(message.peer.peer);
        gestures.left(message.peer.peer);
        for (const [stroke, key] of liveKeys) {
          if (key.startsWith(`${message.peer.peer}:`)) {
            renderer.liveStrokes.delete(key);
            liveKeys.delete(stroke);
          }
        }
      }
      renderPeople();
      break;
    case "live": {
      const key = `${message.peer}:${message.stroke}`;
      const stroke = renderer.liveStrokes.get(key);
      // Each live message is a standalone run of points (its first point absolute).
      const fresh = decodePoints(message.points, { maxPoints: LIMITS.MAX_LIVE_POINTS });
      if (stroke) {
        stroke.points.push(...fresh);
        stroke.updated = performance.now();
      } else {
        renderer.liveStrokes.set(key, { ...message, points: [...fresh], updated: performance.now() });
        liveKeys.set(message.stroke, key);
      }
      renderer.invalidate();
      break;
    }
    case "typing": {
      const key = `${message.peer}:${message.id}`;
      const typed = typedByPeer(message);
      if (typed) renderer.liveStrokes.set(key, typed);
      else renderer.liveStrokes.delete(key);
      liveKeys.set(message.id, key);
      renderer.invalidate();
      break;
    }
    case "transforming":
      gestures.received(message);
      break;
    case "cursor": {
      const peer = people.get(message.peer);
      if (peer) {
        renderer.cursors.set(message.peer, { x: message.x, y: message.y, name: peer.name, color: peer.color, updated: performance.now() });
        renderer.invalidate();
      }
      break;
    }
    case "board":
      setTitle(message.title);
      locked = message.locked;
      updateAccess();
      break;
  }
  if (message.type === "ack" || message.type === "error" || message.type === "synced") updateStatus();
}

connection.addEventListener("state", updateStatus);
connection.addEventListener("outbox", updateStatus);
connection.addEventListener("ended", () => {
  updateStatus();
  if (showDeadEnd(boardId, connection.endedBecause)) naming.withdraw();
});

// ---- the page around the board

const status = /** @type {HTMLElement} */ (document.getElementById("status"));
const ENDED = {
  "not-found": "Board not found",
  deleted: "This board was deleted",
  "link-required": "This board needs a valid link",
  kicked: "You were removed from this board",
  outdated: "inkroom was updated · reload this page",
};

function updateStatus() {
  const pending = connection.pending;
  let state;
  let text;
  if (connection.state === "closed") {
    state = connection.endedBecause === "not-found" ? "not-found" : "ended";
    text = ENDED[/** @type {keyof typeof ENDED} */ (connection.endedBecause)] ?? "Disconnected";
  } else if (connection.state === "offline") {
    state = "offline";
    if (outbox.unkept) text = "Offline · keeping on this device…";
    else text = pending ? `Offline · ${pending} unsaved` : "Offline · reconnecting";
  } else if (connection.state !== "online") {
    state = "connecting";
    text = "Connecting…";
  } else if (pending) {
    state = "saving";
    text = `Saving… (${pending})`;
  } else {
    state = "saved";
    text = "Saved";
  }
  // Called for every acknowledgement: touch the page only when something changed.
  if (status.dataset.state !== state) status.dataset.state = state;
  if (status.textContent !== text) status.textContent = text;
}

/** @param {string} newTitle */
function setTitle(newTitle) {
  title = newTitle;
  document.title = `${title} · inkroom`;
  /** @type {HTMLElement} */ (document.getElementById("title")).textContent = title;
  rememberBoard(boardId, title);
}

/** Headers that carry this browser's link to the board, if it has one. */
function linkHeaders() {
  /** @type {Record<string, string>} */
  const headers = token ? { "X-Board-Token": token } : {};
  return headers;
}

async function renameBoard() {
  const wanted = prompt("Rename this board", title)?.trim();
  if (!wanted || wanted === title) return;
  const response = await fetch(`/api/boards/${encodeURIComponent(boardId)}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", ...linkHeaders() },
    body: JSON.stringify({ title: wanted.slice(0, 100) }),
  });
  if (response.ok) setTitle((await response.json()).title);
  else toast(`Could not rename: ${(await response.json().catch(() => ({}))).detail ?? response.status}`);
}

function renderPeople() {
  const list = /** @type {HTMLElement} */ (document.getElementById("people"));
  list.replaceChildren(
    ...[...people.values()].map((peer) => {
      const item = document.createElement("li");
      const dot = document.createElement("span");
      dot.className = "dot";
      dot.style.setProperty("--color", peer.color);
      // <bdi>: a name's direction never reorders the text around it.
      const name = document.createElement("bdi");
      name.textContent = peer.name;
      item.append(dot, name);
      if (peer.user === me.user) item.append(naming.changeButton());
      if (role === "owner" && peer.user !== me.user) {
        const kick = document.createElement("button");
        kick.className = "kick";
        kick.title = `Remove ${peer.name} from the board`;
        kick.textContent = "✕";
        kick.addEventListener("click", () => {
          if (confirm(`Remove ${peer.name} from this board?`)) {
            connection.sendControl({ type: "kick", peer: peer.peer });
          }
        });
        item.append(kick);
      }
      return item;
    }),
  );
}

function updateAccess() {
  document.body.classList.toggle("read-only", !!restoreRefused());
  document.body.classList.toggle("owner", role === "owner");
  document.body.classList.toggle("history-open", history.isOpen);
  history.accessChanged();
  lockBanner.show(locked, role);
  /** @type {HTMLElement} */ (document.getElementById("lock")).textContent = locked
    ? "Unlock board"
    : "Lock board (read-only)";
  renderPeople();
}

/** @param {string} text */
function toast(text) {
  const element = /** @type {HTMLElement} */ (document.getElementById("toast"));
  element.textContent = text;
  element.classList.add("shown");
  setTimeout(() => element.classList.remove("shown"), 2500);
}

// ---- toolbar and keys

for (const button of document.querySelectorAll("[data-tool]")) {
  button.addEventListener("click", () => pickTool(/** @type {any} */ (button.getAttribute("data-tool"))));
}
for (const button of document.querySelectorAll("[data-color]")) {
  button.addEventListener("click", () => {
    style.color = /** @type {string} */ (button.getAttribute("data-color"));
    for (const other of document.querySelectorAll("[data-color]")) other.classList.toggle("active", other === button);
  });
}
const customColor = /** @type {HTMLInputElement} */ (document.getElementById("custom-color"));
customColor.addEventListener("input", () => {
  style.color = customColor.value;
  for (const other of document.querySelectorAll("[data-color]")) other.classList.remove("active");
});
for (const button of document.querySelectorAll("[data-width]")) {
  button.addEventListener("click", () => {
    style.width = Number(button.getAttribute("data-width"));
    for (const other of document.querySelectorAll("[data-width]")) other.classList.toggle("active", other === button);
  });
}
const selectionActive = () => current === "select" && !history.isOpen;
const boardImages = installBoardImages({
  board: boardId,
  pictures,
  headers: linkHeaders,
  headersOf: (other) => {
    const held = heldToken(other);
    /** @type {Record<string, string>} */
    const headers = held ? { "X-Board-Token": held } : {};
    return headers;
  },
  surface,
  view,
  show: (arriving) => {
    for (const key of [...renderer.liveStrokes.keys()]) if (key.startsWith("image:")) renderer.liveStrokes.delete(key);
    for (const image of arriving) {
      renderer.liveStrokes.set(`image:${image.id}`, { ...image, tool: "image", color: "", width: 1, points: [], updated: Infinity });
    }
    renderer.invalidate();
  },
  submit,
  canEdit: canDraw,
  tell: toast,
  placed: (ids) => {
    pickTool("select");
    selection.set(ids);
  },
  objects: () => board.entries.values(),
});
installClipboard({ selection, canEdit: canDraw, active: selectionActive, board: boardId, bring: boardImages.bring });
installSelectionKeys({ selection, canEdit: canDraw, active: selectionActive, scale: () => view.scale });
installStylePanel(/** @type {HTMLElement} */ (document.getElementById("style-panel")), { selection, canEdit: canDraw });
document.getElementById("undo")?.addEventListener("click", undo);
document.getElementById("redo")?.addEventListener("click", redo);
document.getElementById("clear")?.addEventListener("click", clearBoard);

addEventListener("keydown", (event) => {
  if (isTyping(event)) return;
  const key = event.key.toLowerCase();
  const command = event.ctrlKey || event.metaKey;
  if (command && key === "z") {
    event.preventDefault();
    if (event.shiftKey) redo();
    else undo();
  } else if (command && key === "y") {
    event.preventDefault();
    redo();
  } else if ((key === "delete" || key === "backspace") && renderer.selected.size) {
    event.preventDefault();
    if (canDraw()) tools.select.deleteSelection();
  } else if (key === "enter" && renderer.selected.size === 1 && canDraw()) {
    const item = board.visible().find((placed) => renderer.selected.has(placed.id));
    if (item?.op.kind === "text") {
      event.preventDefault();
      textEditor.edit(item);
    }
  } else if (key === "escape") {
    selection.set([]);
  } else if (command || event.altKey) {
    return;
  } else if (event.shiftKey && key === "f") {
    zoomToFit();
  } else if (event.shiftKey && key === "h") {
    history.toggle();
  } else if (event.shiftKey && /^digit[1-4]$/i.test(event.code)) {
    const widths = [2, 4, 8, 16];
    document.querySelector(`[data-width="${widths[Number(event.code.slice(-1)) - 1]}"]`)?.dispatchEvent(new Event("click"));
  } else if (key === "+" || key === "=") {
    zoomStep(1);
  } else if (key === "-") {
    zoomStep(-1);
  } else if (key === "0") {
    view.zoomAt(innerWidth / 2, innerHeight / 2, 1 / view.scale);
    viewChanged();
  } else if (key === "f") {
    toggleFill();
  } else if (/^[1-5]$/.test(key)) {
    document.querySelectorAll("[data-color]")[Number(key) - 1]?.dispatchEvent(new Event("click"));
  } else if (key === "g") {
    boardImages.pick();
  } else if (key in SHORTCUTS) {
    pickTool(/** @type {any} */ (SHORTCUTS[/** @type {keyof typeof SHORTCUTS} */ (key)]));
  }
});

function toggleFill() {
  style.fill = !style.fill;
  document.getElementById("fill")?.classList.toggle("active", style.fill);
}

document.getElementById("fill")?.addEventListener("click", toggleFill);
document.getElementById("zoom-in")?.addEventListener("click", () => zoomStep(1));
document.getElementById("zoom-out")?.addEventListener("click", () => zoomStep(-1));
document.getElementById("zoom-fit")?.addEventListener("click", zoomToFit);
document.getElementById("zoom-reset")?.addEventListener("click", () => {
  view.zoomAt(innerWidth / 2, innerHeight / 2, 1 / view.scale);
  viewChanged();
});
document.getElementById("title")?.addEventListener("click", renameBoard);

const menu = /** @type {HTMLElement} */ (document.getElementById("menu"));
document.getElementById("menu-button")?.addEventListener("click", (event) => {
  event.stopPropagation();
  menu.hidden = !menu.hidden;
});
addEventListener("click", () => (menu.hidden = true));
/** @param {string} id @param {() => Promise<void> | void} action */
function onMenu(id, action) {
  document.getElementById(id)?.addEventListener("click", async () => {
    menu.hidden = true;
    try {
      await action();
    } catch (error) {
      toast(`Failed: ${error instanceof Error ? error.message : error}`);
    }
  });
}
const api = `/api/boards/${encodeURIComponent(boardId)}`;
const feed = new TimelineFeed(`${api}/history`, linkHeaders);
const history = new HistoryPanel({
  board, renderer, feed, submit, restoreRefused,
  fileName: () => slug(title),
  toggled: () => {
    tools.text.cancel();
    updateAccess();
  },
});
followSelection(/** @type {HTMLElement} */ (document.getElementById("drawn-by")), { board, renderer, feed });
onMenu("history-open", () => history.toggle());
onMenu("rename", renameBoard);
onMenu("share", showShare);
onMenu("lock", () => lockBanner.setLocked(!locked));

/** The share dialog: the board's address, or on a protected board its edit and view links. */
function showShare() {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("share-dialog"));
  /** @type {HTMLElement} */ (document.getElementById("share-open")).hidden = isProtected;
  const rows = /** @type {HTMLElement} */ (document.getElementById("share-links"));
  const base = `${location.origin}/b/${boardId}`;
  const links = knownLinks(boardId);
  /** @type {[string, string, string | null][]} label, address, role to replace */
  const entries = isProtected
    ? [
        ["Can edit", links.editor ? `${base}#token=${links.editor}` : "", "editor"],
        ["Can view", links.viewer ? `${base}#token=${links.viewer}` : "", "viewer"],
      ]
    : [["Address", base, null]];
  rows.replaceChildren(
    ...entries.map(([label, address, linkRole]) => {
      const row = document.createElement("div");
      row.className = "share-row";
      const name = document.createElement("span");
      name.textContent = label;
      const field = document.createElement("input");
      field.readOnly = true;
      field.value = address || "(replace to see a new link)";
      const copy = document.createElement("button");
      copy.type = "button";
      copy.textContent = "Copy";
      copy.addEventListener("click", () => navigator.clipboard?.writeText(field.value));
      row.append(name, field, copy);
      if (linkRole && role === "owner") {
        const replace = document.createElement("button");
        replace.type = "button";
        replace.textContent = "Replace";
        replace.addEventListener("click", async () => {
          const response = await fetch(`${api}/links/${linkRole}`, { method: "POST", headers: linkHeaders() });
          if (!response.ok) return toast("Could not replace the link");
          const { token: fresh } = await response.json();
          rememberLinks(boardId, { [linkRole]: fresh });
          field.value = `${base}#token=${fresh}`;
        });
        row.append(replace);
      }
      return row;
    }),
  );
  dialog.showModal();
}
// While the History panel is open, the moment it shows.
const pngTitle = () => (history.moment ? `${title} at ${history.moment.at}` : title);
onMenu("export-png-view", () => downloadPng(history.source, view, pngTitle(), { width: innerWidth, height: innerHeight }, pictures));
onMenu("export-png-all", () => downloadPng(history.source, null, pngTitle(), { width: innerWidth, height: innerHeight }, pictures));
onMenu("export-svg", () => downloadFrom(`${api}/export.svg`, `${slug(title)}.svg`, linkHeaders()));
onMenu("export-json", () => downloadFrom(`${api}/export.json`, `${slug(title)}.inkroom.json`, linkHeaders()));
onMenu("change-name", () => naming.ask());

// Cursors: at most 20 updates a second.
let lastCursor = 0;
surface.addEventListener("pointermove", (event) => {
  const now = performance.now();
  if (history.isOpen) return; // looking at the past sends nothing
  if (now - lastCursor < 50) return;
  lastCursor = now;
  const rect = surface.getBoundingClientRect();
  const { x, y } = view.toBoard(event.clientX - rect.left, event.clientY - rect.top);
  connection.sendEphemeral({ type: "cursor", x, y });
});

addEventListener("beforeunload", (event) => {
  if (connection.pending) event.preventDefault(); // strokes not yet saved
});

// For tests: what the board shows, without reading pixels.
Object.assign(window, {
  inkroom: {
    // Stroke points decoded, so that tests read numbers.
    visibleStrokes: () =>
      board.visible().map((item) => ({
        id: item.id, author: item.author, seq: item.seq, ...item.op,
        ...(item.op.kind === "stroke" && { points: [...pointsOf(item.op)] }),
      })),
    placed: () => board.visible().map(({ id, seq, dx, dy, m, op }) => ({ id, seq, dx, dy, m: m ?? null, kind: op.kind, color: op.color, width: op.width ?? null, fill: op.fill ?? null, size: op.size ?? null })),
    // Images shown, with their places (as ``placed`` gives them).
    images: () =>
      board.visible().flatMap(({ id, dx, dy, m, op }) =>
        op.kind === "image" ? [{ id, dx, dy, m: m ?? null, hash: op.hash, x: op.x, y: op.y, w: op.w, h: op.h }] : [],
      ),
    // Objects shown where someone's gesture under way has them.
    previewed: () => [...renderer.previews.keys()],
    selectionBox: () => renderer.selectionBox(),
    lastSeq: () => board.lastSeq,
    // The moment the History panel shows, or null while it is closed.
    historyAt: () => history.moment?.at ?? null,
    // The History panel's pictures of moments are painted for the current view.
    historyPictured: () => history.moment?.keyframes?.complete ?? false,
    shownStrokes: () => history.source.visible().map(({ id, author }) => ({ id, author })),
    view: () => ({ x: view.x, y: view.y, scale: view.scale }),
    pending: () => connection.pending,
    repairs: () => repairs,
    // Removes an object from this page's copy only, as a desync would (for tests).
    dropLocally: (/** @type {string} */ id) => {
      board.drop(id);
      renderer.invalidate();
    },
    lastInkMs: () => renderer.lastInkMs,
    selected: () => [...renderer.selected],
    // Texts others are typing, as this page shows them.
    typing: () => [...renderer.liveStrokes.values()].filter((live) => live.tool === "text" && !live.own).map((live) => live.text),
    // The ink layer shows everything, sharp, for the current view.
    inkSettled: () => renderer.settled,
    // Draw the ink layer again from nothing, at once (what progressive drawing must match).
    redrawInk: () => renderer.drawInkNow(),
  },
});

pickTool("pen");
fitToolbar(
  /** @type {HTMLElement} */ (document.querySelector(".toolbar")),
  /** @type {HTMLElement} */ (document.getElementById("tools-overflow")),
);
naming.offer();
const restoredView = savedView();
if (restoredView) Object.assign(view, restoredView);
updateStatus();
start();

/**
 * Join on the socket first-socket.js opened, and meanwhile show what this browser drew and could
 * not yet send and start loading its copy of the board (read since opening.js ran): the join
 * waits only for the copy's newest operation, so that only what is newer comes back.
 */
function start() {
  performance.mark("inkroom:start"); // the page's own start ends here (benchmarks read it)
  held = readHeld();
  connection.connect();
}

async function readHeld() {
  const [saved, copy] = await reading;
  for (const op of saved) {
    board.applyLocal(me.user, op);
    connection.submit(op);
  }
  if (copy) {
    board.loaded(copy.lastSeq, copy.lastOp); // what the join names; the entries follow
    copyLoaded = loadCopy(copy);
  }
}

/** @param {import("./board-cache.js").Copy} copy */
async function loadCopy(copy) {
  const { lastSeq, lastOp } = copy;
  renderer.arriving = true;
  try {
    if (copy.snapshot) {
      const screen = placeView(copy.snapshot);
      await loadSnapshot({ board: boardId, snapshot: copy.snapshot, screen, headers: linkHeaders() }, (entries) => {
        board.load(entries);
        renderer.invalidate();
      });
    }
    board.load(copy.tail);
    board.loaded(lastSeq, lastOp);
  } catch (error) {
    console.warn("this browser's copy of the board is unusable:", error);
    board.reset();
    await cache.drop();
  } finally {
    renderer.arriving = false;
  }
}

/**
 * Where the person will look at a snapshot: where they last looked, or the whole drawing.
 * @param {import("./snapshots.js").SnapshotInfo} snapshot @returns {import("./snapshots.js").Box}
 */
function placeView(snapshot) {
  if (!savedView()) {
    const box = snapshotBounds(snapshot.parts);
    if (box) view.fit(box, innerWidth, innerHeight);
    viewChanged();
  }
  const topLeft = view.toBoard(0, 0);
  const bottomRight = view.toBoard(innerWidth, innerHeight);
  return { left: topLeft.x, top: topLeft.y, right: bottomRight.x, bottom: bottomRight.y };
}

const VIEW_KEY = `inkroom:view:${boardId}`;

/** Where this person last looked at this board, if they have been here. */
function savedView() {
  try {
    const saved = JSON.parse(localStorage.getItem(VIEW_KEY) ?? "null");
    if (saved && [saved.x, saved.y, saved.scale].every(Number.isFinite) && saved.scale > 0) return saved;
  } catch {
    // an unreadable entry counts as none
  }
  return null;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let viewSaveTimer;
function saveView() {
  clearTimeout(viewSaveTimer);
  viewSaveTimer = setTimeout(() => {
    localStorage.setItem(VIEW_KEY, JSON.stringify({ x: view.x, y: view.y, scale: view.scale }));
  }, 500);
}
