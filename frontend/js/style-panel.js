// @ts-check
// The small panel that appears with a selection: color, line width, fill and font size of
// everything selected (each object takes what it has), bring to front / send to back, duplicate
// and delete. Each click is one operation. Its groups show only what the selection can use.

import { STYLE_FIELDS } from "./board.js";

/**
 * @param {HTMLElement} panel the page's ``#style-panel``
 * @param {{selection: import("./selection.js").Selection, canEdit: () => boolean}} options
 */
export function installStylePanel(panel, { selection, canEdit }) {
  /** @param {string} attribute @param {(value: string) => void} action */
  const on = (attribute, action) => {
    for (const button of panel.querySelectorAll(`[${attribute}]`)) {
      button.addEventListener("click", () => {
        if (canEdit()) action(/** @type {string} */ (button.getAttribute(attribute)));
      });
    }
  };
  on("data-set-color", (color) => selection.restyle({ color }));
  on("data-set-width", (width) => selection.restyle({ width: Number(width) }));
  // A fill takes each shape's own color, as the fill button of the toolbar does.
  on("data-set-fill", (fill) => {
    if (fill === "none") return selection.restyle({ fill: "none" });
    const byColor = new Map();
    for (const item of selection.items()) {
      if (item.op.kind === "shape") byColor.set(item.op.color, [...(byColor.get(item.op.color) ?? []), item.id]);
    }
    selection.restyleEach([...byColor].map(([color, ids]) => ({ ids, fields: { fill: color } })));
  });
  on("data-set-size", (size) => selection.restyle({ size: Number(size) }));
  on("data-order", (to) => selection.order(/** @type {"front" | "back"} */ (to)));
  on("data-selection", (action) => (action === "duplicate" ? selection.duplicate() : selection.remove()));

  const update = () => {
    const items = selection.items();
    panel.hidden = !items.length || !canEdit();
    if (panel.hidden) return;
    const kinds = new Set(items.map((item) => item.op.kind));
    /** @param {keyof typeof STYLE_FIELDS} field */
    const has = (field) => [...kinds].some((kind) => STYLE_FIELDS[field].has(kind));
    // (An image has none of them: a selection of images only gets order, duplicate and delete.)
    const fields = /** @type {const} */ ([["data-set-color", "color"], ["data-set-width", "width"], ["data-set-fill", "fill"], ["data-set-size", "size"]]);
    for (const [attribute, field] of fields) {
      const group = /** @type {HTMLElement} */ (panel.querySelector(`[${attribute}]`)?.parentElement);
      group.hidden = !has(field);
    }
  };
  selection.addEventListener("change", update);
  // Others clear the selection directly (the text editor, the History panel): look again after input.
  addEventListener("pointerup", update);
  addEventListener("keyup", update);
  return { update };
}
