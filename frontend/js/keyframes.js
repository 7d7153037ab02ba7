// @ts-check
// Pictures of the ink at moments spread over a board's history, for the view the History panel
// shows, so that showing any moment paints only what came after the nearest picture below it
// instead of everything on screen (at 100,000 strokes, that is most of a second of painting).
// They are painted in the background while the renderer has nothing else to do, a slice per
// frame, each one from the one before when the board only grew in between; and again when the
// view or what is faded changes. A picture serves a moment only when the moment's paint order
// begins with exactly the objects the picture holds, at the same places: then starting from it
// and painting the rest gives the same pixels as painting everything.

import { samePlace } from "./board.js";
import { bounds } from "./geometry.js";

/** @typedef {import("./moment.js").Moment} Moment */
/** @typedef {import("./board.js").Placed} Placed */
/** @typedef {import("./renderer.js").Renderer} Renderer */
/** @typedef {import("./renderer.js").Camera} Camera */
/** @typedef {{item: Placed}} Painted what a renderer paints */
/**
 * @typedef {object} Keyframe the ink at moment ``at``, drawn for one camera and decor
 * @property {number} at @property {Placed[]} items what shows then, in paint order
 * @property {HTMLCanvasElement} canvas
 */

// At most this many pictures, and this many bytes of them (a picture is 4 bytes a device pixel).
const MOST = 16;
const MOST_BYTES = 64 * 2 ** 20;
// Below this many operations, any moment paints fast enough without pictures.
const FEWEST_OPERATIONS = 2000;
// Painting time per frame, while nothing else is drawn.
const SLICE_MS = 8;
// Pictures for a new view wait until it has stood still this long.
const STILL_MS = 300;

export class Keyframes {
  /** @param {Moment} moment whose states the pictures show @param {Renderer} renderer */
  constructor(moment, renderer) {
    this.moment = moment;
    this.renderer = renderer;
    /** @type {Keyframe[]} complete, oldest first */
    this.frames = [];
    /** @type {Camera | null} the view they are drawn for */
    this.camera = null;
    this.decor = "";
    /** @type {number[]} the moments still to draw */
    this.todo = [];
    /** @type {{frame: Keyframe, entries: Painted[], next: number} | null} the picture under way */
    this.painting = null;
  }

  /** Are the pictures for the current view all there (or none wanted)? */
  get complete() {
    return this._current() && !this.todo.length && !this.painting;
  }

  /**
   * The picture with the most of a moment's objects below everything else it shows.
   * @param {Camera} camera @param {string} decor @param {{item: Placed}[]} ordered the moment's objects in paint order
   * @param {number} more only a picture of more objects than this will do
   * @returns {{canvas: HTMLCanvasElement, count: number} | null} count: how many of them it shows
   */
  below(camera, decor, ordered, more = 0) {
    if (!sameCamera(camera, this.camera) || decor !== this.decor) return null;
    /** @type {Keyframe | null} */
    let best = null;
    for (const frame of this.frames) {
      if (frame.items.length <= (best?.items.length ?? more) || frame.items.length > ordered.length) continue;
      if (begins((i) => ordered[i].item, frame.items)) best = frame;
    }
    return best && { canvas: best.canvas, count: best.items.length };
  }

  /** Paint a slice of the pictures, if the renderer has nothing else to do; call every frame. */
  step() {
    const renderer = this.renderer;
    if (!renderer.settled || performance.now() - renderer.movedAt < STILL_MS) return;
    if (!this._current()) this._start();
    const started = performance.now();
    while (performance.now() - started < SLICE_MS) {
      if (!this.painting) {
        const at = this.todo.shift();
        if (at === undefined) return;
        this._begin(at);
        // Evaluating a moment takes most of a frame on a big board: painting starts at the next.
        return;
      }
      const painting = this.painting;
      const context = /** @type {CanvasRenderingContext2D} */ (painting.frame.canvas.getContext("2d"));
      const left = SLICE_MS - (performance.now() - started);
      painting.next = renderer._paint(context, /** @type {Camera} */ (this.camera), painting.entries, painting.next, left);
      if (painting.next < painting.entries.length) return;
      // Painting is recorded, and done when the pixels are first wanted: now, not when a
      // moment is waiting for them.
      context.getImageData(0, 0, 1, 1);
      this.frames.push(painting.frame);
      this.painting = null;
    }
  }

  /** Forget every picture (the panel closed). */
  clear() {
    this.frames = [];
    this.todo = [];
    this.painting = null;
    this.camera = null;
  }

  _current() {
    const renderer = this.renderer;
    return sameCamera(this.camera, renderer._camera()) && this.decor === renderer._decor();
  }

  /** Plan the pictures for the renderer's view: evenly spread over the board's operations. */
  _start() {
    const camera = this.renderer._camera();
    this.clear();
    this.camera = camera;
    this.decor = this.renderer._decor();
    const head = this.moment.board.lastSeq;
    const bytes = Math.round(camera.width * camera.ratio) * Math.round(camera.height * camera.ratio) * 4;
    const count = head < FEWEST_OPERATIONS ? 0 : Math.min(MOST, Math.floor(MOST_BYTES / Math.max(1, bytes)));
    for (let n = 1; n <= count; n++) this.todo.push(Math.round((head * n) / count));
  }

  /** Start the picture of moment ``at``: from the previous one if the board only grew since. @param {number} at */
  _begin(at) {
    const camera = /** @type {Camera} */ (this.camera);
    const items = this.moment.stateAt(at, true);
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(camera.width * camera.ratio);
    canvas.height = Math.round(camera.height * camera.ratio);
    const previous = this.frames[this.frames.length - 1];
    let from = 0;
    if (previous && previous.items.length <= items.length && begins((i) => items[i], previous.items)) {
      /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d")).drawImage(previous.canvas, 0, 0);
      from = previous.items.length;
    }
    const view = {
      left: camera.x,
      top: camera.y,
      right: camera.x + camera.width / camera.scale,
      bottom: camera.y + camera.height / camera.scale,
    };
    const entries = [];
    for (let i = from; i < items.length; i++) {
      const box = bounds(items[i]);
      if (box.left <= view.right && view.left <= box.right && box.top <= view.bottom && view.top <= box.bottom) {
        entries.push({ item: items[i] });
      }
    }
    this.painting = { frame: { at, items, canvas }, entries, next: 0 };
  }
}

/**
 * Does a paint order begin with ``items``: the same objects, at the same places?
 * @param {(i: number) => Placed} nth its i-th object @param {Placed[]} items
 */
function begins(nth, items) {
  for (let i = 0; i < items.length; i++) {
    const shown = nth(i);
    const item = items[i];
    if (shown.op !== item.op || !samePlace(shown, item)) return false;
  }
  return true;
}

/** @param {Camera | null} a @param {Camera | null} b */
function sameCamera(a, b) {
  return !!a && !!b && a.x === b.x && a.y === b.y && a.scale === b.scale && a.width === b.width &&
    a.height === b.height && a.ratio === b.ratio;
}
