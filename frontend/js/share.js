// @ts-check
// The share dialog: the board's address, or on a protected board its edit and view links, each
// with a copy button; an owner can replace a link (whoever came in by the old one is let go). A
// board nobody has named yet is offered a name first, without holding up the sharing.

import { knownLinks, rememberLinks } from "./identity.js";
import { openModal } from "./modal.js";
import { LIMITS } from "./protocol.gen.js";
import { toast } from "./toast.js";

/**
 * @param {object} parts
 * @param {string} parts.boardId
 * @param {import("./access.js").Access} parts.access
 * @param {() => Record<string, string>} parts.headers the board's link
 * @param {import("./title.js").BoardTitle} parts.title
 */
export function showShare({ boardId, access, headers, title }) {
  const api = `/api/boards/${encodeURIComponent(boardId)}`;
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("share-dialog"));
  /** @type {HTMLElement} */ (document.getElementById("share-open")).hidden = access.protected;
  const rows = /** @type {HTMLElement} */ (document.getElementById("share-links"));
  const base = `${location.origin}/b/${boardId}`;
  const links = knownLinks(boardId);
  /** @type {[string, string, string | null][]} label, address, role to replace */
  const entries = access.protected
    ? [
        ["Can edit", links.editor ? `${base}#token=${links.editor}` : "", "editor"],
        ["Can view", links.viewer ? `${base}#token=${links.viewer}` : "", "viewer"],
      ]
    : [["Address", base, null]];
  rows.replaceChildren(
    ...entries.map(([label, address, linkRole]) => {
      const row = document.createElement("div");
      row.className = "share-row";
      const name = document.createElement("span");
      name.textContent = label;
      const field = document.createElement("input");
      field.readOnly = true;
      field.setAttribute("aria-label", `${label}: the link`);
      field.value = address || "(replace to see a new link)";
      const copy = document.createElement("button");
      copy.type = "button";
      copy.textContent = "Copy";
      copy.addEventListener("click", () => navigator.clipboard?.writeText(field.value));
      row.append(name, field, copy);
      if (linkRole && access.role === "owner") {
        const replace = document.createElement("button");
        replace.type = "button";
        replace.textContent = "Replace";
        replace.addEventListener("click", async () => {
          const response = await fetch(`${api}/links/${linkRole}`, { method: "POST", headers: headers() });
          if (!response.ok) return toast("Could not replace the link");
          const { token: fresh } = await response.json();
          rememberLinks(boardId, { [linkRole]: fresh });
          field.value = `${base}#token=${fresh}`;
        });
        row.append(replace);
      }
      return row;
    }),
  );
  offerName(dialog, access, title);
  if (!dialog.open) openModal(dialog);
}

/**
 * @param {HTMLDialogElement} dialog @param {import("./access.js").Access} access
 * @param {import("./title.js").BoardTitle} title
 */
function offerName(dialog, access, title) {
  const offer = /** @type {HTMLElement} */ (document.getElementById("share-name"));
  const field = /** @type {HTMLInputElement} */ (document.getElementById("share-title"));
  const save = /** @type {HTMLButtonElement} */ (document.getElementById("share-title-save"));
  offer.hidden = !(title.untitled && access.mayRename());
  if (offer.hidden) return;
  field.value = "";
  field.maxLength = LIMITS.MAX_TITLE_CHARS;
  const saveName = async () => {
    const wanted = field.value.trim();
    if (!wanted || save.disabled) return;
    save.disabled = true;
    if (await title.change(wanted)) offer.hidden = true;
    save.disabled = false;
  };
  save.onclick = saveName;
  field.onkeydown = (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // not the dialog's Done
    saveName();
  };
  // A name typed but not saved is kept when the dialog closes with Done.
  dialog.addEventListener("close", () => offer.hidden || saveName(), { once: true });
}
