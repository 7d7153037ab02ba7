// @ts-check
// Object eraser: whatever it touches during one drag goes in one erase operation.

import { LIMITS } from "../protocol.gen.js";
import { hits } from "../geometry.js";
import { newId } from "../ids.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */

const TOLERANCE_PX = 6;

/** @param {ToolContext} context */
export function eraser(context) {
  /** @type {Set<string> | null} */
  let picked = null;

  function pick(/** @type {{x: number, y: number}} */ p) {
    if (!picked) return;
    const tolerance = TOLERANCE_PX / context.view.scale;
    for (const item of context.renderer.objectsNear(p.x, p.y, tolerance)) {
      if (!picked.has(item.id) && hits(item, p.x, p.y, tolerance)) {
        picked.add(item.id);
        context.ephemeral.fade(item.id);
      }
    }
  }

  function finish() {
    if (!picked) return;
    const targets = [...picked];
    picked = null;
    context.ephemeral.unfadeAll();
    for (let i = 0; i < targets.length; i += LIMITS.MAX_ERASE_TARGETS) {
      context.submit({ kind: "erase", id: newId(), targets: targets.slice(i, i + LIMITS.MAX_ERASE_TARGETS) });
    }
  }

  return {
    name: "eraser",
    down(/** @type {{x: number, y: number}} */ p) {
      picked = new Set();
      pick(p);
    },
    move: pick,
    up: finish,
    cancel: finish,
  };
}
