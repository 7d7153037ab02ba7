// @ts-check
// A short message at the bottom of the board page that goes away by itself.

const SHOWN_MS = 2500;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let hiding;

/** @param {string} text */
export function toast(text) {
  const element = /** @type {HTMLElement} */ (document.getElementById("toast"));
  element.textContent = text;
  element.classList.add("shown");
  clearTimeout(hiding);
  hiding = setTimeout(() => element.classList.remove("shown"), SHOWN_MS);
}
