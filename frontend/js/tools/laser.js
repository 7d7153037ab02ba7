// @ts-check
// The laser pointer: points at things for the others to see, drawing nothing. Its trail fades out
// behind it (ephemeral.js); its points go to the others as ``laser`` messages, never stored.

import { LIMITS } from "../protocol.gen.js";
import { newId } from "../ids.js";
import { Pacer } from "../pacer.js";
import { encodePoints } from "../points.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */

const SEND_INTERVAL_MS = 33;

/** @param {ToolContext} context @param {() => string} color this person's color */
export function laserTool(context, color) {
  /** @type {{id: string, unsent: number[]} | null} */
  let trail = null;
  const pacer = new Pacer(SEND_INTERVAL_MS, send);

  function send() {
    if (!trail?.unsent.length) return;
    const fresh = trail.unsent.splice(0, 3 * LIMITS.MAX_LIVE_POINTS);
    context.connection.sendEphemeral({ type: "laser", id: trail.id, color: color(), points: encodePoints(fresh) });
    if (trail.unsent.length) pacer.request();
  }

  /** @param {{x: number, y: number}} p */
  function point(p) {
    if (!trail) return;
    trail.unsent.push(p.x, p.y, 0.5);
    context.ephemeral.laserOwn(trail.id, color(), p.x, p.y);
  }

  function end() {
    pacer.cancel();
    send();
    trail = null;
  }

  return {
    name: "laser",
    down(/** @type {{x: number, y: number}} */ p) {
      trail = { id: newId(), unsent: [] };
      point(p);
      pacer.now();
    },
    move(/** @type {{x: number, y: number}} */ p) {
      point(p);
      pacer.request();
    },
    up: end,
    cancel: end,
  };
}
