// @ts-check
// The list of every keyboard shortcut, opened by ? (or ⋯ → Keyboard shortcuts): a modal dialog
// made from the table of shortcuts (keymap.js), closed with Escape, its close button or a click
// beside it; the focus goes back where it was.

import { SECTIONS } from "./keymap.js";
import { openModal } from "./modal.js";

/** @type {HTMLDialogElement | null} */
let dialog = null;

/** Open the list (made the first time). */
export function showShortcuts() {
  dialog ??= build();
  if (!dialog.open) openModal(dialog);
}

function build() {
  const made = document.createElement("dialog");
  made.id = "shortcuts-dialog";
  made.className = "shortcuts-dialog";
  made.setAttribute("aria-labelledby", "shortcuts-title");
  const header = document.createElement("header");
  const title = document.createElement("h2");
  title.id = "shortcuts-title";
  title.textContent = "Keyboard shortcuts";
  const close = document.createElement("button");
  close.type = "button";
  close.className = "shortcuts-close";
  close.setAttribute("aria-label", "Close");
  close.title = "Close (Escape)";
  close.textContent = "✕";
  close.addEventListener("click", () => made.close());
  header.append(title, close);
  const sections = document.createElement("div");
  sections.className = "shortcuts-sections";
  made.append(header, sections);
  for (const section of SECTIONS) {
    const part = document.createElement("section");
    const heading = document.createElement("h3");
    heading.textContent = section.title;
    const list = document.createElement("dl");
    for (const shortcut of section.shortcuts) {
      const row = document.createElement("div");
      row.className = "shortcut";
      const keys = document.createElement("dt");
      shortcut.keys.forEach((combo, i) => {
        if (i) keys.append(" or ");
        const key = document.createElement("kbd");
        key.textContent = combo;
        keys.append(key);
      });
      const does = document.createElement("dd");
      does.textContent = shortcut.does;
      row.append(keys, does);
      list.append(row);
    }
    part.append(heading, list);
    sections.append(part);
  }
  // A click on the backdrop lands on the dialog itself, outside its box.
  made.addEventListener("click", (event) => {
    const box = made.getBoundingClientRect();
    const inside = event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
    if (event.target === made && !inside) made.close();
  });
  document.body.append(made);
  return made;
}
