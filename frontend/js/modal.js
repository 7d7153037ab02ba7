// @ts-check
// The board page's modal dialogs (share, shortcuts): the page behind is inert while one is open,
// Tab and Shift+Tab go round its own controls, and closing it gives the focus back to the control
// that opened it, or to the board menu's button when that control was in the menu, now closed.

const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";

/** @param {HTMLDialogElement} dialog */
export function openModal(dialog) {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  dialog.showModal();
  dialog.addEventListener("keydown", keepFocusInside);
  dialog.addEventListener(
    "close",
    () => {
      dialog.removeEventListener("keydown", keepFocusInside);
      const back = opener?.closest("#menu") ? document.getElementById("menu-button") : opener;
      back?.focus();
    },
    { once: true },
  );
}

/** @param {KeyboardEvent} event */
function keepFocusInside(event) {
  if (event.key !== "Tab") return;
  const dialog = /** @type {HTMLDialogElement} */ (event.currentTarget);
  const controls = [...dialog.querySelectorAll(FOCUSABLE)].filter(
    /** @returns {control is HTMLElement} */ (control) => control instanceof HTMLElement && !!control.offsetParent && !control.matches(":disabled"),
  );
  if (!controls.length) return;
  const [first, last] = [controls[0], controls[controls.length - 1]];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}
