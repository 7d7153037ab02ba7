// @ts-check
// The board's keys with an action in the table of shortcuts (keymap.js): tools, colors, widths,
// fill, zoom, undo and redo, History, the list of shortcuts, Ctrl+A, and Delete, Enter and Escape
// for the selection. None reaches here from a field being typed in. The selection's own keys (nudge,
// duplicate, order) are selection-keys.js's; copy, cut and paste are clipboard.js's.

import { isTyping } from "./input.js";
import { actionOf } from "./keymap.js";
import { WIDTHS } from "./toolbar.js";

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
 * @param {() => void} parts.showHelp opens the list of shortcuts
 * @param {() => void} parts.selectAll takes the select tool with everything on the board selected
 */
export function installShortcuts(parts) {
  const { toolbar, viewport, undo, selection, canEdit } = parts;
  /** Each action; false when the key was not used after all (its default then happens). @type {Record<string, () => boolean | void>} */
  const actions = {
    undo: () => undo.undo(),
    redo: () => undo.redo(),
    delete: () => {
      if (!selection.ids.size) return false;
      if (canEdit()) parts.deleteSelection();
    },
    "edit-text": () => selection.ids.size === 1 && canEdit() && parts.editSelectedText(),
    deselect: () => {
      selection.set([]);
      return false;
    },
    fit: () => viewport.fit(),
    history: () => parts.toggleHistory(),
    help: () => parts.showHelp(),
    "zoom-in": () => viewport.zoomStep(1),
    "zoom-out": () => viewport.zoomStep(-1),
    "actual-size": () => viewport.actualSize(),
    fill: () => toolbar.toggleFill(),
    image: () => parts.pickImage(),
    "select-all": () => parts.selectAll(),
  };
  addEventListener("keydown", (event) => {
    if (isTyping(event) || document.querySelector("dialog:modal")) return;
    // Enter and Space on a focused control press it.
    const control = event.target instanceof Element && event.target.closest("button, a, summary");
    if (control && (event.key === "Enter" || event.key === " ")) return;
    const action = actionOf(event);
    if (!action) return;
    const [kind, value] = action.split(":");
    let used;
    if (kind === "tool") used = toolbar.pick(value);
    else if (kind === "color") used = toolbar.setColor(value);
    else if (kind === "width") used = toolbar.setWidth(WIDTHS[Number(value)]);
    else used = actions[action]?.();
    if (used !== false) event.preventDefault();
  });
}
