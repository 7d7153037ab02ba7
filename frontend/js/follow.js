// @ts-check
// Following someone's view. A click on a person in the people list asks to follow them
// (``follow``); while anyone follows a page, that page shares the board area its screen shows
// (``viewport``, paced), and the followers show that area, until they pan or zoom themselves; a
// follower whose own window changes size fits that area to it again.
// Peer numbers are per connection: a reconnection ends following on both sides.

import { Pacer } from "./pacer.js";
import { LIMITS } from "./protocol.gen.js";

/** @typedef {import("./viewport.js").Box} Box */

// How often a followed view is shared while it moves: smooth enough to follow a pan.
const SHARE_INTERVAL_MS = 100;

export class Follow extends EventTarget {
  /**
   * @param {import("./viewport.js").Viewport} viewport
   * @param {{sendEphemeral(message: object): void, sendControl(message: object): void}} connection
   */
  constructor(viewport, connection) {
    super();
    this.viewport = viewport;
    this.connection = connection;
    /** @type {number | null} the peer whose view this page shows */
    this.following = null;
    /** @type {Set<number>} the peers who follow this page's view */
    this.followers = new Set();
    /** @type {number | null} this page's own peer number */
    this.me = null;
    /** @type {Box | null} the board area the one followed last showed */
    this.shown = null;
    this.pacer = new Pacer(SHARE_INTERVAL_MS, () => this._share());
    viewport.onChange((own) => {
      if (own) this.stop();
      if (this.followers.size) this.pacer.request();
    });
    globalThis.addEventListener?.("resize", () => this.resized());
  }

  /** This page's window changed size: what it shows changed too. */
  resized() {
    if (this.followers.size) this.pacer.request();
    // The followed area is fitted to this page's new size (a change of the view, not one's own).
    if (this.following !== null && this.shown) this.viewport.showBox(this.shown);
  }

  /** Joined (again) as ``peer``: nobody follows a new connection yet. @param {number} peer */
  welcome(peer) {
    this.me = peer;
    this.followers.clear();
    this._set(null);
  }

  /** Show what ``peer`` sees from now on. @param {number} peer */
  start(peer) {
    if (peer === this.me || peer === this.following) return;
    this.stop();
    this.connection.sendControl({ type: "follow", target: peer });
    this._set(peer);
  }

  /** Stop following (nothing happens when this page follows nobody). */
  stop() {
    if (this.following === null) return;
    this.connection.sendControl({ type: "follow", target: this.following, on: false });
    this._set(null);
  }

  /** A ``follow`` or ``viewport`` from someone. @param {any} message */
  heard(message) {
    if (message.type === "follow" && message.target === this.me) {
      if (message.on === false) this.followers.delete(message.peer);
      else {
        this.followers.add(message.peer);
        this.pacer.now(); // where to look first, without waiting for a move
      }
      this.dispatchEvent(new Event("change"));
    } else if (message.type === "viewport" && message.peer === this.following) {
      const { left, top, right, bottom } = message;
      this.shown = { left, top, right, bottom };
      this.viewport.showBox(this.shown);
    }
  }

  /** Someone left: following them ends. @param {number} peer */
  left(peer) {
    if (this.followers.delete(peer)) this.dispatchEvent(new Event("change"));
    if (peer === this.following) this._set(null);
  }

  /** @param {number | null} peer */
  _set(peer) {
    if (peer === this.following) return;
    this.following = peer;
    this.shown = null;
    this.dispatchEvent(new Event("change"));
  }

  _share() {
    if (!this.followers.size) return;
    const bound = (/** @type {number} */ value) => Math.max(-LIMITS.MAX_COORDINATE, Math.min(LIMITS.MAX_COORDINATE, value));
    const box = this.viewport.screenBox();
    const [left, top, right, bottom] = [box.left, box.top, box.right, box.bottom].map(bound);
    // Far out at the board's very edge the box may be cut to nothing: then there is nothing to show.
    if (right > left && bottom > top) this.connection.sendEphemeral({ type: "viewport", left, top, right, bottom });
  }
}
