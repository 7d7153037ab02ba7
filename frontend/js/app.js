// @ts-check
// The board page: wires the board state, the connection, the renderer, input and tools to the
// toolbar, the status indicator and the list of people.

import { Board } from "./board.js";
import { Connection } from "./connection.js";
import { ERROR_CODES } from "./protocol.gen.js";
import { newId } from "./ids.js";
import { Input, isTyping } from "./input.js";
import { identity, rememberBoard, tokenFor } from "./identity.js";
import { Renderer } from "./renderer.js";
import { eraser } from "./tools/eraser.js";
import { freehand } from "./tools/pen.js";
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

const style = { color: "#1e1e1e", width: 4, fill: false, textSize: 24 };
/** @type {string[]} own operations undone since the last new one, newest last */
const redoStack = [];
/** @type {Map<number, {peer: number, user: string, name: string, color: string}>} */
const people = new Map();
/** @type {Map<string, string>} stroke id -> key of its live stroke on the renderer */
const liveKeys = new Map();
let role = "editor";
let locked = false;

/** Apply an operation here at once and send it. @param {{kind: string, id: string}} op */
function submit(op) {
  if (op.kind !== "undo" && op.kind !== "redo") redoStack.length = 0;
  board.applyLocal(me.user, op);
  connection.submit(op);
  renderer.invalidate();
  updateStatus();
}

const context = { board, connection, renderer, view, style: () => style, submit };
const tools = {
  pen: freehand(context, "pen"),
  highlighter: freehand(context, "highlighter"),
  eraser: eraser(context),
};
/** @type {keyof typeof tools} */
let current = "pen";

const surface = /** @type {HTMLCanvasElement} */ (document.getElementById("board-canvas"));
new Input(surface, view, () => tools[current], () => renderer.invalidate());

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
function selectTool(name) {
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
      role = message.role;
      locked = message.locked;
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
      break;
    case "error":
      if (message.id && ![ERROR_CODES.STORAGE_UNAVAILABLE, ERROR_CODES.RATE_LIMITED].includes(message.code)) {
        board.drop(message.id);
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
  updateStatus();
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
    text = pending ? `Offline · ${pending} unsaved` : "Offline · reconnecting";
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
  status.dataset.state = state;
  status.textContent = text;
}

/** @param {string} title */
function setTitle(title) {
  document.title = `${title} · inkroom`;
  /** @type {HTMLElement} */ (document.getElementById("title")).textContent = title;
  rememberBoard(boardId, title);
}

function renderPeople() {
  const list = /** @type {HTMLElement} */ (document.getElementById("people"));
  list.replaceChildren(
    ...[...people.values()].map((peer) => {
      const item = document.createElement("li");
      const dot = document.createElement("span");
      dot.className = "dot";
      dot.style.setProperty("--color", peer.color);
      item.append(dot, document.createTextNode(peer.name));
      return item;
    }),
  );
}

function updateAccess() {
  document.body.classList.toggle("read-only", !canDraw());
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
  button.addEventListener("click", () => selectTool(/** @type {any} */ (button.getAttribute("data-tool"))));
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
  if ((event.ctrlKey || event.metaKey) && key === "z") {
    event.preventDefault();
    if (event.shiftKey) redo();
    else undo();
  } else if ((event.ctrlKey || event.metaKey) && key === "y") {
    event.preventDefault();
    redo();
  } else if (!event.ctrlKey && !event.metaKey && !event.altKey) {
    const tool = { p: "pen", h: "highlighter", e: "eraser" }[key];
    if (tool) selectTool(/** @type {any} */ (tool));
  }
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
    lastSeq: () => board.lastSeq,
    view: () => ({ x: view.x, y: view.y, scale: view.scale }),
  },
});

selectTool("pen");
updateStatus();
connection.connect();
