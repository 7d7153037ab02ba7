// @ts-check
// The board page: wires the board state, the connection, the renderer, input and tools to the
// toolbar, the status indicator and the list of people.

import { Board } from "./board.js";
import { Connection } from "./connection.js";
import { downloadFrom, downloadPng, slug } from "./exporting.js";
import { bounds, union } from "./geometry.js";
import { newId } from "./ids.js";
import { hasChosenName, identity, knownLinks, rememberBoard, rememberLinks, rename, tokenFor } from "./identity.js";
import { Input, isTyping } from "./input.js";
import { Outbox } from "./outbox.js";
import { ERROR_CODES } from "./protocol.gen.js";
import { Renderer } from "./renderer.js";
import { eraser } from "./tools/eraser.js";
import { hand } from "./tools/hand.js";
import { freehand } from "./tools/pen.js";
import { selectTool } from "./tools/select.js";
import { shapeTool } from "./tools/shape.js";
import { textTool } from "./tools/text.js";
import { View } from "./view.js";

const boardId = decodeURIComponent(location.pathname.split("/").pop() ?? "");
const me = identity();
const token = tokenFor(boardId);
const board = new Board();
const view = new View();
const renderer = new Renderer(/** @type {HTMLElement} */ (document.getElementById("board")), board, view);
const scheme = location.protocol === "https:" ? "wss" : "ws";
const connection = new Connection(
  `${scheme}://${location.host}/ws/boards/${encodeURIComponent(boardId)}`,
  () => ({ user: me.user, name: me.name, color: me.color, token: token ?? undefined }),
  () => board.lastSeq,
);

const outbox = new Outbox(boardId);
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
const tools = {
  select: selectTool(context),
  hand: hand(),
  pen: freehand(context, "pen"),
  highlighter: freehand(context, "highlighter"),
  eraser: eraser(context),
  line: shapeTool(context, "line"),
  arrow: shapeTool(context, "arrow"),
  rect: shapeTool(context, "rect"),
  ellipse: shapeTool(context, "ellipse"),
  text: textTool(context, boardHost),
};
const SHORTCUTS = {
  v: "select", h: "hand", p: "pen", i: "highlighter", e: "eraser",
  l: "line", a: "arrow", r: "rect", o: "ellipse", t: "text",
};
/** @type {keyof typeof tools} */
let current = "pen";

const surface = /** @type {HTMLCanvasElement} */ (document.getElementById("board-canvas"));
new Input(surface, view, () => tools[current], viewChanged);

function viewChanged() {
  renderer.invalidate();
  /** @type {HTMLElement} */ (document.getElementById("zoom-level")).textContent =
    `${Math.round(view.scale * 100)}%`;
}

/** Zoom around the middle of the screen. @param {number} factor */
function zoomBy(factor) {
  view.zoomAt(innerWidth / 2, innerHeight / 2, factor);
  viewChanged();
}

function zoomToFit() {
  const box = union(board.visible().map(bounds));
  if (box) view.fit(box, innerWidth, innerHeight);
  else Object.assign(view, { x: 0, y: 0, scale: 1 });
  viewChanged();
}

function undo() {
  const own = board.undoable(me.user);
  const newest = own[own.length - 1];
  if (!newest || !canDraw()) return;
  redoStack.push(newest.op.id);
  submit({ kind: "undo", id: newId(), target: newest.op.id });
}

function redo() {
  const target = redoStack.pop();
  if (target && canDraw()) submit({ kind: "redo", id: newId(), target });
}

function clearBoard() {
  if (!canDraw() || !board.visible().length) return;
  if (confirm("Clear the whole board for everyone? You can undo it.")) {
    submit({ kind: "clear", id: newId() });
  }
}

function canDraw() {
  return role !== "viewer" && !(locked && role !== "owner");
}

/** @param {keyof typeof tools} name */
function pickTool(name) {
  if (current === "text" && name !== "text") tools.text.cancel();
  if (name !== "select") renderer.selected = new Set();
  current = name;
  for (const button of document.querySelectorAll("[data-tool]")) {
    button.classList.toggle("active", button.getAttribute("data-tool") === name);
  }
  surface.dataset.tool = name;
}

// ---- messages from the server

connection.addEventListener("message", (event) => {
  const message = /** @type {CustomEvent} */ (event).detail;
  switch (message.type) {
    case "welcome":
      if (message.head_seq < board.lastSeq) location.reload(); // a different copy of the board
      renderer.hold = message.head_seq - board.lastSeq > 200;
      role = message.role;
      locked = message.locked;
      isProtected = message.protected;
      setTitle(message.title);
      people.clear();
      for (const peer of message.peers) people.set(peer.peer, peer);
      people.set(message.peer, { peer: message.peer, user: me.user, name: `${me.name} (you)`, color: me.color });
      renderPeople();
      updateAccess();
      break;
    case "committed":
      if (board.applyCommitted(message.seq, message.author, message.op)) {
        const key = liveKeys.get(message.op.id);
        if (key) renderer.liveStrokes.delete(key);
        renderer.invalidate();
      }
      break;
    case "ack":
      board.acknowledge(message.id, message.seq);
      outbox.remove(message.id);
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
      if (stroke) {
        stroke.points.push(...message.points);
        stroke.updated = performance.now();
      } else {
        renderer.liveStrokes.set(key, { ...message, points: [...message.points], updated: performance.now() });
        liveKeys.set(message.stroke, key);
      }
      renderer.invalidate();
      break;
    }
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
  if (message.type === "synced" && renderer.hold) {
    renderer.hold = false;
    renderer.invalidate();
  }
  if (message.type === "ack" || message.type === "error" || message.type === "synced") updateStatus();
});

