// @ts-check
// Gestures under way (ephemeral, never stored): this page's own drag of its selection and the
// ``transforming`` messages of others. Their objects are previewed where the gesture has them
// (the renderer reads ``renderer.previews``) until the operation arrives or the gesture ends.

import { Pacer } from "./pacer.js";
import { LIMITS } from "./protocol.gen.js";
import { onTheWire } from "./handles.js";

/** @typedef {import("./board.js").Matrix} Matrix */

// A gesture whose author went quiet (closed the tab mid-drag) stops being shown.
const STALE_MS = 10_000;
// How often a gesture under way is sent: as often as live ink.
const SEND_INTERVAL_MS = 33;

export class Gestures {
  /**
   * @param {import("./renderer.js").Renderer} renderer
   * @param {{sendEphemeral(message: object): void}} connection
   */
  constructor(renderer, connection) {
    this.renderer = renderer;
    this.connection = connection;
    /** @type {Map<string, {id: string, targets: string[], matrix: Matrix, updated: number}>} peer:id -> gesture */
    this.others = new Map();
    /** @type {{id: string, targets: string[], matrix: Matrix} | null} */
    this.own = null;
    this.pacer = new Pacer(SEND_INTERVAL_MS, () => this._send());
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.sweeper = undefined;
  }

  /**
   * This page's gesture so far; sent to the others at most every ``SEND_INTERVAL_MS``.
   * @param {string} id the operation's id to come @param {string[]} targets @param {Matrix} matrix
   */
  ownMoved(id, targets, matrix) {
    this.own = { id, targets, matrix };
    this.renderer.gesture = matrix;
    this._show();
    this.pacer.request();
  }

  /**
   * This page's gesture ended. With an operation, the others stop previewing when it arrives
   * (an ``ended`` could overtake it and show the objects back where they were for a moment).
   * @param {boolean} submitted whether the gesture's operation was submitted
   */
  ownEnded(submitted) {
    const own = this.own;
    if (!own) return;
    this.pacer.cancel();
    this.own = null;
    this.renderer.gesture = null;
    this._show();
    if (submitted) return;
    this.connection.sendEphemeral({ type: "transforming", id: own.id, targets: own.targets.slice(0, LIMITS.MAX_ERASE_TARGETS),
      matrix: onTheWire(own.matrix), ended: true }); // prettier-ignore
  }

  _send() {
    const own = this.own;
    if (!own) return;
    // Others see the first operation's worth of a bigger selection move live; all of it lands.
    const targets = own.targets.slice(0, LIMITS.MAX_ERASE_TARGETS);
    this.connection.sendEphemeral({ type: "transforming", id: own.id, targets, matrix: onTheWire(own.matrix) });
  }

  /** A ``transforming`` message from someone else. @param {{peer: number, id: string, targets: string[], matrix: Matrix, ended?: boolean}} message */
  received(message) {
    const key = `${message.peer}:${message.id}`;
    if (message.ended) this.others.delete(key);
    else this.others.set(key, { id: message.id, targets: message.targets, matrix: message.matrix, updated: performance.now() });
    this.sweeper ??= setInterval(() => this._sweep(), 1_000);
    this._show();
  }

  /** An operation arrived: a gesture that announced its id is over. @param {string} id */
  committed(id) {
    for (const [key, gesture] of this.others) {
      if (gesture.id === id) {
        this.others.delete(key);
        this._show();
      }
    }
  }

  /** Someone left: their gestures end with them. @param {number} peer */
  left(peer) {
    for (const key of this.others.keys()) if (key.startsWith(`${peer}:`)) this.others.delete(key);
    this._show();
  }

  _sweep() {
    const now = performance.now();
    for (const [key, gesture] of this.others) if (now - gesture.updated > STALE_MS) this.others.delete(key);
    if (!this.others.size) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
    this._show();
  }

  /** Rebuild the renderer's previews: others' gestures, then this page's own on top. */
  _show() {
    /** @type {Map<string, Matrix>} */
    const previews = new Map();
    for (const { targets, matrix } of this.others.values()) for (const id of targets) previews.set(id, matrix);
    if (this.own) for (const id of this.own.targets) previews.set(id, this.own.matrix);
    const before = this.renderer.previews;
    if (!previews.size && !before.size) return;
    this.renderer.previews = previews;
    this.renderer.invalidate();
  }
}
