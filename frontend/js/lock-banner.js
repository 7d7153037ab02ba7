// @ts-check
// The banner on a locked board: everyone on it is told it is locked, and who may unlock it. An
// owner gets the way to unlock it right there. Follows the board's state as it changes.

export class LockBanner {
  /** @param {() => Promise<void>} unlock asks the server to unlock the board */
  constructor(unlock) {
    this.element = /** @type {HTMLElement} */ (document.getElementById("lock-banner"));
    this.text = /** @type {HTMLElement} */ (document.getElementById("lock-text"));
    document.getElementById("lock-unlock")?.addEventListener("click", unlock);
  }

  /** @param {boolean} locked @param {string} role this person's role on the board */
  show(locked, role) {
    document.body.classList.toggle("locked", locked);
    this.element.hidden = !locked;
    if (!locked) return;
    this.text.textContent =
      role === "owner"
        ? "This board is locked: only its owners can change it. Unlock it here or from ⋯."
        : "This board is locked: you can look, not draw. Only its owner can unlock it.";
  }
}
