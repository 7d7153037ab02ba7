// @ts-check
// Text: click where it should start and type, or click a text to change it (text-editor.js does
// the typing). Clicking again, elsewhere, ends the text being typed.

import { textAt } from "../text-editor.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */
/** @typedef {import("../text-editor.js").TextEditor} TextEditor */

/** @param {ToolContext} context @param {TextEditor} editor */
export function textTool(context, editor) {
  return {
    name: "text",
    down(/** @type {{x: number, y: number}} */ p) {
      // The click that ended a text (here or in the field's own handler) starts nothing new.
      if (editor.endedByClick || editor.open) {
        editor.finish();
        return;
      }
      const hit = textAt(context, p);
      if (hit) editor.edit(hit, true);
      else editor.start(p, true);
    },
    move() {},
    up() {},
    cancel() {
      editor.finish();
    },
  };
}
