// @ts-check
// The board's menu (⋯ in the top bar): share, rename, lock, exports, History, change name. Each
// item closes the menu and runs its action; a failure is said in a toast.

import { toast } from "./toast.js";

/** @param {Record<string, () => Promise<void> | void>} actions the action of each item, by its id */
export function installMenu(actions) {
  const menu = /** @type {HTMLElement} */ (document.getElementById("menu"));
  document.getElementById("menu-button")?.addEventListener("click", (event) => {
    event.stopPropagation();
    menu.hidden = !menu.hidden;
  });
  addEventListener("click", () => (menu.hidden = true));
  for (const [id, action] of Object.entries(actions)) {
    document.getElementById(id)?.addEventListener("click", async () => {
      menu.hidden = true;
      try {
        await action();
      } catch (error) {
        toast(`Failed: ${error instanceof Error ? error.message : error}`);
      }
    });
  }
}
