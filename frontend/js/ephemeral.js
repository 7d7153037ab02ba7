// @ts-check
// What the board shows besides its objects, and never stores: ink, shapes and texts being drawn
// (here and by others), laser trails, others' cursors, gestures under way (this page's own and the others'
// ``transforming``), and the selection with its rubber band and the eraser's picks. Everything
// that changes it goes through the methods here; the renderer only reads it, and draws again when
// it says it changed. What others sent is forgotten when its operation arrives, when they leave,
// or when they go quiet for a while (closed the tab mid-stroke, say).

import { decodePoints } from "./points.js";
import { LIMITS } from "./protocol.gen.js";

/** @typedef {import("./board.js").Matrix} Matrix */
/** @typedef {{left: number, top: number, right: number, bottom: number}} Box */
/**
 * @typedef {{color: string, width: number, tool?: string, points: number[], object?: string | null,
 *   own?: boolean, [field: string]: any}} Drawn
 *   ink, a shape or a text being drawn; a text being edited names the ``object`` it replaces
 *   meanwhile, and the one typed here (``own``) is shown by its text field, not drawn
 */
/** @typedef {Drawn & {updated: number}} LiveStroke what is drawn, and when its author last said so */
/** @typedef {{x: number, y: number, name: string, color: string, updated: number}} RemoteCursor */
/** @typedef {{id: string, targets: string[], matrix: Matrix, updated: number}} RemoteGesture */
/** @typedef {{color: string, points: number[]}} LaserTrail x, y and the time each point was shown */

// Live strokes, texts and gestures whose author went quiet this long stop being shown; cursors
// stay longer (a person reading does not move the pointer).
export const QUIET_MS = 10_000;
export const CURSOR_QUIET_MS = 30_000;
// A laser pointer's trail fades out over this long behind the pointer.
export const LASER_FADE_MS = 1_000;
const SWEEP_MS = 1_000;
// Operations remembered as arrived, so that news of one still under way that comes after it (from
// another server process, say) does not show it twice.
const ARRIVED_KEPT = 256;
// Keys of what this page draws itself start with this; the others' are "peer:id".
const OWN = "me";

export class Ephemeral {
  constructor() {
    /** @type {Map<string, LiveStroke>} */
    this._strokes = new Map();
    /** @type {Map<string, string>} the id of the operation a stroke will become -> its key */
    this._byOperation = new Map();
    /** @type {Map<number, RemoteCursor>} */
    this._cursors = new Map();
    /** @type {Map<string, RemoteGesture>} "peer:id" -> someone else's gesture */
    this._gestures = new Map();
    /** @type {{targets: string[], matrix: Matrix} | null} */
    this._ownGesture = null;
    /** @type {Map<string, Matrix>} */
    this._previews = new Map();
    /** @type {Set<string>} replaced, never changed in place: a reader may compare it */
    this._selected = new Set();
    /** @type {Box | null} */
    this._band = null;
    /** @type {Set<string>} */
    this._faded = new Set();
    /** @type {Map<string, LaserTrail>} "me:id" or "peer:id" -> a laser pointer's trail */
    this._lasers = new Map();
    /** @type {Set<string>} the newest operations that arrived: what announced them is over */
    this._arrived = new Set();
    /** @type {Set<() => void>} */
    this._listeners = new Set();
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this._sweeper = undefined;
  }

  // ---- what the renderer reads

  /** Ink, shapes and texts being drawn, by key. @returns {ReadonlyMap<string, LiveStroke>} */
  get strokes() {
    return this._strokes;
  }

  /** Others' cursors, by peer. @returns {ReadonlyMap<number, RemoteCursor>} */
  get cursors() {
    return this._cursors;
  }

  /**
   * Objects being moved, resized or rotated, here or by someone else, and the transform of that
   * gesture so far (not yet an operation): drawn where the gesture has them.
   * @returns {ReadonlyMap<string, Matrix>}
   */
  get previews() {
    return this._previews;
  }

  /** This page's own gesture, for the selection's frame. */
  get gesture() {
    return this._ownGesture?.matrix ?? null;
  }

  /** The ids of the selected objects. @returns {ReadonlySet<string>} */
  get selected() {
    return this._selected;
  }

  /** A rubber band being dragged, in board coordinates. */
  get band() {
    return this._band;
  }

  /** Objects drawn faded (picked by the eraser, say). @returns {ReadonlySet<string>} */
  get faded() {
    return this._faded;
  }

  /** Texts being edited, here or by someone else: the live layer shows them as they are typed. */
  beingEdited() {
    /** @type {Set<string>} */
    const ids = new Set();
    for (const live of this._strokes.values()) if (live.object) ids.add(live.object);
    return ids;
  }

