// @ts-check
// The board page's view of the board: what happens when it moves (drawn again, the zoom readout,
// remembered for the next visit), the zoom steps of the buttons and keys, zoom to fit, and where a
// first look at a big board's snapshot goes.

import { snapshotBounds } from "./snapshots.js";
import { View } from "./view.js";
import { nextZoomStep, zoomLabel } from "./zoom-steps.js";

/** @typedef {{left: number, top: number, right: number, bottom: number}} Box */

const SAVE_DELAY_MS = 500;

export class Viewport {
  /**
   * @param {View} view @param {string} boardId
   * @param {() => void} redraw draws the board for the new view
   * @param {() => Box | null} contentBounds the box around everything on the board
   */
  constructor(view, boardId, redraw, contentBounds) {
    this.view = view;
    this.boardId = boardId;
    this.redraw = redraw;
    this.contentBounds = contentBounds;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.saveTimer = undefined;
    this.readout = /** @type {HTMLElement} */ (document.getElementById("zoom-level"));
    /** @type {Set<(own: boolean) => void>} */
    this.listeners = new Set();
  }

  /**
   * The view moved: by this person (``own``), or not (following someone, a first look).
   * @param {boolean} [own]
   */
  changed(own = true) {
    this.redraw();
    this._save();
    this.readout.textContent = zoomLabel(this.view.scale);
    for (const listener of this.listeners) listener(own);
  }

  /** Call ``listener`` after every move of the view. @param {(own: boolean) => void} listener */
  onChange(listener) {
    this.listeners.add(listener);
  }

  /** Show someone else's screen's box (following them). @param {Box} box */
  showBox(box) {
    this.view.show(box, innerWidth, innerHeight);
    this.changed(false);
  }

  /** Go back to where this person last looked at this board, if they have been here. */
  restore() {
    const saved = this.saved();
    if (saved) Object.assign(this.view, saved);
    this.readout.textContent = zoomLabel(this.view.scale);
  }

  /** Zoom around the middle of the screen to the next usual step. @param {1 | -1} direction */
  zoomStep(direction) {
    const { view } = this;
    view.zoomAt(innerWidth / 2, innerHeight / 2, nextZoomStep(view.scale, direction) / view.scale);
    this.changed();
  }

  /** Back to 100 %, around the middle of the screen. */
  actualSize() {
    this.view.zoomAt(innerWidth / 2, innerHeight / 2, 1 / this.view.scale);
    this.changed();
  }

  fit() {
    const box = this.contentBounds();
    if (box) this.view.fit(box, innerWidth, innerHeight);
    else Object.assign(this.view, { x: 0, y: 0, scale: 1 });
    this.changed();
  }

  /**
   * Where the person will look at a snapshot: where they last looked, or the whole drawing.
   * @param {import("./snapshots.js").SnapshotInfo} snapshot @returns {Box} the screen's box
   */
  placeFor(snapshot) {
    if (!this.saved()) {
      fitSnapshot(this.view, snapshot);
      this.changed(false);
    }
    return this.screenBox();
  }

  /** The board rectangle on screen. */
  screenBox() {
    return this.view.visibleBox(innerWidth, innerHeight);
  }

  saved() {
    return savedView(this.boardId);
  }

  _save() {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      const { x, y, scale } = this.view;
      localStorage.setItem(viewKey(this.boardId), JSON.stringify({ x, y, scale }));
    }, SAVE_DELAY_MS);
  }
}

/** @param {string} boardId */
const viewKey = (boardId) => `inkroom:view:${boardId}`;

/**
 * Where this person last looked at a board, if they have been here.
 * @param {string} boardId @returns {{x: number, y: number, scale: number} | null}
 */
function savedView(boardId) {
  try {
    const saved = JSON.parse(localStorage.getItem(viewKey(boardId)) ?? "null");
    if (saved && [saved.x, saved.y, saved.scale].every(Number.isFinite) && saved.scale > 0) return saved;
  } catch {
    // an unreadable entry counts as none
  }
  return null;
}

/** @param {View} view @param {import("./snapshots.js").SnapshotInfo} snapshot */
function fitSnapshot(view, snapshot) {
  const box = snapshotBounds(snapshot.parts);
  if (box) view.fit(box, innerWidth, innerHeight);
}

/**
 * The board rectangle a person will see first of a snapshot (as ``placeFor`` will place it),
 * known before the page has its view: where its parts' fetch begins.
 * @param {string} boardId @param {import("./snapshots.js").SnapshotInfo} snapshot @returns {Box}
 */
export function firstScreen(boardId, snapshot) {
  const view = new View();
  const saved = savedView(boardId);
  if (saved) Object.assign(view, saved);
  else fitSnapshot(view, snapshot);
  return view.visibleBox(innerWidth, innerHeight);
}
