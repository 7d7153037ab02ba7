// @ts-check
// The toolbar stays on one row on any screen: what does not fit moves, least needed first, into a
// "more tools" panel opened from the row's last button. The same buttons move (their listeners
// and state go with them); groups left empty are hidden, so no separator stands alone.

// Least needed first: what a narrow screen gives up before the rest.
const COLLAPSE_ORDER = [
  "#clear", "[data-width='16']", "[data-width='8']", "[data-width='2']", "[data-width='4']",
  "#fill", "#custom-color", "[data-color='#f08c00']", "[data-color='#2f9e44']",
  "[data-color='#1971c2']", "[data-color='#e03131']", "[data-color='#1e1e1e']",
  "[data-tool='ellipse']", "[data-tool='arrow']", "[data-tool='line']", "[data-tool='rect']",
  "[data-tool='laser']", "[data-tool='text']", "#image-button", "[data-tool='highlighter']", "[data-tool='hand']", "[data-tool='select']",
  "#redo",
];

/**
 * @param {HTMLElement} toolbar the row, holding ``.group`` elements and the more button
 * @param {HTMLElement} panel where what does not fit goes (outside the row, which clips)
 */
export function fitToolbar(toolbar, panel) {
  const more = /** @type {HTMLButtonElement} */ (toolbar.querySelector("#tools-more"));
  const groups = /** @type {HTMLElement[]} */ ([...toolbar.querySelectorAll(":scope > .group")]);
  // Each item's home: its group and its place there.
  const homes = groups.map((group) => [...group.children]);
  const spares = groups.map((group) => {
    const spare = document.createElement("div");
    spare.className = group.className;
    panel.append(spare);
    return spare;
  });
  const collapsible = COLLAPSE_ORDER.map((selector) => toolbar.querySelector(selector)).filter(
    /** @returns {item is HTMLElement} */ (item) => item instanceof HTMLElement,
  );

  function setOpen(/** @type {boolean} */ open) {
    panel.hidden = !open;
    more.setAttribute("aria-expanded", String(open));
  }

  // Resized while hidden (the History panel replaces it): measured again once it shows.
  let stale = false;

  function layout() {
    setOpen(false);
    stale = !toolbar.clientWidth;
    if (stale) return;
    groups.forEach((group, i) => {
      group.hidden = false;
      group.append(...homes[i]);
    });
    more.hidden = true;
    /** @type {Set<Element>} */
    const moved = new Set();
    for (const item of collapsible) {
      if (toolbar.scrollWidth <= toolbar.clientWidth) break;
      more.hidden = false;
      moved.add(item);
      item.remove();
      hideEmpty();
    }
    // In the panel, in the toolbar's order.
    spares.forEach((spare, i) => {
      spare.replaceChildren(...homes[i].filter((item) => moved.has(item)));
      spare.hidden = !spare.children.length;
    });
  }

  function hideEmpty() {
    for (const group of groups) group.hidden = !group.children.length;
  }

  more.addEventListener("click", (event) => {
    event.stopPropagation();
    setOpen(panel.hidden);
  });
  // A choice made in the panel closes it (the color picker stays open while it is used).
  panel.addEventListener("click", (event) => {
    event.stopPropagation();
    if (event.target instanceof Element && event.target.closest("button")) setOpen(false);
  });
  addEventListener("click", () => setOpen(false));
  addEventListener("keydown", (event) => event.key === "Escape" && setOpen(false));
  addEventListener("resize", layout);
  new MutationObserver(() => stale && layout()).observe(document.body, { attributeFilter: ["class"] });
  // The current tool, picked from the panel, shows on its button.
  const showPicked = () => more.classList.toggle("active", !!panel.querySelector("[data-tool].active"));
  new MutationObserver(showPicked).observe(panel, { subtree: true, childList: true, attributeFilter: ["class"] });
  layout();
}
