// @ts-check
// Select: click an object (shift-click adds or removes it, a drag on empty board selects what the
// box meets), drag the selection to move it, drag a handle of its frame to resize it (shift keeps
// its proportions) or the round one to rotate it (shift snaps to 15°). Others see the gesture
// live; it becomes one operation when the pointer is released.

import { hits } from "../geometry.js";
import { handleAt, resizing, rotating, translation } from "../handles.js";
import { newId } from "../ids.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */
/** @typedef {import("../handles.js").Handle} Handle */
/** @typedef {{x: number, y: number, shift?: boolean}} Point */

const TOLERANCE_PX = 6;
const CURSORS = {
  nw: "nwse-resize", se: "nwse-resize", ne: "nesw-resize", sw: "nesw-resize",
  n: "ns-resize", s: "ns-resize", e: "ew-resize", w: "ew-resize", rotate: "grab",
}; // prettier-ignore

/**
 * @param {ToolContext} context @param {import("../selection.js").Selection} selection
 * @param {import("../transforming.js").Gestures} gestures
 * @param {() => boolean} canEdit whether this person may change the board (else: select only)
 */
export function selectTool(context, selection, gestures, canEdit) {
  const { renderer, ephemeral } = context;
  /**
   * @type {{from: Point, mode: "move" | "band" | Handle, box: import("../handles.js").Box | null,
   *   id: string, matrix: import("../board.js").Matrix | null, additive: boolean} | null}
   */
  let drag = null;

  function topmostAt(/** @type {Point} */ p) {
    const tolerance = TOLERANCE_PX / context.view.scale;
    const items = renderer.objectsNear(p.x, p.y, tolerance);
    for (let i = items.length - 1; i >= 0; i--) if (hits(items[i], p.x, p.y, tolerance)) return items[i];
    return null;
  }

  function end(/** @type {boolean} */ commit) {
    if (drag?.matrix && commit) selection.transform(drag.matrix, gestures.idsOf(drag.id));
    if (drag?.matrix) gestures.ownEnded(commit);
    drag = null;
    ephemeral.setBand(null);
  }

  return {
    name: "select",
    /** @param {Point} p */
    down(p) {
      const box = selection.ids.size && canEdit() ? renderer.selectionBox() : null;
      const handle = box && handleAt(box, p, context.view.scale);
      if (box && handle) {
        drag = { from: p, mode: handle, box, id: newId(), matrix: null, additive: false };
        return;
      }
      const hit = topmostAt(p);
      if (hit && p.shift) {
        const ids = new Set(selection.ids);
        if (ids.has(hit.id)) ids.delete(hit.id);
        else ids.add(hit.id);
        selection.set(ids);
        drag = ids.has(hit.id) ? { from: p, mode: "move", box: null, id: newId(), matrix: null, additive: false } : null;
        return;
      }
      if (hit && !selection.ids.has(hit.id)) selection.set([hit.id]);
      else if (!hit && !p.shift) selection.set([]);
      drag = { from: p, mode: hit ? "move" : "band", box: null, id: newId(), matrix: null, additive: !!p.shift };
    },
    /** @param {Point} p */
    move(p) {
      if (!drag) return;
      if (drag.mode === "band") {
        ephemeral.setBand({
          left: Math.min(drag.from.x, p.x),
          top: Math.min(drag.from.y, p.y),
          right: Math.max(drag.from.x, p.x),
          bottom: Math.max(drag.from.y, p.y),
        });
        return;
      }
      if (!canEdit()) return;
      if (drag.mode === "move") drag.matrix = translation(p.x - drag.from.x, p.y - drag.from.y);
      else if (drag.mode === "rotate") drag.matrix = rotating(/** @type {any} */ (drag.box), drag.from, p, !!p.shift);
      else drag.matrix = resizing(/** @type {any} */ (drag.box), drag.mode, p, !!p.shift);
      gestures.ownMoved(drag.id, [...selection.ids], drag.matrix);
    },
    up() {
      if (drag?.mode === "band" && ephemeral.band) {
        const found = renderer.objectsIn(ephemeral.band).map((item) => item.id);
        selection.set(drag.additive ? [...selection.ids, ...found] : found);
      }
      end(true);
    },
    /** @param {Point} p */
    hover(p) {
      const box = selection.ids.size && canEdit() ? renderer.selectionBox() : null;
      const handle = box && handleAt(box, p, context.view.scale);
      renderer.top.canvas.style.cursor = handle ? CURSORS[handle] : "";
    },
    cancel() {
      end(false);
    },
    /** Erase what is selected. */
    deleteSelection() {
      selection.remove();
    },
  };
}
