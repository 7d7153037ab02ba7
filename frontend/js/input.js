// @ts-check
// Pointer, wheel and touch input on the board: turns them into board coordinates for the current
// tool, and pans or zooms the view (middle button, space+drag, the hand tool, wheel, pinch).

/** @typedef {import("./view.js").View} View */
/** @typedef {{x: number, y: number, pressure: number, shift?: boolean}} BoardPoint */
/** @typedef {{down(p: BoardPoint): void, move(p: BoardPoint): void, up(p: BoardPoint): void, hover?(p: BoardPoint): void, cancel?(): void}} PointerHandler */

export class Input {
  /**
   * @param {HTMLCanvasElement} surface the top canvas
   * @param {View} view
   * @param {() => PointerHandler & {pans?: boolean}} tool the current tool
   * @param {() => void} viewChanged
   */
  constructor(surface, view, tool, viewChanged) {
    this.surface = surface;
    this.view = view;
    this.tool = tool;
    this.viewChanged = viewChanged;
    this.spaceHeld = false;
    /** @type {Map<number, {x: number, y: number}>} touch points by pointer id */
    this.touches = new Map();
    /** @type {{id: number, x: number, y: number} | null} a pan in progress */
    this.panning = null;
    /** @type {number | null} the pointer drawing with the tool */
    this.drawing = null;
    /** @type {{clientX: number, clientY: number} | null} where the pointer last was over the board */
    this.over = null;
    surface.addEventListener("pointerdown", (e) => this._down(e));
    surface.addEventListener("pointermove", (e) => this._move(e));
    // Over the toolbar, a panel or outside the window, the pointer is not on the board.
    surface.addEventListener("pointerleave", () => (this.over = null));
    surface.addEventListener("pointerup", (e) => this._up(e));
    surface.addEventListener("pointercancel", (e) => this._cancel(e));
    surface.addEventListener("wheel", (e) => this._wheel(e), { passive: false });
    surface.addEventListener("contextmenu", (e) => e.preventDefault());
    addEventListener("keydown", (e) => {
      if (e.code === "Space" && !isTyping(e)) {
        this.spaceHeld = true;
        e.preventDefault();
      }
    });
    addEventListener("keyup", (e) => e.code === "Space" && (this.spaceHeld = false));
  }

  /** @param {PointerEvent} event @returns {BoardPoint} */
  point(event) {
    const rect = this.surface.getBoundingClientRect();
    const { x, y } = this.view.toBoard(event.clientX - rect.left, event.clientY - rect.top);
    // Mice report 0.5 while a button is down; touch often reports 0.
    const pressure = event.pointerType === "pen" && event.pressure > 0 ? event.pressure : 0.5;
    return { x, y, pressure: Math.min(1, pressure), shift: event.shiftKey };
  }

  /**
   * Where the pointer is on the board (as the view is now), or null when it is not over the
   * board: where a paste lands.
   * @returns {{x: number, y: number} | null}
   */
  pointer() {
    if (!this.over) return null;
    const rect = this.surface.getBoundingClientRect();
    return this.view.toBoard(this.over.clientX - rect.left, this.over.clientY - rect.top);
  }

  /** @param {PointerEvent} event */
  _down(event) {
    event.preventDefault();
    this.over = { clientX: event.clientX, clientY: event.clientY };
    this.surface.setPointerCapture(event.pointerId);
    if (event.pointerType === "touch") {
      this.touches.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (this.touches.size === 2) {
        // A second finger: this is a pinch or a two-finger pan, not a stroke.
        if (this.drawing !== null) this.tool().cancel?.();
        this.drawing = null;
        return;
      }
    }
    const pans = event.button === 1 || this.spaceHeld || this.tool().pans;
    if (pans) {
      this.panning = { id: event.pointerId, x: event.clientX, y: event.clientY };
    } else if (event.button === 0 && this.drawing === null) {
      this.drawing = event.pointerId;
      this.tool().down(this.point(event));
    }
  }

  /** @param {PointerEvent} event */
  _move(event) {
    this.over = { clientX: event.clientX, clientY: event.clientY };
    if (event.pointerType === "touch" && this.touches.has(event.pointerId) && this.touches.size === 2) {
      this._pinch(event);
      return;
    }
    if (this.panning && this.panning.id === event.pointerId) {
      this.view.panBy(event.clientX - this.panning.x, event.clientY - this.panning.y);
      this.panning.x = event.clientX;
      this.panning.y = event.clientY;
      this.viewChanged();
    } else if (this.drawing === event.pointerId) {
      const events = event.getCoalescedEvents?.() ?? [event];
      for (const each of events.length ? events : [event]) this.tool().move(this.point(each));
    } else if (this.drawing === null) {
      this.tool().hover?.(this.point(event));
    }
  }

  /** @param {PointerEvent} event */
  _pinch(event) {
    const [a, b] = [...this.touches.values()];
    const before = { mid: midpoint(a, b), span: Math.hypot(a.x - b.x, a.y - b.y) };
    this.touches.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const [c, d] = [...this.touches.values()];
    const mid = midpoint(c, d);
    const span = Math.hypot(c.x - d.x, c.y - d.y);
    const rect = this.surface.getBoundingClientRect();
    this.view.panBy(mid.x - before.mid.x, mid.y - before.mid.y);
    if (before.span > 0) this.view.zoomAt(mid.x - rect.left, mid.y - rect.top, span / before.span);
    this.viewChanged();
  }

  /** @param {PointerEvent} event */
  _up(event) {
    this.touches.delete(event.pointerId);
    if (this.panning?.id === event.pointerId) this.panning = null;
    if (this.drawing === event.pointerId) {
      this.drawing = null;
      this.tool().up(this.point(event));
    }
  }

  /** @param {PointerEvent} event */
  _cancel(event) {
    this.touches.delete(event.pointerId);
    if (this.panning?.id === event.pointerId) this.panning = null;
    if (this.drawing === event.pointerId) {
      this.drawing = null;
      this.tool().cancel?.();
    }
  }

  /** @param {WheelEvent} event */
  _wheel(event) {
    event.preventDefault();
    const rect = this.surface.getBoundingClientRect();
    if (event.ctrlKey || event.metaKey || !event.shiftKey) {
      // Wheel (and trackpad pinch, which arrives as ctrl+wheel) zooms around the pointer.
      const factor = Math.exp(-event.deltaY * (event.ctrlKey ? 0.01 : 0.0015));
      this.view.zoomAt(event.clientX - rect.left, event.clientY - rect.top, factor);
    } else {
      this.view.panBy(-event.deltaX || -event.deltaY, 0);
    }
    this.viewChanged();
  }
}

/** @param {{x: number, y: number}} a @param {{x: number, y: number}} b */
function midpoint(a, b) {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** @param {KeyboardEvent} event */
export function isTyping(event) {
  const target = /** @type {HTMLElement | null} */ (event.target);
  return !!target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}
