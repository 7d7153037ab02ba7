// @ts-check
// The only canvas code. Three layers: committed ink, ink being drawn by anyone, and cursors with
// names on top. Sharp at any devicePixelRatio. What is being drawn, the cursors, the selection and
// gestures under way come from the ephemeral state (ephemeral.js), which the renderer only reads.
//
// The committed ink stays fluid on boards of 100,000 strokes: only the objects on screen are drawn
// (a spatial index finds them), each at the detail its size on screen deserves (lod.js); what was
// drawn is kept in a picture of the ink at the view it was drawn for, which a pan or zoom moves and
// scales at once; redrawing happens in slices of a few milliseconds per frame into a second
// picture that replaces the first when it is complete; and new objects on top (history arriving,
// someone drawing) are painted onto the picture as they come, never a redraw of the board.

import { compose } from "./board.js";
import { Ephemeral, LASER_FADE_MS } from "./ephemeral.js";
import { bounds, overlaps, transformedBox, union } from "./geometry.js";
import { paintSelection } from "./handles.js";
import { HIGHLIGHTER_ALPHA, InkRun, paintObject, strokePath } from "./painting.js";
import { SpatialIndex } from "./spatial.js";
import { forExport, onSchemeChange } from "./theme.js";

export { HIGHLIGHTER_ALPHA, strokePath, drawShape, drawText } from "./painting.js";

/** @typedef {import("./board.js").Placed} Placed */
/**
 * @typedef {object} Source what the ink layer shows: the board now, or a moment of its history
 * @property {() => Placed[]} visible the objects in paint order
 * @property {number} version bumped whenever ``visible()`` would answer differently
 * @property {import("./history-index.js").HistoryIndex} [index] where its objects are, if it keeps that itself
 * @property {import("./keyframes.js").Keyframes | null} [keyframes] pictures of what lies below it
 * @property {(version: number) => Placed[] | null} [loadedSince] the objects only added on top
 *   since ``version``, in paint order, if that is all that changed (``Board.loadedSince``)
 */
/** @typedef {import("./view.js").View} View */
/** @typedef {import("./spatial.js").Entry} Entry */
/** @typedef {import("./ephemeral.js").LiveStroke} LiveStroke */
/** @typedef {{x: number, y: number, scale: number, width: number, height: number, ratio: number}} Camera */
/**
 * @typedef {object} Picture the committed ink drawn for one camera
 * @property {HTMLCanvasElement} canvas @property {Camera | null} camera @property {string} decor
 */

// Drawing time per frame for the committed ink: the rest of a 60 Hz frame is the browser's.
const SLICE_MS = 6;
// While the view stands still and no input waits, the ink may take more of the frame.
const STILL_SLICE_MS = 12;
// Input waiting is asked about after this many objects painted (the question costs time too).
const INPUT_CHECK_EVERY = 32;
// A redraw for a new view waits until the view has stood still this long (the pan or zoom is over).
const SETTLE_MS = 100;
// Bringing the index up to the board may take at most this share of the time while history arrives.
const SYNC_SHARE = 0.25;
// While history arrives, the ink layer shows what was painted at most this often: showing it costs
// a copy of the whole layer, and the browser's compositing of it, every time.
const ARRIVING_SHOW_MS = 100;

/** @param {Camera | null} a @param {Camera | null} b */
function sameCamera(a, b) {
  return !!a && !!b && a.x === b.x && a.y === b.y && a.scale === b.scale && a.width === b.width &&
    a.height === b.height && a.ratio === b.ratio;
}

/** The board rectangle a camera shows. @param {Camera} camera */
function cameraBox(camera) {
  return {
    left: camera.x,
    top: camera.y,
    right: camera.x + camera.width / camera.scale,
    bottom: camera.y + camera.height / camera.scale,
  };
}

/** Is a key press or pointer event waiting for the main thread? (false where nobody can tell) */
function inputWaiting() {
  return /** @type {any} */ (navigator).scheduling?.isInputPending?.() ?? false;
}

/** @param {Entry} entry @param {{left: number, top: number, right: number, bottom: number}} box */
function entryMeets(entry, box) {
  return entry.minX <= box.right && box.left <= entry.maxX && entry.minY <= box.bottom && box.top <= entry.maxY;
}

