// @ts-check
// What this person may do on the board: their role (from the welcome) and whether the board is
// locked (the welcome, then ``board`` messages). Says "change" when either changes.

/** @typedef {"viewer" | "editor" | "owner"} Role */

export class Access extends EventTarget {
  constructor() {
    super();
    /** @type {Role} */
    this.role = "editor";
    this.locked = false;
    /** whether the board opens only with a link */
    this.protected = false;
  }

  /** @param {{role?: Role, locked?: boolean, protected?: boolean}} news */
  update(news) {
    Object.assign(this, news);
    this.dispatchEvent(new Event("change"));
  }

  /** Whether this person may rename the board: editors of an open board, owners of a private one. */
  mayRename() {
    return !this.refusal() && (!this.protected || this.role === "owner");
  }

  /** Why this person may not change the board (and so not restore a version), if so. */
  refusal() {
    if (this.role === "viewer") return "A view link cannot change the board.";
    if (this.locked && this.role !== "owner") return "The board is locked.";
    return null;
  }
}
