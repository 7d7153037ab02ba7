// @ts-check
// "Drawn by Alice · Today 14:03": who made the one selected object and when, from the board's
// timeline (fetched the first time it is wanted, and again when the object is newer than it).

import { describeTime, nameOf } from "./timeline.js";

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./ephemeral.js").Ephemeral} Ephemeral */
/** @typedef {import("./timeline.js").TimelineFeed} TimelineFeed */

/**
 * Keep ``label`` telling who drew the selection, whenever a pointer or key has changed it.
 * @param {HTMLElement} label @param {{board: Board, ephemeral: Ephemeral, feed: TimelineFeed}} parts
 */
export function followSelection(label, { board, ephemeral, feed }) {
  /** @type {ReadonlySet<string> | null} */
  let shown = null;
  async function update() {
    const selection = ephemeral.selected;
    if (selection === shown) return; // the selection is replaced, never changed in place
    shown = selection;
    const entry = selection.size === 1 ? board.entries.get([...selection][0]) : undefined;
    if (!entry) {
      label.hidden = true;
      return;
    }
    if (board.pending.has(entry.op.id)) {
      label.textContent = "Drawn by you · not saved yet";
      label.hidden = false;
      return;
    }
    try {
      const made = (await feed.covering(entry.seq)).at(entry.seq);
      if (ephemeral.selected !== selection || !made) return;
      label.textContent = `Drawn by ${nameOf(made.person)} · ${describeTime(made.time)}`;
      label.hidden = false;
    } catch (error) {
      console.warn(error);
    }
  }
  addEventListener("pointerup", update);
  addEventListener("keyup", update);
}
