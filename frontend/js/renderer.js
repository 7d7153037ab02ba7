// @ts-check
// The only canvas code. Three layers: committed ink (redrawn only when the board or the view
// changes), ink being drawn by anyone, and cursors with names on top. Sharp at any
// devicePixelRatio; objects off screen are skipped.

import { getStroke } from "/vendor/perfect-freehand/index.mjs";
import { bounds, overlaps, union } from "./geometry.js";
import { pointsOf } from "./points.js";

/** @param {{left: number, top: number, right: number, bottom: number}} box @param {{dx: number, dy: number}} by */
function shift(box, by) {
  return { left: box.left + by.dx, top: box.top + by.dy, right: box.right + by.dx, bottom: box.bottom + by.dy };
}

/** @typedef {import("./board.js").Board} Board */
/** @typedef {import("./board.js").Placed} Placed */
/** @typedef {import("./view.js").View} View */
// A stroke still being drawn is not an op: its points are floats, decoded as they arrive.
/** @typedef {{color: string, width: number, tool?: string, points: number[], updated: number}} LiveStroke */
/** @typedef {{x: number, y: number, name: string, color: string, updated: number}} RemoteCursor */

export const HIGHLIGHTER_ALPHA = 0.35;

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

export class Renderer {
  /**
   * @param {HTMLElement} host @param {Board} board @param {View} view
   * @param {{ratio?: number, ids?: boolean}} options a fixed pixel ratio (exports), and whether
   *   the layers get their ids (only the page's own renderer does)
   */
  constructor(host, board, view, options = {}) {
    this.host = host;
    this.board = board;
    this.view = view;
    this.fixedRatio = options.ratio;
    const ids = options.ids ?? true;
    this.ink = this._layer(ids ? "layer-ink" : "");
    this.live = this._layer(ids ? "layer-live" : "");
    this.top = this._layer(ids ? "board-canvas" : "");
    /** @type {Map<string, LiveStroke>} */
    this.liveStrokes = new Map();
    /** @type {Map<number, RemoteCursor>} */
    this.cursors = new Map();
    /** @type {Set<string>} objects drawn faded (picked by the eraser, say) */
    this.faded = new Set();
    /** @type {Set<string>} ids of selected objects */
    this.selected = new Set();
    // How far the selection is being dragged, not yet committed as a move.
    this.dragOffset = { dx: 0, dy: 0 };
    /** @type {{left: number, top: number, right: number, bottom: number} | null} a rubber band */
    this.band = null;
    /** @type {WeakMap<object, Path2D>} cached outlines, per operation */
    this.paths = new WeakMap();
    this.width = 0;
    this.height = 0;
    this.drawnKey = "";
    this.drawnContent = "";
    /** @type {{x: number, y: number} | null} where the view was when the ink was drawn */
    this.drawnAt = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.settle = undefined;
    /** @type {HTMLCanvasElement | undefined} */
    this.spare = undefined;
    // While a board's history is still arriving, redrawing it on every frame would only slow
    // the arrival down: the ink waits until ``hold`` is lifted.
    this.hold = false;
    this.frame = 0;
    this.lastInkMs = 0;
    if (ids) new ResizeObserver(() => this._resize()).observe(host);
    this._resize();
  }

