// @ts-check
// Lines, arrows, rectangles and ellipses: drag from one corner (or end) to the other.

import { newId } from "../ids.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */
/** @typedef {"line" | "arrow" | "rect" | "ellipse"} ShapeKind */

/** @param {ToolContext} context @param {ShapeKind} shape */
export function shapeTool(context, shape) {
  /** @type {{x1: number, y1: number, x2: number, y2: number} | null} */
  let drag = null;

  function preview() {
    if (!drag) return null;
    const style = context.style();
    const closed = shape === "rect" || shape === "ellipse";
    return {
      kind: "shape",
      shape,
      ...drag,
      color: style.color,
      width: style.width,
      ...(closed && style.fill ? { fill: style.color } : {}),
    };
  }

  return {
    name: shape,
    down(/** @type {{x: number, y: number}} */ p) {
      drag = { x1: p.x, y1: p.y, x2: p.x, y2: p.y };
    },
    move(/** @type {{x: number, y: number}} */ p) {
      if (!drag) return;
      drag.x2 = p.x;
      drag.y2 = p.y;
      context.ephemeral.showOwn("ink", { .../** @type {NonNullable<ReturnType<typeof preview>>} */ (preview()), tool: "shape", points: [] });
    },
    up() {
      const op = preview();
      drag = null;
      context.ephemeral.endOwn("ink");
      // A click without a drag draws nothing.
      if (!op || Math.hypot(op.x2 - op.x1, op.y2 - op.y1) * context.view.scale < 3) return;
      context.submit({ ...op, id: newId() });
    },
    cancel() {
      drag = null;
      context.ephemeral.endOwn("ink");
    },
  };
}