export class Renderer {
  /**
   * @param {HTMLElement} host @param {Source} board @param {View} view
   * @param {{ratio?: number, ids?: boolean, exact?: boolean, ephemeral?: Ephemeral,
   *   pictures?: import("./pictures.js").Pictures}} options a fixed pixel ratio (exports), whether
   *   the layers get their ids (only the page's own renderer does), whether every object is drawn
   *   in full detail whatever its size (exports), what is shown besides the objects (none for
   *   exports), and where images' pictures come from
   */
  constructor(host, board, view, options = {}) {
    this.host = host;
    this.board = board;
    this.view = view;
    this.fixedRatio = options.ratio;
    this.exact = options.exact ?? false;
    this.pictures = options.pictures ?? null;
    const ids = options.ids ?? true;
    this.ink = this._layer(ids ? "layer-ink" : "");
    this.live = this._layer(ids ? "layer-live" : "");
    this.top = this._layer(ids ? "board-canvas" : "");
    this.ephemeral = options.ephemeral ?? new Ephemeral();
    this.ephemeral.onChange(() => this.invalidate());
    /** @type {string | null} a user whose work stands out: everyone else's is drawn faded */
    this.spotlight = null;
    this.width = 0;
    this.height = 0;
    this.boardIndex = new SpatialIndex();
    /** @type {SpatialIndex | import("./history-index.js").HistoryIndex} the shown source's */
    this.index = this.boardIndex;
    this.indexed = -1; // the board version the index holds
    this.syncedAt = -Infinity;
    this.syncMs = 0;
    /** @type {Picture} what the ink layer shows, moved and scaled to the view */
    this.picture = { canvas: document.createElement("canvas"), camera: null, decor: "" };
    /** @type {Picture} where a redraw goes until it is complete */
    this.spare = { canvas: document.createElement("canvas"), camera: null, decor: "" };
    // The picture misses changes other than new objects on top: a redraw is due.
    this.stale = true;
    /** @type {Entry[]} new objects still to paint onto the picture */
    this.additions = [];
    /** @type {{entries: Entry[], next: number} | null} the redraw under way, into the spare */
    this.redraw = null;
    /** @type {Camera | null} the camera the ink layer was last composed for */
    this.composed = null;
    this.movedAt = -Infinity;
    /** @type {Camera | null} */
    this.lastCamera = null;
    this.frame = 0;
    this.lastInkMs = 0;
    this.liveShown = false;
    this.topShown = false;
    this.pictureChanged = false;
    this._arriving = false;
    // Objects were painted over others that should cover them (history arriving in any order):
    // an exact redraw follows once it is all in.
    this.unordered = false;
    // When the ink layer last showed the picture, and whether it has shown arriving history yet.
    this.shownAt = -Infinity;
    this.shownArrivals = false;
    // Something other than arriving history changed the picture: show it at the next frame.
    this.showNow = false;
    // A picture that arrives changes what the ink shows (see ``_decor``).
    if (ids) this.pictures?.addEventListener("change", () => this.invalidate());
    if (ids) new ResizeObserver(() => this._resize()).observe(host);
    // Images are painted through a filter on a dark page (theme.js): another scheme, another picture.
    if (ids) {
      onSchemeChange(() => {
        this.board.keyframes?.clear();
        this.stale = true;
        this.invalidate();
      });
    } else {
      forExport(this.ink.canvas, this.live.canvas, this.top.canvas, this.picture.canvas, this.spare.canvas);
    }
    this._resize();
  }

  /**
   * Show another source (a moment of the history, or the board again), or the same one that
   * changed, at the next frame: someone is waiting for it, unlike history arriving, whose
   * indexing is spread out. The index follows by its usual comparison: only what differs is
   * indexed again. @param {Source} source
   */
  show(source) {
    if (source !== this.board) {
      this.board = source;
      // A source may keep its own index (a moment keeps one of everything the board ever had).
      this.index = source.index ?? this.boardIndex;
      this.indexed = -1; // versions of different sources are not comparable
      this.stale = true; // the picture shows the other source, whatever the index says
      this.redraw = null;
      this.additions = [];
    }
    this.syncedAt = -Infinity;
    this.invalidate();
  }

  /**
   * Whether history is arriving in any order (a snapshot's parts, nearest the screen first).
   * Meanwhile objects that belong below others already drawn are painted as they come, so that
   * the ink shows at once; the picture is redrawn in paint order once it is all in.
   */
  get arriving() {
    return this._arriving;
  }

