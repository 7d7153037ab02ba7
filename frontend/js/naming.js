// @ts-check
// Asking for a name without getting in the way: a first-time visitor is on the board at once
// under a made-up name, and a card at the bottom offers to change it. Answering, or "Later",
// keeps the card from coming back; the name can be changed any time from the list of people.

import { hasChosenName, rename } from "./identity.js";

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

export class Naming {
  /**
   * @param {{name: string}} me this browser's identity, renamed in place
   * @param {() => void} renamed called after the name changed (the page joins again under it)
   */
  constructor(me, renamed) {
    this.me = me;
    this.renamed = renamed;
    this.dialog = /** @type {HTMLDialogElement} */ (document.getElementById("name-dialog"));
    this.input = /** @type {HTMLInputElement} */ (document.getElementById("name-input"));
    this.dialog.addEventListener("close", () => this.closed());
  }

  /** Offer to choose a name, unless this browser already has one chosen (or declined). */
  offer() {
    if (!hasChosenName()) this.ask({ focus: false });
  }

  /** Show the card (not modal: the board stays usable behind it). */
  ask({ focus = true } = {}) {
    this.input.value = this.me.name;
    /** @type {HTMLElement} */ (document.getElementById("name-current")).textContent = this.me.name;
    this.dialog.returnValue = "";
    if (!this.dialog.open) this.dialog.show();
    if (!focus) {
      // show() focuses the field; on a phone that raises the keyboard over the board.
      if (document.activeElement instanceof HTMLElement && this.dialog.contains(document.activeElement)) {
        document.activeElement.blur();
      }
      return;
    }
    this.input.focus({ preventScroll: true });
    this.input.select();
  }

  /** Take the card away without an answer (the page has nothing left to join). */
  withdraw() {
    this.dialog.returnValue = "";
    this.dialog.close();
  }

  closed() {
    const answer = this.dialog.returnValue;
    if (answer === "later") rename(this.me.name); // the made-up name is kept; not asked again
    if (answer !== "ok") return;
    const name = this.input.value.trim().replace(CONTROL_CHARACTERS, "").slice(0, 40);
    if (!name) return;
    const changed = name !== this.me.name;
    this.me.name = name;
    rename(name);
    if (changed) this.renamed();
  }

  /** A button for the list of people, beside this person's own name. */
  changeButton() {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "rename-me";
    button.title = "Change your name";
    button.setAttribute("aria-label", "Change your name");
    button.textContent = "✎";
    button.addEventListener("click", () => this.ask());
    return button;
  }
}
