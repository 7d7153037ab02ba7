// @ts-check
// How one board object is painted on a canvas, at a level of detail (lod.js): perfect-freehand's
// outline, a simplified line, or a dot. Paths are computed once per object (and per line level)
// and kept with the object.

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

/** @type {WeakMap<object, Path2D>} perfect-freehand outlines, per operation */
const outlines = new WeakMap();
/** @type {WeakMap<object, {level: number, path: Path2D}>} the simplified line last asked for */
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

/** @param {any} op a stroke @param {number} level */
function lineOf(op, level) {
  const known = lines.get(op);
  if (known && known.level === level) return known.path;
  const kept = simplify(pointsOf(op), levelTolerance(level));
  const path = new Path2D();
  path.moveTo(kept[0], kept[1]);
  // A lone point still needs a segment for the round caps to show.
  if (kept.length === 2) path.lineTo(kept[0], kept[1] + 1e-3);
  for (let i = 2; i < kept.length; i += 2) path.lineTo(kept[i], kept[i + 1]);
  lines.set(op, { level, path });
  return path;
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
    // Still there when zoomed far out: at least a device pixel and a half.
    const side = Math.max(box.right - box.left, box.bottom - box.top, 1.5 / pixels);
    context.fillStyle = op.color ?? WAITING_EDGE;
    context.fillRect((box.left + box.right - side) / 2, (box.top + box.bottom - side) / 2, side, side);
  } else if (op.kind === "stroke") {
    if (detail === "line") {
      context.strokeStyle = op.color;
      context.lineWidth = op.width;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.stroke(lineOf(op, lineLevel(pixels)));
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
