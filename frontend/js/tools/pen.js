// @ts-check
// Freehand ink: streams its points to the others while drawing, commits the stroke on release.
// The highlighter is the same tool drawing translucent ink. Points are collected as floats while
// drawing; what leaves the tool is encoded (points.js), so the committed op holds the same
// quantized points the server stores and every other client decodes.

import { LIMITS } from "../protocol.gen.js";
import { newId } from "../ids.js";
import { Pacer } from "../pacer.js";
import { encodePoints } from "../points.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */

const LIVE_INTERVAL_MS = 33;

/** @param {ToolContext} context @param {"pen" | "highlighter"} kind */
export function freehand(context, kind) {
  /** @type {{id: string, points: number[], sent: number, color: string, width: number} | null} */
  let stroke = null;
  // Points held back by the pace still go out when the pen pauses.
  const pacer = new Pacer(LIVE_INTERVAL_MS, send);

  function flush(force = false) {
    if (!stroke || stroke.sent >= stroke.points.length) return;
    if (force) pacer.now();
    else pacer.request();
  }

  function send() {
    if (!stroke || stroke.sent >= stroke.points.length) return;
    const fresh = stroke.points.slice(stroke.sent, stroke.sent + 3 * LIMITS.MAX_LIVE_POINTS);
    stroke.sent += fresh.length;
    const { id, color, width } = stroke;
    // Each run of points is a standalone chunk (its first point absolute).
    context.connection.sendEphemeral({ type: "live", stroke: id, color, width, points: encodePoints(fresh) });
  }

  function finish() {
    if (!stroke) return;
    flush(true);
    const { id, color, width, points } = stroke;
    context.ephemeral.endOwn("ink");
    stroke = null;
    // A stroke longer than one operation may carry continues as further strokes.
    const chunk = 3 * LIMITS.MAX_STROKE_POINTS;
    for (let start = 0; start < points.length; start += chunk - 3) {
      const part = points.slice(start, start + chunk);
      context.submit({ kind: "stroke", id: start ? newId() : id, tool: kind, color, width, points: encodePoints(part) });
    }
  }

  return {
    name: kind,
    down(/** @type {{x: number, y: number, pressure: number}} */ p) {
      const style = context.style();
      const width = kind === "highlighter" ? style.width * 4 : style.width;
      stroke = { id: newId(), points: [p.x, p.y, p.pressure], sent: 0, color: style.color, width };
      // Shown with the same points array, which grows as the pen moves.
      context.ephemeral.showOwn("ink", { ...stroke, tool: kind });
      flush(true);
    },
    move(/** @type {{x: number, y: number, pressure: number}} */ p) {
      if (!stroke) return;
      const n = stroke.points.length;
      // Skip points that add nothing visible (under a tenth of a screen pixel away).
      if (Math.hypot(p.x - stroke.points[n - 3], p.y - stroke.points[n - 2]) * context.view.scale < 0.1) return;
      stroke.points.push(p.x, p.y, p.pressure);
      context.ephemeral.touchOwn("ink");
      flush();
    },
    up: finish,
    cancel() {
      // A second finger came down: this was the start of a pinch, not a stroke.
      stroke = null;
      context.ephemeral.endOwn("ink");
    },
  };
}
