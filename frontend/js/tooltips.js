// @ts-check
// The board's controls say what they do and which keys do the same, from the table of shortcuts
// (keymap.js): "Pen (P)" as the tooltip, and "Pen" as the name a screen reader reads out for a
// button that shows only an icon.

import { SHORTCUTS, hint } from "./keymap.js";

/** Label every control of the table found in the page (moved ones keep their labels). */
export function labelControls() {
  for (const shortcut of SHORTCUTS) {
    if (!shortcut.control) continue;
    for (const control of document.querySelectorAll(shortcut.control)) {
      control.setAttribute("title", hint(shortcut));
      if (!control.textContent?.trim()) control.setAttribute("aria-label", shortcut.does);
    }
  }
}
