// @ts-check
// The page a board address shows when there is no board to draw on: it needs a link, it does not
// exist, it was deleted, or this person was removed from it. It says so plainly and offers what
// to do next; the drawing tools go away.

import { createBoard } from "./creating.js";
import { forgetBoard } from "./identity.js";

/** @typedef {{title: string, text: string, forget?: boolean, reopen?: boolean}} DeadEnd */

/** @type {Record<string, DeadEnd>} why the connection ended -> what the page says */
const DEAD_ENDS = {
  "link-required": {
    title: "This board is private",
    text: "Only people with one of its links can open it. Ask the person who shared it with you for the link, and open that link here.",
  },
  "not-found": {
    title: "There is no board here",
    text: "No board has this address: it may be mistyped, or the board never existed. Check the address you were sent, or start a board of your own.",
    forget: true,
  },
  deleted: {
    title: "This board was deleted",
    text: "Its owner deleted it, with everything drawn on it. Start a new board, or go back to your boards.",
    forget: true,
  },
  kicked: {
    title: "You were removed from this board",
    text: "The board's owner took you off it. If that was a mistake, ask them, then open the board again.",
    reopen: true,
  },
};

/**
 * Show the page for ``why``, if it is a dead end.
 * @param {string} boardId @param {string | null} why
 * @returns {boolean} whether it was one
 */
export function showDeadEnd(boardId, why) {
  const deadEnd = why ? DEAD_ENDS[why] : undefined;
  if (!deadEnd) return false;
  if (deadEnd.forget) forgetBoard(boardId);
  document.body.classList.add("dead-end");
  document.title = `${deadEnd.title} · inkroom`;
  /** @type {HTMLElement} */ (document.getElementById("dead-end-title")).textContent = deadEnd.title;
  /** @type {HTMLElement} */ (document.getElementById("dead-end-text")).textContent = deadEnd.text;
  const home = document.createElement("a");
  home.href = "/";
  home.className = "primary";
  home.textContent = "Go to your boards";
  const fresh = document.createElement("button");
  fresh.type = "button";
  fresh.textContent = "Start a new board";
  fresh.addEventListener("click", () => {
    fresh.disabled = true;
    createBoard().catch((error) => {
      fresh.disabled = false;
      fresh.textContent = `Could not start a board: ${error.message}`;
    });
  });
  /** @type {HTMLElement[]} */
  const actions = [home, fresh];
  if (deadEnd.reopen) {
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = "Open the board again";
    again.addEventListener("click", () => location.reload());
    actions.unshift(again);
    home.className = "";
    again.className = "primary";
  }
  /** @type {HTMLElement} */ (document.getElementById("dead-end-actions")).replaceChildren(...actions);
  const section = /** @type {HTMLElement} */ (document.getElementById("dead-end"));
  section.hidden = false;
  return true;
}