  /**
   * Laser trails, each with its points of the last ``LASER_FADE_MS`` (older ones are forgotten
   * here): the renderer fades them by age and draws again while any is left.
   * @returns {ReadonlyMap<string, LaserTrail>}
   */
  laserTrails(now = performance.now()) {
    for (const [key, trail] of this._lasers) {
      let old = 0;
      while (old < trail.points.length && now - trail.points[old + 2] > LASER_FADE_MS) old += 3;
      if (old) trail.points.splice(0, old);
      if (!trail.points.length) this._lasers.delete(key);
    }
    return this._lasers;
  }

  /** Call ``listener`` after every change. @param {() => void} listener */
  onChange(listener) {
    this._listeners.add(listener);
  }

  // ---- what this page draws

  /**
   * Show what this page is drawing under ``name`` (one thing per name: "ink", "text"); the object
   * given is the one shown, so points pushed onto it later show at the next ``touchOwn``.
   * @param {string} name @param {Drawn} stroke
   */
  showOwn(name, stroke) {
    this._strokes.set(`${OWN}:${name}`, { ...stroke, updated: performance.now() });
    this._changed();
  }

  /** What this page draws under ``name`` grew. @param {string} name */
  touchOwn(name) {
    const stroke = this._strokes.get(`${OWN}:${name}`);
    if (stroke) stroke.updated = performance.now();
    this._changed();
  }

  /** @param {string} name */
  endOwn(name) {
    if (this._strokes.delete(`${OWN}:${name}`)) this._changed();
  }

  /** This page's gesture so far, or null when it is over. @param {string[] | null} targets @param {Matrix | null} [matrix] */
  transformOwn(targets, matrix = null) {
    this._ownGesture = targets && matrix ? { targets, matrix } : null;
    this._showGestures();
  }

  /** This page's laser pointer is at (x, y). @param {string} id the trail @param {string} color */
  laserOwn(id, color, /** @type {number} */ x, /** @type {number} */ y) {
    this._trail(`${OWN}:${id}`, color).points.push(x, y, performance.now());
    this._changed();
  }

  /** @param {Iterable<string>} ids */
  select(ids) {
    this._selected = new Set(ids);
    this._changed();
  }

  /** @param {Box | null} box */
  setBand(box) {
    if (!box && !this._band) return;
    this._band = box;
    this._changed();
  }

  /** @param {string} id */
  fade(id) {
    this._faded.add(id);
    this._changed();
  }

  unfadeAll() {
    if (!this._faded.size) return;
    this._faded.clear();
    this._changed();
  }

  // ---- what the others send

  /** A run of someone's ink as they draw it (``live``). @param {any} message */
  ink(message) {
    const key = `${message.peer}:${message.stroke}`;
    // Each live message is a standalone run of points (its first point absolute).
    const fresh = decodePoints(message.points, { maxPoints: LIMITS.MAX_LIVE_POINTS });
    const stroke = this._strokes.get(key);
    if (stroke) {
      stroke.points.push(...fresh);
      stroke.updated = performance.now();
    } else {
      const { tool, color, width } = message;
      this._remember(key, message.stroke, { tool, color, width, points: [...fresh], updated: performance.now() });
    }
    this._changed();
  }

  /** Someone's text as they type it (``typing``), or its end. @param {any} message */
  typing(message) {
    const key = `${message.peer}:${message.id}`;
    if (message.ended) {
      this._forget(key);
    } else {
      const { object, x, y, size, color, text } = message;
      this._remember(key, message.id, {
        tool: "text", kind: "text", object: object ?? null, x, y, size, color, text, points: [], width: 1,
        updated: performance.now(),
      }); // prettier-ignore
    }
    this._changed();
  }

  /** Points of someone's laser trail (``laser``): shown as they come, faded out as they age. @param {any} message */
  laser(message) {
    const trail = this._trail(`${message.peer}:${message.id}`, message.color);
    const now = performance.now();
    const fresh = decodePoints(message.points, { maxPoints: LIMITS.MAX_LIVE_POINTS });
    for (let i = 0; i + 2 < fresh.length; i += 3) trail.points.push(fresh[i], fresh[i + 1], now);
    this._changed();
  }

