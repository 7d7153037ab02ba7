// @ts-check
// The board page: makes its parts and wires them together. The board's state (board.js), the
// connection with its operations on their way (connection.js), what the server says
// (dispatch.js), what is shown besides the objects (ephemeral.js), the renderer, input and
// tools, and around them the toolbar, keys, menu, people, status and History panel.

import { Access } from "./access.js";
import { Board } from "./board.js";
import { boardPictures, installBoardImages } from "./board-images.js";
import { installClipboard } from "./clipboard.js";
import { Connection } from "./connection.js";
import { Dispatcher } from "./dispatch.js";
import { followSelection } from "./drawn-by.js";
import { Ephemeral } from "./ephemeral.js";
import { downloadFrom, downloadPng, slug } from "./exporting.js";
import { boardId, firstSocket, socketUrl } from "./first-socket.js";
import { HistoryPanel } from "./history.js";
import { knownBoards } from "./identity.js";
import { Follow } from "./follow.js";
import { Input } from "./input.js";
import { LockBanner } from "./lock-banner.js";
import { installMenu } from "./menus.js";
import { Naming } from "./naming.js";
import { keepForOffline } from "./offline-app.js";
import { cache, linkHeaders, me, outbox, reading, token } from "./opening.js";
import { People } from "./people.js";
import { installProbes } from "./probes.js";
import { Renderer } from "./renderer.js";
import { Selection } from "./selection.js";
import { installSelectionKeys } from "./selection-keys.js";
import { showShare } from "./share.js";
import { showShortcuts } from "./shortcut-help.js";
import { installShortcuts } from "./shortcuts.js";
import { showStatus } from "./status.js";
import { installStylePanel } from "./style-panel.js";
import { TextEditor } from "./text-editor.js";
import { TimelineFeed } from "./timeline.js";
import { BoardTitle } from "./title.js";
import { toast } from "./toast.js";
import { fitToolbar } from "./toolbar-fit.js";
import { labelControls } from "./tooltips.js";
import { Toolbar, installZoomButtons } from "./toolbar.js";
import { eraser } from "./tools/eraser.js";
import { hand } from "./tools/hand.js";
import { laserTool } from "./tools/laser.js";
import { freehand } from "./tools/pen.js";
import { selectTool } from "./tools/select.js";
import { shapeTool } from "./tools/shape.js";
import { textTool } from "./tools/text.js";
import { Gestures } from "./transforming.js";
import { Undo } from "./undo.js";
import { View } from "./view.js";
import { Viewport } from "./viewport.js";

/** @param {string} id */
const element = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const api = `/api/boards/${encodeURIComponent(boardId)}`;

const board = new Board();
const view = new View();
const ephemeral = new Ephemeral();
const pictures = boardPictures(boardId, linkHeaders);
const renderer = new Renderer(element("board"), board, view, { ephemeral, pictures });
const viewport = new Viewport(view, boardId, () => renderer.invalidate(), () => renderer.contentBounds());
/** @type {Connection} */
const connection = new Connection({
  url: socketUrl,
  identity: () => ({ user: me.user, name: me.name, color: me.color, token: token ?? undefined }),
  held: () => dispatcher.held(),
  outbox,
  first: firstSocket,
});
const access = new Access();
const title = new BoardTitle(boardId, linkHeaders);
// The title this browser last saw, until the server's welcome says it (none comes offline).
const seen = knownBoards().find((known) => known.id === boardId);
if (seen) title.show(seen.title);
const naming = new Naming(me, () => dispatcher.joinUnderNewName());
const lockBanner = new LockBanner(api, linkHeaders);
const follow = new Follow(viewport, connection);
const people = new People(element("people"), {
  user: me.user,
  follow,
  changeName: () => naming.changeButton(),
  mayRemove: () => access.role === "owner",
  remove: (person) => connection.sendControl({ type: "kick", peer: person.peer }),
});
/** @type {Dispatcher} */
const dispatcher = new Dispatcher({
  boardId, me, board, connection, cache, reading, renderer, ephemeral, people, follow, access, title, viewport,
  headers: linkHeaders,
}); // prettier-ignore

/** Apply an operation here at once and send it (the connection keeps it until it is stored). @param {import("./board.js").Operation} op */
function submit(op) {
  undo.made(op);
  board.applyLocal(me.user, op);
  connection.submit(op);
  renderer.invalidate();
}

const canDraw = () => !access.refusal() && !history.isOpen;
const undo = new Undo({ board, user: me.user, submit, canEdit: canDraw });

// ---- tools

