// @ts-check
// The home page: start a board, or reopen a recent one.

import { rememberToken } from "./identity.js";

const list = /** @type {HTMLElement} */ (document.getElementById("board-list"));
const button = /** @type {HTMLButtonElement} */ (document.getElementById("new-board"));

button.addEventListener("click", async () => {
  button.disabled = true;
  try {
    const response = await fetch("/api/boards", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({}),
    });
    if (!response.ok) throw new Error((await response.json()).detail ?? response.statusText);
    const board = await response.json();
    // The creator owns the board: keep its owner link in this browser.
    rememberToken(board.id, board.links.owner);
    location.assign(`/b/${board.id}`);
  } catch (error) {
    button.disabled = false;
    alert(`Could not create a board: ${error instanceof Error ? error.message : error}`);
  }
});

/** @param {string} iso */
function ago(iso) {
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

async function showBoards() {
  const response = await fetch("/api/boards?limit=50");
  const boards = response.ok ? await response.json() : [];
  if (!boards.length) {
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = "No boards yet. Start one!";
    list.replaceChildren(empty);
    return;
  }
  list.replaceChildren(
    ...boards.map((/** @type {{id: string, title: string, updated_at: string}} */ board) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `/b/${board.id}`;
      const title = document.createElement("span");
      title.className = "title";
      title.textContent = board.title;
      const when = document.createElement("time");
      when.dateTime = board.updated_at;
      when.textContent = ago(board.updated_at);
      link.append(title, when);
      item.append(link);
      return item;
    }),
  );
}

showBoards();