  /** Someone's line, arrow, rectangle or ellipse as they drag it (``drafting``), or its end. @param {any} message */
  drafting(message) {
    const key = `${message.peer}:${message.id}`;
    if (message.ended) {
      this._forget(key);
    } else if (!this._arrived.has(message.id)) {
      const { shape, x1, y1, x2, y2, color, width, fill } = message;
      this._remember(key, message.id, {
        tool: "shape", kind: "shape", shape, x1, y1, x2, y2, color, width, ...(fill && { fill }), points: [],
        updated: performance.now(),
      }); // prettier-ignore
    }
    this._changed();
  }

  /** Someone's gesture under way (``transforming``), or its end. @param {any} message */
  transforming(message) {
    const key = `${message.peer}:${message.id}`;
    if (message.ended) this._gestures.delete(key);
    else this._gestures.set(key, { id: message.id, targets: message.targets, matrix: message.matrix, updated: performance.now() });
    this._sweepSoon();
    this._showGestures();
  }

  /**
   * Where someone's pointer is. @param {{peer: number, x: number, y: number}} message
   * @param {{name: string, color: string}} person
   */
  cursor(message, person) {
    const { x, y } = message;
    this._cursors.set(message.peer, { x, y, name: person.name, color: person.color, updated: performance.now() });
    this._sweepSoon();
    this._changed();
  }

  /** An operation arrived: what announced it (its ink, its text, its gesture) is over. @param {string} id */
  committed(id) {
    this._arrived.add(id);
    if (this._arrived.size > ARRIVED_KEPT) this._arrived.delete(this._arrived.values().next().value ?? "");
    const key = this._byOperation.get(id);
    let changed = key !== undefined && this._forget(key);
    for (const [gestureKey, gesture] of this._gestures) {
      if (gesture.id === id) {
        this._gestures.delete(gestureKey);
        changed = true;
      }
    }
    if (changed) this._showGestures();
  }

  /** Someone left: what they were doing ends with them. @param {number} peer */
  left(peer) {
    const prefix = `${peer}:`;
    for (const key of [...this._strokes.keys()]) if (key.startsWith(prefix)) this._forget(key);
    for (const key of [...this._gestures.keys()]) if (key.startsWith(prefix)) this._gestures.delete(key);
    for (const key of [...this._lasers.keys()]) if (key.startsWith(prefix)) this._lasers.delete(key);
    this._cursors.delete(peer);
    this._showGestures();
  }

  /** Forget what others went quiet about. @param {number} [now] */
  sweep(now = performance.now()) {
    let changed = false;
    for (const [key, stroke] of this._strokes) {
      if (!key.startsWith(`${OWN}:`) && now - stroke.updated > QUIET_MS) changed = this._forget(key) || changed;
    }
    for (const [key, gesture] of this._gestures) {
      if (now - gesture.updated > QUIET_MS) changed = this._gestures.delete(key) || changed;
    }
    for (const [peer, cursor] of this._cursors) {
      if (now - cursor.updated > CURSOR_QUIET_MS) changed = this._cursors.delete(peer) || changed;
    }
    if (!this._remote()) {
      clearInterval(this._sweeper);
      this._sweeper = undefined;
    }
    if (changed) this._showGestures();
  }

  // ---- inside

  /** @param {string} key @param {string} id @param {LiveStroke} stroke */
  _remember(key, id, stroke) {
    this._strokes.set(key, stroke);
    this._byOperation.set(id, key);
    this._sweepSoon();
  }

  /** @param {string} key @param {string} color @returns {LaserTrail} */
  _trail(key, color) {
    let trail = this._lasers.get(key);
    if (!trail) this._lasers.set(key, (trail = { color, points: [] }));
    return trail;
  }

  /** @param {string} key @returns {boolean} whether there was something to forget */
  _forget(key) {
    const id = key.slice(key.indexOf(":") + 1);
    if (this._byOperation.get(id) === key) this._byOperation.delete(id);
    return this._strokes.delete(key);
  }

  /** Is anything of someone else's shown? */
  _remote() {
    if (this._cursors.size || this._gestures.size) return true;
    for (const key of this._strokes.keys()) if (!key.startsWith(`${OWN}:`)) return true;
    return false;
  }

  _sweepSoon() {
    this._sweeper ??= setInterval(() => this.sweep(), SWEEP_MS);
  }

  /** Previews: the others' gestures, then this page's own on top. */
  _showGestures() {
    /** @type {Map<string, Matrix>} */
    const previews = new Map();
    for (const { targets, matrix } of this._gestures.values()) for (const id of targets) previews.set(id, matrix);
    if (this._ownGesture) for (const id of this._ownGesture.targets) previews.set(id, this._ownGesture.matrix);
    if (previews.size || this._previews.size) this._previews = previews;
    this._changed();
  }

  _changed() {
    for (const listener of this._listeners) listener();
  }
}