const toolbar = new Toolbar(/** @type {keyof typeof tools} */ ("pen"), (from, to) => {
  if (from === "text" && to !== "text") tools.text.cancel();
  if (to !== "select") selection.set([]);
});
const context = { board, connection, renderer, ephemeral, view, style: () => toolbar.style, submit };
const surface = /** @type {HTMLCanvasElement} */ (element("board-canvas"));
const textEditor = new TextEditor(context, element("board"));
const selection = new Selection(context);
const gestures = new Gestures(ephemeral, connection);
const tools = {
  select: selectTool(context, selection, gestures, canDraw),
  hand: hand(),
  pen: freehand(context, "pen"),
  highlighter: freehand(context, "highlighter"),
  eraser: eraser(context),
  line: shapeTool(context, "line"),
  arrow: shapeTool(context, "arrow"),
  rect: shapeTool(context, "rect"),
  ellipse: shapeTool(context, "ellipse"),
  text: textTool(context, textEditor),
  laser: laserTool(context, () => me.color),
};
// While the History panel shows an earlier moment, the pointer can only pan.
const input = new Input(surface, view, () => (history.isOpen ? tools.hand : tools[toolbar.current]), () => viewport.changed());
textEditor.editOnDoubleClick(surface, () => canDraw() && (toolbar.current === "select" || toolbar.current === "text"));

// ---- the page around the board

const feed = new TimelineFeed(`${api}/history`, linkHeaders);
const history = new HistoryPanel({
  board, renderer, feed, submit,
  restoreRefused: () => access.refusal(),
  fileName: () => slug(title.text),
  toggled: () => {
    tools.text.cancel();
    selection.set([]);
    accessChanged();
  },
}); // prettier-ignore

function accessChanged() {
  document.body.classList.toggle("read-only", !!access.refusal());
  document.body.classList.toggle("owner", access.role === "owner");
  document.body.classList.toggle("history-open", history.isOpen);
  history.accessChanged();
  lockBanner.show(access.locked, access.role);
  element("lock").textContent = access.locked ? "Unlock board" : "Lock board (read-only)";
  people.render();
}
access.addEventListener("change", accessChanged);

showStatus(element("status"), connection);
// The dead-end pages load when first needed: opening the board waits for none of them.
connection.addEventListener("ended", async () => {
  const { showDeadEnd } = await import("./dead-end.js");
  if (showDeadEnd(boardId, connection.endedBecause)) naming.withdraw();
});

const images = installBoardImages({
  board: boardId, pictures, ephemeral, surface, view, submit, canEdit: canDraw, tell: toast,
  headers: linkHeaders,
  placed: (ids) => {
    toolbar.pick("select");
    selection.set(ids);
  },
  objects: () => board.entries.values(),
}); // prettier-ignore
const selectionActive = () => toolbar.current === "select" && !history.isOpen;
installClipboard({
  selection, canEdit: canDraw, active: selectionActive, board: boardId, bring: images.bring,
  pointer: () => input.pointer(),
}); // prettier-ignore
installSelectionKeys({ selection, canEdit: canDraw, active: selectionActive, scale: () => view.scale });
installStylePanel(element("style-panel"), { selection, canEdit: canDraw });
followSelection(element("drawn-by"), { board, ephemeral, feed });
installZoomButtons(viewport);
element("undo").addEventListener("click", () => undo.undo());
element("redo").addEventListener("click", () => undo.redo());
element("clear").addEventListener("click", () => undo.clearBoard());
element("title").addEventListener("click", () => title.rename());
installShortcuts({
  toolbar, viewport, undo, selection, canEdit: canDraw,
  deleteSelection: () => tools.select.deleteSelection(),
  editSelectedText: () => {
    const item = selection.items()[0];
    if (item?.op.kind !== "text") return false;
    textEditor.edit(item);
    return true;
  },
  toggleHistory: () => history.toggle(),
  pickImage: images.pick,
  selectAll: () => {
    if (history.isOpen) return;
    toolbar.pick("select");
    selection.set(board.visible().map((item) => item.id));
  },
  showHelp: showShortcuts,
}); // prettier-ignore

// While the History panel is open, the moment it shows.
const pngTitle = () => (history.moment ? `${title.text} at ${history.moment.at}` : title.text);
const screen = () => ({ width: innerWidth, height: innerHeight });
installMenu({
  "history-open": () => history.toggle(),
  rename: () => title.rename(),
  share: () => showShare({ boardId, access, headers: linkHeaders, title }),
  lock: () => lockBanner.setLocked(!access.locked),
  "export-png-view": () => downloadPng(history.source, view, pngTitle(), screen(), pictures),
  "export-png-all": () => downloadPng(history.source, null, pngTitle(), screen(), pictures),
  "export-svg": () => downloadFrom(`${api}/export.svg`, `${slug(title.text)}.svg`, linkHeaders()),
  "export-json": () => downloadFrom(`${api}/export.json`, `${slug(title.text)}.inkroom.json`, linkHeaders()),
  "shortcuts-open": showShortcuts,
  "change-name": () => naming.ask(),
});

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

installProbes({ board, renderer, ephemeral, view, connection, history, dispatcher });

labelControls();
fitToolbar(/** @type {HTMLElement} */ (document.querySelector(".toolbar")), element("tools-overflow"));
naming.offer();
viewport.restore();
start();
keepForOffline();

/** Join (or take in what the join opening.js sent brought), while what this browser holds is read. */
function start() {
  performance.mark("inkroom:start"); // the page's own start ends here (benchmarks read it)
  dispatcher.start();
  connection.connect();
}
