// @ts-check
// Copy, cut and paste of board objects through the system clipboard, so that they travel between
// tabs and boards: a typed payload (MIME ``application/x-inkroom+json``) and the same JSON as
// plain text for where custom types do not survive. What is pasted is hostile input like any
// socket message: only objects of known kinds with finite numbers are kept, under new ids (the
// server validates the rest).

import { CREATING_KINDS } from "./board.js";
import { bounds, union } from "./geometry.js";
import { translation } from "./handles.js";

/** @typedef {import("./selection.js").Copied} Copied */
/** @typedef {import("./board.js").Matrix} Matrix */

export const MIME = "application/x-inkroom+json";
const ID = /^[A-Za-z0-9_-]{8,64}$/;
const FORMAT = "inkroom-clipboard";
// A paste with the pointer away from the board lands this much further aside each time, as
// duplicates do (with the pointer on the board it lands centred there).
const PASTE_STEP = 20;
// A paste is at most this many objects (each is an operation to store).
export const MAX_PASTED = 10_000;

/** @param {Uint8Array} bytes */
function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** @param {string} text */
function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The clipboard's text for copied objects; ``board`` is where they come from (a paste elsewhere
 * fetches their images from there). @param {Copied[]} copies @param {string} [board]
 */
export function encodeClipboard(copies, board) {
  const objects = copies.map(({ op, m }) => ({
    op: op.kind === "stroke" ? { ...op, points: toBase64(op.points) } : op,
    m,
  }));
  return JSON.stringify({ format: FORMAT, version: 1, board, objects });
}

/** The board a clipboard's objects were copied on, if it says. @param {string} text */
export function copiedFrom(text) {
  try {
    const { board } = JSON.parse(text);
    return typeof board === "string" && ID.test(board) ? board : null;
  } catch {
    return null;
  }
}

/** @param {unknown} value */
const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

/**
 * The objects in a clipboard's text, or null when it holds none of ours.
 * @param {string} text @returns {Copied[] | null}
 */
export function decodeClipboard(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!data || data.format !== FORMAT || data.version !== 1 || !Array.isArray(data.objects)) return null;
  /** @type {Copied[]} */
  const copies = [];
  for (const object of data.objects.slice(0, MAX_PASTED)) {
    const op = object?.op;
    const m = object?.m;
    if (!op || typeof op !== "object" || !CREATING_KINDS.has(op.kind)) continue;
    if (!Array.isArray(m) || m.length !== 6 || !m.every(isNumber)) continue;
    const fields = Object.values(op).filter((value) => typeof value === "number");
    if (!fields.every(isNumber)) continue;
    /** @type {Record<string, any>} */
    const clean = { ...op };
    delete clean.id;
    if (op.kind === "stroke") {
      if (typeof op.points !== "string") continue;
      try {
        clean.points = fromBase64(op.points);
      } catch {
        continue;
      }
    }
    copies.push({ op: clean, m: /** @type {Matrix} */ (m) });
  }
  return copies.length ? copies : null;
}

/**
 * The shift that centres copied objects on the board point ``at`` (their boxes' middle lands
 * there). @param {Copied[]} copies @param {{x: number, y: number}} at @returns {Matrix}
 */
export function centredAt(copies, at) {
  const box = union(copies.map(({ op, m }) => bounds({ op: /** @type {any} */ (op), m, dx: 0, dy: 0 })));
  if (!box) return translation(0, 0);
  return translation(at.x - (box.left + box.right) / 2, at.y - (box.top + box.bottom) / 2);
}

/**
 * Ctrl+C / Ctrl+X / Ctrl+V on the page: the browser's own clipboard events, which need no
 * permission prompt. A field being typed in keeps its own clipboard. Copies name the ``board``
 * they come from; ``bring`` (if given) readies pasted copies for this board first (their images,
 * say). A paste lands centred at the ``pointer`` when it is over the board (as in Excalidraw and
 * tldraw), else a step aside from where the copies stood. A paste of something else is left to
 * other listeners.
 * @param {{selection: import("./selection.js").Selection, canEdit: () => boolean, active: () => boolean,
 *   board?: string, bring?: (copies: Copied[], from: string | null) => Promise<Copied[]>,
 *   pointer?: () => {x: number, y: number} | null}} options
 */
export function installClipboard({ selection, canEdit, active, board, bring, pointer }) {
  let pastes = 0;
  /** @param {ClipboardEvent} event */
  const editingText = (event) => {
    const target = /** @type {HTMLElement | null} */ (event.target);
    return !!target && (target.isContentEditable || ["INPUT", "TEXTAREA"].includes(target.tagName));
  };
  /** @param {ClipboardEvent} event @param {boolean} cut */
  const copy = (event, cut) => {
    if (editingText(event) || !active() || !selection.ids.size || !event.clipboardData) return;
    const text = encodeClipboard(selection.copied(), board);
    event.clipboardData.setData(MIME, text);
    event.clipboardData.setData("text/plain", text);
    event.preventDefault();
    pastes = 0;
    if (cut && canEdit()) selection.remove();
  };
  document.addEventListener("copy", (event) => copy(event, false));
  document.addEventListener("cut", (event) => copy(event, true));
  document.addEventListener("paste", (event) => {
    if (editingText(event) || !canEdit() || !event.clipboardData) return;
    const text = event.clipboardData.getData(MIME) || event.clipboardData.getData("text/plain");
    const copies = decodeClipboard(text);
    if (!copies) return;
    event.preventDefault();
    const at = pointer?.() ?? null; // where the pointer is now, not once images are brought
    if (!at) pastes++;
    /** @param {Copied[]} ready */
    const place = (ready) => {
      const shift = at ? centredAt(ready, at) : translation(PASTE_STEP * pastes, PASTE_STEP * pastes);
      selection.add(ready, shift);
    };
    if (!bring) place(copies);
    else bring(copies, copiedFrom(text)).then((ready) => ready.length && place(ready));
  });
}
