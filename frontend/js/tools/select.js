// @ts-check
// Select: click an object (or drag a box around several), drag the selection to move it,
// Delete or Backspace to erase it. Moves and deletions are operations like any other.

import { LIMITS } from "../protocol.gen.js";
import { hits } from "../geometry.js";
import { newId } from "../ids.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */

const TOLERANCE_PX = 6;

/** @param {ToolContext} context */
export function selectTool(context) {
  const { renderer } = context;
  /** @type {{x: number, y: number, moving: boolean} | null} */
  let drag = null;

  function topmostAt(/** @type {{x: number, y: number}} */ p) {
    const tolerance = TOLERANCE_PX / context.view.scale;
    const items = renderer.objectsNear(p.x, p.y, tolerance);
    for (let i = items.length - 1; i >= 0; i--) if (hits(items[i], p.x, p.y, tolerance)) return items[i];
    return null;
  }

  return {
    name: "select",
    down(/** @type {{x: number, y: number}} */ p) {
      const hit = topmostAt(p);
      if (hit && !renderer.selected.has(hit.id)) {
        renderer.selected = new Set([hit.id]);
      } else if (!hit) {
        renderer.selected = new Set();
      }
      drag = { x: p.x, y: p.y, moving: !!hit };
      renderer.invalidate();
    },
    move(/** @type {{x: number, y: number}} */ p) {
      if (!drag) return;
      if (drag.moving) {
        renderer.dragOffset = { dx: p.x - drag.x, dy: p.y - drag.y };
      } else {
        renderer.band = {
          left: Math.min(drag.x, p.x),
          top: Math.min(drag.y, p.y),
          right: Math.max(drag.x, p.x),
          bottom: Math.max(drag.y, p.y),
        };
      }
      renderer.invalidate();
    },
    up() {
      if (drag?.moving) {
        const { dx, dy } = renderer.dragOffset;
        if ((dx || dy) && renderer.selected.size) {
          const targets = [...renderer.selected].slice(0, LIMITS.MAX_ERASE_TARGETS);
          context.submit({ kind: "move", id: newId(), targets, dx, dy });
        }
      } else if (renderer.band) {
        const band = renderer.band;
        renderer.selected = new Set(
          renderer.objectsIn(band).map((item) => item.id),
        );
      }
      drag = null;
      renderer.band = null;
      renderer.dragOffset = { dx: 0, dy: 0 };
      renderer.invalidate();
    },
    cancel() {
      drag = null;
      renderer.band = null;
      renderer.dragOffset = { dx: 0, dy: 0 };
      renderer.invalidate();
    },
    /** Erase what is selected. */
    deleteSelection() {
      const targets = [...renderer.selected];
      renderer.selected = new Set();
      for (let i = 0; i < targets.length; i += LIMITS.MAX_ERASE_TARGETS) {
        context.submit({ kind: "erase", id: newId(), targets: targets.slice(i, i + LIMITS.MAX_ERASE_TARGETS) });
      }
      renderer.invalidate();
    },
  };
}
