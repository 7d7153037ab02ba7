// @ts-check
// Lines, arrows, rectangles and ellipses: drag from one corner (or end) to the other. The others
// see the shape as it is dragged (``drafting``, ephemeral), until its operation arrives.

import { newId } from "../ids.js";
import { Pacer } from "../pacer.js";

/** @typedef {import("./context.js").ToolContext} ToolContext */
/** @typedef {"line" | "arrow" | "rect" | "ellipse"} ShapeKind */

// As often as live ink.
const DRAFT_INTERVAL_MS = 33;

/** @param {ToolContext} context @param {ShapeKind} shape */
export function shapeTool(context, shape) {
  /** @type {{id: string, x1: number, y1: number, x2: number, y2: number} | null} */
  let drag = null;
  // Whether the others were shown this drag (and must be told when it is given up).
  let shown = false;
  const pacer = new Pacer(DRAFT_INTERVAL_MS, () => send(false));

  function send(/** @type {boolean} */ ended) {
    const op = preview();
    if (!op) return;
    const { kind: _, ...fields } = op;
    context.connection.sendEphemeral({ type: "drafting", ...fields, ...(ended && { ended }) });
    shown = true;
  }

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

  /** The drag stopped without a shape: the others stop showing it. */
  function giveUp() {
    pacer.cancel();
    if (shown) send(true);
    drag = null;
    context.ephemeral.endOwn("ink");
  }

  return {
    name: shape,
    down(/** @type {{x: number, y: number}} */ p) {
      drag = { id: newId(), x1: p.x, y1: p.y, x2: p.x, y2: p.y };
      shown = false;
    },
    move(/** @type {{x: number, y: number}} */ p) {
      if (!drag) return;
      drag.x2 = p.x;
      drag.y2 = p.y;
      context.ephemeral.showOwn("ink", { .../** @type {NonNullable<ReturnType<typeof preview>>} */ (preview()), tool: "shape", points: [] });
      pacer.request();
    },
    up() {
      const op = preview();
      // A click without a drag draws nothing.
      if (!op || Math.hypot(op.x2 - op.x1, op.y2 - op.y1) * context.view.scale < 3) return giveUp();
      pacer.cancel();
      drag = null;
      context.ephemeral.endOwn("ink");
      // The others stop showing the drag when this operation reaches them.
      context.submit(op);
    },
    cancel: giveUp,
  };
}
