// @ts-check
// This page's own gesture under way (a drag of its selection), sent to the others as
// ``transforming`` messages (ephemeral, never stored) and shown here through the ephemeral state
// until its operation is submitted or the gesture ends. The others' gestures are ephemeral.js's.

import { Pacer } from "./pacer.js";
import { LIMITS } from "./protocol.gen.js";
import { onTheWire } from "./handles.js";

/** @typedef {import("./board.js").Matrix} Matrix */

// How often a gesture under way is sent: as often as live ink.
const SEND_INTERVAL_MS = 33;

export class Gestures {
  /**
   * @param {import("./ephemeral.js").Ephemeral} ephemeral
   * @param {{sendEphemeral(message: object): void}} connection
   */
  constructor(ephemeral, connection) {
    this.ephemeral = ephemeral;
    this.connection = connection;
    /** @type {{id: string, targets: string[], matrix: Matrix} | null} */
    this.own = null;
    this.pacer = new Pacer(SEND_INTERVAL_MS, () => this._send());
  }

  /**
   * This page's gesture so far; sent to the others at most every ``SEND_INTERVAL_MS``.
   * @param {string} id the operation's id to come @param {string[]} targets @param {Matrix} matrix
   */
  ownMoved(id, targets, matrix) {
    this.own = { id, targets, matrix };
    this.ephemeral.transformOwn(targets, matrix);
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
    this.ephemeral.transformOwn(null);
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
}
