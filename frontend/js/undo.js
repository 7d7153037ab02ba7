// @ts-check
// Undo and redo of this person's own changes (never someone else's, also after a reload: the
// board knows whose each operation is), and clearing the board, which is undoable like the rest.

import { newId } from "./ids.js";
import { gestureOf } from "./selection.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./board.js").Operation} Operation */

export class Undo {
  /**
   * @param {object} parts
   * @param {Board} parts.board @param {string} parts.user this browser's
   * @param {(op: Operation) => void} parts.submit @param {() => boolean} parts.canEdit
   */
  constructor({ board, user, submit, canEdit }) {
    this.board = board;
    this.user = user;
    this.submit = submit;
    this.canEdit = canEdit;
    /** @type {string[]} own operations undone since the last new one, newest last */
    this.redoable = [];
  }

  /** A new operation of this person's (not an undo or redo): what was undone cannot be redone. @param {Operation} op */
  made(op) {
    if (op.kind !== "undo" && op.kind !== "redo") this.redoable.length = 0;
  }

  undo() {
    const own = this.board.undoable(this.user);
    const newest = own[own.length - 1];
    if (!newest || !this.canEdit()) return;
    this.redoable.push(newest.op.id);
    // A gesture sent as several operations is taken back whole.
    for (const id of gestureOf(newest.op.id)) {
      if (this.board.isActive(id)) this.submit({ kind: "undo", id: newId(), target: id });
    }
  }

  redo() {
    const target = this.redoable.pop();
    if (target && this.canEdit()) for (const id of gestureOf(target)) this.submit({ kind: "redo", id: newId(), target: id });
  }

  clearBoard() {
    if (!this.canEdit() || !this.board.visible().length) return;
    if (confirm("Clear the whole board for everyone? You can undo it.")) this.submit({ kind: "clear", id: newId() });
  }
}
