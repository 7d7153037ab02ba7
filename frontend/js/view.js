// @ts-check
// The camera: which part of the infinite board the screen shows. Pure, no DOM.

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 20;

export class View {
  constructor() {
    // The board point at the screen's top-left corner, and CSS pixels per board unit.
    this.x = 0;
    this.y = 0;
    this.scale = 1;
  }

  /** @param {number} sx @param {number} sy screen (CSS pixel) coordinates */
  toBoard(sx, sy) {
    return { x: this.x + sx / this.scale, y: this.y + sy / this.scale };
  }

  /** @param {number} bx @param {number} by board coordinates */
  toScreen(bx, by) {
    return { x: (bx - this.x) * this.scale, y: (by - this.y) * this.scale };
  }

  /** Move by a screen distance. @param {number} dx @param {number} dy */
  panBy(dx, dy) {
    this.x -= dx / this.scale;
    this.y -= dy / this.scale;
  }

  /** Zoom by ``factor`` keeping the board point under (sx, sy) where it is on screen. */
  zoomAt(/** @type {number} */ sx, /** @type {number} */ sy, /** @type {number} */ factor) {
    const anchor = this.toBoard(sx, sy);
    this.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    this.x = anchor.x - sx / this.scale;
    this.y = anchor.y - sy / this.scale;
  }

  /**
   * Show the whole box on a screen of the given size, with a margin.
   * @param {{left: number, top: number, right: number, bottom: number}} box
   * @param {number} width @param {number} height
   */
  fit(box, width, height, margin = 40) {
    const w = Math.max(1, box.right - box.left);
    const h = Math.max(1, box.bottom - box.top);
    const scale = Math.min((width - 2 * margin) / w, (height - 2 * margin) / h, 4);
    this.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    this.x = box.left - (width / this.scale - w) / 2;
    this.y = box.top - (height / this.scale - h) / 2;
  }

  /**
   * Show the box as large as the screen allows, centered (what following someone's view does).
   * @param {{left: number, top: number, right: number, bottom: number}} box
   * @param {number} width @param {number} height
   */
  show(box, width, height) {
    const w = box.right - box.left;
    const h = box.bottom - box.top;
    this.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.min(width / w, height / h)));
    this.x = (box.left + box.right) / 2 - width / this.scale / 2;
    this.y = (box.top + box.bottom) / 2 - height / this.scale / 2;
  }

  /** The board rectangle on screen. @param {number} width @param {number} height */
  visibleBox(width, height) {
    return {
      left: this.x,
      top: this.y,
      right: this.x + width / this.scale,
      bottom: this.y + height / this.scale,
    };
  }
}
