// @ts-check
// The board's keys (each tool's is in its tooltip): tools, colors, widths, fill, zoom, undo and
// redo, the History panel, Ctrl+A, and Delete, Enter and Escape for the selection. None reaches here
// from a field being typed in. The selection's own keys (nudge, duplicate, order) are
// selection-keys.js's; copy, cut and paste are clipboard.js's.

import { isTyping } from "./input.js";
import { WIDTHS } from "./toolbar.js";

export const TOOL_KEYS = {
  v: "select", h: "hand", p: "pen", i: "highlighter", e: "eraser",
  l: "line", a: "arrow", r: "rect", o: "ellipse", t: "text", k: "laser",
}; // prettier-ignore

/**
 * @param {object} parts
 * @param {import("./toolbar.js").Toolbar<any>} parts.toolbar
 * @param {import("./viewport.js").Viewport} parts.viewport
 * @param {import("./undo.js").Undo} parts.undo
 * @param {import("./selection.js").Selection} parts.selection
 * @param {() => boolean} parts.canEdit
 * @param {() => void} parts.deleteSelection
 * @param {() => boolean} parts.editSelectedText Enter on one selected object: whether it was a text
 * @param {() => void} parts.toggleHistory
 * @param {() => void} parts.pickImage opens the file picker for an image
 * @param {() => void} parts.selectAll takes the select tool with everything on the board selected
 */
export function installShortcuts({ toolbar, viewport, undo, selection, canEdit, deleteSelection, editSelectedText, toggleHistory, pickImage, selectAll }) {
  addEventListener("keydown", (event) => {
    if (isTyping(event)) return;
    const key = event.key.toLowerCase();
    const command = event.ctrlKey || event.metaKey;
    if (command && key === "z") {
      event.preventDefault();
      if (event.shiftKey) undo.redo();
      else undo.undo();
    } else if (command && key === "y") {
      event.preventDefault();
      undo.redo();
    } else if (command && key === "a") {
      event.preventDefault(); // the page's text
      selectAll();
    } else if ((key === "delete" || key === "backspace") && selection.ids.size) {
      event.preventDefault();
      if (canEdit()) deleteSelection();
    } else if (key === "enter" && selection.ids.size === 1 && canEdit()) {
      if (editSelectedText()) event.preventDefault();
    } else if (key === "escape") {
      selection.set([]);
    } else if (command || event.altKey) {
      return;
    } else if (event.shiftKey && key === "f") {
      viewport.fit();
    } else if (event.shiftKey && key === "h") {
      toggleHistory();
    } else if (event.shiftKey && /^digit[1-4]$/i.test(event.code)) {
      toolbar.setWidth(WIDTHS[Number(event.code.slice(-1)) - 1]);
    } else if (key === "+" || key === "=") {
      viewport.zoomStep(1);
    } else if (key === "-") {
      viewport.zoomStep(-1);
    } else if (key === "0") {
      viewport.actualSize();
    } else if (key === "f") {
      toolbar.toggleFill();
    } else if (/^[1-5]$/.test(key)) {
      toolbar.pickSwatch(Number(key) - 1);
    } else if (key === "g") {
      pickImage();
    } else if (key in TOOL_KEYS) {
      toolbar.pick(TOOL_KEYS[/** @type {keyof typeof TOOL_KEYS} */ (key)]);
    }
  });
}
