// @ts-check
// How one board object is painted on a canvas, at a level of detail (lod.js): perfect-freehand's
// outline, a simplified line, or a dot. Outlines are computed once per object, simplified lines
// once per line level, and kept with the object; strokes of one pen in a row are painted together
// (``InkRun``).

import { getStroke } from "perfect-freehand";
import { detailOf, levelTolerance, lineLevel, simplify } from "./lod.js";
import { pointsOf } from "./points.js";
import { imageFilter } from "./theme.js";

/** @typedef {import("./geometry.js").Box} Box */
/** @typedef {import("./pictures.js").Pictures} Pictures */

// Where an image's picture has not arrived yet: a box of its size.
const WAITING_FILL = "#e9ecef";
const WAITING_EDGE = "#adb5bd";

export const HIGHLIGHTER_ALPHA = 0.35;
// Strokes in one run at most: a run is stroked, and its union rasterized, in one call into the
// canvas, which must stay short (a long one delays a pen stroke being drawn meanwhile).
const RUN_STROKES = 1024;

/** @type {WeakMap<object, Path2D>} perfect-freehand outlines, per operation */
const outlines = new WeakMap();
/** @type {WeakMap<object, {level: number, points: number[]}>} the simplified line last asked for */
const lines = new WeakMap();

/** perfect-freehand's outline of a flat [x, y, pressure, ...] list, as a closed Path2D. */
export function strokePath(/** @type {ArrayLike<number>} */ flat, /** @type {number} */ width, last = true) {
  /** @type {number[][]} */
  const points = [];
  let constant = true;
  for (let i = 0; i < flat.length; i += 3) {
    points.push([flat[i], flat[i + 1], flat[i + 2]]);
    if (flat[i + 2] !== 0.5) constant = false;
  }
  // A mouse reports no pressure (0.5 throughout): let the pen's speed stand in for it.
  const outline = getStroke(points, { size: width, simulatePressure: constant, last });
  const path = new Path2D();
  if (!outline.length) return path;
  path.moveTo(outline[0][0], outline[0][1]);
  for (let i = 0; i < outline.length; i++) {
    const [x0, y0] = outline[i];
    const [x1, y1] = outline[(i + 1) % outline.length];
    path.quadraticCurveTo(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2);
  }
  path.closePath();
  return path;
}

/** @param {any} op a stroke */
function outlineOf(op) {
  let path = outlines.get(op);
  if (!path) {
    path = strokePath(pointsOf(op), op.width);
    outlines.set(op, path);
  }
  return path;
}

/**
 * A stroke's line at a level: its simplified points, kept with it.
 * @param {any} op a stroke @param {number} level @returns {number[]} [x, y, x, y, ...]
 */
function lineOf(op, level) {
  const known = lines.get(op);
  if (known && known.level === level) return known.points;
  const points = simplify(pointsOf(op), levelTolerance(level));
  lines.set(op, { level, points });
  return points;
}

/**
 * Add a stroke's line to the context's path. A path built in place beats a kept Path2D: drawn
 * again, a kept path costs a call to draw it, and put into a longer one (``addPath``) more than
 * the few points it holds cost to add again. @param {CanvasRenderingContext2D} context
 * @param {number[]} kept [x, y, x, y, ...]
 */
function traceLine(context, kept) {
  context.moveTo(kept[0], kept[1]);
  // A lone point still needs a segment for the round caps to show.
  if (kept.length === 2) context.lineTo(kept[0], kept[1] + 1e-3);
  for (let i = 2; i < kept.length; i += 2) context.lineTo(kept[i], kept[i + 1]);
}

/**
 * Consecutive strokes painted as one: strokes that would each be drawn as a line (or a dot) of the
 * same colour and width, opaque and in place, are gathered into one path and stroked (or filled)
 * once. A board zoomed out draws tens of thousands of such strokes, most of them in runs of one
 * pen, and each call into the canvas costs its state, its recording and its rasterizing; one path
 * for the run costs those once (a 100,000-stroke board zoomed out to fit is painted in a quarter
 * of the main thread's time it took stroke by stroke). Opaque ink of one colour looks the same
 * painted one stroke over another or as one path, their union, but for a few shades at the
 * smoothed edges where two overlap; a see-through highlighter would not (overlaps show darker),
 * and is painted alone, as is a stroke moved or faded.
 */
export class InkRun {
  constructor() {
    /** whether the context's path holds strokes of this run */
    this.open = false;
    this.strokes = 0;
    /** @type {"line" | "dot"} */
    this.detail = "line";
    this.color = "";
    this.width = 0;
  }

  /**
   * Gather a stroke painted in place at full opacity into the run (the context's path), painting
   * the run so far first if the stroke does not match it; false if the stroke is to be painted on
   * its own (after ``paint``). @param {CanvasRenderingContext2D} context @param {any} op
   * @param {Box} box @param {number} pixels device pixels per board unit (0: full detail)
   */
  take(context, op, box, pixels) {
    if (!pixels || op.kind !== "stroke" || op.tool === "highlighter") return false;
    const detail = detailOf(box, op.width, pixels);
    if (detail === "full") return false;
    const other = detail !== this.detail || op.color !== this.color || (detail === "line" && op.width !== this.width);
    if (this.open && (other || this.strokes >= RUN_STROKES)) this.paint(context);
    if (!this.open) {
      context.beginPath();
      this.open = true;
      this.strokes = 0;
      this.detail = detail;
      this.color = op.color;
      this.width = op.width;
    }
    this.strokes++;
    if (detail === "line") traceLine(context, lineOf(op, lineLevel(pixels)));
    else {
      const side = dotSide(box, pixels);
      context.rect((box.left + box.right - side) / 2, (box.top + box.bottom - side) / 2, side, side);
    }
    return true;
  }