  set arriving(value) {
    this._arriving = value;
    this.shownArrivals = false;
    if (!value && this.unordered) {
      this.unordered = false;
      this.stale = true;
    }
    this.invalidate();
  }

  /** Redraw what changed, at the next animation frame. */
  invalidate() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this._draw());
  }

  /** Draw the committed layer now, completely (exports cannot wait for an animation frame). */
  drawInkNow() {
    this._resize();
    this._sync(true);
    const camera = this._camera();
    this._startRedraw(camera, false);
    this._continueRedraw(Infinity);
    this._compose(camera);
  }

  /** Is everything the ink layer should show drawn, sharp, for the current view? */
  get settled() {
    return this.board.version === this.indexed && !this.stale && !this.redraw && !this.additions.length &&
      !this._arriving && !this.unordered &&
      sameCamera(this.picture.camera, this._camera()) && this.picture.decor === this._decor() &&
      sameCamera(this.composed, this._camera());
  }

  /**
   * The visible objects near a board point, in paint order (hit tests look only at these).
   * @param {number} x @param {number} y @param {number} reach @returns {Placed[]}
   */
  objectsNear(x, y, reach) {
    this._sync(true);
    return this.index.near(x, y, reach).map((entry) => entry.item);
  }

  /** The visible objects whose boxes meet ``box``, in paint order. @returns {Placed[]} */
  objectsIn(/** @type {{left: number, top: number, right: number, bottom: number}} */ box) {
    this._sync(true);
    return this.index.search(box).map((entry) => entry.item);
  }

  /** The box around everything on the board, or null. */
  contentBounds() {
    this._sync(true);
    return this.index.bounds();
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
    this.composed = null;
    this.liveShown = this.topShown = true;
    this.invalidate();
  }

  /** @returns {Camera} */
  _camera() {
    const { x, y, scale } = this.view;
    return { x, y, scale, width: this.width, height: this.height, ratio: this.ratio };
  }

  /** Everything the ink depends on besides the objects and the view. */
  _decor() {
    const { previews, faded } = this.ephemeral;
    let moved = "";
    for (const [id, m] of previews) moved += `${id}:${m.join(",")};`;
    const pictures = this.pictures?.version ?? 0;
    return `${[...faded].join()}|${this.spotlight}|${moved}|${[...this.ephemeral.beingEdited()].join()}|${pictures}`;
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
    const started = performance.now();
    this._drawInk(started);
    this.lastInkMs = performance.now() - started;
    this._drawLive();
    this._drawTop();
  }

  /**
   * Bring the index up to the board. While a big history arrives every message changes the board,
   * and listing its objects costs time in proportion to its size: then only every so often.
   */
  _sync(/** @type {boolean} */ now) {
    if (this.board.version === this.indexed) return;
    const started = performance.now();
    if (!now && started < this.syncedAt + this.syncMs / SYNC_SHARE) return;
    const version = this.board.version;
    // While history arrives, what it adds is merged in; anything else compares the whole board.
    const loaded = this.index === this.boardIndex ? this.board.loadedSince?.(this.indexed) : null;
    const update = (loaded && this.boardIndex.addLoaded(loaded)) || this.index.update(this.board.visible());
    const { added, onTop } = update;
    const onlyAdded = "onlyAdded" in update && update.onlyAdded;
    this.indexed = version;
    this.invalidate();
    // Arriving history below what is drawn is painted over it for now (see ``arriving``).
    const paintOver = !onTop && onlyAdded && this._arriving;
    if (paintOver) this.unordered = true;
    if (this._arriving) {
      // Drawn on this page: shown at once, unlike the history arriving.
      const pending = /** @type {{pending?: Set<string>}} */ (this.board).pending;
      if (pending?.size && added.some((entry) => pending.has(entry.item.id))) this.showNow = true;
    }
    if ((!onTop && !paintOver) || this._keyframeCovers(this.index.ordered.length - added.length)) {
      // Something was removed, moved or slipped in below: what is drawn is wrong, start over
      // (or a keyframe holds more than what is drawn: starting from it is quicker).
      this.stale = true;
      this.redraw = null;
      this.additions = [];
    } else {
      // New objects on top: painted onto the picture, and into a redraw under way.
      const pictured = !this.stale && this.picture.camera && cameraBox(this.picture.camera);
      const redrawn = this.redraw && this.spare.camera && cameraBox(this.spare.camera);
      for (const entry of added) {
        if (pictured && entryMeets(entry, pictured)) this.additions.push(entry);
        if (redrawn && this.redraw && entryMeets(entry, redrawn)) this.redraw.entries.push(entry);
      }
    }
    this.syncMs = performance.now() - started;
    this.syncedAt = started;
  }

  /**
   * Does one of the source's keyframes show more of it than the ``drawn`` objects below the
   * new ones? Then starting from it beats painting the new ones. @param {number} drawn
   */
  _keyframeCovers(drawn) {
    const keyframes = this.board.keyframes;
    return !!keyframes?.below(this._camera(), this._decor(), this.index.ordered, drawn);
  }

  /** @param {number} started when this frame began */
  _drawInk(started) {
    this._sync(false);
    const camera = this._camera();
    const decor = this._decor();
    if (!sameCamera(camera, this.lastCamera)) {
      this.movedAt = started;
      this.lastCamera = camera;
    }
    if (decor !== this.picture.decor) this.stale = true;
    // A redraw for a view or a state that is no longer wanted is dropped.
    if (this.redraw && (!sameCamera(this.spare.camera, camera) || this.spare.decor !== decor)) this.redraw = null;
    const moved = !sameCamera(this.picture.camera, camera);
    const still = started - this.movedAt >= SETTLE_MS || !this.picture.camera;
    if (!this.redraw && (this.stale || moved) && (still || !moved)) this._startRedraw(camera);
    const standing = started - this.movedAt >= SETTLE_MS;
    let budget = (standing && !inputWaiting() ? STILL_SLICE_MS : SLICE_MS) - (performance.now() - started);
    if (this.additions.length) budget = this._paintAdditions(budget);
    if (this.redraw) this._continueRedraw(budget);
    const due = !this._arriving || !this.shownArrivals || this.showNow || started - this.shownAt >= ARRIVING_SHOW_MS;
    if (!sameCamera(this.composed, camera) || (this.pictureChanged && due)) this._compose(camera);
    if (!this.settled) this.invalidate();
  }

  /**
   * Start redrawing the ink for ``camera`` into the spare picture.
   * @param {Camera} camera @param {boolean} pictures whether to start from the source's keyframes
   */
  _startRedraw(camera, pictures = true) {
    const spare = this.spare;
    spare.camera = camera;
    spare.decor = this._decor();
    spare.canvas.width = Math.round(camera.width * camera.ratio);
    spare.canvas.height = Math.round(camera.height * camera.ratio);
    const entries = this.index.search(cameraBox(camera));
    // Objects being dragged are drawn where the drag has them, wherever that is.
    const previews = this.ephemeral.previews;
    if (previews.size) {
      const found = new Set(entries);
      for (const id of previews.keys()) {
        const entry = this.index.byId.get(id);
        if (entry && !found.has(entry)) entries.push(entry);
      }
      entries.sort((a, b) => a.order - b.order);
    }
    this.redraw = { entries, next: 0 };
    // A moment of the history may have a picture of what lies below part of it: start from that.
    const below = pictures && !this.exact ? this.board.keyframes?.below(camera, spare.decor, this.index.ordered) : null;
    if (below) {
      /** @type {CanvasRenderingContext2D} */ (spare.canvas.getContext("2d")).drawImage(below.canvas, 0, 0);
      const next = entries.findIndex((entry) => entry.order >= below.count);
      this.redraw.next = next < 0 ? entries.length : next;
    }
  }

  /** @param {number} budget milliseconds */
  _continueRedraw(budget) {
    const redraw = /** @type {{entries: Entry[], next: number}} */ (this.redraw);
    const spare = this.spare;
    const context = /** @type {CanvasRenderingContext2D} */ (spare.canvas.getContext("2d"));
    redraw.next = this._paint(context, /** @type {Camera} */ (spare.camera), redraw.entries, redraw.next, budget);
    if (redraw.next < redraw.entries.length) return;
    this.redraw = null;
    this.spare = this.picture;
    this.picture = spare;
    this.stale = false;
    this.additions = [];
    this.pictureChanged = true;
  }

  /** @param {number} budget milliseconds @returns {number} what is left of it */
  _paintAdditions(budget) {
    const started = performance.now();
    const picture = this.picture;
    const context = /** @type {CanvasRenderingContext2D} */ (picture.canvas.getContext("2d"));
    const done = this._paint(context, /** @type {Camera} */ (picture.camera), this.additions, 0, budget);
    this.additions = this.additions.slice(done);
    if (done) this.pictureChanged = true;
    return budget - (performance.now() - started);
  }

  /**
   * Paint entries[from...] onto a picture's canvas until the budget runs out (at least one).
   * @param {CanvasRenderingContext2D} context @param {Camera} camera @param {{item: Placed}[]} entries
   * @param {number} from @param {number} budget milliseconds @returns {number} the next entry to paint
   */
  _paint(context, camera, entries, from, budget) {
    const started = performance.now();
    const pixels = camera.scale * camera.ratio;
    const base = () => context.setTransform(pixels, 0, 0, pixels, -camera.x * pixels, -camera.y * pixels);
    if (from === 0 && entries === this.redraw?.entries) {
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.clearRect(0, 0, context.canvas.width, context.canvas.height);
    }
    base();
    const { previews, faded } = this.ephemeral;
    const detail = this.exact ? 0 : pixels;
    const edited = this.ephemeral.beingEdited();
    const run = new InkRun();
    let next = from;
    while (next < entries.length) {
      const { item } = entries[next++];
      if (edited.has(item.id)) continue;
      const preview = previews.size ? previews.get(item.id) : undefined;
      const m = preview ? compose(preview, item.m ?? [1, 0, 0, 1, item.dx, item.dy]) : item.m;
      const { dx, dy } = item;
      const outOfSpotlight = this.spotlight !== null && item.author !== this.spotlight;
      const alpha = faded.has(item.id) || outOfSpotlight ? 0.25 : 1;
      const box = bounds({ op: item.op, dx: 0, dy: 0 });
      if (m || dx || dy || alpha !== 1 || !run.take(context, item.op, box, detail)) {
        run.paint(context);
        this._paintAlone(context, item, box, m, detail, alpha, base);
      }
      if (performance.now() - started >= budget) break;
      // A drawing that must be complete now (an export) has no budget and waits for no input.
      if (budget !== Infinity && (next - from) % INPUT_CHECK_EVERY === 0 && inputWaiting()) break;
    }
    run.paint(context);
    return next;
  }

  /**
   * Paint one object, moved where it has been moved to.
   * @param {CanvasRenderingContext2D} context @param {Placed} item @param {import("./geometry.js").Box} box its own box
   * @param {number[] | undefined} m its transform, if any @param {number} detail device pixels
   * per board unit, or 0 for full detail @param {number} alpha @param {() => void} base sets the
   * picture's own transform
   */
  _paintAlone(context, item, box, m, detail, alpha, base) {
    const { dx, dy } = item;
    if (m) {
      base();
      context.transform(m[0], m[1], m[2], m[3], m[4], m[5]);
    } else if (dx || dy) {
      base();
      context.translate(dx, dy);
    }
    paintObject(context, item.op, box, detail, alpha, this.pictures);
    if (m || dx || dy) base();
  }

  /** Show the picture on the ink layer, moved and scaled from its camera to ``camera``. @param {Camera} camera */
  _compose(camera) {
    const context = this.ink;
    const canvas = context.canvas;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    const drawn = this.picture.camera;
    if (drawn) {
      const zoom = camera.scale / drawn.scale;
      const pixels = camera.scale * camera.ratio;
      if (sameCamera(drawn, camera)) context.drawImage(this.picture.canvas, 0, 0);
      else {
        context.drawImage(
          this.picture.canvas,
          (drawn.x - camera.x) * pixels,
          (drawn.y - camera.y) * pixels,
          this.picture.canvas.width * zoom * (camera.ratio / drawn.ratio),
          this.picture.canvas.height * zoom * (camera.ratio / drawn.ratio),
        );
      }
    }
    this.composed = camera;
    if (this.pictureChanged && this._arriving) this.shownArrivals = true;
    this.pictureChanged = false;
    this.shownAt = performance.now();
    this.showNow = false;
  }

  _drawLive() {
    // An empty layer stays as it is: clearing costs time on every frame of a pan.
    const strokes = this.ephemeral.strokes;
    if (!strokes.size && !this.liveShown) return;
    this.liveShown = strokes.size > 0;
    const context = this.live;
    this._prepare(context);
    for (const stroke of strokes.values()) {
      if (stroke.tool === "text") {
        if (!stroke.own) paintObject(context, stroke, { left: 0, top: 0, right: 0, bottom: 0 }, 0, 1);
        continue;
      }
      if (stroke.tool === "image") {
        // An image on its way to the server: drawn from this page's own picture, see-through.
        paintObject(context, stroke, { left: 0, top: 0, right: 0, bottom: 0 }, 0, 0.6, this.pictures);
        context.globalAlpha = 1;
        continue;
      }
      if (stroke.tool === "shape") {
        // A line, arrow, rectangle or ellipse being dragged: drawn as it will be stored.
        paintObject(context, stroke, { left: 0, top: 0, right: 0, bottom: 0 }, 0, 1);
        continue;
      }
      if (stroke.points.length < 3) continue;
      context.save();
      if (stroke.tool === "highlighter") context.globalAlpha = HIGHLIGHTER_ALPHA;
      context.fillStyle = stroke.color;
      context.fill(strokePath(stroke.points, stroke.width, false));
      context.restore();
    }
  }

  /** The box around the selected objects as they stand (before a gesture of this page), or null. */
  selectionBox() {
    /** @type {{left: number, top: number, right: number, bottom: number}[]} */
    const selectedBoxes = [];
    for (const id of this.ephemeral.selected) {
      const entry = this.index.byId.get(id);
      if (entry) selectedBoxes.push(bounds(entry.item));
    }
    return union(selectedBoxes);
  }

  _drawTop() {
    const { selected, band, cursors, previews, gesture } = this.ephemeral;
    const now = performance.now();
    const lasers = this.ephemeral.laserTrails(now);
    const busy = selected.size || band || cursors.size || previews.size || lasers.size;
    if (!busy && !this.topShown) return;
    this.topShown = !!busy;
    const context = this.top;
    this._prepare(context);
    const box = this.selectionBox();
    if (box) paintSelection(context, box, gesture, this.view.scale, selected.size > 0);
    // What others are transforming: a frame around it, where their gesture has it.
    for (const [id, m] of previews) {
      if (selected.has(id)) continue;
      const entry = this.index.byId.get(id);
      if (!entry) continue;
      paintSelection(context, transformedBox(bounds(entry.item), m), null, this.view.scale, false);
    }
    for (const outline of [band]) {
      if (!outline) continue;
      context.save();
      context.strokeStyle = "#4263eb";
      context.lineWidth = 1 / this.view.scale;
      context.setLineDash([6 / this.view.scale, 4 / this.view.scale]);
      context.strokeRect(outline.left, outline.top, outline.right - outline.left, outline.bottom - outline.top);
      context.restore();
    }
    for (const trail of lasers.values()) paintLaser(context, trail, now, this.view.scale);
    // A trail fades with time, not with news: the next frame draws it fainter.
    if (lasers.size) this.invalidate();
    const size = 1 / this.view.scale;
    for (const cursor of cursors.values()) {
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

/**
 * A laser pointer's trail: a glowing line whose older parts are fainter, gone after
 * ``LASER_FADE_MS``; as thick on screen at any zoom.
 * @param {CanvasRenderingContext2D} context @param {import("./ephemeral.js").LaserTrail} trail
 * @param {number} now @param {number} scale
 */
function paintLaser(context, trail, now, scale) {
  const { points } = trail;
  context.save();
  context.lineCap = "round";
  context.strokeStyle = trail.color;
  context.shadowColor = trail.color;
  context.shadowBlur = 8;
  for (let i = 3; i < points.length; i += 3) {
    const left = 1 - (now - points[i + 2]) / LASER_FADE_MS;
    if (left <= 0) continue;
    context.globalAlpha = left;
    context.lineWidth = (1.5 + 3 * left) / scale;
    context.beginPath();
    context.moveTo(points[i - 3], points[i - 2]);
    context.lineTo(points[i], points[i + 1]);
    context.stroke();
  }
  const head = points.length - 3;
  const left = 1 - (now - points[head + 2]) / LASER_FADE_MS;
  if (left > 0) {
    context.globalAlpha = left;
    context.fillStyle = trail.color;
    context.beginPath();
    context.arc(points[head], points[head + 1], 4 / scale, 0, 2 * Math.PI);
    context.fill();
  }
  context.restore();
}
