// @ts-check
// Keys for the selection: arrows nudge it (shift: a larger step), Ctrl+D duplicates it,
// Ctrl+Shift+] brings it to the front and Ctrl+Shift+[ sends it to the back. Copy, cut and paste
// are the browser's clipboard events (clipboard.js); Delete and Escape stay with the page's keys.

import { isTyping } from "./input.js";

// Board units a press moves the selection by (with shift: the larger step), at 100% zoom;
// zoomed in or out the step stays the same on screen.
const NUDGE_PX = 1;
const NUDGE_SHIFT_PX = 10;
const ARROWS = { arrowleft: [-1, 0], arrowright: [1, 0], arrowup: [0, -1], arrowdown: [0, 1] };

/**
 * @param {{selection: import("./selection.js").Selection, canEdit: () => boolean,
 *   active: () => boolean, scale: () => number}} options
 */
export function installSelectionKeys({ selection, canEdit, active, scale }) {
  addEventListener("keydown", (event) => {
    if (isTyping(event) || !active() || !selection.ids.size || !canEdit()) return;
    const key = event.key.toLowerCase();
    const command = event.ctrlKey || event.metaKey;
    if (key in ARROWS && !command && !event.altKey) {
      event.preventDefault();
      const [x, y] = ARROWS[/** @type {keyof typeof ARROWS} */ (key)];
      const step = (event.shiftKey ? NUDGE_SHIFT_PX : NUDGE_PX) / scale();
      selection.nudge(x * step, y * step);
    } else if (command && key === "d") {
      event.preventDefault(); // the browser's bookmark
      selection.duplicate();
    } else if (command && event.shiftKey && (event.code === "BracketRight" || event.code === "BracketLeft")) {
      event.preventDefault();
      selection.order(event.code === "BracketRight" ? "front" : "back");
    }
  });
}