connection.addEventListener("state", updateStatus);
connection.addEventListener("outbox", updateStatus);
connection.addEventListener("ended", updateStatus);

// ---- the page around the board

const status = /** @type {HTMLElement} */ (document.getElementById("status"));
const ENDED = {
  "not-found": "Board not found",
  deleted: "This board was deleted",
  "link-required": "This board needs a valid link",
  kicked: "You were removed from this board",
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
  document.body.classList.toggle("read-only", !canDraw());
  document.body.classList.toggle("owner", role === "owner");
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
  } else if (key === "escape") {
    renderer.selected = new Set();
    renderer.invalidate();
  } else if (command || event.altKey) {
    return;
  } else if (event.shiftKey && key === "f") {
    zoomToFit();
  } else if (event.shiftKey && /^digit[1-4]$/i.test(event.code)) {
    const widths = [2, 4, 8, 16];
    document.querySelector(`[data-width="${widths[Number(event.code.slice(-1)) - 1]}"]`)?.dispatchEvent(new Event("click"));
  } else if (key === "+" || key === "=") {
    zoomBy(1.25);
  } else if (key === "-") {
    zoomBy(0.8);
  } else if (key === "0") {
    view.zoomAt(innerWidth / 2, innerHeight / 2, 1 / view.scale);
    viewChanged();
  } else if (key === "f") {
    toggleFill();
  } else if (/^[1-5]$/.test(key)) {
    document.querySelectorAll("[data-color]")[Number(key) - 1]?.dispatchEvent(new Event("click"));
  } else if (key in SHORTCUTS) {
    pickTool(/** @type {any} */ (SHORTCUTS[/** @type {keyof typeof SHORTCUTS} */ (key)]));
  }
});

function toggleFill() {
  style.fill = !style.fill;
  document.getElementById("fill")?.classList.toggle("active", style.fill);
}

document.getElementById("fill")?.addEventListener("click", toggleFill);
document.getElementById("zoom-in")?.addEventListener("click", () => zoomBy(1.25));
document.getElementById("zoom-out")?.addEventListener("click", () => zoomBy(0.8));
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
onMenu("rename", renameBoard);
onMenu("share", showShare);
onMenu("lock", async () => {
  const response = await fetch(api, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", ...linkHeaders() },
    body: JSON.stringify({ locked: !locked }),
  });
  if (!response.ok) throw new Error((await response.json()).detail ?? response.status);
});

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
onMenu("export-png-view", () => downloadPng(board, view, title, { width: innerWidth, height: innerHeight }));
onMenu("export-png-all", () => downloadPng(board, null, title, { width: innerWidth, height: innerHeight }));
onMenu("export-svg", () => downloadFrom(`${api}/export.svg`, `${slug(title)}.svg`, linkHeaders()));
onMenu("export-json", () => downloadFrom(`${api}/export.json`, `${slug(title)}.inkroom.json`, linkHeaders()));
onMenu("change-name", async () => {
  await askName();
  connection.socket?.close(); // rejoin under the new name
});

// Cursors: at most 20 updates a second.
let lastCursor = 0;
surface.addEventListener("pointermove", (event) => {
  const now = performance.now();
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
    visibleStrokes: () =>
      board.visible().map((item) => ({ id: item.id, author: item.author, seq: item.seq, ...item.op })),
    placed: () => board.visible().map(({ id, seq, dx, dy }) => ({ id, seq, dx, dy })),
    lastSeq: () => board.lastSeq,
    view: () => ({ x: view.x, y: view.y, scale: view.scale }),
    pending: () => connection.pending,
    lastInkMs: () => renderer.lastInkMs,
  },
});

pickTool("pen");
updateStatus();
start();

/** Show what this browser drew and could not yet send, then connect. */
async function start() {
  const saved = await outbox.all().catch(() => []);
  for (const op of saved) {
    board.applyLocal(me.user, op);
    connection.submit(op);
  }
  if (!hasChosenName()) await askName();
  connection.connect();
}

function askName() {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("name-dialog"));
  const input = /** @type {HTMLInputElement} */ (document.getElementById("name-input"));
  input.value = me.name;
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        const name = input.value.trim().replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 40);
        if (name) {
          me.name = name;
          rename(name);
        }
        resolve(undefined);
      },
      { once: true },
    );
  });
}
