// @ts-check
// The board's menu (⋯ in the top bar): share, rename, lock, exports, History, shortcuts, change
// name. Each item closes the menu and runs its action; a failure is said in a toast. From the
// keyboard: opening it focuses its first item, the arrow keys move between items, Escape closes
// it and gives the focus back to its button.

import { toast } from "./toast.js";

/** @param {Record<string, () => Promise<void> | void>} actions the action of each item, by its id */
export function installMenu(actions) {
  const menu = /** @type {HTMLElement} */ (document.getElementById("menu"));
  const button = /** @type {HTMLElement} */ (document.getElementById("menu-button"));
  const items = () => /** @type {HTMLElement[]} */ ([...menu.querySelectorAll("button")].filter((item) => item.offsetParent));
  function setOpen(/** @type {boolean} */ open) {
    menu.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
  }
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    setOpen(menu.hidden);
    if (!menu.hidden && event.detail === 0) items()[0]?.focus(); // opened from the keyboard
  });
  addEventListener("click", () => setOpen(false));
  menu.addEventListener("keydown", (event) => {
    const all = items();
    const at = all.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    if (event.key === "Escape") {
      event.stopPropagation();
      setOpen(false);
      button.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      all[(at + (event.key === "ArrowDown" ? 1 : all.length - 1)) % all.length]?.focus();
    }
  });
  // Leaving it with Tab closes it.
  menu.addEventListener("focusout", (event) => {
    if (!menu.contains(/** @type {Node | null} */ (event.relatedTarget)) && event.relatedTarget !== button) setOpen(false);
  });
  for (const [id, action] of Object.entries(actions)) {
    document.getElementById(id)?.addEventListener("click", async () => {
      // The item is about to be hidden: the focus goes back to the menu's button first.
      if (menu.contains(document.activeElement)) button.focus();
      setOpen(false);
      try {
        await action();
      } catch (error) {
        toast(`Failed: ${error instanceof Error ? error.message : error}`);
      }
    });
  }
}
