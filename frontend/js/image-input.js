// @ts-check
// The three ways a person adds an image: paste one (a screenshot, a picture copied elsewhere),
// drop a file on the board, or pick one with the image button. Each hands the files to the
// ImageAdder (images.js); a paste of the board's own copied objects is the clipboard's
// (clipboard.js), which claims it first.

import { IMAGE_TYPES, imageFiles } from "./images.js";

/**
 * @param {object} parts
 * @param {HTMLElement} parts.surface what files are dropped on
 * @param {import("./images.js").ImageAdder} parts.adder
 * @param {() => boolean} parts.canEdit whether this person may add to the board now
 * @param {(clientX: number, clientY: number) => {x: number, y: number}} parts.toBoard a point on the screen, on the board
 * @param {HTMLElement | null} [parts.pickButton] opens the file picker
 * @param {(message: string) => void} parts.tell
 * @returns {{pick: () => void}} opens the file picker (the image tool's key)
 */
export function installImageInput({ surface, adder, canEdit, toBoard, pickButton, tell }) {
  const picker = document.createElement("input");
  picker.type = "file";
  picker.accept = IMAGE_TYPES.join(",");
  picker.multiple = true;
  picker.hidden = true;
  picker.id = "image-picker";
  document.body.append(picker);
  picker.addEventListener("change", () => {
    const files = [...(picker.files ?? [])];
    picker.value = ""; // the same file picked again is a change too
    if (files.length && canEdit()) adder.add(files);
  });
  const pick = () => {
    if (canEdit()) picker.click();
    else tell("Images cannot be added to this board by you now");
  };
  pickButton?.addEventListener("click", pick);

  document.addEventListener("paste", (event) => {
    if (event.defaultPrevented || editingText(event.target) || !canEdit()) return;
    const files = imageFiles(event.clipboardData);
    if (!files.length) return;
    event.preventDefault();
    adder.add(files);
  });

  /** @param {DragEvent} event */
  const carriesFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
  // A file dropped beside the board (on the toolbar, say) is not opened in place of the page.
  for (const type of /** @type {const} */ (["dragover", "drop"])) {
    window.addEventListener(type, (event) => {
      if (carriesFiles(event) && event.target !== surface) {
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = "none";
      }
    });
  }
  surface.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // or the browser opens the file instead of dropping it here
    if (event.dataTransfer) event.dataTransfer.dropEffect = canEdit() ? "copy" : "none";
  });
  surface.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    const files = imageFiles(event.dataTransfer);
    if (!canEdit()) tell("Images cannot be added to this board by you now");
    else if (!files.length) tell("Only PNG, JPEG, WebP and GIF images can be dropped on the board");
    else adder.add(files, toBoard(event.clientX, event.clientY));
  });
  return { pick };
}

/** Is a text field taking this event (it keeps its own clipboard)? @param {EventTarget | null} target */
function editingText(target) {
  const element = /** @type {HTMLElement | null} */ (target);
  return !!element && (element.isContentEditable || ["INPUT", "TEXTAREA"].includes(element.tagName));
}
