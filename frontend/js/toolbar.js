// @ts-check
// The toolbar: which tool is in hand, and the style new things are drawn in (color, width,
// fill). Its buttons, the keys (shortcuts.js) and the page all go through here, so that the
// buttons always show what is picked. The zoom buttons of the top bar are wired here too.

/** @typedef {{color: string, width: number, fill: boolean, readonly textSize: number}} Style */

// The widths of the toolbar's buttons, as Shift+1…4 pick them.
export const WIDTHS = [2, 4, 8, 16];

/** @template {string} Tool */
export class Toolbar {
  /**
   * @param {Tool} first the tool in hand at the start
   * @param {(from: Tool, to: Tool) => void} picking called before another tool is taken
   */
  constructor(first, picking) {
    this.current = first;
    this.picking = picking;
    /** @type {Style} */
    this.style = {
      color: "#1e1e1e",
      width: 4,
      fill: false,
      get textSize() {
        return Math.max(12, this.width * 6);
      },
    };
    this.surface = /** @type {HTMLElement} */ (document.getElementById("board-canvas"));
    for (const button of document.querySelectorAll("[data-tool]")) {
      button.addEventListener("click", () => this.pick(/** @type {Tool} */ (button.getAttribute("data-tool"))));
    }
    for (const button of document.querySelectorAll("[data-color]")) {
      button.addEventListener("click", () => this.setColor(/** @type {string} */ (button.getAttribute("data-color"))));
    }
    const custom = /** @type {HTMLInputElement} */ (document.getElementById("custom-color"));
    custom.addEventListener("input", () => this.setColor(custom.value));
    for (const button of document.querySelectorAll("[data-width]")) {
      button.addEventListener("click", () => this.setWidth(Number(button.getAttribute("data-width"))));
    }
    document.getElementById("fill")?.addEventListener("click", () => this.toggleFill());
    this._show(first);
    this.setColor(this.style.color);
    this.setWidth(this.style.width);
    document.getElementById("fill")?.setAttribute("aria-pressed", "false");
  }

  /** @param {Tool} name */
  pick(name) {
    this.picking(this.current, name);
    this.current = name;
    this._show(name);
  }

  /** Any color; the swatch of that color, if there is one, shows picked. @param {string} color */
  setColor(color) {
    this.style.color = color;
    for (const swatch of document.querySelectorAll("[data-color]")) {
      const picked = swatch.getAttribute("data-color") === color;
      swatch.classList.toggle("active", picked);
      swatch.setAttribute("aria-pressed", String(picked));
    }
  }

  /** @param {number} width */
  setWidth(width) {
    this.style.width = width;
    for (const button of document.querySelectorAll("[data-width]")) {
      const picked = Number(button.getAttribute("data-width")) === width;
      button.classList.toggle("active", picked);
      button.setAttribute("aria-pressed", String(picked));
    }
  }

  toggleFill() {
    this.style.fill = !this.style.fill;
    document.getElementById("fill")?.classList.toggle("active", this.style.fill);
    document.getElementById("fill")?.setAttribute("aria-pressed", String(this.style.fill));
  }

  /** @param {Tool} name */
  _show(name) {
    for (const button of document.querySelectorAll("[data-tool]")) {
      const picked = button.getAttribute("data-tool") === name;
      button.classList.toggle("active", picked);
      button.setAttribute("aria-pressed", String(picked));
    }
    this.surface.dataset.tool = name;
  }
}

/** The zoom buttons of the top bar. @param {import("./viewport.js").Viewport} viewport */
export function installZoomButtons(viewport) {
  document.getElementById("zoom-in")?.addEventListener("click", () => viewport.zoomStep(1));
  document.getElementById("zoom-out")?.addEventListener("click", () => viewport.zoomStep(-1));
  document.getElementById("zoom-fit")?.addEventListener("click", () => viewport.fit());
  document.getElementById("zoom-reset")?.addEventListener("click", () => viewport.actualSize());
}
