// @ts-check
// What can be done to the selected objects, each as operations: transform (move, resize, rotate),
// nudge, restyle, bring to front or send to back, duplicate, delete. A gesture on more objects than one operation may name is
// sent as several operations; they are remembered as one gesture, so that one undo takes back
// all of them (``gestureOf``).

import { CREATING_KINDS, compose } from "./board.js";
import { newId } from "./ids.js";
import { encodePoints, pointsOf } from "./points.js";
import { LIMITS } from "./protocol.gen.js";
import { isIdentity, onTheWire, translation } from "./handles.js";

/** @typedef {import("./tools/context.js").ToolContext} ToolContext */
/** @typedef {import("./board.js").Matrix} Matrix */
/** @typedef {import("./board.js").Placed} Placed */
/** @typedef {{op: Record<string, any>, m: Matrix}} Copied an object as it reads, and where it stands */

// Where a duplicate lands, from its original, in board units.
export const DUPLICATE_OFFSET = 20;

/** @type {Map<string, string[]>} operation id -> the ids of every operation of its gesture */
const gestures = new Map();

/** The operations made by the gesture that made ``id`` (just ``id`` when it was one). @param {string} id */
export function gestureOf(id) {
  return gestures.get(id) ?? [id];
}

/** Submit operations as one gesture. @param {ToolContext} context @param {Record<string, any>[]} ops */
export function submitGesture(context, ops) {
  if (ops.length > 1) {
    const ids = ops.map((op) => op.id);
    for (const id of ids) gestures.set(id, ids);
  }
  for (const op of ops) context.submit(/** @type {any} */ (op));
}

/**
 * One operation per ``LIMITS.MAX_ERASE_TARGETS`` targets; the n-th takes the n-th of ``ids``.
 * @param {string[]} targets @param {(targets: string[]) => Record<string, any>} make @param {string[]} [ids]
 */
function chunked(targets, make, ids = []) {
  const ops = [];
  for (let i = 0; i < targets.length; i += LIMITS.MAX_ERASE_TARGETS) {
    ops.push({ ...make(targets.slice(i, i + LIMITS.MAX_ERASE_TARGETS)), id: ids[i / LIMITS.MAX_ERASE_TARGETS] ?? newId() });
  }
  return ops;
}

/** Holds which objects are selected (the renderer draws them) and says "change" when that changes. */
export class Selection extends EventTarget {
  /** @param {ToolContext} context */
  constructor(context) {
    super();
    this.context = context;
  }

  /** The ids of the selected objects. */
  get ids() {
    return this.context.ephemeral.selected;
  }

  /** @param {Iterable<string>} ids */
  set(ids) {
    this.context.ephemeral.select(ids);
    this.dispatchEvent(new Event("change"));
  }

  /** The selected objects still on the board, in paint order. @returns {Placed[]} */
  items() {
    const ids = this.ids;
    if (!ids.size) return [];
    return this.context.board.visible().filter((item) => ids.has(item.id));
  }

  /**
   * Move, resize or rotate the selection by ``matrix`` (board coordinates): one gesture.
   * @param {Matrix} matrix @param {string[]} [ids] the ids the live messages announced, part by part
   */
  transform(matrix, ids) {
    const targets = [...this.ids];
    if (!targets.length || isIdentity(matrix)) return;
    const m = onTheWire(matrix);
    const moveOnly = m[0] === 1 && m[1] === 0 && m[2] === 0 && m[3] === 1;
    const make = moveOnly
      ? (/** @type {string[]} */ chunk) => ({ kind: "move", targets: chunk, dx: m[4], dy: m[5] })
      : (/** @type {string[]} */ chunk) => ({ kind: "transform", targets: chunk, matrix: m });
    submitGesture(this.context, chunked(targets, make, ids));
  }

  /** Arrow keys: a move by (dx, dy). @param {number} dx @param {number} dy */
  nudge(dx, dy) {
    this.transform(translation(dx, dy));
  }

  /**
   * Set style fields on everything selected (each object takes those it has).
   * @param {{color?: string, width?: number, fill?: string, size?: number}} fields
   */
  restyle(fields) {
    const targets = [...this.ids];
    if (!targets.length) return;
    submitGesture(this.context, chunked(targets, (chunk) => ({ kind: "style", targets: chunk, ...fields })));
  }

  /**
   * Several style changes as one gesture (a fill in each shape's own color, say).
   * @param {{ids: string[], fields: Record<string, any>}[]} changes
   */
  restyleEach(changes) {
    const ops = changes.flatMap(({ ids, fields }) => chunked(ids, (chunk) => ({ kind: "style", targets: chunk, ...fields })));
    if (ops.length) submitGesture(this.context, ops);
  }

  /** Bring the selection to the front or send it to the back. @param {"front" | "back"} to */
  order(to) {
    const targets = this.items().map((item) => item.id); // in paint order: kept among themselves
    if (targets.length) submitGesture(this.context, chunked(targets, (chunk) => ({ kind: "order", targets: chunk, to })));
  }

  /** Erase everything selected. */
  remove() {
    const targets = [...this.ids];
    this.set([]);
    if (targets.length) submitGesture(this.context, chunked(targets, (chunk) => ({ kind: "erase", targets: chunk })));
  }

  /** The selected objects as they read and stand, for a copy. @returns {Copied[]} */
  copied() {
    return this.items().map((item) => ({ op: plainOp(item.op), m: item.m ?? translation(item.dx, item.dy) }));
  }

  /** Ctrl+D: copies of the selection a little aside, selected instead. */
  duplicate() {
    this.add(this.copied(), translation(DUPLICATE_OFFSET, DUPLICATE_OFFSET));
  }

  /**
   * Add copies of objects, each where ``shift`` takes it from where it stood, as one gesture
   * (ordinary creating operations, then the transforms that put them in place); the copies
   * become the selection. @param {Copied[]} copies @param {Matrix} shift
   */
  add(copies, shift) {
    /** @type {Record<string, any>[]} */
    const ops = [];
    /** @type {Map<string, {m: Matrix, ids: string[]}>} copies that stand alike go in one transform */
    const placements = new Map();
    for (const { op, m } of copies) {
      if (!CREATING_KINDS.has(op.kind)) continue;
      const id = newId();
      ops.push({ ...op, id });
      const placed = onTheWire(compose(shift, m));
      const key = placed.join(",");
      const same = placements.get(key);
      if (same) same.ids.push(id);
      else placements.set(key, { m: placed, ids: [id] });
    }
    for (const { m, ids } of placements.values()) {
      if (isIdentity(m)) continue;
      const moveOnly = m[0] === 1 && m[1] === 0 && m[2] === 0 && m[3] === 1;
      ops.push(...chunked(ids, (chunk) => moveOnly
        ? { kind: "move", targets: chunk, dx: m[4], dy: m[5] }
        : { kind: "transform", targets: chunk, matrix: m }));
    }
    if (!ops.length) return;
    submitGesture(this.context, ops);
    this.set(ops.filter((op) => CREATING_KINDS.has(op.kind)).map((op) => op.id));
  }
}

/**
 * An object's operation as plain data a new operation can be made from: its stroke points
 * encoded afresh (whatever form this page holds them in), no id. @param {Record<string, any>} op
 */
function plainOp(op) {
  const { id: _id, ...rest } = op;
  if (op.kind === "stroke") rest.points = encodePoints(pointsOf(/** @type {{points: Uint8Array}} */ (op)));
  for (const key of Object.keys(rest)) if (rest[key] === undefined || rest[key] === null) delete rest[key];
  return rest;
}
