// @ts-check
// The board's title: shown in the top bar and the tab, remembered for the home page, renamed
// from the top bar or the menu.

import { rememberBoard } from "./identity.js";
import { DEFAULT_TITLE, LIMITS } from "./protocol.gen.js";
import { toast } from "./toast.js";

export class BoardTitle {
  /** @param {string} boardId @param {() => Record<string, string>} headers the board's link */
  constructor(boardId, headers) {
    this.boardId = boardId;
    this.headers = headers;
    this.text = "";
  }

  /** @param {string} title */
  show(title) {
    this.text = title;
    document.title = `${title} · inkroom`;
    /** @type {HTMLElement} */ (document.getElementById("title")).textContent = title;
    rememberBoard(this.boardId, title);
  }

  /** Whether nobody has named the board yet. */
  get untitled() {
    return this.text === DEFAULT_TITLE;
  }

  async rename() {
    const wanted = prompt("Rename this board", this.text)?.trim();
    if (!wanted || wanted === this.text) return;
    await this.change(wanted);
  }

  /**
   * Renames the board for everyone; says so when the server refuses.
   * @param {string} wanted @returns {Promise<boolean>} whether it was renamed
   */
  async change(wanted) {
    const response = await fetch(`/api/boards/${encodeURIComponent(this.boardId)}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", ...this.headers() },
      body: JSON.stringify({ title: wanted.slice(0, LIMITS.MAX_TITLE_CHARS) }),
    });
    if (response.ok) this.show((await response.json()).title);
    else toast(`Could not rename: ${(await response.json().catch(() => ({}))).detail ?? response.status}`);
    return response.ok;
  }
}