  /** Paint what the run holds, and begin a new one. @param {CanvasRenderingContext2D} context */
  paint(context) {
    if (!this.open) return;
    this.open = false;
    context.globalAlpha = 1;
    if (this.detail === "dot") {
      context.fillStyle = this.color;
      context.fill();
      return;
    }
    context.strokeStyle = this.color;
    context.lineWidth = this.width;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.stroke();
  }
}

/** A dot's side: still there when zoomed far out, at least a device pixel and a half. @param {Box} box @param {number} pixels */
function dotSide(box, pixels) {
  return Math.max(box.right - box.left, box.bottom - box.top, 1.5 / pixels);
}

/**
 * Paint one object on a context already in board coordinates.
 * @param {CanvasRenderingContext2D} context @param {any} op @param {Box} box its own box (before moves)
 * @param {number} pixels device pixels per board unit, or 0 for full detail whatever the size
 * @param {number} alpha @param {Pictures | null} [pictures] where images' pictures come from
 */
export function paintObject(context, op, box, pixels, alpha, pictures = null) {
  const detail = pixels ? detailOf(box, op.kind === "stroke" ? op.width : 0, pixels) : "full";
  const highlighter = op.kind === "stroke" && op.tool === "highlighter";
  context.globalAlpha = highlighter ? alpha * HIGHLIGHTER_ALPHA : alpha;
  if (detail === "dot") {
    const side = dotSide(box, pixels);
    context.fillStyle = op.color ?? WAITING_EDGE;
    context.fillRect((box.left + box.right - side) / 2, (box.top + box.bottom - side) / 2, side, side);
  } else if (op.kind === "stroke") {
    if (detail === "line") {
      context.strokeStyle = op.color;
      context.lineWidth = op.width;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.beginPath();
      traceLine(context, lineOf(op, lineLevel(pixels)));
      context.stroke();
    } else {
      context.fillStyle = op.color;
      context.fill(outlineOf(op));
    }
  } else if (op.kind === "shape") {
    drawShape(context, op);
  } else if (op.kind === "text") {
    drawText(context, op);
  } else if (op.kind === "image") {
    drawImage(context, op, pictures);
  }
}

/**
 * An image stretched to its box: its own ``picture`` (one being added here), or the board's
 * picture of its hash once it has arrived, or meanwhile a grey box.
 * @param {CanvasRenderingContext2D} context @param {any} op @param {Pictures | null} pictures
 */
export function drawImage(context, op, pictures) {
  const picture = op.picture ?? pictures?.get(op.hash) ?? null;
  if (picture) {
    context.imageSmoothingQuality = "high";
    context.filter = imageFilter(context.canvas);
    context.drawImage(picture, op.x, op.y, op.w, op.h);
    context.filter = "none";
    return;
  }
  context.fillStyle = WAITING_FILL;
  context.fillRect(op.x, op.y, op.w, op.h);
  context.strokeStyle = WAITING_EDGE;
  context.lineWidth = Math.min(op.w, op.h) / 100;
  context.strokeRect(op.x, op.y, op.w, op.h);
}

/** @param {CanvasRenderingContext2D} context @param {any} op */
export function drawShape(context, op) {
  const { x1, y1, x2, y2 } = op;
  context.lineWidth = op.width;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = op.color;
  context.beginPath();
  if (op.shape === "rect") {
    context.rect(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1));
  } else if (op.shape === "ellipse") {
    const rx = Math.abs(x2 - x1) / 2;
    const ry = Math.abs(y2 - y1) / 2;
    context.ellipse((x1 + x2) / 2, (y1 + y2) / 2, rx, ry, 0, 0, 2 * Math.PI);
  } else {
    context.moveTo(x1, y1);
    context.lineTo(x2, y2);
    if (op.shape === "arrow") {
      const angle = Math.atan2(y2 - y1, x2 - x1);
      const length = Math.max(10, op.width * 4);
      for (const side of [-0.45, 0.45]) {
        context.moveTo(x2, y2);
        context.lineTo(x2 - length * Math.cos(angle + side), y2 - length * Math.sin(angle + side));
      }
    }
  }
  if (op.fill) {
    context.fillStyle = op.fill;
    context.fill();
  }
  context.stroke();
}

/** @param {CanvasRenderingContext2D} context @param {any} op */
export function drawText(context, op) {
  context.fillStyle = op.color;
  context.font = `${op.size}px system-ui, sans-serif`;
  context.textBaseline = "top";
  String(op.text)
    .split("\n")
    .forEach((line, i) => context.fillText(line, op.x, op.y + i * op.size * 1.25));
}
