// @ts-check
// Every keyboard shortcut of the board, written once. shortcuts.js acts on the keys that have an
// action, tooltips.js names the keys in the tooltip of the control that does the same, and the
// list that ? opens (shortcut-help.js) shows them all. Keys handled by other modules (the
// selection's, the clipboard's, the text editor's, holding Space) are here without an action:
// listed and named in tooltips, acted on by their owners. Pure: no DOM.

/**
 * @typedef {object} Shortcut
 * @property {string[]} keys each combination as shown: "P", "Shift+1", "Ctrl+Shift+Z" (Ctrl is
 *   also ⌘ on a Mac)
 * @property {string} does what it does, as the list and the control's tooltip say it
 * @property {string} [action] what shortcuts.js does on these keys; none: another module does
 * @property {string} [control] a selector of the control doing the same, whose tooltip names the keys
 */

/** @type {{title: string, shortcuts: Shortcut[]}[]} */
export const SECTIONS = [
  {
    title: "Tools",
    shortcuts: [
      { keys: ["V"], does: "Select and move", action: "tool:select", control: "[data-tool=select]" },
      { keys: ["H"], does: "Hand: pan the board", action: "tool:hand", control: "[data-tool=hand]" },
      { keys: ["Space"], does: "Pan while held, with any tool" },
      { keys: ["P"], does: "Pen", action: "tool:pen", control: "[data-tool=pen]" },
      { keys: ["I"], does: "Highlighter", action: "tool:highlighter", control: "[data-tool=highlighter]" },
      { keys: ["E"], does: "Eraser", action: "tool:eraser", control: "[data-tool=eraser]" },
      { keys: ["L"], does: "Line", action: "tool:line", control: "[data-tool=line]" },
      { keys: ["A"], does: "Arrow", action: "tool:arrow", control: "[data-tool=arrow]" },
      { keys: ["R"], does: "Rectangle", action: "tool:rect", control: "[data-tool=rect]" },
      { keys: ["O"], does: "Ellipse", action: "tool:ellipse", control: "[data-tool=ellipse]" },
      { keys: ["T"], does: "Text", action: "tool:text", control: "[data-tool=text]" },
      { keys: ["K"], does: "Laser pointer: point for the others, draws nothing", action: "tool:laser", control: "[data-tool=laser]" },
      {
        keys: ["G"],
        does: "Image: add a PNG, JPEG, WebP or GIF, or paste or drop one",
        action: "image",
        control: "#image-button",
      },
    ],
  },
  {
    title: "Color, width and fill",
    shortcuts: [
      { keys: ["1"], does: "Black", action: "color:#1e1e1e", control: "[data-color='#1e1e1e']" },
      { keys: ["2"], does: "Red", action: "color:#e03131", control: "[data-color='#e03131']" },
      { keys: ["3"], does: "Green", action: "color:#2f9e44", control: "[data-color='#2f9e44']" },
      { keys: ["4"], does: "Blue", action: "color:#1971c2", control: "[data-color='#1971c2']" },
      { keys: ["5"], does: "Orange", action: "color:#f08c00", control: "[data-color='#f08c00']" },
      { keys: ["Shift+1"], does: "Fine line", action: "width:0", control: "[data-width='2']" },
      { keys: ["Shift+2"], does: "Medium line", action: "width:1", control: "[data-width='4']" },
      { keys: ["Shift+3"], does: "Bold line", action: "width:2", control: "[data-width='8']" },
      { keys: ["Shift+4"], does: "Marker line", action: "width:3", control: "[data-width='16']" },
      { keys: ["F"], does: "Fill rectangles and ellipses", action: "fill", control: "#fill" },
    ],
  },
  {
    title: "Undo and redo",
    shortcuts: [
      { keys: ["Ctrl+Z"], does: "Undo your last change", action: "undo", control: "#undo" },
      { keys: ["Ctrl+Shift+Z", "Ctrl+Y"], does: "Redo", action: "redo", control: "#redo" },
    ],
  },
  {
    title: "Selection",
    shortcuts: [
      { keys: ["Shift+click"], does: "Add to the selection, or take away from it" },
      { keys: ["Ctrl+A"], does: "Select everything", action: "select-all" },
      { keys: ["Delete", "Backspace"], does: "Delete", action: "delete", control: "[data-selection=delete]" },
      { keys: ["Enter"], does: "Change the selected text", action: "edit-text" },
      { keys: ["Escape"], does: "Select nothing", action: "deselect" },
      { keys: ["Arrow keys"], does: "Nudge (with Shift: further)" },
      { keys: ["Ctrl+D"], does: "Duplicate", control: "[data-selection=duplicate]" },
      { keys: ["Ctrl+Shift+]"], does: "Bring to front", control: "[data-order=front]" },
      { keys: ["Ctrl+Shift+["], does: "Send to back", control: "[data-order=back]" },
      { keys: ["Ctrl+C"], does: "Copy" },
      { keys: ["Ctrl+X"], does: "Cut" },
      { keys: ["Ctrl+V"], does: "Paste at the pointer, also an image or into another board" },
    ],
  },
  {
    title: "Text",
    shortcuts: [
      { keys: ["Shift+Enter"], does: "A new line" },
      { keys: ["Enter", "Escape"], does: "Keep the text" },
    ],
  },
  {
    title: "View",
    shortcuts: [
      { keys: ["+"], does: "Zoom in", action: "zoom-in", control: "#zoom-in" },
      { keys: ["-"], does: "Zoom out", action: "zoom-out", control: "#zoom-out" },
      { keys: ["0"], does: "Back to 100%", action: "actual-size", control: "#zoom-reset" },
      { keys: ["Shift+F"], does: "Zoom to fit the drawing", action: "fit", control: "#zoom-fit" },
      {
        keys: ["Shift+H"],
        does: "History: browse and restore earlier versions",
        action: "history",
        control: "#history-open",
      },
      { keys: ["?"], does: "Keyboard shortcuts", action: "help", control: "#shortcuts-open" },
    ],
  },
];

