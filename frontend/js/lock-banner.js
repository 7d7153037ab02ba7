// @ts-check
// Locking a board, and the banner on a locked board: everyone on it is told it is locked, and who
// may unlock it; an owner gets the way to unlock it right there. Follows the board's state as the
// server reports it (the welcome, then "board" messages).

export class LockBanner {
  /** @param {string} api the board's API address @param {() => Record<string, string>} headers its link */
  constructor(api, headers) {
    this.api = api;
    this.headers = headers;
    this.element = /** @type {HTMLElement} */ (document.getElementById("lock-banner"));
    this.text = /** @type {HTMLElement} */ (document.getElementById("lock-text"));
    document.getElementById("lock-unlock")?.addEventListener("click", () =>
      this.setLocked(false).catch((error) => (this.text.textContent = `Could not unlock: ${error.message}`)),
    );
  }

  /** Ask the server; everyone on the board hears of it from there. @param {boolean} wanted */
  async setLocked(wanted) {
    const response = await fetch(this.api, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", ...this.headers() },
      body: JSON.stringify({ locked: wanted }),
    });
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).detail ?? response.status);
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