  /** Redraw what changed, at the next animation frame. */
  invalidate() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this._draw());
  }

  /** Draw the committed layer now (exports cannot wait for an animation frame). */
  drawInkNow() {
    this._resize();
    this._drawInk();
  }

  get ratio() {
    return this.fixedRatio ?? (devicePixelRatio || 1);
  }

  /** @param {string} id */
  _layer(id) {
    const canvas = document.createElement("canvas");
    if (id) canvas.id = id;
    this.host.append(canvas);
    return /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  }

  _resize() {
    const { width, height } = this.host.getBoundingClientRect();
    const ratio = this.ratio;
    this.width = width;
    this.height = height;
    for (const context of [this.ink, this.live, this.top]) {
      context.canvas.width = Math.round(width * ratio);
      context.canvas.height = Math.round(height * ratio);
      context.canvas.style.width = `${width}px`;
      context.canvas.style.height = `${height}px`;
    }
    this.drawnKey = "";
    this.invalidate();
  }

  /** Board coordinates on a layer, at this screen's pixel density. @param {CanvasRenderingContext2D} context */
  _prepare(context) {
    const ratio = this.ratio;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, context.canvas.width, context.canvas.height);
    const scale = ratio * this.view.scale;
    context.setTransform(scale, 0, 0, scale, -this.view.x * scale, -this.view.y * scale);
  }

  _draw() {
    this.frame = 0;
    const { dx, dy } = this.dragOffset;
    // Everything the committed layer depends on but where the view is.
    const content = [
      this.board.version, this.view.scale, this.width, this.height, [...this.faded].join(), dx, dy,
    ].join(":");
    const key = `${content}:${this.view.x}:${this.view.y}`;
    if (key !== this.drawnKey && !this.hold) {
      const started = performance.now();
      if (content === this.drawnContent && this.drawnAt) {
        // Only panned: move the pixels already drawn, and draw everything properly once the
        // panning pauses.
        this._shiftInk(this.drawnAt);
        clearTimeout(this.settle);
        this.settle = setTimeout(() => {
          this.drawnKey = "";
          this.drawnContent = "";
          this.invalidate();
        }, 120);
      } else {
        this._drawInk();
      }
      this.lastInkMs = performance.now() - started;
      this.drawnKey = key;
      this.drawnContent = content;
      this.drawnAt = { x: this.view.x, y: this.view.y };
    }
    this._drawLive();
    this._drawTop();
  }

  /** Move the committed layer's pixels by how far the view moved since they were drawn. */
  _shiftInk(/** @type {{x: number, y: number}} */ from) {
    const canvas = this.ink.canvas;
    const copy = (this.spare ??= document.createElement("canvas"));
    copy.width = canvas.width;
    copy.height = canvas.height;
    /** @type {CanvasRenderingContext2D} */ (copy.getContext("2d")).drawImage(canvas, 0, 0);
    const shift = this.ratio * this.view.scale;
    this.ink.setTransform(1, 0, 0, 1, 0, 0);
    this.ink.clearRect(0, 0, canvas.width, canvas.height);
    this.ink.drawImage(copy, (from.x - this.view.x) * shift, (from.y - this.view.y) * shift);
  }

  _drawInk() {
    const context = this.ink;
    this._prepare(context);
    const screen = this.view.visibleBox(this.width, this.height);
    const { dx: dragX, dy: dragY } = this.dragOffset;
    for (const item of this.board.visible()) {
      const dragged = this.selected.has(item.id);
      const box = bounds(item);
      if (!dragged && !overlaps(box, screen)) continue;
      context.save();
      if (this.faded.has(item.id)) context.globalAlpha = 0.25;
      const dx = item.dx + (dragged ? dragX : 0);
      const dy = item.dy + (dragged ? dragY : 0);
      if (dx || dy) context.translate(dx, dy);
      this._drawObject(context, item.op);
      context.restore();
    }
  }

  /** @param {CanvasRenderingContext2D} context @param {any} op */
  _drawObject(context, op) {
    if (op.kind === "stroke") {
      let path = this.paths.get(op);
      if (!path) {
        path = strokePath(pointsOf(op), op.width);
        this.paths.set(op, path);
      }
      if (op.tool === "highlighter") context.globalAlpha *= HIGHLIGHTER_ALPHA;
      context.fillStyle = op.color;
      context.fill(path);
    } else if (op.kind === "shape") {
      drawShape(context, op);
    } else if (op.kind === "text") {
      drawText(context, op);
    }
  }

  _drawLive() {
    const context = this.live;
    this._prepare(context);
    const now = performance.now();
    for (const [key, stroke] of this.liveStrokes) {
      // A stroke whose author went quiet without finishing it fades out of the live layer.
      if (now - stroke.updated > 10_000) {
        this.liveStrokes.delete(key);
        continue;
      }
      if (stroke.points.length < 3) continue;
      context.save();
      if (stroke.tool === "highlighter") context.globalAlpha = HIGHLIGHTER_ALPHA;
      if (stroke.tool === "shape" || stroke.tool === "text") {
        this._drawObject(context, stroke);
      } else {
        context.fillStyle = stroke.color;
        context.fill(strokePath(stroke.points, stroke.width, false));
      }
      context.restore();
    }
  }

  _drawTop() {
    const context = this.top;
    this._prepare(context);
    const selectedBoxes = this.board
      .visible()
      .filter((item) => this.selected.has(item.id))
      .map((item) => bounds(item));
    const box = union(selectedBoxes);
    for (const outline of [box && shift(box, this.dragOffset), this.band]) {
      if (!outline) continue;
      context.save();
      context.strokeStyle = "#4263eb";
      context.lineWidth = 1 / this.view.scale;
      context.setLineDash([6 / this.view.scale, 4 / this.view.scale]);
      context.strokeRect(outline.left, outline.top, outline.right - outline.left, outline.bottom - outline.top);
      context.restore();
    }
    const now = performance.now();
    const size = 1 / this.view.scale;
    for (const [peer, cursor] of this.cursors) {
      if (now - cursor.updated > 30_000) {
        this.cursors.delete(peer);
        continue;
      }
      context.save();
      context.translate(cursor.x, cursor.y);
      context.scale(size, size);
      context.fillStyle = cursor.color;
      context.strokeStyle = "#ffffff";
      context.lineWidth = 1.5;
      context.beginPath();
      context.moveTo(0, 0);
      context.lineTo(0, 16);
      context.lineTo(4.5, 12);
      context.lineTo(11, 12);
      context.closePath();
      context.fill();
      context.stroke();
      context.font = "12px system-ui, sans-serif";
      const label = cursor.name;
      const labelWidth = context.measureText(label).width + 10;
      context.fillRect(10, 16, labelWidth, 18);
      context.fillStyle = "#ffffff";
      // fillText draws characters: a name full of markup stays a name.
      context.fillText(label, 15, 29);
      context.restore();
    }
  }
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
