// @ts-check
// Starting a new board from any page: the creator keeps its links in this browser, then goes there.

import { rememberBoard, rememberLinks } from "./identity.js";

/**
 * @param {{protected?: boolean, title?: string}} options a blank title leaves the server's default
 * @returns {Promise<void>} rejected with the server's answer when it refuses
 */
export async function createBoard(options = {}) {
  const response = await fetch("/api/boards", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ protected: !!options.protected, ...(options.title?.trim() ? { title: options.title.trim() } : {}) }),
  });
  const board = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(board.detail ?? `HTTP ${response.status}`), { status: response.status, detail: board.detail });
  // The creator owns the board: keep its links (shown only this once) in this browser.
  rememberLinks(board.id, board.links);
  rememberBoard(board.id, board.title);
  location.assign(`/b/${board.id}`);
}