/** Every shortcut, in the list's order. */
export const SHORTCUTS = SECTIONS.flatMap((section) => section.shortcuts);

/** The keys as a tooltip ends with them: "Redo (Ctrl+Shift+Z)". @param {Shortcut} shortcut */
export function hint(shortcut) {
  return `${shortcut.does} (${shortcut.keys.join(" or ")})`;
}

/**
 * Whether a key press is this combination. Letters and digits are matched with Shift as written;
 * a digit with Shift by its place on the keyboard (Shift+1 types "!"). "+" is also the "=" key it
 * shares, "?" also Shift with the "/" key whatever that types; no Alt.
 * @param {{key: string, code: string, shiftKey: boolean, ctrlKey: boolean, metaKey: boolean, altKey: boolean}} event
 * @param {string} combo as written in SECTIONS
 */
export function matches(event, combo) {
  const parts = combo === "+" ? ["+"] : combo.split("+");
  const key = /** @type {string} */ (parts.pop());
  const shift = parts.includes("Shift");
  if (event.altKey || (event.ctrlKey || event.metaKey) !== parts.includes("Ctrl")) return false;
  if (/^[A-Z]$/.test(key)) return event.key.toUpperCase() === key && event.shiftKey === shift;
  if (/^[0-9]$/.test(key)) return shift ? event.shiftKey && event.code === `Digit${key}` : !event.shiftKey && event.key === key;
  if (key === "+") return event.key === "+" || event.key === "=";
  if (key === "?") return event.key === "?" || (event.shiftKey && event.code === "Slash");
  if (key.length === 1) return event.key === key; // a symbol: whatever Shift it takes to type
  return event.key === key && event.shiftKey === shift;
}

/** The action of a key press, if it has one here. @param {Parameters<typeof matches>[0]} event */
export function actionOf(event) {
  return SHORTCUTS.find((shortcut) => shortcut.action && shortcut.keys.some((combo) => matches(event, combo)))?.action;
}
