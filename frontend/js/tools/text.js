// @ts-check
// Text: click where it should start and type; Enter (or clicking elsewhere) places it,
// Shift+Enter starts a new line, Escape drops it.

import { LIMITS } from "../protocol.gen.js";
import { newId } from "../ids.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */

/** @param {ToolContext} context @param {HTMLElement} host where the editor floats */
export function textTool(context, host) {
  /** @type {HTMLTextAreaElement | null} */
  let editor = null;

  function place(/** @type {boolean} */ keep) {
    if (!editor) return;
    const area = editor;
    editor = null; // first: removing the editor blurs it, which calls place again
    const { x, y, size, color } = /** @type {any} */ (area).inkroom;
    const text = area.value.replace(/\s+$/, "").slice(0, LIMITS.MAX_TEXT_CHARS);
    area.remove();
    if (keep && text.trim()) context.submit({ kind: "text", id: newId(), x, y, text, size, color });
  }

  return {
    name: "text",
    down(/** @type {{x: number, y: number}} */ p) {
      if (editor) {
        place(true);
        return;
      }
      const style = context.style();
      const size = Math.min(LIMITS.MAX_TEXT_SIZE, Math.max(LIMITS.MIN_TEXT_SIZE, style.textSize));
      const screen = context.view.toScreen(p.x, p.y);
      const area = document.createElement("textarea");
      area.className = "text-editor";
      area.maxLength = LIMITS.MAX_TEXT_CHARS;
      area.style.left = `${screen.x}px`;
      area.style.top = `${screen.y}px`;
      area.style.fontSize = `${size * context.view.scale}px`;
      area.style.color = style.color;
      /** @type {any} */ (area).inkroom = { x: p.x, y: p.y, size, color: style.color };
      area.addEventListener("keydown", (event) => {
        event.stopPropagation();
        if (event.key === "Escape") place(false);
        else if (event.key === "Enter" && !event.shiftKey) {
          event.preventDefault();
          place(true);
        }
      });
      area.addEventListener("blur", () => place(true));
      host.append(area);
      editor = area;
      area.focus();
      // And again once the pointer event is over, in case the browser moved focus meanwhile.
      setTimeout(() => area.focus(), 0);
    },
    move() {},
    up() {},
    cancel() {
      place(false);
    },
  };
}
