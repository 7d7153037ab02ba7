// @ts-check
// This page's own gesture under way (a drag of its selection), sent to the others as
// ``transforming`` messages (ephemeral, never stored) and shown here through the ephemeral state
// until its operation is submitted or the gesture ends. The others' gestures are ephemeral.js's.
// A selection of more objects than one message names goes as one message per part, each with the
// id of the operation that will move that part, so that all of it moves live for the others.

import { newId } from "./ids.js";
import { Pacer } from "./pacer.js";
import { LIMITS } from "./protocol.gen.js";
import { onTheWire } from "./handles.js";

/** @typedef {import("./board.js").Matrix} Matrix */

// How often a gesture under way is sent: as often as live ink (a gesture in several parts sends
// them less often, so that it costs no more messages a second than one part).
const SEND_INTERVAL_MS = 33;

export class Gestures {
  /**
   * @param {import("./ephemeral.js").Ephemeral} ephemeral
   * @param {{sendEphemeral(message: object): void}} connection
   */
  constructor(ephemeral, connection) {
    this.ephemeral = ephemeral;
    this.connection = connection;
    /** @type {{id: string, ids: string[], targets: string[], matrix: Matrix} | null} */
    this.own = null;
    this.pacer = new Pacer(SEND_INTERVAL_MS, () => this._send(false));
  }

  /**
   * This page's gesture so far; sent to the others at most every ``SEND_INTERVAL_MS``.
   * @param {string} id the operation's id to come @param {string[]} targets @param {Matrix} matrix
   */
  ownMoved(id, targets, matrix) {
    const parts = Math.max(1, Math.ceil(targets.length / LIMITS.MAX_ERASE_TARGETS));
    const ids = this.own?.id === id ? this.own.ids : [id];
    while (ids.length < parts) ids.push(newId());
    this.own = { id, ids, targets, matrix };
    this.pacer.intervalMs = SEND_INTERVAL_MS * parts;
    this.ephemeral.transformOwn(targets, matrix);
    this.pacer.request();
  }

  /** The ids of the operations the gesture ``id`` announced, part by part. @param {string} id */
  idsOf(id) {
    return this.own?.id === id ? this.own.ids : [id];
  }

  /**
   * This page's gesture ended. With an operation, the others stop previewing when it arrives
   * (an ``ended`` could overtake it and show the objects back where they were for a moment).
   * @param {boolean} submitted whether the gesture's operations were submitted
   */
  ownEnded(submitted) {
    if (!this.own) return;
    this.pacer.cancel();
    if (!submitted) this._send(true);
    this.own = null;
    this.ephemeral.transformOwn(null);
  }

  /** @param {boolean} ended */
  _send(ended) {
    const own = this.own;
    if (!own) return;
    const matrix = onTheWire(own.matrix);
    own.ids.forEach((id, part) => {
      const targets = own.targets.slice(part * LIMITS.MAX_ERASE_TARGETS, (part + 1) * LIMITS.MAX_ERASE_TARGETS);
      if (targets.length) this.connection.sendEphemeral({ type: "transforming", id, targets, matrix, ...(ended && { ended }) });
    });
  }
}
