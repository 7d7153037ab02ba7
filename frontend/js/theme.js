// @ts-check
// The page's color scheme follows the system's. On a dark page style.css shows the board (its
// layers) inverted (black ink near white, every color keeping its hue), as Excalidraw does; images
// are painted on those layers through the opposite filter, so that they keep their hues (a
// little darker and duller: the two do not quite cancel, colors clip in between).
// What exports paint on (PNG, the timelapse) keeps the board's own colors.

const dark = globalThis.matchMedia?.("(prefers-color-scheme: dark)") ?? null;
// style.css inverts with invert(93%) hue-rotate(180deg); this undoes most of it.
const UNDO_INK_FILTER = "invert(100%) hue-rotate(180deg)";
/** @type {WeakSet<HTMLCanvasElement>} */
const exported = new WeakSet();

/** These canvases are for an export: never filtered. @param {HTMLCanvasElement[]} canvases */
export function forExport(...canvases) {
  for (const canvas of canvases) exported.add(canvas);
}

/** The filter an image is painted through on this canvas ("none" on a light page or an export). @param {HTMLCanvasElement | OffscreenCanvas} canvas */
export function imageFilter(canvas) {
  return dark?.matches && !exported.has(/** @type {HTMLCanvasElement} */ (canvas)) ? UNDO_INK_FILTER : "none";
}

/** Call back when the system's color scheme changes. @param {() => void} callback */
export function onSchemeChange(callback) {
  dark?.addEventListener("change", callback);
}
