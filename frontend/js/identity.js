// @ts-check
// Who this browser is (a random id, a name, a color), the board links it holds, and the boards it
// has opened. All kept in localStorage.

import { newId } from "./ids.js";
import { PERSON_COLORS } from "./protocol.gen.js";

/** @returns {{user: string, name: string, color: string}} */
export function identity() {
  let user = localStorage.getItem("inkroom.user");
  if (!user) {
    user = newId();
    localStorage.setItem("inkroom.user", user);
  }
  let name = localStorage.getItem("inkroom.name");
  if (!name) {
    name = `Guest ${1000 + Math.floor(Math.random() * 9000)}`;
    localStorage.setItem("inkroom.name", name);
  }
  let color = localStorage.getItem("inkroom.color");
  if (!color) {
    // Made up, as the name is; a board where someone else has it gives another (the welcome's).
    color = PERSON_COLORS[Math.floor(Math.random() * PERSON_COLORS.length)];
    localStorage.setItem("inkroom.color", color);
  }
  return { user, name, color };
}

/** The color the server gave this person (someone on the board had theirs): kept from now on,
 * so that a reload asks for it again. @param {string} color */
export function keepColor(color) {
  localStorage.setItem("inkroom.color", color);
}

/** @param {string} name */
export function rename(name) {
  localStorage.setItem("inkroom.name", name);
  localStorage.setItem("inkroom.named", "1");
}

/** Has the person chosen a name yet (rather than the one made up for them)? */
export function hasChosenName() {
  return localStorage.getItem("inkroom.named") === "1";
}

/** The link this browser holds for a board, without looking at the address. @param {string} boardId */
export function heldToken(boardId) {
  return localStorage.getItem(`inkroom.token.${boardId}`);
}

/**
 * The link token for a board: from the address's fragment (``#token=…``), remembered for later
 * visits, or the one remembered.
 * @param {string} boardId
 */
export function tokenFor(boardId) {
  const fromAddress = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromAddress) {
    localStorage.setItem(`inkroom.token.${boardId}`, fromAddress);
    return fromAddress;
  }
  return localStorage.getItem(`inkroom.token.${boardId}`);
}

/** @param {string} boardId @param {string} token */
export function rememberToken(boardId, token) {
  localStorage.setItem(`inkroom.token.${boardId}`, token);
}

/** @param {string} boardId @param {string} title */
export function rememberBoard(boardId, title) {
  const boards = knownBoards().filter((b) => b.id !== boardId);
  boards.unshift({ id: boardId, title, opened: Date.now() });
  localStorage.setItem("inkroom.boards", JSON.stringify(boards.slice(0, 100)));
}

/** The board is gone (deleted, or its link no longer works): it leaves this browser's gallery.
 * @param {string} boardId */
export function forgetBoard(boardId) {
  const boards = knownBoards().filter((b) => b.id !== boardId);
  localStorage.setItem("inkroom.boards", JSON.stringify(boards));
}

/** The boards this browser created or opened, last opened first: the home page's gallery (the
 * server lists nobody's boards to strangers, since a board's id is what lets people in).
 * @returns {{id: string, title: string, opened: number}[]} */
export function knownBoards() {
  try {
    const boards = JSON.parse(localStorage.getItem("inkroom.boards") ?? "[]");
    return Array.isArray(boards) ? boards : [];
  } catch {
    return [];
  }
}

/**
 * The share links this browser knows for a board (creators learn them once, at creation).
 * @param {string} boardId @returns {Record<string, string>}
 */
export function knownLinks(boardId) {
  try {
    return JSON.parse(localStorage.getItem(`inkroom.links.${boardId}`) ?? "{}");
  } catch {
    return {};
  }
}

/** @param {string} boardId @param {Record<string, string>} links role -> token */
export function rememberLinks(boardId, links) {
  localStorage.setItem(`inkroom.links.${boardId}`, JSON.stringify({ ...knownLinks(boardId), ...links }));
  if (links.owner) rememberToken(boardId, links.owner);
}
